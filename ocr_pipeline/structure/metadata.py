"""Administrative metadata of a Vietnamese document (Nghị định 30/2020/NĐ-CP layout).

Contract: :func:`extract_metadata` takes restored text and returns a :class:`DocumentMetadata`; fields
that cannot be found are None (never guessed).

The header fields (issuer, số/ký hiệu, place, date) are read by :mod:`.header`. The end zone holds the
recipients (``Nơi nhận:``) on the left and the signature block (``KT. CHỦ TỊCH`` / ``PHÓ CHỦ TỊCH`` /
name) on the right, possibly interleaved by OCR (read by :mod:`.closing`).
"""

from __future__ import annotations

import logging
import unicodedata

import regex

from vntext.fold import fold_upper as fold
from vntext.fold import fold_upper_nfc as _fold_norm

from .closing import clean_item, parse_end_zone
from .header import REFERENCE_TYPES, _header_parts, _issuer_units, make_date
from .header import parse_long_date as parse_long_date  # re-exported: callers of the metadata API
from .header import parse_number as parse_number  # re-exported
from .layout import (
    TextLine,
    Zones,
    clean_lines,
    find_zones,
)
from .model import DocumentMetadata, Reference
from .numbering import bullet

log = logging.getLogger(__name__)

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


# --------------------------------------------------------------------------------------------- references


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
