"""Header fields: the ký hiệu grammar, the place gazetteer, tolerant dates, multi-line issuers.

Lines marked "in the wild" are as vnocr read them on the dev scans of ``../shared/real-scans``.
"""

from __future__ import annotations

import pytest

from ocr_pipeline.structure.codes import ISSUER_CODES, snap_ky_hieu, snap_part
from ocr_pipeline.structure.header import parse_long_date, parse_number
from ocr_pipeline.structure.model import DocumentMetadata, Zone
from ocr_pipeline.structure.places import PROVINCES_34, PROVINCES_63, snap_place
from ocr_pipeline.structure.segment import segment_text

# ------------------------------------------------------------------------------------------------ ký hiệu


@pytest.mark.parametrize(
    ("raw", "ky_hieu", "type_code", "issuer_code"),
    [
        ("/QĐ-TTe", "/QĐ-TTg", "QĐ", "TTg"),  # in the wild (qd_707): a handwritten-crossed g read e
        ("707/QĐĐ-TTg", "707/QĐ-TTg", "QĐ", "TTg"),  # a doubled letter
        ("12/KH-UBNDD", "12/KH-UBND", "KH", "UBND"),
        ("21/2026/TT-BCT", "21/2026/TT-BCT", "TT", "BCT"),
    ],
)
def test_ky_hieu_near_misses_snap_to_the_grammar(
    raw: str, ky_hieu: str, type_code: str, issuer_code: str
) -> None:
    number = parse_number(raw)
    assert number is not None
    assert (number.raw, number.type_code, number.issuer_code) == (ky_hieu, type_code, issuer_code)


@pytest.mark.parametrize(
    "codes",
    [
        "UBND-LĐTBXH",  # a công văn: issuer then the drafting unit, an open set
        "VPCP-CN",
        "SGDĐT-CTrTT",
        "QĐ-TTr",  # the Thanh tra's code, not a miss of TTg
        "QĐ-SNN",  # unknown to the table, near no known code by a look-alike: kept
        "TT-BCA",  # known codes one letter apart from each other stay as they are
        "TT-BCT",
        "NQ-HĐND",
        "QD-TTG",  # accents and case are the restoration's business, not a miss
        "CV-XYZ",
        "BCT-KH",  # a công văn of Bộ Công Thương: BCT is no BC with a letter added
    ],
)
def test_known_or_unknown_ky_hieu_parts_are_kept(codes: str) -> None:
    assert snap_ky_hieu(codes) == codes


def test_a_part_near_two_known_codes_is_kept() -> None:
    assert snap_part("BCO", {"BCQ", "BCD"}) == "BCO"  # O is a look-alike of both Q and D
    assert snap_part("BCO", {"BCQ"}) == "BCQ"
    assert snap_part("TTe", ISSUER_CODES) == "TTg"


# ------------------------------------------------------------------------------------------------ place


@pytest.mark.parametrize(
    ("read", "place"),
    [
        ("Hà Nói", "Hà Nội"),  # in the wild (qd_707)
        ("Ha Noi", "Hà Nội"),
        ("Đà Nắng", "Đà Nẵng"),
        ("HÀ NÓI", "HÀ NỘI"),
        ("Thành phố Hồ Chi Minh", "Thành phố Hồ Chí Minh"),
        ("TP. Hồ Chí Minh", "TP. Hồ Chí Minh"),
        ("Khánh Hoà", "Khánh Hoà"),  # the old tone placement is a spelling, kept
        ("Bình Lương", "Bình Lương"),  # a commune one letter from Bình Dương: kept
        ("Bằng Mạc", "Bằng Mạc"),  # not in the gazetteer: kept as read
        ("Ha Nol", "Ha Nol"),  # a letter off: never snapped
    ],
)
def test_place_snaps_only_to_a_name_it_matches_letter_for_letter(read: str, place: str) -> None:
    assert snap_place(read) == place


def test_gazetteer_sizes() -> None:
    assert len(set(PROVINCES_63)) == 63 and len(set(PROVINCES_34)) == 34
    assert set(PROVINCES_34) - set(PROVINCES_63) == {"Huế"}


