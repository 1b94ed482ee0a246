"""The closing block: signer's authority, position and name, Nơi nhận items (structure/closing.py, names.py).

Cases are the Nghị định 30/2020/NĐ-CP conventions, lines as OCR read them on real scans (the dev set in
``../shared/real-scans``), and damaged lines that must give no name or position rather than a wrong one.
"""

from __future__ import annotations

import pytest

from ocr_pipeline.structure.closing import (
    name_from_mentions,
    parse_end_zone,
    repair_recipient,
    signer_from_signature,
    snap_archive_units,
)
from ocr_pipeline.structure.layout import clean_lines
from ocr_pipeline.structure.model import Signer
from ocr_pipeline.structure.names import (
    damaged_title,
    deputy_title,
    ends_with_title,
    is_syllable,
    name_after_marks,
    person_name,
    snap_position,
)


def signer_of(block: str) -> Signer | None:
    return parse_end_zone(clean_lines(block))[1]


def fields(block: str) -> tuple[str | None, ...]:
    signer = signer_of(block)
    assert signer is not None
    return signer.authority, signer.on_behalf_of, signer.position, signer.name


def block_fields(block: str) -> tuple[str | None, ...]:
    """The signer of the signature block's own zone (every line one of the block's)."""
    signer = parse_end_zone(clean_lines(block), signer_block=True)[1]
    assert signer is not None
    return signer.authority, signer.on_behalf_of, signer.position, signer.name


