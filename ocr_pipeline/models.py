"""Typed objects that flow through the pipeline.

A page travels through the image stages as a :class:`PageImage` (each stage takes one and returns a new
one, never mutating its input); OCR attaches a :class:`PageOcr`; the document-level stages (restoration,
segmentation) produce the final :class:`Document`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from .metadata import DocumentMetadata
from .segment import Section, Structure, render_markdown


@dataclass(frozen=True)
class OcrWord:
    """One word as Tesseract saw it.

    Attributes:
        text: The recognised characters.
        confidence: Tesseract's word confidence, 0-100.
        left, top, width, height: Bounding box in pixels of the processed page image.
        block, paragraph, line: Tesseract's layout indices (reading order).
    """

    text: str
    confidence: float
    left: int = 0
    top: int = 0
    width: int = 0
    height: int = 0
    block: int = 0
    paragraph: int = 0
    line: int = 0


@dataclass(frozen=True)
class OcrLine:
    """A line of words in reading order."""

    words: tuple[OcrWord, ...]

    @property
    def text(self) -> str:
        """The words joined by single spaces."""
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class PageOcr:
    """The OCR result of one page.

    Attributes:
        lines: Lines in reading order. A line with no words marks a paragraph break.
        lang: The Tesseract language(s) used, e.g. ``"vie"`` or ``"eng"``.
        engine: Engine name and version, e.g. ``"tesseract 5.3.0"``.
    """

    lines: tuple[OcrLine, ...]
    lang: str
    engine: str = "tesseract"

    @property
    def words(self) -> list[OcrWord]:
        """All words of the page in reading order."""
        return [w for line in self.lines for w in line.words]

    @property
    def mean_confidence(self) -> float | None:
        """Mean word confidence (0-100), or None for a page without words."""
        confs = [w.confidence for w in self.words if w.confidence >= 0]
        return round(float(np.mean(confs)), 2) if confs else None

    @property
    def text(self) -> str:
        """Plain text: one line per OCR line, an empty line between paragraphs."""
        return "\n".join(line.text for line in self.lines).strip("\n")


@dataclass(frozen=True, eq=False)
class PageImage:
    """A page image travelling through the image stages.

    Attributes:
        number: 1-based page number within the source document.
        image: Grayscale image, ``uint8``, shape (height, width).
        dpi: Resolution the image was rasterised at (or read from the file).
        rotation: Clockwise rotation in degrees (0/90/180/270) applied to upright the page.
        skew_degrees: Skew angle found on the page, in degrees (positive = counter-clockwise
            text baseline), already rotated out of ``image``.
        ocr: The OCR result, once the OCR stage has run.
        log: Short notes from each stage about what it did (for the JSON record and debugging).
        pre_cleanup: The image before the cleanup stage (for the OCR stage's fallback); None otherwise.
    """

    number: int
    image: np.ndarray
    dpi: int = 300
    rotation: int = 0
    skew_degrees: float = 0.0
    ocr: PageOcr | None = None
    log: tuple[str, ...] = ()
    pre_cleanup: np.ndarray | None = field(default=None, repr=False)

    def evolve(self, note: str | None = None, **changes: Any) -> PageImage:
        """Return a copy with ``changes`` applied and ``note`` appended to the log."""
        if note:
            changes["log"] = (*self.log, note)
        return replace(self, **changes)


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
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The document as JSON text (UTF-8, Vietnamese kept as is)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def to_markdown(self) -> str:
        """The document as structured Markdown: metadata header, headings by level, lists."""
        return render_markdown(self.structure)
