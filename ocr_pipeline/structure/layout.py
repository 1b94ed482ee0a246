"""Lines and zones of a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP layout).

:func:`clean_lines` turns restored text (hard-wrapped OCR lines with page breaks, or Markdown-ish text with
``#`` headings and ``**bold**``) into :class:`TextLine` records without Markdown marks. :func:`find_zones`
splits them into the header zone (issuer, số/ký hiệu, place and date, document type, title), the body
(preamble and numbered sections), the closing paragraph (``Trên đây là ...``) and the end zone (nơi nhận,
signature block).
"""

from __future__ import annotations

import statistics
import unicodedata
from dataclasses import dataclass, field

import regex

from vntext.fold import fold_upper as fold

from .doctypes import DOC_TYPES, type_named_by, within_near_miss
from .numbering import is_upper_heading, line_candidates

FORM_FEED = "\f"
_FOLDED_TYPES = sorted(((fold(t), t) for t in DOC_TYPES), key=lambda p: -len(p[0]))
_TYPE_NAMES = dict(_FOLDED_TYPES)
#: One to three glyphs of a stamp or seal that OCR put before a type line.
_TYPE_NOISE = regex.compile(r"^[^\s\p{Lu}]{1,3}\s+|^[^\s]\s+")
#: Paragraph openings of the preamble (căn cứ / thực hiện ...), never part of a title.
PREAMBLE_STARTS = ("CAN CU", "THUC HIEN ", "THEO ", "XET ", "KINH GUI", "TRIEN KHAI ", "NHAM ", "DE ")
NATIONAL_TITLE = regex.compile(
    r"C\s*O\s*N\s*G\s+H\s*O\s*A\s+X\s*A\s+H\s*O\s*I\s+C\s*H\s*U\s+N\s*G\s*H\s*I\s*A\s+V\s*I\s*E\s*T\s+N\s*A\s*M"
)
MOTTO = regex.compile(
    r"D\s*O\s*C\s+L\s*A\s*P\s*[-–—]+\s*T\s*U\s+D\s*O\s*[-–—]+\s*H\s*A\s*N\s*H\s+P\s*H\s*U\s*C"
)
#: The blank of a số/ký hiệu before its ký hiệu: digits, dots, or handwriting OCR'd as a few glyphs
#: (``#2 ``, ``4/35 ``, ``I73 ``), then ``/`` and the ký hiệu (``/QĐ-TTg``, ``/2026/TT-BCT``).
_NUMBER_BLANK = r"(?=[^\s/]{0,6}(?:/\d+)?(?:\s+[^\s/]{1,4})?\s*/\s*(?:(?:19|20)\d{2}\s*/\s*)?[A-ZĐ])"
NUMBER_START = regex.compile(r"(?<![A-Z])S[O06](?=[\s:.;#\d]|[IL]\d)\s*[:.;]?\s*" + _NUMBER_BLANK)
#: A số/ký hiệu line, possibly named by its kind: ``Số: 12/KH-UBND``, ``Luật số: 68/2014/QH13``.
NUMBER_LINE = regex.compile(r"^(?:[A-Z]+\s+){0,3}S[O06](?=[\s:.;#\d]|[IL]\d)\s*[:.;]?\s*" + _NUMBER_BLANK)
#: What OCR leaves in a date blank filled in by hand: digits, dots, spaces or a few single glyphs.
DATE_BLANK = r"(?:[^\sA-Z]|\s|[A-Z]{1,2}(?:(?![A-Z])|(?=THANG|NAM))){0,8}?"
DATE_LONG = regex.compile(
    rf"(?<![A-Z])NGAY{DATE_BLANK}THANG{DATE_BLANK}NAM\s*(?:\d{{4}}|[._…]*)"
    r"|NGAY\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}"
)
SEPARATOR = regex.compile(r"^[\s\-–—_=*~.·o0O]{3,}$")
PAGE_NUMBER = regex.compile(
    r"^\s*(?:[-–]\s*)?(?:Trang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*[-–])?\s*$", regex.IGNORECASE
)
RECIPIENTS_START = regex.compile(r"^\W{0,3}N\s*O\s*I\s+N\s*H\s*A\s*N\b")
#: A công văn's ``V/v`` line (folded), also as OCR leaves it: ``V/V``, ``V/ bảo đảm`` (its ``v`` lost),
#: ``Vv``-less ``Về việc``.
VV_LINE = regex.compile(r"^(?:V\s?/\s?V\b\s*:?|V/\s+(?=[A-Z])|VE\s+VIEC\b)")
CLOSING_START = regex.compile(r"^\W{0,3}TREN\s+DAY\b")
AUTHORITY = regex.compile(
    r"(?<![A-Z])(?P<auth>TM|KT|TL|TUQ|Q)\s?\.\s*(?=[A-Z])|(?<![A-Z])(?P<auth2>TM|KT|TL|TUQ)\s+(?=[A-Z]{2,}\s)"
)
POSITION_WORDS = (
    "CHU TICH",
    "GIAM DOC",
    "TRUONG",
    "BI THU",
    "CHANH",
    "TONG",
    "THU TRUONG",
    "BO TRUONG",
    "UY VIEN",
    "KE TOAN",
    "THU KY",
    "CONG CHUC",
    "CHI HUY",
    "THU TUONG",
    "CHU NHIEM",
    "TONG THU KY",
    "KIEM TOAN",
    "THAM PHAN",
    "VIEN TRUONG",
)
COLUMN_GAP = regex.compile(r"\s{3,}|\t+")
_MD_HEADING = regex.compile(r"^\s{0,3}#{1,6}\s*")
_MD_ESCAPE = regex.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_EMPHASIS = regex.compile(
    r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"
)
_LEAD_NOISE = regex.compile(r"^[~|>¦]+\s+")
_TERMINAL = (".", ";", ":", "!", "?", "./.", "…")