# --------------------------------------------------------------------------------------------- positions


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        # the conventions: quyền hạn + authority, then the signer's own position, then the name
        (
            "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn An",
            ("KT", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An"),
        ),
        (
            "KT. BỘ TRƯỞNG, CHỦ NHIỆM\nPHÓ CHỦ NHIỆM\nPhạm Mạnh Cường",
            ("KT", "BỘ TRƯỞNG, CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", "Phạm Mạnh Cường"),
        ),
        (
            "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\nNguyễn Sinh Nhật Tân",
            ("KT", "BỘ TRƯỞNG", "THỨ TRƯỞNG", "Nguyễn Sinh Nhật Tân"),
        ),
        ("THỦ TƯỚNG\nLê Minh Hưng", (None, None, "THỦ TƯỚNG", "Lê Minh Hưng")),
        (
            "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nVũ Đại Thắng",
            ("TM", "ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Vũ Đại Thắng"),
        ),
        # the position OCR'd onto the authority line
        ("KT. CHỦ TỊCH PHÓ CHỦ TỊCH\nTrần Văn Bình", ("KT", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Văn Bình")),
        # in the wild (dev scans): accent slips snapped to the closed list
        (
            "KT. GIÁM ĐÓC\nPHÓ GIÁM ĐÓC\nTrần Nguyễn Minh Thành",
            ("KT", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Nguyễn Minh Thành"),
        ),
        # PHÓ lost under the seal: under KT. the signer is a deputy, never the head
        (
            "KT. GIÁM ĐÓC\nGIÁM ĐÓC\nTrần Nguyễn Minh Thành",
            ("KT", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Nguyễn Minh Thành"),
        ),
        # a surname read with a slipped accent, repaired because only one surname folds to it
        (
            "TM. CHÍNH PHỦ\nKT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\n\nHô Quốc Dũng",
            ("KT", "THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "Hồ Quốc Dũng"),
        ),
        # a military or police rank before the name
        (
            "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\nThượng tướng Lương Tam Quang",
            ("KT", "BỘ TRƯỞNG", "THỨ TRƯỞNG", "Lương Tam Quang"),
        ),
        # a head's title that ends with another's is one title (not TỔNG + CỤC TRƯỞNG)
        ("KT. TỔNG CỤC TRƯỞNG\nMai Xuân Thành", ("KT", "TỔNG CỤC TRƯỞNG", None, "Mai Xuân Thành")),
    ],
)
def test_signature_block(block: str, expected: tuple[str | None, ...]) -> None:
    assert fields(block) == expected


def test_a_title_after_a_comma_belongs_to_the_authority() -> None:
    # dev cv_3722: the PHÓ CHỦ NHIỆM line was lost under the signature; CHỦ NHIỆM is not the position
    assert fields("KT. BO TRƯỞNG, CHỦ NHIỆM\n\nNL.PhanfMạnh Cường") == (
        "KT",
        "BỘ TRƯỞNG, CHỦ NHIỆM",
        None,
        None,
    )


def test_under_tm_the_heads_title_is_kept() -> None:
    assert fields("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nLê Văn Hà")[2] == "CHỦ TỊCH"


@pytest.mark.parametrize(
    "block",
    [
        "WỮAZ/) JJ\n\nXem; Minh Hưng",  # dev qd_729: the surname erased with the seal
        "Í-\n\n/Iÿ\n\nn Văn Thắng",  # dev qd_707: the name cut by the signature
        "KT. BỘ TRƯỞNG\n\nNNUNƯnN\nlIẾ ANH\n\n)\n\n—xGuyến Sith Nhật Tân 7",  # dev tt_21
    ],
)
def test_damaged_name_lines_give_no_name(block: str) -> None:
    signer = signer_of(block)
    assert signer is None or signer.name is None


def test_damaged_lines_give_no_position() -> None:
    signer = signer_of("KT. BỘ TRƯỞNG\n\nNNUNƯnN\nlIẾ ANH\n\nNguyễn Sinh Nhật Tân")
    assert signer is not None
    assert (signer.position, signer.name) == (None, "Nguyễn Sinh Nhật Tân")


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        # Tesseract's reads (psm 7) of the dev pages' sealed signer lines (reading.seal_lines), as the
        # word filter (reading.printed_word) leaves them
        (
            "KT. BỘ TRƯỞNG, CHỦ NHIỆM\nzZZoPHÖXHỦUNHIÊM\n.EhamfMạnh Cường",  # cv_3722
            ("KT", "BỘ TRƯỞNG, CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", None),
        ),
        (
            "THỦ TƯỚNG\n_PHO*RSHỦ TƯỚNG\n*-fNguýễn Văn Thắng",  # qd_707 (KT. lost)
            (None, None, "PHÓ THỦ TƯỚNG", "Nguyễn Văn Thắng"),
        ),
        ("œ`NHỦ TƯỚNG\n“=ezZZLê Minh Hưng", (None, None, "THỦ TƯỚNG", "Lê Minh Hưng")),  # qd_729
        (
            "KT. BỘ TRƯỚNG\nZZn: THỮYRƯỞNG—.\nxNÑguyên ,Sích Nhật Tân ˆ",  # tt_21: the name stays unread
            ("KT", "BỘ TRƯỞNG", "THỨ TRƯỞNG", None),
        ),
        (
            "KT.GLÁM ĐÓC\n*x*cĐRÓ GIÁM ĐÓC\nTrần Nguyễn Minh Thành",  # danang_1535
            ("KT", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Nguyễn Minh Thành"),
        ),
    ],
)
def test_sealed_signer_lines(block: str, expected: tuple[str | None, ...]) -> None:
    assert block_fields(block) == expected


def test_a_deputy_is_expected_only_under_kt() -> None:
    # the same damaged line: under KT. it ends with the deputy's title; under TM. it is no position
    assert block_fields("KT. BỘ TRƯỞNG, CHỦ NHIỆM\nzZZoPHÖXHỦUNHIÊM\nLê Văn An")[2] == "PHÓ CHỦ NHIỆM"
    assert block_fields("TM. ỦY BAN NHÂN DÂN\nzZZoPHÖXHỦUNHIÊM\nLê Văn An")[2] is None


def test_the_name_is_the_last_name_line() -> None:
    signer = signer_of("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nXem; Hà Văn\nNguyễn Thị Lan")
    assert signer is not None and signer.name == "Nguyễn Thị Lan"


# --------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GIÁM ĐÓC", "GIÁM ĐỐC"),
        ("BO TRƯỞNG", "BỘ TRƯỞNG"),
        ("THỨ TRƯỜNG", "THỨ TRƯỞNG"),
        ("PHO CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
        ("PHÓ CHỦ NHIỆM", "PHÓ CHỦ NHIỆM"),
        ("CHÁNH VĂN PHÒNG", "CHÁNH VĂN PHÒNG"),
        # not a near miss of one title: kept as printed, never invented
        ("TRƯỞNG", "TRƯỞNG"),
        ("ỦY BAN NHÂN DÂN", "ỦY BAN NHÂN DÂN"),
        ("TRƯỞNG PHÒNG TỔ CHỨC", "TRƯỞNG PHÒNG TỔ CHỨC"),
        ("Chủ tịch", "Chủ tịch"),
    ],
)
def test_snap_position(text: str, expected: str) -> None:
    assert snap_position(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("œNHỦ TƯỚNG", "THỦ TƯỚNG"),  # stray marks, then one letter wrong
        ("PHO*RSHỦ TƯỚNG", "PHÓ THỦ TƯỚNG"),  # two wrong of eleven; the reading using more of the line
        ("THỮYRƯỞNG—.", "THỨ TRƯỞNG"),
        ("*x*cĐRÓ GIÁM ĐÓC", "GIÁM ĐỐC"),
        ("zZZoPHÖXHỦUNHIÊM", None),  # glued to the marks: too far from any title
        ("Ủ NHIỆM", None),  # CHỦ NHIỆM or PHÓ CHỦ NHIỆM: too little is left
        ("SN /(xiỦ —ỚớỨ", None),
        ("TƯỚNG", None),
    ],
)
def test_damaged_title(text: str, expected: str | None) -> None:
    assert damaged_title(text) == expected


def test_ends_with_title() -> None:
    assert ends_with_title("zZZoPHÖXHỦUNHIÊM", "PHÓ CHỦ NHIỆM")
    assert ends_with_title("THỮYRƯỞNG", "THỨ TRƯỞNG")
    assert not ends_with_title("Ủ NHIỆM", "PHÓ CHỦ NHIỆM")
    assert not ends_with_title("NHIỆM", "CHỦ TỊCH")  # fewer than eight letters: never
    assert not ends_with_title("PHÓ CHỦ TỊCH", "PHÓ CHỦ NHIỆM")


def test_deputy_titles() -> None:
    assert deputy_title("GIÁM ĐÓC") == "PHÓ GIÁM ĐỐC"
    assert deputy_title("BỘ TRƯỞNG") == "THỨ TRƯỞNG"
    assert deputy_title("ỦY BAN NHÂN DÂN") is None


@pytest.mark.parametrize(
    ("word", "valid"),
    [
        ("Nguyễn", True),
        ("Quang", True),
        ("khuya", True),
        ("Hoà", True),
        ("Hòa", True),
        ("Phúc", True),
        ("Phanf", False),
        ("Sith", False),
        ("Phùc", False),  # a stop final takes only sắc or nặng
        ("Ñguyên", False),  # a tilde on a consonant is no tone
        ("aic", False),
        ("xyz", False),
    ],
)
def test_is_syllable(word: str, valid: bool) -> None:
    assert is_syllable(word) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trần Nguyễn Minh Thành", "Trần Nguyễn Minh Thành"),
        ("Hô Quốc Dũng", "Hồ Quốc Dũng"),
        ("Nguyễn Văn Thắng.", "Nguyễn Văn Thắng"),
        ("NGUYỄN VĂN AN", "NGUYỄN VĂN AN"),
        ("Minh Hưng", None),  # no surname
        ("n Văn Thắng", None),
        ("Ha Văn Nam", None),  # Hà or Hạ: ambiguous accent, not repaired
        ("Nguyễn VĂN an", None),
        ("CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", None),
        ("Nguyễn Sith Nhật Tân", None),
        ("Nguýễn Văn Thắng", "Nguyễn Văn Thắng"),  # a surname's letters, too many accents
        ("Văn Nguýễn Thắng", None),  # only the surname is repaired so
    ],
)
def test_person_name(text: str, expected: str | None) -> None:
    assert person_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“=ezZZLê Minh Hưng", "Lê Minh Hưng"),
        ("*-fNguýễn Văn Thắng", "Nguyễn Văn Thắng"),  # the surname's letters with two accents
        ("PCN Phạm Mạnh Cường", "Phạm Mạnh Cường"),
        ("xx Mai Hà", None),  # two words after marks: the surname may be lost
        ("Xem; Minh Hưng", None),  # no surname
        ("Trần Lê Minh", None),  # a name word before: not marks (and a name of its own)
        ("xNÑguyên ,Sích Nhật Tân", None),
        ("Nguyễn Văn An ‹", "Nguyễn Văn An"),  # marks after the name
        ("Nguyễn Văn An 7", "Nguyễn Văn An"),
        ("Nguyễn Văn An (để b/c)", None),  # a recipient: a syllable after the name is no mark
        ("Nguyễn văn An /", None),  # not a name however the marks are read
        (".EhamfMạnh Cường", None),
    ],
)
def test_name_after_marks(text: str, expected: str | None) -> None:
    assert name_after_marks(text) == expected


