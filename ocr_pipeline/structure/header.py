"""The header fields of an administrative document: issuer, số/ký hiệu, place and date (Nghị định
30/2020/NĐ-CP, Phụ lục I).

The header is printed in two columns: on the left the parent body and the issuer (``UBND HUYỆN CHI LĂNG``
/ ``ỦY BAN NHÂN DÂN XÃ BẰNG MẠC``) and the số/ký hiệu (``Số: 123/KH-UBND``); on the right the quốc hiệu,
the tiêu ngữ and the place and date. OCR gives the two columns either interleaved on one line (with or
without a wide gap) or one after the other; both are split here by recognising the right column's fixed
texts. Each field is repaired only towards what it can be: a ký hiệu part to the closed grammar of
:mod:`.codes`, a place to the gazetteer of :mod:`.places`, a day or month blank to plain digits; what
cannot be read reliably is left empty and flagged, never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import regex

from vntext.fold import fold_upper as fold
from vntext.fold import fold_upper_nfc as _fold_norm

from .codes import ISSUER_CODES, is_type_code, snap_ky_hieu
from .layout import COLUMN_GAP, DATE_BLANK, DOC_TYPES, MOTTO, NUMBER_START, TextLine, national_title
from .model import DocumentDate, DocumentNumber
from .numbering import is_upper_heading
from .places import snap_place, spelling_key

#: Document kinds that are cited as ``<kind> số <số/ký hiệu>``.
REFERENCE_TYPES = (
    "Thông tư liên tịch",
    "Kế hoạch",
    "Quyết định",
    "Công văn",
    "Nghị định",
    "Thông tư",
    "Chỉ thị",
    "Nghị quyết",
    "Hướng dẫn",
    "Thông báo",
    "Báo cáo",
    "Tờ trình",
    "Văn bản",
    "Chương trình",
    "Đề án",
    "Công điện",
    "Luật",
    "Pháp lệnh",
    "Quy chế",
    "Quy định",
    "Kết luận",
)
_FOLDED_KINDS = frozenset(fold(t) for t in (*REFERENCE_TYPES, *DOC_TYPES))
_FOLDED_ISSUER_CODES = frozenset(fold(code) for code in ISSUER_CODES)
_NUMBER_TOKEN = regex.compile(
    r"^\s*(?P<num>[\d.…_ ]*?)\s*(?:/\s*(?P<year>(?:19|20)\d{2})\s*)?"
    r"/\s*(?P<codes>[A-Za-zĐđ&][\wĐđ&.\-]*[\wĐđ])"
)
_PARTY_NUMBER = regex.compile(r"^(?P<num>\d+)-(?P<type>[A-Za-zĐđ]{1,4})/(?P<issuer>[A-Za-zĐđ]{1,6})$")
_KY_HIEU = regex.compile(
    r"/\s*(?:(?P<year>(?:19|20)\d{2})\s*/\s*)?(?P<codes>[A-Za-zĐđ](?:[\wĐđ&.]|-[\s-]*)*[\wĐđ])"
)
_LOCALITY = ("TINH ", "HUYEN ", "XA ", "THANH PHO ", "PHUONG ", "THI TRAN ", "QUAN ", "THI XA ", "TP ", "TP.")
_BODY_ONLY = regex.compile(r"^(?:UY BAN NHAN DAN|UBND|HOI DONG NHAN DAN|HDND|BAN CHI DAO|DANG UY|DANG BO)$")
#: Words an issuer line ends with when its name goes on to the next line (``SỞ GIÁO DỤC VÀ`` / ``ĐÀO TẠO``).
_CONTINUED = regex.compile(r"(?:\s(?:VA|CAC|VE|CUA|PHONG CHONG)|[&,\-–])$")


# --------------------------------------------------------------------------------------------- number


def parse_number(raw: str) -> DocumentNumber | None:
    """Parse a số/ký hiệu (``28/KH-SLĐTBXH``, ``/KH-UBND``, ``56/2017/NĐ-CP``, ``631/UBND-LĐTBXH``).

    The part before the ký hiệu is the number blank: read when it is plainly digits; when it holds
    something else (handwriting OCR'd as glyphs, ``#2``) the number is left empty and flagged
    ``handwritten_unread``. The ký hiệu's type and issuer parts are snapped to their grammar when OCR
    missed them by one letter (:func:`.codes.snap_ky_hieu`).

    Args:
        raw: The text after ``Số:``.

    Returns:
        The parsed number, or None when the text is not a số/ký hiệu.
    """
    text = raw.strip()
    party = _PARTY_NUMBER.match(text)
    if party:
        return DocumentNumber(
            raw=text, number=party["num"], type_code=party["type"], issuer_code=party["issuer"]
        )
    match = _NUMBER_TOKEN.match(text)
    unread = False
    if match:
        digits = regex.sub(r"[\s.…_]", "", match["num"] or "")
        codes, year = match["codes"], match["year"]
    else:
        match = _KY_HIEU.search(text)
        blank = text[: match.start()] if match else ""
        if match is None or len(blank) > 12 or regex.search(r"\p{L}{3}", blank):
            return None
        codes, year, digits = regex.sub(r"-[\s-]*", "-", match["codes"]), match["year"], ""
        unread = bool(blank.strip(" .…_"))
    if digits and not digits.isdigit():
        digits, unread = "", True
    codes = snap_ky_hieu(codes)
    raw_clean = (digits or "") + (f"/{year}" if year else "") + "/" + codes
    head, _, tail = codes.partition("-")
    number = DocumentNumber(raw=raw_clean, number=digits or None, year=year, handwritten_unread=unread)
    if is_type_code(head) and tail:
        number.type_code, number.issuer_code = head, tail
    elif is_type_code(head) and not tail:
        number.type_code = head
    else:
        number.issuer_code = head
        number.unit_code = tail or None
    return number


def number_span(text: str) -> int | None:
    """Length of the số/ký hiệu at the start of ``text`` (what :func:`parse_number` reads), or None."""
    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    match = _NUMBER_TOKEN.match(stripped)
    if match and (not match["num"] or regex.sub(r"[\s.…_]", "", match["num"]).isdigit()):
        return offset + match.end()
    match = _KY_HIEU.search(stripped)
    if match is None or len(stripped[: match.start()]) > 12:
        return None
    return offset + match.end()


# --------------------------------------------------------------------------------------------- date


#: A long date on folded text; the year may hold OCR's look-alikes of digits (``2O26``).
_LONG_DATE = regex.compile(
    rf"(?<![A-Z])NGAY(?P<d>{DATE_BLANK})THANG(?P<m>{DATE_BLANK})NAM\s*(?P<y>[12][\dOIL]{{3}}(?![\dA-Z])|[._…]*)"
    r"|(?<![A-Z])NGAY\s+(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"
)
#: Letters OCR reads for a digit in a filled-in blank or a year (upper-case: the text is folded).
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "|": "1"})
#: Stray marks at the edges of a blank (a pen stroke or the dotted leader read as punctuation).
_BLANK_EDGES = " ,.;:'\"`’‘_…/-–—"


def make_date(raw: str, day: int | None, month: int | None, year: int | None) -> DocumentDate:
    """A :class:`DocumentDate` with an ISO form when all parts are present and valid."""
    iso = None
    if day and month and year:
        try:
            iso = dt.date(year, month, day).isoformat()
        except ValueError:
            iso = None
    return DocumentDate(raw=raw.strip(), day=day, month=month, year=year, iso=iso)


def _blank_value(blank: str | None, low: int, high: int) -> tuple[int | None, bool]:
    """The number a day or month blank holds and whether it held something unreadable.

    Plain digits are read; look-alike letters (``0l``) only beside a real digit; stray marks at the edges
    (``,24``) are dropped. Anything else, or a number out of ``low..high``, is unreadable."""
    text = regex.sub(r"\s+", "", (blank or "").strip(_BLANK_EDGES))
    text = regex.sub(r"[._…]", "", text)
    if not text:
        return None, False
    if not text.isdigit():
        if len(text) > 2 or not any(ch.isdigit() for ch in text):
            return None, True
        text = text.translate(_DIGIT_LOOKALIKES)
        if not text.isdigit():
            return None, True
    if len(text) > 2 or not low <= int(text) <= high:
        return None, True
    return int(text), False


#: ``tháng`` as OCR misreads its vowel (``thủng``, ``thóng``), folded; replaced letter for letter.
_MONTH_WORD_SLIP = regex.compile(r"(?<=NGAY[^A-Z]{0,12})TH[UOE]NG(?![A-Z])")


def parse_long_date(text: str) -> tuple[DocumentDate, int, int] | None:
    """Find ``ngày .. tháng .. năm ....`` (parts may be blank) in ``text``; return it and its span.

    OCR's slips of the printed words (``thảng``, ``nãm``, missing spaces) are tolerated. A day or month
    blank that holds something other than digits (handwriting OCR'd as glyphs, ``ngày?3``) is left empty
    and the date flagged ``handwritten_unread``; an empty blank is flagged ``blank_empty``. The month and
    year are kept when only the day is unreadable.
    """
    folded = _MONTH_WORD_SLIP.sub("THANG", _fold_norm(text))
    match = _LONG_DATE.search(folded)
    if not match:
        return None
    day, day_unread = _blank_value(match["d"], 1, 31)
    month, month_unread = _blank_value(match["m"], 1, 12)
    year_text = (match["y"] or "").translate(_DIGIT_LOOKALIKES)
    year = int(year_text) if year_text.isdigit() and 1900 <= int(year_text) <= 2099 else None
    raw = text[match.start() : match.end()]
    date = make_date(raw, day, month, year)
    date.handwritten_unread = day_unread or month_unread
    date.blank_empty = (day is None and not day_unread) or (month is None and not month_unread)
    return date, match.start(), match.end()


# --------------------------------------------------------------------------------------------- place


#: ``<Place>, ngày`` whose date OCR could not read (a stamp printed over it): the place is still taken.
_PLACE_DATE_HEAD = regex.compile(r",\s*NGAY")


def _split_place(before_date: str) -> str | None:
    """The place printed before ``, ngày``: the trailing run of words that are not upper-case issuer text,
    snapped to the gazetteer when OCR missed it narrowly (:func:`.places.snap_place`)."""
    text = before_date.strip().rstrip(",").strip()
    if not text:
        return None
    words = text.split()
    keep: list[str] = []
    for word in reversed(words):
        letters = [c for c in word if c.isalpha()]
        if keep and letters and all(c.isupper() for c in letters) and len(letters) > 2:
            break
        keep.append(word)
    place = " ".join(reversed(keep)).strip(" ,")
    return snap_place(place) if place else None


def _place_without_date(piece: str) -> tuple[str, str] | None:
    """``(place, rest)`` of a ``<Place>, ngày …`` piece whose date is unreadable, or None: the place is
    at most five capitalised words and nothing but the place precedes it."""
    match = _PLACE_DATE_HEAD.search(_fold_norm(piece))
    if not match:
        return None
    words = piece[: match.start()].split()
    if not 1 <= len(words) <= 5 or not all(w[:1].isupper() or w[:1].isdigit() for w in words):
        return None
    place = _split_place(piece[: match.start()])
    return (place, piece[match.start() :].strip(" ,")) if place else None


# --------------------------------------------------------------------------------------------- header


#: Urgency, confidentiality and received-stamp marks in the header; never part of the issuer.
_HEADER_MARKS = regex.compile(
    r"^\W*(?:DU THAO|KHAN|THUONG KHAN|HOA TOC(?: HEN GIO)?|MAT|TOI MAT|TUYET MAT|(?:CONG VAN )?DEN)\W*$"
    r"|[CG]\s?[OÔ]NG\s+THONG\s+TI?N\s+DIEN\s+T[UƯ]|\bCONG\s+VAN\s+DEN\b"
)


@dataclass
class _HeaderParts:
    left: list[str] = field(default_factory=list)
    number: DocumentNumber | None = None
    place: str | None = None
    date: DocumentDate | None = None
    #: How many issuer lines preceded the số/ký hiệu (the issuer is printed above it).
    left_before_number: int | None = None
    other: list[str] = field(default_factory=list)


#: A header line cut after ``Số:`` or ``<Place>, ngày`` (columns OCR'd or laid out one word group a line).
_CUT_NUMBER = regex.compile(r"(?:^|\s)S[O0]\s*:?$")
_CUT_DATE = regex.compile(r",\s*NGAY[\s\d.…_]*$")
_NUMBER_GOES_ON = regex.compile(r"^[\d.…_\s]*/")
_DATE_GOES_ON = regex.compile(r"^[^A-Z]{0,8}TH[AUOE]NG\b")


def _joined_header_lines(lines: list[TextLine]) -> list[TextLine]:
    """The header's text lines; a ``Số:`` or ``<Place>, ngày`` line cut from what follows it is joined to
    the next line (``Số:`` / ``/KH-UBND``; ``Hà Nội, ngày`` / ``tháng 4 năm 2026``)."""
    kept = [line for line in lines if not (line.blank or line.noise)]
    joined: list[TextLine] = []
    for line in kept:
        if joined:
            last = joined[-1]
            folded = _fold_norm(line.text).strip()
            cut_number = _CUT_NUMBER.search(last.folded.rstrip()) and _NUMBER_GOES_ON.match(folded)
            cut_date = _CUT_DATE.search(last.folded.rstrip()) and _DATE_GOES_ON.match(folded)
            if cut_number or cut_date:
                joined[-1] = TextLine(text=f"{last.text.rstrip()} {line.text.strip()}", index=last.index)
                continue
        joined.append(line)
    return joined


def _header_parts(lines: list[TextLine]) -> _HeaderParts:
    parts = _HeaderParts()
    motto_seen = False
    for line in _joined_header_lines(lines):
        merged = bool(parts.left) and motto_seen and parts.number is None
        number_line = NUMBER_START.search(line.folded)
        if merged and is_upper_heading(line.text) and not national_title(line.text) and not number_line:
            # Issuer lines OCR'd beside the quốc hiệu and tiêu ngữ: an upper-case line of its own after
            # them is a stamp's name (``VĂN PHÒNG CHÍNH PHỦ`` over the date line), not the issuer.
            parts.other.append(line.text)
            continue
        motto_seen = motto_seen or bool(MOTTO.search(_fold_norm(line.text)))
        for piece in COLUMN_GAP.split(line.text):
            _take_header_piece(piece.strip(), parts)
    return parts


def _take_number(piece: str, parts: _HeaderParts) -> bool:
    """Take a ``Số: …`` piece (and what OCR printed beside it); whether there was one."""
    number_match = NUMBER_START.search(_fold_norm(piece))
    if not number_match:
        return False
    before = piece[: number_match.start()].strip()
    after = piece[number_match.end() :]
    span = number_span(after)
    if not span:
        return False
    if before and _fold_norm(before) in _FOLDED_KINDS:
        parts.other.append(before)  # "Luật số: 68/2014/QH13": the kind word is not issuer text
    else:
        _take_header_piece(before, parts)
    if parts.number is None:
        parts.number = parse_number(after[:span])
        parts.left_before_number = len(parts.left)
    _take_header_piece(after[span:].strip(), parts)
    return True


def _take_date(piece: str, parts: _HeaderParts) -> bool:
    """Take a ``<Place>, ngày … tháng … năm …`` piece; whether there was one."""
    found = parse_long_date(piece)
    if found is None or parts.date is not None:
        unreadable = _place_without_date(piece) if parts.date is None and parts.place is None else None
        if unreadable is None:
            return False
        parts.place, rest = unreadable
        parts.date = DocumentDate(raw=rest, handwritten_unread=True)
        return True
    date, start, end = found
    before = piece[:start]
    comma = before.rfind(",")
    place_text = before[:comma] if comma >= 0 else before
    place = _split_place(place_text)
    if place and parts.place is None:
        parts.place = place
        kept = place_text.rstrip(" ,").split()
        issuer_words = kept[: max(0, len(kept) - len(place.split()))]
        _take_header_piece(" ".join(issuer_words), parts)
    elif place_text.strip(" ,"):
        parts.other.append(place_text.strip(" ,"))
    parts.date = date
    _take_header_piece(piece[end:].strip(" ,.;"), parts)
    return True


def _take_header_piece(piece: str, parts: _HeaderParts) -> None:
    if not piece:
        return
    match = national_title(piece)
    if match:
        _take_header_piece(piece[: match.start()].strip(" -–"), parts)
        _take_header_piece(piece[match.end() :].strip(" -–"), parts)
        return
    if _take_number(piece, parts) or _take_date(piece, parts):
        return
    if is_upper_heading(piece) and not _HEADER_MARKS.search(_fold_norm(piece)):
        parts.left.append(piece)
    elif piece.strip(" -–_.,:;"):
        parts.other.append(piece)


#: Fixed words of issuing bodies' names (Nghị định 30/2020/NĐ-CP, Phụ lục I; the ministries' names), as
#: printed in capitals: OCR's wrong accents on them (``THÀNH PHÓ``) are put right letter for letter.
ISSUER_WORDS = (
    "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "THÀNH PHỐ", "THỊ XÃ", "THỊ TRẤN", "CHÍNH PHỦ", "THỦ TƯỚNG",
    "VĂN PHÒNG", "CÔNG AN", "CÔNG THƯƠNG", "TÀI CHÍNH", "XÂY DỰNG", "NỘI VỤ", "TƯ PHÁP", "QUỐC PHÒNG",
    "NGOẠI GIAO", "GIÁO DỤC VÀ ĐÀO TẠO", "KHOA HỌC VÀ CÔNG NGHỆ", "NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
    "NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "TÀI NGUYÊN VÀ MÔI TRƯỜNG", "KẾ HOẠCH VÀ ĐẦU TƯ",
    "GIAO THÔNG VẬN TẢI", "THÔNG TIN VÀ TRUYỀN THÔNG", "VĂN HÓA, THỂ THAO VÀ DU LỊCH",
    "LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "DÂN TỘC VÀ TÔN GIÁO", "NGÂN HÀNG NHÀ NƯỚC", "CỤC THUẾ",
    "TỔNG CỤC", "CHI CỤC", "BAN QUẢN LÝ", "THANH TRA", "BAN CHỈ ĐẠO", "TỈNH ỦY", "THÀNH ỦY", "HUYỆN ỦY",
)  # fmt: skip
_ISSUER_WORD_PATTERN = regex.compile(
    r"(?<![A-Z])(?:"
    + "|".join(
        regex.escape(fold(w)).replace(r"\ ", r"\s+") for w in sorted(ISSUER_WORDS, key=len, reverse=True)
    )
    + r")(?![A-Z])"
)
_ISSUER_WORD_FORMS = {" ".join(fold(w).split()): w for w in ISSUER_WORDS}
#: The unit word before a locality's name in an issuer (``THÀNH PHỐ HÀ NỘI``, ``TỈNH QUẢNG NGÃI``).
_LOCALITY_NAME = regex.compile(r"(?<![A-Z])(?:TINH|THANH PHO|HUYEN|QUAN|THI XA)\s+(?P<name>[A-Z][A-Z ]*)$")


def _repair_issuer(text: str) -> str:
    """An upper-case issuer with the accents of its fixed words and its locality's name put right when OCR
    read them wrong letter for letter (``THÀNH PHÓ HÀ NÓI`` → ``THÀNH PHỐ HÀ NỘI``); else as read."""
    if not is_upper_heading(text):
        return text
    folded = _fold_norm(text)
    out = text
    for match in _ISSUER_WORD_PATTERN.finditer(folded):
        read = text[match.start() : match.end()]
        canonical = _ISSUER_WORD_FORMS[" ".join(match.group().split())]
        if (
            read.isupper()
            and " ".join(read.split()) == read
            and spelling_key(read) != spelling_key(canonical)
        ):
            out = out[: match.start()] + canonical + out[match.end() :]
    locality = _LOCALITY_NAME.search(_fold_norm(out))
    if locality:
        name = out[locality.start("name") :]
        out = out[: locality.start("name")] + snap_place(name)
    return out


def _issuer_units(left: list[str]) -> list[str]:
    """The bodies named by the issuer lines, outermost first: a line goes on the one before when that one
    is a bare body word before its locality (``ỦY BAN NHÂN DÂN`` / ``THÀNH PHỐ HÀ NỘI``) or ends on a
    connective (``SỞ GIÁO DỤC VÀ`` / ``ĐÀO TẠO``), joined by a space."""
    units: list[str] = []
    for text in left:
        text = text.strip(" -–_")
        if not text:
            continue
        folded = _fold_norm(text)
        if units and (
            folded.startswith(("VA ", "& ", "- "))
            or _CONTINUED.search(_fold_norm(units[-1]))
            or (_BODY_ONLY.match(_fold_norm(units[-1])) and folded.startswith(_LOCALITY))
        ):
            units[-1] = f"{units[-1]} {text}"
        else:
            units.append(text)
    return [_repair_issuer(unit) for unit in units if not _stray_mark(unit)]


def _stray_mark(unit: str) -> bool:
    """Whether an issuer line is a stray mark, not a body: one short token that is no issuer code (a
    handwritten ``TTĐT`` routing note read ``THT``)."""
    words = unit.split()
    letters = [ch for ch in unit if ch.isalpha()]
    return len(words) == 1 and len(letters) <= 4 and fold(unit) not in _FOLDED_ISSUER_CODES
