"""The register: rows from x.json records, the CSV Excel reads."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ocr_pipeline.outputs import register
from ocr_pipeline.outputs.catalog import connect


def full_record() -> dict:
    return {
        "source": "scans/qd.pdf",
        "source_fingerprint": "sha256:abc",
        "vnocr_version": "9.9",
        "pages": [{"mean_confidence": 90.0, "lang": "vie"}, {"mean_confidence": 80.0, "lang": "vie"}],
        "metadata": {
            "doc_type": "QUYẾT ĐỊNH",
            "issuer": "ỦY BAN NHÂN DÂN XÃ BẰNG MẠC",
            "title": "Về việc phòng chống đuối nước",
            "number": {"raw": "12/QĐ-UBND", "number": "12"},
            "date": {"iso": "2024-05-14", "year": 2024, "month": 5, "day": 14},
            "signer": {"name": "Nguyễn Văn A"},
        },
        "restoration": {"flagged_for_review": [{"token": "x"}, {"token": "y"}]},
    }


def test_row_reads_the_standard_fields() -> None:
    row = register.register_row("scans/qd.pdf", full_record())
    assert row["ten_loai"] == "QUYẾT ĐỊNH" and row["so"] == "12" and row["ky_hieu"] == "QĐ-UBND"
    assert row["ngay_thang_nam"] == "2024-05-14" and row["nguoi_ky"] == "Nguyễn Văn A"
    assert row["so_trang"] == 2 and row["do_tin_cay_ocr"] == "85.0" and row["tu_can_kiem_tra"] == 2
    assert row["dau_van_tay"] == "sha256:abc" and row["ngon_ngu"] == "Tiếng Việt"
    for column in register.COLUMNS:
        if column.archivist:
            assert row[column.name] == ""


def test_partial_date_keeps_what_is_known() -> None:
    record = full_record()
    record["metadata"]["date"] = {"raw": "ngày tháng 5 năm 2024", "year": 2024, "month": 5}
    assert register.register_row("x", record)["ngay_thang_nam"] == "2024-05"


def test_csv_has_bom_headings_and_one_row_per_document(tmp_path: Path) -> None:
    conn = connect(tmp_path / "catalog.sqlite")
    register.upsert(conn, register.register_row("b.pdf", full_record()))
    register.upsert(conn, register.register_row("a.pdf", full_record()))
    register.upsert(conn, register.register_row("a.pdf", full_record()))  # replaced, not doubled
    path = register.write_csv(conn, tmp_path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == [
        "Đường dẫn (trong thư mục kết quả)",
        "Văn bản trong tệp",
        "Mã hồ sơ",
        "Tên loại văn bản",
    ]
    assert [r[0] for r in rows[1:]] == ["a.pdf", "b.pdf"]
    assert "Trích yếu nội dung" in rows[0] and "Tình trạng vật lý" in rows[0]


def test_attached_and_further_documents_get_rows_of_their_own(tmp_path: Path) -> None:
    record = full_record()
    plan = {"metadata": {"doc_type": "KẾ HOẠCH", "title": "Thi đua năm 2025", "issuer": "UBND TỈNH"}}
    second = {
        "metadata": {"doc_type": "CÔNG VĂN", "number": {"raw": "7/UBND", "number": "7"}},
        "attachments": [],
    }
    record["attachments"] = [plan]
    record["documents"] = [{"metadata": record["metadata"], "attachments": [plan]}, second]
    rows = register.register_rows("scans/qd.pdf", record)
    assert [(r["duong_dan"], r["van_ban_trong_tep"], r["ten_loai"]) for r in rows] == [
        ("scans/qd.pdf", "chính", "QUYẾT ĐỊNH"),
        ("scans/qd.pdf#kèm theo 1", "kèm theo 1", "KẾ HOẠCH"),
        ("scans/qd.pdf#văn bản 2", "văn bản 2", "CÔNG VĂN"),
    ]
    assert rows[1]["trich_yeu"] == "Thi đua năm 2025" and rows[1]["so"] == ""  # its own fields
    assert rows[2]["so"] == "7" and rows[2]["dau_van_tay"] == "sha256:abc"  # the file's figures

    conn = connect(tmp_path / "catalog.sqlite")
    register.replace_file(conn, "scans/qd.pdf", record)
    register.replace_file(conn, "scans/qd.pdf.old", full_record())  # a path sharing the prefix stays
    register.replace_file(conn, "scans/qd.pdf", full_record())  # rerun: the file has one document now
    keys = [r[0] for r in conn.execute("SELECT duong_dan FROM register ORDER BY duong_dan")]
    assert keys == ["scans/qd.pdf", "scans/qd.pdf.old"]
