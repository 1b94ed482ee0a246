"""Stage 4: clean the page image (remove borders and dust) before OCR.

Every step was chosen by the character error rate it gives on the scan set (``python -m tools.bench_ocr``,
cleanup ablation in ``docs/BENCHMARKS.md``, scan → text; decided on the tuning pages, confirmed on the
held-out ones), not by how the page looks:

- **border removal** (on): dark ink touching the page edge (scanner lid, the wedge of a rotated sheet) is
  painted with the paper colour;
- **dust removal** (on): ink specks much smaller than a full stop, and small specks with no text near them,
  are painted over. The sizes follow the page's own letter height, so full stops, the dot of ``i`` and the
  Vietnamese dot below (``ạ``) survive;
- **blank pages** (on): a page with no letter-sized ink at all is painted blank, so Tesseract does not
  read dust and noise as text (and does not spend long seconds trying);
- **median 3×3** (off): it was meant against sensor noise and JPEG ringing, but every split read better
  without it (the stage tests show it thinning strokes and accents, most at 200 dpi). The page stays grey:
  Tesseract's LSTM reads the grey image better than any binarisation we tried.

The image before cleanup is kept for the OCR stage, which can re-read it when the cleaned page reads
with low confidence (:func:`ocr_pipeline.imaging.ocr.recognise`, ``fallback_below``); that fallback is off
by default because it did not lower the error rate on the scan set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from .page import PageImage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CleanupSettings:
    """Which cleanup steps to run (the defaults are the measured best)."""

    #: Off: on the scan set every page read better without it (see the cleanup ablation in
    #: ``docs/BENCHMARKS.md``); it thins accent strokes at 200 dpi and turns the dust step against them.
    median: bool = False
    borders: bool = True
    dust: bool = True
    #: Paint a page with no letter-sized ink at all (fewer than ``min_letters`` components) blank.
    blank: bool = True
    min_letters: int = 5
    #: Specks with area below ``tiny * x_height**2`` are removed wherever they are.
    tiny: float = 0.02
    #: Specks with area below ``small * x_height**2`` are removed when no other ink is within
    #: ``isolation * x_height``.
    small: float = 0.07
    isolation: float = 0.45


DEFAULT = CleanupSettings()


@dataclass(frozen=True)
class InkComponents:
    """Connected ink components of a binarised page."""

    labels: np.ndarray
    stats: np.ndarray  # cv2 stats: left, top, width, height, area (row 0 = background)
    threshold: float


def binarise(image: np.ndarray) -> tuple[np.ndarray, float]:
    """Ink mask by Otsu's threshold (True = ink) and the threshold used."""
    threshold, binary = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return binary > 0, float(threshold)


def components(image: np.ndarray) -> InkComponents:
    """Label the ink components (8-connected) of a grey page."""
    threshold, binary = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    return InkComponents(labels, stats, float(threshold))


def x_height(comps: InkComponents, dpi: int) -> float:
    """Typical letter height in pixels: the median height of letter-sized components.

    Falls back to 12 pt type at ``dpi`` (x-height ~ 0.45 em) when the page has too few letters.
    """
    fallback = 12 / 72 * dpi * 0.45
    stats = comps.stats[1:]
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    widths = stats[:, cv2.CC_STAT_WIDTH]
    plausible = (heights >= 0.4 * fallback) & (heights <= 3 * fallback) & (widths <= 4 * heights)
    if plausible.sum() < 50:
        return fallback
    return float(np.median(heights[plausible]))


