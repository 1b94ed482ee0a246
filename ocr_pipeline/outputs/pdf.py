"""The searchable PDF ``x.pdf``: the input's page images untouched, the restored words as invisible text.

OCRmyPDF does the PDF work (rasterising for page geometry, rendering the text layer with its font, grafting
it onto each page without touching the page's images, PDF/A-2 conversion and the XMP metadata); vnocr is its
OCR engine (:mod:`.pdf_engine`), giving it the restored words at their OCR boxes (:mod:`.words`). Inputs
that already have text (born-digital PDFs, or PDFs with an earlier OCR layer) are not rewritten.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..models import Document
from ..textio import atomic_write_bytes
from .words import place_page

log = logging.getLogger(__name__)

PDF_SUFFIXES = frozenset({".pdf"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})


@dataclass(frozen=True)
class PdfOutcome:
    """What :func:`write_pdf` did: ``written`` (PDF/A or plain) or ``skipped`` with the reason."""

    status: str
    kind: str = ""
    reason: str = ""


def layout_record(doc: Document) -> dict[str, Any]:
    """The layout file the OCR engine plugin reads: per page its size, restored text and placed lines."""
    pages: list[dict[str, Any] | None] = []
    for page in doc.pages:
        if not page.words or page.image_size is None:
            pages.append(None)
            continue
        lines = []
        for line in place_page(page):
            words = [
                [w.text, w.box.confidence, w.box.left, w.box.top, w.box.width, w.box.height]
                for w in line.words
            ]
            lines.append({"block": line.block, "box": list(line.box), "words": words})
        record = {"size": list(page.image_size), "text": page.text, "lines": lines, "rotation": page.rotation}
        pages.append(record)
    return {"pages": pages}


def pdf_metadata(doc: Document) -> dict[str, str]:
    """Title (trích yếu), author (cơ quan ban hành) and subject (số/ký hiệu) for the PDF's XMP."""
    meta = doc.metadata
    fields = {
        "title": meta.title or "",
        "author": meta.issuer or "",
        "subject": meta.number.raw if meta.number else "",
    }
    return {k: " ".join(v.split()) for k, v in fields.items() if v and v.strip()}


def ghostscript_available() -> bool:
    """Whether Ghostscript (needed for PDF/A) is on the PATH."""
    return shutil.which("gs") is not None


def write_pdf(doc: Document, source: Path, out: Path) -> PdfOutcome:
    """Write the searchable PDF of ``doc`` (read from ``source``) to ``out``, atomically.

    PDF/A-2b where Ghostscript is installed, a plain PDF with a warning otherwise. Returns ``skipped`` for an
    input without word boxes (a ``.txt``), one that already has text, or one OCRmyPDF refuses (the reason
    is logged and kept; ``--force`` retries).
    """
    suffix = source.suffix.lower()
    if suffix not in PDF_SUFFIXES | IMAGE_SUFFIXES or not any(p.words for p in doc.pages):
        return PdfOutcome("skipped", reason="no page image with OCR words")
    import ocrmypdf  # heavy: imported only when a PDF is written

    quiet = max(logging.WARNING, logging.getLogger().getEffectiveLevel())
    for name in ("ocrmypdf", "fontTools", "pikepdf"):
        logging.getLogger(name).setLevel(quiet)
    pdfa = ghostscript_available()
    if not pdfa:
        log.warning("%s: Ghostscript not found: x.pdf is a plain PDF, not PDF/A (make sysdeps)", source.name)
    options: dict[str, Any] = {
        "output_type": "pdfa-2" if pdfa else "pdf",
        "optimize": 0,
        "rotate_pages": False,
        "deskew": False,
        "clean": False,
        "jobs": 1,
        "use_threads": True,
        "progress_bar": False,
        "ocr_engine": "vnocr",
        "plugins": ["ocr_pipeline.outputs.pdf_engine"],
        **pdf_metadata(doc),
    }
    if suffix in IMAGE_SUFFIXES and doc.pages[0].dpi:
        options["image_dpi"] = doc.pages[0].dpi
    with tempfile.TemporaryDirectory(prefix="vnocr-pdf-") as tmp:
        layout = Path(tmp) / "layout.json"
        layout.write_text(json.dumps(layout_record(doc), ensure_ascii=False), encoding="utf-8")
        target = Path(tmp) / "out.pdf"
        try:
            ocrmypdf.ocr(source, target, vnocr_layout=str(layout), **options)
        except ocrmypdf.exceptions.PriorOcrFoundError:
            log.info("%s: the PDF has text already: not rewritten", source.name)
            return PdfOutcome("skipped", reason="the input has a text layer already")
        except ocrmypdf.exceptions.ExitCodeException as exc:  # the text outputs stand without the PDF
            reason = " ".join(str(exc).split()) or type(exc).__name__
            log.warning("%s: no searchable PDF: %s", source.name, reason)
            return PdfOutcome("skipped", reason=f"OCRmyPDF: {reason}"[:300])
        atomic_write_bytes(out, target.read_bytes())
    return PdfOutcome("written", kind="PDF/A-2" if pdfa else "PDF")
