"""vnocr as an OCRmyPDF OCR engine: hands OCRmyPDF the words vnocr already read and restored.

OCRmyPDF loads this module as a plugin (``plugins=[__name__]``, ``ocr_engine="vnocr"``); for every page it
rasterises, :meth:`VnocrEngine.generate_ocr` returns the page's restored words at their boxes, read from the
layout file that :mod:`.pdf` wrote (``vnocr_layout`` option), scaled to OCRmyPDF's raster. OCRmyPDF then
renders the invisible text layer with its own renderer, grafts it onto the untouched page and makes the
PDF/A. No OCR runs here, and no page is rendered: the engine needs only the raster's size and resolution,
so :func:`rasterize_pdf_page` gives OCRmyPDF a blank image of the size its renderer would make.
"""

from __future__ import annotations

import io
import json
import threading
from contextlib import closing
from functools import lru_cache
from pathlib import Path
from typing import Any

from ocrmypdf import hookimpl
from ocrmypdf.hocrtransform import BoundingBox, OcrClass, OcrElement
from ocrmypdf.pluginspec import OcrEngine, OrientationConfidence
from PIL import Image

from .._version import __version__

ENGINE_NAME = "vnocr"
try:  # PDFium is not thread-safe: share the lock OCRmyPDF's own PDFium renderer takes
    from ocrmypdf.builtin_plugins.pypdfium import _pdfium_lock
except ImportError:  # another OCRmyPDF layout: a lock of our own
    _pdfium_lock = threading.Lock()


@lru_cache(maxsize=4)
def _layout(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def page_element(page: dict[str, Any], image_size: tuple[int, int], dpi: float, index: int) -> OcrElement:
    """One page of the layout file as OCRmyPDF's element tree (paragraph per block, lines, words)."""
    width, height = image_size
    source_w, source_h = page["size"]
    sx, sy = width / source_w, height / source_h

    def box(left: float, top: float, right: float, bottom: float) -> BoundingBox:
        return BoundingBox(left=left * sx, top=top * sy, right=right * sx, bottom=bottom * sy)

    paragraphs: list[OcrElement] = []
    block = None
    for line in page["lines"]:
        words = [
            OcrElement(
                ocr_class=OcrClass.WORD,
                text=text,
                bbox=box(left, top, left + w, top + h),
                confidence=confidence / 100,
            )
            for text, confidence, left, top, w, h in line["words"]
        ]
        left, top, right, bottom = line["box"]
        element = OcrElement(ocr_class=OcrClass.LINE, bbox=box(left, top, right, bottom), children=words)
        if page.get("rotation"):  # a page scanned turned: its text runs at that angle (counter-clockwise)
            element.textangle = float(page["rotation"])
        if block != line["block"] or not paragraphs:
            paragraphs.append(OcrElement(ocr_class=OcrClass.PARAGRAPH, children=[], language="vie"))
            block = line["block"]
        paragraphs[-1].children.append(element)
    for paragraph in paragraphs:
        lefts, tops, rights, bottoms = zip(
            *[
                (ln.bbox.left, ln.bbox.top, ln.bbox.right, ln.bbox.bottom)
                for ln in paragraph.children
                if ln.bbox
            ],
            strict=True,
        )
        paragraph.bbox = BoundingBox(left=min(lefts), top=min(tops), right=max(rights), bottom=max(bottoms))
    return OcrElement(
        ocr_class=OcrClass.PAGE,
        bbox=BoundingBox(left=0, top=0, right=width, bottom=height),
        dpi=dpi,
        page_number=index,
        children=paragraphs,
    )


class VnocrEngine(OcrEngine):
    """An OCRmyPDF OCR engine that replays vnocr's restored words (see the module)."""

    @staticmethod
    def version() -> str:
        """vnocr's version."""
        return __version__

    @staticmethod
    def creator_tag(options: Any) -> str:
        """The creator tag of the PDF's metadata."""
        return f"vnocr {__version__} (Tesseract OCR, Vietnamese diacritic restoration)"

    def __str__(self) -> str:
        return f"vnocr {__version__}"

    @staticmethod
    def languages(options: Any) -> set[str]:
        """The languages vnocr reads."""
        return {"vie", "eng"}

    @staticmethod
    def get_orientation(input_file: Path, options: Any) -> OrientationConfidence:
        """No turn: the PDF keeps the page as scanned."""
        return OrientationConfidence(angle=0, confidence=0.0)

    @staticmethod
    def get_deskew(input_file: Path, options: Any) -> float:
        """No deskew: the PDF keeps the page as scanned."""
        return 0.0

    @staticmethod
    def supports_generate_ocr() -> bool:
        """This engine gives OCRmyPDF element trees."""
        return True

    @staticmethod
    def generate_ocr(input_file: Path, options: Any, page_number: int = 0) -> tuple[OcrElement, str]:
        """The page's restored words (``page_number`` is 0-based) on OCRmyPDF's raster ``input_file``."""
        layout = _layout(str(options.vnocr_layout))
        with Image.open(input_file) as img:
            size = img.size
            dpi_info = img.info.get("dpi", (300, 300))
        dpi = float(dpi_info[0] if isinstance(dpi_info, tuple) else dpi_info)
        pages = layout["pages"]
        if page_number >= len(pages) or not pages[page_number]:
            empty = OcrElement(ocr_class=OcrClass.PAGE, bbox=BoundingBox(0, 0, size[0], size[1]), dpi=dpi)
            return empty, ""
        page = pages[page_number]
        return page_element(page, size, dpi, page_number), page["text"]

    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options: Any) -> None:
        """Not used: :meth:`generate_ocr` is."""
        raise NotImplementedError("the vnocr engine gives element trees (generate_ocr)")

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path, options: Any) -> None:
        """Not used: OCRmyPDF's own renderer draws the text layer."""
        raise NotImplementedError("the vnocr engine gives element trees (generate_ocr)")