def paper_level(image: np.ndarray, threshold: float) -> int:
    """The paper's grey level: the median of the pixels lighter than the ink threshold."""
    sample = image[:: max(1, image.shape[0] // 512), :: max(1, image.shape[1] // 512)]
    light = sample[sample > threshold]
    return int(np.median(light)) if light.size else 255


def border_labels(comps: InkComponents, shape: tuple[int, int], margin: int = 2) -> np.ndarray:
    """Labels of components that touch the page edge (within ``margin`` pixels)."""
    h, w = shape
    s = comps.stats
    left, top = s[:, cv2.CC_STAT_LEFT], s[:, cv2.CC_STAT_TOP]
    right, bottom = left + s[:, cv2.CC_STAT_WIDTH], top + s[:, cv2.CC_STAT_HEIGHT]
    touching = (left <= margin) | (top <= margin) | (right >= w - margin) | (bottom >= h - margin)
    touching[0] = False
    return np.flatnonzero(touching)


def dust_labels(comps: InkComponents, xh: float, settings: CleanupSettings) -> np.ndarray:
    """Labels of specks: tiny ones anywhere; small, roundish ones with no other ink near them.

    "Near" counts every other component, however small, so the dots of an ellipsis or of ``./.`` keep
    each other; hyphens and dashes are not roundish and are never candidates.
    """
    s = comps.stats
    area = s[:, cv2.CC_STAT_AREA].astype(np.float64)
    width, height = s[:, cv2.CC_STAT_WIDTH], s[:, cv2.CC_STAT_HEIGHT]
    tiny = area < settings.tiny * xh * xh
    roundish = np.maximum(width, height) <= 2 * np.minimum(width, height) + 1
    small = (area < settings.small * xh * xh) & roundish & ~tiny
    tiny[0] = small[0] = False
    reach = max(1, round(settings.isolation * xh))
    labels = comps.labels
    h, w = labels.shape
    isolated = []
    for label in np.flatnonzero(small):
        left, top = int(s[label, cv2.CC_STAT_LEFT]), int(s[label, cv2.CC_STAT_TOP])
        window = labels[
            max(0, top - reach) : min(h, top + int(height[label]) + reach),
            max(0, left - reach) : min(w, left + int(width[label]) + reach),
        ]
        others = window[(window != 0) & (window != label)]
        if others.size == 0 or tiny[others].all():
            isolated.append(label)
    return np.concatenate([np.flatnonzero(tiny), np.asarray(isolated, dtype=np.int64)])


def paint_over(image: np.ndarray, comps: InkComponents, remove: np.ndarray, level: int) -> np.ndarray:
    """A copy of ``image`` with the ``remove`` components' pixels (and a 1-pixel rim) set to ``level``.

    Works component by component inside each bounding box (the same pixels as dilating the union mask
    of the whole page, at a fraction of the cost).
    """
    if len(remove) == 0:
        return image
    out = image.copy()
    h, w = image.shape[:2]
    stats, labels = comps.stats, comps.labels
    kernel = np.ones((3, 3), np.uint8)
    for label in np.unique(remove).tolist():
        left, top = int(stats[label, cv2.CC_STAT_LEFT]), int(stats[label, cv2.CC_STAT_TOP])
        width, height = int(stats[label, cv2.CC_STAT_WIDTH]), int(stats[label, cv2.CC_STAT_HEIGHT])
        y0, y1 = max(0, top - 1), min(h, top + height + 1)
        x0, x1 = max(0, left - 1), min(w, left + width + 1)
        mask = cv2.dilate((labels[y0:y1, x0:x1] == label).view(np.uint8), kernel)
        out[y0:y1, x0:x1][mask > 0] = level
    return out


def letter_count(comps: InkComponents, shape: tuple[int, int], dpi: int) -> int:
    """Ink components away from the page edge that are tall enough to be letters (or bigger, up to 10x).

    "Tall enough" is 0.6 of the x-height of 12 pt type: dust specks up to 7 px across (as big as they come
    at 200 dpi) are not letters.
    """
    fallback = 12 / 72 * dpi * 0.45
    heights = comps.stats[:, cv2.CC_STAT_HEIGHT]
    plausible = (heights >= 0.6 * fallback) & (heights <= 10 * fallback)
    plausible[0] = False
    plausible[border_labels(comps, shape)] = False
    return int(plausible.sum())


def clean_image(image: np.ndarray, dpi: int, settings: CleanupSettings = DEFAULT) -> tuple[np.ndarray, str]:
    """Clean a grey page image; returns the new image and a note of what was done."""
    out = cv2.medianBlur(image, 3) if settings.median else image
    notes = ["median3"] if settings.median else []
    if settings.borders or settings.dust or settings.blank:
        comps = components(out)
        level = paper_level(out, comps.threshold)
        if settings.blank and letter_count(comps, out.shape, dpi) < settings.min_letters:
            # nothing on the page is the size of a letter: what ink there is is dust, noise or a border
            notes.append("no letter-sized ink: page painted blank")
            return np.full_like(out, level), ", ".join(notes)
        remove = []
        if settings.borders:
            edge = border_labels(comps, out.shape)
            remove.append(edge)
            notes.append(f"borders {len(edge)}")
        if settings.dust:
            xh = x_height(comps, dpi)
            dust = dust_labels(comps, xh, settings)
            remove.append(dust)
            notes.append(f"dust {len(dust)} (x-height {xh:.0f}px)")
        if remove:
            out = paint_over(out, comps, np.concatenate(remove), level)
    return out, ", ".join(notes) or "none"


def clean(page: PageImage, settings: CleanupSettings = DEFAULT) -> PageImage:
    """Denoise the page and paint over borders and dust (see the module docstring).

    The image before cleanup is kept in ``pre_cleanup`` for the OCR stage's fallback (see
    :func:`ocr_pipeline.imaging.ocr.recognise`), which drops it again.
    """
    image, note = clean_image(page.image, page.dpi, settings)
    return page.evolve(f"cleanup: {note}", image=image, pre_cleanup=page.image)
