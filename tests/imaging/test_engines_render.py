"""Rendering a PDF page: pdftoppm's colour output made grey strip by strip, as a whole page would be."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest

from ocr_pipeline.exceptions import InputFileError
from ocr_pipeline.imaging import colour, engines


def _colour_page() -> np.ndarray:
    """A colour page: black text lines, a red seal over them, a blue signature stroke."""
    page = np.full((420, 330, 3), 246, dtype=np.uint8)
    for y in range(40, 400, 30):
        page[y : y + 9, 20:310] = (12, 12, 12)
    cv2.circle(page, (170, 200), 90, (215, 35, 45), thickness=7)
    cv2.line(page, (30, 380), (260, 330), (35, 45, 190), thickness=3)
    return page


def _ppm(rgb: np.ndarray) -> io.BytesIO:
    height, width = rgb.shape[:2]
    return io.BytesIO(b"P6\n%d %d\n255\n" % (width, height) + rgb.tobytes())


@pytest.mark.parametrize("strip_bytes", [1, 3 * 330 * 7, 8 << 20])
def test_grey_read_strip_by_strip_is_the_whole_page_conversion(
    monkeypatch: pytest.MonkeyPatch, strip_bytes: int
) -> None:
    rgb = _colour_page()
    whole, share = colour.to_grey(rgb)
    assert share >= colour.MIN_COLOUR_SHARE  # the colour path is the one compared
    monkeypatch.setattr(engines, "RENDER_STRIP_BYTES", strip_bytes)
    assert np.array_equal(engines._read_ppm_grey(_ppm(rgb), 1), whole)


def test_grey_scan_in_rgb_read_as_it_is() -> None:
    rgb = np.repeat(_colour_page().min(axis=2, keepdims=True), 3, axis=2)  # no colour left
    assert np.array_equal(engines._read_ppm_grey(_ppm(rgb), 1), cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))


def test_a_cut_short_rendering_gives_nothing() -> None:
    data = _ppm(_colour_page()).getvalue()
    assert engines._read_ppm_grey(io.BytesIO(data[: len(data) // 2]), 1) is None
    assert engines._read_ppm_grey(io.BytesIO(b""), 1) is None


def test_a_broken_pdf_page_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
    with pytest.raises(InputFileError):
        engines.rasterise_pdf_page(path, 1, 100)
