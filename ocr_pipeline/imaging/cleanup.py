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

The image before cleanup can be kept for the OCR stage (``clean(keep_original=True)``), which can re-read it
when the cleaned page reads with low confidence (:func:`ocr_pipeline.imaging.ocr.recognise`,
``fallback_below``); that fallback is off by default because it did not lower the error rate on the scan set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from . import labelling
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


#: Bits of the per-pixel class image (see :func:`_classify`).
_REMOVE, _SOLID = 1, 2


@dataclass(frozen=True)
class InkComponents(labelling.Components):
    """The connected ink components (8-connected) of a grey page at its Otsu threshold, as
    ``cv2.connectedComponentsWithStats`` reports them for the whole page, found strip by strip (see
    :mod:`.labelling`)."""

    threshold: float = 0.0


def binarise(image: np.ndarray) -> tuple[np.ndarray, float]:
    """Ink mask by Otsu's threshold (True = ink) and the threshold used."""
    threshold, binary = cv2.threshold(image, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return binary.view(bool), float(threshold)


def _ink_rows(image: np.ndarray, threshold: float) -> labelling.RowSource:
    """The ink (255) of rows ``y0..y1`` of the page, at the page's own Otsu threshold."""
    return lambda y0, y1: cv2.threshold(image[y0:y1], threshold, 255, cv2.THRESH_BINARY_INV)[1]


def components(image: np.ndarray) -> InkComponents:
    """Label the ink components (8-connected) of a grey page, at its Otsu threshold, strip by strip."""
    threshold = float(cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[0])
    height, width = image.shape[:2]
    found = labelling.label(_ink_rows(image, threshold), height, width)
    return InkComponents(**vars(found), threshold=threshold)


def _classify(image: np.ndarray, comps: InkComponents, remove: np.ndarray, solid: np.ndarray) -> np.ndarray:
    """A ``uint8`` image of the page's pixels: bit ``_REMOVE`` on the ink of the components flagged in
    ``remove``, bit ``_SOLID`` on the ink of those flagged in ``solid`` (boolean arrays by stats row)."""
    lut = (remove.astype(np.uint8) * _REMOVE) | (solid.astype(np.uint8) * _SOLID)
    lut[0] = 0
    return labelling.paint(comps, _ink_rows(image, comps.threshold), lut)


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


def tiny_and_small(
    comps: InkComponents, xh: float, settings: CleanupSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Flags (by stats row) of tiny specks, and of small roundish ones (dust if nothing is near them).

    Hyphens and dashes are not roundish and are never candidates.
    """
    s = comps.stats
    area = s[:, cv2.CC_STAT_AREA].astype(np.float64)
    width, height = s[:, cv2.CC_STAT_WIDTH], s[:, cv2.CC_STAT_HEIGHT]
    tiny = area < settings.tiny * xh * xh
    roundish = np.maximum(width, height) <= 2 * np.minimum(width, height) + 1
    small = (area < settings.small * xh * xh) & roundish & ~tiny
    tiny[0] = small[0] = False
    return tiny, small


def isolated_labels(
    classes: np.ndarray, comps: InkComponents, small: np.ndarray, xh: float, settings: CleanupSettings
) -> np.ndarray:
    """The small specks with no other ink than tiny specks within ``isolation * xh`` of their box.

    "Other ink" counts every component that is not tiny (``classes``' ``_SOLID`` bit), so the dots of an
    ellipsis or of ``./.`` keep each other. A small speck lies whole inside its window: it is alone when the
    window's solid ink is its own area.
    """
    s = comps.stats
    reach = max(1, round(settings.isolation * xh))
    h, w = classes.shape
    isolated = []
    for label in np.flatnonzero(small).tolist():
        left, top = int(s[label, cv2.CC_STAT_LEFT]), int(s[label, cv2.CC_STAT_TOP])
        width, height = int(s[label, cv2.CC_STAT_WIDTH]), int(s[label, cv2.CC_STAT_HEIGHT])
        window = classes[
            max(0, top - reach) : min(h, top + height + reach),
            max(0, left - reach) : min(w, left + width + reach),
        ]
        if np.count_nonzero(window & _SOLID) == int(s[label, cv2.CC_STAT_AREA]):
            isolated.append(label)
    return np.asarray(isolated, dtype=np.int64)


def _remove_isolated(classes: np.ndarray, comps: InkComponents, isolated: np.ndarray) -> None:
    """Set the ``_REMOVE`` bit on the pixels of the ``isolated`` specks (the only solid ink in their box)."""
    s = comps.stats
    for label in isolated.tolist():
        x, y = int(s[label, cv2.CC_STAT_LEFT]), int(s[label, cv2.CC_STAT_TOP])
        box = classes[y : y + int(s[label, cv2.CC_STAT_HEIGHT]), x : x + int(s[label, cv2.CC_STAT_WIDTH])]
        box |= (box & _SOLID) >> 1


def paint_removed(image: np.ndarray, classes: np.ndarray, level: int) -> np.ndarray:
    """The page ``image`` with the pixels of ``classes``' ``_REMOVE`` bit (and a 1-pixel rim) set to
    ``level``, made strip by strip in ``classes``' own buffer (``classes`` becomes the painted page: one
    page-sized array less), each strip's bits dilated with a row of its neighbours."""
    kernel = np.ones((3, 3), np.uint8)
    height, width = classes.shape
    above: np.ndarray | None = None  # the bits of the row above the strip, before it was painted
    for y0, y1 in labelling.strip_rows(height, width):
        top, bottom = max(0, y0 - 1), min(height, y1 + 1)
        remove = classes[top:bottom] & _REMOVE
        if above is not None:
            remove[0] = above
        above = remove[y1 - 1 - top].copy()
        grown = cv2.dilate(remove, kernel)[y0 - top : y0 - top + (y1 - y0)]
        strip = classes[y0:y1]
        np.copyto(strip, image[y0:y1])
        np.copyto(strip, np.uint8(level), where=grown.view(bool))
    return classes


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
        remove = np.zeros(len(comps.stats), dtype=bool)
        if settings.borders:
            edge = border_labels(comps, out.shape)
            remove[edge] = True
            notes.append(f"borders {len(edge)}")
        classes = None
        if settings.dust:
            xh = x_height(comps, dpi)
            tiny, small = tiny_and_small(comps, xh, settings)
            classes = _classify(out, comps, remove | tiny, ~tiny)
            isolated = isolated_labels(classes, comps, small, xh, settings)
            _remove_isolated(classes, comps, isolated)
            notes.append(f"dust {int(tiny.sum()) + len(isolated)} (x-height {xh:.0f}px)")
            remove |= tiny
            remove[isolated] = True
        if remove.any():
            if classes is None:
                classes = _classify(out, comps, remove, np.zeros_like(remove))
            out = paint_removed(out, classes, level)
    return out, ", ".join(notes) or "none"


def clean(page: PageImage, settings: CleanupSettings = DEFAULT, *, keep_original: bool = False) -> PageImage:
    """Denoise the page and paint over borders and dust (see the module docstring).

    With ``keep_original``, the image before cleanup is kept in ``pre_cleanup`` for the OCR stage's
    fallback (see :func:`ocr_pipeline.imaging.ocr.recognise`), which drops it again; otherwise it is let go
    (a page's worth of memory during OCR).
    """
    image, note = clean_image(page.image, page.dpi, settings)
    return page.evolve(f"cleanup: {note}", image=image, pre_cleanup=page.image if keep_original else None)
