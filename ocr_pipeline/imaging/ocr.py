"""Stage 5: OCR a cleaned page image with Tesseract.

Fallback to the uncleaned page: when ``fallback_below`` is set and the cleaned page reads with a mean word
confidence below it, the image from before cleanup (``PageImage.pre_cleanup``, kept by
``cleanup.clean(keep_original=True)``) is OCR'd too and the reading
with the higher mean confidence is kept; the choice is noted in the page log. A page that reads as nothing
after cleanup (a blank page that cleanup painted blank) is not re-read. The fallback is off by default
(:data:`FALLBACK_BELOW`): see ``docs/BENCHMARKS.md`` (scan → text) for the measurement behind that.
"""

from __future__ import annotations

from . import engines
from .page import PageImage

#: Default confidence threshold of the uncleaned-page fallback (None = off; see the module docstring).
FALLBACK_BELOW: float | None = None


def recognise(
    page: PageImage, lang: str, timeout: float = 0, *, fallback_below: float | None = FALLBACK_BELOW
) -> PageImage:
    """Attach Tesseract's words, boxes and confidences to the page.

    Args:
        page: The cleaned, upright, deskewed page.
        lang: An installed Tesseract language (see :func:`engines.choose_language`).
        timeout: Seconds allowed for the page (0 = no limit; the fallback read gets its own allowance).
        fallback_below: Re-read the pre-cleanup image when the cleaned page's mean word confidence is below
            this (0-100) and keep the more confident reading; None = never.
    """
    result = engines.ocr_page(page.image, lang, dpi=page.dpi, timeout=timeout)
    note = f"ocr: {lang}, {len(result.words)} words"
    confidence = result.mean_confidence
    original = page.pre_cleanup
    if fallback_below is None or original is None or confidence is None or confidence >= fallback_below:
        return page.evolve(note, ocr=result, pre_cleanup=None)
    other = engines.ocr_page(original, lang, dpi=page.dpi, timeout=timeout)
    other_confidence = other.mean_confidence
    if other_confidence is not None and other_confidence > confidence:
        return page.evolve(
            f"{note}; uncleaned page kept (confidence {other_confidence:.1f} > cleaned {confidence:.1f}), "
            f"{len(other.words)} words",
            image=original,
            ocr=other,
            pre_cleanup=None,
        )
    shown = "none" if other_confidence is None else f"{other_confidence:.1f}"
    note += f"; cleaned page kept (confidence {confidence:.1f}, uncleaned {shown})"
    return page.evolve(note, ocr=result, pre_cleanup=None)
