"""Shared fixtures. Tests never need ../shared: fixtures are generated here or live in tests/data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def _has_tesseract() -> bool:
    if shutil.which("tesseract") is None:
        return False
    from ocr_pipeline import engines

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
