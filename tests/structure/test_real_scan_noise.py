"""Real-scan noise in the record: signature overlays, received stamps, handwritten blanks, page zones."""

from __future__ import annotations

import pytest

from ocr_pipeline.structure.layout import clean_lines
from ocr_pipeline.structure.marks import overlay_line, strip_marks
from ocr_pipeline.structure.metadata import parse_long_date, parse_number
from ocr_pipeline.structure.model import Zone
from ocr_pipeline.structure.segment import segment_documents, segment_text

#: A page as Tesseract reads a signed, stamped quyết định: overlay box first, header columns merged,
#: handwritten number and day, a received stamp beside the type and title, title lines split by blanks.
STAMPED_DECISION = """Người ký CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ
‹ sa. Email thongtinchinhphu@chinhphu.vn
\\ 7 Cơ quan VĂN PHÒNG CHÍNH PHỦ

Thời gian ký 23 04 2026 15 54 16 +07 00

THỦ TƯỚNG CHÍNH PHỦ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
—————— Độc lập - Tự do - Hạnh phúc

Số: #2 /QĐ-TTg Hà Nội, ngày?3 tháng 4 năm 2026
“GÔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ
đổng G:....Ở: QUYẾT ĐỊNH
ĐEN Ngày..22.1-H.A996.... Phê chuẩn kết quả bầu chức vụ Chủ tịch

Ủy ban nhân dân thành phố Đà Nẵng nhiệm kỳ 2026 - 2031

THỦ TƯỚNG CHÍNH PHỦ

Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 02 năm 2025;

QUYẾT ĐỊNH:

Điều 1. Phê chuẩn kết quả bầu chức vụ Chủ tịch Ủy ban nhân dân thành phố.

Điều 2. Quyết định này có hiệu lực thi hành kể từ ngày ký ban hành.

Nơi nhận: TM. CHÍNH PHỦ
- Như Điều 2; KT. THỦ TƯỚNG
- Lưu: VT, QHĐP. PHÓ THỦ TƯỚNG

Hồ Quốc Dũng
"""


def test_overlay_and_stamps_never_become_fields() -> None:
    s = segment_text(STAMPED_DECISION)
    meta = s.metadata
    assert meta.issuer == "THỦ TƯỚNG CHÍNH PHỦ"
    assert meta.doc_type == "QUYẾT ĐỊNH"
    assert meta.title == (
        "Phê chuẩn kết quả bầu chức vụ Chủ tịch Ủy ban nhân dân thành phố Đà Nẵng nhiệm kỳ 2026 - 2031"
    )
    assert any(m.startswith("Người ký") for m in s.marks)
    assert any("Thời gian ký" in m for m in s.marks)
    assert any(m.startswith("ĐEN Ngày") for m in s.marks)
    assert meta.signer is not None
    assert (meta.signer.position, meta.signer.name) == ("PHÓ THỦ TƯỚNG", "Hồ Quốc Dũng")
    assert meta.signer.chain == ["TM. CHÍNH PHỦ", "KT. THỦ TƯỚNG"]
    assert [x.label for x in s.sections] == ["1", "2"]


def test_handwritten_number_and_day_are_flagged_not_guessed() -> None:
    meta = segment_text(STAMPED_DECISION).metadata
    assert meta.number is not None and meta.date is not None
    assert (meta.number.raw, meta.number.number, meta.number.handwritten_unread) == ("/QĐ-TTg", None, True)
    assert (meta.date.day, meta.date.month, meta.date.year) == (None, 4, 2026)
    assert meta.date.handwritten_unread


@pytest.mark.parametrize(
    ("raw", "number", "ky_hieu_raw", "unread"),
    [
        ("#2 /QĐ-TTg", None, "/QĐ-TTg", True),
        ("4/35 /SGDĐT-CTrTT", None, "/SGDĐT-CTrTT", True),
        ("115/NQ-CP", "115", "115/NQ-CP", False),
        ("21/2026/TT-BCT", "21", "21/2026/TT-BCT", False),
        ("      /KH-UBND", None, "/KH-UBND", False),
    ],
)
def test_number_blank(raw: str, number: str | None, ky_hieu_raw: str, unread: bool) -> None:
    parsed = parse_number(raw)
    assert parsed is not None
    assert (parsed.number, parsed.raw, parsed.handwritten_unread) == (number, ky_hieu_raw, unread)


