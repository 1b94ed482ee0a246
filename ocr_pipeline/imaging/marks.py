"""Marks on a page that are not its printed text: boxed stamps, seals, handwritten signatures.

Found among the ink's connected components by size and shape, measured in inches so that the resolution
does not matter:

- **frame** (``stamp``): a component far bigger than a letter whose ink lies along the edge of its
  (possibly rotated) bounding rectangle: the received stamp (``ĐẾN``, ``CÔNG VĂN ĐẾN``) or a ``HỎA TỐC``
  box. The whole rectangle is the mark (its text and the handwriting in it are not the document's);
- **seal** and **handwriting**: other components far bigger than a letter (a round seal, a signature,
  a flourish): only their own pixels are the mark. A component only as tall as a letter but as long as a
  mark, drawn with upright stems, is printed letters run together by the scan (``TTTT``, ``rườn``), not a
  mark.
- **seal ring**: where such a component draws a circle of a seal's size (ink all round it), the letters
  and emblem pieces lying wholly inside the circle are the seal's too, unless they sit on a printed line
  that runs into the circle from outside (the position or the name under the seal).

Frames bigger than a stamp ever is (a table's ruling, a page border) are not marks. Each mark is returned
with a mask of the pixels to paint with the paper colour before OCR.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from . import labelling
from .page import Mark

log = logging.getLogger(__name__)

#: A component taller than this (inches) is no letter (bold 16 pt capitals with accents are ~0.25 in).
MIN_MARK_HEIGHT = 0.42
#: A column of a component holds a letter's stem when it is inked without a break over this share of the
#: component's height.
STEM_HEIGHT = 0.6
#: A component no taller than a letter with at least this share of its columns on stems is printed letters
#: run together (0.15-0.21 of the columns of the glued words on the dev pages; 0.00-0.03 on their signature
#: flourishes, seal arcs and handwritten initials).
GLUED_LETTERS_STEMS = 0.1
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
#: Radii (inches) of a seal's outer ring (official seals are 30-45 mm across).
SEAL_RADIUS = (0.45, 0.95)
#: Least share of a seal ring's circle with ink on it (a ring drawn all round, maybe broken here and there).
SEAL_RING_COVERAGE = 0.85
#: Least share of a circle with ink on it for the circle to lie on the ring (its outer edge is sought).
SEAL_EDGE_COVERAGE = 0.4
#: Largest share of the circle a little outside the ring with ink on it (text around a circle of text
#: hits ink everywhere; a ring has paper outside it).
SEAL_OUTSIDE_COVERAGE = 0.3
#: Ink this close (inches) outside a seal's circle, on the rows of a letter inside it, makes that letter
#: part of a printed line running into the seal.
SEAL_LINE_REACH = 0.15


@dataclass(frozen=True)
class MarkFinding:
    """The marks of a page and the pixels they cover."""

    marks: tuple[Mark, ...]
    mask: np.ndarray  # True = pixel of a mark (to be painted over)
    #: The pixels of seals and handwriting only (stamps' boxes left out).
    strokes: np.ndarray | None = None
    #: Seal rings found: centre x, centre y, radius in pixels.
    seals: tuple[tuple[float, float, float], ...] = ()


def find_marks(ink: np.ndarray, dpi: int) -> MarkFinding:
    """Find stamps, seals and handwriting among the ink components (``ink``: True = ink)."""
    # page-sized, but only the marks' boxes are ever written (the rest stays unmapped zero pages)
    mask = np.zeros(ink.shape, dtype=bool)
    strokes = np.zeros(ink.shape, dtype=bool)
    comps = labelling.label_image(ink)
    sides = comps.stats[:, [labelling.WIDTH, labelling.HEIGHT]]
    long_side, short_side = sides.max(axis=1), sides.min(axis=1)
    # Longer than MAX_STAMP_SIDE * 1.5 (a table's ruling, a page border): neither a frame (no rectangle of a
    # stamp's size holds it) nor a seal or handwriting.
    candidates = (
        (long_side >= MIN_MARK_HEIGHT * dpi)
        & (short_side >= MAX_RULE_THICKNESS * dpi)
        & (long_side <= MAX_STAMP_SIDE * 1.5 * dpi)
    )
    candidates[0] = False
    marks: list[Mark] = []
    for label, component in labelling.masks(
        comps, labelling.array_rows(ink), np.flatnonzero(candidates)
    ).items():
        x, y, w, h = (int(v) for v in comps.stats[label][:4])
        frame = _frame_polygon(component, dpi)
        if frame is not None:
            polygon = frame + np.array([x, y])
            cv2.fillPoly(mask.view(np.uint8), [polygon.astype(np.int32)], 1)
            marks.append(Mark("stamp", (x, y, w, h)))
            continue
        if h < MIN_MARK_HEIGHT * dpi and glued_letters(component):
            continue
        round_shape = 0.7 <= w / h <= 1.4 and min(w, h) >= MIN_SEAL_SIDE * dpi
        kind = "seal" if round_shape else "handwriting"
        grown = cv2.dilate(component.view(np.uint8), np.ones((3, 3), np.uint8)) > 0
        mask[y : y + h, x : x + w] |= grown
        strokes[y : y + h, x : x + w] |= grown
        marks.append(Mark(kind, (x, y, w, h)))
    del comps
    seals = find_seal_rings(ink, marks, dpi)
    if seals:
        for (x, y), pixels in seal_interiors(ink, mask, seals, dpi):
            mask[y : y + pixels.shape[0], x : x + pixels.shape[1]] |= pixels
        marks += [
            Mark("seal", _circle_box(seal, ink.shape)) for seal in seals if not _marked_seal(marks, seal)
        ]
    return MarkFinding(tuple(marks), mask, strokes, tuple(seals))


def glued_letters(component: np.ndarray) -> bool:
    """Whether a component (True = its ink) is printed letters run together: upright stems, each inked
    without a break over most of its height, in at least :data:`GLUED_LETTERS_STEMS` of its columns."""
    height = component.shape[0]
    run = np.zeros(component.shape[1], dtype=np.int32)
    longest = np.zeros_like(run)
    for row in component:
        run = (run + 1) * row
        np.maximum(longest, run, out=longest)
    return bool(np.mean(longest >= STEM_HEIGHT * height) >= GLUED_LETTERS_STEMS)


def _marked_seal(found: list[Mark], circle: tuple[float, float, float]) -> bool:
    """Whether a seal mark already holds the circle's centre (a seal standing alone is one component)."""
    cx, cy, _ = circle
    return any(
        m.kind == "seal" and m.box[0] <= cx <= m.box[0] + m.box[2] and m.box[1] <= cy <= m.box[1] + m.box[3]
        for m in found
    )


