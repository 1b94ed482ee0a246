"""Fixtures of the archive-output tests: a synthetic scanned page whose word boxes are known (drawn here),
so the PDF, ALTO and word mapping are tested without Tesseract."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_pipeline.models import Document, PageResult
from ocr_pipeline.outputs.geometry import WordBox

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
DPI = 150
#: (restored line, OCR line) pairs drawn on the page: the OCR line is what a mark-blind read gives.
PAGE_LINES = [
    [
        ("KẾ HOẠCH", "KE HOACH"),
        ("Phòng chống đuối nước cho trẻ em", "Phong chong duoi nuoc cho tre em"),
        ("trên địa bàn xã Bằng Mạc năm 2024", "tren dia ban xa Bang Mac nam 2024"),
    ],
    [
        ("I. MỤC ĐÍCH, YÊU CẦU", "I. MUC DICH, YEU CAU"),
        ("Tổ chức dạy bơi an toàn dưới nước", "To chuc day boi an toan duoi nuoc"),
    ],
]


@dataclass
class ScannedDocument:
    """A drawn scan (PDF of JPEG pages) and the vnocr document of it, word boxes as drawn."""

    pdf: Path
    document: Document
    images: list[Path]


def draw_page(lines: list[tuple[str, str]], path: Path) -> tuple[list[list[WordBox]], tuple[int, int]]:
    """Draw the restored lines on an A5-ish page at :data:`DPI`; return the OCR words' boxes per line."""
    size = (874, 1240)
    image = Image.new("L", size, 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 28)
    boxes: list[list[WordBox]] = []
    y = 120
    for restored, ocr in lines:
        x = 90
        line_boxes = []
        for word, ocr_word in zip(restored.split(), ocr.split(), strict=True):
            left, top, right, bottom = draw.textbbox((x, y), word, font=font)
            draw.text((x, y), word, font=font, fill=20)
            line_boxes.append(WordBox(ocr_word, 91.0, left, top, right - left, bottom - top, block=1))
            x = right + 16
        boxes.append(line_boxes)
        y += 70
    image.save(path, "JPEG", quality=60, dpi=(DPI, DPI))
    return boxes, size


def scanned_document(folder: Path) -> ScannedDocument:
    """Draw the pages, wrap the JPEGs in a PDF unchanged (img2pdf) and build the document."""
    import img2pdf

    pages, images = [], []
    for number, lines in enumerate(PAGE_LINES, start=1):
        image = folder / f"page{number}.jpg"
        boxes, size = draw_page(lines, image)
        images.append(image)
        pages.append(
            PageResult(
                number=number,
                mean_confidence=91.0,
                lang="vie",
                raw_text="\n".join(ocr for _, ocr in lines),
                text="\n".join(restored for restored, _ in lines),
                dpi=DPI,
                image_size=size,
                words=boxes,
            )
        )
    pdf = folder / "scan.pdf"
    pdf.write_bytes(img2pdf.convert([str(p) for p in images]))
    doc = Document(source=str(pdf), pages=pages, text="\f".join(p.text for p in pages))
    doc.raw_text = "\f".join(p.raw_text for p in pages)
    return ScannedDocument(pdf, doc, images)


@pytest.fixture
def scanned(tmp_path: Path) -> ScannedDocument:
    """A two-page drawn scan and its document (no OCR run)."""
    if not FONT.is_file():
        pytest.skip("DejaVu Serif (fonts-dejavu-core) is not installed")
    return scanned_document(tmp_path)


@pytest.fixture(scope="session")
def has_ghostscript() -> bool:
    """Whether PDF/A can be made here."""
    return shutil.which("gs") is not None
