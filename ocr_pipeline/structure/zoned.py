"""Metadata read from the page zones found on the image (issue 20's layout analysis).

Each field is read from its own zone: issuer, số/ký hiệu and a công văn's ``V/v`` from ``header_left``;
place and date from ``header_right``; type and trích yếu from ``title``; recipients from ``closing_left``;
authority, position and name from ``closing_right``; Kính gửi and references from ``body``. A field that
its zone does not yield is left None here (:func:`.segment.segment_text` then takes the text-only reading).
"""

from __future__ import annotations

from collections.abc import Sequence

from .closing import name_from_mentions, parse_end_zone
from .header import _header_parts, _issuer_units
from .layout import TextLine, clean_lines
from .marks import strip_marks
from .metadata import _addressees, find_references
from .model import DocumentMetadata, Zone
from .title import title_from_zones, type_of_number, vv_title

FORM_FEED = "\f"


def zone_text(zones: Sequence[Zone], *kinds: str) -> str:
    """The texts of the zones of ``kinds``, in page order (pages separated by form feeds)."""
    pages: dict[int, list[str]] = {}
    for zone in zones:
        if zone.kind in kinds and zone.text.strip():
            pages.setdefault(zone.page, []).append(zone.text.strip("\n"))
    return FORM_FEED.join("\n".join(texts) for _, texts in sorted(pages.items()))


def _lines(zones: Sequence[Zone], marks: list[str], *kinds: str) -> list[TextLine]:
    lines = clean_lines(zone_text(zones, *kinds))
    marks += strip_marks(lines)
    return [line for line in lines if not line.blank and not line.noise]


def _take_vv(lines: list[TextLine]) -> list[TextLine]:
    """The left header lines before a công văn's ``V/v`` block (the block is the trích yếu)."""
    found = vv_title(lines)
    return lines[: found[0]] if found else lines


def metadata_from_zones(zones: Sequence[Zone]) -> tuple[DocumentMetadata, list[str], list[str]]:
    """Metadata read zone by zone.

    Args:
        zones: The page zones (any kinds; ``mark`` zones are marks, ``unknown`` ones are not read).

    Returns:
        (metadata, texts of the header and closing zones recognised as no field, mark texts).
    """
    meta = DocumentMetadata()
    marks: list[str] = [z.text.strip() for z in zones if z.kind == "mark" and z.text.strip()]
    header_left = _lines(zones, marks, "header_left")
    left_lines = _take_vv(header_left)
    left = _header_parts(left_lines)
    issuer_lines = left.left[: left.left_before_number] if left.left_before_number else left.left
    units = _issuer_units(issuer_lines)
    if units:
        meta.issuer = units[-1]
        meta.parent_body = units[-2] if len(units) >= 2 else None
    right = _header_parts(_lines(zones, marks, "header_right"))
    meta.number = left.number or right.number
    meta.place, meta.date = right.place or left.place, right.date or left.date
    leftovers = [*left.other, *right.other, *right.left]
    title_block = title_from_zones(zones, header_left, marks, type_of_number(meta.number))
    meta.doc_type, meta.title = title_block.doc_type, title_block.title
    body = _lines(zones, marks, "body")
    meta.references = find_references("\n".join(line.text for line in body))
    meta.addressees = _addressees(body)
    recipients, _, rest_left = parse_end_zone(_lines(zones, marks, "closing_left"))
    _, signer, rest_right = parse_end_zone(_lines(zones, marks, "closing_right"), signer_block=True)
    if signer is not None and signer.name is None and rest_right:
        mentioned = name_from_mentions(rest_right[-1], [*recipients, *(line.text for line in body)])
        if mentioned:
            signer.name, signer.name_source = mentioned, "mention"
            rest_right = rest_right[:-1]
    meta.recipients, meta.signer = recipients, signer
    return meta, [*leftovers, *rest_left, *rest_right], marks
