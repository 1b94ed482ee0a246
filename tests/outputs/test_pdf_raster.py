"""The blank page raster vnocr's OCRmyPDF engine gets instead of a rendering: the same size and resolution
as OCRmyPDF's own PDFium rendering (the engine reads nothing else from it)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from tools.synthetic import write_pdf

ocrmypdf = pytest.importorskip("ocrmypdf")
pypdfium = pytest.importorskip("ocrmypdf.builtin_plugins.pypdfium")
from ocrmypdf.helpers import Resolution  # noqa: E402

from ocr_pipeline.outputs import pdf_engine  # noqa: E402


def _options(**changes: object) -> SimpleNamespace:
    values: dict[str, object] = {"ocr_engine": "vnocr", "rasterizer": "auto", "lossless_reconstruction": True}
    return SimpleNamespace(**(values | changes))


def _raster(hook: object, pdf: Path, out: Path, pageno: int, dpi: Resolution, options: object) -> Path | None:
    return hook(  # type: ignore[operator,no-any-return]
        input_file=pdf,
        output_file=out,
        raster_device="pnggray",
        raster_dpi=dpi,
        pageno=pageno,
        page_dpi=None,
        rotation=0,
        filter_vector=False,
        stop_on_soft_error=True,
        options=options,
        use_cropbox=False,
    )


@pytest.mark.parametrize(
    ("sizes", "dpi", "raster", "turns"),
    [
        ([(874, 1240), (1241, 877)], 150, Resolution(300, 300), (0, 0)),
        ([(2481, 3507)], 300, Resolution(300, 300), (0,)),
        ([(1001, 703), (333, 517)], 200, Resolution(212.7, 212.7), (0, 0)),
        ([(500, 700), (900, 300)], 100, Resolution(300, 300), (90, 270)),  # pages with /Rotate
    ],
)
def test_the_blank_raster_has_the_rendered_size_and_resolution(
    tmp_path: Path, sizes: list[tuple[int, int]], dpi: int, raster: Resolution, turns: tuple[int, ...]
) -> None:
    import pikepdf

    pdf = tmp_path / "scan.pdf"
    write_pdf([np.full((h, w), 200, np.uint8) for w, h in sizes], pdf, dpi, jpeg_quality=80)
    with pikepdf.open(pdf, allow_overwriting_input=True) as document:
        for page, turn in zip(document.pages, turns, strict=True):
            if turn:
                page.Rotate = turn
        document.save(pdf)
    for pageno in range(1, len(sizes) + 1):
        options = _options()
        ours = _raster(pdf_engine.rasterize_pdf_page, pdf, tmp_path / "ours.png", pageno, raster, options)
        theirs = _raster(pypdfium.rasterize_pdf_page, pdf, tmp_path / "theirs.png", pageno, raster, options)
        assert ours is not None and theirs is not None
        with Image.open(ours) as mine, Image.open(theirs) as rendered:
            assert mine.size == rendered.size
            assert mine.info["dpi"] == rendered.info["dpi"]
            assert mine.getextrema() == (255, 255)  # blank: nothing was rendered


def test_other_engines_and_rebuilt_pages_are_rendered(tmp_path: Path) -> None:
    pdf = tmp_path / "scan.pdf"
    write_pdf([np.full((400, 300), 200, np.uint8)], pdf, 100)
    raster = Resolution(100, 100)
    hook = pdf_engine.rasterize_pdf_page
    for options in (_options(ocr_engine="tesseract"), _options(lossless_reconstruction=False), None):
        assert _raster(hook, pdf, tmp_path / "x.png", 1, raster, options) is None


def test_a_page_cropped_inside_its_media_box_is_rendered(tmp_path: Path) -> None:
    import pikepdf

    pdf = tmp_path / "scan.pdf"
    write_pdf([np.full((400, 300), 200, np.uint8)], pdf, 100)
    with pikepdf.open(pdf, allow_overwriting_input=True) as document:
        document.pages[0].CropBox = [10, 10, 200, 250]
        document.save(pdf)
    assert (
        _raster(pdf_engine.rasterize_pdf_page, pdf, tmp_path / "x.png", 1, Resolution(100, 100), _options())
        is None
    )


def test_a_pdf_pdfium_cannot_open_is_left_to_ocrmypdf(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot a PDF body\n")
    assert pdf_engine.raster_size(broken, 1, Resolution(300, 300)) is None