def raster_size(input_file: Path, pageno: int, raster_dpi: Any) -> tuple[int, int] | None:
    """The pixel size OCRmyPDF's PDFium renderer gives page ``pageno`` (1-based) at ``raster_dpi``, or None
    where it is not certain (a crop box that is not the media box)."""
    import pypdfium2 as pdfium

    dpi = raster_dpi.round(6)
    try:
        with _pdfium_lock, closing(pdfium.PdfDocument(input_file)) as pdf, closing(pdf[pageno - 1]) as page:
            if tuple(page.get_cropbox()) != tuple(page.get_mediabox()):
                return None
            width, height = page.get_size()
    except pdfium.PdfiumError:  # OCRmyPDF renders the page itself (and reports what it finds)
        return None
    return round(width * dpi.x / 72.0), round(height * dpi.y / 72.0)


@lru_cache(maxsize=16)
def blank_png(size: tuple[int, int], dpi: tuple[float, float]) -> bytes:
    """A white 1-bit PNG of ``size`` pixels at ``dpi``: the same bytes for every page of that size and
    resolution, encoded once (encoding it took 20-25 ms a page)."""
    buffer = io.BytesIO()
    Image.new("1", size, 1).save(buffer, format="PNG", dpi=dpi)
    return buffer.getvalue()


@hookimpl
def rasterize_pdf_page(
    input_file: Path,
    output_file: Path,
    raster_device: Any,
    raster_dpi: Any,
    pageno: int,
    page_dpi: Any,
    rotation: int | None,
    filter_vector: bool,
    stop_on_soft_error: bool,
    options: Any,
    use_cropbox: bool,
) -> Path | None:
    """For the vnocr engine, a blank page raster of the rendered page's size and resolution (the engine reads
    nothing else from it, and the PDF keeps its own page); None (OCRmyPDF renders the page) for any other
    engine, a turned page, a page image to be rebuilt from the raster, or an uncertain size."""
    if (
        options is None
        or getattr(options, "ocr_engine", None) != ENGINE_NAME
        or getattr(options, "rasterizer", "auto") == "ghostscript"
        or not getattr(options, "lossless_reconstruction", False)
        or rotation
        or use_cropbox
    ):
        return None
    try:
        size = raster_size(input_file, pageno, raster_dpi)
    except ImportError:
        return None
    if size is None:
        return None
    dpi = page_dpi or raster_dpi
    Path(output_file).write_bytes(blank_png(size, (float(dpi.x), float(dpi.y))))
    return Path(output_file)


@hookimpl
def get_ocr_engine(options: Any) -> OcrEngine | None:
    """The vnocr engine when ``ocr_engine="vnocr"``."""
    if options is not None and getattr(options, "ocr_engine", None) != ENGINE_NAME:
        return None
    return VnocrEngine()
