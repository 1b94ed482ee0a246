"""Stage 3: find the skew angle of a page (within +-15 degrees) and rotate it out."""

from __future__ import annotations

import logging

import cv2
import numpy as np

from .models import PageImage

log = logging.getLogger(__name__)


def estimate_skew(image: np.ndarray) -> float:
    """Skew of the text lines in degrees (positive = counter-clockwise), 0.0 for a blank page."""
    ink = (image < 128).astype(np.uint8)
    coords = cv2.findNonZero(ink)
    if coords is None or len(coords) < 50:
        return 0.0
    angle = float(cv2.minAreaRect(coords)[-1])
    if angle > 45:
        angle -= 90
    return -angle


def rotate_image(image: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate an image counter-clockwise by ``degrees`` about its centre, filling with white."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


def deskew(page: PageImage) -> PageImage:
    """Estimate the page's skew and rotate it out; records the angle in ``skew_degrees``."""
    angle = estimate_skew(page.image)
    if abs(angle) < 0.05:
        return page.evolve("deskew: none", skew_degrees=angle)
    return page.evolve(
        f"deskew: {angle:+.2f} deg", image=rotate_image(page.image, -angle), skew_degrees=angle
    )
