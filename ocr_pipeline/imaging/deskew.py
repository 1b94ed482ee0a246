"""Stage 3: find the skew angle of a page (within ±15 degrees) and rotate it out.

Method (projection-profile search, as in Leptonica's ``pixFindSkew``): the page is reduced to about
150 dpi and binarised (Otsu); the ink pixels inside the page (a margin strip is ignored, so scanner borders
do not vote for 0°) are projected onto the vertical axis of a page rotated by each candidate angle. Text
lines give the sharpest profile -- the largest sum of squared bin counts -- when the angle matches the
skew. A coarse search over ±15° is refined around the best angle and finished with a parabola through the
three best neighbouring scores, giving a sub-0.05° estimate on typical pages. See
``docs/BENCHMARKS.md`` (scan → text) for the measured error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from .page import PageImage

log = logging.getLogger(__name__)

#: Skew angles searched, degrees either way.
MAX_SKEW = 15.0
#: Resolution the search works at.
WORK_DPI = 150
#: Skews smaller than this are left alone (rotating costs a little sharpness).
MIN_CORRECTION = 0.05
#: Fraction of each side ignored by the search (scanner borders, punch holes).
MARGIN_FRACTION = 0.04
#: Fewest ink pixels for an estimate (below: a blank page, angle 0).
MIN_INK = 400
#: Least profile sharpness (see :attr:`SkewEstimate.score`) that counts as text lines: text pages score
#: 2 or more, even with two lines of text; dust and noise on a blank page about 1.1. Below it: angle 0.
MIN_SHARPNESS = 1.4
#: Most ink pixels used per estimate (a random-free, regular subsample keeps it fast and pure).
MAX_POINTS = 250_000
#: Most ink pixels used by the coarse 0.5-degree search (the fine steps use all of them).
COARSE_POINTS = 25_000


@dataclass(frozen=True)
class SkewEstimate:
    """The result of a skew search.

    Attributes:
        angle: Skew in degrees, positive = text baselines rotated counter-clockwise.
        score: Profile sharpness at the best coarse angle relative to the mean over the coarse search (>= 1);
            values near 1 mean there are no text lines to go by (below :data:`MIN_SHARPNESS` the angle
            is reported as 0).
        points: Ink pixels used.
    """

    angle: float
    score: float
    points: int


def work_image(image: np.ndarray, dpi: int, work_dpi: int = WORK_DPI) -> tuple[np.ndarray, float]:
    """The image reduced to about ``work_dpi`` (area averaging) and the scale factor used."""
    scale = min(1.0, work_dpi / max(1, dpi))
    if scale >= 0.999:
        return image, 1.0
    h, w = image.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), scale


def ink_mask(image: np.ndarray) -> np.ndarray:
    """Boolean ink mask by Otsu's threshold (True = ink); all False on a page without contrast."""
    blurred = cv2.GaussianBlur(image, (3, 3), 0)
    # grey levels at 0.05 % and 99 % of the pixels, from the histogram (a page with one line of text has
    # < 1 % ink)
    cumulative = np.cumsum(np.bincount(blurred.ravel(), minlength=256))
    lo, hi = np.searchsorted(cumulative, [0.0005 * blurred.size, 0.99 * blurred.size])
    if int(hi) - int(lo) < 30:  # no ink: a blank or uniformly grey page
        return np.zeros(image.shape, dtype=bool)
    threshold, _ = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return np.asarray(blurred < threshold)


def ink_points(mask: np.ndarray, margin_fraction: float = MARGIN_FRACTION) -> np.ndarray:
    """Coordinates (x, y) as float32 of ink pixels away from the page edges, regularly subsampled."""
    h, w = mask.shape
    my, mx = int(h * margin_fraction), int(w * margin_fraction)
    inner = np.zeros_like(mask)
    inner[my : h - my, mx : w - mx] = mask[my : h - my, mx : w - mx]
    ys, xs = np.nonzero(inner)
    if len(xs) > MAX_POINTS:
        step = int(np.ceil(len(xs) / MAX_POINTS))
        xs, ys = xs[::step], ys[::step]
    return np.stack([xs, ys], axis=1).astype(np.float32)


def profile_scores(points: np.ndarray, angles: np.ndarray, length: int) -> np.ndarray:
    """Sharpness (sum of squared bin counts) of the row profile of ``points`` rotated by each angle."""
    xs, ys = points[:, 0].astype(np.float32), points[:, 1].astype(np.float32)
    offset = np.float32(length)
    scores = np.empty(len(angles))
    for i, angle in enumerate(np.radians(angles)):
        # a baseline rotated counter-clockwise by `angle` rises to the right: undo it
        rows = ys * np.float32(np.cos(angle)) + xs * np.float32(np.sin(angle)) + offset
        counts = np.bincount(rows.astype(np.int32), minlength=1).astype(np.float64)
        scores[i] = float(np.dot(counts, counts))
    return scores