#: Letters OCR produces for Vietnamese ones: Icelandic eth for đ (same glyph).
_LOOKALIKE_LETTERS = str.maketrans({"Ð": "Đ", "ð": "đ"})


@dataclass
class TextLine:
    """One line of the document, Markdown marks removed.

    Attributes:
        text: The line without Markdown marks, stripped.
        index: 0-based line number in the input (after splitting form feeds).
        blank: The line holds no text (separators such as ``-----`` count as blank).
        noise: A page number or similar line that carries no text of the document.
        page_break: A form feed precedes this line.
        bold_end: When the line opens with a bold span that closes before the end of the line, the
            offset in ``text`` where it closes (a hint for where a heading ends); else None.
        raw: The input line as given.
    """

    text: str
    index: int
    blank: bool = False
    noise: bool = False
    page_break: bool = False
    bold_end: int | None = None
    raw: str = ""

    @property
    def folded(self) -> str:
        """Upper-case text without diacritics, same length as ``text``."""
        return fold(self.text)


def _strip_markdown(line: str) -> tuple[str, int | None]:
    """Remove Markdown marks from one line; return the text and where a leading bold span closes."""
    text = _MD_HEADING.sub("", line.rstrip()).rstrip("\\").rstrip()
    text = _MD_ESCAPE.sub(r"\1", text)
    bold_end: int | None = None
    body = text.lstrip()
    if body.startswith(("**", "__")):
        mark = body[:2]
        close = body.find(mark, 2)
        if close > 2 and body[close + 2 :].strip():
            inner = body[2:close].replace("**", "").replace("__", "")
            bold_end = len(_EMPHASIS.sub(lambda m: m.group(1) or m.group(2), inner).strip())
    text = text.replace("**", "").replace("__", "")
    text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    text = text.strip()
    if bold_end is not None and bold_end >= len(text):
        bold_end = None
    return text, bold_end


