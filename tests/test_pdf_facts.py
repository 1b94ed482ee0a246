"""PDF-level facts: text-layer decisions, signature records and overlays, on small PDFs made here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocr_pipeline.imaging import pdf as pdf_facts

pikepdf = pytest.importorskip("pikepdf")


def image_pdf(path: Path) -> Path:
    """A one-page PDF holding only a white image with a black bar (a scan, 72 dpi: 1 px = 1 pt)."""
    pixels = np.full((400, 300), 255, np.uint8)
    pixels[100:110, 40:260] = 0
    Image.fromarray(pixels).save(path, "PDF", resolution=72)
    return path


def add_text(path: Path, text: str, *, invisible: bool, top: int = 380) -> None:
    """Draw ``text`` (Latin-1 only) on the page with Helvetica, visibly or in render mode 3."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        font = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type1,
                BaseFont=pikepdf.Name.Helvetica,
                Encoding=pikepdf.Name.WinAnsiEncoding,
            )
        )
        page.add_resource(font, pikepdf.Name.Font, pikepdf.Name.F1)
        mode = 3 if invisible else 0
        lines = b"".join(b"(" + line.encode("cp1252") + b") Tj 0 -14 Td " for line in text.split("\n"))
        page.contents_add(
            pdf.make_stream(b"BT /F1 10 Tf %d Tr 20 %d Td " % (mode, top) + lines + b"ET"), prepend=False
        )
        pdf.save(path)


def add_signature(path: Path, box_text: str, when: str = "D:20260428154915+07'00'") -> None:
    """A signed ``/Sig`` widget whose appearance draws ``box_text`` at the top of the page."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        font = pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
        lines = b"".join(b"(" + line.encode("cp1252") + b") Tj 0 -12 Td " for line in box_text.split("\n"))
        appearance = pdf.make_stream(b"BT /F1 9 Tf 2 40 Td " + lines + b"ET")
        appearance["/Type"] = pikepdf.Name.XObject
        appearance["/Subtype"] = pikepdf.Name.Form
        appearance["/BBox"] = pikepdf.Array([0, 0, 200, 50])
        appearance["/Resources"] = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        value = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Sig,
                Filter=pikepdf.Name("/Adobe.PPKLite"),
                M=pikepdf.String(when),
                Reason=pikepdf.String("AN OFFICE <office@example.vn>"),
            )
        )
        widget = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Widget,
                FT=pikepdf.Name.Sig,
                T=pikepdf.String("Sig1"),
                Rect=pikepdf.Array([0, 345, 200, 395]),
                F=132,
                V=value,
                AP=pikepdf.Dictionary(N=appearance),
            )
        )
        pdf.pages[0].obj["/Annots"] = pikepdf.Array([widget])
        pdf.Root["/AcroForm"] = pikepdf.Dictionary(Fields=pikepdf.Array([widget]), SigFlags=3)
        pdf.save(path)


def test_marked_share_counts_words_with_vietnamese_marks() -> None:
    assert pdf_facts.marked_share("Thực hiện công văn số 12") == pytest.approx(1.0)
    assert pdf_facts.marked_share("Thoc hien Cong van s6 2114") == 0.0
    assert pdf_facts.marked_share("") == 0.0


@pytest.mark.parametrize(
    ("chars", "invisible", "marked", "kind"),
    [(10, 0.0, 0.9, "none"), (500, 1.0, 0.9, "legacy"), (500, 0.0, 0.01, "legacy"), (500, 0.0, 0.7, "real")],
)
def test_classify_layer(chars: int, invisible: float, marked: float, kind: str) -> None:
    assert pdf_facts.classify_layer(chars, invisible, marked) == kind


def test_classify_layer_does_not_ask_marks_of_a_non_vietnamese_document() -> None:
    assert pdf_facts.classify_layer(500, 0.0, 0.0, vietnamese=False) == "real"


def test_dates_of_the_signature_and_of_its_box() -> None:
    assert pdf_facts.pdf_date("D:20260428154915+07'00'") == "2026-04-28T15:49:15+07:00"
    assert pdf_facts.pdf_date("garbage") is None
    assert pdf_facts.box_time("28.04.2026 15:49:15 +07:00") == "2026-04-28T15:49:15+07:00"
    assert pdf_facts.box_time("2025-05-30 10:26:30") == "2025-05-30T10:26:30+07:00"


def test_signature_prefers_the_box_signer_and_the_dictionary_time() -> None:
    box = "Người ký: CỔNG THÔNG TIN\nEmail: a@b.vn\nCơ quan: VĂN PHÒNG\n"
    box += "Thời gian ký: 28.04.2026 15:49:15 +07:00"
    info = pdf_facts.signature_from({"M": "D:20260428154916+07'00'"}, box, 1)
    assert (info.signer, info.organisation, info.email) == ("CỔNG THÔNG TIN", "VĂN PHÒNG", "a@b.vn")
    assert info.signed_at == "2026-04-28T15:49:16+07:00"
    one_line = pdf_facts.signature_from({}, "SAO Y; Ủy ban X; Thời gian ký: 2025-05-30 10:26:30", 1)
    assert one_line.signed_at == "2025-05-30T10:26:30+07:00"


@pytest.mark.poppler
def test_image_only_page_with_a_signature_box(tmp_path: Path) -> None:
    path = image_pdf(tmp_path / "scan.pdf")
    add_signature(path, "Signed by: AN OFFICE\nEmail: office@example.vn\nDate: 28.04.2026 15:49:15 +07:00")
    facts = pdf_facts.inspect_pdf(path)
    assert [p.kind for p in facts.pages] == ["none"]  # the box's text is no text layer
    assert facts.overlays == [(1, 0)]
    (signature,) = facts.signatures
    assert signature.signer == "AN OFFICE"
    assert signature.signed_at == "2026-04-28T15:49:15+07:00"
    assert signature.page == 1
    assert "Signed by" in facts.pages[0].annotations[0]
    bare = pdf_facts.without_overlays(path, facts, tmp_path / "bare.pdf")
    with pikepdf.open(bare) as copy:
        assert "/Annots" not in copy.pages[0].obj


@pytest.mark.poppler
def test_hidden_ocr_layer_is_legacy(tmp_path: Path) -> None:
    path = image_pdf(tmp_path / "legacy.pdf")
    add_text(
        path,
        "Thoc hien Cong van s6 2114 ve viec dam bao\ntrat tu an toan giao thong cho hoc sinh",
        invisible=True,
    )
    (layer,) = pdf_facts.inspect_pdf(path).pages
    assert layer.kind == "legacy"
    assert layer.invisible_share == 1.0
    assert "Thoc hien" in layer.text


@pytest.mark.poppler
def test_visible_vietnamese_text_is_a_real_layer(tmp_path: Path) -> None:
    path = image_pdf(tmp_path / "digital.pdf")
    add_text(
        path,
        "Cá nhân và tô chúc có trách nhiêm\nthi hành quyêt dinh này tù ngày ký ban hành",
        invisible=False,
    )
    (layer,) = pdf_facts.inspect_pdf(path).pages
    assert layer.kind == "real"
    assert layer.text.startswith("Cá nhân")


def test_unreadable_pdf_gives_no_facts(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nnot really a pdf")
    facts = pdf_facts.inspect_pdf(path)
    assert facts.pages == [] and facts.signatures == []
