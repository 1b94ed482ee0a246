"""Metadata extraction: header zone (interleaved or separate columns), references, signer, recipients."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocr_pipeline.structure.metadata import (
    DocumentMetadata,
    extract_metadata,
    find_references,
    parse_long_date,
    parse_number,
)
from ocr_pipeline.structure.segment import segment_text

DATA = Path(__file__).parents[1] / "data"
FIXTURES = DATA / "structure"
GOLD = Path(__file__).parents[1] / "golden" / "structure"


def meta_of(name: str) -> DocumentMetadata:
    return extract_metadata((FIXTURES / name).read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------ numbers and dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("28/KH-SLĐTBXH", ("28/KH-SLĐTBXH", "28", None, "KH", "SLĐTBXH", None)),
        ("/KH-UBND", ("/KH-UBND", None, None, "KH", "UBND", None)),
        ("      /KH-UBND", ("/KH-UBND", None, None, "KH", "UBND", None)),
        ("……/QĐ-UBND", ("/QĐ-UBND", None, None, "QĐ", "UBND", None)),
        ("56/2017/NĐ-CP", ("56/2017/NĐ-CP", "56", "2017", "NĐ", "CP", None)),
        ("12/TTr-UBND", ("12/TTr-UBND", "12", None, "TTr", "UBND", None)),
        ("631/UBND-LĐTBXH", ("631/UBND-LĐTBXH", "631", None, None, "UBND", "LĐTBXH")),
        ("20-CT/TW", ("20-CT/TW", "20", None, "CT", "TW", None)),
    ],
)
def test_parse_number(raw: str, expected: tuple[str | None, ...]) -> None:
    number = parse_number(raw)
    assert number is not None
    assert (
        number.raw,
        number.number,
        number.year,
        number.type_code,
        number.issuer_code,
        number.unit_code,
    ) == expected


def test_parse_number_rejects_text() -> None:
    assert parse_number("Kế hoạch năm") is None


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Bằng Mạc, ngày 15 tháng 5 năm 2024", (15, 5, 2024, "2024-05-15")),
        ("Bằng Mạc, ngày    tháng 5 năm 2024", (None, 5, 2024, None)),
        ("Lạng Sơn, ngày      tháng      năm 2023", (None, None, 2023, None)),
        ("ngày ... tháng ... năm 20...", (None, None, None, None)),
        ("ngày 31 tháng 2 năm 2024", (31, 2, 2024, None)),
        ("Chi Lăng, ngày 15/5/2024", (15, 5, 2024, "2024-05-15")),
    ],
)
def test_partial_dates_keep_their_parts(text: str, parts: tuple[int | str | None, ...]) -> None:
    found = parse_long_date(text)
    assert found is not None
    date = found[0]
    assert (date.day, date.month, date.year, date.iso) == parts


# --------------------------------------------------------------------------------------------- header zone


def test_quyet_dinh_with_interleaved_columns() -> None:
    meta = meta_of("quyet-dinh-interleaved.txt")
    assert meta.parent_body == "UBND HUYỆN CHI LĂNG"
    assert meta.issuer == "ỦY BAN NHÂN DÂN XÃ BẰNG MẠC"
    assert meta.number is not None and meta.number.raw == "45/QĐ-UBND" and meta.number.type_code == "QĐ"
    assert meta.place == "Bằng Mạc"
    assert meta.date is not None and meta.date.iso == "2024-06-03"
    assert meta.doc_type == "QUYẾT ĐỊNH"
    assert meta.title == "Về việc kiện toàn Ban Bảo vệ trẻ em xã Bằng Mạc giai đoạn 2024 - 2026"


def test_report_with_single_space_interleaving() -> None:
    meta = meta_of("bao-cao-single-space.txt")
    assert (meta.parent_body, meta.issuer) == ("UBND HUYỆN NHƯ XUÂN", "ỦY BAN NHÂN DÂN XÃ BÌNH LƯƠNG")
    assert meta.number is not None and (meta.number.number, meta.number.type_code) == ("87", "BC")
    assert meta.place == "Bình Lương"
    assert meta.date is not None and meta.date.iso == "2023-12-15"
    assert meta.doc_type == "BÁO CÁO"
    assert meta.title == "Kết quả thực hiện công tác trẻ em năm 2023 và phương hướng nhiệm vụ năm 2024"


def test_cong_van_with_columns_one_after_the_other() -> None:
    meta = meta_of("cong-van-columns-separate.txt")
    assert meta.parent_body == "UBND TỈNH LẠNG SƠN"
    assert meta.issuer == "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
    assert meta.number is not None
    assert (meta.number.type_code, meta.number.issuer_code, meta.number.unit_code) == (
        None,
        "SLĐTBXH",
        "BTXH",
    )
    assert meta.doc_type == "CÔNG VĂN"
    assert meta.title == "hướng dẫn tổ chức Tháng hành động vì trẻ em năm 2024"
    assert meta.place == "Lạng Sơn" and meta.date is not None and meta.date.iso == "2024-05-20"
    assert meta.addressees == ["Ủy ban nhân dân các huyện, thành phố", "Các sở, ban, ngành tỉnh"]


def test_to_trinh_with_two_line_issuer_and_marks() -> None:
    text = "\n".join(
        [
            "ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "HUYỆN CHI LĂNG                 Độc lập - Tự do - Hạnh phúc",
            "KHẨN",
            "Số: 12/TTr-UBND            Chi Lăng, ngày 02 tháng 4 năm 2024",
            "",
            "TỜ TRÌNH",
            "Đề nghị phê duyệt kinh phí tổ chức Tháng hành động vì trẻ em",
            "",
            "Kính gửi: Ủy ban nhân dân tỉnh Lạng Sơn.",
            "",
            "Căn cứ Kế hoạch số 28/KH-SLĐTBXH ngày 10 tháng 3 năm 2024 của Sở Lao động - Thương",
            "binh và Xã hội, UBND huyện kính trình như sau:",
            "I. SỰ CẦN THIẾT",
            "Trẻ em cần được bảo vệ.",
        ]
    )
    s = segment_text(text)
    meta = s.metadata
    assert meta.issuer == "ỦY BAN NHÂN DÂN HUYỆN CHI LĂNG" and meta.parent_body is None
    assert meta.place == "Chi Lăng" and meta.date is not None and meta.date.iso == "2024-04-02"
    assert meta.doc_type == "TỜ TRÌNH" and meta.number is not None and meta.number.type_code == "TTr"
    assert meta.addressees == ["Ủy ban nhân dân tỉnh Lạng Sơn"]
    assert [(r.number, r.date.iso if r.date else None) for r in meta.references] == [
        ("28/KH-SLĐTBXH", "2024-03-10")
    ]
    assert "KHẨN" in s.marks  # an urgency mark is kept (as a mark), but never taken for the issuer
    assert [n.label for n in s.sections] == ["I"]


def test_english_model_ocr_of_the_number_line() -> None:
    text = "UBND XA BANG MAC\nS6: 15/KH-UBND   Bang Mac, ngay 02 thang 3 nam 2022\n\nKE HOACH\nPhong chong\n"
    meta = extract_metadata(text)
    assert meta.number is not None and meta.number.raw == "15/KH-UBND"
    assert meta.issuer == "UBND XA BANG MAC" and meta.place == "Bang Mac"
    assert meta.date is not None and meta.date.iso == "2022-03-02"
    assert meta.doc_type == "KẾ HOẠCH" and meta.title == "Phong chong"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bằng Mạc, ngày 15 tháng 5 năm 2024", True),
        ("Số: 87/BC-UBND Bình Lương, ngày 15 tháng 12 năm 2023", True),
        ("ỦY BAN NHÂN DÂN XÃ BẰNG MẠC   TP. Lạng Sơn, ngày 15/5/2024", True),
        ("Căn cứ Công văn số 1011/VP-KGVX, ngày 11/3/2023 của UBND tỉnh", False),
        ("của UBND huyện Chi Lăng, ngày 12/3/2024 về việc", False),
    ],
)
def test_place_date_lines(text: str, expected: bool) -> None:
    from ocr_pipeline.structure.layout import is_place_date

    assert is_place_date(text) is expected


def test_law_header_and_a_preamble_citing_the_constitution() -> None:
    text = "\n".join(
        [
            "QUỐC HỘI -------",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc ---------------",
            "Luật số: 68/2014/QH13",
            "Hà Nội, ngày 26 tháng 11 năm 2014",
            "LUẬT",
            "DOANH NGHIỆP",
            "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;",
            "Quốc hội ban hành Luật doanh nghiệp.",
            "Chương I",
            "NHỮNG QUY ĐỊNH CHUNG",
            "Điều 1. Phạm vi điều chỉnh",
        ]
    )
    s = segment_text(text)
    meta = s.metadata
    assert (meta.issuer, meta.doc_type, meta.title) == ("QUỐC HỘI", "LUẬT", "DOANH NGHIỆP")
    assert meta.number is not None and (meta.number.number, meta.number.year, meta.number.issuer_code) == (
        "68",
        "2014",
        "QH13",
    )
    assert meta.date is not None and meta.date.iso == "2014-11-26" and meta.place == "Hà Nội"
    assert s.preamble.startswith("Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;")
    assert [(p, n.kind) for p, n in s.walk()] == [(("I",), "chapter"), (("I", "1"), "article")]


def test_eth_read_for_d_with_stroke() -> None:
    meta = extract_metadata(
        "I. NỘI DUNG\n1. Một.\n\nNơi nhận:\n- Thường trực ÐU, HĐND (để chỉ đạo);\n- Lưu VT.\n"
    )
    assert meta.recipients == ["Thường trực ĐU, HĐND (để chỉ đạo)", "Lưu VT"]


def test_no_header_means_null_fields_not_guesses() -> None:
    meta = extract_metadata("I. MỤC ĐÍCH\n1. Bảo vệ trẻ em.\n")
    assert meta == DocumentMetadata()


def test_plan_starting_at_its_title_line() -> None:
    meta = extract_metadata((DATA / "district-2021.gt.txt").read_text(encoding="utf-8"))
    assert meta.title == "Thực hiện công tác bảo vệ, chăm sóc trẻ em năm 2021"
    assert (meta.issuer, meta.number, meta.place, meta.date, meta.doc_type) == (None, None, None, None, None)


# --------------------------------------------------------------------------------------------- references


def test_references_across_lines_with_dates_and_issuers() -> None:
    text = (
        "Thực hiện Công văn số 636/LĐTBXH-TE ngày 28/02/2023 của Bộ Lao động - Thương binh và Xã hội\n"
        "hướng dẫn nhiệm vụ; Công văn số 1011/VP-KGVX, ngày 11/3/2023 của UBND tỉnh Lạng Sơn về việc\n"
        "hướng dẫn; Nghị định số 56/2017/NĐ-CP của Chính phủ; Chỉ thị số 20-CT/TW ngày 05/12/2012 của Bộ\n"
        "Chính trị; Kế hoạch số 12/KH-UBND ngày 20 tháng 01 năm 2023; Công văn số 636/LĐTBXH-TE (nhắc lại)."
    )
    refs = find_references(text)
    assert [(r.doc_type, r.number, r.date.iso if r.date else None) for r in refs] == [
        ("Công văn", "636/LĐTBXH-TE", "2023-02-28"),
        ("Công văn", "1011/VP-KGVX", "2023-03-11"),
        ("Nghị định", "56/2017/NĐ-CP", None),
        ("Chỉ thị", "20-CT/TW", "2012-12-05"),
        ("Kế hoạch", "12/KH-UBND", "2023-01-20"),
    ]
    assert [r.issuer for r in refs[:4]] == [
        "Bộ Lao động - Thương binh và Xã hội",
        "UBND tỉnh Lạng Sơn",
        "Chính phủ",
        "Bộ Chính trị",
    ]


def test_citation_without_number_is_not_a_reference() -> None:
    assert find_references("theo Luật Trẻ em năm 2016 và Kế hoạch này") == []


# --------------------------------------------------------------------------------------------- end zone


def test_signer_chain_tm_then_kt() -> None:
    text = (
        "I. NỘI DUNG\n1. Tuyên truyền.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n"
        "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nNguyễn Văn An\n"
    )
    signer = extract_metadata(text).signer
    assert signer is not None
    assert (signer.authority, signer.on_behalf_of, signer.position, signer.name) == (
        "KT",
        "CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn An",
    )
    assert signer.chain == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("KT.CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nĐinh Thị Thắm", ("KT", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Đinh Thị Thắm")),
        (
            "TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\nHoàng Văn Nam",
            ("TL", "CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "Hoàng Văn Nam"),
        ),
        ("Q. GIÁM ĐỐC\n\nLê Thị Hoa", ("Q", "GIÁM ĐỐC", None, "Lê Thị Hoa")),
        ("CHỦ TỊCH\n\nLương Văn Cường", (None, None, "CHỦ TỊCH", "Lương Văn Cường")),
        ("KT. CHỦ TỊCH\n(đã ký)", ("KT", "CHỦ TỊCH", None, None)),
        ("KT. CHỦ TỊCH PHÓ CHỦ TỊCH\n\nTriệu Thị Diệp", ("KT", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Triệu Thị Diệp")),
        (
            "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH\nLương Văn Cường",
            ("TM", "ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lương Văn Cường"),
        ),
        ("KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\nNguyễn Văn Sinh", ("KT", "BỘ TRƯỞNG", "THỨ TRƯỞNG", "Nguyễn Văn Sinh")),
    ],
)
def test_signer_variants(block: str, expected: tuple[str | None, ...]) -> None:
    text = "I. NỘI DUNG\n1. Tuyên truyền.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\n" + block + "\n"
    signer = extract_metadata(text).signer
    assert signer is not None
    assert (signer.authority, signer.on_behalf_of, signer.position, signer.name) == expected


def test_recipients_interleaved_with_the_signer_column() -> None:
    text = (
        "I. NỘI DUNG\n1. Tuyên truyền.\n\n"
        "Nơi nhận: KT. CHỦ TỊCH\n"
        "- Sở LĐTBXH (để b/c); PHÓ CHỦ TỊCH\n"
        "- Phòng LĐTBXH -DT các huyện, Phòng\n"
        "LĐTBXH TP;\n"
        "- Thường trực: HU, HĐND huyện; XKQ ĐH\n"
        "- Lưu: VT.        Trần Văn Bình\n"
    )
    s = segment_text(text)
    meta = s.metadata
    assert meta.recipients == [
        "Sở LĐTBXH (để b/c)",
        "Phòng LĐTBXH -DT các huyện, Phòng LĐTBXH TP",
        "Thường trực: HU, HĐND huyện",
        "Lưu: VT",
    ]
    assert meta.signer is not None
    assert (meta.signer.authority, meta.signer.position, meta.signer.name) == (
        "KT",
        "PHÓ CHỦ TỊCH",
        "Trần Văn Bình",
    )
    assert s.unassigned == ["XKQ ĐH"]  # stamp noise after an item's final ";" is kept aside, not a recipient


# --------------------------------------------------------------------------------------------- gold


@pytest.mark.parametrize("gold_path", sorted(GOLD.glob("*.json")), ids=lambda p: p.stem)
def test_golden_metadata(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    source = DATA / gold["document"]
    if not source.is_file():
        source = FIXTURES / "documents" / gold["document"]
    meta = extract_metadata(source.read_text(encoding="utf-8")).to_dict()
    expected = gold["metadata"]
    for key in ("issuer", "parent_body", "place", "doc_type", "title", "recipients"):
        assert meta[key] == expected[key], key
    for key in ("number", "date", "signer"):
        if expected[key] is None:
            assert meta[key] is None, key
        else:
            assert {k: meta[key][k] for k in expected[key]} == expected[key], key
    refs = [
        {"doc_type": r["doc_type"], "number": r["number"], "date": r["date"]["iso"] if r["date"] else None}
        for r in meta["references"]
    ]
    assert refs == expected["references"]