def clean_lines(text: str) -> list[TextLine]:
    """Split text into cleaned lines (NFC, Markdown marks removed, page breaks and page numbers marked).

    Args:
        text: Restored text of a whole document; pages may be separated by form feeds.

    Returns:
        One :class:`TextLine` per input line (a form feed also starts a new line).
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(_LOOKALIKE_LETTERS)
    out: list[TextLine] = []
    page_break = False
    for raw_line in text.split("\n"):
        pieces = raw_line.split(FORM_FEED)
        for k, piece in enumerate(pieces):
            if k > 0:
                page_break = True
            cleaned, bold_end = _strip_markdown(piece)
            cleaned = _LEAD_NOISE.sub("", cleaned)
            if len(pieces) > 1 and not cleaned:
                continue  # the empty side of a form feed is not a blank line
            blank = not cleaned or bool(SEPARATOR.match(cleaned))
            line = TextLine(
                text="" if blank else cleaned,
                index=len(out),
                blank=blank,
                page_break=page_break,
                bold_end=None if blank else bold_end,
                raw=piece,
            )
            out.append(line)
            if not blank:
                page_break = False
    _mark_page_numbers(out)
    return out


def _mark_page_numbers(lines: list[TextLine]) -> None:
    """A lone short number between blank lines, or on the first or last line of a page, is a page number."""
    for i, line in enumerate(lines):
        if line.blank or not PAGE_NUMBER.match(line.text):
            continue
        next_page = i + 1 < len(lines) and lines[i + 1].page_break
        before = i == 0 or lines[i - 1].blank
        after = i + 1 >= len(lines) or lines[i + 1].blank
        if line.page_break or next_page or (before and after):
            line.noise = True


def is_rule(line: TextLine) -> bool:
    """Whether ``line`` is a printed rule (``-----``, ``____``), such as the one under a trích yếu."""
    return line.blank and bool(line.raw.strip())


def ends_sentence(text: str) -> bool:
    """Whether a line ends with sentence-final punctuation (``.`` ``;`` ``:`` ``!`` ``?`` ``…``)."""
    stripped = text.rstrip(" ”\"')*")
    return stripped.endswith(_TERMINAL)


def typical_width(lines: list[TextLine]) -> float:
    """The usual length of a full line (80th percentile of non-blank line lengths, at least 50)."""
    lengths = sorted(len(line.text) for line in lines if not line.blank and not line.noise)
    if len(lengths) < 5:
        return 80.0
    # a floor: a few short lines (a snippet, a list) say nothing about the page width
    return max(50.0, float(statistics.quantiles(lengths, n=10)[7]))


def _noise_before_type(text: str) -> str | None:
    """The type of a type line that OCR opened with a stamp's glyphs (``4 QUYÉT ĐỊNH``, ``vì THÔNG TƯ``)."""
    noise = _TYPE_NOISE.match(text)
    if not noise:
        return None
    rest = text[noise.end() :].rstrip(" :.")
    name = _TYPE_NAMES.get(fold(rest))
    if name is None or not is_upper_heading(rest):
        return None
    if any(c.form >= 0.85 for c in line_candidates(text)):
        return None  # "1. QUY ĐỊNH" is a numbered heading
    return name


def doc_type_of(line: TextLine) -> tuple[str, str] | None:
    """The document type printed on a type line (``KẾ HOẠCH``) and any text after it on the same line."""
    if line.blank:
        return None
    noisy = _noise_before_type(line.text)
    if noisy:
        return noisy, ""
    text = line.text.lstrip("`~;:'\"|.,_-–— ")
    if not text[:1].isalpha():
        return None
    if text != line.text:
        line = TextLine(text=text, index=line.index)
    folded = line.folded.rstrip(" :.")
    for folded_type, name in _FOLDED_TYPES:
        if folded == folded_type:
            if not is_upper_heading(line.text):
                return None
            return name, ""
        if folded.startswith(folded_type + " ") and is_upper_heading(line.text[: len(folded_type)]):
            rest = line.text[len(folded_type) :].strip()
            if len(rest) <= 3 and " " not in rest:
                return name, ""  # a stamp's or seal's glyphs after the type ("THÔNG TƯ ~")
            if not is_upper_heading(rest):
                return name, rest
    return None


def near_type_line(line: TextLine, expected: str | None) -> tuple[str, str] | None:
    """``(expected, "")`` when ``line`` is a short upper-case line within a near miss of the ``expected``
    type (the one the ký hiệu names): a type line OCR misread (``QUYET DJNH``)."""
    if expected is None or line.blank or len(line.text.split()) > 4 or not is_upper_heading(line.text):
        return None
    return (expected, "") if within_near_miss(line.text, expected) else None


def is_position_line(text: str) -> bool:
    """Whether ``text`` is an upper-case signer position (``PHÓ CHỦ TỊCH``, ``GIÁM ĐỐC`` ...)."""
    words = text.split()
    if not words or len(words) > 9 or not is_upper_heading(text):
        return False
    folded = fold(text)
    return any(regex.search(rf"(?<![A-Z]){w}(?![A-Z])", folded) for w in POSITION_WORDS)


