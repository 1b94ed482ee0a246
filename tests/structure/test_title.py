"""The record's document type and trích yếu: Nghị định 30/2020 title blocks, as printed and as real scans
are OCR'd (lines from the dev documents of ``../shared/real-scans``), and what must not be taken for one."""

from __future__ import annotations

import pytest

from ocr_pipeline.structure.doctypes import type_named_by
from ocr_pipeline.structure.layout import TextLine, clean_lines, doc_type_of
from ocr_pipeline.structure.model import DocumentMetadata, DocumentNumber, Zone
from ocr_pipeline.structure.segment import segment_documents, segment_text
from ocr_pipeline.structure.title import (
    clean_title_glyphs,
    complete_title,
    repair_title_words,
    settle_type,
    settle_type_and_title,
    title_lines_text,
    vv_title,
)


def _line(text: str) -> TextLine:
    return TextLine(text=text, index=0)


# --------------------------------------------------------------------------------------------- type line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 QUYÉT ĐỊNH", "QUYẾT ĐỊNH"),  # a seal's glyph before the type (qd_707)
        ("vì THÔNG TƯ", "THÔNG TƯ"),  # a dotted stamp beside the type (tt_21)
        ("ˆ QUYẾT ĐỊNH:", "QUYẾT ĐỊNH"),
        ("QUYÉT ĐỊNH", "QUYẾT ĐỊNH"),
        ("THÔNG TƯ ~", "THÔNG TƯ"),  # and after it
        ("NGHỊ QUYẾT Đ", "NGHỊ QUYẾT"),
    ],
)
def test_type_line_behind_stamp_glyphs(text: str, expected: str) -> None:
    assert doc_type_of(_line(text)) == (expected, "")


@pytest.mark.parametrize(
    "text",
    [
        "1. QUY ĐỊNH",  # a numbered heading, not a type line
        "a) KẾ HOẠCH",
        "vì THÔNG TƯ số 18/2025/TT-BCT",  # more than the type
        "về thông tư",
        "Các QUYẾT ĐỊNH",  # a word, not glyphs, before it
    ],
)
def test_no_type_line(text: str) -> None:
    assert doc_type_of(_line(text)) is None


# --------------------------------------------------------------------------------------------- title block


def test_title_ends_at_authority_line() -> None:
    block = title_lines_text(
        clean_lines(
            "NGHỊ QUYẾT\nVề việc chuyển giao Vườn quốc gia Ba Vì\n"
            "về Ủy ban nhân dân Thành phố Hà Nội quản lý\n\n"
            "CHÍNH PHỦ\n\nCăn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025,"
        )
    )
    assert block is not None
    assert block.doc_type == "NGHỊ QUYẾT"
    assert (
        block.title == "Về việc chuyển giao Vườn quốc gia Ba Vì về Ủy ban nhân dân Thành phố Hà Nội quản lý"
    )


def test_title_ends_at_authority_line_without_blank() -> None:
    block = title_lines_text(
        clean_lines(
            "QUYẾT ĐỊNH\nPhê chuẩn kết quả bầu chức vụ Chủ tịch\nỦy ban nhân dân\nTHỦ TƯỚNG CHÍNH PHỦ"
        )
    )
    assert block is not None and block.title == "Phê chuẩn kết quả bầu chức vụ Chủ tịch Ủy ban nhân dân"


def test_title_lines_split_by_blank_lines() -> None:
    block = title_lines_text(
        clean_lines("KẾ HOẠCH\n\nTriển khai công tác\n\nphòng, chống thiên tai năm 2024\n")
    )
    assert block is not None and block.title == "Triển khai công tác phòng, chống thiên tai năm 2024"


def test_title_stops_before_body_paragraph_after_blank() -> None:
    block = title_lines_text(
        clean_lines(
            "THÔNG BÁO\nKết luận của Chủ tịch UBND tỉnh\n\n"
            "Ngày 15 tháng 4 năm 2024, tại trụ sở UBND tỉnh, đồng chí Chủ tịch đã chủ trì cuộc họp.\n"
        )
    )
    assert block is not None and block.title == "Kết luận của Chủ tịch UBND tỉnh"