def _circle_box(circle: tuple[float, float, float], shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    cx, cy, r = circle
    x0, y0 = max(0, round(cx - r)), max(0, round(cy - r))
    x1, y1 = min(shape[1], round(cx + r)), min(shape[0], round(cy + r))
    return x0, y0, x1 - x0, y1 - y0


def find_seal_rings(ink: np.ndarray, found: list[Mark], dpi: int) -> list[tuple[float, float, float]]:
    """The seal rings drawn by the seal and handwriting marks: circles of a seal's size with ink all round.

    A seal pressed over a signature is one component with it, so every large seal or handwriting mark is
    searched (Hough transform at a quarter of the resolution, then the best circle near each candidate);
    a circle counts when ink follows it (:data:`SEAL_RING_COVERAGE`) and paper lies just outside it.
    """
    min_radius, max_radius = (r * dpi for r in SEAL_RADIUS)
    band = max(2, round(0.013 * dpi))
    # every circle _best_ring tries around a Hough candidate lies within this of the searched region
    reach = round(max_radius + 0.1 * dpi) + 4 * band + 2
    rings: list[tuple[float, float, float]] = []
    for mark in found:
        x, y, w, h = mark.box
        if mark.kind == "stamp" or max(w, h) < 2 * min_radius:
            continue
        pad = round(0.3 * dpi)
        x0, y0 = max(0, x - pad), max(0, y - pad)
        region = ink[y0 : y + h + pad, x0 : x + w + pad].view(np.uint8) * 255
        scale = 75 / dpi
        small = cv2.GaussianBlur(
            cv2.resize(region, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), (5, 5), 1.5
        )
        circles = cv2.HoughCircles(
            small,
            cv2.HOUGH_GRADIENT,
            dp=1,
            minDist=min_radius * scale,
            param1=100,
            param2=20,
            minRadius=round(min_radius * scale),
            maxRadius=round(max_radius * scale),
        )
        if circles is None:
            continue
        near = _near_ink(
            ink, (x0 - reach, y0 - reach, x0 + region.shape[1] + reach, y0 + region.shape[0] + reach), band
        )
        for cx, cy, r in circles[0][:8]:
            ring = _best_ring(near, x0 + cx / scale, y0 + cy / scale, r / scale, step=band)
            if ring is None:
                continue
            ring = _outer_ring(ink, ring, dpi)
            if ring is None or not min_radius <= ring[2] <= max_radius:
                continue
            if not any(np.hypot(ring[0] - a, ring[1] - b) < min_radius for a, b, _ in rings):
                rings.append((float(ring[0]), float(ring[1]), float(ring[2])))
            break
    return rings


@dataclass(frozen=True)
class _NearInk:
    """The ink dilated by ``band`` pixels each way (a square), inside a window of the page at ``origin``."""

    near: np.ndarray
    origin: tuple[int, int]  # x, y of the window's top left corner


def _near_ink(ink: np.ndarray, window: tuple[int, int, int, int], band: int) -> _NearInk:
    """:class:`_NearInk` of the window ``(x0, y0, x1, y1)`` (clipped to the page): what dilating the whole
    page gives there."""
    height, width = ink.shape
    x0, y0, x1, y1 = max(0, window[0]), max(0, window[1]), min(width, window[2]), min(height, window[3])
    ax, ay = max(0, x0 - band), max(0, y0 - band)  # the ink within ``band`` of the window
    source = ink[ay : min(height, y1 + band), ax : min(width, x1 + band)].view(np.uint8)
    grown = cv2.dilate(source, np.ones((2 * band + 1, 2 * band + 1), np.uint8))
    return _NearInk(grown[y0 - ay : y1 - ay, x0 - ax : x1 - ax] > 0, (x0, y0))


def _outer_ring(
    ink: np.ndarray, ring: tuple[float, float, float], dpi: int
) -> tuple[float, float, float] | None:
    """The ring's outer edge (a seal has a thick or double outer ring), if paper lies just beyond it.

    The edge is the largest radius up to 0.15 in further out that ink still follows on
    :data:`SEAL_EDGE_COVERAGE` of the circle; beyond it, ink may follow at most
    :data:`SEAL_OUTSIDE_COVERAGE` of some circle within the next 0.12 in (text all round is no seal).
    """
    cx, cy, r = ring
    step = max(1.0, 0.007 * dpi)
    radii = r + np.arange(0.0, 0.3 * dpi, step)
    cover = np.array([_ring_coverage(ink, cx, cy, radius) for radius in radii])
    within = radii <= r + 0.15 * dpi
    edge = float(radii[within & (cover >= SEAL_EDGE_COVERAGE)].max(initial=r))
    beyond = (radii > edge + 0.03 * dpi) & (radii <= edge + 0.15 * dpi)
    if not beyond.any() or cover[beyond].min() > SEAL_OUTSIDE_COVERAGE:
        return None
    return cx, cy, edge


def _ring_coverage(
    near: np.ndarray, cx: float, cy: float, r: float, origin: tuple[int, int] = (0, 0)
) -> float:
    """Share of 360 points on a circle that fall on (dilated) ink; ``near`` is the window of the page at
    ``origin`` (the points outside it are paper)."""
    angles = np.linspace(0, 2 * np.pi, 360, endpoint=False)
    xs = np.round(cx + r * np.cos(angles)).astype(int) - origin[0]
    ys = np.round(cy + r * np.sin(angles)).astype(int) - origin[1]
    inside = (xs >= 0) & (ys >= 0) & (xs < near.shape[1]) & (ys < near.shape[0])
    return float(near[ys[inside], xs[inside]].sum()) / len(angles)


def _best_ring(
    near: _NearInk, cx: float, cy: float, r: float, step: int
) -> tuple[float, float, float] | None:
    """The circle near a Hough candidate that ink follows best, if it follows it well enough."""
    best, best_cover = None, 0.0
    offsets = (-2 * step, -step, 0, step, 2 * step)
    for dx in offsets:
        for dy in offsets:
            for dr in offsets:
                cover = _ring_coverage(near.near, cx + dx, cy + dy, r + dr, near.origin)
                if cover > best_cover:
                    best, best_cover = (cx + dx, cy + dy, r + dr), cover
    return best if best_cover >= SEAL_RING_COVERAGE else None


def seal_interiors(
    ink: np.ndarray, marked: np.ndarray, seals: list[tuple[float, float, float]], dpi: int
) -> list[tuple[tuple[int, int], np.ndarray]]:
    """The ink components (of the ink not ``marked``) lying wholly inside a seal's circle (its letters and
    emblem), except those on the rows of a printed line that runs into the circle: one with ink just
    outside the circle on those rows. Each as the top left corner of its box and its pixels in the box."""

    def free(y0: int, y1: int) -> np.ndarray:
        return (ink[y0:y1] & ~marked[y0:y1]).view(np.uint8)

    comps = labelling.label(free, *ink.shape)
    stats = comps.stats
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    x1, y1 = x + stats[:, cv2.CC_STAT_WIDTH], y + stats[:, cv2.CC_STAT_HEIGHT]
    chosen: list[int] = []
    for cx, cy, r in seals:
        far_x = np.maximum(np.abs(x - cx), np.abs(x1 - cx))
        far_y = np.maximum(np.abs(y - cy), np.abs(y1 - cy))
        inside = np.hypot(far_x, far_y) <= r + 0.02 * dpi
        inside[0] = False
        for label in np.flatnonzero(inside).tolist():
            if not _on_line_into_circle(ink, marked, (cx, cy, r), int(y[label]), int(y1[label]), dpi):
                chosen.append(label)
    pixels = labelling.masks(comps, free, chosen)
    return [((int(x[label]), int(y[label])), pixels[label]) for label in chosen]


def _on_line_into_circle(
    ink: np.ndarray, marked: np.ndarray, circle: tuple[float, float, float], top: int, bottom: int, dpi: int
) -> bool:
    """Whether ink (not ``marked``) lies just outside the circle, left or right, on most rows ``top..bottom``:
    between the ring's own width and :data:`SEAL_LINE_REACH` beyond it."""
    cx, cy, r = circle
    near, reach = 0.03 * dpi, SEAL_LINE_REACH * dpi
    rows = range(max(0, top), min(ink.shape[0], bottom))
    hits = 0
    for row in rows:
        half = np.sqrt(max(0.0, r * r - (row - cy) ** 2))
        left = slice(max(0, round(cx - half - reach)), max(0, round(cx - half - near)))
        right = slice(round(cx + half + near), round(cx + half + reach))
        hits += bool(
            (ink[row, left] & ~marked[row, left]).any() or (ink[row, right] & ~marked[row, right]).any()
        )
    return bool(rows) and hits >= 0.5 * len(rows)


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
