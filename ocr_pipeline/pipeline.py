"""The thin pipeline that runs the stages over one document.

Image stages (orientation, deskew, cleanup, OCR) each take a :class:`PageImage` and return a new one;
the document stages (restoration, segmentation) turn the page texts into a :class:`Document`.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import logging
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from PIL import Image

from ._version import __version__
from .exceptions import InputFileError
from .imaging import cleanup, deskew, engines, ocr, orientation, rasterise
from .imaging.page import PageImage
from .models import Document, PageResult
from .options import ProcessOptions
from .structure.segment import segment_documents
from .textio import read_text

log = logging.getLogger(__name__)

PageStage = Callable[[PageImage], PageImage]
FORM_FEED = "\f"


def file_fingerprint(path: Path) -> str:
    """``sha256:<hex>`` of the file's bytes (used to decide whether a result is stale)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError as exc:
        raise InputFileError(f"{path}: no such file") from exc
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    return f"sha256:{digest.hexdigest()}"


def page_stages(options: ProcessOptions, lang: str) -> list[PageStage]:
    """The image stages to run on every page, in order."""
    stages: list[PageStage] = []
    if options.orientation:
        stages.append(orientation.fix_orientation)
    if options.deskew:
        stages.append(deskew.deskew)
    if options.cleanup:
        stages.append(cleanup.clean)
    stages.append(partial(ocr.recognise, lang=lang, timeout=options.page_timeout))
    return stages


def run_page(page: PageImage, stages: Iterable[PageStage]) -> PageImage:
    """Run the image stages over one page."""
    for stage in stages:
        page = stage(page)
    return page


def page_units(path: Path) -> list[tuple[int, ...]]:
    """The page tasks of a PDF or image file, each the page numbers it reads: one task per PDF page; the
    frames of an image file (a TIFF's pages) together, as ``()``.

    Raises:
        InputFileError: The PDF cannot be read (encrypted, not a PDF).
        MissingDependencyError: Poppler is missing.
    """
    if path.suffix.lower() in rasterise.PDF_SUFFIXES:
        return [(number,) for number in range(1, engines.pdf_page_count(path) + 1)]
    return [()]


def rasterise_pdf_page(path: Path, number: int, dpi: int) -> PageImage:
    """Page ``number`` of a PDF as a page image, rendered now (at a lower resolution if it is too big).

    Raises:
        InputFileError: The page cannot be rendered, or is too large.
    """
    page_dpi = rasterise._pdf_page_dpi(path, number, dpi)
    try:
        image = engines.rasterise_pdf_page(path, number, page_dpi)
    except Image.DecompressionBombError as exc:  # pdfinfo gave no size, or a wrong one
        raise InputFileError(f"{path.name}: page {number} is too large to render ({exc})") from exc
    return PageImage(number=number, image=image, dpi=page_dpi)


def ocr_page_unit(path: Path, options: ProcessOptions, numbers: tuple[int, ...] = ()) -> list[PageResult]:
    """A page task: rasterise the pages ``numbers`` of a PDF (or every page of an image file, for ``()``)
    one at a time, just before their image stages run, and keep only their results (no page image)."""
    lang = engines.choose_language(options.lang)
    stages = page_stages(options, lang)
    if numbers:
        pages: Iterable[PageImage] = (rasterise_pdf_page(path, number, options.dpi) for number in numbers)
    else:
        pages = rasterise.iter_pages(path, options.dpi)
    results: list[PageResult] = []
    for page in pages:
        done = run_page(page, stages)
        results.append(PageResult.from_page(done))
        log.info("%s: page %d done (%s)", path.name, page.number, "; ".join(done.log))
    return results


def ocr_pages(path: Path, options: ProcessOptions) -> list[PageResult]:
    """Rasterise, clean and OCR every page of a PDF or image file (its page tasks, one after the other)."""
    return [result for unit in page_units(path) for result in ocr_page_unit(path, options, unit)]


