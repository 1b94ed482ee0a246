"""Page images for the review views: rendered once from the source, cached under ``OUTPUT_DIR/.review/``.

The image shows the page as scanned (the source page raster, ``image_size`` pixels at the page's ``dpi``),
at :data:`~.flags.DISPLAY_DPI`, so the word boxes of the record (pixels of the source page raster) map onto it
by one scale factor.
"""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..imaging import engines, rasterise
from ..textio import atomic_write_bytes
from .flags import DISPLAY_DPI, find_page
from .folder import DocumentFiles, OutputFolder

log = logging.getLogger(__name__)


def find_source(record: dict[str, Any], files: DocumentFiles, sources: Path | None) -> Path | None:
    """The input file of a record: its ``source`` as recorded (absolute, or relative to the working folder),
    else the same relative path below ``sources`` (the batch's INPUT_DIR)."""
    recorded = Path(str(record.get("source", "")))
    if recorded.name and recorded.is_file():
        return recorded
    if sources is not None and recorded.suffix:
        candidate = sources / (files.id + recorded.suffix)
        if candidate.is_file():
            return candidate
    return None


def cache_path(
    folder: OutputFolder, files: DocumentFiles, record: dict[str, Any], page: dict[str, Any]
) -> Path:
    """Where the page's image is cached: named by document and page, and by what shaped the image (source
    fingerprint, turn, skew, size) so a re-run that reads the page otherwise gets a new image."""
    shape = "|".join(
        str(v)
        for v in (
            record.get("source_fingerprint"),
            page.get("rotation"),
            page.get("skew_degrees"),
            page.get("image_size"),
        )
    )
    digest = hashlib.sha256(shape.encode("utf-8")).hexdigest()[:12]
    return folder.review_dir / "pages" / f"{files.id}.p{page.get('number')}.{digest}.jpg"


def _source_raster(source: Path, number: int, dpi: int) -> np.ndarray:
    if source.suffix.lower() in rasterise.PDF_SUFFIXES:
        return engines.rasterise_pdf_page(source, number, dpi)
    for page in rasterise.iter_pages(source, dpi):
        if page.number == number:
            return page.image
    raise FileNotFoundError(f"{source}: no page {number}")


def render_page(source: Path, page: dict[str, Any]) -> bytes:
    """The page as scanned, at the display resolution, as JPEG bytes (a scan's grain triples a PNG)."""
    dpi = int(page.get("dpi") or 300)
    shown_dpi = min(DISPLAY_DPI, dpi)
    is_pdf = source.suffix.lower() in rasterise.PDF_SUFFIXES
    image = _source_raster(source, int(page["number"]), shown_dpi if is_pdf else dpi)
    width, height = page.get("image_size") or [image.shape[1], image.shape[0]]
    scale = shown_dpi / dpi
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    picture = Image.fromarray(image)
    if picture.size != size:
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=82)
    return out.getvalue()


def page_image(folder: OutputFolder, files: DocumentFiles, number: int, sources: Path | None) -> Path | None:
    """The cached image of a page, rendered now if it is not cached yet; None when the record has no such
    page or its source cannot be found or read."""
    record = folder.record(files)
    ref = find_page(record, number)
    if ref is None:
        return None
    path = cache_path(folder, files, record, ref.page)
    if path.is_file():
        return path
    source = find_source(record, files, sources)
    if source is None:
        return None
    try:
        data = render_page(source, ref.page)
    except Exception as exc:  # a source that moved on, a missing poppler: the views go on without the image
        log.warning("%s page %d: no page image (%s)", files.id, number, exc)
        return None
    atomic_write_bytes(path, data)
    return path
