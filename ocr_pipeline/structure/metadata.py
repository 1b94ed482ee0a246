"""Administrative metadata of a Vietnamese document (Nghị định 30/2020/NĐ-CP layout).

Contract: :func:`extract_metadata` takes restored text and returns a :class:`DocumentMetadata`; fields
that cannot be found are None (never guessed).

The header zone of an administrative document is printed in two columns: on the left the parent body
and the issuer (``UBND HUYỆN CHI LĂNG`` / ``ỦY BAN NHÂN DÂN XÃ BẰNG MẠC``) and the số/ký hiệu
(``Số: 123/KH-UBND``); on the right the quốc hiệu, the tiêu ngữ and the place and date. OCR gives the two
columns either interleaved on one line (with or without a wide gap) or one after the other; both are split
here by recognising the right column's fixed texts. The end zone holds the recipients (``Nơi nhận:``) on the
left and the signature block (``KT. CHỦ TỊCH`` / ``PHÓ CHỦ TỊCH`` / name) on the right, again possibly
interleaved (read by :mod:`.closing`).
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from dataclasses import dataclass, field

import regex

from vntext.fold import fold_upper as fold

from .closing import clean_item, parse_end_zone
from .layout import (
    COLUMN_GAP,
    DATE_BLANK,
    DATE_LONG,
    DOC_TYPES,
    MOTTO,
    NUMBER_START,
    TextLine,
    Zones,
    clean_lines,
    find_zones,
    national_title,
)
from .model import DocumentDate, DocumentMetadata, DocumentNumber, Reference
from .numbering import bullet, is_upper_heading

log = logging.getLogger(__name__)

#: Type codes of Phụ lục III, Nghị định 30/2020/NĐ-CP (plus the legal-document codes met in references).
TYPE_CODES = frozenset(
    {
        "NQ",
        "QĐ",
        "CT",
        "QC",
        "QYĐ",
        "QyĐ",
        "TC",
        "TB",
        "HD",
        "CTR",
        "CTr",
        "KH",
        "PA",
        "ĐA",
        "DA",
        "BC",
        "BB",
        "TTR",
        "TTr",
        "HĐ",
        "CĐ",
        "BGN",
        "BTT",
        "GUQ",
        "GM",
        "GGT",
        "GNP",
        "PG",
        "PC",
        "PB",
        "TT",
        "TTLT",
        "NĐ",
        "L",
        "PL",
        "KL",
    }
)
_FOLDED_TYPE_CODES = frozenset(fold(c) for c in TYPE_CODES)
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
_REF_ALTERNATION = "|".join(
    regex.escape(fold(t)).replace(r"\ ", r"\s+") for t in sorted(REFERENCE_TYPES, key=len, reverse=True)
)
_REFERENCE = regex.compile(
    rf"(?<![A-Z])(?P<type>{_REF_ALTERNATION})\s+SO\s*:?\s*"
    r"(?P<num>\d+(?:\s?/\s?(?:19|20)\d{2})?\s?/\s?[A-Z][A-Z0-9&.\-]*[A-Z0-9]|\d+-[A-Z]{1,4}/[A-Z]{1,4})"
)
_REF_DATE_SHORT = regex.compile(
    r"^\s*,?\s*(?:\(?\s*)?NGAY\s+(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"
)
_REF_DATE_LONG = regex.compile(
    r"^\s*,?\s*NGAY\s+(?P<d>\d{1,2})\s+THANG\s+(?P<m>\d{1,2})\s+NAM\s+(?P<y>\d{4})"
)
_REF_ISSUER = regex.compile(r"^\s*CUA\s+(?P<issuer>[^,;:()\n]+)")
_ISSUER_STOP = regex.compile(
    r"\s(?:VE|HUONG DAN|THUC HIEN|QUY DINH|BAN HANH|V/V|VIEC|PHE DUYET|TRIEN KHAI|NAM \d{4})(?:\s|$)"
)
_NUMBER_TOKEN = regex.compile(
    r"^\s*(?P<num>[\d.…_ ]*?)\s*(?:/\s*(?P<year>(?:19|20)\d{2})\s*)?"
    r"/\s*(?P<codes>[A-Za-zĐđ&][\wĐđ&.\-]*[\wĐđ])"
)
_PARTY_NUMBER = regex.compile(r"^(?P<num>\d+)-(?P<type>[A-Za-zĐđ]{1,4})/(?P<issuer>[A-Za-zĐđ]{1,6})$")
_LOCALITY = ("TINH ", "HUYEN ", "XA ", "THANH PHO ", "PHUONG ", "THI TRAN ", "QUAN ", "THI XA ", "TP ", "TP.")
_BODY_ONLY = regex.compile(r"^(?:UY BAN NHAN DAN|UBND|HOI DONG NHAN DAN|HDND|BAN CHI DAO|DANG UY|DANG BO)$")


# --------------------------------------------------------------------------------------------- parts


def _fold_norm(text: str) -> str:
    return fold(unicodedata.normalize("NFC", text))


_KY_HIEU = regex.compile(
    r"/\s*(?:(?P<year>(?:19|20)\d{2})\s*/\s*)?(?P<codes>[A-Za-zĐđ](?:[\wĐđ&.]|-[\s-]*)*[\wĐđ])"
)


def parse_number(raw: str) -> DocumentNumber | None:
    """Parse a số/ký hiệu (``28/KH-SLĐTBXH``, ``/KH-UBND``, ``56/2017/NĐ-CP``, ``631/UBND-LĐTBXH``).

    The part before the ký hiệu is the number blank: read when it is plainly digits; when it holds
    something else (handwriting OCR'd as glyphs, ``#2``) the number is left empty and flagged
    ``handwritten_unread``.

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
    raw_clean = (digits or "") + (f"/{year}" if year else "") + "/" + codes
    head, _, tail = codes.partition("-")
    number = DocumentNumber(raw=raw_clean, number=digits or None, year=year, handwritten_unread=unread)
    if fold(head) in _FOLDED_TYPE_CODES and tail:
        number.type_code, number.issuer_code = head, tail
    elif fold(head) in _FOLDED_TYPE_CODES and not tail:
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


def make_date(raw: str, day: int | None, month: int | None, year: int | None) -> DocumentDate:
    """A :class:`DocumentDate` with an ISO form when all parts are present and valid."""
    iso = None
    if day and month and year:
        try:
            iso = dt.date(year, month, day).isoformat()
        except ValueError:
            iso = None
    return DocumentDate(raw=raw.strip(), day=day, month=month, year=year, iso=iso)


def parse_long_date(text: str) -> tuple[DocumentDate, int, int] | None:
    """Find ``ngày .. tháng .. năm ....`` (parts may be blank) in ``text``; return it and its span.

    A day or month blank that holds something other than digits (handwriting OCR'd as glyphs,
    ``ngày?3``) is left empty and the date flagged ``handwritten_unread``.
    """
    folded = _fold_norm(text)
    match = DATE_LONG.search(folded)
    if not match:
        return None
    span = match.group(0)
    parts = regex.match(rf"NGAY(?P<d>{DATE_BLANK})THANG(?P<m>{DATE_BLANK})NAM\s*(?P<y>\d{{4}})?", span)
    if not parts:
        parts = regex.match(r"NGAY\s+(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})", span)
    if not parts:
        return None
    unread = False

    def num(s: str | None) -> int | None:
        nonlocal unread
        blank = regex.sub(r"[\s._…/-]", "", s or "")
        if blank and not blank.isdigit():
            unread = True
            return None
        return int(blank) if blank else None

    day, month, year = num(parts["d"]), num(parts["m"]), num(parts["y"])
    if day is not None and not 1 <= day <= 31:
        day, unread = None, True
    if month is not None and not 1 <= month <= 12:
        month, unread = None, True
    raw = text[match.start() : match.end()]
    date = make_date(raw, day, month, year)
    date.handwritten_unread = unread
    return date, match.start(), match.end()


def find_references(text: str) -> list[Reference]:
    """Documents cited as ``<kind> số <số/ký hiệu> [ngày dd/mm/yyyy] [của <issuer>]``, in order, deduplicated.

    Args:
        text: Any text; line breaks and Markdown marks are tolerated.

    Returns:
        The references found.
    """
    flat = regex.sub(r"\s+", " ", unicodedata.normalize("NFC", text).replace("**", "").replace("*", ""))
    folded = fold(flat)
    canonical = {fold(t): t for t in REFERENCE_TYPES}
    found: list[Reference] = []
    seen: set[tuple[str, str]] = set()
    for match in _REFERENCE.finditer(folded):
        doc_type = canonical.get(regex.sub(r"\s+", " ", match["type"]))
        number = regex.sub(r"\s", "", flat[match.start("num") : match.end("num")])
        end = match.end()
        date = None
        after = folded[end : end + 60]
        dmatch = _REF_DATE_SHORT.match(after) or _REF_DATE_LONG.match(after)
        if dmatch:
            raw = flat[end + dmatch.start() : end + dmatch.end()].strip(" ,(")
            date = make_date(raw, int(dmatch["d"]), int(dmatch["m"]), int(dmatch["y"]))
            end += dmatch.end()
        issuer = None
        imatch = _REF_ISSUER.match(folded[end : end + 120])
        if imatch:
            seg_start = end + imatch.start("issuer")
            seg = folded[seg_start : end + imatch.end("issuer")]
            stop = _ISSUER_STOP.search(seg)
            seg_len = stop.start() if stop else len(seg)
            issuer = flat[seg_start : seg_start + seg_len].strip(" .") or None
            end = seg_start + seg_len
        key = (doc_type or "", number)
        if key in seen:
            continue
        seen.add(key)
        found.append(
            Reference(
                raw=flat[match.start() : end].strip(),
                doc_type=doc_type,
                number=number,
                date=date,
                issuer=issuer,
            )
        )
    return found


# --------------------------------------------------------------------------------------------- header


#: Urgency and confidentiality marks stamped in the header; never part of the issuer.
_HEADER_MARKS = regex.compile(
    r"^\W*(?:DU THAO|KHAN|THUONG KHAN|HOA TOC(?: HEN GIO)?|MAT|TOI MAT|TUYET MAT)\W*$"
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


def _split_place(before_date: str) -> str | None:
    """The place printed before ``, ngày``: the trailing run of words that are not upper-case issuer text."""
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
    return place or None


def _header_parts(lines: list[TextLine]) -> _HeaderParts:
    parts = _HeaderParts()
    motto_seen = False
    for line in lines:
        if line.blank or line.noise:
            continue
        merged = bool(parts.left) and motto_seen and parts.number is None
        if merged and is_upper_heading(line.text) and not national_title(line.text):
            # Issuer lines OCR'd beside the quốc hiệu and tiêu ngữ: an upper-case line of its own after
            # them is a stamp's name (``VĂN PHÒNG CHÍNH PHỦ`` over the date line), not the issuer.
            parts.other.append(line.text)
            continue
        motto_seen = motto_seen or bool(MOTTO.search(_fold_norm(line.text)))
        for piece in COLUMN_GAP.split(line.text):
            _take_header_piece(piece.strip(), parts)
    return parts


def _take_header_piece(piece: str, parts: _HeaderParts) -> None:
    if not piece:
        return
    folded = _fold_norm(piece)
    match = national_title(piece)
    if match:
        _take_header_piece(piece[: match.start()].strip(" -–"), parts)
        _take_header_piece(piece[match.end() :].strip(" -–"), parts)
        return
    number_match = NUMBER_START.search(folded)
    if number_match:
        before = piece[: number_match.start()].strip()
        after = piece[number_match.end() :]
        span = number_span(after)
        if span:
            if before and _fold_norm(before) in _FOLDED_KINDS:
                parts.other.append(before)  # "Luật số: 68/2014/QH13": the kind word is not issuer text
            else:
                _take_header_piece(before, parts)
            if parts.number is None:
                parts.number = parse_number(after[:span])
                parts.left_before_number = len(parts.left)
            _take_header_piece(after[span:].strip(), parts)
            return
    found = parse_long_date(piece)
    if found and parts.date is None:
        date, start, end = found
        before = piece[:start]
        comma = before.rfind(",")
        place_text = before[:comma] if comma >= 0 else before
        place = _split_place(place_text)
        if place and parts.place is None:
            parts.place = place
            issuer_text = place_text[: place_text.rfind(place)].strip() if place in place_text else ""
            _take_header_piece(issuer_text, parts)
        elif place_text.strip(" ,"):
            parts.other.append(place_text.strip(" ,"))
        parts.date = date
        _take_header_piece(piece[end:].strip(" ,.;"), parts)
        return
    if is_upper_heading(piece) and not _HEADER_MARKS.match(folded):
        parts.left.append(piece)
    elif piece.strip(" -–_.,:;"):
        parts.other.append(piece)


def _issuer_units(left: list[str]) -> list[str]:
    units: list[str] = []
    for text in left:
        text = text.strip(" -–_")
        if not text:
            continue
        folded = _fold_norm(text)
        if units and (
            folded.startswith(("VA ", "& ", "- "))
            or (_BODY_ONLY.match(_fold_norm(units[-1])) and folded.startswith(_LOCALITY))
        ):
            units[-1] = f"{units[-1]} {text}"
        else:
            units.append(text)
    return units


# --------------------------------------------------------------------------------------------- entry


def _addressees(lines: list[TextLine]) -> list[str]:
    """``Kính gửi:`` items of a công văn or tờ trình (within the first lines of the body)."""
    items: list[str] = []
    collecting = False
    for line in lines[:40]:
        if line.blank:
            if collecting and items:
                break
            continue
        folded = line.folded
        if folded.startswith("KINH GUI"):
            collecting = True
            rest = line.text[len("Kính gửi") :].lstrip(" :")
            if rest:
                items.append(rest)
            continue
        if collecting:
            if bullet(line.text) is not None:
                items.append(line.text)
            elif items and not items[-1].rstrip().endswith((";", ".")):
                items[-1] = f"{items[-1]} {line.text}"
            else:
                break
    return [c for c in (clean_item(i) for i in items) if c]


def metadata_from_lines(lines: list[TextLine], zones: Zones) -> tuple[DocumentMetadata, list[str]]:
    """Metadata from cleaned lines and their zones; also the header and end-zone texts not recognised."""
    meta = DocumentMetadata()
    header_lines = [lines[i] for i in zones.header if i != zones.type_line and i not in zones.title_lines]
    parts = _header_parts(header_lines)
    left = parts.left[: parts.left_before_number] if parts.left_before_number else parts.left
    units = _issuer_units(left)
    if units:
        meta.issuer = units[-1]
        meta.parent_body = units[-2] if len(units) >= 2 else None
    meta.number, meta.place, meta.date = parts.number, parts.place, parts.date
    meta.doc_type = zones.doc_type
    title_texts = [zones.title_prefix] if zones.title_prefix else []
    title_texts += [lines[i].text for i in zones.title_lines]
    title = regex.sub(r"\s+", " ", " ".join(title_texts)).strip()
    if title and _fold_norm(title).startswith("V/V"):
        title = title[3:].strip()
        if meta.doc_type is None:
            meta.doc_type = "CÔNG VĂN"
    meta.title = title or None
    body_text = "\n".join(lines[i].text for i in range(zones.body.start, zones.closing.stop))
    meta.references = find_references(body_text)
    meta.addressees = _addressees([lines[i] for i in zones.body])
    recipients, signer, leftovers = parse_end_zone([lines[i] for i in zones.end])
    meta.recipients, meta.signer = recipients, signer
    unused_left = parts.left[len(left) :]
    return meta, [*parts.other, *unused_left, *leftovers]


def extract_metadata(text: str) -> DocumentMetadata:
    """Extract the metadata of a document from its (restored) text.

    Args:
        text: Plain text of the whole document.

    Returns:
        The metadata found; missing fields are None.
    """
    lines = clean_lines(text)
    meta, _ = metadata_from_lines(lines, find_zones(lines))
    return meta