def is_person_name(text: str) -> bool:
    """Whether ``text`` looks like a signer's name: 2-6 capitalised words of letters only."""
    words = text.strip().rstrip(".").split()
    if not 2 <= len(words) <= 6:
        return False
    if any(not w.isalpha() or not w[0].isupper() for w in words):
        return False
    if any(not regex.search(r"[AEIOUY]", fold(w)) for w in words):
        return False  # every Vietnamese syllable has a vowel; "XKQ ĐH" is stamp noise
    if all(w.isupper() for w in words) and any(len(w) > 1 for w in words):
        folded = fold(text)
        if is_position_line(text) or any(k in folded for k in ("UBND", "UY BAN", "SO ", "PHONG")):
            return False
    return not is_position_line(text)


def starts_preamble(folded: str) -> bool:
    """Whether a (folded) line opens a preamble paragraph (Căn cứ, Thực hiện ..., Kính gửi ...)."""
    return folded.startswith(PREAMBLE_STARTS)


@dataclass
class Zones:
    """Index ranges (``[start, stop)`` over the cleaned lines) of the document's zones.

    Attributes:
        header: Issuer lines, quốc hiệu, số/ký hiệu, place and date, the type line and the title lines.
        body: Preamble and numbered sections.
        closing: The closing paragraph (``Trên đây là ...``), between the body and the end zone.
        end: Nơi nhận and the signature block, to the end of the document.
        type_line: Index of the document-type line, if any.
        title_lines: Indices of the title (trích yếu) lines.
    """

    header: range
    body: range
    closing: range
    end: range
    type_line: int | None = None
    doc_type: str | None = None
    title_lines: list[int] = field(default_factory=list)
    title_prefix: str = ""


def national_title(text: str) -> regex.Match[str] | None:
    """The quốc hiệu (``CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM``, in capitals) or the tiêu ngữ in ``text``.

    The match is over the folded text (same offsets as ``text``). ``Hiến pháp nước Cộng hòa xã hội chủ nghĩa
    Việt Nam`` in a sentence is not the quốc hiệu.
    """
    folded = fold(text)
    match = NATIONAL_TITLE.search(folded)
    if match and is_upper_heading(text[match.start() : match.end()]):
        return match
    return MOTTO.search(folded)


_PLACE_DATE = regex.compile(r",\s*NGAY\b")
_NUMBER_WORD = regex.compile(r"^(?:S[OỐ0-6]\s*[:.;]?|[\d.…_]*/\S*|[\d.…_]+)$", regex.IGNORECASE)


def is_place_date(text: str) -> bool:
    """Whether ``text`` holds the header's ``<Place>, ngày ... tháng ... năm ...`` (or ``ngày dd/mm/yyyy``).

    Only upper-case issuer text or the số/ký hiệu may precede the place (two columns on one line); a
    sentence citing a document ``..., ngày 11/3/2023`` is not a place-date line.
    """
    folded = fold(text)
    match = _PLACE_DATE.search(folded)
    if not match or not DATE_LONG.search(folded, match.start()):
        return False
    if starts_preamble(folded):
        return False
    words = text[: match.start()].split()

    def caps(word: str) -> bool:
        return any(c.isalpha() for c in word) and not any(c.islower() for c in word)

    place = 0
    for word in reversed(words):
        if place < 5 and word[:1].isupper() and (not caps(word) or word in {"TP.", "TX."}):
            place += 1
            continue
        break
    if place == 0:
        return False
    before = words[: len(words) - place]
    return all(caps(w) or not any(c.isalpha() for c in w) or _NUMBER_WORD.match(w) for w in before)


def _is_header_line(line: TextLine) -> bool:
    folded = line.folded
    if national_title(line.text) or NUMBER_LINE.match(folded):
        return True
    if is_place_date(line.text):
        return True
    if VV_LINE.match(folded):
        return True
    return is_upper_heading(line.text) and not line_candidates(line.text) and len(line.text.split()) <= 14


def _is_right_column(line: TextLine) -> bool:
    """Quốc hiệu, tiêu ngữ, số/ký hiệu or place-and-date: header lines wherever OCR put them."""
    folded = line.folded
    return bool(national_title(line.text) or NUMBER_LINE.match(folded) or is_place_date(line.text))


