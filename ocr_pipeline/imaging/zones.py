"""Layout zones of an administrative page (thể thức of Nghị định 30/2020/NĐ-CP), found from the image.

A page of a Vietnamese administrative document opens with a two-column header (left: issuing body, then
``Số:`` and, for a công văn, the ``V/v`` summary; right: quốc hiệu, tiêu ngữ, place and date), may carry a
centred title block, then the body, and closes with a two-column block (left: ``Nơi nhận``; right:
authority, position, signature and name). Tesseract's own layout reads the two columns line by line into
one, so the zones are found here from the ink and each is OCR'd on its own, in the gold reading order:
``header_left`` → ``header_right`` → ``number`` (Số / V/v) → ``title`` → ``body`` → ``closing_left`` →
``closing_right``.

Method: the ink (Otsu) with the marks of :mod:`.marks` removed is cut into text-line bands by its row
profile; each band into segments by its column profile. The header is the run of bands from the top whose
ink keeps clear of the gutter found in the first two-column band; the closing block is the run of bands
after the last full-width line whose ink keeps clear of one common gutter. Zones that are not found are
simply absent: a page with no recognisable layout is one ``unknown`` zone (read as Tesseract reads a page).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from . import labelling

log = logging.getLogger(__name__)

#: Reading order of the zone kinds.
READING_ORDER = (
    "unknown",
    "header_left",
    "header_right",
    "number",
    "title",
    "body",
    "closing_left",
    "closing_right",
)
#: Tallest component (inches) counted as a letter when finding lines (a 16 pt capital with accents: 0.25).
MAX_LETTER_HEIGHT = 0.3
#: Least gap between two segments of a band, in band heights, for them to be apart (words are closer).
SEGMENT_GAP = 0.8
#: Gutter of a two-column band: its middle must lie in this share of the text width.
GUTTER_RANGE = (0.28, 0.68)
#: Narrowest gutter (share of the text width) that still keeps two columns apart.
MIN_GUTTER = 0.015
#: A right-column header line is centred within this share of the text width of the right column centre.
RIGHT_CENTRE_TOLERANCE = 0.12
#: A band with a segment at least this share of the text width wide is a body line (the closing block
#: is searched below the last one).
FULL_WIDTH = 0.62
#: Share of the closing block's bands whose ink may cross its gutter (seal and signature remnants).
CLOSING_CROSSINGS = 0.35
#: Title lines are centred within this share of the text width of the text centre.
TITLE_CENTRE_TOLERANCE = 0.06


@dataclass(frozen=True)
class Band:
    """A text-line band: rows ``y0..y1`` (exclusive end) and the x-runs of its ink."""

    y0: int
    y1: int
    segments: tuple[tuple[int, int], ...]

    @property
    def x0(self) -> int:
        """Left end of the ink."""
        return self.segments[0][0]

    @property
    def x1(self) -> int:
        """Right end of the ink."""
        return self.segments[-1][1]

    @property
    def centre(self) -> float:
        """Horizontal centre of the ink."""
        return (self.x0 + self.x1) / 2

    @property
    def main_centre(self) -> float:
        """Horizontal centre of the segments at least as wide as the band is high (specks left out)."""
        wide = [s for s in self.segments if s[1] - s[0] >= self.height] or list(self.segments)
        return (wide[0][0] + wide[-1][1]) / 2

    @property
    def height(self) -> int:
        """Height in rows."""
        return self.y1 - self.y0

    def crosses(self, x: float) -> bool:
        """Whether one of its segments runs across column ``x``."""
        return any(a < x < b for a, b in self.segments)

    def left_of(self, x: float) -> tuple[tuple[int, int], ...]:
        """Its segments that end before ``x``."""
        return tuple(s for s in self.segments if s[1] <= x)

    def left_side(self, x: float) -> tuple[tuple[int, int], ...]:
        """Its segments centred before ``x``."""
        return tuple(s for s in self.segments if (s[0] + s[1]) / 2 < x)

    def right_side(self, x: float) -> tuple[tuple[int, int], ...]:
        """Its segments centred after ``x``."""
        return tuple(s for s in self.segments if (s[0] + s[1]) / 2 >= x)

    def right_of(self, x: float) -> tuple[tuple[int, int], ...]:
        """Its segments that start after ``x``."""
        return tuple(s for s in self.segments if s[0] >= x)


@dataclass(frozen=True)
class ZoneBox:
    """A zone found on the page: its kind and the bands (or band parts) it holds."""

    kind: str
    bands: tuple[Band, ...]

    def box(self, pad: int, shape: tuple[int, int], clip: tuple[int, int] = (0, 1 << 30)) -> tuple[int, ...]:
        """``(x, y, w, h)`` around its ink, padded by ``pad``, inside the ``clip`` columns and the page."""
        height, width = shape
        x0 = max(0, clip[0], min(b.x0 for b in self.bands) - pad)
        x1 = min(width, clip[1], max(b.x1 for b in self.bands) + pad)
        y0 = max(0, min(b.y0 for b in self.bands) - pad)
        y1 = min(height, max(b.y1 for b in self.bands) + pad)
        return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


@dataclass(frozen=True)
class Layout:
    """Zones in reading order, each with the columns it may use (``clip``: a crop never takes the other
    column)."""

    zones: tuple[tuple[ZoneBox, tuple[int, int]], ...]
    line_height: float
    #: Small ink above the header (handwritten notes, stamps like ``HỎA TỐC``): not read.
    above_header: tuple[Band, ...] = ()


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Start/end (exclusive) of the runs of True in a 1-D boolean array."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _letter_components(ink: np.ndarray, dpi: int) -> tuple[labelling.Components, np.ndarray]:
    """The ink's components and which of them (by stats row) are letter-sized: no dust, no tall strokes
    joining lines (rules, flourishes)."""
    comps = labelling.label_image(ink)
    heights = comps.stats[:, cv2.CC_STAT_HEIGHT]
    widths = comps.stats[:, cv2.CC_STAT_WIDTH]
    rules = ((widths >= 0.2 * dpi) & (widths >= 6 * heights)) | (widths > 1.5 * dpi)
    keep = (heights <= MAX_LETTER_HEIGHT * dpi) & (np.maximum(heights, widths) >= 0.012 * dpi) & ~rules
    keep[0] = False
    return comps, keep


@dataclass(frozen=True)
class LetterRows:
    """The ink of a page's letter-sized components, kept a bit a pixel: its amount on each row, and on
    which columns a run of rows has any."""

    profile: np.ndarray  # letter ink pixels on each row
    packed: np.ndarray  # np.packbits of the letter ink along each row
    width: int

    @classmethod
    def of(cls, ink: np.ndarray, dpi: int) -> LetterRows:
        """The letter ink of ``ink`` (True = ink), made strip by strip."""
        comps, keep = _letter_components(ink, dpi)
        height, width = ink.shape
        profile = np.zeros(height, dtype=np.int64)
        packed = np.zeros((height, (width + 7) // 8), dtype=np.uint8)
        for y0, y1, labels, local in labelling.labelled_strips(comps, labelling.array_rows(ink)):
            letters = keep[local][labels]
            profile[y0:y1] = letters.sum(axis=1)
            packed[y0:y1] = np.packbits(letters, axis=1)
        return cls(profile, packed, width)

    def columns(self, y0: int, y1: int) -> np.ndarray:
        """Whether each column has letter ink on rows ``y0..y1``."""
        either = np.bitwise_or.reduce(self.packed[y0:y1], axis=0)
        return np.unpackbits(either, count=self.width).view(bool)


def letter_ink(ink: np.ndarray, dpi: int) -> np.ndarray:
    """The ink of letter-sized components only (no dust, rules or flourishes), as a boolean image the size
    of ``ink``: for a zone; a whole page's letter ink is kept a bit a pixel by :class:`LetterRows`."""
    letters = LetterRows.of(ink, dpi)
    return np.unpackbits(letters.packed, axis=1, count=letters.width).view(bool)


