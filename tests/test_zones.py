"""Layout zones and marks on drawn pages (blocks of 'letters' stand for text lines; no OCR)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr_pipeline.imaging import marks, tables, zones

DPI = 100
WIDTH, HEIGHT = 827, 1169  # A4 at 100 dpi


def draw_line(page: np.ndarray, x0: int, x1: int, y: int, size: int = 14) -> None:
    """A text line: letter-sized blocks from x0 to x1 with word gaps, top at y."""
    x = x0
    while x < x1:
        word = min(x1 - x, 40)
        for letter in range(x, x + word - 6, 9):
            page[y : y + size, letter : letter + 7] = True
        x += word + 2


def administrative_page() -> np.ndarray:
    """Two-column header, centred title, body, two-column closing block."""
    page = np.zeros((HEIGHT, WIDTH), dtype=bool)
    # header: issuer (left) | motto (right); Số (left) | place-date (right)
    draw_line(page, 120, 320, 80)
    draw_line(page, 420, 760, 80)
    draw_line(page, 480, 700, 104)
    draw_line(page, 140, 300, 150)
    draw_line(page, 470, 720, 150)
    # title, centred on the page
    draw_line(page, 360, 470, 220)
    draw_line(page, 250, 580, 244)
    # body
    for row in range(12):
        draw_line(page, 90, 760, 300 + row * 26)
    draw_line(page, 90, 400, 300 + 12 * 26)
    # closing: Nơi nhận (left) | authority, position, name (right)
    for row in range(6):
        draw_line(page, 90, 330, 680 + row * 22, size=11)
    draw_line(page, 500, 700, 680)
    draw_line(page, 520, 680, 704)
    draw_line(page, 520, 680, 800)
    return page


def kinds(layout: zones.Layout) -> list[str]:
    return [zone.kind for zone, _ in layout.zones]


def test_administrative_page_zones_in_reading_order() -> None:
    layout = zones.find_layout(administrative_page(), DPI)
    assert kinds(layout) == [
        "header_left",
        "header_right",
        "number",
        "title",
        "body",
        "closing_left",
        "closing_right",
    ]
    by_kind = {zone.kind: (zone, clip) for zone, clip in layout.zones}
    left_zone, left_clip = by_kind["header_left"]
    right_zone, right_clip = by_kind["header_right"]
    x, _, w, _ = left_zone.box(10, (HEIGHT, WIDTH), left_clip)
    rx, _, _, _ = right_zone.box(10, (HEIGHT, WIDTH), right_clip)
    assert x + w <= rx  # the columns' crops never overlap
    assert len(by_kind["header_right"][0].bands) == 3
    assert len(by_kind["number"][0].bands) == 1


def test_body_page_is_one_body_zone() -> None:
    page = np.zeros((HEIGHT, WIDTH), dtype=bool)
    for row in range(30):
        draw_line(page, 90, 760, 80 + row * 26)
    assert kinds(zones.find_layout(page, DPI)) == ["unknown"]


def test_one_gapped_line_over_a_body_is_no_header() -> None:
    page = np.zeros((HEIGHT, WIDTH), dtype=bool)
    draw_line(page, 90, 330, 80)
    draw_line(page, 420, 760, 80)
    for row in range(20):
        draw_line(page, 90, 760, 106 + row * 26)
    assert "header_left" not in kinds(zones.find_layout(page, DPI))


def test_a_first_body_line_with_a_wide_gap_is_no_header() -> None:
    page = np.zeros((HEIGHT, WIDTH), dtype=bool)
    draw_line(page, 90, 760, 80)
    draw_line(page, 90, 330, 106)
    draw_line(page, 420, 760, 106)
    for row in range(10):
        draw_line(page, 90, 760, 132 + row * 26)
    assert "header_left" not in kinds(zones.find_layout(page, DPI))


def test_blank_page_has_no_zones() -> None:
    assert zones.find_layout(np.zeros((HEIGHT, WIDTH), dtype=bool), DPI).zones == ()


def test_marks_stamp_frame_seal_and_text_left_alone() -> None:
    page = administrative_page()
    frame = np.zeros_like(page, dtype=np.uint8)
    cv2.rectangle(frame, (560, 880), (720, 960), 1, thickness=3)  # a received stamp's frame
    draw_line(page, 580, 700, 910)  # its text
    cv2.circle(frame, (200, 950), 60, 1, thickness=4)  # a seal's ring
    page |= frame > 0
    found = marks.find_marks(page, DPI)
    assert sorted(m.kind for m in found.marks) == ["seal", "stamp"]
    assert found.mask[910:924, 580:700].all()  # the text inside the frame is part of the stamp
    assert not found.mask[300:620].any()  # no body text is a mark


@pytest.mark.parametrize("angle", [0, 20])
def test_rotated_frame_is_a_stamp(angle: float) -> None:
    page = np.zeros((400, 400), dtype=bool)
    box = cv2.boxPoints(((200, 200), (180, 80), angle)).round().astype(np.int32)
    canvas = np.zeros((400, 400), dtype=np.uint8)
    cv2.polylines(canvas, [box], True, 1, thickness=3)
    page |= canvas > 0
    found = marks.find_marks(page, DPI)
    assert [m.kind for m in found.marks] == ["stamp"]


def test_corner_of_a_stamp_cut_by_the_page_edge_is_a_stamp() -> None:
    page = np.zeros((400, 400), dtype=bool)
    page[100:104, 100:400] = True  # top side, running off the page
    page[80:300, 100:104] = True  # left side (a stub above the top side)
    found = marks.find_marks(page, DPI)
    assert [m.kind for m in found.marks] == ["stamp"]
    assert found.mask[200, 300]  # the box's inside goes with it


def test_handwritten_number_pushing_into_the_gutter_keeps_the_header() -> None:
    page = administrative_page()
    draw_line(page, 300, 350, 150)  # handwritten digits after "Số:" reaching towards the right column
    assert kinds(zones.find_layout(page, DPI))[:3] == ["header_left", "header_right", "number"]


def ruled_table(columns: list[int], rows: list[int], size: tuple[int, int] = (800, 1100)) -> np.ndarray:
    page = np.zeros(size, dtype=bool)
    for x in columns:
        page[rows[0] : rows[-1] + 3, x : x + 3] = True
    for y in rows:
        page[y : y + 3, columns[0] : columns[-1] + 3] = True
    return page


def test_table_grid_rows_and_columns() -> None:
    page = ruled_table([50, 150, 600, 1000], [100, 200, 400, 700])
    page[300:303, 150:600] = True  # a rule inside one column only (sub-items): no row boundary
    draw_line(page, 170, 580, 250)
    grid = tables.find_table(page, DPI)
    assert grid is not None
    assert [abs(a - b) <= 3 for a, b in zip(grid.columns, [51, 151, 601, 1001], strict=True)] == [True] * 4
    assert len(grid.rows) == 4
    assert len(grid.cells(3)) == 3 and len(grid.cells(3)[0]) == 3


def test_text_page_has_no_table() -> None:
    assert tables.find_table(administrative_page(), DPI) is None


def test_markdown_table() -> None:
    text = tables.markdown_table([["STT", "Nội dung"], ["1.", "a | b"], ["2."]])
    assert text.splitlines() == ["| STT | Nội dung |", "| --- | --- |", "| 1. | a \\| b |", "| 2. |  |"]
