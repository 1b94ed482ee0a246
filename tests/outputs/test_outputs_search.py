"""The search index: accent folding, phrase and filters, sections and snippets (no OCR)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ocr_pipeline.outputs import register, search
from ocr_pipeline.outputs.catalog import connect


def record(text: str, *, doc_type: str = "KẾ HOẠCH", year: int = 2024, issuer: str = "UBND xã Bằng Mạc"):
    pages = text.split("\f")
    return {
        "source": "x.pdf",
        "source_fingerprint": "sha256:0",
        "pages": [{"number": i + 1, "text": t} for i, t in enumerate(pages)],
        "sections": [
            {
                "label": "I",
                "title": "MỤC ĐÍCH",
                "children": [{"label": "1", "title": "Phòng chống", "children": []}],
            },
            {"label": "II", "title": "NỘI DUNG", "children": []},
        ],
        "metadata": {"doc_type": doc_type, "issuer": issuer, "date": {"year": year, "month": 5, "iso": None}},
    }


@pytest.fixture
def catalog(tmp_path: Path) -> sqlite3.Connection:
    conn = connect(tmp_path / "catalog.sqlite")
    docs = {
        "a.pdf": record(
            "Mở đầu\nI. MỤC ĐÍCH\n1. Phòng chống đuối nước cho trẻ em\f"
            "II. NỘI DUNG\nTổ chức dạy bơi cho học sinh"
        ),
        "b.pdf": record("Bơi an toàn dưới nước ở hồ", doc_type="QUYẾT ĐỊNH", year=2023, issuer="UBND huyện"),
    }
    for path, rec in docs.items():
        register.upsert(conn, register.register_row(path, rec))
        search.index_document(conn, path, rec)
    conn.commit()
    return conn


def test_the_index_folds_marks_and_d_bar() -> None:
    assert search.strip_diacritics("Đuối nước ĐẢNG") == "Duoi nuoc DANG"  # the one folding (vntext)
    assert search.has_marks("nước") and search.has_marks("đi") and not search.has_marks("nuoc")


def test_query_without_marks_finds_marked_text(catalog: sqlite3.Connection) -> None:
    hits = search.search(catalog, "duoi nuoc")
    assert {(h.path, h.page) for h in hits} == {("a.pdf", 1), ("b.pdf", 1)}  # đuối nước and dưới nước


def test_query_with_marks_matches_them_exactly(catalog: sqlite3.Connection) -> None:
    assert [h.path for h in search.search(catalog, "đuối nước")] == ["a.pdf"]
    assert [h.path for h in search.search(catalog, "dưới nước")] == ["b.pdf"]
    assert search.search(catalog, "đuối nuoc")[0].path == "a.pdf"  # mixed: the marked word is exact


def test_words_form_a_phrase(catalog: sqlite3.Connection) -> None:
    assert search.search(catalog, "nuoc duoi") == []


def test_hit_names_page_section_and_marks_snippet(catalog: sqlite3.Connection) -> None:
    (hit,) = search.search(catalog, "day boi")
    assert (hit.path, hit.page, hit.section) == ("a.pdf", 2, "II")
    assert "«dạy bơi»" in hit.snippet
    (hit,) = search.search(catalog, "đuối nước")
    assert hit.section == "I › 1" and "«đuối nước»" in hit.snippet


def test_filters_by_type_year_and_issuer(catalog: sqlite3.Connection) -> None:
    assert [h.path for h in search.search(catalog, "nuoc", doc_type="quyet dinh")] == ["b.pdf"]
    assert [h.path for h in search.search(catalog, "nuoc", year=2024)] == ["a.pdf"]
    assert [h.path for h in search.search(catalog, "nuoc", issuer="huyện")] == ["b.pdf"]


def test_reindexing_replaces_a_document(catalog: sqlite3.Connection) -> None:
    search.index_document(catalog, "a.pdf", record("Văn bản khác"))
    assert [h.path for h in search.search(catalog, "duoi nuoc")] == ["b.pdf"]
    assert search.search(catalog, "van ban khac")[0].path == "a.pdf"


def test_query_of_punctuation_only_finds_nothing(catalog: sqlite3.Connection) -> None:
    assert search.search(catalog, '" * ( )') == []


def test_export_ndjson_pairs_action_and_document(catalog: sqlite3.Connection) -> None:
    import json

    lines = [json.loads(line) for line in search.export_ndjson(catalog)]
    actions, docs = lines[0::2], lines[1::2]
    assert all("index" in a for a in actions) and len({a["index"]["_id"] for a in actions}) == len(actions)
    assert {d["path"] for d in docs} == {"a.pdf", "b.pdf"}
    assert docs[0]["document"]["ten_loai"] == "KẾ HOẠCH"