def test_title_ends_at_its_rule_line() -> None:
    text = "QUYẾT ĐỊNH\nPhê duyệt Đề án phát triển\n\n——————\n\nnăm 2024 và các năm tiếp theo\n"
    block = title_lines_text(clean_lines(text))
    assert block is not None and block.title == "Phê duyệt Đề án phát triển"
    header = "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN\nSố: 12/QĐ-UBND\n\n"
    assert segment_text(header + text).metadata.title == "Phê duyệt Đề án phát triển"
    assert segment_text(header + text.replace("——————\n\n", "")).metadata.title == (
        "Phê duyệt Đề án phát triển năm 2024 và các năm tiếp theo"
    )


def test_upper_case_title_then_authority() -> None:
    block = title_lines_text(
        clean_lines("QUYẾT ĐỊNH\nVỀ VIỆC BAN HÀNH QUY CHẾ\n\nCHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH")
    )
    assert block is not None and block.title == "VỀ VIỆC BAN HÀNH QUY CHẾ"


def test_title_zone_without_type_line_is_no_title() -> None:
    assert (
        title_lines_text(clean_lines("- Trưởng phòng GD&ĐT các quận, huyện;\n- Hiệu trưởng các trường"))
        is None
    )


def test_type_line_near_miss_of_the_ky_hieu_type() -> None:
    lines = clean_lines("QUYET DJNH\nPhê duyệt Đề án")
    assert title_lines_text(lines) is None
    block = title_lines_text(lines, expected_type="QUYẾT ĐỊNH")
    assert block is not None and (block.doc_type, block.title) == ("QUYẾT ĐỊNH", "Phê duyệt Đề án")
    assert title_lines_text(clean_lines("BAN CHỈ ĐẠO\nPhê duyệt"), expected_type="QUYẾT ĐỊNH") is None


NEAR_MISS_DECISION = """ỦY BAN NHÂN DÂN
TỈNH LẠNG SƠN

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 12/QĐ-UBND
Lạng Sơn, ngày 5 tháng 3 năm 2024

QUYÉT DJNH
Về việc ban hành Quy chế làm việc
của Ủy ban nhân dân tỉnh nhiệm kỳ 2021 - 2026

CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
"""


def test_text_type_line_near_miss_of_the_ky_hieu_type() -> None:
    meta = segment_text(NEAR_MISS_DECISION).metadata
    assert meta.doc_type == "QUYẾT ĐỊNH"
    assert meta.title == "Về việc ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh nhiệm kỳ 2021 - 2026"
    # without a ký hiệu naming the type, the misread line is no type line
    other = segment_text(NEAR_MISS_DECISION.replace("Số: 12/QĐ-UBND\n", "")).metadata
    assert other.doc_type is None
    assert other.title is not None and other.title.startswith("Về việc ban hành")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Số: 12/QĐ-UBND", "QUYẾT ĐỊNH"),
        ("Số: 21/2026/TT-BCT", "THÔNG TƯ"),
        ("Số: 173/KH-UBND Hà Nội, ngày 28 tháng 4 năm 2026", "KẾ HOẠCH"),
        ("Số: 3722/VPCP-CN", None),  # a công văn: issuer and unit codes
    ],
)
def test_type_named_by_number(line: str, expected: str | None) -> None:
    assert type_named_by(line) == expected


@pytest.mark.parametrize("head", ["V/v", "V/V:", "V/", "Về việc"])
def test_vv_block(head: str) -> None:
    lines = clean_lines(
        f"Số: 4635 /SGDĐT-CTrTT\n{head} bảo đảm TTATGT cho HS, SV\ntrong dịp nghỉ hè\n\n"
        "Kính gửi:\n- Các trường"
    )
    found = vv_title([x for x in lines if not x.blank])
    assert found is not None and found[1] == "bảo đảm TTATGT cho HS, SV trong dịp nghỉ hè"


def test_vv_block_lines_in_capitals_go_on() -> None:
    text = (
        "VĂN PHÒNG CHÍNH PHỦ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Hà Nội, ngày 28 tháng 4 năm 2026\n\nSố: 3722/VPCP-CN\nV/v cơ chế đặc thù xây dựng công trình\n"
        "khẩn cấp đối với Dự án kéo dài tuyến\nMetro Bến Thành - Suối Tiên đến Trung\n"
        "tâm hành chính tỉnh\n\nKính gửi:\n- Các Bộ: Công an, Tư pháp;\n"
    )
    meta = segment_text(text).metadata
    assert meta.doc_type == "CÔNG VĂN"
    assert meta.title == (
        "cơ chế đặc thù xây dựng công trình khẩn cấp đối với Dự án kéo dài tuyến "
        "Metro Bến Thành - Suối Tiên đến Trung tâm hành chính tỉnh"
    )