def search_skew(
    points: np.ndarray, length: int, max_skew: float = MAX_SKEW, *, refine: bool = True
) -> SkewEstimate:
    """Coarse-to-fine projection-profile search for the skew of ink ``points``.

    Args:
        points: Ink coordinates (x, y) (see :func:`ink_points`).
        length: Image height plus width (bounds the rotated row index).
        max_skew: Search ``[-max_skew, +max_skew]`` degrees.
        refine: Refine the coarse 0.5-degree answer (see :func:`refine_skew`); without it the angle is only
            good to 0.25 degrees (enough to compare the sharpness of two line directions).
    """
    if len(points) < MIN_INK:
        return SkewEstimate(0.0, 1.0, len(points))
    # the coarse search only has to land within 0.25 degrees: a regular subsample is enough for it
    sample = points[:: max(1, len(points) // COARSE_POINTS)]
    coarse = np.arange(-max_skew, max_skew + 1e-9, 0.5)
    coarse_scores = profile_scores(sample, coarse, length)
    k = int(np.argmax(coarse_scores))
    sharpness = float(coarse_scores[k]) / max(1.0, float(np.mean(coarse_scores)))
    if sharpness < MIN_SHARPNESS:  # no text lines: the "angle" is the best alignment of noise
        return SkewEstimate(0.0, sharpness, len(points))
    found = SkewEstimate(float(coarse[k]), sharpness, len(points))
    return refine_skew(points, length, found, max_skew) if refine else found


def refine_skew(
    points: np.ndarray, length: int, found: SkewEstimate, max_skew: float = MAX_SKEW
) -> SkewEstimate:
    """Refine a coarse estimate with 0.1- and 0.02-degree steps and a parabola through the best three."""
    if found.score < MIN_SHARPNESS or len(points) < MIN_INK:
        return found
    angle = found.angle
    for step in (0.1, 0.02):
        fine = np.arange(angle - 5 * step, angle + 5 * step + 1e-9, step)
        fine_scores = profile_scores(points, fine, length)
        k = int(np.argmax(fine_scores))
        angle = float(fine[k])
        if step == 0.02 and 0 < k < len(fine) - 1:
            a, b, c = fine_scores[k - 1], fine_scores[k], fine_scores[k + 1]
            denom = a - 2 * b + c
            if denom < 0:
                angle += 0.5 * step * (a - c) / denom
    return SkewEstimate(float(np.clip(angle, -max_skew, max_skew)), found.score, found.points)


def estimate_skew(image: np.ndarray, dpi: int = 300) -> float:
    """Skew of the text lines in degrees (positive = counter-clockwise), 0.0 for a blank page."""
    return estimate(image, dpi).angle


def estimate(image: np.ndarray, dpi: int = 300) -> SkewEstimate:
    """Skew estimate of a page image with its sharpness score (see :class:`SkewEstimate`)."""
    small, _ = work_image(image, dpi)
    points = ink_points(ink_mask(small))
    return search_skew(points, small.shape[0] + small.shape[1])


def background_level(image: np.ndarray) -> int:
    """The paper's grey level (a high percentile of the page)."""
    sample = image[:: max(1, image.shape[0] // 256), :: max(1, image.shape[1] // 256)]
    return int(np.percentile(sample, 90))


def rotate_image(image: np.ndarray, degrees: float, fill: int = 255) -> np.ndarray:
    """Rotate counter-clockwise by ``degrees`` about the centre, enlarging the canvas so no corner is cut."""
    h, w = image.shape[:2]
    rad = np.radians(degrees)
    cos, sin = abs(np.cos(rad)), abs(np.sin(rad))
    new_w, new_h = int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos))
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    matrix[0, 2] += (new_w - w) / 2
    matrix[1, 2] += (new_h - h) / 2
    return cv2.warpAffine(
        image, matrix, (new_w, new_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
    )


def deskew(page: PageImage) -> PageImage:
    """Rotate the page's skew out (measured here unless an earlier stage measured it on this image);
    records the angle in ``skew_degrees``."""
    measured = page.measured_skew if page.measured_skew is not None else estimate(page.image, page.dpi).angle
    page = page.evolve(measured_skew=None)
    angle = round(measured, 3)
    if abs(angle) < MIN_CORRECTION:
        return page.evolve(f"deskew: none ({angle:+.2f} deg)", skew_degrees=angle)
    rotated = rotate_image(page.image, -angle, fill=background_level(page.image))
    return page.evolve(f"deskew: {angle:+.2f} deg", image=rotated, skew_degrees=angle)