@pytest.mark.parametrize(
    "name_line", ["Nguyễn Văn An /", "/ Nguyễn Văn An", "NguyễnVăn An ˆ", "Nguyễn Văn An 7"]
)
def test_signature_zone_name_line_crossed_by_marks(name_line: str) -> None:
    block = f"KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n{name_line}"
    assert block_fields(block) == ("KT", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An")


def test_a_recipient_is_no_name_after_marks() -> None:
    assert name_after_marks("Như Điều 3") is None  # "Nhữ" would be an accent repaired as well
    assert name_after_marks("Nguyên Văn An /") is None


def test_name_from_a_mention_elsewhere_in_the_document() -> None:
    texts = ["Thủ tướng, PTTgTT Phạm Gia Túc (để b/c)", "VPCP: BTCN, PCN Phạm Mạnh Cường, Trợ lý TTg"]
    assert name_from_mentions("NL.PhanfMạnh Cường", texts) == "Phạm Mạnh Cường"
    assert name_from_mentions("NL.Xyzw Mạnh Cường", texts) is None  # the surname too far from the line
    assert name_from_mentions("Mạnh Cường", texts) is None  # nothing damaged: nothing to repair
    two = [*texts, "đồng chí Phan Mạnh Cường"]
    assert name_from_mentions("NL.PhanfMạnh Cường", two) is None  # two people fit: no name


def test_signer_from_the_digital_signature_only_when_it_names_a_person() -> None:
    portal = {"signer": "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", "organisation": "VĂN PHÒNG CHÍNH PHỦ"}
    assert signer_from_signature(Signer(authority="KT"), portal) == Signer(authority="KT")
    office = {"signer": "Ủy ban Nhân dân tỉnh Bến Tre ký số bản sao văn bản điện tử!"}
    assert signer_from_signature(None, office) is None
    person = {"signer": "NGUYỄN VĂN AN"}
    filled = signer_from_signature(Signer(authority="KT"), person)
    assert filled is not None
    assert (filled.name, filled.name_source) == ("Nguyễn Văn An", "digital_signature")
    printed = Signer(name="Trần Văn Bình")
    assert signer_from_signature(printed, person) is printed and printed.name == "Trần Văn Bình"


# --------------------------------------------------------------------------------------------- recipients


def recipients_of(block: str) -> list[str]:
    return parse_end_zone(clean_lines(block))[0]


def test_recipients_from_a_dev_scan() -> None:
    block = (
        "Nơi nhận:\n"
        "- Như trên; „XI\n"
        "- Vụ GDCTHSSV, Bộ GD&ĐT; ễ GIÁ:\n"
        "- Văn phòng Quốc hội; y\n"
        "- Lãnh đạo Sở; Công đoàn GD thành phố;\n"
        "- Thủ tướng, PTTgTT Phạm Gia Túc (để b/e);\n"
        "- Lưu: VT, CN. pvc K\n"
    )
    assert recipients_of(block) == [
        "Như trên",
        "Vụ GDCTHSSV, Bộ GD&ĐT",
        "Văn phòng Quốc hội",
        "Lãnh đạo Sở; Công đoàn GD thành phố",
        "Thủ tướng, PTTgTT Phạm Gia Túc (để b/c)",
        "Lưu: VT, CN. pvc",
    ]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("Công Thông tin điện tử Chính phủ", "Cổng Thông tin điện tử Chính phủ"),
        ("Ủy ban trung ương Mặt trận Tô quốc Việt Nam", "Ủy ban trung ương Mặt trận Tổ quốc Việt Nam"),
        ("Cục Kiểm tra văn bản - Bộ đư pháp", "Cục Kiểm tra văn bản - Bộ Tư pháp"),
        (
            "Các Bộ, cơ quai: ngang Bộ, cơ quan thuộc Chính phủ",
            "Các Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ",
        ),
        ("Tòa án-nhân dân tối cao", "Tòa án nhân dân tối cao"),
        # negatives: other bodies, a hyphen that is printed, a one-letter code after a comma
        ("Sở Tư pháp", "Sở Tư pháp"),
        ("Văn phòng Trung ương Đoàn", "Văn phòng Trung ương Đoàn"),
        ("Các bộ, cơ quan ngang bộ", "Các bộ, cơ quan ngang bộ"),
        ("Phòng LĐTBXH -DT các huyện", "Phòng LĐTBXH -DT các huyện"),
        ("Sở Giao thông vận tải (để t/h)", "Sở Giao thông vận tải (để t/h)"),
        ("Lưu: VT, K", "Lưu: VT, K"),
        # dev scans (cv_3722, nq_115, qd_707, tt_21)
        ("Thủ tướng, PTTgTT Phạm Gia Túc (đề b/c)", "Thủ tướng, PTTgTT Phạm Gia Túc (để b/c)"),
        ("Lưu: VT NN (0)", "Lưu: VT, NN (0)"),
        ("Lưu: VT VP UBND", "Lưu: VT, VP UBND"),
        ("Lưu: VT, VP HĐND", "Lưu: VT, VP HĐND"),
        ("Lưu: VT VP NN", "Lưu: VT, VP, NN"),
        ("VPCP: BTCN, các Vụ: TH, NC, QHỌT, PL", "VPCP: BTCN, các Vụ: TH, NC, QHQT, PL"),
        (
            "Các Bộ, cơ quan: ngang Bộ, cơ quan thuộc Chính phủ",
            "Các Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ",
        ),
        ("Sở Tài chính (dê t/b)", "Sở Tài chính (để t/h)"),
        # negatives: a purpose note that is no slip of the closed set, a word that is a syllable, a colon
        # before a list of names, a bracket before a body's name, codes with their commas
        ("Sở Tài chính (để x/y)", "Sở Tài chính (để x/y)"),
        ("TRƯỜNG ĐẠI HỌC SƯ PHẠM", "TRƯỜNG ĐẠI HỌC SƯ PHẠM"),
        ("Các Bộ: Tài chính, Tư pháp", "Các Bộ: Tài chính, Tư pháp"),
        ("Cục Kiểm tra văn bản (Bộ Tư pháp)", "Cục Kiểm tra văn bản (Bộ Tư pháp)"),
        ("Lưu: VT, QHĐP (2). Q.Cường", "Lưu: VT, QHĐP (2). Q.Cường"),
    ],
)
def test_repair_recipient(item: str, expected: str) -> None:
    assert repair_recipient(item) == expected


@pytest.mark.parametrize(
    ("items", "unit_code", "expected"),
    [
        (
            ["Như trên", "Lưu: VT, CTrTTT (Chương)"],
            "CTrTT",
            ["Như trên", "Lưu: VT, CTrTT (Chương)"],
        ),  # danang
        (["Lưu: VT, KGVX"], "CTrTT", ["Lưu: VT, KGVX"]),  # another unit
        (["Lưu: VT, CM"], "CN", ["Lưu: VT, CM"]),  # a code of two letters: too short to tell
        (["Sở GD&ĐT, CTrTTT"], "CTrTT", ["Sở GD&ĐT, CTrTTT"]),  # not the Lưu item
        (["Lưu: VT, CTrTTT"], None, ["Lưu: VT, CTrTTT"]),
    ],
)
def test_archive_unit_snapped_to_the_ky_hieu(
    items: list[str], unit_code: str | None, expected: list[str]
) -> None:
    assert snap_archive_units(items, unit_code) == expected
