"""The document model: what the pipeline produces for one input (pages, texts, structure, record).

The page model of the image stages is :mod:`.imaging.page`; the structure's own types are
:mod:`.structure.model`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .imaging.page import PageImage
from .render import render_markdown
from .structure.model import DocumentMetadata, Section, Structure


@dataclass
class PageResult:
    """What the JSON record keeps of one page."""

    number: int
    rotation: int = 0
    skew_degrees: float = 0.0
    mean_confidence: float | None = None
    lang: str | None = None
    raw_text: str = ""
    text: str = ""
    log: list[str] = field(default_factory=list)
    #: Where the text comes from: ``ocr`` (the page image) or ``text_layer`` (a born-digital PDF's text).
    source: str = "ocr"
    #: A PDF text layer that was not used (a scanner's hidden OCR without Vietnamese, say), kept as it was.
    legacy_text: str = ""
    #: Texts of annotations drawn over the page and left out of its text (signature box, typed notes).
    annotations: list[str] = field(default_factory=list)
    #: Layout zones in reading order: ``{"kind", "box": [x, y, w, h], "text"}`` (page text = their texts).
    zones: list[dict[str, Any]] = field(default_factory=list)
    #: Marks kept out of the text (stamps, seals, handwriting): ``{"kind", "box": [x, y, w, h]}``.
    marks: list[dict[str, Any]] = field(default_factory=list)
    #: Blanks left where handwriting could not be read reliably: ``{"zone", "line", "box"}``.
    blanks: list[dict[str, Any]] = field(default_factory=list)
    #: OCR word confidences per line of ``raw_text`` (passed to restoration; not written to the JSON record).
    line_confidences: list[list[float]] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (without the per-word confidences)."""
        record = asdict(self)
        record.pop("line_confidences")
        return record

    @classmethod
    def from_page(cls, page: PageImage) -> PageResult:
        """Summarise a processed :class:`PageImage`."""
        ocr = page.ocr
        layout = page.layout
        return cls(
            number=page.number,
            rotation=page.rotation,
            skew_degrees=round(page.skew_degrees, 3),
            mean_confidence=ocr.mean_confidence if ocr else None,
            lang=ocr.lang if ocr else None,
            raw_text=ocr.text if ocr else "",
            text=ocr.text if ocr else "",
            log=list(page.log),
            line_confidences=[[w.confidence for w in line.words] for line in ocr.lines] if ocr else None,
            zones=[z.to_dict() for z in layout.zones] if layout else [],
            marks=[m.to_dict() for m in layout.marks] if layout else [],
            blanks=list(layout.blanks) if layout else [],
        )


@dataclass
class Document:
    """A processed document: pages, restored text and structure.

    Attributes:
        source: Path of the input file, as given.
        pages: Per-page results (rotation, skew, OCR confidence, text).
        text: Restored plain text; pages separated by form feed (``\\f``).
        raw_text: Text before restoration (OCR output or the input text file).
        metadata: Administrative metadata (số/ký hiệu, cơ quan, ngày, ...).
        sections: The numbered section tree.
        preamble: Paragraphs before the first numbered section (căn cứ / thực hiện ...).
        closing: The closing paragraph (``Trên đây là ...``) between the last section and ``Nơi nhận``.
        unassigned: Header and end-zone texts recognised as no metadata field (kept, never dropped).
        restoration: Summary of what restoration changed (counts, flagged tokens).
        signature: The PDF's digital signature shown on the page (signer, signing time, ...), if any.
        signatures: Every digital signature of the PDF (a registered number or date can be signed too).
        legacy_text: Text layers found in the PDF but not used (pages separated by form feed; empty if none).
    """

    source: str
    pages: list[PageResult] = field(default_factory=list)
    text: str = ""
    raw_text: str = ""
    metadata: DocumentMetadata = field(default_factory=DocumentMetadata)
    sections: list[Section] = field(default_factory=list)
    preamble: str = ""
    closing: str = ""
    unassigned: list[str] = field(default_factory=list)
    restoration: dict[str, Any] = field(default_factory=dict)
    signature: dict[str, Any] | None = None
    signatures: list[dict[str, Any]] = field(default_factory=list)
    legacy_text: str = ""
    source_fingerprint: str = ""
    vnocr_version: str = ""

    @property
    def structure(self) -> Structure:
        """The structure part of the document (preamble, sections, metadata)."""
        return Structure(
            preamble=self.preamble,
            sections=self.sections,
            metadata=self.metadata,
            closing=self.closing,
            unassigned=self.unassigned,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (the ``x.json`` record of the batch)."""
        return {
            "source": self.source,
            "source_fingerprint": self.source_fingerprint,
            "vnocr_version": self.vnocr_version,
            "pages": [p.to_dict() for p in self.pages],
            "text": self.text,
            "raw_text": self.raw_text,
            "metadata": self.metadata.to_dict(),
            "preamble": self.preamble,
            "sections": [s.to_dict() for s in self.sections],
            "closing": self.closing,
            "unassigned": self.unassigned,
            "restoration": self.restoration,
            "signature": self.signature,
            "signatures": self.signatures,
            "legacy_text": self.legacy_text,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The document as JSON text (UTF-8, Vietnamese kept as is)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def to_markdown(self) -> str:
        """The document as structured Markdown: metadata header, headings by level, lists."""
        return render_markdown(self.structure)
