"""OCR stage by layout zones: marks painted out, each zone read on its own, texts joined in reading order.

The page's :class:`~.page.PageOcr` is the zones' lines in reading order (word boxes in page coordinates, an
empty line between zones), so the page text is the concatenation of the zone texts. When layout analysis
fails the page is read whole, as :func:`.ocr.recognise` does, with one ``unknown`` zone and a logged
warning: a page is never lost to it.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np

from . import engines, marks, zones
from .cleanup import binarise, paper_level
from .ocr import recognise
from .page import Mark, OcrLine, PageImage, PageLayout, PageOcr, Zone

log = logging.getLogger(__name__)

#: Tesseract page segmentation per zone kind (4 = one column of lines of varied sizes, 3 = automatic).
ZONE_PSM = {"body": 4, "unknown": 3}
DEFAULT_ZONE_PSM = 4


def recognise_by_zones(page: PageImage, lang: str, timeout: float = 0) -> PageImage:
    """Attach the OCR of the page read zone by zone, and its layout (zones, marks)."""
    try:
        image, found, layout = _analyse(page.image, page.dpi)
    except Exception as exc:  # layout analysis must never lose a page: read it whole instead
        log.warning("page %d: layout analysis failed (%s); page read whole", page.number, exc)
        return _whole(page, lang, timeout, note=f"layout failed: {exc}")
    if not layout.zones:
        return _whole(page, lang, timeout, note="no text lines found", marks_found=found)
    pad = max(4, round(0.35 * layout.line_height)) if layout.line_height else 8
    lines: list[OcrLine] = []
    zone_records: list[Zone] = []
    for zone, clip in layout.zones:
        x, y, w, h = zone.box(pad, image.shape, clip)
        crop = np.ascontiguousarray(image[y : y + h, x : x + w])
        result = engines.ocr_page(
            crop, lang, dpi=page.dpi, psm=ZONE_PSM.get(zone.kind, DEFAULT_ZONE_PSM), timeout=timeout
        )
        shifted = [
            OcrLine(tuple(replace(wd, left=wd.left + x, top=wd.top + y) for wd in ln.words))
            for ln in result.lines
        ]
        shifted = _trim_blank_lines(shifted)
        if not shifted:
            continue
        if lines:
            lines.append(OcrLine(()))
        lines += shifted
        zone_records.append(Zone(zone.kind, (x, y, w, h), "\n".join(ln.text for ln in shifted)))
    notes = tuple(Mark("note", (b.x0, b.y0, b.x1 - b.x0, b.height)) for b in layout.above_header)
    ocr = PageOcr(lines=tuple(lines), lang=lang, engine=f"tesseract {engines.tesseract_version()}")
    kinds = ", ".join(z.kind for z in zone_records) or "none"
    note = f"ocr by zones: {lang}, {len(ocr.words)} words; zones {kinds}; marks {len(found.marks)}"
    return page.evolve(
        note,
        image=image,
        ocr=ocr,
        pre_cleanup=None,
        layout=PageLayout(tuple(zone_records), found.marks + notes),
    )


def _analyse(image: np.ndarray, dpi: int) -> tuple[np.ndarray, marks.MarkFinding, zones.Layout]:
    """The page with its marks painted out, the marks, and the zones."""
    ink, threshold = binarise(image)
    found = marks.find_marks(ink, dpi)
    if found.mask.any():
        image = image.copy()
        image[found.mask] = paper_level(image, threshold)
        ink = ink & ~found.mask
    return image, found, zones.find_layout(ink, dpi)


def _whole(
    page: PageImage, lang: str, timeout: float, note: str, marks_found: marks.MarkFinding | None = None
) -> PageImage:
    """Read the page whole (one ``unknown`` zone)."""
    done = recognise(page, lang, timeout)
    text = done.ocr.text if done.ocr else ""
    h, w = page.image.shape[:2]
    found = marks_found.marks if marks_found else ()
    layout = PageLayout((Zone("unknown", (0, 0, w, h), text),) if text else (), found)
    return done.evolve(f"layout: {note}", layout=layout)


def _trim_blank_lines(lines: list[OcrLine]) -> list[OcrLine]:
    """Lines without the empty (paragraph-break) lines at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].words:
        start += 1
    while end > start and not lines[end - 1].words:
        end -= 1
    return lines[start:end]
