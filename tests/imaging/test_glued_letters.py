"""Printed letters that a scan runs together into one wide component are not handwriting."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_pipeline.imaging import marks

DPI = 300
FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def glued_word(text: str, size: int, grow: int) -> np.ndarray:
    """``text`` printed at ``size`` px on a page, its letters run together by ``grow`` px of ink spread (the
    blur and threshold of a scan)."""
    canvas = Image.new("L", (900, 300), 0)
    ImageDraw.Draw(canvas).text((100, 100), text, font=ImageFont.truetype(FONT, size), fill=255)
    ink = np.asarray(canvas) > 127
    kernel = np.ones((2 * grow + 1, 2 * grow + 1), np.uint8)
    return cv2.dilate(ink.view(np.uint8), kernel) > 0


def flourish(width: int, height: int, thickness: int) -> np.ndarray:
    """A handwritten stroke ``width`` x ``height`` px: a slanted, curving line as a signature ends with."""
    page = np.zeros((300, 900), dtype=np.uint8)
    xs = np.arange(100, 100 + width)
    ys = 100 + height - thickness - (height - 2 * thickness) * ((xs - 100) / width) ** 1.5
    points = np.stack([xs, ys], axis=1).round().astype(np.int32)
    cv2.polylines(page, [points], False, 1, thickness=thickness)
    return page > 0


@pytest.mark.parametrize(("text", "size", "grow"), [("TTTT", 56, 2), ("HKHD", 50, 3), ("ruon", 72, 3)])
def test_letters_run_together_are_no_mark(text: str, size: int, grow: int) -> None:
    page = glued_word(text, size, grow)
    _, _, stats, _ = cv2.connectedComponentsWithStats(page.view(np.uint8))
    widest = stats[1:, cv2.CC_STAT_WIDTH].max()
    assert widest >= marks.MIN_MARK_HEIGHT * DPI  # one component as long as a mark: the case at stake
    assert marks.find_marks(page, DPI).marks == ()
    assert not marks.find_marks(page, DPI).mask.any()


def test_a_flourish_as_low_as_a_letter_is_handwriting() -> None:
    page = flourish(width=150, height=30, thickness=5)
    found = marks.find_marks(page, DPI)
    assert [m.kind for m in found.marks] == ["handwriting"]
    assert found.mask[page].all()


def test_glued_letters_by_their_stems() -> None:
    stems = np.zeros((36, 150), dtype=bool)
    for x in range(4, 150, 24):
        stems[:, x : x + 6] = True  # upright stems
    stems[-4:, :] = True  # joined along the baseline
    assert marks.glued_letters(stems)
    assert not marks.glued_letters(flourish(width=150, height=36, thickness=5)[100:136, 100:250])