def test_no_vv_block_in_a_sentence() -> None:
    assert vv_title(clean_lines("Số: 12/UBND-VP\nVăn phòng UBND tỉnh")) is None


# --------------------------------------------------------------------------------------------- from zones


def test_cong_van_title_is_its_vv_block_not_the_addressees() -> None:
    zones = [
        Zone("header_left", "UBND THÀNH PHỐ ĐÀ NẴNG\nSỞ GIÁO DỤC VÀ ĐÀO TẠO"),
        Zone("header_right", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"),
        Zone(
            "header_left",
            "Số: 4635 /SGDĐT-CTrTT\nV/ bảo đảm TTATGT cho HS, SV\nquốc gia năm 2019\n\nKính gửi:",
        ),
        Zone("title", "- Trưởng phòng GD&ĐT các quận, huyện;\n\n- Hiệu trưởng các trường THPT;"),
        Zone("body", "Thực hiện Công văn số 2114/BGDĐT-GDCTHSSV ngày 16/5/2019 của Bộ GD&ĐT."),
    ]
    text = "\n\n".join(z.text for z in zones)
    meta = segment_text(text, zones).metadata
    assert meta.doc_type == "CÔNG VĂN"
    assert meta.title == "bảo đảm TTATGT cho HS, SV quốc gia năm 2019"


def test_title_zone_without_header_zones() -> None:
    zones = [
        Zone("title", "QUYẾT ĐỊNH\nVề việc ban hành Quy chế làm việc", 1),
        Zone("body", "Căn cứ Luật Tổ chức chính quyền địa phương;\n\nĐiều 1. Ban hành Quy chế.", 1),
    ]
    meta = segment_text("\n\n".join(z.text for z in zones), zones).metadata
    assert (meta.doc_type, meta.title) == ("QUYẾT ĐỊNH", "Về việc ban hành Quy chế làm việc")


def test_title_zone_cut_mid_title_is_completed_from_the_text() -> None:
    zones = [
        Zone("header_left", "ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN\nSố: 12/QĐ-UBND", 1),
        Zone("title", "QUYẾT ĐỊNH\nVề việc ban hành Quy chế phối hợp của", 1),
        Zone("body", "các sở, ngành trên địa bàn tỉnh\n\nCăn cứ Luật Tổ chức chính quyền địa phương;", 1),
    ]
    meta = segment_text("\n\n".join(z.text for z in zones), zones).metadata
    assert meta.title == "Về việc ban hành Quy chế phối hợp của các sở, ngành trên địa bàn tỉnh"


def test_vv_block_in_the_title_zone() -> None:
    zones = [
        Zone("header_left", "SỞ XÂY DỰNG\nSố: 12/SXD-QLN", 1),
        Zone("title", "V/v góp ý dự thảo Quy chế\nquản lý nhà ở\n\nKính gửi: Các sở, ngành", 1),
    ]
    meta = segment_text("\n\n".join(z.text for z in zones), zones).metadata
    assert (meta.doc_type, meta.title) == ("CÔNG VĂN", "góp ý dự thảo Quy chế quản lý nhà ở")


def test_title_zone_of_an_attachment_page_is_not_the_documents() -> None:
    page1 = [
        Zone("header_left", "THỦ TƯỚNG CHÍNH PHỦ\nSố: 707/QĐ-TTg", 1),
        Zone("header_right", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", 1),
        Zone(
            "body",
            "4 QUYÉT ĐỊNH\nVề việc ban hành Kế hoạch hành động quốc gia\n\nTHỦ TƯỚNG CHÍNH PHỦ\n"
            "Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;\n\nQUYẾT ĐỊNH:\n\n"
            "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch hành động quốc gia.\n"
            "Điều 2. Quyết định này có hiệu lực từ ngày ký.",
            1,
        ),
    ]
    page2 = [
        Zone("header_left", "THỦ TƯỚNG CHÍNH PHỦ", 2),
        Zone("title", "KẾ HOẠCH", 2),
        Zone(
            "body",
            "Hành động quốc gia về phòng, chống rửa tiền\n(Kèm theo Quyết định số 707/QĐ-TTg)\n\nI. MỤC TIÊU",
            2,
        ),
    ]
    text = "\n\n".join(z.text for z in page1) + "\f" + "\n\n".join(z.text for z in page2)
    structure = segment_documents(text, [*page1, *page2])[0]
    assert structure.metadata.doc_type == "QUYẾT ĐỊNH"
    assert structure.metadata.title == "Về việc ban hành Kế hoạch hành động quốc gia"
    assert [a.metadata.doc_type for a in structure.attachments] == ["KẾ HOẠCH"]


# --------------------------------------------------------------------------------------------- final touches


def _meta(doc_type: str | None, number: str | None, title: str | None = None) -> DocumentMetadata:
    meta = DocumentMetadata(doc_type=doc_type, title=title)
    if number:
        code = number.split("/")[-1].split("-")[0]
        meta.number = DocumentNumber(raw=number, type_code=code)
    return meta


@pytest.mark.parametrize(
    ("doc_type", "number", "expected"),
    [
        ("QUY ĐỊNH", "12/QĐ-UBND", "QUYẾT ĐỊNH"),  # the type line read with ẾT lost
        ("THÔNG CÁO", "5/TB-VPCP", "THÔNG BÁO"),
        (None, "21/2026/TT-BCT", "THÔNG TƯ"),  # type line not read
        ("KẾ HOẠCH", "12/QĐ-UBND", "KẾ HOẠCH"),  # far from QUYẾT ĐỊNH: read as printed
        ("QUY ĐỊNH", None, "QUY ĐỊNH"),
        ("CÔNG VĂN", "4635/SGDĐT-CTrTT", "CÔNG VĂN"),  # no type code
    ],
)
def test_type_against_ky_hieu(doc_type: str | None, number: str | None, expected: str) -> None:
    meta = _meta(doc_type, number)
    if meta.number and meta.number.type_code not in {"QĐ", "TB", "TT"}:
        meta.number.type_code = None  # a công văn's ký hiệu holds issuer and unit codes only
    settle_type(meta)
    assert meta.doc_type == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Phê chuẩn kết quả bầu chức vụ Chú tịch Ủy ban nhân dân thành phố Đà Nẵng",
            "Phê chuẩn kết quả bầu chức vụ Chủ tịch Ủy ban nhân dân thành phố Đà Nẵng",
        ),
        (
            "bảo đảm TTATGT trong địp nghỉ hè và kỳ thì THPT",
            "bảo đảm TTATGT trong dịp nghỉ hè và kỳ thi THPT",
        ),
        ("PHÊ CHUẨN CHÚ TỊCH", "PHÊ CHUẨN CHỦ TỊCH"),
        ("Uỷ ban nhân dân tỉnh", "Uỷ ban nhân dân tỉnh"),  # old tone placement, as printed
        ("Phong, chong duoi nuoc", "Phong, chong duoi nuoc"),  # no marks: restoration's job
        ("Lưu ý chú ý tịch thu", "Lưu ý chú ý tịch thu"),  # not a listed phrase
        ("Chú. Tịch", "Chú. Tịch"),  # not next to each other
        ("Khen thưởng tại Nguyễn Văn A", "Khen thưởng tại Nguyễn Văn A"),  # a name, not "tài nguyên"
        ("Phê duyệt dự án đầu tứ xây dưng", "Phê duyệt dự án đầu tư xây dựng"),
    ],
)
def test_repair_title_words(title: str, expected: str) -> None:
    assert repair_title_words(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("giai đoạn 2026 - 2030, chuân bị cho đánh giá", "giai đoạn 2026 - 2030, chuẩn bị cho đánh giá"),
        ("Chuẩn bị cho Kỳ họp", "Chuẩn bị cho Kỳ họp"),
        ("tại xã Tân Hòa", "tại xã Tân Hòa"),  # capitalised words are names: no corpus phrase
        # a frequent word is a word of its own ("việc thực" is the corpus pair); two words off is no slip
        ("trong việc thúc đẩy phát triển", "trong việc thúc đẩy phát triển"),
        ("kết nối với Tổng đài điện thoại", "kết nối với Tổng đài điện thoại"),
    ],
)
def test_repair_title_words_from_corpus_pairs(title: str, expected: str) -> None:
    assert repair_title_words(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # qd_707 (dev): a seal over the title block
        (
            "về việtban hành Kế hoạch về phòng, chống rửa tiền, tài trợ. khủng bố và tài trợ phổ biến vũ khí "
            "hủy 4 diệt hàng loạt giai đoạn 2026 - 2030,.chuân: bị cho đánh giá đa phương lần 3 của Nhóm",
            "về việc ban hành Kế hoạch về phòng, chống rửa tiền, tài trợ khủng bố và tài trợ phổ biến vũ khí "
            "hủy diệt hàng loạt giai đoạn 2026 - 2030, chuân bị cho đánh giá đa phương lần 3 của Nhóm",
        ),
        ("Về việt tổ chức Hội nghị", "Về việc tổ chức Hội nghị"),
        ("Ban hành Quy định trên địa bàn tỉnh |", "Ban hành Quy định trên địa bàn tỉnh"),  # a box edge
        ("Về việc tổ chức Hội nghị ,. ~", "Về việc tổ chức Hội nghị"),
        ("Về việc A (sửa đổi)", "Về việc A (sửa đổi)"),  # a closing bracket or quote is the title's
        ("Ban hành quy chếphối hợp", "Ban hành quy chế phối hợp"),  # two syllables glued
        ("tổ chức festival âm nhạc", "tổ chức festival âm nhạc"),  # a foreign word: no known pair
        # negatives: numerals a neighbour takes, a name, a colon or semicolon parting two matters, an
        # abbreviation's stop, a title already right
        ("Kỳ họp lần 3 của Hội đồng", "Kỳ họp lần 3 của Hội đồng"),
        ("hỗ trợ kinh phí cho 3 xã", "hỗ trợ kinh phí cho 3 xã"),
        ("Về Việt Nam học", "Về Việt Nam học"),
        (
            "Bãi bỏ Quyết định số 12; sửa đổi quy định về phí",
            "Bãi bỏ Quyết định số 12; sửa đổi quy định về phí",
        ),
        ("các hội nghị, hội thảo, v.v. của tỉnh", "các hội nghị, hội thảo, v.v. của tỉnh"),
        (
            "Về việc ban hành Kế hoạch giai đoạn 2026 - 2030",
            "Về việc ban hành Kế hoạch giai đoạn 2026 - 2030",
        ),
    ],
)
def test_clean_title_glyphs(title: str, expected: str) -> None:
    assert clean_title_glyphs(title) == expected