# ------------------------------------------------------------------------------------------------ date


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        # (day, month, year, handwritten_unread, blank_empty)
        ("Hà Nội, ngày,24 tháng năm 2026", (24, None, 2026, False, True)),  # in the wild (tt_37)
        ("Hà Nội, ngày82tháng 4 năm 2026", (None, 4, 2026, True, False)),  # in the wild (qd_707)
        ("Hà Nội, ngày 29 tháng năm 2026", (29, None, 2026, False, True)),  # in the wild (nq_115)
        ("Hà Nội, ngày 28 thảng 4 nãm 2026", (28, 4, 2026, False, False)),
        ("Hà Nội, ngày 28tháng4nam2026", (28, 4, 2026, False, False)),
        ("Lạng Sơn, ngày 0l tháng 5 năm 2024", (1, 5, 2024, False, False)),
        ("Lạng Sơn, ngày 12 tháng O5 năm 2O24", (12, 5, 2024, False, False)),
        ("Hà Nội, ngày 2# tháng £ năm 2026", (None, None, 2026, True, False)),
        ("Hà Nội, ngày O tháng 4 năm 2026", (None, 4, 2026, True, False)),  # no real digit: not read
        ("Hà Nội, ngày 45 tháng 4 năm 2026", (None, 4, 2026, True, False)),
        ("Bằng Mạc, ngày 15 tháng 5 năm 2024", (15, 5, 2024, False, False)),
    ],
)
def test_date_blanks(text: str, parts: tuple[int | bool | None, ...]) -> None:
    found = parse_long_date(text)
    assert found is not None
    date = found[0]
    assert (date.day, date.month, date.year, date.handwritten_unread, date.blank_empty) == parts


def test_a_sentence_date_is_not_a_header_date() -> None:
    assert parse_long_date("Căn cứ Luật Tổ chức Chính phủ năm 2025") is None


# ------------------------------------------------------------------------------------------------ zones


def _meta(left: str, right: str) -> DocumentMetadata:
    zones = [
        Zone("header_left", left, 1),
        Zone("header_right", right, 1),
        Zone("title", "QUYẾT ĐỊNH\nVề việc phê duyệt kế hoạch", 1),
        Zone("body", "Căn cứ Luật Tổ chức chính quyền địa phương;\n\nĐiều 1. Phê duyệt.", 1),
    ]
    return segment_text("\n".join(z.text for z in zones), zones).metadata


MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"


def test_a_stamp_over_the_date_keeps_the_place() -> None:
    # in the wild (tt_21): a received stamp printed over the date line
    meta = _meta("BỘ CÔNG THƯƠNG\nSố: 21/2026/TT-BCT", MOTTO + "Hà Nội, ngày¿Ð")
    assert meta.place == "Hà Nội"
    assert meta.date is not None and meta.date.handwritten_unread and meta.date.month is None


def test_place_and_ky_hieu_repaired_in_the_header() -> None:
    meta = _meta("THỦ TƯỚNG CHÍNH PHỦ\nSố: /QĐ-TTe", MOTTO + "Hà Nói, ngày82tháng 4 năm 2026")
    assert meta.number is not None and meta.number.raw == "/QĐ-TTg"
    assert (meta.place, meta.date.month if meta.date else None) == ("Hà Nội", 4)
    assert meta.issuer == "THỦ TƯỚNG CHÍNH PHỦ"


@pytest.mark.parametrize(
    ("left", "issuer", "parent"),
    [
        ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI\nSố: 173/KH-UBND", "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", None),
        ("UBND THÀNH PHỐ ĐÀ NẴNG\nSỞ GIÁO DỤC VÀ\nĐÀO TẠO\nSố: 1535/SGDĐT-CTrTT", "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
         "UBND THÀNH PHỐ ĐÀ NẴNG"),
        ("BỘ TÀI CHÍNH\nCỤC THUẾ\nSố: 12/CT-CS", "CỤC THUẾ", "BỘ TÀI CHÍNH"),
        ("BỘ CÔNG THƯƠNG\nCÔNG VĂN ĐẾN\nSố: 21/2026/TT-BCT", "BỘ CÔNG THƯƠNG", None),  # a stamp's words
    ],
)  # fmt: skip
def test_issuer_lines(left: str, issuer: str, parent: str | None) -> None:
    meta = _meta(left, MOTTO + "Hà Nội, ngày 28 tháng 4 năm 2026")
    assert (meta.issuer, meta.parent_body) == (issuer, parent)


