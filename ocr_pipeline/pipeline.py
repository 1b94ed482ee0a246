"""The thin pipeline that runs the stages over one document.

Image stages (orientation, deskew, cleanup, OCR) each take a :class:`PageImage` and return a new one;
the document stages (restoration, segmentation) turn the page texts into a :class:`Document`.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import logging
import tempfile
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from PIL import Image

from ._version import __version__
from .exceptions import InputFileError
from .imaging import cleanup, deskew, engines, ocr, orientation, pdf, rasterise, reading
from .imaging.page import PageImage
from .models import Document, PageResult
from .options import ProcessOptions
from .structure.model import Zone
from .structure.segment import segment_documents
from .structure.signing import date_from_signatures, signer_from_signatures
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
    read = reading.recognise_by_zones if options.layout else ocr.recognise
    stages.append(partial(read, lang=lang, timeout=options.page_timeout))
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


def pdf_facts(path: Path, options: ProcessOptions) -> pdf.PdfFacts:
    """What the PDF itself says (text layers, overlays, signatures); nothing for an image file. Each task
    that needs them reads them (a fraction of a second against seconds of OCR a page)."""
    if path.suffix.lower() not in rasterise.PDF_SUFFIXES:
        return pdf.PdfFacts()
    return pdf.inspect_pdf(path, vietnamese=options.lang != "eng", dpi=options.dpi)


def ocr_page_unit(path: Path, options: ProcessOptions, numbers: tuple[int, ...] = ()) -> list[PageResult]:
    """A page task: the pages ``numbers`` of a PDF (or every page of an image file, for ``()``), each
    rasterised just before its image stages run; only their results are kept (no page image).

    A born-digital page's real text layer is its text (unless ``options.force_ocr``); other PDF pages are
    rendered without the overlay annotations (signature boxes, typed notes) and OCR'd, an unused text layer
    kept as ``legacy_text``.
    """
    lang = engines.choose_language(options.lang)
    stages = page_stages(options, lang)
    facts = pdf_facts(path, options)
    results: list[PageResult] = []
    with tempfile.TemporaryDirectory(prefix="vnocr-") as tmp:
        source = path
        if facts.overlays:
            source = pdf.without_overlays(path, facts, Path(tmp) / "page-without-overlays.pdf")
        if numbers:
            pages: Iterable[PageImage | int] = numbers
        else:
            pages = rasterise.iter_pages(source, options.dpi)
        for item in pages:
            number = item if isinstance(item, int) else item.number
            layer = facts.layer(number)
            if layer is not None and layer.kind == "real" and not options.force_ocr:
                result = PageResult(number=number, raw_text=layer.text, text=layer.text, source="text_layer")
                result.log.append(f"text layer used ({layer.chars} characters)")
                result.zones = [zone.to_dict() for zone in layer.zones]
            else:
                page = rasterise_pdf_page(source, item, options.dpi) if isinstance(item, int) else item
                source_size = (int(page.image.shape[1]), int(page.image.shape[0]))
                done = run_page(page, stages)
                result = PageResult.from_page(done, source_size)
                if layer is not None and layer.kind != "none":
                    result.legacy_text = layer.text
                    result.log.append(f"{layer.kind} text layer not used ({layer.chars} characters)")
            if layer is not None:
                result.annotations = list(layer.annotations)
            results.append(result)
            log.info("%s: page %d done (%s)", path.name, number, "; ".join(result.log))
    return results


def ocr_pages(path: Path, options: ProcessOptions) -> list[PageResult]:
    """Rasterise, clean and OCR every page of a PDF or image file (its page tasks, one after the other)."""
    return [result for unit in page_units(path) for result in ocr_page_unit(path, options, unit)]


def finish_document(source: str, pages: list[PageResult], options: ProcessOptions) -> Document:
    """Run the document stages (restoration, segmentation) over OCR'd or given page texts."""
    restoration: dict[str, Any] = {"enabled": options.restore}
    for page in pages:
        page.text = page.raw_text
    read = [page for page in pages if page.source != "text_layer"]  # a born-digital text is exact
    if options.restore and read:
        restoration.update(restore_pages(read, options.lexicon))
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
        # the segmenter uses page breaks (page numbers, joins) and reads the fields from the page zones
        documents = segment_documents(text, structure_zones(pages))
        structure = documents[0]
        doc.sections, doc.preamble, doc.metadata = structure.sections, structure.preamble, structure.metadata
        doc.closing, doc.unassigned = structure.closing, structure.unassigned
        doc.marks, doc.attachments = structure.marks, structure.attachments
        doc.documents = documents if len(documents) > 1 else []
    return doc


#: Image zone kinds the structure stage reads as another: the Số / V/v lines are the left header column's
#: last lines; a table is part of the body.
ZONE_KIND_FOR_STRUCTURE = {"number": "header_left", "table": "body"}


def structure_zones(pages: list[PageResult]) -> list[Zone]:
    """The pages' layout zones with their restored text, for the structure stage.

    A page's text is its zones' texts in reading order, one empty line apart, and restoration keeps every
    line break: each zone takes back its own lines of the restored page. A page whose zones do not make up
    its text (none found, or an older record) gives none.
    """
    found: list[Zone] = []
    for page in pages:
        texts = [str(zone.get("text") or "") for zone in page.zones]
        if not texts or "\n\n".join(texts) != page.raw_text:
            continue
        restored = page.text.split("\n")
        start = 0
        for zone, raw in zip(page.zones, texts, strict=True):
            size = raw.count("\n") + 1
            kind = str(zone.get("kind"))
            kind = ZONE_KIND_FOR_STRUCTURE.get(kind, kind)
            found.append(Zone(kind, "\n".join(restored[start : start + size]), page.number))
            start += size + 1
    return found


def restore_pages(pages: list[PageResult], lexicon: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Restore one document's pages (``raw_text`` → ``text``, in place) as one text, then give each page its
    lines back: the regime is fitted on the whole document and a sentence's context runs on across a page
    break.

    Returns:
        The counts for the document record: changed tokens, the tokens flagged for review (by page and line of
        the page) and the regime mixture.
    """
    from diacritics import Lexicon, restore_explained

    sizes = [page.raw_text.count("\n") + 1 for page in pages]
    confidences: list[list[float]] | None = None
    if any(page.line_confidences is not None for page in pages):
        confidences = []
        for page, size in zip(pages, sizes, strict=True):  # each page's lines, padded where it has none
            confidences += (list(page.line_confidences or []) + [[]] * size)[:size]
    restored = restore_explained(
        "\n".join(page.raw_text for page in pages),
        confidences,
        explain=False,
        lexicon=Lexicon.load(*lexicon) if lexicon else None,
    )
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
    facts = pdf_facts(path, options)  # the PDF's own signatures (nothing for other files)
    if facts.signatures:
        doc.signatures = [s.to_dict() for s in facts.signatures]
        shown = [s for s in facts.signatures if s.page is not None]
        doc.signature = (shown or facts.signatures)[0].to_dict()
        if options.segment:  # a certificate naming a person fills an empty signer name
            doc.metadata.signer = signer_from_signatures(doc.metadata.signer, doc.signatures)
            doc.metadata.date = date_from_signatures(doc.metadata.date, doc.signatures, doc.metadata.number)
    if any(p.legacy_text for p in pages):
        doc.legacy_text = FORM_FEED.join(p.legacy_text for p in pages)
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
