"""Colour pages to grey, with coloured marks dropped: red seals, red or violet stamps, blue ink.

Printed text is black; what is printed or written in colour on an administrative page is a seal, a
signature stamp or handwriting (the signature, a received stamp's entries). On a colour page, pixels that
are clearly coloured (saturated, not dark) and red, violet or blue become paper before the grey
conversion, so that binarising and OCR never see them. Black text under a seal keeps its dark pixels. A
page with (nearly) no coloured pixels - a grey or bilevel scan rendered in RGB - is converted as it is.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

log = logging.getLogger(__name__)

#: Least HSV saturation (0-255) of a coloured pixel.
MIN_SATURATION = 80
#: Least HSV value (0-255) of a coloured pixel (darker pixels are ink whatever their hue).
MIN_VALUE = 60
#: Least share of coloured pixels for the page to count as colour.
MIN_COLOUR_SHARE = 0.0005
#: Hue ranges (OpenCV's 0-180 scale) dropped: red (both ends), blue to violet.
DROPPED_HUES = ((0, 14), (95, 180))


def coloured_marks(rgb: np.ndarray) -> np.ndarray:
    """The mask of clearly coloured red, violet and blue pixels of an RGB page (True = drop)."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    hue, saturation, value = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    coloured = (saturation >= MIN_SATURATION) & (value >= MIN_VALUE)
    hues = np.zeros(hue.shape, dtype=bool)
    for low, high in DROPPED_HUES:
        hues |= (hue >= low) & (hue <= high)
    return coloured & hues


def to_grey(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """The grey page (``uint8``) and the share of its pixels dropped as coloured marks."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        return grey, 0.0
    drop = coloured_marks(rgb)
    share = float(drop.mean())
    if share < MIN_COLOUR_SHARE:
        return grey, 0.0
    paper = int(np.percentile(grey[::4, ::4], 90))
    grey = grey.copy()
    grey[cv2.dilate(drop.view(np.uint8), np.ones((3, 3), np.uint8)) > 0] = paper
    return grey, share
