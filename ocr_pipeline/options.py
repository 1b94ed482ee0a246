"""Options of one document's processing, shared by the API, the batch runner and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .exceptions import BadArgumentsError

LANG_CHOICES = ("auto", "vie", "eng")


@dataclass(frozen=True)
class ProcessOptions:
    """How to process a document.

    Attributes:
        lang: Tesseract language: ``auto`` (``vie`` where installed, else ``eng``), ``vie`` or ``eng``.
        dpi: Rasterisation resolution for PDFs.
        page_timeout: Seconds allowed for OCR of one page (0 = no limit).
        orientation: Detect and fix 90/180/270 degree rotation.
        deskew: Detect and rotate out small skew angles.
        cleanup: Denoise / binarise pages before OCR.
        restore: Run diacritic restoration on the OCR text.
        segment: Run the section segmenter and metadata extraction.
        layout: Find the page's layout zones and marks, and OCR zone by zone (see :mod:`.imaging.reading`).
        force_ocr: OCR every page image, even where a born-digital PDF has a usable text layer.
        lexicon: Lexicon files of domain words and phrases restoration prefers (``--lexicon``).
        encoding: Encoding of ``.txt`` inputs: ``auto`` (UTF-8, or CP1258, TCVN3 or VNI when detected and
            converted, with a note in the page log), ``utf-8``, ``cp1258``, ``tcvn3`` or ``vni``.
    """

    lang: str = "auto"
    dpi: int = 300
    page_timeout: float = 180.0
    orientation: bool = True
    deskew: bool = True
    cleanup: bool = True
    restore: bool = True
    segment: bool = True
    layout: bool = True
    force_ocr: bool = False
    lexicon: tuple[Path, ...] = ()
    encoding: str = "auto"

    def __post_init__(self) -> None:
        if self.lang not in LANG_CHOICES:
            raise BadArgumentsError(f"--lang must be one of {', '.join(LANG_CHOICES)}, not {self.lang!r}")
        if not 50 <= self.dpi <= 1200:
            raise BadArgumentsError(f"--dpi must be between 50 and 1200, not {self.dpi}")
        if self.page_timeout < 0:
            raise BadArgumentsError("--page-timeout must not be negative")
        from .textio import check_encoding_choice

        object.__setattr__(self, "encoding", check_encoding_choice(self.encoding))
