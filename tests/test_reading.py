"""Glyph-soup filtering of OCR words (no Tesseract needed)."""

from __future__ import annotations

import pytest

from ocr_pipeline.imaging.page import OcrWord
from ocr_pipeline.imaging.reading import printed_word


@pytest.mark.parametrize(
    ("text", "confidence", "expected"),
    [
        ("Quyết", 96, "Quyết"),
        ("VT,", 40, "VT,"),  # a real word read with middling confidence stays
        ("-", 92, "-"),  # a list dash
        ("®", 0, None),
        ("*%", 82, None),
        ("n", 0, None),  # a seal's stray letter
        ("#2", 60, None),  # a handwritten number read as glyphs
        ("ngày,24_", 30, "ngày,24"),  # a word keeps its letters, not the stray glyph
        ("¬", 95, None),
    ],
)
def test_printed_word(text: str, confidence: float, expected: str | None) -> None:
    word = printed_word(OcrWord(text=text, confidence=confidence))
    assert (word.text if word else None) == expected
