"""Stage 4: clean the page image (remove borders and dust) before OCR.

Every step was chosen by the character error rate it gives on the scan set (``python -m tools.bench_ocr``,
cleanup ablation in ``docs/BENCHMARKS.md``, scan → text; decided on the tuning pages, confirmed on the
held-out ones), not by how the page looks:

- **border removal** (on): dark ink touching the page edge (scanner lid, the wedge of a rotated sheet) is
  painted with the paper colour;
- **dust removal** (on): ink specks much smaller than a full stop, and small specks with no text near them,
  are painted over. The sizes follow the page's own letter height, so full stops, the dot of ``i`` and the
  Vietnamese dot below (``ạ``) survive;
- **blank pages** (on): a page with no letter-sized ink at all is painted blank, so Tesseract does not
  read dust and noise as text (and does not spend long seconds trying);
- **median 3×3** (off): it was meant against sensor noise and JPEG ringing, but every split read better
  without it (the stage tests show it thinning strokes and accents, most at 200 dpi). The page stays grey:
  Tesseract's LSTM reads the grey image better than any binarisation we tried.

The image before cleanup can be kept for the OCR stage (``clean(keep_original=True)``), which can re-read it
when the cleaned page reads with low confidence (:func:`ocr_pipeline.imaging.ocr.recognise`,
``fallback_below``); that fallback is off by default because it did not lower the error rate on the scan set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from .page import PageImage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CleanupSettings:
    """Which cleanup steps to run (the defaults are the measured best)."""

    #: Off: on the scan set every page read better without it (see the cleanup ablation in
    #: ``docs/BENCHMARKS.md``); it thins accent strokes at 200 dpi and turns the dust step against them.
    median: bool = False
    borders: bool = True
    dust: bool = True
    #: Paint a page with no letter-sized ink at all (fewer than ``min_letters`` components) blank.
    blank: bool = True
    min_letters: int = 5
    #: Specks with area below ``tiny * x_height**2`` are removed wherever they are.
    tiny: float = 0.02
    #: Specks with area below ``small * x_height**2`` are removed when no other ink is within
    #: ``isolation * x_height``.
    small: float = 0.07
    isolation: float = 0.45


DEFAULT = CleanupSettings()


#: Most pixels labelled at a time: a page is labelled in strips of rows holding at most this many pixels
#: (their ``int32`` labels take 4 bytes a pixel), so that an A3 page at 600 dpi (70 million pixels) does not
#: need 280 MB of labels; a page up to this size (A4 at 300 dpi) is one strip.
STRIP_PIXELS = 10_000_000

#: Bits of the per-pixel class image (see :func:`_classify`).
_REMOVE, _SOLID = 1, 2


@dataclass(frozen=True)
class InkComponents:
    """Connected ink components (8-connected) of a grey page, as ``cv2.connectedComponentsWithStats``
    reports them for the whole page, found strip by strip (see :func:`components`).

    ``stats`` rows are components (row 0 = background); the order of the rows is not cv2's.
    """

    stats: np.ndarray  # cv2 stats: left, top, width, height, area (row 0 = background)
    threshold: float
    strips: tuple[tuple[int, int], ...]  # the row ranges labelled one at a time
    #: For each strip, the component (row of ``stats``) of each of its local labels (index 0 = paper).
    strip_labels: tuple[np.ndarray, ...]
    #: The strip's own labels when the page is one strip (kept: no second labelling needed).
    single: np.ndarray | None = None


def binarise(image: np.ndarray) -> tuple[np.ndarray, float]:
    """Ink mask by Otsu's threshold (True = ink) and the threshold used."""
    threshold, binary = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return binary > 0, float(threshold)


def _ink_strip(image: np.ndarray, threshold: float, rows: tuple[int, int]) -> np.ndarray:
    """The ink (255) of rows ``rows`` of the page, at the page's own Otsu threshold."""
    return cv2.threshold(image[rows[0] : rows[1]], threshold, 255, cv2.THRESH_BINARY_INV)[1]


