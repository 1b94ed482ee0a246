"""Stage 2: detect 0/90/180/270 degree page rotation and turn the page upright.

Own method, measured against Tesseract OSD (see ``docs/BENCHMARKS.md``), on the page reduced to ~150 dpi:

1. **Horizontal or vertical lines.** The projection-profile skew search of :mod:`.deskew` is run on the ink
   as it is and transposed; text lines give a much sharper profile along their own direction.
2. **Up or down.** With the lines horizontal and the skew removed, each text line's x-height band is the run
   of rows with dense ink. Latin script, and Vietnamese even more (tone marks, circumflexes and breves sit
   above the letters; only the dot below and a few descenders go under), has far more ink just above the
   x-height band than just below it. The ratio of the two (summed over all lines) says which way is up.

When the evidence is weak (few lines, ratio near 1), Tesseract's OSD is asked on a reduced page; if that
is not installed or not confident either, the page is left as it is when its lines run across it (upright
is far more likely than upside down) or when there are no lines to go by (a blank page, a photo), and the
own method's guess is kept when the lines run top to bottom (the page is surely turned by 90 or 270).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np

from . import deskew, engines
from .page import PageImage

log = logging.getLogger(__name__)

MIN_OSD_CONFIDENCE = 2.0
#: |log(above/below)| needed to trust the up/down decision without OSD.
MIN_UPDOWN_EVIDENCE = 0.35
#: Sharpness ratio (horizontal vs vertical) needed to trust the line direction without OSD.
MIN_AXIS_EVIDENCE = 1.15
#: Text lines needed for the up/down statistic.
MIN_LINES = 3
#: Resolution OSD is run at (it needs far fewer pixels than OCR).
OSD_DPI = 150


@dataclass(frozen=True)
class OrientationEstimate:
    """What the orientation analysis found.

    Attributes:
        rotate: Clockwise rotation (0/90/180/270) that makes the page upright.
        axis_ratio: Profile sharpness of the chosen line direction over the other one.
        updown: log(ink above the x-height bands / ink below them) with the chosen rotation applied
            (positive = upright); 0 when there were too few lines to measure.
        lines: Text lines measured.
        method: ``"profile"`` (own method), ``"osd"`` or ``"none"``.
        skew: The skew of the text lines once the page is turned by ``rotate`` (the own method measures it
            on the way and hands it to the deskew stage as ``PageImage.measured_skew``), None when not
            measured.
    """

    rotate: int
    axis_ratio: float
    updown: float
    lines: int
    method: str = "profile"
    skew: deskew.SkewEstimate | None = None

    @property
    def confident(self) -> bool:
        """Whether the own method's evidence is strong enough on both questions."""
        return (
            self.axis_ratio >= MIN_AXIS_EVIDENCE
            and self.lines >= MIN_LINES
            and abs(self.updown) >= MIN_UPDOWN_EVIDENCE
        )


