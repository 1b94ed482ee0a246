"""Scoring rules of the real-scan benchmark (tools/realgold.py, tools/bench_real.py) on crafted inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.bench.real import Job, SystemOutput, code_key, render, score_document, summarise
from tools.bench.realgold import (
    FIELDS,
    GoldDocument,
    fold,
    gold_fields,
    ky_hieu,
    label_agreement,
    labels_equal,
    load_gold,
    page_errors,
    page_plan,
    predicted_fields,
    score_fields,
    section_labels,
    set_f1,
)

GOLD = {
    "file": "qd_1_x.pdf",
    "issuer": "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
    "number": "21/2026/TT-BCT",
    "place": "Hà Nội",
    "date": "2026-04-28",
    "doc_type": "THÔNG TƯ",
    "title": "Sửa đổi khoản 2 Điều 1",
    "signer_name": "Nguyễn Văn A",
    "signer_position": "THỨ TRƯỞNG",
    "recipients": ["Như trên", "Lưu: VT, NN (2b)."],
    "sections": ["Điều 1", "Điều 2"],
}
METADATA = {
    "issuer": "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ  HÀ NỘI",
    "number": {"raw": "Số: 21/2026/TT-BCT", "number": "21"},
    "place": "hà nội",
    "date": {"raw": "ngày 28 tháng 4", "day": 28, "month": 4, "year": 2026, "iso": "2026-04-28"},
    "doc_type": "THÔNG TƯ",
    "title": "Sửa đổi khoản 2  Điều 1",
    "signer": {"authority": "KT", "position": "THỨ TRƯỞNG", "name": "Nguyễn Văn A"},
    "recipients": ["Như trên", "Lưu: VT, NN (2b)"],
}


def test_fold_folds_case_whitespace_and_normal_form() -> None:
    assert fold("THÀNH PHỐ\n  HÀ NỘI ") == fold("thành phố hà nội")
    assert fold("Ho\u0300a") == fold("Hòa")  # NFD and NFC agree
    assert fold("   ") is None
    assert fold(None) is None
    assert fold("Hòa") != fold("Hoa")  # diacritics count


def test_ky_hieu_is_the_part_after_the_first_slash() -> None:
    assert ky_hieu("21/2026/TT-BCT") == "2026/TT-BCT"
    assert ky_hieu("Số: 115/NQ-CP") == "NQ-CP"
    assert ky_hieu("115 NQ-CP") is None
    assert ky_hieu(None) is None


def test_set_f1_counts_items_as_multisets() -> None:
    assert set_f1(["- Như trên;", "Lưu: VT."], ["Như trên", "lưu: vt"]) == 1.0
    assert set_f1(["a", "b"], ["a", "c"]) == pytest.approx(0.5)
    assert set_f1(["a", "a"], ["a"]) == pytest.approx(2 / 3)
    assert set_f1([], []) == 1.0
    assert set_f1(None, []) == 1.0
    assert set_f1(["a"], []) == 0.0


def test_fields_of_gold_and_record_agree_when_equal_up_to_case_and_spaces() -> None:
    scores = score_fields(gold_fields(GOLD), predicted_fields(METADATA))
    assert set(scores) == set(FIELDS)
    assert all(score == 1.0 for score in scores.values()), scores


def test_each_field_fails_on_its_own_error() -> None:
    wrong = {
        **METADATA,
        "number": {"raw": "21/2026/TT-BTC"},
        "date": {"day": 28, "month": 5, "year": 2026},
        "signer": {"position": "BỘ TRƯỞNG", "name": "Nguyễn Văn A"},
        "recipients": ["Như trên"],
    }
    scores = score_fields(gold_fields(GOLD), predicted_fields(wrong))
    assert scores["ky_hieu"] == 0.0
    assert scores["year_month"] == 0.0
    assert scores["signer_position"] == 0.0
    assert scores["signer_name"] == 1.0
    assert scores["recipients"] == pytest.approx(2 / 3)


def test_a_field_the_gold_leaves_empty_wants_none() -> None:
    gold = gold_fields({**GOLD, "signer_name": None, "signer_position": None, "recipients": None})
    found = score_fields(gold, predicted_fields(METADATA))
    assert found["signer_name"] == 0.0 and found["recipients"] == 0.0
    empty = score_fields(gold, predicted_fields({**METADATA, "signer": None, "recipients": []}))
    assert empty["signer_name"] == 1.0 and empty["signer_position"] == 1.0 and empty["recipients"] == 1.0


def test_year_month_needs_both_parts() -> None:
    assert predicted_fields({"date": {"day": None, "month": 4, "year": 2026}})["year_month"] == "2026-04"
    assert predicted_fields({"date": {"day": 3, "month": None, "year": 2026}})["year_month"] is None
    assert gold_fields({"date": "2019-05-31"})["year_month"] == "2019-05"


def test_page_cer_folds_whitespace_but_keeps_case_and_marks() -> None:
    assert page_errors("Điều 1.\nPhạm vi", "Điều 1. Phạm  vi\f") == (0, 15)
    assert page_errors("Điều 1", "điều 1") == (1, 6)
    assert page_errors("Hòa", "Hoa") == (1, 3)
    assert page_errors("abc", "") == (3, 3)


def test_section_labels_take_the_gold_spelling() -> None:
    sections = [
        {"label": "I", "kind": "chapter"},
        {"label": "1", "kind": "article"},
        {"label": "II", "kind": "roman"},
        {"label": "3", "kind": "number"},
        {"label": "2", "kind": "section"},
        {"label": "A", "kind": "part"},
        {"label": "II", "kind": "part"},
    ]
    assert section_labels(sections) == ["Chương I", "Điều 1", "II", "3", "Mục 2", "A", "Phần II"]


def test_label_agreement_and_equality() -> None:
    assert labels_equal(["Điều 1", "Điều 2"], ["điều 1", "Điều  2"])
    assert not labels_equal(["Điều 1", "Điều 2"], ["Điều 1"])
    assert label_agreement(["Điều 1", "Điều 2"], ["Điều 1"]) == pytest.approx(2 / 3)
    assert label_agreement(["I", "II", "III"], ["I", "X", "III"]) == pytest.approx(2 / 3)
    assert label_agreement([], []) == 1.0
    assert label_agreement(["I"], []) == 0.0


def test_page_plan_reads_short_documents_whole_and_long_ones_in_part() -> None:
    assert page_plan(4, [1], all_pages=False, long_document=12, head=3) == [1, 2, 3, 4]
    assert page_plan(21, [1, 9], all_pages=False, long_document=12, head=3) == [1, 2, 3, 9, 21]
    assert page_plan(21, [1], all_pages=True, long_document=12, head=3) == list(range(1, 22))
    assert page_plan(13, [40], all_pages=False, long_document=12, head=3) == [1, 2, 3, 13]


def test_load_gold_splits_by_where_the_pdf_is(tmp_path: Path) -> None:
    dev, extra, gold = tmp_path / "real-scans", tmp_path / "real-scans" / "extra", tmp_path / "gold"
    for folder in (dev, extra, gold):
        folder.mkdir(parents=True, exist_ok=True)
    (dev / "a.pdf").write_bytes(b"%PDF")
    (extra / "b.signed.pdf").write_bytes(b"%PDF")
    (dev / "gold-metadata.json").write_text(json.dumps([{"file": "a.pdf", "issuer": "X"}]), encoding="utf-8")
    (dev / "a.p1.gt.txt").write_text("Ho\u0300a", encoding="utf-8")
    (gold / "gold-metadata-extra.json").write_text(
        json.dumps([{"file": "b.signed.pdf"}, {"file": "missing.pdf"}]), encoding="utf-8"
    )
    (gold / "b.signed.p2.gt.txt").write_text("trang 2", encoding="utf-8")
    plan = {"b.signed.pdf": {"pages": [21, 4]}, "nogold.pdf": {"pages": [3]}}
    (gold / "page-plan.json").write_text(json.dumps(plan), encoding="utf-8")
    docs, notes = load_gold([dev, gold, tmp_path / "nowhere"], [dev, extra], dev)
    assert [(d.stem, d.split) for d in docs] == [("a", "dev"), ("b.signed", "held-out")]
    assert docs[0].pages == {1: "Hòa"} and docs[0].metadata == {"file": "a.pdf", "issuer": "X"}
    assert docs[1].pages == {2: "trang 2"} and docs[1].pdf == (extra / "b.signed.pdf").resolve()
    assert docs[1].plan_pages == [4, 21] and docs[0].plan_pages == []  # a plan without gold adds no document
    assert any("missing.pdf" in n for n in notes) and any("nowhere" in n for n in notes)


def _job(split: str, full: bool) -> Job:
    doc = GoldDocument(stem=f"doc-{split}", split=split, metadata=GOLD, pages={1: "Điều 1. Phạm vi"})
    return Job(doc=doc, pdf=Path("x.pdf"), sha="0" * 64, pages=[1, 2], full=full)


def test_score_document_and_summary_per_split() -> None:
    outputs = {
        "vnocr": SystemOutput(
            pages={1: "Điều 1. Phạm vi"},
            metadata=METADATA,
            sections=[{"label": "1", "kind": "article"}, {"label": "2", "kind": "article"}],
        ),
        "ocrmypdf": SystemOutput(pages={1: "Dieu 1. Pham vi"}, metadata={}, sections=[]),
        "tesseract": SystemOutput(error="no output"),
    }
    documents = {
        "dev": score_document(_job("dev", full=True), outputs),
        "held": score_document(_job("held-out", full=False), outputs),
    }
    dev = summarise(documents, "dev")
    assert dev["vnocr"]["fields_right"] == 1.0
    assert dev["vnocr"]["cer"] == 0.0
    assert dev["ocrmypdf"]["cer"] == pytest.approx(3 / 15)
    assert dev["vnocr"]["sections_equal"] == 1 and dev["ocrmypdf"]["sections_equal"] == 0
    assert dev["tesseract"]["metadata_documents"] == 0 and dev["tesseract"]["cer"] is None
    held = summarise(documents, "held-out")
    assert held["vnocr"]["documents"] == 1
    assert held["vnocr"]["section_documents"] == 0  # read in part: sections not scored


def test_code_key_changes_with_the_code(tmp_path: Path) -> None:
    for package in ("ocr_pipeline", "diacritics", "dictionaries"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "a.py").write_text("x = 1\n", encoding="utf-8")
    before = code_key(tmp_path)
    (tmp_path / "ocr_pipeline" / "__pycache__").mkdir()
    (tmp_path / "ocr_pipeline" / "__pycache__" / "a.pyc").write_bytes(b"\0")
    assert code_key(tmp_path) == before
    (tmp_path / "diacritics" / "a.py").write_text("x = 2\n", encoding="utf-8")
    assert code_key(tmp_path) != before


def test_render_reports_targets_and_documents() -> None:
    outputs = {
        "vnocr": SystemOutput(pages={1: "Điều 1. Phạm vi"}, metadata=METADATA, sections=[]),
        "ocrmypdf": SystemOutput(pages={1: "Dieu 1. Pham vi"}, metadata={}, sections=[]),
        "tesseract": SystemOutput(error="ocrmypdf not installed"),
    }
    documents = {"doc-dev": score_document(_job("dev", full=True), outputs)}
    results = {
        "documents": documents,
        "summary": {split: summarise(documents, split) for split in ("dev", "held-out")},
        "seconds_per_page": {"vnocr": 1.0, "ocrmypdf": 2.0, "tesseract": None},
        "ocrmypdf_version": "17",
        "notes": ["`x`: skipped"],
    }
    text = render(results)
    assert "| dev | metadata fields ≥ 97% | 100.0 % | **pass** |" in text
    assert "| dev | CER ≤ ½ OCRmyPDF's | 0.00 % vs 20.00 % | **pass** |" in text
    assert "| `doc-dev` | dev | all 2 | 9.0/9 | 0.0/9 | error |" in text
    assert (
        "held-out" not in text.split("### Targets")[1].split("###")[0]
    )  # no held-out rows without documents
    assert "- `x`: skipped" in text
