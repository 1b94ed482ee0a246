"""Handwritten digits in the number and date blanks that Tesseract returned no word for.

A header line holds printed anchors around its blanks: ``Số: … /QĐ-TTg`` and ``ngày … tháng … năm``.
When two anchors follow each other with nothing read between them, the gap is looked at on the image:
ink of a handwriting size there (not a rule, not dots) is cropped, read as one line of digits, and put
into the line as a word when the read is confident and plausible (day 1-31, month 1-12, a number of at
most five digits); otherwise the blank is recorded as unread and the line left as it is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from vntext.fold import strip_diacritics

from . import engines
from .page import OcrWord

log = logging.getLogger(__name__)

#: Least Tesseract confidence to take the digits read in a gap.
GAP_DIGITS_CONFIDENCE = 60.0
GAP_DIGITS_CONFIG = "-c tessedit_char_whitelist=0123456789"
#: Tesseract page segmentation mode the gap is read with (7 = one line).
GAP_READ_PSM = 7
#: Height in pixels the handwriting is scaled to before it is read (Tesseract reads best near it).
READ_INK_HEIGHT = 45
#: Grey level below which a pixel of the gap's crop is ink.
INK_LEVEL = 160
#: A component counts as handwriting when its height is at least this share of the anchor words' height.
LEAST_STROKE_HEIGHT = 0.35
#: ... and at most this many times that height (larger is a seal or a stamp).
MOST_STROKE_HEIGHT = 2.5
#: A component wider than this many times its height is a rule or a dotted leader, not a digit.
RULE_ASPECT = 4.0
#: Least ink pixels a component needs (relative to the anchor height squared) to count.
LEAST_INK_SHARE = 0.01


@dataclass(frozen=True)
class Gap:
    """A blank between two printed anchor words of a line: what it holds (``day``, ``month``, ``number``),
    where it lies, and the index in the line of the word after it."""

    field: str
    box: tuple[int, int, int, int]
    insert_at: int
    height: int


def _folded(text: str) -> str:
    """Lower case without diacritics or edge punctuation (``Số:`` -> ``so``)."""
    return strip_diacritics(text.lower()).strip(".,:;")


#: Consecutive anchors (folded) and the blank between them.
_DATE_ANCHORS = {("ngay", "thang"): "day", ("thang", "nam"): "month"}


def find_gaps(words: tuple[OcrWord, ...] | list[OcrWord]) -> list[Gap]:
    """The blanks of a header line: consecutive anchor words with nothing read between them."""
    gaps = []
    for index in range(len(words) - 1):
        left, right = words[index], words[index + 1]
        pair = (_folded(left.text), _folded(right.text))
        field = _DATE_ANCHORS.get(pair)
        if field is None and pair[0] == "so" and right.text.startswith("/") and index == 0:
            field = "number"
        if field is None:
            continue
        x0, x1 = left.left + left.width, right.left
        if x1 - x0 < 4:
            continue
        top = min(left.top, right.top)
        bottom = max(left.top + left.height, right.top + right.height)
        height = max(left.height, right.height)
        gaps.append(Gap(field, (x0, top, x1 - x0, bottom - top), index + 1, height))
    return gaps


def gap_ink(
    image: np.ndarray, gap: Gap, threshold: float
) -> tuple[np.ndarray, tuple[int, int, int, int]] | None:
    """The handwriting in a gap: a paper-white crop holding only its ink components, and the crop's box in
    page coordinates; None when the gap holds no ink of a handwriting size."""
    x, y, w, h = gap.box
    reach = gap.height  # handwriting overflows the printed line: look one line height above and below
    y0, y1 = max(0, y - reach), min(image.shape[0], y + h + reach)
    x0, x1 = max(0, x + 2), min(image.shape[1], x + w - 2)
    if x1 <= x0 or y1 <= y0:
        return None
    region = image[y0:y1, x0:x1]
    ink = (region < threshold).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = []
    band_top, band_bottom = y - y0, y + h - y0
    for label in range(1, count):
        _, cy, cw, ch, area = (int(v) for v in stats[label])
        centre = cy + ch / 2
        if not band_top <= centre <= band_bottom:
            continue  # a stamp or a neighbour line's stroke crossing the gap
        if ch < LEAST_STROKE_HEIGHT * gap.height or ch > MOST_STROKE_HEIGHT * gap.height:
            continue
        if cw > RULE_ASPECT * ch or area < LEAST_INK_SHARE * gap.height**2:
            continue
        keep.append(label)
    if not keep:
        return None
    mask = np.isin(labels, keep)
    rows, cols = np.nonzero(mask)
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    margin = max(8, gap.height // 2)
    crop = np.full((bottom - top + 2 * margin, right - left + 2 * margin), 255, dtype=np.uint8)
    inner = crop[margin:-margin, margin:-margin]
    piece = region[top:bottom, left:right]
    inner[mask[top:bottom, left:right]] = piece[mask[top:bottom, left:right]]
    return crop, (x0 + int(left), y0 + int(top), int(right - left), int(bottom - top))


def _plausible(field: str, text: str) -> bool:
    """Whether digits read in a blank can be what it holds."""
    if not text.isdigit():
        return False
    if field == "day":
        return len(text) <= 2 and 1 <= int(text) <= 31
    if field == "month":
        return len(text) <= 2 and 1 <= int(text) <= 12
    return len(text) <= 5 and int(text) > 0


def normalised(crop: np.ndarray) -> np.ndarray:
    """A gap's handwriting scaled to :data:`READ_INK_HEIGHT` pixels of ink, black on white, with a margin."""
    ink = crop < INK_LEVEL
    if not ink.any():
        return crop
    rows = np.nonzero(ink.any(axis=1))[0]
    scale = READ_INK_HEIGHT / (rows[-1] - rows[0] + 1)
    method = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    scaled = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=method)
    black = np.where(scaled < INK_LEVEL, 0, 255).astype(np.uint8)
    margin = READ_INK_HEIGHT // 2
    return cv2.copyMakeBorder(black, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=255)