def test_date_blank_glyphs() -> None:
    found = parse_long_date("Hà Nội, ngày 2# tháng £ năm 2026")
    assert found is not None
    date = found[0]
    assert (date.day, date.month, date.year, date.handwritten_unread) == (None, None, 2026, True)
    clean = parse_long_date("Hà Nội, ngày 28 tháng 4 năm 2026")
    assert clean is not None and not clean[0].handwritten_unread and clean[0].iso == "2026-04-28"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Người ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", True),
        ("Cơ quan: VĂN PHÒNG CHÍNH PHỦ", True),
        ("Thời gian ký: 28.04.2026 15:49:15 +07:00", True),
        ("I. CƠ QUAN CHỈ ĐẠO VÀ TỔ CHỨC THỰC HIỆN", False),
        ("Cơ quan chủ trì phối hợp với các sở, ngành.", False),
    ],
)
def test_overlay_lines(line: str, expected: bool) -> None:
    assert overlay_line(line) is expected


def test_fields_read_from_zones() -> None:
    zones = [
        Zone("mark", "Người ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", 1),
        Zone("header_left", "BỘ CÔNG THƯƠNG\n———\nSố: 21/2026/TT-BCT", 1),
        Zone(
            "header_right",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
            "Hà Nội, ngày 28 tháng 4 năm 2026",
            1,
        ),
        Zone("title", "THÔNG TƯ\nBãi bỏ một phần khoản 2 Điều 1\ncủa Thông tư số 18/2025/TT-BCT", 1),
        Zone(
            "body",
            "Căn cứ Luật Ban hành văn bản quy phạm pháp luật;\n\nĐiều 1. Bãi bỏ.\n\n"
            "Điều 2. Hiệu lực thi hành.",
            1,
        ),
        Zone("closing_left", "Nơi nhận:\n- Văn phòng Chính phủ;\n- Lưu: VT, TTTN.", 2),
        Zone("closing_right", "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\nNguyễn Sinh Nhật Tân", 2),
    ]
    text = "\n".join(z.text for z in zones)
    s = segment_text(text, zones)
    meta = s.metadata
    assert meta.issuer == "BỘ CÔNG THƯƠNG"
    assert meta.number is not None and meta.number.raw == "21/2026/TT-BCT"
    assert (meta.place, meta.date.iso if meta.date else None) == ("Hà Nội", "2026-04-28")
    assert meta.doc_type == "THÔNG TƯ"
    assert meta.title == "Bãi bỏ một phần khoản 2 Điều 1 của Thông tư số 18/2025/TT-BCT"
    assert meta.recipients == ["Văn phòng Chính phủ", "Lưu: VT, TTTN"]
    assert meta.signer is not None
    assert (meta.signer.on_behalf_of, meta.signer.position, meta.signer.name) == (
        "BỘ TRƯỞNG",
        "THỨ TRƯỞNG",
        "Nguyễn Sinh Nhật Tân",
    )
    assert [(x.kind, x.label) for x in s.sections] == [("article", "1"), ("article", "2")]
    assert s.marks[0].startswith("Người ký")


