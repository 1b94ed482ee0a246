"""The document register: one row per document, ``register.csv`` and the ``register`` table of
``catalog.sqlite``.

The columns are the fields of the archive data standard (Thông tư 02/2019/TT-BNV, Phụ lục I; now Thông tư
05/2025/TT-BNV) that can be read from a document, the fields only an archivist can fill (left empty), and
vnocr's own: OCR confidence, words flagged for review, source path and fingerprint. The rows are built from
the ``x.json`` record, so a register can always be rebuilt from a batch output folder.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..textio import atomic_write_bytes

REGISTER_CSV = "register.csv"


@dataclass(frozen=True)
class Column:
    """A register column: its SQL name and its heading in the CSV (the standard's wording)."""

    name: str
    heading: str
    archivist: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("duong_dan", "Đường dẫn (trong thư mục kết quả)"),
    Column("van_ban_trong_tep", "Văn bản trong tệp"),
    Column("ma_ho_so", "Mã hồ sơ", archivist=True),
    Column("ten_loai", "Tên loại văn bản"),
    Column("so", "Số của văn bản"),
    Column("ky_hieu", "Ký hiệu của văn bản"),
    Column("ngay_thang_nam", "Ngày, tháng, năm văn bản"),
    Column("co_quan_ban_hanh", "Tên cơ quan, tổ chức ban hành văn bản"),
    Column("trich_yeu", "Trích yếu nội dung"),
    Column("nguoi_ky", "Người ký"),
    Column("ngon_ngu", "Ngôn ngữ"),
    Column("so_trang", "Số lượng trang"),
    Column("ky_hieu_thong_tin", "Ký hiệu thông tin", archivist=True),
    Column("tu_khoa", "Từ khóa", archivist=True),
    Column("che_do_su_dung", "Chế độ sử dụng", archivist=True),
    Column("muc_do_tin_cay", "Mức độ tin cậy", archivist=True),
    Column("but_tich", "Bút tích", archivist=True),
    Column("tinh_trang_vat_ly", "Tình trạng vật lý", archivist=True),
    Column("do_tin_cay_ocr", "Độ tin cậy OCR (0-100)"),
    Column("tu_can_kiem_tra", "Số từ cần kiểm tra"),
    Column("tep_nguon", "Tệp nguồn"),
    Column("dau_van_tay", "Dấu vân tay tệp nguồn (sha256)"),
    Column("phien_ban_vnocr", "Phiên bản vnocr"),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
LANGUAGES = {"vie": "Tiếng Việt", "eng": "Tiếng Việt"}  # an English-model OCR of a Vietnamese document

INTEGER_COLUMNS = ("so_trang", "tu_can_kiem_tra")
_COLUMN_DEFS = ", ".join(
    f"{name} {'INTEGER' if name in INTEGER_COLUMNS else 'TEXT'}" for name in COLUMN_NAMES
)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS register (
    {_COLUMN_DEFS},
    PRIMARY KEY (duong_dan)
)
"""


def _date_text(date: dict[str, Any] | None) -> str:
    """ISO date where complete, else as much as is known (``2024-05``, ``2024``), else the printed text."""
    if not date:
        return ""
    if date.get("iso"):
        return str(date["iso"])
    year, month = date.get("year"), date.get("month")
    if year and month:
        return f"{year:04d}-{month:02d}"
    if year:
        return f"{year:04d}"
    return str(date.get("raw") or "")


MAIN = "chính"


def register_rows(relative: str, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The register rows of one file's ``x.json`` record: the document, every further document of the file
    (``văn bản 2`` …) and every attached document (``kèm theo 1`` …, ``văn bản 2, kèm theo 1`` …).

    The first row's key is ``relative``; the others' ``relative#văn bản 2`` and so on. The file's figures
    (pages, OCR confidence, review flags, source) are on every row; the fields read from the text are each
    document's own.
    """
    file_row = register_row(relative, record)
    documents = record.get("documents") or [record]
    rows = []
    for number, document in enumerate(documents, start=1):
        name = MAIN if number == 1 else f"văn bản {number}"
        parts = [(name, document)]
        parts += [
            (f"kèm theo {k}" if number == 1 else f"{name}, kèm theo {k}", attached)
            for k, attached in enumerate(document.get("attachments") or [], start=1)
        ]
        for part, structure in parts:
            row = dict(file_row, **_text_fields(structure.get("metadata") or {}))
            row["van_ban_trong_tep"] = part
            if part != MAIN:
                row["duong_dan"] = f"{relative}#{part}"
            rows.append(row)
    return rows


def _text_fields(meta: dict[str, Any]) -> dict[str, Any]:
    """The register fields read from a document's text (its metadata record)."""
    number = meta.get("number") or {}
    raw_number = str(number.get("raw") or "")
    signer = meta.get("signer") or {}
    return {
        "ten_loai": meta.get("doc_type") or "",
        "so": number.get("number") or "",
        "ky_hieu": raw_number.split("/", 1)[1] if "/" in raw_number else "",
        "ngay_thang_nam": _date_text(meta.get("date")),
        "co_quan_ban_hanh": meta.get("issuer") or "",
        "trich_yeu": meta.get("title") or "",
        "nguoi_ky": signer.get("name") or "",
    }


def register_row(relative: str, record: dict[str, Any]) -> dict[str, Any]:
    """The register row of the (first) document of an ``x.json`` record (``relative`` = its output path)."""
    pages = record.get("pages") or []
    confidences = [p["mean_confidence"] for p in pages if p.get("mean_confidence") is not None]
    langs = {p.get("lang") for p in pages if p.get("lang")}
    row: dict[str, Any] = dict.fromkeys(COLUMN_NAMES, "")
    row.update(_text_fields(record.get("metadata") or {}))
    row.update(
        duong_dan=relative,
        van_ban_trong_tep=MAIN,
        ngon_ngu=", ".join(sorted({LANGUAGES.get(lang, lang) for lang in langs})) or "Tiếng Việt",
        so_trang=len(pages),
        do_tin_cay_ocr=f"{sum(confidences) / len(confidences):.1f}" if confidences else "",
        tu_can_kiem_tra=len((record.get("restoration") or {}).get("flagged_for_review") or []),
        tep_nguon=record.get("source") or "",
        dau_van_tay=record.get("source_fingerprint") or "",
        phien_ban_vnocr=record.get("vnocr_version") or "",
    )
    return row


def upsert(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    """Insert or replace one document's row."""
    conn.execute(SCHEMA)
    names = ", ".join(COLUMN_NAMES)
    marks = ", ".join("?" for _ in COLUMN_NAMES)
    conn.execute(
        f"INSERT OR REPLACE INTO register ({names}) VALUES ({marks})", [row[n] for n in COLUMN_NAMES]
    )


def replace_file(conn: sqlite3.Connection, relative: str, record: dict[str, Any]) -> None:
    """Replace every row of one file (its documents and attached documents) by those of ``record``."""
    remove(conn, relative)
    for row in register_rows(relative, record):
        upsert(conn, row)


def remove(conn: sqlite3.Connection, relative: str) -> None:
    """Drop one file's rows."""
    conn.execute(SCHEMA)
    conn.execute(
        "DELETE FROM register WHERE duong_dan = ? OR substr(duong_dan, 1, ?) = ?",
        (relative, len(relative) + 1, relative + "#"),
    )


def csv_bytes(conn: sqlite3.Connection) -> bytes:
    """The register as CSV: UTF-8 with a BOM (Excel reads Vietnamese right), the standard's headings."""
    conn.execute(SCHEMA)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.heading for c in COLUMNS])
    for values in conn.execute(f"SELECT {', '.join(COLUMN_NAMES)} FROM register ORDER BY duong_dan"):
        writer.writerow(["" if v is None else v for v in values])
    return buffer.getvalue().encode("utf-8-sig")


def write_csv(conn: sqlite3.Connection, output_dir: Path) -> Path:
    """Write ``OUTPUT_DIR/register.csv`` atomically from the catalog."""
    path = output_dir / REGISTER_CSV
    atomic_write_bytes(path, csv_bytes(conn))
    return path
