"""Zones of a born-digital page from its text layer's word boxes."""

from __future__ import annotations

from ocr_pipeline.imaging.layer_zones import LayerWord, parse_bbox_html, zones_of_words

WIDTH, HEIGHT = 595.0, 842.0


def line(text: str, x: float, y: float, size: float = 12.0) -> list[LayerWord]:
    """Words of one line starting at x (top y), 0.5 em per letter and a space between words."""
    words = []
    for word in text.split():
        width = 0.5 * size * len(word)
        words.append(LayerWord(word, x, y, x + width, y + size))
        x += width + 0.3 * size
    return words


def page_words() -> list[LayerWord]:
    words = line("ỦY BAN NHÂN DÂN", 100, 60) + line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 300, 60)
    words += line("THÀNH PHỐ HÀ NỘI", 100, 75) + line("Độc lập - Tự do - Hạnh phúc", 340, 75)
    words += line("Số: 173/KH-UBND", 110, 110) + line("Hà Nội, ngày 28 tháng 4 năm 2026", 320, 110)
    words += line("KẾ HOẠCH", 270, 150)
    for row in range(12):
        words += line(
            "Thực hiện Nghị quyết số 02-NQ/TW ngày 17/3/2026 của Bộ Chính trị về", 70, 190 + row * 18
        )
    return words


def test_header_columns_do_not_merge() -> None:
    found = zones_of_words(page_words(), WIDTH, HEIGHT, 300)
    assert [z.kind for z in found] == ["header_left", "header_right", "number", "title", "body"]
    assert found[0].text == "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI"
    assert found[1].text.splitlines()[-1] == "Hà Nội, ngày 28 tháng 4 năm 2026"
    assert found[2].text == "Số: 173/KH-UBND"


def test_no_words_no_zones() -> None:
    assert zones_of_words([], WIDTH, HEIGHT, 300) == []


def test_parse_bbox_html() -> None:
    document = (
        '<doc><page width="595.3" height="842.0">'
        '<word xMin="1.0" yMin="2.0" xMax="3.0" yMax="4.0">B&amp;C</word></page>'
        '<page width="100" height="200"></page></doc>'
    )
    pages = parse_bbox_html(document)
    assert [(w, h, len(words)) for w, h, words in pages] == [(595.3, 842.0, 1), (100.0, 200.0, 0)]
    assert pages[0][2][0] == LayerWord("B&C", 1.0, 2.0, 3.0, 4.0)
