"""Ruled tables: find the grid of a page's table and read it cell by cell, row by row.

The ruling is found with morphology: opening the ink with a long horizontal (vertical) line keeps only
the horizontal (vertical) rules. Column boundaries are the vertical rules running down most of the table;
row boundaries are the horizontal rules running across most of it (a rule inside one column only - sub-items
of a cell - does not cut a row). Each cell is OCR'd on its own and the table becomes Markdown, one table row
per line, the lines of a cell joined by spaces, so the text of one row never interleaves with another's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from . import labelling

log = logging.getLogger(__name__)

#: Shortest rule (inches) looked for.
MIN_RULE = 0.5
#: A vertical rule bounds a column when it runs down this share of the table's height.
COLUMN_RULE_SHARE = 0.4
#: A horizontal rule bounds a row when it runs across this share of the table's width.
ROW_RULE_SHARE = 0.6
#: Least share of the page's area the table must cover.
MIN_TABLE_AREA = 0.2


@dataclass(frozen=True)
class TableGrid:
    """A table's rule positions in pixels: column boundaries (x) and row boundaries (y), left to right and
    top to bottom."""

    columns: tuple[int, ...]
    rows: tuple[int, ...]

    @property
    def box(self) -> tuple[int, int, int, int]:
        """``(x, y, w, h)`` of the grid."""
        return self.columns[0], self.rows[0], self.columns[-1] - self.columns[0], self.rows[-1] - self.rows[0]

    def cells(self, inset: int) -> list[list[tuple[int, int, int, int]]]:
        """The cell boxes ``(x, y, w, h)``, row by row, each shrunk by ``inset`` pixels from its rules."""
        grid = []
        for top, bottom in zip(self.rows, self.rows[1:], strict=False):
            row = []
            for left, right in zip(self.columns, self.columns[1:], strict=False):
                x0, y0 = left + inset, top + inset
                row.append((x0, y0, max(1, right - inset - x0), max(1, bottom - inset - y0)))
            grid.append(row)
        return grid


def _rule_positions(profile: np.ndarray, threshold: float, merge: int) -> list[int]:
    """Centres of the runs where a rule profile reaches ``threshold`` (runs closer than ``merge`` are one)."""
    flags = profile >= threshold
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    runs: list[list[int]] = []
    for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        if runs and a - runs[-1][1] < merge:
            runs[-1][1] = b
        else:
            runs.append([a, b])
    return [(a + b) // 2 for a, b in runs]


def find_table(ink: np.ndarray, dpi: int) -> TableGrid | None:
    """The grid of the page's ruled table (two columns and two rows at least), or None."""
    height, width = ink.shape
    ruling = _Ruling(np.asarray(ink, dtype=bool).view(np.uint8), max(10, round(MIN_RULE * dpi)))
    stats = labelling.label(ruling.rules, height, width).stats
    if len(stats) < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h = (int(v) for v in stats[biggest, :4])
    if w * h < MIN_TABLE_AREA * width * height:
        return None
    # a rule drawn slightly askew is thickened by a few pixels so that its profile stays whole
    grow = max(3, dpi // 60)
    cols, rows = ruling.profiles((x, y, w, h), grow)
    near = max(grow * 3, dpi // 10)
    columns = [x + c for c in _rule_positions(cols, COLUMN_RULE_SHARE * h, near)]
    row_lines = [y + r for r in _rule_positions(rows, ROW_RULE_SHARE * w, near)]
    columns = _with_edges(columns, x, x + w, near)
    row_lines = _with_edges(row_lines, y, y + h, near)
    if len(columns) < 3 or len(row_lines) < 2:
        return None
    return TableGrid(tuple(columns), tuple(row_lines))


class _Ruling:
    """The rules of an ink image (``uint8``, 1 = ink), strip by strip: its openings with a horizontal and a
    vertical line of ``length`` pixels, kept a bit a pixel once made (:meth:`rules` makes them)."""

    def __init__(self, binary: np.ndarray, length: int) -> None:
        self.binary = binary
        self.length = length
        self.across = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
        self.down = cv2.getStructuringElement(cv2.MORPH_RECT, (1, length))
        height, width = binary.shape
        self.horizontal = np.zeros((height, (width + 7) // 8), dtype=np.uint8)  # packed bits
        self.vertical = np.zeros_like(self.horizontal)

    def _openings(self, y0: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
        """The horizontal and vertical rules of rows ``y0..y1``: what opening the whole image gives there (a
        vertical opening reaches ``length`` rows either way)."""
        a, b = max(0, y0 - self.length), min(self.binary.shape[0], y1 + self.length)
        horizontal = cv2.morphologyEx(self.binary[y0:y1], cv2.MORPH_OPEN, self.across)
        vertical = cv2.morphologyEx(self.binary[a:b], cv2.MORPH_OPEN, self.down)[y0 - a : y1 - a]
        return np.asarray(horizontal, dtype=np.uint8), np.asarray(vertical, dtype=np.uint8)

    def rules(self, y0: int, y1: int) -> np.ndarray:
        """Both rules of rows ``y0..y1``, dilated 5×5 (a :data:`.labelling.RowSource`); the horizontal and
        vertical rules of those rows are kept."""
        a, b = max(0, y0 - 2), min(self.binary.shape[0], y1 + 2)
        horizontal, vertical = self._openings(a, b)
        self.horizontal[y0:y1] = np.packbits(horizontal[y0 - a : y1 - a], axis=1)
        self.vertical[y0:y1] = np.packbits(vertical[y0 - a : y1 - a], axis=1)
        rules = cv2.dilate(np.maximum(horizontal, vertical), np.ones((5, 5), np.uint8))
        return np.asarray(rules[y0 - a : y1 - a])

    def _unpacked(self, packed: np.ndarray, rows: tuple[int, int], columns: tuple[int, int]) -> np.ndarray:
        width = self.binary.shape[1]
        bits = np.unpackbits(packed[rows[0] : rows[1]], axis=1, count=width)
        return np.ascontiguousarray(bits[:, columns[0] : columns[1]])

    def profiles(self, box: tuple[int, int, int, int], grow: int) -> tuple[np.ndarray, np.ndarray]:
        """Within ``box`` (``x, y, w, h``): the vertical rules widened by ``grow`` columns summed down each
        column, and the horizontal rules thickened by ``grow`` rows summed along each row (the box's edges
        are the image's)."""
        x, y, w, h = box
        cols = np.zeros(w, dtype=np.int64)
        rows = np.zeros(h, dtype=np.int64)
        widen, thicken = np.ones((1, grow), np.uint8), np.ones((grow, 1), np.uint8)
        for c0, c1 in labelling.strip_rows(h, w):
            vertical = self._unpacked(self.vertical, (y + c0, y + c1), (x, x + w))
            cols += cv2.dilate(vertical, widen).sum(axis=0, dtype=np.int64)
            a, b = max(0, c0 - grow), min(h, c1 + grow)
            horizontal = self._unpacked(self.horizontal, (y + a, y + b), (x, x + w))
            rows[c0:c1] = cv2.dilate(horizontal, thicken)[c0 - a : c1 - a].sum(axis=1, dtype=np.int64)
        return cols, rows


def _with_edges(positions: list[int], start: int, end: int, near: int) -> list[int]:
    """Rule positions with the table's own edges added where no rule lies near them."""
    result = sorted(positions)
    if not result or result[0] - start > near:
        result.insert(0, start)
    if end - result[-1] > near:
        result.append(end)
    return result


def markdown_row(cells: list[str]) -> str:
    """One Markdown table row (``|`` in a cell escaped)."""
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def markdown_table(rows: list[list[str]]) -> str:
    """A Markdown table: the first row, the separator, then the other rows."""
    if not rows:
        return ""
    columns = max(len(r) for r in rows)
    rows = [r + [""] * (columns - len(r)) for r in rows]
    lines = [markdown_row(rows[0]), markdown_row(["---"] * columns)]
    lines += [markdown_row(r) for r in rows[1:]]
    return "\n".join(lines)
