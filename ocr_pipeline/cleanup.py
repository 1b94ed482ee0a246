"""Stage 4: clean the page image (denoise, binarise, remove speckles and borders) before OCR."""

from __future__ import annotations

import cv2

from .models import PageImage


def clean(page: PageImage) -> PageImage:
    """Light median denoise; the original stays available to the OCR stage's fallback."""
    return page.evolve("cleanup: median3", image=cv2.medianBlur(page.image, 3))
