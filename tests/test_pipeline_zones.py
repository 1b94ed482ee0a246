"""The page zones found on the image reach the structure stage with their restored text."""

from __future__ import annotations

from ocr_pipeline.models import PageResult
from ocr_pipeline.pipeline import structure_zones
from ocr_pipeline.structure.model import Zone


def _page(number: int, zones: list[tuple[str, str]], restored: str | None = None) -> PageResult:
    raw = "\n\n".join(text for _, text in zones)
    page = PageResult(number=number, raw_text=raw, text=restored if restored is not None else raw)
    page.zones = [{"kind": kind, "box": [0, 0, 1, 1], "text": text} for kind, text in zones]
    return page


def test_each_zone_takes_back_its_own_restored_lines() -> None:
    zones = [
        ("header_left", "UY BAN NHAN DAN\nXA BANG MAC"),
        ("number", "So: 12/KH-UBND"),
        ("body", "I. MUC DICH"),
    ]
    restored = "ỦY BAN NHÂN DÂN\nXÃ BẰNG MẠC\n\nSố: 12/KH-UBND\n\nI. MỤC ĐÍCH"
    found = structure_zones([_page(2, zones, restored)])
    assert found == [
        Zone("header_left", "ỦY BAN NHÂN DÂN\nXÃ BẰNG MẠC", 2),
        Zone("header_left", "Số: 12/KH-UBND", 2),  # the Số line is the left column's last line
        Zone("body", "I. MỤC ĐÍCH", 2),
    ]


def test_a_page_whose_zones_do_not_make_up_its_text_gives_none() -> None:
    page = _page(1, [("title", "KE HOACH")])
    page.raw_text = "KE HOACH\nextra line the zones do not hold"
    page.text = page.raw_text
    assert structure_zones([page, _page(2, [("body", "1. Noi dung")])]) == [Zone("body", "1. Noi dung", 2)]


def test_pages_without_zones_give_none() -> None:
    assert structure_zones([PageResult(number=1, raw_text="a", text="a")]) == []
