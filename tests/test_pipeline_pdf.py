"""The pipeline over PDFs with text layers and signatures (small PDFs made here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocr_pipeline.options import ProcessOptions
from ocr_pipeline.pipeline import process_document
from tests.test_pdf_facts import add_signature, add_text, image_pdf

pytestmark = [pytest.mark.tesseract, pytest.mark.poppler]
TEXT = "Cá nhân và tô chúc có trách nhiêm\nthi hành quyêt dinh này tù ngày ký ban hành"


def test_born_digital_layer_is_the_text_unless_forced(tmp_path: Path) -> None:
    path = image_pdf(tmp_path / "digital.pdf")
    add_text(path, TEXT, invisible=False)
    add_signature(path, "Signed by: AN OFFICE\nDate: 28.04.2026 15:49:15 +07:00")
    doc = process_document(path, ProcessOptions(restore=False, segment=False))
    (page,) = doc.pages
    assert page.source == "text_layer"
    assert "thi hành quyêt dinh" in page.text
    assert "Signed by" not in page.text and "Signed by" in page.annotations[0]
    assert doc.signature is not None and doc.signature["signer"] == "AN OFFICE"
    forced = process_document(path, ProcessOptions(restore=False, segment=False, force_ocr=True))
    assert forced.pages[0].source == "ocr"
    assert "thi hành" in forced.pages[0].legacy_text
    assert "Signed by" not in forced.pages[0].text  # the overlay is not rendered


def test_hidden_legacy_layer_is_kept_aside(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", 40)
    canvas = Image.new("L", (1240, 600), 255)
    ImageDraw.Draw(canvas).text((100, 200), "Quyết định về việc ban hành", font=font, fill=0)
    path = tmp_path / "legacy.pdf"
    canvas.save(path, "PDF", resolution=150)
    add_text(
        path,
        "Thoc hien Cong van s6 2114 ve viec dam bao\ntrat tu an toan giao thong",
        invisible=True,
        top=250,
    )
    doc = process_document(path, ProcessOptions(restore=False, segment=False))
    (page,) = doc.pages
    assert page.source == "ocr"
    assert "Thoc hien" in page.legacy_text and "Thoc hien" in doc.legacy_text
    assert "Thoc" not in page.text
    assert "định" in page.text
