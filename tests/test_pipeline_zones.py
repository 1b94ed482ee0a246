"""The page zones found on the image reach the structure stage with their restored text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocr_pipeline.models import Document, PageResult
from ocr_pipeline.options import ProcessOptions
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


def _signed_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signer: str) -> Document:
    from ocr_pipeline import pipeline
    from ocr_pipeline.imaging.pdf import PdfFacts, SignatureInfo

    facts = PdfFacts(signatures=[SignatureInfo(signer=signer, page=1)])
    monkeypatch.setattr(pipeline, "pdf_facts", lambda path, options: facts)
    source = tmp_path / "signed.pdf"
    source.write_bytes(b"%PDF-1.4\n")
    text = (
        "I. NỘI DUNG\n1. Tuyên truyền.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n"
    )
    page = PageResult(number=1, raw_text=text)
    return pipeline.document_from_pages(source, [page], ProcessOptions(restore=False))


def test_a_signature_naming_a_person_fills_the_empty_signer_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _signed_document(tmp_path, monkeypatch, "NGUYỄN VĂN AN")
    signer = doc.metadata.signer
    assert signer is not None
    assert (signer.position, signer.name, signer.name_source) == (
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn An",
        "digital_signature",
    )


def test_a_signature_naming_an_organisation_leaves_the_name_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _signed_document(tmp_path, monkeypatch, "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ")
    assert doc.metadata.signer is not None and doc.metadata.signer.name is None
    assert doc.signature is not None and doc.signature["signer"] == "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ"