def _extend_header(lines: list[TextLine], end: int) -> int:
    """Move the header's end past right-column lines printed after the title (columns OCR'd one by one)."""
    i = end
    last = end
    while i < len(lines) and i < end + 12:
        line = lines[i]
        if line.blank or line.noise:
            i += 1
            continue
        if not _is_right_column(line):
            break
        i += 1
        last = i
    return last


def vv_block_end(lines: list[TextLine], start: int) -> int:
    """The index after a công văn's ``V/v`` block opening at ``start``: its lines run to a blank line,
    ``Kính gửi``, an upper-case, numbered or right-column line (at most 6 lines)."""
    j = start + 1
    while j < len(lines) and j < start + 6:
        line = lines[j]
        if line.blank or line.noise or starts_preamble(line.folded) or is_upper_heading(line.text):
            break
        if _is_right_column(line) or any(c.form >= 0.85 for c in line_candidates(line.text)):
            break
        j += 1
    return j


def _continues_title(line: TextLine) -> bool:
    """Whether a line may go on a title block (not a preamble, heading, marker or header line)."""
    return not (
        starts_preamble(line.folded)
        or line.text.startswith("(")
        or _is_right_column(line)
        or is_upper_heading(line.text)
        or bool(line_candidates(line.text))
        or RECIPIENTS_START.match(line.folded)
    )


def _title_line_after_blank(lines: list[TextLine], k: int, limit: int) -> bool:
    """Whether line ``k``, after a blank line inside a title block, is the title's next line (OCR puts
    blank lines between a title's lines): a short capitalised line followed by a blank line, not a
    preamble paragraph's first line."""
    line = lines[k]
    if not _continues_title(line) or ends_sentence(line.text) or len(line.text.split()) > 16:
        return False
    after = k + 1
    while after < limit and lines[after].noise:
        after += 1
    return after >= limit or lines[after].blank


def _title_after(lines: list[TextLine], start: int, limit: int) -> tuple[list[int], int]:
    """Title lines from ``start`` (the first non-blank line) and the index after the title block."""
    i = start
    blanks = 0
    while i < limit and (lines[i].blank or lines[i].noise):
        i += 1
        blanks += 1
    if i >= limit or blanks > 3:
        return [], start
    first = lines[i]
    if (
        starts_preamble(first.folded)
        and ends_sentence(first.text)
        and not first.folded.startswith("THUC HIEN ")
    ):
        return [], start
    if national_title(first.text) or RECIPIENTS_START.match(first.folded):
        return [], start
    cands = line_candidates(first.text)
    if cands and cands[0].kind != "bullet" and cands[0].form >= 0.85:
        return [], start
    if not regex.search(r"\p{L}{3}", first.text) and len(first.text) < 8:  # a seal's glyphs
        return _title_after(lines, i + 1, limit) if blanks < 3 else ([], start)
    title = [i]
    j = i + 1
    while j < limit and len(title) < 5:
        line = lines[j]
        if line.noise:
            j += 1
            continue
        if line.blank:
            k = j
            while k < limit and (lines[k].blank or lines[k].noise):
                k += 1
            nxt = lines[k] if k < limit else None
            if (
                nxt is not None
                and k - j <= 2
                and not any(is_rule(lines[x]) for x in range(j, k))  # the rule under the trích yếu
                and not ends_sentence(lines[title[-1]].text)
                and (nxt.text[:1].islower() or _title_line_after_blank(lines, k, limit))
            ):
                title.append(k)
                j = k + 1
                continue
            break
        if (
            starts_preamble(line.folded)
            or line.text.startswith("(")
            or _is_right_column(line)
            or is_upper_heading(line.text)
            or line_candidates(line.text)
            or ends_sentence(lines[title[-1]].text)
        ):
            break
        title.append(j)
        j += 1
    return title, title[-1] + 1


