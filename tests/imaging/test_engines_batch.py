"""Several images read by one Tesseract run: each gets what a run of its own gives it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_pipeline.imaging import engines
from tools.synthetic import _font_path

pytestmark = pytest.mark.tesseract


def _line(text: str, size: int = 34) -> np.ndarray:
    font = ImageFont.truetype(str(_font_path("liberation-serif")), size)
    image = Image.new("L", (40 + 20 * len(text), 2 * size + 20), 250)
    ImageDraw.Draw(image).text((20, 10), text, font=font, fill=15)
    return np.asarray(image)


def test_each_image_of_a_batch_reads_as_it_does_alone() -> None:
    images = [
        _line("Ủy ban nhân dân huyện"),
        np.full((40, 120), 250, dtype=np.uint8),  # a blank cell: nothing read
        _line("Số: 12/QĐ-UBND ngày 3 tháng 4"),
        _line("Điều 1. Phê duyệt kế hoạch", 28),
    ]
    batch = engines.ocr_images(iter(images), "eng", psm=6)
    alone = [engines.ocr_page(image, "eng", psm=6) for image in images]
    assert [r.lines for r in batch] == [r.lines for r in alone]
    assert batch[0].words and not batch[1].words
    assert engines.ocr_images([], "eng") == []
