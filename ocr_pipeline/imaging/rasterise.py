"""Stage 1: turn an input file (PDF or image) into page images, one page at a time.

Every page of every format is checked before it is decoded or rendered: a PDF page by its size in points
(``pdfinfo``), an image page (every frame of a TIFF) by the size and pixel format in its header. A page too
large to handle (a decompression bomb, a 1,000,000-pt MediaBox) is refused with an :class:`InputFileError`
that gives the reason, without decoding it: over :data:`MAX_IMAGE_PIXELS` pixels, over
:data:`MAX_DECODE_BYTES` of memory to decode, or a PDF page that stays over the page limit even at
:data:`MIN_RENDER_DPI`. A page under these bounds but over the page limit (``engines.MAX_PAGE_PIXELS``) is
rendered at a lower resolution (PDF) or scaled down (image; JPEG pages are decoded at a reduced scale).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from ..exceptions import InputFileError
from . import engines
from .page import PageImage

log = logging.getLogger(__name__)

PDF_SUFFIXES = frozenset({".pdf"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
TEXT_SUFFIXES = frozenset({".txt"})


def iter_pages(path: Path, dpi: int) -> Iterator[PageImage]:
    """Yield the pages of a PDF or image file as grayscale :class:`PageImage` objects.

    Pages are produced lazily, so a 200-page PDF never holds more than one page image in memory.

    Raises:
        InputFileError: The file cannot be read as a PDF or image.
    """
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        for number in range(1, engines.pdf_page_count(path) + 1):
            page_dpi = _pdf_page_dpi(path, number, dpi)
            try:
                image = engines.rasterise_pdf_page(path, number, page_dpi)
            except Image.DecompressionBombError as exc:  # pdfinfo gave no size, or a wrong one
                raise InputFileError(f"{path.name}: page {number} is too large to render ({exc})") from exc
            yield PageImage(number=number, image=image, dpi=page_dpi)
        return
    with _open_image(path) as img:
        file_dpi = round(float(img.info.get("dpi", (dpi, dpi))[0])) or dpi
        for index in range(int(getattr(img, "n_frames", 1))):
            _seek(img, path, index)
            page_dpi = file_dpi if file_dpi >= 50 else dpi
            width, height = img.width, img.height
            fit = engines.fitting_dpi(width / page_dpi, height / page_dpi, page_dpi)
            size = (max(1, round(width * fit / page_dpi)), max(1, round(height * fit / page_dpi)))
            if fit < page_dpi and img.format == "JPEG":
                img.draft("L", size)  # decoded at 1/2, 1/4 or 1/8 scale, not scaled after
            check_image_page(path.name, index + 1, img.width, img.height, img.mode)
            gray_img = _decode_gray(img, path, index + 1)
            if fit < page_dpi:
                log.warning(
                    "%s page %d: %d x %d pixels is over the page limit; reduced to %d x %d (%d dpi)",
                    path.name,
                    index + 1,
                    width,
                    height,
                    size[0],
                    size[1],
                    fit,
                )
                if gray_img.size != size:
                    gray_img = gray_img.resize(size, Image.Resampling.BOX)
                page_dpi = fit
            yield PageImage(number=index + 1, image=np.asarray(gray_img, dtype=np.uint8), dpi=page_dpi)


def _pdf_page_dpi(path: Path, number: int, dpi: int) -> int:
    """The resolution to render a PDF page at: ``dpi``, lowered for a page too big for the pixel limits."""
    size = engines.pdf_page_size(path, number)
    if size is None:
        return dpi
    width, height = size[0] / 72, size[1] / 72
    fit = engines.fitting_dpi(width, height, dpi)
    if fit < MIN_RENDER_DPI:
        raise InputFileError(
            f"{path.name}: page {number} is {width:,.0f} x {height:,.0f} in, too large to render: even at "
            f"{MIN_RENDER_DPI} dpi it would be over {engines.MAX_PAGE_PIXELS // 1_000_000} million pixels",
            hint="check the page size (MediaBox) of the PDF, or re-export it",
        )
    if fit < dpi:
        log.warning(
            "%s page %d: %.0f x %.0f in at %d dpi is over the page limit (%d pixels); rendering at %d dpi",
            path.name,
            number,
            width,
            height,
            dpi,
            engines.MAX_PAGE_PIXELS,
            fit,
        )
    return fit


#: Largest image page we decode at all (pixels); bigger ones are refused, smaller ones over the page limit
#: are scaled down (see :func:`iter_pages`).
MAX_IMAGE_PIXELS = 4 * engines.MAX_PAGE_PIXELS
#: Most memory the decoding of one image page may take (bytes): the decoded page in Pillow's pixel format
#: (4 bytes a pixel for colour) plus its grey copy.
MAX_DECODE_BYTES = 1 << 30
#: Lowest resolution a PDF page is rendered at; a page over the page limit even at this resolution is refused.
MIN_RENDER_DPI = 50

#: Bytes a pixel takes in Pillow's memory, by image mode (4 for the others: RGB, RGBA, CMYK, I, F, LA, ...).
_MODE_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}


def decode_bytes(width: int, height: int, mode: str) -> int:
    """Memory (bytes) that decoding a ``width`` x ``height`` page of Pillow ``mode`` to grey takes."""
    pixels = width * height
    return pixels * _MODE_BYTES.get(mode, 4) + (0 if mode == "L" else pixels)


def check_image_page(name: str, number: int, width: int, height: int, mode: str) -> None:
    """Refuse an image page too large to decode, from its header's size and pixel format.

    Raises:
        InputFileError: Over :data:`MAX_IMAGE_PIXELS` pixels, or over :data:`MAX_DECODE_BYTES` to decode.
    """
    if width * height > MAX_IMAGE_PIXELS:
        raise InputFileError(
            f"{name}: page {number} is {width} x {height} pixels, over the limit of "
            f"{MAX_IMAGE_PIXELS // 1_000_000} million pixels (a decompression bomb, or a scan at far too "
            "high a resolution)",
            hint="scale the image down, e.g. to 300 dpi",
        )
    needed = decode_bytes(width, height, mode)
    if needed > MAX_DECODE_BYTES:
        raise InputFileError(
            f"{name}: page {number} ({width} x {height} pixels, {mode}) would take "
            f"{needed / 2**30:.1f} GiB of memory to decode, over the limit of "
            f"{MAX_DECODE_BYTES / 2**30:.1f} GiB",
            hint="scale the image down or convert it to greyscale",
        )


def _seek(img: Image.Image, path: Path, index: int) -> None:
    try:
        img.seek(index)
    except (EOFError, OSError, SyntaxError, ValueError) as exc:
        raise InputFileError(f"{path.name}: page {index + 1} cannot be read ({exc})") from exc


def _decode_gray(img: Image.Image, path: Path, number: int) -> Image.Image:
    """Decode the current page of ``img`` to grey (8 bits), colour marks dropped (see :mod:`.colour`)."""
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # checked by check_image_page, with the memory the page takes
    try:
        img.load()
        return Image.fromarray(engines.grey_page(img))  # colour marks dropped on a colour page
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputFileError(f"{path.name}: page {number} is not a readable image ({exc})") from exc
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _open_image(path: Path) -> Image.Image:
    """Open an image file, reading its header only (pages are checked, then decoded, one by one)."""
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS // 2  # Pillow refuses images over twice this
    try:
        with warnings.catch_warnings():  # pages are checked one by one (check_image_page)
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(path)
    except FileNotFoundError as exc:
        raise InputFileError(f"{path}: no such file") from exc
    except Image.DecompressionBombError as exc:
        raise InputFileError(
            f"{path.name}: the image is too large (over {MAX_IMAGE_PIXELS // 1_000_000} million pixels)",
            hint="scale the image down, e.g. to 300 dpi",
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputFileError(f"{path.name}: not a readable image ({exc})") from exc
    finally:
        Image.MAX_IMAGE_PIXELS = saved