def _header_zone(lines: list[TextLine]) -> tuple[int, int | None, str | None, list[int], str]:
    """End of the header zone, the type line, the type, the title lines and text after the type name."""
    limit = min(len(lines), 60)
    nonblank_seen = 0
    unknown = 0
    expected: str | None = None  # the type the ký hiệu names
    for i in range(limit):
        line = lines[i]
        if line.blank or line.noise:
            continue
        nonblank_seen += 1
        if nonblank_seen > 18:
            break
        if NUMBER_START.search(line.folded):
            expected = type_named_by(line.text) or expected
        found = doc_type_of(line) or near_type_line(line, expected)
        if found:
            name, rest = found
            if rest:  # "KẾ HOẠCH Thực hiện ..." on one line: the title may go on in lower case
                title = []
                j = i + 1
                while j < len(lines) and not lines[j].blank and lines[j].text[:1].islower():
                    title.append(j)
                    j += 1
                return _extend_header(lines, j), i, name, title, rest
            title, end = _title_after(lines, i + 1, len(lines))
            return _extend_header(lines, end if title else i + 1), i, name, title, ""
        if VV_LINE.match(line.folded) and i < 25:
            j = vv_block_end(lines, i)
            return _extend_header(lines, j), None, None, list(range(i, j)), ""
        if not _is_header_line(line):
            unknown += 1
            if unknown > 6:  # stamp and seal glyph lines between the header and the type line
                break
    # No type line: consume the header lines, then a short unpunctuated block before the preamble is a title.
    i = 0
    while i < limit and (lines[i].blank or lines[i].noise or _is_header_line(lines[i])):
        i += 1
    title, end = _title_after(lines, i, len(lines))
    if title and len(title) <= 3 and not ends_sentence(lines[title[-1]].text):
        k = end
        while k < len(lines) and (lines[k].blank or lines[k].noise):
            k += 1
        if k > end and k < len(lines):
            nxt = lines[k]
            cands = line_candidates(nxt.text)
            if starts_preamble(nxt.folded) or (
                cands and cands[0].kind in {"roman", "part", "chapter", "article"}
            ):
                return end, None, None, title, ""
    return i, None, None, [], ""


def _strict_section_line(line: TextLine) -> bool:
    cands = line_candidates(line.text)
    return (
        bool(cands)
        and cands[0].kind in {"roman", "number", "article", "part", "chapter"}
        and cands[0].form >= 0.85
    )


def _closing_formula(lines: list[TextLine], start: int, end: int) -> int:
    """Start of a last unnumbered paragraph ending in ``./.`` (a công văn's closing request), else ``end``."""
    last = end - 1
    while last >= start and (lines[last].blank or lines[last].noise):
        last -= 1
    if last < start or not lines[last].text.rstrip().endswith("/."):
        return end
    first = last
    while first - 1 >= start and not lines[first - 1].blank:
        first -= 1
    if first <= start or line_candidates(lines[first].text):
        return end
    return first


def find_zones(lines: list[TextLine]) -> Zones:
    """Split the cleaned lines into header, body, closing and end zones.

    Args:
        lines: Output of :func:`clean_lines`.

    Returns:
        The zones; any of them may be empty.
    """
    n = len(lines)
    header_end, type_line, doc_type, title_lines, title_prefix = _header_zone(lines)
    end_start = n
    for i in range(header_end, n):
        line = lines[i]
        if line.blank:
            continue
        if RECIPIENTS_START.match(line.folded):
            end_start = i
            break
    if end_start == n:
        for i in range(max(header_end, n - 25), n):
            line = lines[i]
            if not line.blank and AUTHORITY.match(line.folded) and is_upper_heading(line.text):
                end_start = i
                break
    # A signer block printed before "Nơi nhận" (two columns OCR'd column by column).
    for i in range(max(header_end, end_start - 12), end_start):
        line = lines[i]
        if not line.blank and AUTHORITY.match(line.folded) and is_upper_heading(line.text):
            end_start = i
            break
    closing_start = end_start
    for i in range(end_start - 1, header_end - 1, -1):
        line = lines[i]
        if line.blank:
            continue
        if _strict_section_line(line):
            break
        if CLOSING_START.match(line.folded):
            closing_start = i
            break
    if closing_start == end_start:
        closing_start = _closing_formula(lines, header_end, end_start)
    return Zones(
        header=range(0, header_end),
        body=range(header_end, closing_start),
        closing=range(closing_start, end_start),
        end=range(end_start, n),
        type_line=type_line,
        doc_type=doc_type,
        title_lines=title_lines,
        title_prefix=title_prefix,
    )
