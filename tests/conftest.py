"""Shared fixtures. Tests never need ../shared: fixtures are generated here or live in tests/data."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).parent.parent / "samples"


def _has_tesseract() -> bool:
    if shutil.which("tesseract") is None:
        return False
    from ocr_pipeline.imaging import engines

    return "eng" in engines.installed_languages()


HAS_TESSERACT = _has_tesseract()
HAS_POPPLER = shutil.which("pdftoppm") is not None and shutil.which("pdfinfo") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_tess = pytest.mark.skip(reason="tesseract with 'eng' data is not installed")
    skip_poppler = pytest.mark.skip(reason="poppler-utils is not installed")
    for item in items:
        if "tesseract" in item.keywords and not HAS_TESSERACT:
            item.add_marker(skip_tess)
        if "poppler" in item.keywords and not HAS_POPPLER:
            item.add_marker(skip_poppler)


@pytest.fixture
def data_dir() -> Path:
    """Folder of small committed fixtures."""
    return DATA


@pytest.fixture(scope="session")
def eng_document() -> Callable[[str], str]:
    """Forty lines of the real English-model OCR sample (the 2021 plan), then a given line (read in that
    regime)."""
    lines = (SAMPLES / "text" / "district-2021.eng-ocr.txt").read_text(encoding="utf-8").split("\n")[20:60]
    return lambda last_line: "\n".join([*lines, last_line])


@pytest.fixture(scope="session")
def correct_document() -> Callable[[str], str]:
    """Thirty lines of the 2021 plan's hand transcription (correct text), then a given line."""
    lines = (DATA / "district-2021.gt.txt").read_text(encoding="utf-8").split("\n")[10:40]
    return lambda last_line: "\n".join([*lines, last_line])