def text_bands(ink: np.ndarray, dpi: int) -> list[Band]:
    """Cut the ink mask into text-line bands (rows) and each band into segments (columns).

    The rows are those where letter-sized ink is dense enough; rows closer than about 0.5 mm are one band
    (an accent above a capital joins its line).
    """
    letters = LetterRows.of(ink, dpi)
    profile = letters.profile
    busy = profile[profile > 0]
    floor = max(2.0, 0.04 * float(np.percentile(busy, 95))) if busy.size else 2.0
    runs = _runs(profile >= floor)
    merge = max(2, round(dpi * 0.02))
    merged: list[list[int]] = []
    for y0, y1 in runs:
        if merged and y0 - merged[-1][1] <= merge:
            merged[-1][1] = y1
        else:
            merged.append([y0, y1])
    bands = []
    min_height = max(3, round(dpi * 0.025))  # under ~0.6 mm: a rule, dust or an underline
    merged = [m for m in merged if m[1] - m[0] >= min_height]
    # a band of several lines joined by stray ink keeps the word gaps of one line
    line = float(np.median([y1 - y0 for y0, y1 in merged])) if merged else 0.0
    for y0, y1 in merged:
        cols = letters.columns(y0, y1)
        gap = max(4, round(SEGMENT_GAP * min(y1 - y0, line)))
        segments: list[list[int]] = []
        for x0, x1 in _runs(cols):
            if segments and x0 - segments[-1][1] < gap:
                segments[-1][1] = x1
            else:
                segments.append([x0, x1])
        bands.append(Band(y0, y1, tuple((a, b) for a, b in segments)))
    return bands