def _strip_rows(height: int, width: int) -> tuple[tuple[int, int], ...]:
    step = max(1, STRIP_PIXELS // max(1, width))
    return tuple((y, min(height, y + step)) for y in range(0, height, step))


def components(image: np.ndarray) -> InkComponents:
    """Label the ink components (8-connected) of a grey page, at its Otsu threshold.

    Strip by strip: each strip is labelled by OpenCV, and components that cross a strip edge (8-adjacent
    ink in the last row of a strip and the first of the next) are joined, their stats merged.
    """
    threshold = float(cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[0])
    height, width = image.shape[:2]
    strips = _strip_rows(height, width)
    pieces: list[np.ndarray] = []  # stats of every strip's components, in page coordinates
    background = np.array([width, height, -1, -1, 0], dtype=np.int64)  # left, top, right, bottom, area
    offsets: list[int] = []
    joins: list[np.ndarray] = []
    previous_row: np.ndarray | None = None
    count = 1  # global ids: 0 = paper, then every strip's labels in turn
    if len(strips) == 1:  # the whole page at once: OpenCV's own result
        found, labels, stats, _ = cv2.connectedComponentsWithStats(
            _ink_strip(image, threshold, strips[0]), connectivity=8
        )
        return InkComponents(stats, threshold, strips, (np.arange(found),), labels)
    for y0, y1 in strips:
        found, labels, stats, _ = cv2.connectedComponentsWithStats(
            _ink_strip(image, threshold, (y0, y1)), connectivity=8
        )
        if stats[0, cv2.CC_STAT_AREA] > 0:
            left, top, w, h, area = (int(v) for v in stats[0])
            background[0], background[1] = min(background[0], left), min(background[1], top + y0)
            background[2], background[3] = max(background[2], left + w), max(background[3], top + y0 + h)
            background[4] += area
        piece = stats[1:].astype(np.int64)
        piece[:, cv2.CC_STAT_TOP] += y0
        pieces.append(piece)
        offsets.append(count)
        first = np.where(labels[0] > 0, labels[0] + (count - 1), 0)
        if previous_row is not None:
            for shift in (-1, 0, 1):  # 8-adjacency across the edge
                a = previous_row[max(0, shift) : width + min(0, shift)]
                b = first[max(0, -shift) : width + min(0, -shift)]
                both = (a > 0) & (b > 0)
                if both.any():
                    joins.append(np.stack([a[both], b[both]], axis=1))
        previous_row = np.where(labels[-1] > 0, labels[-1] + (count - 1), 0)
        count += found - 1
    root = _join(count, joins)
    # merged stats of each root, rows numbered in the order of the roots
    roots, component = np.unique(root[1:], return_inverse=True)
    merged = np.zeros((len(roots) + 1, 5), dtype=np.int64)
    every = np.concatenate(pieces) if pieces else np.zeros((0, 5), dtype=np.int64)
    right = every[:, cv2.CC_STAT_LEFT] + every[:, cv2.CC_STAT_WIDTH]
    bottom = every[:, cv2.CC_STAT_TOP] + every[:, cv2.CC_STAT_HEIGHT]
    rows = component + 1
    lo_x = np.full(len(roots) + 1, width, dtype=np.int64)
    lo_y = np.full(len(roots) + 1, height, dtype=np.int64)
    hi_x = np.zeros(len(roots) + 1, dtype=np.int64)
    hi_y = np.zeros(len(roots) + 1, dtype=np.int64)
    np.minimum.at(lo_x, rows, every[:, cv2.CC_STAT_LEFT])
    np.minimum.at(lo_y, rows, every[:, cv2.CC_STAT_TOP])
    np.maximum.at(hi_x, rows, right)
    np.maximum.at(hi_y, rows, bottom)
    np.add.at(merged[:, cv2.CC_STAT_AREA], rows, every[:, cv2.CC_STAT_AREA])
    merged[:, cv2.CC_STAT_LEFT], merged[:, cv2.CC_STAT_TOP] = lo_x, lo_y
    merged[:, cv2.CC_STAT_WIDTH], merged[:, cv2.CC_STAT_HEIGHT] = hi_x - lo_x, hi_y - lo_y
    left, top, right_edge, bottom_edge, area = background.tolist()
    merged[0] = (left, top, right_edge - left, bottom_edge - top, area) if area else (0, 0, 0, 0, 0)
    of_global = np.concatenate([[0], rows])
    ends = [*offsets[1:], count]
    strip_labels = tuple(
        np.concatenate([[0], of_global[start:end]]).astype(np.int64)
        for start, end in zip(offsets, ends, strict=True)
    )
    return InkComponents(merged.astype(np.int32), threshold, strips, strip_labels)


def _join(count: int, joins: list[np.ndarray]) -> np.ndarray:
    """The root id of each of ``count`` global ids, the pairs in ``joins`` being the same component."""
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


def _classify(image: np.ndarray, comps: InkComponents, remove: np.ndarray, solid: np.ndarray) -> np.ndarray:
    """A ``uint8`` image of the page's pixels: bit ``_REMOVE`` on the ink of the components flagged in
    ``remove``, bit ``_SOLID`` on the ink of those flagged in ``solid`` (boolean arrays by stats row)."""
    lut = (remove.astype(np.uint8) * _REMOVE) | (solid.astype(np.uint8) * _SOLID)
    lut[0] = 0
    out = np.empty(image.shape[:2], dtype=np.uint8)
    for (y0, y1), local in zip(comps.strips, comps.strip_labels, strict=True):
        labels = comps.single
        if labels is None:
            labels = cv2.connectedComponents(_ink_strip(image, comps.threshold, (y0, y1)), connectivity=8)[1]
            out[y0:y1] = lut[local][labels]
        else:
            out[y0:y1] = lut[labels]
    return out


def x_height(comps: InkComponents, dpi: int) -> float:
    """Typical letter height in pixels: the median height of letter-sized components.

    Falls back to 12 pt type at ``dpi`` (x-height ~ 0.45 em) when the page has too few letters.
    """
    fallback = 12 / 72 * dpi * 0.45
    stats = comps.stats[1:]
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    widths = stats[:, cv2.CC_STAT_WIDTH]
    plausible = (heights >= 0.4 * fallback) & (heights <= 3 * fallback) & (widths <= 4 * heights)
    if plausible.sum() < 50:
        return fallback
    return float(np.median(heights[plausible]))


def paper_level(image: np.ndarray, threshold: float) -> int:
    """The paper's grey level: the median of the pixels lighter than the ink threshold."""
    sample = image[:: max(1, image.shape[0] // 512), :: max(1, image.shape[1] // 512)]
    light = sample[sample > threshold]
    return int(np.median(light)) if light.size else 255


def border_labels(comps: InkComponents, shape: tuple[int, int], margin: int = 2) -> np.ndarray:
    """Labels of components that touch the page edge (within ``margin`` pixels)."""
    h, w = shape
    s = comps.stats
    left, top = s[:, cv2.CC_STAT_LEFT], s[:, cv2.CC_STAT_TOP]
    right, bottom = left + s[:, cv2.CC_STAT_WIDTH], top + s[:, cv2.CC_STAT_HEIGHT]
    touching = (left <= margin) | (top <= margin) | (right >= w - margin) | (bottom >= h - margin)
    touching[0] = False
    return np.flatnonzero(touching)


def tiny_and_small(
    comps: InkComponents, xh: float, settings: CleanupSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Flags (by stats row) of tiny specks, and of small roundish ones (dust if nothing is near them).

    Hyphens and dashes are not roundish and are never candidates.
    """
    s = comps.stats
    area = s[:, cv2.CC_STAT_AREA].astype(np.float64)
    width, height = s[:, cv2.CC_STAT_WIDTH], s[:, cv2.CC_STAT_HEIGHT]
    tiny = area < settings.tiny * xh * xh
    roundish = np.maximum(width, height) <= 2 * np.minimum(width, height) + 1
    small = (area < settings.small * xh * xh) & roundish & ~tiny
    tiny[0] = small[0] = False
    return tiny, small


def isolated_labels(
    classes: np.ndarray, comps: InkComponents, small: np.ndarray, xh: float, settings: CleanupSettings
) -> np.ndarray:
    """The small specks with no other ink than tiny specks within ``isolation * xh`` of their box.

    "Other ink" counts every component that is not tiny (``classes``' ``_SOLID`` bit), so the dots of an
    ellipsis or of ``./.`` keep each other. A small speck lies whole inside its window: it is alone when the
    window's solid ink is its own area.
    """
    s = comps.stats
    reach = max(1, round(settings.isolation * xh))
    h, w = classes.shape
    isolated = []
    for label in np.flatnonzero(small).tolist():
        left, top = int(s[label, cv2.CC_STAT_LEFT]), int(s[label, cv2.CC_STAT_TOP])
        width, height = int(s[label, cv2.CC_STAT_WIDTH]), int(s[label, cv2.CC_STAT_HEIGHT])
        window = classes[
            max(0, top - reach) : min(h, top + height + reach),
            max(0, left - reach) : min(w, left + width + reach),
        ]
        if np.count_nonzero(window & _SOLID) == int(s[label, cv2.CC_STAT_AREA]):
            isolated.append(label)
    return np.asarray(isolated, dtype=np.int64)


def _remove_isolated(classes: np.ndarray, comps: InkComponents, isolated: np.ndarray) -> None:
    """Set the ``_REMOVE`` bit on the pixels of the ``isolated`` specks (the only solid ink in their box)."""
    s = comps.stats
    for label in isolated.tolist():
        x, y = int(s[label, cv2.CC_STAT_LEFT]), int(s[label, cv2.CC_STAT_TOP])
        box = classes[y : y + int(s[label, cv2.CC_STAT_HEIGHT]), x : x + int(s[label, cv2.CC_STAT_WIDTH])]
        box |= (box & _SOLID) >> 1


def paint_removed(image: np.ndarray, classes: np.ndarray, level: int) -> np.ndarray:
    """A copy of ``image`` with the pixels of ``classes``' ``_REMOVE`` bit (and a 1-pixel rim) set to
    ``level``; strip by strip, each strip dilated with a row of its neighbours."""
    out = image.copy()
    kernel = np.ones((3, 3), np.uint8)
    height, width = classes.shape
    for y0, y1 in _strip_rows(height, width):
        top, bottom = max(0, y0 - 1), min(height, y1 + 1)
        grown = cv2.dilate(classes[top:bottom] & _REMOVE, kernel)[y0 - top : y0 - top + (y1 - y0)]
        np.copyto(out[y0:y1], np.uint8(level), where=grown.view(bool))
    return out


def letter_count(comps: InkComponents, shape: tuple[int, int], dpi: int) -> int:
    """Ink components away from the page edge that are tall enough to be letters (or bigger, up to 10x).

    "Tall enough" is 0.6 of the x-height of 12 pt type: dust specks up to 7 px across (as big as they come
    at 200 dpi) are not letters.
    """
    fallback = 12 / 72 * dpi * 0.45
    heights = comps.stats[:, cv2.CC_STAT_HEIGHT]
    plausible = (heights >= 0.6 * fallback) & (heights <= 10 * fallback)
    plausible[0] = False
    plausible[border_labels(comps, shape)] = False
    return int(plausible.sum())


def clean_image(image: np.ndarray, dpi: int, settings: CleanupSettings = DEFAULT) -> tuple[np.ndarray, str]:
    """Clean a grey page image; returns the new image and a note of what was done."""
    out = cv2.medianBlur(image, 3) if settings.median else image
    notes = ["median3"] if settings.median else []
    if settings.borders or settings.dust or settings.blank:
        comps = components(out)
        level = paper_level(out, comps.threshold)
        if settings.blank and letter_count(comps, out.shape, dpi) < settings.min_letters:
            # nothing on the page is the size of a letter: what ink there is is dust, noise or a border
            notes.append("no letter-sized ink: page painted blank")
            return np.full_like(out, level), ", ".join(notes)
        remove = np.zeros(len(comps.stats), dtype=bool)
        if settings.borders:
            edge = border_labels(comps, out.shape)
            remove[edge] = True
            notes.append(f"borders {len(edge)}")
        classes = None
        if settings.dust:
            xh = x_height(comps, dpi)
            tiny, small = tiny_and_small(comps, xh, settings)
            classes = _classify(out, comps, remove | tiny, ~tiny)
            isolated = isolated_labels(classes, comps, small, xh, settings)
            _remove_isolated(classes, comps, isolated)
            notes.append(f"dust {int(tiny.sum()) + len(isolated)} (x-height {xh:.0f}px)")
            remove |= tiny
            remove[isolated] = True
        if remove.any():
            if classes is None:
                classes = _classify(out, comps, remove, np.zeros_like(remove))
            out = paint_removed(out, classes, level)
    return out, ", ".join(notes) or "none"


def clean(page: PageImage, settings: CleanupSettings = DEFAULT, *, keep_original: bool = False) -> PageImage:
    """Denoise the page and paint over borders and dust (see the module docstring).

    With ``keep_original``, the image before cleanup is kept in ``pre_cleanup`` for the OCR stage's
    fallback (see :func:`ocr_pipeline.imaging.ocr.recognise`), which drops it again; otherwise it is let go
    (a page's worth of memory during OCR).
    """
    image, note = clean_image(page.image, page.dpi, settings)
    return page.evolve(f"cleanup: {note}", image=image, pre_cleanup=page.image if keep_original else None)
