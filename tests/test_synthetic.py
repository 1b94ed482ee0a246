"""The scan generator: paragraphs, rendering (Vietnamese marks), degradation, PDF output."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from ocr_pipeline.exceptions import BadArgumentsError
from tools.synthetic import (
    FONTS,
    Degradation,
    blank_page,
    degrade,
    paragraphs_from_text,
    render_pages,
    write_pdf,
)

DPI = 100  # small pages keep these tests fast

TEXT = """## KẾ HOẠCH

### Thực hiện công tác **bảo vệ** trẻ em

Căn cứ Kế hoạch số 28/KH-SLĐTBXH ngày 10/03/2021 của Sở Lao động - Thương binh
và Xã hội, UBND huyện ban hành *Kế hoạch* với các nội dung sau:

I. MỤC ĐÍCH, YÊU CẦU
1. Triển khai đồng bộ, hiệu quả các chương trình, kế hoạch về công tác bảo vệ
trẻ em trên địa bàn huyện.
- Đặc biệt quan tâm trẻ em vùng khó khăn;
- Tổ chức tập huấn.
"""


def test_paragraphs_from_text_cleans_markdown_and_joins_wrapped_lines() -> None:
    paras = paragraphs_from_text(TEXT)
    assert paras == [
        "KẾ HOẠCH",
        "Thực hiện công tác bảo vệ trẻ em",
        "Căn cứ Kế hoạch số 28/KH-SLĐTBXH ngày 10/03/2021 của Sở Lao động - Thương binh "
        "và Xã hội, UBND huyện ban hành Kế hoạch với các nội dung sau:",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Triển khai đồng bộ, hiệu quả các chương trình, kế hoạch về công tác bảo vệ "
        "trẻ em trên địa bàn huyện.",
        "- Đặc biệt quan tâm trẻ em vùng khó khăn;",
        "- Tổ chức tập huấn.",
    ]


def test_paragraphs_join_across_a_stray_blank_line_in_hard_wrapped_text() -> None:
    text = (
        "- Thực hiện đầy đủ chức năng, nhiệm vụ của Ban Chỉ đạo, các thành viên Ban\n\n"
        "Chỉ đạo xã trong việc chỉ đạo.\n\nSố: 12/KH\n\nBằng Mạc, ngày 5 tháng 5 năm 2024\n"
    )
    assert paragraphs_from_text(text) == [
        "- Thực hiện đầy đủ chức năng, nhiệm vụ của Ban Chỉ đạo, các thành viên Ban Chỉ đạo xã "
        "trong việc chỉ đạo.",
        "Số: 12/KH",
        "Bằng Mạc, ngày 5 tháng 5 năm 2024",
    ]


@pytest.mark.parametrize("font", ["liberation-serif", "dejavu-serif"])
def test_render_keeps_every_word_and_renders_stacked_marks(font: str) -> None:
    if not FONTS[font].is_file():
        pytest.skip(f"{FONTS[font]} not installed")
    paras = paragraphs_from_text(TEXT) * 4
    pages = render_pages(paras, dpi=DPI, font=font)
    assert len(pages) >= 1
    drawn = " ".join(line for page in pages for line in page.lines)
    assert drawn.split() == " ".join(paras).split()
    for page in pages:
        assert page.image.dtype == np.uint8
        assert page.image.shape == (round(11.69 * DPI), round(8.27 * DPI))
        assert (page.image < 128).any()
    # stacked marks: "ặ" reaches as high as "ă" and as low as "ạ"; the tilde of "ỗ" sits above the "ô" hat
    extent = {
        c: _ink_rows(render_pages([c], dpi=DPI, font=font, size_pt=40, headings=False)[0].image)
        for c in "ặạăỗôo"
    }
    assert extent["ặ"][0] <= extent["ă"][0] + 2 < extent["ạ"][0]
    assert extent["ặ"][1] >= extent["ạ"][1] > extent["ă"][1]
    assert extent["ỗ"][0] < extent["ô"][0] < extent["o"][0]


def _ink_rows(image: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero((image < 128).any(axis=1))
    return int(rows[0]), int(rows[-1])


def test_render_is_deterministic_and_paginates() -> None:
    paras = paragraphs_from_text(TEXT) * 12
    a = render_pages(paras, dpi=DPI)
    b = render_pages(paras, dpi=DPI)
    assert len(a) == len(b) >= 2
    assert all(np.array_equal(x.image, y.image) and x.lines == y.lines for x, y in zip(a, b, strict=True))


def test_render_without_paragraphs_gives_no_pages_and_unknown_font_raises() -> None:
    assert render_pages([], dpi=DPI) == []
    with pytest.raises(BadArgumentsError):
        render_pages(["x"], dpi=DPI, font="comic-sans")


def test_degrade_is_seeded_pure_and_rotates() -> None:
    page = render_pages(paragraphs_from_text(TEXT), dpi=DPI)[0].image
    before = page.copy()
    spoil = Degradation(
        skew_degrees=2.0,
        rotation=90,
        blur_sigma=0.8,
        noise_sigma=8,
        speckle_density=1e-4,
        jpeg_quality=60,
        contrast=0.8,
        background=235,
        border=True,
    )
    one = degrade(page, spoil, np.random.default_rng(3))
    two = degrade(page, spoil, np.random.default_rng(3))
    other = degrade(page, spoil, np.random.default_rng(4))
    assert np.array_equal(page, before)
    assert np.array_equal(one, two)
    assert not np.array_equal(one, other)
    assert one.shape == page.shape[::-1]
    assert np.array_equal(degrade(page, Degradation(), np.random.default_rng(0)), page)


def test_degrade_rotation_is_clockwise() -> None:
    image = np.full((40, 20), 255, np.uint8)
    image[:5, :5] = 0  # ink in the top-left corner
    turned = degrade(image, Degradation(rotation=90), np.random.default_rng(0))
    assert turned.shape == (20, 40)
    assert turned[:5, -5:].max() == 0  # clockwise: top-left goes to top-right


def test_degradation_validates() -> None:
    with pytest.raises(BadArgumentsError):
        Degradation(rotation=45)
    with pytest.raises(BadArgumentsError):
        Degradation(jpeg_quality=0)


@pytest.mark.poppler
@pytest.mark.parametrize("quality", [None, 70])
def test_write_pdf_round_trips_through_poppler(tmp_path: Path, quality: int | None) -> None:
    from ocr_pipeline.imaging import engines

    pages = [blank_page(DPI), render_pages(["Xin chào Việt Nam"], dpi=DPI)[0].image]
    path = tmp_path / "out.pdf"
    write_pdf(pages, path, DPI, jpeg_quality=quality)
    assert engines.pdf_page_count(path) == 2
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "A4" in info
    back = engines.rasterise_pdf_page(path, 2, DPI)
    assert back.shape == pages[1].shape
    assert np.abs(back.astype(int) - pages[1].astype(int)).mean() < 3
    assert not list(tmp_path.glob(".*tmp"))
