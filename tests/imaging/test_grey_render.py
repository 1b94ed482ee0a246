"""Pages that can only render grey are rendered grey (``pdftoppm -gray``), with the colour path's pixels."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pikepdf
import pytest

from ocr_pipeline.imaging import colour, engines

XObjectMaker = Callable[[pikepdf.Pdf], pikepdf.Stream]


def _pdf(path: Path, content: bytes, xobjects: dict[str, XObjectMaker] | None = None) -> Path:
    """A one-page PDF (200 x 100 points) with ``content`` and the image or form ``xobjects`` it paints
    (each made in the PDF by its maker)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 100))
    page = pdf.pages[0]
    resources = pikepdf.Dictionary()
    if xobjects:
        resources.XObject = pikepdf.Dictionary(
            {f"/{name}": pdf.make_indirect(make(pdf)) for name, make in xobjects.items()}
        )
    page.obj.Resources = resources
    page.obj.Contents = pdf.make_stream(content)
    pdf.save(path)
    return path


def _image(pixels: np.ndarray, space: str) -> XObjectMaker:
    height, width = pixels.shape[:2]
    return lambda pdf: pikepdf.Stream(
        pdf,
        pixels.tobytes(),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=width,
        Height=height,
        ColorSpace=pikepdf.Name(space),
        BitsPerComponent=8,
    )


def _scan(width: int = 40, height: int = 20) -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.integers(0, 256, size=(height, width), dtype=np.uint8)


GREY_VECTOR = b"0.3 g 10 10 50 30 re f 0 0 0 rg 0.5 0.5 0.5 RG 2 w 10 80 m 190 80 l S"


def test_grey_vector_content_is_grey(tmp_path: Path) -> None:
    assert colour.pdf_page_is_grey(_pdf(tmp_path / "a.pdf", GREY_VECTOR), 1)


@pytest.mark.parametrize(
    "content",
    [
        b"1 0 0 rg 10 10 50 30 re f",  # red fill
        b"0 0 0 1 k 10 10 50 30 re f",  # CMYK black: poppler renders it with unequal RGB
        b"/DeviceRGB cs 0.2 0.2 0.2 sc 10 10 50 30 re f",  # an RGB colour space
    ],
)
def test_colour_operators_are_not_grey(tmp_path: Path, content: bytes) -> None:
    assert not colour.pdf_page_is_grey(_pdf(tmp_path / "a.pdf", content), 1)


def test_grey_image_is_grey_and_rgb_image_is_not(tmp_path: Path) -> None:
    draw = b"q 200 0 0 100 0 0 cm /Im0 Do Q"
    grey = _pdf(tmp_path / "g.pdf", draw, {"Im0": _image(_scan(), "/DeviceGray")})
    assert colour.pdf_page_is_grey(grey, 1)
    rgb = np.repeat(_scan()[..., None], 3, axis=2)
    coloured = _pdf(tmp_path / "c.pdf", draw, {"Im0": _image(rgb, "/DeviceRGB")})
    assert not colour.pdf_page_is_grey(coloured, 1)


def test_a_form_is_followed(tmp_path: Path) -> None:
    def form(content: bytes) -> XObjectMaker:
        return lambda pdf: pikepdf.Stream(
            pdf, content, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 200, 100]
        )

    assert colour.pdf_page_is_grey(_pdf(tmp_path / "g.pdf", b"/F0 Do", {"F0": form(GREY_VECTOR)}), 1)
    red = _pdf(tmp_path / "r.pdf", b"/F0 Do", {"F0": form(b"1 0 0 rg 0 0 9 9 re f")})
    assert not colour.pdf_page_is_grey(red, 1)


def test_an_unreadable_file_is_not_known_grey(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert not colour.pdf_page_is_grey(path, 1)


def test_grey_page_is_rendered_grey_with_the_colour_paths_pixels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draw = b"q 150 0 0 70 20 15 cm /Im0 Do Q " + GREY_VECTOR
    path = _pdf(tmp_path / "g.pdf", draw, {"Im0": _image(_scan(), "/DeviceGray")})
    in_colour = engines.rasterise_pdf_page(path, 1, 150, grey=False)

    def no_colour_path(stream: io.BufferedReader, page_number: int) -> None:
        raise AssertionError("a grey page went through the colour path")

    monkeypatch.setattr(engines, "_read_ppm_grey", no_colour_path)
    rendered = engines.rasterise_pdf_page(path, 1, 150)
    assert rendered.dtype == np.uint8 and rendered.shape == in_colour.shape
    assert np.array_equal(rendered, in_colour)
    assert len(np.unique(rendered)) > 2  # the image and the vector content were drawn


def test_a_cut_short_grey_rendering_gives_nothing() -> None:
    data = b"P5\n4 3\n255\n" + bytes(range(12))
    whole = engines._read_pgm(io.BytesIO(data))
    assert whole is not None and np.array_equal(whole, np.arange(12, dtype=np.uint8).reshape(3, 4))
    assert engines._read_pgm(io.BytesIO(data[:-1])) is None
    assert engines._read_pgm(io.BytesIO(b"")) is None
