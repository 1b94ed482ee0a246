"""Stage 1: turn an input file (PDF or image) into page images, one page at a time."""

from __future__ import annotations

import logging
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
            image = engines.rasterise_pdf_page(path, number, page_dpi)
            yield PageImage(number=number, image=image, dpi=page_dpi)
        return
    with _open_image(path) as img:
        file_dpi = round(float(img.info.get("dpi", (dpi, dpi))[0])) or dpi
        for index in range(int(getattr(img, "n_frames", 1))):
            img.seek(index)
            page_dpi = file_dpi if file_dpi >= 50 else dpi
            gray_img = Image.fromarray(engines.grey_page(img))
            fit = engines.fitting_dpi(img.width / page_dpi, img.height / page_dpi, page_dpi)
            if fit < page_dpi:
                scale = fit / page_dpi
                size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
                log.warning(
                    "%s page %d: %d x %d pixels is over the page limit; reduced to %d x %d (%d dpi)",
                    path.name,
                    index + 1,
                    img.width,
                    img.height,
                    size[0],
                    size[1],
                    fit,
                )
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


#: Largest image file we open at all (pixels); bigger ones are refused, smaller ones over the page limit
#: are scaled down (see :func:`iter_pages`).
MAX_IMAGE_PIXELS = 4 * engines.MAX_PAGE_PIXELS


def _open_image(path: Path) -> Image.Image:
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS // 2  # Pillow refuses images over twice this
    try:
        img = Image.open(path)
        img.load()
    except FileNotFoundError as exc:
        raise InputFileError(f"{path}: no such file") from exc
    except Image.DecompressionBombError as exc:
        raise InputFileError(
            f"{path.name}: the image is too large (over {MAX_IMAGE_PIXELS // 1_000_000} million pixels)"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InputFileError(f"{path.name}: not a readable image ({exc})") from exc
    finally:
        Image.MAX_IMAGE_PIXELS = saved
    return img
