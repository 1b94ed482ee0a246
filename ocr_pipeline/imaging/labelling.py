"""Connected ink components (8-connected) of a page, labelled a strip of rows at a time.

OpenCV labels a whole page with 4 bytes a pixel (280 MB on an A3 page at 600 dpi). Here each strip of at most
:data:`STRIP_PIXELS` pixels is labelled on its own and the components that cross a strip edge are joined, so
the stats are OpenCV's on the whole page, row for row: strips start on even rows, and OpenCV numbers the
components in the raster order of the 2×2 pixel blocks where they begin, which the joined numbering keeps.
The page's labels are not kept (unless it is one strip): what a caller needs of them, a value per component
painted on the page (:func:`paint`) or the pixels of a few components in their boxes (:func:`masks`), is made
by labelling the strips again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

#: Most pixels labelled at a time: a page up to this size (A4 at 300 dpi) is one strip.
STRIP_PIXELS = 10_000_000

#: Rows ``y0..y1`` (end exclusive) of the ink image to label: ``uint8``, ink non-zero.
RowSource = Callable[[int, int], np.ndarray]

LEFT, TOP, WIDTH, HEIGHT, AREA = (
    cv2.CC_STAT_LEFT,
    cv2.CC_STAT_TOP,
    cv2.CC_STAT_WIDTH,
    cv2.CC_STAT_HEIGHT,
    cv2.CC_STAT_AREA,
)


@dataclass(frozen=True)
class Components:
    """The components of a page: OpenCV's stats of the whole page and how to find them again strip by strip.

    ``stats`` rows are components in OpenCV's order (row 0 = the paper): left, top, width, height, area.
    """

    stats: np.ndarray
    shape: tuple[int, int]  # height, width of the page
    strips: tuple[tuple[int, int], ...]  # the row ranges labelled one at a time
    #: For each strip, the component (row of ``stats``) of each of its own labels (index 0 = paper).
    strip_labels: tuple[np.ndarray, ...]
    #: The labels of the page when it is one strip (kept: no second labelling needed).
    single: np.ndarray | None = None


def strip_rows(height: int, width: int, strip_pixels: int | None = None) -> tuple[tuple[int, int], ...]:
    """Row ranges of at most ``strip_pixels`` pixels (default :data:`STRIP_PIXELS`), of an even height."""
    step = max(1, (STRIP_PIXELS if strip_pixels is None else strip_pixels) // max(1, width))
    step = max(2, step - step % 2)
    return tuple((y, min(height, y + step)) for y in range(0, height, step))


def array_rows(ink: np.ndarray) -> RowSource:
    """The rows of a ``bool`` or ``uint8`` ink image (no copy)."""
    binary = ink.view(np.uint8) if ink.dtype == bool else ink
    return lambda y0, y1: binary[y0:y1]


def _label(rows: np.ndarray, stats: bool) -> tuple[int, np.ndarray, np.ndarray | None]:
    """OpenCV's labels of one strip, as ``uint16`` where they fit (``int32`` otherwise)."""
    for ltype in (cv2.CV_16U, cv2.CV_32S):
        try:
            if stats:
                found, labels, table, _ = cv2.connectedComponentsWithStats(rows, connectivity=8, ltype=ltype)
                return found, labels, table
            found, labels = cv2.connectedComponents(rows, connectivity=8, ltype=ltype)
            return found, labels, None
        except cv2.error:
            if ltype == cv2.CV_32S:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def label(source: RowSource, height: int, width: int, strip_pixels: int | None = None) -> Components:
    """Label the components of an ink image of ``height`` × ``width`` pixels, strip by strip.

    ``source`` is asked for each strip once, top to bottom. Components crossing a strip edge (8-adjacent ink
    in the last row of a strip and the first of the next) are joined and their stats merged.
    """
    strips = strip_rows(height, width, strip_pixels)
    if not height or not width:
        return Components(np.zeros((1, 5), dtype=np.int32), (height, width), (), ())
    if len(strips) == 1:  # the whole page at once: OpenCV's own result
        found, labels, stats = _label(np.ascontiguousarray(source(0, height)), stats=True)
        assert stats is not None
        return Components(stats, (height, width), strips, (np.arange(found),), labels)
    pieces: list[np.ndarray] = []  # stats of every strip's components, in page coordinates
    background = np.array([width, height, -1, -1, 0], dtype=np.int64)  # left, top, right, bottom, area
    offsets: list[int] = []
    joins: list[np.ndarray] = []
    previous_row: np.ndarray | None = None
    count = 1  # global ids: 0 = paper, then every strip's labels in turn
    for y0, y1 in strips:
        found, labels, stats = _label(np.ascontiguousarray(source(y0, y1)), stats=True)
        assert stats is not None
        if stats[0, AREA] > 0:
            left, top, w, h, area = (int(v) for v in stats[0])
            background[0], background[1] = min(background[0], left), min(background[1], top + y0)
            background[2], background[3] = max(background[2], left + w), max(background[3], top + y0 + h)
            background[4] += area
        piece = stats[1:].astype(np.int64)
        piece[:, TOP] += y0
        pieces.append(piece)
        offsets.append(count)
        first = np.where(labels[0] > 0, labels[0].astype(np.int64) + (count - 1), 0)
        if previous_row is not None:
            for shift in (-1, 0, 1):  # 8-adjacency across the edge
                a = previous_row[max(0, shift) : width + min(0, shift)]
                b = first[max(0, -shift) : width + min(0, -shift)]
                both = (a > 0) & (b > 0)
                if both.any():
                    joins.append(np.stack([a[both], b[both]], axis=1))
        previous_row = np.where(labels[-1] > 0, labels[-1].astype(np.int64) + (count - 1), 0)
        count += found - 1
        del labels
    root = _join(count, joins)
    # merged stats of each root, rows numbered in the order of the roots (each component's first piece)
    roots, component = np.unique(root[1:], return_inverse=True)
    merged = np.zeros((len(roots) + 1, 5), dtype=np.int64)
    every = np.concatenate(pieces) if pieces else np.zeros((0, 5), dtype=np.int64)
    right = every[:, LEFT] + every[:, WIDTH]
    bottom = every[:, TOP] + every[:, HEIGHT]
    rows = component + 1
    lo_x = np.full(len(roots) + 1, width, dtype=np.int64)
    lo_y = np.full(len(roots) + 1, height, dtype=np.int64)
    hi_x = np.zeros(len(roots) + 1, dtype=np.int64)
    hi_y = np.zeros(len(roots) + 1, dtype=np.int64)
    np.minimum.at(lo_x, rows, every[:, LEFT])
    np.minimum.at(lo_y, rows, every[:, TOP])
    np.maximum.at(hi_x, rows, right)
    np.maximum.at(hi_y, rows, bottom)
    np.add.at(merged[:, AREA], rows, every[:, AREA])
    merged[:, LEFT], merged[:, TOP] = lo_x, lo_y
    merged[:, WIDTH], merged[:, HEIGHT] = hi_x - lo_x, hi_y - lo_y
    left, top, right_edge, bottom_edge, area = background.tolist()
    merged[0] = (left, top, right_edge - left, bottom_edge - top, area) if area else (0, 0, 0, 0, 0)
    of_global = np.concatenate([[0], rows])
    ends = [*offsets[1:], count]
    strip_labels = tuple(
        np.concatenate([[0], of_global[start:end]]).astype(np.int64)
        for start, end in zip(offsets, ends, strict=True)
    )
    return Components(merged.astype(np.int32), (height, width), strips, strip_labels)