def find_layout(ink: np.ndarray, dpi: int, rows: tuple[int, int] | None = None) -> Layout:
    """Find the zones of a page from its ink mask (True = ink, marks already removed); with ``rows``
    (``start, end``), of those rows only, as if the others were paper."""
    if rows is not None:
        start = min(rows[0], ink.shape[0])
        return _moved(find_layout(ink[start : rows[1]], dpi), start)
    width = ink.shape[1]
    bands = text_bands(ink, dpi)
    if len(bands) < 3:
        return Layout(((ZoneBox("unknown", tuple(bands)), (0, width)),) if bands else (), 0.0)
    line_height = float(np.median([b.height for b in bands]))
    left = float(np.percentile([b.x0 for b in bands], 5))
    right = float(np.percentile([b.x1 for b in bands], 95))
    text_width = max(1.0, right - left)
    zones: list[tuple[ZoneBox, tuple[int, int]]] = []

    start, header = _header(bands, left, text_width, line_height)
    rest = bands[start:]
    if header is not None:
        used, _, header_zones = header
        zones += [(z, clip) for z, clip in header_zones]
        rest = bands[start + used :]
    closing_at, closing = _closing(rest, left, text_width)
    middle = rest[:closing_at]
    title_end = 0
    if header is not None:
        centre = left + text_width / 2
        while (
            title_end < len(middle)
            and abs(middle[title_end].main_centre - centre) <= TITLE_CENTRE_TOLERANCE * text_width
            and middle[title_end].x1 - middle[title_end].x0 < 0.85 * text_width
        ):
            title_end += 1
    if title_end:
        zones.append((ZoneBox("title", tuple(middle[:title_end])), (0, width)))
    if middle[title_end:]:
        kind = "body" if header is not None or closing else "unknown"
        zones.append((ZoneBox(kind, tuple(middle[title_end:])), (0, width)))
    zones += closing
    return Layout(tuple(zones), line_height, tuple(bands[:start]))


def _moved(layout: Layout, rows: int) -> Layout:
    """The layout moved down by ``rows``."""

    def band(b: Band) -> Band:
        return Band(b.y0 + rows, b.y1 + rows, b.segments)

    zones = tuple((ZoneBox(z.kind, tuple(map(band, z.bands))), clip) for z, clip in layout.zones)
    return Layout(zones, layout.line_height, tuple(map(band, layout.above_header)))


def _header(
    bands: list[Band], left: float, text_width: float, line_height: float
) -> tuple[int, tuple[int, float, list[tuple[ZoneBox, tuple[int, int]]]] | None]:
    """The two-column header: (index of its first band, (bands used, gutter x, zones)) or (0, None).

    The gutter starts as the gap of the first two-column band and narrows to what every header band
    leaves free (a handwritten number may reach into it); a band leaving less than a sliver free ends the
    header, as does a line on its own centred on the page (the title).
    """
    start, gap = -1, None
    for index, band in enumerate(bands[:4]):
        gap = _two_column_gap(band, left, text_width)
        if gap is not None:
            start = index
            break
        if max(b - a for a, b in band.segments) > 0.3 * text_width:
            return 0, None  # a line of text before any two-column line: the page has no header
    if gap is None:
        return 0, None
    free = gap
    first_right = bands[start].right_of(sum(free) / 2)
    right_centres = [(first_right[0][0] + first_right[-1][1]) / 2]
    members: list[Band] = []
    for band in bands[start:]:
        narrowed = _free_run(band, free, min_width=MIN_GUTTER * text_width)
        if narrowed is None:
            break
        middle = sum(narrowed) / 2
        rights = band.right_of(middle)
        if rights:
            centre = (rights[0][0] + rights[-1][1]) / 2
            off_column = abs(centre - np.median(right_centres)) > RIGHT_CENTRE_TOLERANCE * text_width
            on_page_centre = abs(centre - (left + text_width / 2)) <= TITLE_CENTRE_TOLERANCE * 2 * text_width
            if off_column and on_page_centre:
                break  # a line centred on the page, not on the right column: the title
            right_centres.append(centre)
        free = narrowed
        members.append(band)
    gutter = sum(free) / 2
    left_bands = [Band(b.y0, b.y1, b.left_of(gutter)) for b in members if b.left_of(gutter)]
    right_bands = [Band(b.y0, b.y1, b.right_of(gutter)) for b in members if b.right_of(gutter)]
    if not left_bands or len(right_bands) < 2:
        return 0, None  # a header has a motto of two lines at least
    # The left column's lines from the place-and-date line (the right column's last) down are Số / V/v.
    split = right_bands[-1].y0 - line_height / 2 if len(right_bands) >= 3 else float("inf")
    issuer = tuple(b for b in left_bands if b.y1 <= split)
    number = tuple(b for b in left_bands if b.y1 > split)
    zones: list[tuple[ZoneBox, tuple[int, int]]] = []
    if issuer:
        zones.append((ZoneBox("header_left", issuer), (0, round(free[1]))))
    zones.append((ZoneBox("header_right", tuple(right_bands)), (round(free[0]), 1 << 30)))
    if number:
        zones.append((ZoneBox("number", number), (0, round(free[1]))))
    return start, (len(members), gutter, zones)


