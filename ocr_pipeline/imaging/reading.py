"""OCR stage by layout zones: marks painted out, each zone read on its own, texts joined in reading order.

The page's :class:`~.page.PageOcr` is the zones' lines in reading order (word boxes in page coordinates, an
empty line between zones), so the page text is the concatenation of the zone texts. When layout analysis
fails the page is read whole, as :func:`.ocr.recognise` does, with one ``unknown`` zone and a logged
warning: a page is never lost to it.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np

from . import blanks as blank_gaps
from . import engines, marks, tables, zones
from .cleanup import binarise, paper_level
from .ocr import recognise
from .page import Mark, OcrLine, OcrWord, PageImage, PageLayout, PageOcr, Zone

log = logging.getLogger(__name__)

#: Characters no printed administrative text uses: a word holding one is a stamp's, a seal's or
#: handwriting's glyph soup. U+02B0-U+02FF are spacing modifier letters (a lone ``ˆ`` or ``˜``: an accent
#: without its letter, read from a speck).
SOUP_CHARACTERS = re.compile(r"[®©¬‡†|`~$€⁄\\^#@<>=_{}«»•§¶¥£¢°±×÷™Ø¤¦¨ƒŠšŽžŸ‹›\u02b0-\u02ff]")
#: A word of one or two digits taller than this (inches; printed digits of body text stand about 0.14 in)
#: and read below :data:`OUTSIZE_DIGIT_CONFIDENCE` is a stamp's dots or a stroke, not a number: outside
#: the blanks' zones (whose handwritten digits are read again instead).
OUTSIZE_DIGIT_HEIGHT = 0.18
OUTSIZE_DIGIT_CONFIDENCE = 70.0
_SHORT_NUMBER = re.compile(r"\d{1,2}")
#: A section label as printed (``II.``, ``12.``, ``b)``): kept whatever its confidence.
SECTION_LABEL = re.compile(r"(?:[IVXL]{1,6}|\d{1,3}|[a-zđ])[.)]")
#: A word of one or two letters read with a confidence below this is noise (stamp or seal letters).
NOISE_CONFIDENCE = 25.0
#: A word without letters or digits (bare punctuation) read below this is noise.
SYMBOL_CONFIDENCE = 40.0
_ALNUM = re.compile(r"[^\W_]")
#: Punctuation a printed line may hold on its own (list dashes, ``+`` bullets, the motto's dashes, ``./.``).
_LONE_PUNCTUATION = frozenset(
    {"-", "–", "—", "—-", "+", "./.", "/.", ".", ",", ";", ":", "(", ")", "“", "”", '"'}
)
#: Zones whose lines are read with seal and signature strokes kept on them (see :func:`_strokes_on_lines`).
STROKES_KEPT = frozenset({"closing_right"})
#: Least ink width of a band, in band heights, for the strokes on it to be given back (see
#: :func:`_strokes_on_lines`).
STROKES_LINE_INK = 3.0
#: Zones whose dropped words are recorded as blanks (handwritten number, day and month).
BLANK_ZONES = frozenset({"header_right", "number"})
#: A run of capital D-with-stroke look-alikes holding an eth (``ĐÐ``, ``ÐĐ``): ``vie`` reads one bold ``Đ``
#: as two glyphs (``GD&ĐÐT``, ``TGĐÐ``, ``QĐÐ-UBND``); Vietnamese never writes the eth.
DOUBLED_D = re.compile("[ĐÐ]*Ð[ĐÐ]*")
#: The date line's words glued to the digits handwritten in its blanks (``ngày23``, ``82tháng``).
_GLUED_DATE = re.compile(r"(?<=ngày)[,.]?(?=\d)|(?<=\d)(?=tháng)")
#: Least confidence of both neighbours for a short low-confidence word between them to be printed text.
FLANK_CONFIDENCE = 70.0
#: A short word that may be given back between confident neighbours: a capitals' abbreviation or a
#: number (``VT,``, ``NN``, ``(2)``), the shapes of a Nơi nhận line's short items.
FLANKED_WORD = re.compile(r"\(?(?:[A-ZĐ]{2}|[0-9]{1,2})[.,;:)]?")
#: A Nơi nhận item's closing purpose note (``(t/h);``, ``(b/c)``, ``(p/h),``; its slash may be lost,
#: ``(th);``): given back at a line's end after a confident word, a shape a seal's letters do not take.
PURPOSE_NOTE = re.compile(r"\([a-zđ]/?[a-zđ]\)[.,;:]?")
#: A list item's dash or plus opening a line (``- Phòng …``, ``+ Củng cố …``): given back before a confident
#: word that starts with a capital, a space away, a shape a seal's or stamp's strokes do not take.
LIST_MARKERS = frozenset({"-", "–", "+"})

#: Tesseract page segmentation per zone kind (4 = one column of lines of varied sizes, 3 = automatic).
ZONE_PSM = {"body": 4, "unknown": 3}
DEFAULT_ZONE_PSM = 4
#: Zones read as one uniform block (psm 6) when a seal or a signature lies on them: psm 4 takes the
#: marks' remnants for blocks of their own and drops or misplaces the printed lines between them (on a
#: clean zone psm 6 reads dust as text, so only there).
MARKED_ZONE_PSM = 6
MARKED_ZONES = frozenset({"closing_left", "closing_right"})
#: Zones read line by line from the unpainted page where a seal ring lies on them (see :func:`seal_lines`).
SEAL_LINE_ZONES = frozenset({"closing_right"})
#: Ink at least this far (inches) outside a seal's circle is printed text (the ring's ragged edge left out).
SEAL_CLEARANCE = 0.03
#: A band under this share of the page's line height is a rule, a dotted scanner line or a stroke's end.
MIN_LINE_SHARE = 0.6
#: Line heights (of the page's median line) a band of one bold closing line stays under; a taller band
#: holds several lines run together by a stroke, and is split at its emptiest rows.
ONE_LINE = 1.25
#: Least letter-sized components per band height of a band's inked width for it to be printed letters
#: (the strokes of a signature outside the seal are few long components).
MIN_LETTERS_PER_HEIGHT = 1.0


def recognise_by_zones(page: PageImage, lang: str, timeout: float = 0) -> PageImage:
    """Attach the OCR of the page read zone by zone, and its layout (zones, marks)."""
    try:
        image, found, layout = _analyse(page.image, page.dpi)
    except Exception as exc:  # layout analysis must never lose a page: read it whole instead
        log.warning("page %d: layout analysis failed (%s); page read whole", page.number, exc)
        return _whole(page, lang, timeout, note=f"layout failed: {exc}")
    if not layout.items:
        return _whole(page, lang, timeout, note="no text lines found", marks_found=found)
    pad = max(4, round(0.35 * layout.line_height)) if layout.line_height else 8
    lines: list[OcrLine] = []
    spans: list[tuple[str, tuple[int, int, int, int], int, int]] = []  # zone kind, box, its lines
    blanks: list[dict[str, Any]] = []
    reads = _read_zones(page, image, found, layout, pad, lang, timeout)
    for index, item in enumerate(layout.items):
        if isinstance(item, tables.TableGrid):
            table_lines, _ = _read_table(image, item, lang, page.dpi, timeout)
            if table_lines:
                if lines:
                    lines.append(OcrLine(()))
                spans.append(("table", item.box, len(lines), len(lines) + len(table_lines)))
                lines += table_lines
            continue
        zone, clip = item
        x, y, w, h = zone.box(pad, image.shape, clip)
        result = reads[index]
        kept_lines = []
        for ln in result.lines:
            moved = [replace(wd, left=wd.left + x, top=wd.top + y) for wd in ln.words]
            read = [printed_word(wd, lang) for wd in moved]
            if zone.kind not in BLANK_ZONES:
                read = [None if r is not None and outsize_digits(r, page.dpi) else r for r in read]
            if None in read and zone.kind not in BLANK_ZONES:
                read = _flanked_words(moved, read, lang)
            if None in read and zone.kind in BLANK_ZONES:
                dropped = [wd for wd, r in zip(moved, read, strict=True) if r is None]
                printed = [r for r in read if r is not None]
                digits = _read_digits(image, dropped, printed, page.dpi, timeout)
                blank = _blank(zone.kind, printed, dropped)
                if digits is not None:
                    read[read.index(None)] = digits  # the handwritten number, read with confidence
                    blank.update(reason="handwritten digits", read=digits.text, confidence=digits.confidence)
                blanks.append(blank)
            kept = tuple(wd for wd in read if wd is not None)
            if zone.kind in BLANK_ZONES:
                kept = filled_blanks(kept)
                if kept:  # blanks Tesseract returned no word for
                    kept, blanks = blank_gaps.fill_gaps(image, kept, zone.kind, page.dpi, timeout, blanks)
            if kept or not ln.words:
                kept_lines.append(OcrLine(kept))
        shifted = _trim_blank_lines(kept_lines)
        if not shifted:
            continue
        if lines:
            lines.append(OcrLine(()))
        spans.append((zone.kind, (x, y, w, h), len(lines), len(lines) + len(shifted)))
        lines += shifted
    if lang != "eng":
        lines = _semicolons(image, lines, page.dpi, timeout)
    zone_records = [
        Zone(kind, box, "\n".join(ln.text for ln in lines[start:end])) for kind, box, start, end in spans
    ]
    notes = tuple(Mark("note", (b.x0, b.y0, b.x1 - b.x0, b.height)) for b in layout.above_header)
    ocr = PageOcr(lines=tuple(lines), lang=lang, engine=f"tesseract {engines.tesseract_version()}")
    kinds = ", ".join(z.kind for z in zone_records) or "none"
    note = f"ocr by zones: {lang}, {len(ocr.words)} words; zones {kinds}; marks {len(found.marks)}"
    return page.evolve(
        note,
        image=image,
        ocr=ocr,
        pre_cleanup=None,
        layout=PageLayout(tuple(zone_records), found.marks + notes, tuple(blanks)),
    )


def _marked(box: tuple[int, int, int, int], found: tuple[Mark, ...]) -> bool:
    """Whether a seal or a signature (handwriting) mark overlaps the box."""
    x, y, w, h = box
    return any(
        m.kind in ("seal", "handwriting")
        and m.box[0] < x + w
        and x < m.box[0] + m.box[2]
        and m.box[1] < y + h
        and y < m.box[1] + m.box[3]
        for m in found
    )


def _zone_psm(zone: zones.ZoneBox, box: tuple[int, int, int, int], found: marks.MarkFinding) -> int:
    """Tesseract's page segmentation mode for a zone: by its kind, as one uniform block where a seal or a
    signature lies on a closing zone."""
    if zone.kind in MARKED_ZONES and _marked(box, found.marks):
        return MARKED_ZONE_PSM
    return ZONE_PSM.get(zone.kind, DEFAULT_ZONE_PSM)


def _read_zones(
    page: PageImage,
    image: np.ndarray,
    found: marks.MarkFinding,
    layout: PagePlan,
    pad: int,
    lang: str,
    timeout: float,
) -> dict[int, PageOcr]:
    """The OCR of each layout zone of ``layout.items`` (by index), the zones of one page segmentation mode
    read by one Tesseract run."""
    by_psm: dict[int, list[int]] = {}
    sealed: dict[int, list[tuple[int, int]]] = {}  # zones read line by line: their lines' rows
    for index, item in enumerate(layout.items):
        if not isinstance(item, tables.TableGrid):
            zone, clip = item
            x, y, w, h = zone.box(pad, image.shape, clip)
            circles = _seals_on((x, y, w, h), found.seals) if zone.kind in SEAL_LINE_ZONES else []
            rows = (
                seal_lines(page.image, (x, y, w, h), circles, page.dpi, layout.line_height) if circles else []
            )
            if rows and page.image.shape == image.shape:
                sealed[index] = rows
                continue
            by_psm.setdefault(_zone_psm(zone, (x, y, w, h), found), []).append(index)

    def crop(index: int) -> np.ndarray:
        zone, clip = layout.items[index]  # type: ignore[misc]
        x, y, w, h = zone.box(pad, image.shape, clip)
        source = _strokes_on_lines(image, page.image, found, zone) if zone.kind in STROKES_KEPT else image
        return np.ascontiguousarray(source[y : y + h, x : x + w])

    reads: dict[int, PageOcr] = {}
    for psm, indices in by_psm.items():
        results = engines.ocr_images((crop(i) for i in indices), lang, dpi=page.dpi, psm=psm, timeout=timeout)
        reads.update(zip(indices, results, strict=True))
    if sealed:
        reads.update(_read_seal_lines(page, layout, sealed, pad, lang, timeout))
    return reads


def _seals_on(
    box: tuple[int, int, int, int], seals: tuple[tuple[float, float, float], ...]
) -> list[tuple[float, float, float]]:
    """The seal circles that reach into the box."""
    x, y, w, h = box
    return [
        (cx, cy, r)
        for cx, cy, r in seals
        if np.hypot(max(x - cx, 0, cx - (x + w)), max(y - cy, 0, cy - (y + h))) < r
    ]


def seal_lines(
    original: np.ndarray,
    box: tuple[int, int, int, int],
    circles: list[tuple[float, float, float]],
    dpi: int,
    line_height: float,
) -> list[tuple[int, int]]:
    """The rows (``y0, y1`` in the box) of the printed lines of a zone a seal lies on.

    The lines are found on the zone's ink outside the seal circles only: the ring, the seal's own letters
    and the signature inside it join the printed lines into one band, or take their first letters. Bands too
    low for a line (dotted scanner lines, strokes' ends) or holding too few letter-sized pieces for its
    width (a signature's strokes) are left out; a band several lines high (lines joined by a signature
    outside the seal) is split at its emptiest rows.
    """
    x, y, w, h = box
    ink, _ = binarise(original[y : y + h, x : x + w])
    rows, columns = np.ogrid[y : y + h, x : x + w]
    for cx, cy, r in circles:
        ink &= np.hypot(columns - cx, rows - cy) > r + SEAL_CLEARANCE * dpi
    if not line_height:
        return []
    letters = zones.letter_ink(ink, dpi)
    lines: list[tuple[int, int]] = []
    for band in zones.text_bands(ink, dpi):
        if band.height < MIN_LINE_SHARE * line_height or band.x1 - band.x0 < 2 * band.height:
            continue
        pieces = cv2.connectedComponents(letters[band.y0 : band.y1].view(np.uint8))[0] - 1
        if pieces < MIN_LETTERS_PER_HEIGHT * sum(b - a for a, b in band.segments) / band.height:
            continue  # a signature's strokes
        count = max(1, int(band.height // (ONE_LINE * line_height)))
        profile = letters[band.y0 : band.y1].sum(axis=1)
        cuts = [band.y0]
        for k in range(1, count):
            centre = round(k * band.height / count)
            reach = round(0.25 * line_height)
            window = profile[max(0, centre - reach) : centre + reach]
            cuts.append(band.y0 + max(0, centre - reach) + int(np.argmin(window)))
        cuts.append(band.y1)
        lines += [(a, b) for a, b in itertools.pairwise(cuts) if b - a >= MIN_LINE_SHARE * line_height]
    return lines


def _read_seal_lines(
    page: PageImage,
    layout: PagePlan,
    sealed: dict[int, list[tuple[int, int]]],
    pad: int,
    lang: str,
    timeout: float,
) -> dict[int, PageOcr]:
    """The OCR of zones a seal lies on, each of their printed lines (:func:`seal_lines`) read on its own
    (psm 7) from the page as it was before the marks were painted out: painting the seal and the signature
    takes the letters they touch, where Tesseract reads a line through their strokes."""
    margin = max(3, round(0.1 * layout.line_height))
    crops, owners = [], []
    for index, rows in sealed.items():
        zone, clip = layout.items[index]  # type: ignore[misc]
        x, y, w, h = zone.box(pad, page.image.shape, clip)
        for y0, y1 in rows:
            top = max(0, y0 - margin)
            crops.append(np.ascontiguousarray(page.image[y + top : y + min(h, y1 + margin), x : x + w]))
            owners.append((index, top))
    results = engines.ocr_images(crops, lang, dpi=page.dpi, psm=7, timeout=timeout)
    lines: dict[int, list[OcrLine]] = {index: [] for index in sealed}
    for (index, top), result in zip(owners, results, strict=True):
        words = tuple(replace(wd, top=wd.top + top) for ln in result.lines for wd in ln.words)
        if words:
            lines[index].append(OcrLine(words))
    engine = f"tesseract {engines.tesseract_version()}"
    return {index: PageOcr(tuple(found), lang, engine) for index, found in lines.items()}


def _strokes_on_lines(
    image: np.ndarray, original: np.ndarray, found: marks.MarkFinding, zone: zones.ZoneBox
) -> np.ndarray:
    """The page with the seal and signature strokes given back on the zone's text lines.

    A seal or a signature crossing printed lines takes the letters it touches with it when painted out;
    read with its strokes kept on the lines, Tesseract reads through a thin stroke better than through a
    missing letter part (on three of the four dev pages with a signed closing block).
    """
    if found.strokes is None or not found.strokes.any() or original.shape != image.shape:
        return image
    restored = image.copy()
    for band in zone.bands:
        if sum(b - a for a, b in band.segments) < STROKES_LINE_INK * band.height:
            continue  # no printed line's worth of letters clear of the marks: a seal's or a signature's rows
        rows = slice(band.y0, band.y1)
        keep = found.strokes[rows]
        restored[rows][keep] = original[rows][keep]
    return restored


def _semicolons(image: np.ndarray, lines: list[OcrLine], dpi: int, timeout: float) -> list[OcrLine]:
    """Lines whose last word ends in a comma that the ``eng`` model reads as a semicolon, with the semicolon.

    Tesseract's ``vie`` model reads the semicolons ending the lines of a preamble or a recipients' list
    (``Căn cứ …;``) as commas, most of all in italics; ``eng`` tells them apart. The lines' last words are
    read again, all at once, stacked on one strip; each is taken as the word read nearest to where it lies.
    """
    if "eng" not in engines.installed_languages():
        return lines
    candidates = [i for i, ln in enumerate(lines) if ln.words and ln.words[-1].text.endswith(",")]
    if not candidates:
        return lines
    crops, rows, centres = [], [], []
    top = 0
    for index in candidates:
        word = lines[index].words[-1]
        pad = max(4, word.height // 3)
        y0, x0 = max(0, word.top - pad), max(0, word.left - pad)
        crop = image[y0 : word.top + word.height + pad, x0 : word.left + word.width + pad]
        crops.append(crop)
        rows.append((top, top + crop.shape[0]))
        centres.append((10 + word.left - x0 + word.width / 2, top + word.top - y0 + word.height / 2))
        top += crop.shape[0] + 2 * pad
    strip = np.full((top, max(c.shape[1] for c in crops) + 20), 255, dtype=np.uint8)
    paper = int(np.percentile(image[::8, ::8], 90))
    strip[:] = paper
    for crop, (y0, y1) in zip(crops, rows, strict=True):
        strip[y0:y1, 10 : 10 + crop.shape[1]] = crop
    result = engines.ocr_page(strip, "eng", dpi=dpi, psm=6, timeout=timeout)
    endings: dict[int, str] = {}
    nearest: dict[int, float] = {}
    for word in result.words:
        centre = word.top + word.height / 2
        for row, (y0, y1) in enumerate(rows):
            if y0 <= centre < y1:
                # the word read where the crop's word lies: the neighbouring lines' accents and tails,
                # caught in the crop's margin, are read as words of their own (`Nẵng,` read `a Nang;`,
                # then `N. cac P` from the line below)
                cx, cy = centres[row]
                distance = abs(word.left + word.width / 2 - cx) + abs(centre - cy)
                if distance < nearest.get(row, float("inf")):
                    nearest[row], endings[row] = distance, word.text
    fixed = list(lines)
    for row, index in enumerate(candidates):
        if endings.get(row, "").endswith(";"):
            words = list(lines[index].words)
            words[-1] = replace(words[-1], text=words[-1].text[:-1] + ";")
            fixed[index] = OcrLine(tuple(words))
    return fixed


def printed_word(word: OcrWord, lang: str = "vie") -> OcrWord | None:
    """The word as printed text, or None when it is glyph soup from a stamp, a seal or handwriting.

    A word of three letters or digits or more with a stray soup character loses the character
    (``ngày,24_``); a shorter word holding one is soup. Words read with the ``eng`` model are all kept:
    Vietnamese read without its language data is full of such characters, which restoration reads back
    (on the synthetic scans, filtering them raised the restored CER from 0.82% to 1.24%).
    """
    if lang == "eng":
        return word
    text = word.text
    if "Ð" in text:
        text = DOUBLED_D.sub("Đ", text)
        word = replace(word, text=text)
    if SOUP_CHARACTERS.search(text):
        cleaned = SOUP_CHARACTERS.sub("", text)
        if len(_ALNUM.findall(cleaned)) >= 3:
            return replace(word, text=cleaned)
        return None
    return word if is_printed_word(word) else None


def outsize_digits(word: OcrWord, dpi: int) -> bool:
    """Whether a word is one or two digits read unsurely from a mark far taller than printed digits (a
    dotted stamp impression over a title read ``4``)."""
    return (
        _SHORT_NUMBER.fullmatch(word.text) is not None
        and word.confidence < OUTSIZE_DIGIT_CONFIDENCE
        and word.height > OUTSIZE_DIGIT_HEIGHT * dpi
    )


def filled_blanks(words: tuple[OcrWord, ...]) -> tuple[OcrWord, ...]:
    """A header line's words with the digits written into its blanks set as the printed frame has them.

    The number and date lines are printed with blanks that are filled in by hand; the digits are read
    glued to the words around them (``ngày23``, ``ngày,24``, ``ngày82tháng``) or apart from the ``/``
    that follows the blank (``Số: 729 /QĐ-TTg``, ``Số: 2 1 /2026/TT-BCT``). Glued words are split at the
    digits; the digit words between ``Số:`` and a word starting with ``/`` are joined to it.
    """
    split: list[OcrWord] = []
    for word in words:
        parts = (
            [p for p in _GLUED_DATE.split(word.text) if p and p not in ",."]
            if _GLUED_DATE.search(word.text)
            else []
        )
        split += [replace(word, text=part) for part in parts] if len(parts) > 1 else [word]
    if len(split) < 3 or not split[0].text.startswith("Số"):
        return tuple(split)
    end = 1
    while end < len(split) and split[end].text.isdigit():
        end += 1
    if end == 1 or end >= len(split) or not split[end].text.startswith("/"):
        return tuple(split)
    joined = split[1 : end + 1]
    left = min(w.left for w in joined)
    number = replace(
        split[1],
        text="".join(w.text for w in joined),
        confidence=min(w.confidence for w in joined),
        left=left,
        width=max(w.left + w.width for w in joined) - left,
    )
    return (split[0], number, *split[end + 1 :])


def _flanked_words(words: list[OcrWord], read: list[OcrWord | None], lang: str) -> list[OcrWord | None]:
    """``read`` with the short words dropped for their low confidence alone given back when the words on
    both sides were read confidently: a printed ``VT,`` between ``Lưu:`` and ``QHĐP`` is read at 14,
    where a seal's or a stamp's stray letters stand at a line's end or on their own; and a Nơi nhận
    item's purpose note at its line's end after a confident word (:data:`PURPOSE_NOTE`); a list item's dash
    opening its line (:func:`_opens_list_item`)."""
    kept = list(read)
    for index in range(1, len(words) - 1):
        before, after = read[index - 1], read[index + 1]
        word = words[index]
        if (
            kept[index] is None
            and before is not None
            and after is not None
            and min(before.confidence, after.confidence) >= FLANK_CONFIDENCE
            and FLANKED_WORD.fullmatch(word.text)
        ):
            kept[index] = printed_word(replace(word, confidence=NOISE_CONFIDENCE), lang)
    if len(words) >= 2 and kept[0] is None and _opens_list_item(words[0], read[1]):
        kept[0] = replace(words[0], confidence=NOISE_CONFIDENCE)
    last = len(words) - 1
    if (
        last >= 1
        and kept[last] is None
        and read[last - 1] is not None
        and words[last - 1].confidence >= FLANK_CONFIDENCE
        and PURPOSE_NOTE.fullmatch(words[last].text)
    ):
        kept[last] = replace(words[last], confidence=NOISE_CONFIDENCE)
    return kept


def _opens_list_item(marker: OcrWord, next_word: OcrWord | None) -> bool:
    """Whether a dropped line-opening word is a list item's marker (:data:`LIST_MARKERS`): the next word was
    read confidently, starts with a capital and stands at most its own height to the right."""
    return (
        marker.text in LIST_MARKERS
        and next_word is not None
        and next_word.confidence >= FLANK_CONFIDENCE
        and next_word.text[:1].isupper()
        and next_word.left - (marker.left + marker.width) <= max(next_word.height, 1)
    )


def is_printed_word(word: OcrWord) -> bool:
    """Whether an OCR word without soup characters reads as printed text (see :func:`printed_word`)."""
    text = word.text
    if SOUP_CHARACTERS.search(text):
        return False
    if SECTION_LABEL.fullmatch(text):
        return True  # a heading's label ("II.", "3.", "a)"): short, but no soup
    letters = len(_ALNUM.findall(text))
    if letters == 0:
        return text in _LONE_PUNCTUATION and word.confidence >= SYMBOL_CONFIDENCE
    return not (letters <= 2 and 0 <= word.confidence < NOISE_CONFIDENCE)


def _box_of(words: list[OcrWord]) -> tuple[int, int, int, int]:
    """``(x, y, w, h)`` around some words."""
    left = min(w.left for w in words)
    top = min(w.top for w in words)
    right = max(w.left + w.width for w in words)
    bottom = max(w.top + w.height for w in words)
    return left, top, right - left, bottom - top


def _blank(kind: str, kept: list[OcrWord], dropped: list[OcrWord]) -> dict[str, Any]:
    """The record of words left out of a header line (unreadable handwriting in a number or date blank)."""
    return {
        "zone": kind,
        "line": " ".join(w.text for w in kept),
        "box": list(_box_of(dropped)),
        "reason": "unreadable: handwriting or a stamp",
        "read": None,
    }


def _read_digits(
    image: np.ndarray, dropped: list[OcrWord], printed: list[OcrWord], dpi: int, timeout: float
) -> OcrWord | None:
    """The digits handwritten where ``dropped`` words were, when Tesseract reads them with confidence
    (:func:`.blanks.read_box`, strokes sized against the line's ``printed`` words as in a gap); otherwise
    the blank stays empty."""
    heights = sorted(wd.height for wd in printed)
    line_height = heights[len(heights) // 2] if heights else None
    return blank_gaps.read_box(image, _box_of(dropped), "number", dpi, timeout, line_height)


@dataclass(frozen=True)
class PagePlan:
    """What to read on a page, in reading order: layout zones (with their column clips) and tables."""

    items: tuple[tuple[zones.ZoneBox, tuple[int, int]] | tables.TableGrid, ...]
    line_height: float
    above_header: tuple[zones.Band, ...] = ()


def _analyse(image: np.ndarray, dpi: int) -> tuple[np.ndarray, marks.MarkFinding, PagePlan]:
    """The page with its marks painted out, the marks, and the plan of zones and tables to read."""
    ink, threshold = binarise(image)
    found = marks.find_marks(ink, dpi)
    if found.mask.any():
        image = image.copy()
        image[found.mask] = paper_level(image, threshold)
        ink[found.mask] = False
    grid = tables.find_table(ink, dpi)
    if grid is None:
        layout = zones.find_layout(ink, dpi)
        return image, found, PagePlan(layout.zones, layout.line_height, layout.above_header)
    before = zones.find_layout(ink, dpi, rows=(0, grid.rows[0]))
    after = zones.find_layout(ink, dpi, rows=(grid.rows[-1] + 1, ink.shape[0]))
    line_height = before.line_height or after.line_height
    return image, found, PagePlan((*before.zones, grid, *after.zones), line_height, before.above_header)


def _read_table(
    image: np.ndarray, grid: tables.TableGrid, lang: str, dpi: int, timeout: float
) -> tuple[list[OcrLine], str]:
    """Read a table cell by cell: its lines (one per table row, Markdown) and its text."""
    inset = max(3, dpi // 50)
    cells = [[(x, y, w, h) for x, y, w, h in row] for row in grid.cells(inset)]
    crops = {}  # the cells with ink, all read by one Tesseract run
    for r, row in enumerate(cells):
        for c, (x, y, w, h) in enumerate(row):
            crop = np.ascontiguousarray(image[y : y + h, x : x + w])
            if crop.size and binarise(crop)[0].any() and crop.min() <= 128:
                crops[(r, c)] = crop
    read = dict(
        zip(crops, engines.ocr_images(crops.values(), lang, dpi=dpi, psm=6, timeout=timeout), strict=True)
    )
    rows: list[list[str]] = []
    confidences: list[list[float]] = []
    for r, row in enumerate(cells):
        texts, confs = [], []
        for c in range(len(row)):
            result = read.get((r, c))
            if result is None:
                texts.append("")
                continue
            words = [wd for wd in (printed_word(w, lang) for w in result.words) if wd is not None]
            texts.append(" ".join(wd.text for wd in words))
            confs += [wd.confidence for wd in words]
        if any(texts):
            rows.append(texts)
            confidences.append(confs)
    text = tables.markdown_table(rows)
    lines = []
    for line, confs in zip(text.split("\n"), [confidences[0], [], *confidences[1:]], strict=False):
        level = float(np.mean(confs)) if confs else 100.0
        lines.append(OcrLine(tuple(OcrWord(token, level) for token in line.split())))
    return lines, text


def _whole(
    page: PageImage, lang: str, timeout: float, note: str, marks_found: marks.MarkFinding | None = None
) -> PageImage:
    """Read the page whole (one ``unknown`` zone)."""
    done = recognise(page, lang, timeout)
    text = done.ocr.text if done.ocr else ""
    h, w = page.image.shape[:2]
    found = marks_found.marks if marks_found else ()
    layout = PageLayout((Zone("unknown", (0, 0, w, h), text),) if text else (), found)
    return done.evolve(f"layout: {note}", layout=layout)


def _trim_blank_lines(lines: list[OcrLine]) -> list[OcrLine]:
    """Lines without the empty (paragraph-break) lines at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].words:
        start += 1
    while end > start and not lines[end - 1].words:
        end -= 1
    return lines[start:end]
