"""Colour marks dropped before the grey conversion."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from ocr_pipeline.imaging import colour, engines


def colour_page() -> np.ndarray:
    page = np.full((300, 300, 3), 250, dtype=np.uint8)
    page[100:110, 20:280] = (10, 10, 10)  # a black text line
    cv2.circle(page, (150, 105), 60, (220, 30, 40), thickness=6)  # a red seal's ring, over the text
    cv2.line(page, (20, 250), (200, 230), (30, 40, 200), thickness=3)  # a blue signature stroke
    return page


def test_red_and_blue_marks_become_paper_black_text_stays() -> None:
    grey, share = colour.to_grey(colour_page())
    assert share > 0
    assert grey[105, 30] < 50  # black text
    assert grey[105, 150] < 50  # black text under the seal's ring
    assert grey[45, 150] > 200  # the ring's top
    assert grey[240, 110] > 200  # the blue stroke


def test_grey_scan_in_rgb_is_converted_as_it_is() -> None:
    page = np.full((100, 100, 3), 240, dtype=np.uint8)
    page[40:50, 10:90] = 20
    grey, share = colour.to_grey(page)
    assert share == 0.0
    assert np.array_equal(grey, cv2.cvtColor(page, cv2.COLOR_RGB2GRAY))


def test_grey_page_of_an_image() -> None:
    assert engines.grey_page(Image.fromarray(colour_page()))[45, 150] > 200
    assert engines.grey_page(Image.new("L", (10, 10), 7)).max() == 7
