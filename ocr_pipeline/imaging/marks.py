"""Marks on a page that are not its printed text: boxed stamps, seals, handwritten signatures.

Found among the ink's connected components by size and shape, measured in inches so that the resolution
does not matter:

- **frame** (``stamp``): a component far bigger than a letter whose ink lies along the edge of its
  (possibly rotated) bounding rectangle: the received stamp (``ĐẾN``, ``CÔNG VĂN ĐẾN``) or a ``HỎA TỐC``
  box. The whole rectangle is the mark (its text and the handwriting in it are not the document's);
- **seal** and **handwriting**: other components far bigger than a letter (a round seal, a signature,
  a flourish): only their own pixels are the mark.

Frames bigger than a stamp ever is (a table's ruling, a page border) are not marks. Each mark is returned
with a mask of the pixels to paint with the paper colour before OCR.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from .page import Mark

log = logging.getLogger(__name__)

#: A component taller than this (inches) is no letter (bold 16 pt capitals with accents are ~0.25 in).
MIN_MARK_HEIGHT = 0.42
#: Thinner than this (inches) on its short side: a rule or an underline, not a mark.
MAX_RULE_THICKNESS = 0.06
#: Stamps are at most this big (inches) on their long side; bigger frames are tables or page borders.
MAX_STAMP_SIDE = 3.2
#: Share of a component's ink within the edge band of its rotated rectangle for it to be a frame.
FRAME_EDGE_SHARE = 0.6
#: Share of the rectangle's perimeter the ink must follow for it to be a frame.
FRAME_COVERAGE = 0.55
#: Share of a side of an upright frame's box the ink must follow for the side to be drawn.
CORNER_SIDE = 0.85
#: Seals are roughly round and at least this wide (inches).
MIN_SEAL_SIDE = 0.9


@dataclass(frozen=True)
class MarkFinding:
    """The marks of a page and the pixels they cover."""

    marks: tuple[Mark, ...]
    mask: np.ndarray  # True = pixel of a mark (to be painted over)
    #: The pixels of seals and handwriting only (stamps' boxes left out).
    strokes: np.ndarray | None = None


def find_marks(ink: np.ndarray, dpi: int) -> MarkFinding:
    """Find stamps, seals and handwriting among the ink components (``ink``: True = ink)."""
    mask = np.zeros(ink.shape, dtype=bool)
    strokes = np.zeros(ink.shape, dtype=bool)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.view(np.uint8), connectivity=8)
    marks: list[Mark] = []
    min_height = MIN_MARK_HEIGHT * dpi
    thin = MAX_RULE_THICKNESS * dpi
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label][:4])
        if max(w, h) < min_height or min(w, h) < thin:
            continue
        component = labels[y : y + h, x : x + w] == label
        frame = _frame_polygon(component, dpi)
        if frame is not None:
            polygon = frame + np.array([x, y])
            cv2.fillPoly(mask.view(np.uint8), [polygon.astype(np.int32)], 1)
            marks.append(Mark("stamp", (x, y, w, h)))
            continue
        if max(w, h) > MAX_STAMP_SIDE * 1.5 * dpi:
            continue  # a table's ruling or a page border: not a mark
        round_shape = 0.7 <= w / h <= 1.4 and min(w, h) >= MIN_SEAL_SIDE * dpi
        kind = "seal" if round_shape else "handwriting"
        grown = cv2.dilate(component.view(np.uint8), np.ones((3, 3), np.uint8)) > 0
        mask[y : y + h, x : x + w] |= grown
        strokes[y : y + h, x : x + w] |= grown
        marks.append(Mark(kind, (x, y, w, h)))
    return MarkFinding(tuple(marks), mask, strokes)


def _frame_polygon(component: np.ndarray, dpi: int) -> np.ndarray | None:
    """The corner points of the rectangle a component draws, if it is a stamp-sized frame; else None.

    A frame is either closed (ink along most of its possibly rotated rectangle) or an upright corner: two
    adjacent sides drawn in full (the rest broken off or cut by the page edge).
    """
    closed = _closed_frame(component, dpi)
    return closed if closed is not None else _corner_frame(component, dpi)


def _corner_frame(component: np.ndarray, dpi: int) -> np.ndarray | None:
    """The bounding box of an upright frame of which at least a horizontal and a vertical side are drawn.

    A side is a row (column) whose ink, within a thin band, runs along most of the box's width (height).
    """
    h, w = component.shape
    if min(w, h) < 0.25 * dpi or max(w, h) > MAX_STAMP_SIDE * dpi:
        return None
    band = max(3, round(0.03 * min(w, h)))
    kernel = np.ones((band, band), np.uint8)
    thick = cv2.dilate(component.view(np.uint8), kernel) > 0
    row_cover = thick.mean(axis=1)
    col_cover = thick.mean(axis=0)
    row, col = int(row_cover.argmax()), int(col_cover.argmax())
    if row_cover[row] < CORNER_SIDE or col_cover[col] < CORNER_SIDE:
        return None
    sides = np.zeros_like(component)
    sides[max(0, row - band) : row + band + 1] = True
    sides[:, max(0, col - band) : col + band + 1] = True
    if (component & sides).sum() / max(1, component.sum()) < FRAME_EDGE_SHARE:
        return None
    return np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)


def _closed_frame(component: np.ndarray, dpi: int) -> np.ndarray | None:
    """The corners of the (possibly rotated) rectangle the component draws along most of its perimeter."""
    points = cv2.findNonZero(component.view(np.uint8))
    if points is None or len(points) < 50:
        return None
    rect = cv2.minAreaRect(points)
    (_, _), (rw, rh), _ = rect
    if min(rw, rh) < 0.25 * dpi or max(rw, rh) > MAX_STAMP_SIDE * dpi:
        return None
    corners = cv2.boxPoints(rect)
    band = max(3.0, 0.04 * min(rw, rh))
    outline = np.zeros(component.shape, dtype=np.uint8)
    cv2.polylines(outline, [corners.round().astype(np.int32)], True, 1, thickness=max(1, round(2 * band)))
    ink = component.sum()
    if ink == 0 or (component & (outline > 0)).sum() / ink < FRAME_EDGE_SHARE:
        return None
    # the ink must follow most of the perimeter: sample points along it and look for ink nearby
    coverage = _perimeter_coverage(component, corners, band)
    if coverage < FRAME_COVERAGE:
        return None
    return corners


def _perimeter_coverage(component: np.ndarray, corners: np.ndarray, band: float) -> float:
    """Share of points sampled along the rectangle's edges that have ink within ``band`` pixels."""
    h, w = component.shape
    reach = max(1, round(band))
    hits = total = 0
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        steps = max(2, int(np.hypot(*(b - a)) / 4))
        for t in np.linspace(0, 1, steps, endpoint=False):
            px, py = (a + t * (b - a)).round().astype(int)
            window = component[
                max(0, py - reach) : min(h, py + reach + 1), max(0, px - reach) : min(w, px + reach + 1)
            ]
            total += 1
            hits += bool(window.any())
    return hits / total if total else 0.0