def read_gap(crop: np.ndarray, field: str, dpi: int, timeout: float) -> tuple[str, float] | None:
    """The digits of a gap's handwriting and their confidence, when Tesseract reads them as one confident
    word that the blank can hold; else None."""
    result = engines.ocr_page(
        normalised(crop), "eng", dpi=dpi, psm=GAP_READ_PSM, timeout=timeout, extra_config=GAP_DIGITS_CONFIG
    )
    words = [wd for wd in result.words if wd.text.strip()]
    log.debug("blank %s read as %s", field, [(wd.text, wd.confidence) for wd in words])
    if len(words) != 1 or words[0].confidence < GAP_DIGITS_CONFIDENCE or not _plausible(field, words[0].text):
        return None
    return words[0].text, words[0].confidence


def read_box(
    image: np.ndarray,
    box: tuple[int, int, int, int],
    field: str,
    dpi: int,
    timeout: float,
    line_height: int | None = None,
) -> OcrWord | None:
    """The digits handwritten in ``box`` (where OCR returned only glyph soup) as a word in page coordinates,
    read as a gap is (:func:`gap_ink`, :func:`read_gap`), the strokes' sizes judged against the printed
    words of the line (``line_height``; the box's own height when the line has none); None when they are
    not read with confidence."""
    x, y, w, h = box
    band = np.ascontiguousarray(image[y : y + h, max(0, x - 4 * h) : x + w + 4 * h])
    if band.size == 0:
        return None
    threshold, _ = cv2.threshold(band, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    found = gap_ink(image, Gap(field, (x - 2, y, w + 4, h), 0, line_height or h), threshold)
    if found is None:
        return None
    crop, (left, top, width, height) = found
    read = read_gap(crop, field, dpi, timeout)
    return None if read is None else OcrWord(read[0], read[1], left, top, width, height)


def _overlaps(box: list[int] | tuple[int, ...], other: tuple[int, int, int, int]) -> bool:
    """Whether two ``(x, y, w, h)`` boxes overlap."""
    x, y, w, h = box
    ox, oy, ow, oh = other
    return x < ox + ow and ox < x + w and y < oy + oh and oy < y + h


def fill_gaps(
    image: np.ndarray,
    words: tuple[OcrWord, ...],
    kind: str,
    dpi: int,
    timeout: float,
    recorded: list[dict[str, Any]],
) -> tuple[tuple[OcrWord, ...], list[dict[str, Any]]]:
    """A header line with the digits handwritten in its empty blanks put in, and the page's blank records
    with those blanks added (or the record of a blank already noted there updated)."""
    gaps = find_gaps(words)
    if not gaps:
        return words, recorded
    band = image[min(g.box[1] for g in gaps) : max(g.box[1] + g.box[3] for g in gaps), :]
    threshold, _ = cv2.threshold(np.ascontiguousarray(band), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    line = list(words)
    records = list(recorded)
    for gap in sorted(gaps, key=lambda g: g.insert_at, reverse=True):  # inserting keeps earlier indices
        found = gap_ink(image, gap, threshold)
        if found is None:
            continue
        crop, box = found
        read = read_gap(crop, gap.field, dpi, timeout)
        text = " ".join(w.text for w in words)
        record: dict[str, Any] = {
            "zone": kind,
            "line": text,
            "box": list(box),
            "field": gap.field,
            "reason": "unreadable: handwriting or a stamp",
            "read": None,
        }
        if read is not None:
            digits, confidence = read
            before = words[gap.insert_at - 1]
            left, top, width, height = box
            digits_word = OcrWord(
                digits, confidence, left, top, width, height, before.block, before.paragraph, before.line
            )
            line.insert(gap.insert_at, digits_word)
            record.update(reason="handwritten digits", read=digits, confidence=confidence)
        same = [i for i, r in enumerate(records) if r.get("zone") == kind and _overlaps(r["box"], box)]
        if same:  # the blank was noted from a dropped word: the gap's reading completes its record
            update = record if read is not None else {"field": gap.field}
            records[same[0]] = {**records[same[0]], **update}
        else:
            records.append(record)
    return tuple(line), records
