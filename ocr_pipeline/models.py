"""The document model: what the pipeline produces for one input (pages, texts, structure, record).

The page model of the image stages is :mod:`.imaging.page`; the structure's own types are
:mod:`.structure.model`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .imaging.page import PageImage
from .outputs.geometry import PageGeometry, WordBox
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
    #: Resolution of the source page raster (the scale of ``image_size`` and the word boxes).
    dpi: int | None = None
    #: (width, height) in pixels of the source page raster, as scanned (before turning and deskewing).
    image_size: tuple[int, int] | None = None
    #: The OCR words per line of ``raw_text``, boxes on the source page raster (the searchable PDF, ALTO and
    #: the review app read them; the JSON record holds them as ``{"line", "text", "box", "conf"}``).
    words: list[list[WordBox]] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (without the per-word confidences; the words one small object each)."""
        record = {k: v for k, v in asdict(self).items() if k not in ("line_confidences", "words")}
        if self.image_size is not None:
            record["image_size"] = list(self.image_size)
        if self.words is not None:
            record["words"] = [
                {"line": n, "text": w.text, "box": [w.left, w.top, w.width, w.height], "conf": w.confidence}
                for n, line in enumerate(self.words, start=1)
                for w in line
            ]
        return record

    @classmethod
    def from_page(cls, page: PageImage, source_size: tuple[int, int] | None = None) -> PageResult:
        """Summarise a processed :class:`PageImage`; ``source_size`` = (width, height) of the page as
        rasterised, before the image stages (default: the processed image's size)."""
        ocr = page.ocr
        ocr_size = (int(page.image.shape[1]), int(page.image.shape[0]))
        source_size = source_size or ocr_size
        words = None
        if ocr:
            geometry = PageGeometry(source_size, ocr_size, page.rotation, page.skew_degrees)
            lines = list(ocr.lines)
            while lines and not lines[0].text:  # raw_text is stripped of empty lines at both ends
                lines.pop(0)
            while lines and not lines[-1].text:
                lines.pop()
            words = [[geometry.word_box(w) for w in line.words] for line in lines]
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
            dpi=page.dpi,
            image_size=source_size,
            words=words,
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
        marks: Signature-overlay and stamp texts kept out of the fields.
        attachments: Documents issued with this one (a quyết định's kế hoạch), each with its own record.
        documents: When the file holds several documents, every one of them (the first is this record's
            own structure); empty for a file of one document.
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
    marks: list[str] = field(default_factory=list)
    attachments: list[Structure] = field(default_factory=list)
    documents: list[Structure] = field(default_factory=list)
    restoration: dict[str, Any] = field(default_factory=dict)
    signature: dict[str, Any] | None = None
    signatures: list[dict[str, Any]] = field(default_factory=list)
    legacy_text: str = ""
    source_fingerprint: str = ""
    vnocr_version: str = ""
    #: What the archive outputs are (``{"pdf": "PDF/A-2", "alto": "ALTO 4"}``) or why one was skipped.
    archive: dict[str, str] = field(default_factory=dict)

    @property
    def structure(self) -> Structure:
        """The structure part of the document (preamble, sections, metadata)."""
        return Structure(
            preamble=self.preamble,
            sections=self.sections,
            metadata=self.metadata,
            closing=self.closing,
            unassigned=self.unassigned,
            marks=self.marks,
            attachments=self.attachments,
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
            **self.structure.to_dict(),  # metadata, preamble, sections, closing, ... attachments
            "documents": [d.to_dict() for d in self.documents],
            "restoration": self.restoration,
            "signature": self.signature,
            "signatures": self.signatures,
            "legacy_text": self.legacy_text,
            **({"archive": self.archive} if self.archive else {}),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The document as JSON text (UTF-8, Vietnamese kept as is; see :func:`record_json`)."""
        return record_json(self.to_dict(), indent)

    def to_markdown(self) -> str:
        """The document as structured Markdown: metadata header, headings by level, lists."""
        return render_markdown(self.structure)


def record_json(record: dict[str, Any], indent: int | None = 2) -> str:
    """A document record as JSON text: indented, except that each page's OCR word is one line (the words
    outnumber everything else; one indented line per key would double the file)."""
    if indent is None:
        return json.dumps(record, ensure_ascii=False)
    pages = [dict(page) for page in record.get("pages") or []]
    words = {}
    for index, page in enumerate(pages):
        if page.get("words"):
            words[json.dumps(f"\0words of page {index}\0")] = page["words"]
            page["words"] = f"\0words of page {index}\0"
    text = json.dumps({**record, "pages": pages} if words else record, ensure_ascii=False, indent=indent)
    pad = " " * (indent * 4)
    for placeholder, items in words.items():
        lines = ",\n".join(pad + json.dumps(item, ensure_ascii=False) for item in items)
        text = text.replace(placeholder, "[\n" + lines + "\n" + " " * (indent * 3) + "]", 1)
    return text