def test_zones_of_a_cong_van_and_unknown_zones_fall_back_to_text() -> None:
    zones = [
        Zone(
            "header_left",
            "VĂN PHÒNG CHÍNH PHỦ\nSố: 3722/VPCP-CN\nV/v cơ chế đặc thù xây dựng\ncông trình khẩn cấp",
            1,
        ),
        Zone("header_right", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nHà Nội, ngày 28 tháng 4 năm 2026", 1),
        Zone("body", "Kính gửi: Ủy ban nhân dân tỉnh Đồng Nai.\n\nVăn phòng Chính phủ thông báo./.", 1),
    ]
    meta = segment_text("\n".join(z.text for z in zones), zones).metadata
    assert (meta.doc_type, meta.title) == ("CÔNG VĂN", "cơ chế đặc thù xây dựng công trình khẩn cấp")
    assert meta.addressees == ["Ủy ban nhân dân tỉnh Đồng Nai"]
    only_unknown = [Zone("unknown", STAMPED_DECISION, 1)]
    assert segment_text(STAMPED_DECISION, only_unknown) == segment_text(STAMPED_DECISION)


DECISION_WITH_PLAN = """ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH LẠNG SƠN Độc lập - Tự do - Hạnh phúc
Số: 68/QĐ-UBND Lạng Sơn, ngày 12 tháng 5 năm 2025

QUYẾT ĐỊNH
Ban hành Kế hoạch thi đua năm 2025

ỦY BAN NHÂN DÂN TỈNH

Căn cứ Luật Thi đua, khen thưởng;

QUYẾT ĐỊNH:

Điều 1. Ban hành kèm theo Quyết định này Kế hoạch thi đua năm 2025.

Điều 2. Quyết định này có hiệu lực kể từ ngày ký.

Nơi nhận: TM. ỦY BAN NHÂN DÂN
- Như Điều 2; CHỦ TỊCH
- Lưu: VT.
Hồ Tiến Thiệu
\fỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH LẠNG SƠN Độc lập - Tự do - Hạnh phúc

KẾ HOẠCH
Thi đua năm 2025
(Kèm theo Quyết định số 68/QĐ-UBND
ngày 12 tháng 5 năm 2025 của Ủy ban nhân dân tỉnh)

I. MỤC ĐÍCH, YÊU CẦU

Thi đua hoàn thành nhiệm vụ.

II. NỘI DUNG

Các phong trào thi đua.
"""


def test_attached_plan_is_its_own_record() -> None:
    s = segment_text(DECISION_WITH_PLAN)
    assert s.metadata.doc_type == "QUYẾT ĐỊNH"
    assert [x.label for x in s.sections] == ["1", "2"]
    assert s.metadata.signer is not None and s.metadata.signer.name == "Hồ Tiến Thiệu"
    assert s.metadata.recipients == ["Như Điều 2", "Lưu: VT"]
    assert len(s.attachments) == 1
    plan = s.attachments[0]
    assert (plan.metadata.doc_type, plan.metadata.title) == ("KẾ HOẠCH", "Thi đua năm 2025")
    assert plan.metadata.issuer == "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN"
    assert [(x.kind, x.label) for x in plan.sections] == [("roman", "I"), ("roman", "II")]


def test_two_documents_in_one_file_are_split() -> None:
    second = STAMPED_DECISION.split("THỦ TƯỚNG CHÍNH PHỦ CỘNG HÒA", 1)[1]
    text = DECISION_WITH_PLAN.split("\f")[0] + "\fTHỦ TƯỚNG CHÍNH PHỦ CỘNG HÒA" + second
    documents = segment_documents(text)
    assert len(documents) == 2
    assert [d.metadata.issuer for d in documents] == ["ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN", "THỦ TƯỚNG CHÍNH PHỦ"]
    assert documents[1].metadata.number is not None and documents[1].metadata.number.raw == "/QĐ-TTg"
    assert segment_text(text) == documents[0]
    assert segment_documents(DECISION_WITH_PLAN)[0].attachments


@pytest.mark.parametrize(
    ("line", "kept", "mark"),
    [
        # the received stamp opening a title line, its accent misread, its fields read as glyphs (dev:
        # raw Tesseract of qd_729)
        (
            "ĐỀN quy, 221412)26...| Phê chuẩn kết quả bầu chức vụ Chủ tịch",
            "Phê chuẩn kết quả bầu chức vụ Chủ tịch",
            "ĐỀN quy, 221412)26...|",
        ),
        ("ĐẾN Số: 1234 Ban hành Quy định về phí", "Ban hành Quy định về phí", "ĐẾN Số: 1234"),
        ("Ngày: 15/6", "", "Ngày: 15/6"),  # a line of the stamp alone
        ("Ban hành Quy định về phí | ĐẾN Số:.....", "Ban hành Quy định về phí", "ĐẾN Số:....."),
        # negatives: an upper-case title's line opening with ĐẾN, a title without a stamp
        ("ĐẾN NĂM 2030, TẦM NHÌN ĐẾN NĂM 2045", "ĐẾN NĂM 2030, TẦM NHÌN ĐẾN NĂM 2045", None),
        ("Về việc bồi thường, đền bù khi thu hồi đất", "Về việc bồi thường, đền bù khi thu hồi đất", None),
    ],
)
def test_received_stamp_cut_from_a_line(line: str, kept: str, mark: str | None) -> None:
    lines = clean_lines(line)
    marks = strip_marks(lines)
    assert marks == ([mark] if mark else [])
    assert (lines[0].text if not lines[0].noise else "") == kept
