"""The typed record of a document's structure: its metadata fields and its numbered section tree.

Data only: :mod:`.segment` and :mod:`.metadata` fill these in from text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class DocumentNumber:
    """Số/ký hiệu, e.g. ``Số: 28/KH-UBND`` -> number "28", type_code "KH", issuer_code "UBND".

    A công văn has no type code: ``Số: 631/UBND-LĐTBXH`` -> issuer_code "UBND", unit_code "LĐTBXH" (the
    drafting unit). A number left blank for the date of signing (``Số: /KH-UBND``) has ``number`` None.
    """

    raw: str
    number: str | None = None
    year: str | None = None
    type_code: str | None = None
    issuer_code: str | None = None
    unit_code: str | None = None
    #: The blank before the ký hiệu holds something that is not plainly digits (handwriting OCR'd as
    #: glyphs): ``number`` is left empty rather than guessed.
    handwritten_unread: bool = False


@dataclass
class DocumentDate:
    """A date as printed, with its parts (any of which may be blank in a draft) and ISO form."""

    raw: str
    day: int | None = None
    month: int | None = None
    year: int | None = None
    iso: str | None = None
    #: The day or month blank holds something that is not plainly digits (handwriting OCR'd as glyphs):
    #: that part is left empty rather than guessed.
    handwritten_unread: bool = False
    #: The day or month blank holds nothing (a hand OCR did not see, or a draft not yet dated).
    blank_empty: bool = False
    #: Where a part not read on the page comes from: ``"digital_signature"`` (the month and year of the
    #: PDF's signing, :mod:`.signing`); None when every part is as printed.
    date_source: str | None = None


@dataclass
class Reference:
    """A document referred to in the text, e.g. ``Kế hoạch số 169/KH-UBND ngày 14/5/2024``."""

    raw: str
    doc_type: str | None = None
    number: str | None = None
    date: DocumentDate | None = None
    issuer: str | None = None


@dataclass
class Signer:
    """The signature block: authority (TM./KT./TL./TUQ./Q.), position and name.

    Attributes:
        authority: The signing authority nearest the signer, without its dot (``"KT"``).
        on_behalf_of: What the authority line names (``"CHỦ TỊCH"`` in ``KT. CHỦ TỊCH``).
        position: The signer's own position (``"PHÓ CHỦ TỊCH"``).
        name: The signer's name.
        chain: Every authority line as printed, outermost first (``["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]``).
        name_source: Where the name comes from when not from the printed name line: ``"mention"`` (the
            line was damaged; the document prints the same name elsewhere, e.g. in its Nơi nhận) or
            ``"digital_signature"`` (the PDF's signature certificate names the person) or ``"review"`` (a
            reviewer typed it in ``vnocr review``).
    """

    authority: str | None = None
    on_behalf_of: str | None = None
    position: str | None = None
    name: str | None = None
    chain: list[str] = field(default_factory=list)
    name_source: str | None = None


@dataclass
class DocumentMetadata:
    """Metadata fields of an administrative document; None where not found.

    Attributes:
        issuer: The issuing body as printed (``ỦY BAN NHÂN DÂN XÃ BẰNG MẠC``).
        parent_body: The body above the issuer, printed above it (``UBND HUYỆN CHI LĂNG``).
        number: Số/ký hiệu.
        place: Place of issue (``Bằng Mạc``).
        date: Date of issue.
        doc_type: Document type (``KẾ HOẠCH``, ``QUYẾT ĐỊNH``; ``CÔNG VĂN`` for a công văn, recognised by
            its ``V/v`` trích yếu).
        title: Trích yếu (the ``V/v`` of a công văn without its prefix).
        references: Documents cited with a số/ký hiệu, in order of first mention.
        signer: The signature block.
        recipients: Nơi nhận items, without bullets and trailing punctuation.
        addressees: Kính gửi items (công văn, tờ trình).
    """

    issuer: str | None = None
    parent_body: str | None = None
    number: DocumentNumber | None = None
    place: str | None = None
    date: DocumentDate | None = None
    doc_type: str | None = None
    title: str | None = None
    references: list[Reference] = field(default_factory=list)
    signer: Signer | None = None
    recipients: list[str] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


@dataclass
class ListItem:
    """A ``-`` or ``+`` list item inside a section, with nested items."""

    marker: str
    text: str
    items: list[ListItem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"marker": self.marker, "text": self.text, "items": [i.to_dict() for i in self.items]}


@dataclass
class Section:
    """A numbered section: ``{label, kind, level, title, body, items, children}``.

    Attributes:
        label: The numbering without its trailing dot, OCR slips repaired (``"II"``, ``"1.2"``, ``"a"``).
        kind: ``part|chapter|section|article|roman|number|decimal|letter`` (``section`` is a ``Mục``;
            an upper-case ``A.`` heading of a report is a ``part``).
        level: Depth in the tree, 1 for top-level sections.
        title: Heading text up to the first colon, else its first sentence (never empty when the
            numbered line has text).
        body: The rest of the heading paragraph and the section's other paragraphs (``\\n\\n`` between).
        items: ``-``/``+`` list items.
        children: Sub-sections.
        printed: The marker as printed (``"11."``, ``"Điều 3."``); not part of the JSON node.
    """

    label: str
    kind: str
    level: int
    title: str
    body: str = ""
    items: list[ListItem] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    printed: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "label": self.label,
            "kind": self.kind,
            "level": self.level,
            "title": self.title,
            "body": self.body,
            "items": [i.to_dict() for i in self.items],
            "children": [c.to_dict() for c in self.children],
        }

    def walk(self) -> list[tuple[tuple[str, ...], Section]]:
        """This section and its descendants with their label paths, in document order."""
        out: list[tuple[tuple[str, ...], Section]] = [((self.label,), self)]
        for child in self.children:
            out += [((self.label, *path), node) for path, node in child.walk()]
        return out


#: Kinds of page zones found on the image (the image side's layout analysis).
ZONE_KINDS = (
    "header_left",
    "header_right",
    "title",
    "body",
    "closing_left",
    "closing_right",
    "mark",
    "unknown",
)


@dataclass
class Zone:
    """A layout zone of a page found on the image: its kind (one of :data:`ZONE_KINDS`), its text in
    reading order and its 1-based page."""

    kind: str
    text: str
    page: int = 1


@dataclass
class Structure:
    """Preamble, sections, closing paragraph and metadata of a document.

    Attributes:
        preamble: Paragraphs between the title and the first section (căn cứ / thực hiện ...).
        sections: The section tree.
        metadata: Administrative metadata.
        closing: The closing paragraph(s) (``Trên đây là ...``) between the last section and ``Nơi nhận``.
        unassigned: Texts of the end zone recognised as neither recipients nor signer (stamp noise,
            ``(Đã ký)``); kept so that nothing is dropped.
        marks: Texts that are marks on the page rather than the document's text: digital-signature
            overlays (``Người ký:``, ``Thời gian ký:``), received stamps (``ĐẾN``, ``Giờ:``), ``HỎA TỐC``.
        attachments: Documents issued with this one (the Kế hoạch or Quy định a Quyết định issues), each
            with its own metadata and sections.
    """

    preamble: str = ""
    sections: list[Section] = field(default_factory=list)
    metadata: DocumentMetadata = field(default_factory=DocumentMetadata)
    closing: str = ""
    unassigned: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    attachments: list[Structure] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "metadata": self.metadata.to_dict(),
            "preamble": self.preamble,
            "sections": [s.to_dict() for s in self.sections],
            "closing": self.closing,
            "unassigned": self.unassigned,
            "marks": self.marks,
            "attachments": [a.to_dict() for a in self.attachments],
        }

    def walk(self) -> list[tuple[tuple[str, ...], Section]]:
        """Every section with its label path, in document order."""
        return [pair for s in self.sections for pair in s.walk()]
