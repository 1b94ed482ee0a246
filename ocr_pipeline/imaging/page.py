"""The page as it travels through the image stages.

A page is a :class:`PageImage` (each stage takes one and returns a new one, never mutating its input); the
OCR stage attaches a :class:`PageOcr` of lines and words with their boxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np


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


@dataclass(frozen=True)
class Zone:
    """A layout zone of a page: its kind (``header_left``, ``body``, ...), box and text in reading order."""

    kind: str
    box: tuple[int, int, int, int]  # x, y, width, height in pixels of the processed page image
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"kind": self.kind, "box": list(self.box), "text": self.text}


@dataclass(frozen=True)
class Mark:
    """Something on the page that is not its printed text: a stamp, a seal, handwriting."""

    kind: str
    box: tuple[int, int, int, int]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"kind": self.kind, "box": list(self.box)}


@dataclass(frozen=True)
class PageLayout:
    """The layout found on a page: zones in reading order, marks kept out of the text, unread blanks."""

    zones: tuple[Zone, ...] = ()
    marks: tuple[Mark, ...] = ()
    blanks: tuple[dict[str, Any], ...] = ()


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
        measured_skew: Skew of ``image`` as it is now, measured by an earlier stage (orientation) and not yet
            rotated out; None when nobody measured it.
        ocr: The OCR result, once the OCR stage has run.
        log: Short notes from each stage about what it did (for the JSON record and debugging).
        pre_cleanup: The image before the cleanup stage (for the OCR stage's fallback); None otherwise.
        layout: Zones and marks found by the layout stage (None when it did not run).
    """

    number: int
    image: np.ndarray
    dpi: int = 300
    rotation: int = 0
    skew_degrees: float = 0.0
    measured_skew: float | None = None
    ocr: PageOcr | None = None
    log: tuple[str, ...] = ()
    pre_cleanup: np.ndarray | None = field(default=None, repr=False)
    layout: PageLayout | None = None

    def evolve(self, note: str | None = None, **changes: Any) -> PageImage:
        """Return a copy with ``changes`` applied and ``note`` appended to the log."""
        if note:
            changes["log"] = (*self.log, note)
        return replace(self, **changes)