@pytest.mark.parametrize(
    ("left", "issuer", "parent"),
    [
        # in the wild (OCRmyPDF's text of the dev scans): wrong accents on the fixed words and the locality
        ("ỦY BAN NHÂN DÂN\nTHÀNH PHÓ HÀ NỘI", "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", None),
        ("UBND THÀNH PHÓ ĐÀ NẴNG\nSỞ GIÁO DỤC VÀ ĐÀO TẠO", "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
         "UBND THÀNH PHỐ ĐÀ NẴNG"),
        ("UỶ BAN NHÂN DÂN\nTỈNH QUẢNG NGẢI", "UỶ BAN NHÂN DÂN TỈNH QUẢNG NGÃI", None),  # UỶ: a spelling, kept
        ("ỦY BAN NHÂN DÂN\nXÃ BẰNG MẠC", "ỦY BAN NHÂN DÂN XÃ BẰNG MẠC", None),  # unknown commune: as read
        ("BỘ TÀI CHINH", "BỘ TÀI CHÍNH", None),
    ],
)  # fmt: skip
def test_issuer_fixed_words_and_locality_repaired(left: str, issuer: str, parent: str | None) -> None:
    meta = _meta(left + "\nSố: 12/KH-UBND", MOTTO + "Hà Nội, ngày 28 tháng 4 năm 2026")
    assert (meta.issuer, meta.parent_body) == (issuer, parent)


def test_number_and_date_cut_over_two_lines() -> None:
    # in the wild (OCRmyPDF's text layer of the Hà Nội plan): word groups one a line, "tháng" misread
    text = (
        "ỦY BAN NHÂN DÂN\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nTHÀNH PHÓ HÀ NỘI\n\n"
        "Độc lập - Tự do - Hạnh phúc\n\nSố:\n\n/KH-UBND\n\nHà Nội, ngày\n\nthủng — năm 2026\n\n"
        "KẾ HOẠCH\nTổ chức Festival Thăng Long - Hà Nội\n\nI. MỤC ĐÍCH\n\n1. Tổ chức tốt.\n"
    )
    meta = segment_text(text).metadata
    assert meta.issuer == "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"
    assert meta.number is not None and meta.number.raw == "/KH-UBND"
    assert meta.place == "Hà Nội"
    assert meta.date is not None
    assert (meta.date.day, meta.date.month, meta.date.year, meta.date.blank_empty) == (None, None, 2026, True)


def test_a_cut_line_is_joined_only_to_what_continues_it() -> None:
    meta = _meta("BỘ CÔNG AN\nSố:\nCỤC CẢNH SÁT", MOTTO + "Hà Nội, ngày\nĐộc lập")
    assert meta.number is None
    assert meta.date is not None and (meta.date.month, meta.date.year) == (None, None)


def test_a_sentence_with_ngay_gives_no_place() -> None:
    meta = _meta("BỘ CÔNG AN", MOTTO + "Theo đó, ngày hôm sau")
    assert meta.place is None and meta.date is None


def test_a_stray_mark_above_the_issuer_is_no_parent_body() -> None:
    # in the wild (OCRmyPDF's text of qd_707): a handwritten routing note "TTĐT" read "THT"
    meta = _meta("THT\nTHỦ TƯỚNG CHÍNH PHỦ\nSố: 707/QĐ-TTg", MOTTO + "Hà Nội, ngày 22 tháng 4 năm 2026")
    assert (meta.issuer, meta.parent_body) == ("THỦ TƯỚNG CHÍNH PHỦ", None)
    kept = _meta("BỘ TÀI CHÍNH\nCỤC THUẾ\nSố: 12/CT-CS", MOTTO + "Hà Nội, ngày 28 tháng 4 năm 2026")
    assert (kept.issuer, kept.parent_body) == ("CỤC THUẾ", "BỘ TÀI CHÍNH")
