"""A small batch output folder for the review app, made without Tesseract.

One page of the 2021 plan's English-model OCR (real OCR text, accents mangled) is drawn into a PNG with each
word's box recorded as Tesseract would give it; the pipeline's own document stages (restoration,
segmentation) make the record, and the outputs are written as the batch writes them.
"""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ocr_pipeline.models import PageResult
from ocr_pipeline.options import ProcessOptions
from ocr_pipeline.outputs.geometry import WordBox
from ocr_pipeline.pipeline import file_fingerprint, finish_document
from ocr_pipeline.textio import atomic_write_text

SAMPLES = Path(__file__).parents[2] / "samples"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
DPI = 150
#: Lines 21-40 of the sample: three of their words are flagged for review.
FIRST, LAST = 20, 40


def draw_page(lines: list[str], dpi: int = DPI) -> tuple[Image.Image, list[list[WordBox]]]:
    """An A4 page with ``lines`` drawn on it, and the words with their boxes (``PageResult.words``)."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), size=round(dpi / 7.5))
    words: list[list[WordBox]] = []
    margin, step = round(dpi * 0.8), round(dpi / 4.2)
    for number, line in enumerate(lines, start=1):
        x, y = margin, margin + (number - 1) * step
        words.append([])
        for text in line.split():
            left, top, right, bottom = draw.textbbox((x, y), text, font=font)
            draw.text((x, y), text, font=font, fill=0)
            words[-1].append(WordBox(text, 80.0, left, top, right - left, bottom - top))
            x = right + round(font.getlength(" "))
    return image, words


def make_batch(root: Path, name: str = "plan") -> Path:
    """Write ``root/in/NAME.png`` and the outputs ``root/out/NAME.{txt,md,json}``; returns ``root/out``."""
    lines = (
        (SAMPLES / "text" / "district-2021.eng-ocr.txt").read_text(encoding="utf-8").split("\n")[FIRST:LAST]
    )
    image, words = draw_page(lines)
    source = root / "in" / f"{name}.png"
    source.parent.mkdir(parents=True, exist_ok=True)
    image.save(source, dpi=(DPI, DPI))
    raw = "\n".join(lines)
    confidences = [[80.0] * len(line.split()) for line in lines]
    page = PageResult(
        number=1,
        mean_confidence=80.0,
        lang="eng",
        raw_text=raw,
        text=raw,
        line_confidences=confidences,
        dpi=DPI,
        image_size=(image.width, image.height),
        words=words,
    )
    doc = finish_document(str(source), [page], ProcessOptions())
    doc.source_fingerprint = file_fingerprint(source)
    out = root / "out"
    stem = out / name
    atomic_write_text(stem.with_suffix(".txt"), doc.text + "\n")
    atomic_write_text(stem.with_suffix(".md"), doc.to_markdown())
    atomic_write_text(stem.with_suffix(".json"), doc.to_json() + "\n")
    return out


def read_record(out: Path, name: str = "plan") -> dict[str, object]:
    record: dict[str, object] = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    return record
