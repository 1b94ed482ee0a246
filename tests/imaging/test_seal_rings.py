"""Seal rings: the letters inside a seal's circle are the seal's, a printed line running into it is not."""

from __future__ import annotations

import cv2
import numpy as np

from ocr_pipeline.imaging import marks

DPI = 100


def letters(page: np.ndarray, x0: int, x1: int, y: int, size: int = 10) -> None:
    """A row of letter-sized blocks from x0 to x1, top at y."""
    for x in range(x0, x1 - 6, 9):
        page[y : y + size, x : x + 6] = True


def sealed_block() -> np.ndarray:
    """A seal ring (joined to a signature stroke), its own letters inside, a printed position line running
    into it from the right, and a Nơi nhận line well clear of it on the left."""
    page = np.zeros((500, 800), dtype=bool)
    canvas = np.zeros(page.shape, dtype=np.uint8)
    cv2.circle(canvas, (400, 250), 70, 1, thickness=4)
    cv2.line(canvas, (380, 265), (700, 300), 1, thickness=3)  # the signature across it
    page |= canvas > 0
    letters(page, 370, 430, 245)  # the seal's own text, wholly inside
    letters(page, 375, 425, 280)
    letters(page, 380, 640, 205)  # the position, from inside the circle out to the right
    letters(page, 60, 250, 250)  # a recipient, left of the seal
    return page


def test_a_seal_ring_over_a_signature_is_found() -> None:
    found = marks.find_marks(sealed_block(), DPI)
    assert len(found.seals) == 1
    cx, cy, r = found.seals[0]
    assert abs(cx - 400) <= 4 and abs(cy - 250) <= 4 and 64 <= r <= 76
    assert "seal" in [m.kind for m in found.marks]


def test_letters_inside_the_seal_go_with_it_and_printed_lines_stay() -> None:
    page = sealed_block()
    found = marks.find_marks(page, DPI)
    assert found.mask[245:255, 370:430][page[245:255, 370:430]].all()  # the seal's text
    assert found.mask[280:290, 375:425][page[280:290, 375:425]].all()
    position = page[205:215, 440:460] & ~found.mask[205:215, 440:460]
    assert position.any() and not found.mask[205:215, 500:640].any()  # the line into the seal stays
    assert not found.mask[250:260, 60:250].any()  # the recipient stays


def test_text_all_round_a_circle_is_no_seal() -> None:
    page = np.zeros((500, 800), dtype=bool)
    for y in range(60, 460, 14):
        letters(page, 40, 760, y)
    canvas = np.zeros(page.shape, dtype=np.uint8)
    cv2.line(canvas, (100, 100), (600, 420), 1, thickness=3)  # a long stroke through a paragraph
    page |= canvas > 0
    assert marks.find_marks(page, DPI).seals == ()
