"""Signer lines under a seal: found on the ink outside the seal's circle (reading.seal_lines)."""

from __future__ import annotations

import cv2
import numpy as np

from ocr_pipeline.imaging import reading

DPI = 100
CIRCLE = (200.0, 150.0, 70.0)  # centre x, centre y, radius (pixels)


def letters(page: np.ndarray, x0: int, x1: int, y: int, size: int = 10) -> None:
    """A row of letter-sized ink blocks from x0 to x1, top at y (0 = ink on a grey page)."""
    for x in range(x0, x1 - 6, 8):
        page[y : y + size, x : x + 6] = 0


def signer_block() -> np.ndarray:
    """A seal ring with its own letters and emblem inside, a position line and a name line starting inside
    the circle and running out of it to the right, and a signature's strokes right of the seal."""
    page = np.full((320, 560), 255, dtype=np.uint8)
    cv2.circle(page, (200, 150), 70, 0, thickness=5)
    cv2.circle(page, (200, 150), 30, 0, thickness=-1)  # the emblem
    letters(page, 160, 240, 100)  # the seal's own letters, inside the circle only
    letters(page, 150, 420, 75)  # the position
    letters(page, 170, 450, 200)  # the name
    wave = np.array([[280 + 12 * k, 135 + (8 if k % 2 else -4)] for k in range(16)], dtype=np.int32)
    cv2.polylines(page, [wave], False, 0, thickness=3)  # a signature's stroke right of the seal
    return page


def test_the_lines_are_the_printed_ones_only() -> None:
    page = signer_block()
    rows = reading.seal_lines(page, (0, 0, page.shape[1], page.shape[0]), [CIRCLE], DPI, 10.0)
    assert len(rows) == 2
    (a0, a1), (b0, b1) = rows
    assert abs(a0 - 75) <= 2 and abs(a1 - 85) <= 2  # the position
    assert abs(b0 - 200) <= 2 and abs(b1 - 210) <= 2  # the name


def test_lines_run_together_are_split() -> None:
    page = signer_block()
    letters(page, 150, 420, 86)  # a second line just under the position (its accents touching)
    rows = reading.seal_lines(page, (0, 0, page.shape[1], page.shape[0]), [CIRCLE], DPI, 8.0)
    assert len(rows) == 3
    assert rows[0][0] >= 73 and rows[0][1] <= 87 and rows[1][0] >= 84 and rows[1][1] <= 98


def test_rows_are_in_the_box() -> None:
    page = signer_block()
    rows = reading.seal_lines(page, (100, 50, 400, 200), [CIRCLE], DPI, 10.0)
    assert [round(a / 5) for a, _ in rows] == [5, 30]  # 75 - 50, 200 - 50


def test_seals_on_a_box() -> None:
    assert reading._seals_on((240, 0, 100, 100), ((200.0, 150.0, 70.0),)) == [CIRCLE]
    assert reading._seals_on((300, 0, 100, 60), ((200.0, 150.0, 70.0),)) == []
