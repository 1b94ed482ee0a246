"""Tesseract in the process (libtesseract's C API) reads what the ``tesseract`` command reads."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_pipeline.exceptions import OcrTimeoutError
from ocr_pipeline.imaging import engines, tesseract_api
from tools.synthetic import _font_path

pytestmark = pytest.mark.tesseract

LINES = ("Ủy ban nhân dân huyện", "Số: 12/QĐ-UBND ngày 3 tháng 4", "Điều 1. Phê duyệt kế hoạch;")


def _line(text: str, size: int = 34, width: int = 0) -> np.ndarray:
    font = ImageFont.truetype(str(_font_path("liberation-serif")), size)
    image = Image.new("L", (max(width, 40 + 20 * len(text)), 2 * size + 20), 250)
    ImageDraw.Draw(image).text((20, 10), text, font=font, fill=15)
    return np.asarray(image)


def _text_block(lines: int) -> np.ndarray:
    """``lines`` printed lines one above the other (a small page of text)."""
    return np.vstack([_line(LINES[i % len(LINES)], width=700) for i in range(lines)])


@pytest.fixture
def library() -> None:
    if not tesseract_api.usable():
        pytest.skip("libtesseract cannot be loaded")


def _both(monkeypatch: pytest.MonkeyPatch, read: object) -> tuple[object, object]:
    """``read()`` in the process, then with the command forced."""
    assert callable(read)
    in_process = read()
    monkeypatch.setenv(tesseract_api.ENGINE_ENV, "cli")
    assert not tesseract_api.usable()
    command = read()
    monkeypatch.delenv(tesseract_api.ENGINE_ENV)
    return in_process, command


@pytest.mark.parametrize(("lang", "psm"), [("vie", 3), ("eng", 7)])
def test_a_page_reads_the_same_in_the_process_and_as_a_command(
    library: None, monkeypatch: pytest.MonkeyPatch, lang: str, psm: int
) -> None:
    images = [_line(text) for text in LINES] + [np.full((40, 120), 250, dtype=np.uint8)]

    def read() -> list[object]:
        return [engines.ocr_page(image, lang, psm=psm, timeout=60) for image in images]

    in_process, command = _both(monkeypatch, read)
    assert in_process == command
    assert [page.text for page in in_process][:3] != ["", "", ""]  # type: ignore[attr-defined]


def test_a_batch_and_extra_variables_read_the_same_in_the_process_and_as_a_command(
    library: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = [_line(text) for text in LINES]

    def read() -> tuple[object, object]:
        batch = engines.ocr_images(iter(images), "vie", psm=6, timeout=60)
        digits = [
            engines.ocr_page(image, "eng", psm=7, extra_config="-c tessedit_char_whitelist=0123456789")
            for image in images
        ]
        return batch, digits

    in_process, command = _both(monkeypatch, read)
    assert in_process == command
    batch, digits = in_process  # type: ignore[misc]
    assert all(word.text.isdigit() for page in digits for word in page.words)
    assert "Điều" in batch[2].text


def test_osd_finds_the_same_rotation_in_the_process_and_as_a_command(
    library: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _text_block(24)
    turned = np.ascontiguousarray(np.rot90(page))  # anticlockwise: a quarter turn clockwise makes it upright

    def read() -> list[object]:
        return [engines.detect_orientation(image) for image in (page, turned, page[:60])]

    in_process, command = _both(monkeypatch, read)
    assert in_process == command
    assert in_process[1] is not None and in_process[1][0] == 90  # type: ignore[index]
    assert in_process[2] is None  # too little text


def test_recognition_stopped_at_its_deadline_is_a_timeout_and_the_engine_still_reads(library: None) -> None:
    page = _text_block(30)
    variables = engines._BASE_VARIABLES
    with pytest.raises(OcrTimeoutError):
        tesseract_api.read_tsv(
            page, "vie", psm=6, dpi=300, variables=variables, deadline=time.monotonic() + 0.05
        )
    with pytest.raises(OcrTimeoutError, match="longer than"):
        engines.ocr_images([page, page], "vie", psm=6, timeout=0.05)
    assert "Điều" in engines.ocr_page(_line(LINES[2]), "vie", psm=6, timeout=60).text


def test_an_engine_is_made_once_per_language_and_variables(library: None) -> None:
    image = _line(LINES[0])
    engines.ocr_page(image, "eng", psm=6)
    first = tesseract_api._engine("eng", engines._BASE_VARIABLES)
    engines.ocr_page(image, "eng", psm=7)
    assert tesseract_api._engine("eng", engines._BASE_VARIABLES) is first
    assert tesseract_api._engine("eng", (*engines._BASE_VARIABLES, ("tessedit_do_invert", "0"))) is not first


@pytest.fixture
def missing_library(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(tesseract_api, "LIBRARY_NAME", "libtesseract-not-there.so.0")
    tesseract_api._library.cache_clear()
    yield
    tesseract_api._library.cache_clear()


def test_without_the_library_tesseract_runs_as_a_command_with_one_warning(
    missing_library: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=tesseract_api.__name__):
        assert not tesseract_api.usable()
        page = engines.ocr_page(_line(LINES[2]), "vie", psm=6)
        assert not tesseract_api.usable()
    assert "Điều" in page.text
    warnings = [r.getMessage() for r in caplog.records if r.name == tesseract_api.__name__]
    assert len(warnings) == 1 and "runs as a command" in warnings[0]


def test_openmp_is_limited_to_one_thread_when_the_library_loads(library: None) -> None:
    code = (
        "import ctypes, numpy\n"
        "from ocr_pipeline.imaging import engines\n"
        "engines.ocr_page(numpy.full((40, 80), 250, numpy.uint8), 'eng', psm=6)\n"
        "print(ctypes.CDLL('libgomp.so.1').omp_get_thread_limit())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "1"


def test_prefer_command_uses_the_command_unless_the_variable_asks_for_the_library(
    library: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(tesseract_api.ENGINE_ENV, raising=False)
    assert tesseract_api.usable()
    with tesseract_api.prefer_command():
        assert not tesseract_api.usable()
        monkeypatch.setenv(tesseract_api.ENGINE_ENV, "library")
        assert tesseract_api.usable()
        monkeypatch.delenv(tesseract_api.ENGINE_ENV)
    assert tesseract_api.usable()


def test_engines_beyond_the_limit_are_freed_least_recently_used_first(
    library: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tesseract_api, "MAX_ENGINES_PER_THREAD", 2)
    monkeypatch.setattr(tesseract_api, "_engines", tesseract_api._Engines())

    def engine(dpi: str) -> tesseract_api._Engine:
        return tesseract_api._engine("eng", (*engines._BASE_VARIABLES, ("user_defined_dpi", dpi)))

    first, second = engine("100"), engine("200")
    assert engine("100") is first  # used again: the most recent now
    third = engine("300")
    assert second.handle is None and first.handle is not None and third.handle is not None
    assert len(tesseract_api._engines.by_key) == 2
    assert engine("200") is not second  # made again when asked for
    assert first.handle is None  # the least recently used went
    assert engines.ocr_page(_line("Some printed words"), "eng", psm=7).text  # the engines kept still read


def test_a_page_read_in_the_process_records_the_librarys_version(
    library: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tesseract_api, "version", lambda: "9.8.7-library")
    assert engines.ocr_page(_line(LINES[0]), "eng", psm=7).engine == "tesseract 9.8.7-library"
    assert all(
        r.engine == "tesseract 9.8.7-library" for r in engines.ocr_images([_line(LINES[1])], "eng", psm=7)
    )


def test_a_crop_of_a_page_is_handed_over_without_a_copy_and_reads_as_its_copy(library: None) -> None:
    page = _text_block(3)
    crop = page[10:, 15:520]
    assert not crop.flags.c_contiguous
    engine = tesseract_api._engine("eng", engines._BASE_VARIABLES)
    assert tesseract_api._set_image(engine, crop) is crop
    assert tesseract_api._set_image(engine, page[:, ::-1]) is not None  # columns reversed: copied
    tesseract_api._library().TessBaseAPIClear(engine.handle)  # type: ignore[union-attr]
    assert engines.ocr_page(crop, "eng", psm=6) == engines.ocr_page(crop.copy(), "eng", psm=6)
