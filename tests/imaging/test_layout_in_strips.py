"""Marks, tables and zones found with the page labelled in strips are those found with it whole."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from ocr_pipeline.imaging import labelling, marks, tables, zones

DPI = 100


def letters(page: np.ndarray, x0: int, x1: int, y: int, size: int = 10) -> None:
    """A row of letter-sized blocks from x0 to x1, top at y."""
    for x in range(x0, x1 - 6, 9):
        page[y : y + size, x : x + 6] = True


def marked_page() -> np.ndarray:
    """A page at 100 dpi with a two-column header, a received stamp, a seal over a signature (its letters
    inside, a line running into it), a ruled table and body lines: every kind of component crossing strip
    edges."""
    page = np.zeros((1000, 760), dtype=bool)
    canvas = np.zeros(page.shape, dtype=np.uint8)
    letters(page, 60, 260, 40)
    letters(page, 420, 700, 40)
    letters(page, 80, 240, 64)
    letters(page, 460, 660, 64)
    cv2.rectangle(canvas, (60, 110), (220, 190), 1, thickness=3)  # the stamp
    cv2.circle(canvas, (480, 260), 70, 1, thickness=4)  # the seal
    cv2.line(canvas, (440, 275), (720, 320), 1, thickness=3)  # the signature across it
    cv2.line(canvas, (80, 300), (200, 240), 1, thickness=2)  # handwriting
    page |= canvas > 0
    letters(page, 80, 200, 140)  # the stamp's own text
    letters(page, 450, 510, 255)  # the seal's
    letters(page, 460, 700, 215)  # a position line into the seal
    letters(page, 40, 300, 360)
    for x in (40, 200, 480, 720):  # a ruled table
        page[420:862, x : x + 3] = True
    for y in (420, 500, 600, 700, 860):
        page[y : y + 3, 40:723] = True
    for y in (440, 520, 620, 720):
        letters(page, 60, 180, y)
        letters(page, 220, 460, y)
    for y in range(880, 980, 24):
        letters(page, 40, 720, y)
    return page


StripsOf = Callable[[int], None]


@pytest.fixture
def strips_of(monkeypatch: pytest.MonkeyPatch) -> StripsOf:
    """Label the pages of the test in strips of the given number of rows."""

    def set_rows(rows: int) -> None:
        monkeypatch.setattr(labelling, "STRIP_PIXELS", rows * 760)

    return set_rows


@pytest.mark.parametrize("rows", [2, 14, 100])
def test_marks_in_strips(strips_of: StripsOf, rows: int) -> None:
    page = marked_page()
    whole = marks.find_marks(page, DPI)
    assert [m.kind for m in whole.marks].count("stamp") == 1 and len(whole.seals) == 1
    strips_of(rows)
    found = marks.find_marks(page, DPI)
    assert found.marks == whole.marks and found.seals == whole.seals
    assert found.strokes is not None and whole.strokes is not None
    assert np.array_equal(found.mask, whole.mask) and np.array_equal(found.strokes, whole.strokes)


@pytest.mark.parametrize("rows", [2, 14, 100])
def test_table_in_strips(strips_of: StripsOf, rows: int) -> None:
    page = marked_page()
    whole = tables.find_table(page, DPI)
    assert whole is not None and len(whole.columns) == 4 and len(whole.rows) == 5
    strips_of(rows)
    assert tables.find_table(page, DPI) == whole


def test_rules_and_profiles_made_in_strips_are_the_whole_pages(strips_of: StripsOf) -> None:
    page = marked_page()
    binary = page.view(np.uint8)
    length, grow = 50, 3
    horizontal = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    )
    vertical = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length))
    )
    rules = cv2.dilate(np.maximum(horizontal, vertical), np.ones((5, 5), np.uint8))
    x, y, w, h = 30, 410, 700, 460
    cols = cv2.dilate(vertical[y : y + h, x : x + w], np.ones((1, grow), np.uint8)).sum(axis=0)
    rows = cv2.dilate(horizontal[y : y + h, x : x + w], np.ones((grow, 1), np.uint8)).sum(axis=1)
    strips_of(6)
    ruling = tables._Ruling(binary, length)
    made = np.vstack([ruling.rules(y0, y1) for y0, y1 in labelling.strip_rows(*page.shape)])
    assert np.array_equal(made, rules)
    strip_cols, strip_rows = ruling.profiles((x, y, w, h), grow)
    assert strip_cols.tolist() == cols.tolist() and strip_rows.tolist() == rows.tolist()


@pytest.mark.parametrize("rows", [2, 14])
def test_zones_in_strips(strips_of: StripsOf, rows: int) -> None:
    page = marked_page()
    page &= ~marks.find_marks(page, DPI).mask
    whole = zones.find_layout(page, DPI)
    assert whole.zones
    strips_of(rows)
    assert zones.find_layout(page, DPI) == whole


def test_letter_rows_made_in_strips_are_the_letter_components_ink(strips_of: StripsOf) -> None:
    page = marked_page()
    _, labels, _, _ = cv2.connectedComponentsWithStats(page.view(np.uint8), connectivity=8)
    _, letter = zones._letter_components(page, DPI)
    ink = letter[labels]
    assert 0 < ink.sum() < page.sum()
    strips_of(6)
    found = zones.LetterRows.of(page, DPI)
    assert found.profile.tolist() == ink.sum(axis=1).tolist()
    for y0, y1 in [(40, 50), (0, 1000), (255, 265), (999, 1000)]:
        assert np.array_equal(found.columns(y0, y1), ink[y0:y1].any(axis=0))


def test_layout_of_some_rows_is_that_of_the_page_without_the_others() -> None:
    page = marked_page()
    page &= ~marks.find_marks(page, DPI).mask
    for start, end in [(0, 420), (863, 1000), (1000, 1000), (0, 0)]:
        rest = page.copy()
        rest[:start] = False
        rest[end:] = False
        assert zones.find_layout(page, DPI, rows=(start, end)) == zones.find_layout(rest, DPI)


def test_near_ink_of_a_window_is_the_pages_dilated_ink() -> None:
    page = marked_page()
    near = cv2.dilate(page.view(np.uint8), np.ones((7, 7), np.uint8)) > 0
    for window in [(-50, -50, 100, 80), (400, 200, 900, 1200), (10, 10, 20, 20)]:
        found = marks._near_ink(page, window, 3)
        x0, y0 = found.origin
        assert np.array_equal(found.near, near[y0 : y0 + found.near.shape[0], x0 : x0 + found.near.shape[1]])
        assert found.near.shape == (min(1000, window[3]) - y0, min(760, window[2]) - x0)