def test_settle_repairs_a_title_under_a_seal() -> None:
    meta = _meta("QUYẾT ĐỊNH", "04/QĐ-TTg")
    meta.title = "về việtban hành Kế hoạch hành động giai đoạn 2026 - 2030,.chuân: bị cho đánh giá lần 3"
    settle_type_and_title(meta)
    assert (
        meta.title == "về việc ban hành Kế hoạch hành động giai đoạn 2026 - 2030, chuẩn bị cho đánh giá lần 3"
    )


@pytest.mark.parametrize(
    ("title", "other", "expected"),
    [
        ("Về việc ban hành Quy chế phối hợp của", "Về việc ban hành Quy chế phối hợp của các sở", "other"),
        ("Phê duyệt giá đất,", "Phê duyệt giá đất, giá thuê đất", "other"),
        # a complete title stays
        ("Về việc ban hành Quy chế phối hợp", "Về việc ban hành Quy chế phối hợp của các sở", "title"),
        ("Sửa đổi các Thông tư", "Sửa đổi các Thông tư quy định", "title"),  # "tư" is no "từ"
        ("Phê duyệt giá đất của", "Kế hoạch năm 2024", "title"),  # not the same block
        ("Phê duyệt giá đất của", None, "title"),
    ],
)
def test_complete_title_cut_short(title: str, other: str | None, expected: str) -> None:
    assert complete_title(title, other) == (other if expected == "other" else title)


def test_ve_viec_title_under_a_type_code_is_no_cong_van() -> None:
    meta = _meta(None, "12/QĐ-UBND", "Về việc ban hành Quy chế")
    settle_type_and_title(meta)
    assert (meta.doc_type, meta.title) == ("QUYẾT ĐỊNH", "Về việc ban hành Quy chế")


def test_vv_left_on_the_title_is_removed_for_a_cong_van_only() -> None:
    cong_van = _meta(None, None, "V/ bảo đảm TTATGT")
    settle_type_and_title(cong_van)
    assert (cong_van.doc_type, cong_van.title) == ("CÔNG VĂN", "bảo đảm TTATGT")
    decision = _meta("NGHỊ QUYẾT", None, "Về việc chuyển giao Vườn quốc gia Ba Vì")
    settle_type_and_title(decision)
    assert decision.title == "Về việc chuyển giao Vườn quốc gia Ba Vì"
    untyped = _meta(None, None, "Về việc ban hành Quy chế")  # a type line missed, or a công văn: kept
    settle_type_and_title(untyped)
    assert (untyped.doc_type, untyped.title) == (None, "Về việc ban hành Quy chế")
