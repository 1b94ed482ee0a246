"""Stage 5: OCR a cleaned page image with Tesseract."""

from __future__ import annotations

from . import engines
from .models import PageImage


def recognise(page: PageImage, lang: str, timeout: float = 0) -> PageImage:
    """Attach Tesseract's words, boxes and confidences to the page.

    Args:
        page: The cleaned, upright, deskewed page.
        lang: An installed Tesseract language (see :func:`engines.choose_language`).
        timeout: Seconds allowed for the page (0 = no limit).
    """
    result = engines.ocr_page(page.image, lang, dpi=page.dpi, timeout=timeout)
    return page.evolve(f"ocr: {lang}, {len(result.words)} words", ocr=result)