def rotate_right_angle(image: np.ndarray, clockwise_degrees: int) -> np.ndarray:
    """Rotate an image clockwise by a multiple of 90 degrees."""
    turns = (clockwise_degrees // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k=-turns)) if turns else image


def _line_bands(profile: np.ndarray) -> list[tuple[int, int]]:
    """Runs of rows whose ink is at least 40% of a typical line's peak (the x-height bands)."""
    peak = float(np.percentile(profile[profile > 0], 95)) if np.any(profile > 0) else 0.0
    if peak <= 0:
        return []
    dense = profile >= 0.4 * peak
    edges = np.flatnonzero(np.diff(np.concatenate([[0], dense.astype(np.int8), [0]])))
    bands = [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    return [(a, b) for a, b in bands if b - a >= 2]


def updown_evidence(profile: np.ndarray) -> tuple[float, int]:
    """log(ink above / ink below) the x-height bands of a row profile, and the number of bands used."""
    bands = _line_bands(profile)
    if len(bands) < 1:
        return 0.0, 0
    heights = np.array([b - a for a, b in bands])
    typical = float(np.median(heights))
    above = below = 0.0
    used = 0
    for i, (a, b) in enumerate(bands):
        height = b - a
        if not 0.5 * typical <= height <= 1.8 * typical:
            continue  # merged lines or a stray band
        reach = max(2, round(0.9 * height))
        top = max(a - reach, bands[i - 1][1] if i else 0)
        bottom = min(b + reach, bands[i + 1][0] if i + 1 < len(bands) else len(profile))
        above += float(profile[top:a].sum())
        below += float(profile[b:bottom].sum())
        used += 1
    if used == 0 or above + below <= 0:
        return 0.0, used
    return float(np.log((above + 1.0) / (below + 1.0))), used


def analyse(image: np.ndarray, dpi: int = 300) -> OrientationEstimate:
    """Find the clockwise rotation that makes the page upright, with the evidence (own method only)."""
    small, _ = deskew.work_image(image, dpi)
    mask = deskew.ink_mask(small)
    length = small.shape[0] + small.shape[1]
    points = deskew.ink_points(mask)
    if len(points) < deskew.MIN_INK:
        return OrientationEstimate(0, 1.0, 0.0, 0, method="none")
    transposed = points[:, ::-1].copy()
    # the coarse searches tell the line direction; only the chosen one is refined
    horizontal = deskew.search_skew(points, length, refine=False)
    vertical = deskew.search_skew(transposed, length, refine=False)
    if horizontal.score >= vertical.score:
        base, ratio = 0, horizontal.score / max(vertical.score, 1e-9)
        best = deskew.refine_skew(points, length, horizontal)
        xs, ys = points[:, 0], points[:, 1]
    else:
        # lines run top-to-bottom: the page is turned by 90 or 270 degrees; look at it turned clockwise
        base, ratio = 90, vertical.score / max(horizontal.score, 1e-9)
        best = deskew.refine_skew(transposed, length, vertical)
        xs, ys = mask.shape[0] - 1 - points[:, 1], points[:, 0]
    # the search ran on transposed points (a mirror image of the clockwise turn): the skew changes sign
    angle = np.radians(best.angle if base == 0 else -best.angle)
    rows = np.round(ys * np.cos(angle) + xs * np.sin(angle)).astype(np.int64)
    rows -= rows.min()
    profile = np.bincount(rows).astype(np.float64)
    evidence, lines = updown_evidence(profile)
    rotate = base if evidence >= 0 else (base + 180) % 360
    # a half turn keeps the angle of the lines: the skew holds for both candidate rotations of this axis
    skew = deskew.SkewEstimate(float(np.degrees(angle)), best.score, best.points)
    return OrientationEstimate(rotate, ratio, abs(evidence), lines, skew=skew)


def detect(image: np.ndarray, dpi: int = 300, *, use_osd: bool = True) -> OrientationEstimate:
    """The page's orientation: own method, and OSD when its evidence is weak."""
    own = analyse(image, dpi)
    if own.confident or not use_osd or own.method == "none":
        return own
    small, _ = deskew.work_image(image, dpi, OSD_DPI)
    found = engines.detect_orientation(small)
    if found is None or found[1] < MIN_OSD_CONFIDENCE:
        if own.axis_ratio < MIN_AXIS_EVIDENCE:
            # no line direction to go by (a blank page, a photo, dust): leave the page as it is
            log.debug("orientation: no text lines and no confident OSD; leaving the page as it is")
            return replace(own, rotate=0, method="none", skew=own.skew if own.rotate % 180 == 0 else None)
        if own.rotate == 180:
            # lines run across: upright is far more likely than upside down, unless the evidence says so
            log.debug("orientation: weak up/down evidence and no confident OSD; leaving the page upright")
            return replace(own, rotate=0, method="profile, weak")
        # lines run top-to-bottom: the page is surely turned; the own up/down guess beats leaving it sideways
        log.debug("orientation: weak up/down evidence and no confident OSD; keeping %s", own)
        return own
    # the own skew estimate still holds when OSD only flips the page over (same line axis)
    skew = own.skew if (found[0] - own.rotate) % 180 == 0 else None
    return OrientationEstimate(
        found[0], own.axis_ratio, own.updown, own.lines, method=f"osd {found[1]:.1f}", skew=skew
    )


def fix_orientation(page: PageImage) -> PageImage:
    """Rotate the page upright (0/90/180/270); records the clockwise rotation applied in ``rotation``."""
    found = detect(page.image, page.dpi)
    image = rotate_right_angle(page.image, found.rotate)
    # the skew measured here holds for the upright image: the deskew stage need not search again
    skew = found.skew.angle if found.skew is not None else None
    if found.method == "none":
        return page.evolve("orientation: no text to go by", measured_skew=skew)
    detail = f"{found.method}, lines {found.lines}, axis {found.axis_ratio:.2f}, up/down {found.updown:.2f}"
    if found.rotate == 0:
        return page.evolve(f"orientation: upright ({detail})", measured_skew=skew)
    return page.evolve(
        f"orientation: rotated {found.rotate} ({detail})",
        image=image,
        rotation=found.rotate,
        measured_skew=skew,
    )
