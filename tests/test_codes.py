"""Document codes are kept as written but for the Đ of the abbreviation table (diacritics.codes)."""

from __future__ import annotations

import pytest

from diacritics.abbreviations import AbbreviationTable
from diacritics.codes import CODE_SPAN, is_code


def _syllable(form: str) -> bool:
    return form in {"te", "xa", "hoi", "tu", "noi", "hai", "kinh"}


@pytest.mark.parametrize(
    "span",
    ["496-TB/TU", "20-CT/TW", "KH-UBND", "1535/SGDĐT-CTrTT", "CB-GV-NV", "05-NQ/DU", "45/2019/QH14", "TB/TU"],
)
def test_codes_are_found(span: str) -> None:
    assert [m.group() for m in CODE_SPAN.finditer(f"số {span} ngày")] == [span]
    assert is_code(span, _syllable)


@pytest.mark.parametrize("span", ["TẾ-XÃ", "NOI-HAI", "V/v", "Hà-Nội", "2021-2025", "Kinh-te", "HIV/AIDS"])
def test_non_codes_are_not(span: str) -> None:
    assert not is_code(span, _syllable)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Thong bao so 496-TB/TU ngay 5/3/2023 cua Thanh uy", "496-TB/TU"),
        ("Thông báo số 496-TB/TU của Thành ủy", "496-TB/TU"),
        ("Thuc hien Chi thi 20-CT/TW cua Ban Bi thu", "20-CT/TW"),
        ("Ke hoach KH-UBND cua huyen", "KH-UBND"),
        ("Cong van 12/HU-BTG ngay 3/4/2020", "12/HU-BTG"),
    ],
)
def test_codes_survive_restoration(text: str, kept: str) -> None:
    from diacritics import restore

    assert kept in restore(text)


def test_a_party_code_gets_its_bar_in_stripped_text() -> None:
    from diacritics import restore

    assert "05-NQ/ĐU" in restore("Thuc hien Nghi quyet so 05-NQ/DU ngay 3/4/2020 cua Dang uy xa")


def test_a_heading_with_a_hyphen_is_still_restored() -> None:
    from diacritics import restore

    assert restore("PHAT TRIEN KINH TE-XA HOI") == "PHÁT TRIỂN KINH TẾ-XÃ HỘI"


def test_party_codes_with_a_vowel_take_a_bar_only_inside_codes() -> None:
    table = AbbreviationTable.load()
    assert table.best("DU", 0.9, in_code=True) is not None
    assert table.best("DU", 0.9) is None
    assert table.count("ĐU") >= 1 and table.count("TU") >= 1
