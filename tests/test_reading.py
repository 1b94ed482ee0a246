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
        ("+", 90, "+"),  # a third-level list bullet
        ("+", 12, None),  # one read with little confidence is a seal's or a stamp's
        ("®", 0, None),
        ("*%", 82, None),
        ("n", 0, None),  # a seal's stray letter
        ("#2", 60, None),  # a handwritten number read as glyphs
        ("ngày,24_", 30, "ngày,24"),  # a word keeps its letters, not the stray glyph
        ("¬", 95, None),
        ("II.", 12, "II."),  # a heading's label read with low confidence is a label, not noise
        ("3.", 5, "3."),
        ("b)", 10, "b)"),
        ("ll", 10, None),  # two letters without the label's dot stay noise
    ],
)
def test_printed_word(text: str, confidence: float, expected: str | None) -> None:
    word = printed_word(OcrWord(text=text, confidence=confidence))
    assert (word.text if word else None) == expected


@pytest.mark.tesseract
def test_a_line_final_comma_read_as_a_semicolon_is_one() -> None:
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from ocr_pipeline.imaging.page import OcrLine
    from ocr_pipeline.imaging.reading import _semicolons

    font = ImageFont.truetype("/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf", 50)
    canvas = Image.new("L", (700, 200), 255)
    draw = ImageDraw.Draw(canvas)
    draw.text((40, 40), "2025;", font=font, fill=0)
    draw.text((40, 120), "2026,", font=font, fill=0)
    image = np.asarray(canvas)
    semicolon = OcrWord("2025,", 90, left=35, top=45, width=130, height=55)
    comma = OcrWord("2026,", 90, left=35, top=125, width=130, height=55)
    fixed = _semicolons(image, [OcrLine((semicolon,)), OcrLine(()), OcrLine((comma,))], 300, 30)
    assert [line.text for line in fixed] == ["2025;", "", "2026,"]