def finish_document(source: str, pages: list[PageResult], options: ProcessOptions) -> Document:
    """Run the document stages (restoration, segmentation) over OCR'd or given page texts."""
    restoration: dict[str, Any] = {"enabled": options.restore}
    if options.restore:
        restoration.update(restore_pages(pages))
    else:
        for page in pages:
            page.text = page.raw_text
    text = FORM_FEED.join(p.text for p in pages)
    doc = Document(
        source=source,
        pages=pages,
        text=text,
        raw_text=FORM_FEED.join(p.raw_text for p in pages),
        vnocr_version=__version__,
        restoration=restoration,
    )
    if options.segment:
        documents = segment_documents(text)  # the segmenter uses page breaks (page numbers, joins)
        structure = documents[0]
        doc.sections, doc.preamble, doc.metadata = structure.sections, structure.preamble, structure.metadata
        doc.closing, doc.unassigned = structure.closing, structure.unassigned
        doc.marks, doc.attachments = structure.marks, structure.attachments
        doc.documents = documents if len(documents) > 1 else []
    return doc


def restore_pages(pages: list[PageResult]) -> dict[str, Any]:
    """Restore one document's pages (``raw_text`` → ``text``, in place) as one text, then give each page its
    lines back: the regime is fitted on the whole document and a sentence's context runs on across a page
    break.

    Returns:
        The counts for the document record: changed tokens, the tokens flagged for review (by page and line of
        the page) and the regime mixture.
    """
    from diacritics import restore_explained

    sizes = [page.raw_text.count("\n") + 1 for page in pages]
    confidences: list[list[float]] | None = None
    if any(page.line_confidences is not None for page in pages):
        confidences = []
        for page, size in zip(pages, sizes, strict=True):  # each page's lines, padded where it has none
            confidences += (list(page.line_confidences or []) + [[]] * size)[:size]
    restored = restore_explained("\n".join(page.raw_text for page in pages), confidences, explain=False)
    lines = restored.text.split("\n")
    starts = list(itertools.accumulate(sizes, initial=0))
    if len(lines) != starts[-1]:  # pragma: no cover - restoration keeps line breaks exactly
        raise AssertionError(f"restoration returned {len(lines)} lines for {starts[-1]}")
    for page, start, size in zip(pages, starts, sizes, strict=False):
        page.text = "\n".join(lines[start : start + size])
    summary = restored.summary()
    flagged = []
    for item in summary["flagged_for_review"]:
        at = bisect.bisect_right(starts, item["line"] - 1) - 1  # its page (lines are 1-based)
        flagged.append(dict(item, page=pages[at].number, line=item["line"] - starts[at]))
    return {
        "changed_tokens": summary["changed_tokens"],
        "flagged_for_review": flagged,
        "regime": summary["regime"],
    }


def process_document(path: Path, options: ProcessOptions | None = None) -> Document:
    """Process one document: PDF, image or already-OCR'd ``.txt``.

    Raises:
        InputFileError: The input cannot be read.
        MissingDependencyError: Tesseract/poppler/language data is missing (not for ``.txt``).
        OcrTimeoutError: A page took longer than ``options.page_timeout``.
    """
    options = options or ProcessOptions()
    fingerprint = file_fingerprint(path)
    suffix = path.suffix.lower()
    if suffix in rasterise.TEXT_SUFFIXES:
        decoded = read_text(path, options.encoding)
        notes = [decoded.note] if decoded.note else []
        pages = [
            PageResult(number=i + 1, raw_text=t, log=list(notes))
            for i, t in enumerate(decoded.text.split(FORM_FEED))
        ]
    elif suffix in rasterise.PDF_SUFFIXES or suffix in rasterise.IMAGE_SUFFIXES:
        pages = ocr_pages(path, options)
    else:
        raise InputFileError(f"{path.name}: unsupported file type {suffix or '(none)'}")
    return document_from_pages(path, pages, options, fingerprint)


def document_from_pages(
    path: Path, pages: list[PageResult], options: ProcessOptions, fingerprint: str | None = None
) -> Document:
    """The finishing task of a document: its record from its page results (restoration, structure).

    Raises:
        InputFileError: No page has any text, or the file is gone (its fingerprint cannot be taken).
    """
    fingerprint = fingerprint or file_fingerprint(path)
    doc = finish_document(str(path), pages, options)
    doc.source_fingerprint = fingerprint
    if not doc.text.strip():
        raise InputFileError(
            f"{path.name}: no text found on any page", hint="is it a blank or photo-only scan?"
        )
    return doc


def process_text(text: str, source: str = "<text>", options: ProcessOptions | None = None) -> Document:
    """Restore and segment text that is already OCR'd (pages separated by form feeds)."""
    options = options or ProcessOptions()
    pages = [PageResult(number=i + 1, raw_text=t) for i, t in enumerate(text.split(FORM_FEED))]
    return finish_document(source, pages, options)