def _free_run(band: Band, free: tuple[float, float], min_width: float) -> tuple[float, float] | None:
    """The widest part of the column interval ``free`` that the band's ink leaves empty, if wide enough."""
    runs = [free]
    for a, b in band.segments:
        cut: list[tuple[float, float]] = []
        for lo, hi in runs:
            if b <= lo or a >= hi:
                cut.append((lo, hi))
                continue
            if a > lo:
                cut.append((lo, float(a)))
            if b < hi:
                cut.append((float(b), hi))
        runs = cut
    runs = [r for r in runs if r[1] - r[0] >= min_width]
    return max(runs, key=lambda r: r[1] - r[0]) if runs else None


def _two_column_gap(band: Band, left: float, text_width: float) -> tuple[float, float] | None:
    """The widest gap between a band's segments whose middle lies in :data:`GUTTER_RANGE`, if any."""
    best: tuple[float, float] | None = None
    for (_, a), (b, _) in zip(band.segments, band.segments[1:], strict=False):
        share = ((a + b) / 2 - left) / text_width
        if GUTTER_RANGE[0] <= share <= GUTTER_RANGE[1] and (best is None or b - a > best[1] - best[0]):
            best = (float(a), float(b))
    return best


def _closing(
    bands: list[Band], left: float, text_width: float
) -> tuple[int, list[tuple[ZoneBox, tuple[int, int]]]]:
    """The two-column closing block: (index of its first band, zones), or (len(bands), [])."""
    last_wide = -1
    for i, band in enumerate(bands):
        if max(b - a for a, b in band.segments) >= FULL_WIDTH * text_width:
            last_wide = i
    first = last_wide + 1
    while first < len(bands) - 1:
        candidates = bands[first:]
        gutter = _common_gutter(candidates, left, text_width)
        if gutter is not None:
            lefts = [Band(b.y0, b.y1, b.left_side(gutter)) for b in candidates if b.left_side(gutter)]
            rights = [Band(b.y0, b.y1, b.right_side(gutter)) for b in candidates if b.right_side(gutter)]
            if len(rights) >= 2 and (not lefts or lefts[0].y0 <= rights[-1].y0):
                # a long left line may run past the gutter (and a right one start before it): crops follow
                left_end = max([round(gutter), *(b.x1 for b in lefts)])
                right_start = min([round(gutter), *(b.x0 for b in rights)])
                zones = []
                if lefts:
                    zones.append((ZoneBox("closing_left", tuple(lefts)), (0, left_end)))
                zones.append((ZoneBox("closing_right", tuple(rights)), (right_start, 1 << 30)))
                return first, zones
        first += 1  # the topmost candidate may be a paragraph's short last line: leave it to the body
    return len(bands), []


def _common_gutter(bands: list[Band], left: float, text_width: float) -> float | None:
    """The middle of the widest run of columns, inside :data:`GUTTER_RANGE`, that (nearly) no band's ink
    crosses: a seal's or a signature's remnants may cross it on one band in :data:`CLOSING_CROSSINGS`."""
    lo = round(left + GUTTER_RANGE[0] * text_width)
    hi = round(left + GUTTER_RANGE[1] * text_width)
    crossings = np.zeros(hi - lo, dtype=np.int32)
    for band in bands:
        for a, b in band.segments:
            crossings[max(0, a - lo) : max(0, min(hi, b) - lo)] += 1
    allowed = int(CLOSING_CROSSINGS * len(bands))
    runs = [r for r in _runs(crossings <= allowed) if r[1] - r[0] >= 0.02 * text_width]
    if not runs:
        return None
    a, b = max(runs, key=lambda r: r[1] - r[0])
    return lo + (a + b) / 2
