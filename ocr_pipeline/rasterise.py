"""Stage 1: turn an input file (PDF or image) into page images, one page at a time."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from . import engines
from .exceptions import InputFileError
from .models import PageImage

log = logging.getLogger(__name__)

PDF_SUFFIXES = frozenset({".pdf"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
TEXT_SUFFIXES = frozenset({".txt"})


def page_count(path: Path) -> int:
    """Number of pages of a PDF or (multi-frame) image."""
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return engines.pdf_page_count(path)
    with _open_image(path) as img:
        return int(getattr(img, "n_frames", 1))


def iter_pages(path: Path, dpi: int) -> Iterator[PageImage]:
    """Yield the pages of a PDF or image file as grayscale :class:`PageImage` objects.

    Pages are produced lazily, so a 200-page PDF never holds more than one page image in memory.

    Raises:
        InputFileError: The file cannot be read as a PDF or image.
    """
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        for number in range(1, engines.pdf_page_count(path) + 1):
            yield PageImage(number=number, image=engines.rasterise_pdf_page(path, number, dpi), dpi=dpi)
        return
    with _open_image(path) as img:
        file_dpi = round(float(img.info.get("dpi", (dpi, dpi))[0])) or dpi
        for index in range(int(getattr(img, "n_frames", 1))):
            img.seek(index)
            gray = np.asarray(img.convert("L"), dtype=np.uint8)
            yield PageImage(number=index + 1, image=gray, dpi=file_dpi if file_dpi >= 50 else dpi)


def _open_image(path: Path) -> Image.Image:
    try:
        img = Image.open(path)
        img.load()
    except FileNotFoundError as exc:
        raise InputFileError(f"{path}: no such file") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InputFileError(f"{path.name}: not a readable image ({exc})") from exc
    return img
