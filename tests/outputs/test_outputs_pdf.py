"""The searchable PDF: restored text in the text layer, on the words' boxes, page images untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocr_pipeline.outputs.pdf import pdf_metadata, write_pdf
from ocr_pipeline.structure.model import DocumentMetadata, DocumentNumber
from tools.bench.outputs import box_report, character_error_rate, images_identical, pdftotext

pytestmark = pytest.mark.poppler


@pytest.fixture
def written(scanned, tmp_path: Path):
    scanned.document.metadata = DocumentMetadata(
        issuer="ỦY BAN NHÂN DÂN XÃ BẰNG MẠC",
        title="Phòng chống đuối nước cho trẻ em",
        number=DocumentNumber(raw="12/KH-UBND", number="12"),
    )
    out = tmp_path / "out" / "scan.pdf"
    outcome = write_pdf(scanned.document, scanned.pdf, out)
    return scanned, out, outcome


def test_text_layer_holds_the_restored_text(written) -> None:
    scanned, out, outcome = written
    assert outcome.status == "written"
    text = pdftotext(out)
    assert character_error_rate(scanned.document.text, text) <= 0.005
    assert "đuối nước" in text and "duoi" not in text
    assert text.split("\f")[1].strip().startswith("I. MỤC ĐÍCH")  # page 2's words on page 2


def test_words_sit_on_their_boxes(written) -> None:
    scanned, out, _ = written
    report = box_report(scanned.document, out)
    assert report.paired == report.words > 0
    assert report.share_at_least_80 == 1.0, sorted(report.overlaps)[:5]


def test_page_images_are_untouched_and_size_grows_little(written) -> None:
    scanned, out, _ = written
    assert images_identical(scanned.pdf, out)
    assert out.stat().st_size <= scanned.pdf.stat().st_size * 1.10 + 30_000  # a tiny input: font subset


def test_pdfa_with_the_document_metadata(written, has_ghostscript: bool) -> None:
    import pikepdf

    _, out, outcome = written
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata()
        assert meta.get("dc:title") == "Phòng chống đuối nước cho trẻ em"
        assert "BẰNG MẠC" in str(meta.get("dc:creator"))
        assert str(pdf.docinfo.get("/Subject")) == "12/KH-UBND"
        if has_ghostscript:
            assert outcome.kind == "PDF/A-2" and meta.pdfa_status == "2B"


def test_plain_pdf_with_a_warning_without_ghostscript(scanned, tmp_path, monkeypatch, caplog) -> None:
    monkeypatch.setattr("ocr_pipeline.outputs.pdf.ghostscript_available", lambda: False)
    outcome = write_pdf(scanned.document, scanned.pdf, tmp_path / "plain.pdf")
    assert outcome.kind == "PDF" and "not PDF/A" in caplog.text
    assert "đuối nước" in pdftotext(tmp_path / "plain.pdf")


def test_image_input_gets_a_pdf(scanned, tmp_path: Path) -> None:
    page = scanned.document.pages[0]
    scanned.document.pages = [page]
    outcome = write_pdf(scanned.document, scanned.images[0], tmp_path / "page1.pdf")
    assert outcome.status == "written"
    assert "Phòng chống đuối nước" in pdftotext(tmp_path / "page1.pdf")


def test_a_pdf_with_text_is_not_rewritten(written, tmp_path: Path) -> None:
    scanned, out, _ = written
    again = write_pdf(scanned.document, out, tmp_path / "again.pdf")
    assert again.status == "skipped" and not (tmp_path / "again.pdf").exists()


def test_metadata_fields() -> None:
    meta = DocumentMetadata(issuer="UBND  XÃ", title=None, number=DocumentNumber(raw="5/QĐ"))
    from ocr_pipeline.models import Document

    assert pdf_metadata(Document(source="x", metadata=meta)) == {"author": "UBND XÃ", "subject": "5/QĐ"}


def test_a_pdf_ocrmypdf_refuses_is_skipped_with_its_reason(scanned, tmp_path: Path, monkeypatch) -> None:
    import ocrmypdf

    def refuse(*args: object, **kwargs: object) -> None:
        raise ocrmypdf.exceptions.EncryptedPdfError("the input is encrypted")

    monkeypatch.setattr(ocrmypdf, "ocr", refuse)
    outcome = write_pdf(scanned.document, scanned.pdf, tmp_path / "x.pdf")
    assert outcome.status == "skipped" and "encrypted" in outcome.reason
    assert not (tmp_path / "x.pdf").exists()