def label_image(ink: np.ndarray, strip_pixels: int | None = None) -> Components:
    """Label the components of a ``bool`` or ``uint8`` ink image (ink non-zero), strip by strip."""
    height, width = ink.shape[:2]
    return label(array_rows(ink), height, width, strip_pixels)


def _join(count: int, joins: list[np.ndarray]) -> np.ndarray:
    """The root id (the smallest) of each of ``count`` global ids, the pairs in ``joins`` being one
    component."""
    parent = np.arange(count, dtype=np.int64)
    if joins:
        pairs = np.unique(np.concatenate(joins), axis=0)

        def find(node: int) -> int:
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = int(parent[node])
            return node

        for a, b in pairs.tolist():
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        while True:  # flatten: every id points at its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent


def labelled_strips(
    comps: Components, source: RowSource, rows: Callable[[int, int], bool] | None = None
) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """Each strip's rows ``y0, y1``, its own labels and the component (stats row) of each of its labels, top
    to bottom: the strips labelled again, unless the page is one strip; only those for which
    ``rows(y0, y1)`` holds, if given."""
    for (y0, y1), local in zip(comps.strips, comps.strip_labels, strict=True):
        if rows is not None and not rows(y0, y1):
            continue
        labels = comps.single
        if labels is None:
            labels = _label(np.ascontiguousarray(source(y0, y1)), stats=False)[1]
        yield y0, y1, labels, local


def paint(comps: Components, source: RowSource, lut: np.ndarray) -> np.ndarray:
    """An image of ``lut[component]`` at each pixel (``lut[0]`` on the paper; ``lut`` by stats row)."""
    out = np.empty(comps.shape, dtype=lut.dtype)
    for y0, y1, labels, local in labelled_strips(comps, source):
        out[y0:y1] = lut[local][labels]  # (np.take would make an intp copy of the labels)
    return out


def masks(comps: Components, source: RowSource, chosen: Iterable[int]) -> dict[int, np.ndarray]:
    """The pixels of the ``chosen`` components (stats rows), each a ``bool`` image of its box."""
    boxes = {int(c): tuple(int(v) for v in comps.stats[c, :4]) for c in chosen}  # left, top, width, height
    found = {c: np.zeros((h, w), dtype=bool) for c, (_, _, w, h) in boxes.items()}

    def wanted(y0: int, y1: int) -> bool:
        return any(top < y1 and top + h > y0 for _, top, _, h in boxes.values())

    if found:
        for y0, y1, labels, local in labelled_strips(comps, source, wanted):
            for c, (x, top, w, h) in boxes.items():
                a, b = max(y0, top), min(y1, top + h)
                if a < b:
                    found[c][a - top : b - top] = (local == c)[labels[a - y0 : b - y0, x : x + w]]
    return found
