"""Stage 2: detect 0/90/180/270 degree page rotation and turn the page upright."""

from __future__ import annotations

import logging

import numpy as np

from . import engines
from .models import PageImage

log = logging.getLogger(__name__)

MIN_OSD_CONFIDENCE = 2.0


def rotate_right_angle(image: np.ndarray, clockwise_degrees: int) -> np.ndarray:
    """Rotate an image clockwise by a multiple of 90 degrees."""
    turns = (clockwise_degrees // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k=-turns)) if turns else image


def fix_orientation(page: PageImage) -> PageImage:
    """Rotate the page upright using Tesseract's orientation detection."""
    found = engines.detect_orientation(page.image)
    if found is None:
        return page.evolve("orientation: not detected")
    rotate, confidence = found
    if rotate == 0 or confidence < MIN_OSD_CONFIDENCE:
        return page.evolve(f"orientation: upright (conf {confidence:.1f})")
    return page.evolve(
        f"orientation: rotated {rotate} (conf {confidence:.1f})",
        image=rotate_right_angle(page.image, rotate),
        rotation=rotate,
    )
