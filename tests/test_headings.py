"""Repair of OCR-slipped Roman heading labels."""

from __future__ import annotations

import pytest

from diacritics.headings import find_label_repairs
from vntext.roman import int_to_roman, roman_to_int


def repair_roman_labels(lines: list[str]) -> list[str]:
    """The lines with the repairs :func:`find_label_repairs` finds applied."""
    out = list(lines)
    for repair in find_label_repairs(lines):
        line = out[repair.line]
        out[repair.line] = line[: repair.start] + repair.label + line[repair.end :]
    return out


@pytest.mark.parametrize("value", range(1, 120))
def test_roman_round_trip(value: int) -> None:
    assert roman_to_int(int_to_roman(value)) == value


@pytest.mark.parametrize("bad", ["", "IIII", "VV", "IC", "ABC", "IIV"])
def test_malformed_roman(bad: str) -> None:
    assert roman_to_int(bad) is None


def test_english_model_slips_in_sequence() -> None:
    lines = [
        "I. MUC PIiCH, YEU CAU",
        "1. Trién khai déng b0",
        "11. NOI DUNG HOAT PONG",
        "I11. KINH PHI THU'C HIEN",
        "IV. GIAI PHAP CHU YEU",
        "VI. TO CHUC THU'C HIEN",
        "VIl. CHE PQ BAO CAO",
    ]
    out = repair_roman_labels(lines)
    assert [line.split(" ")[0] for line in out] == ["I.", "1.", "II.", "III.", "IV.", "VI.", "VII."]
    assert out[2].endswith("NOI DUNG HOAT PONG")


def test_arabic_eleven_in_a_list_is_kept() -> None:
    lines = ["II. MỤC TIÊU CỤ THỂ", "10. Phấn đấu 70% trẻ em", "11. Duy trì hệ thống cơ sở dữ liệu"]
    assert repair_roman_labels(lines) == lines


def test_digits_out_of_sequence_are_kept() -> None:
    lines = ["I. MỤC ĐÍCH", "111. NỘI DUNG"]  # III after I: one skipped number is tolerated
    assert repair_roman_labels(lines)[1].startswith("III.")
    far = ["I. MỤC ĐÍCH", "11. NỘI DUNG", "11. LẠI"]
    assert repair_roman_labels(far)[2] == "11. LẠI"
    assert repair_roman_labels(["1. MỤC TIÊU CHUNG"]) == ["1. MỤC TIÊU CHUNG"]


def test_lowercase_text_is_never_touched() -> None:
    lines = ["Il. nội dung", "l1 khác"]
    assert repair_roman_labels(lines) == lines


def test_strokes_read_as_h_in_sequence() -> None:
    lines = [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Mục đích",
        "IH. NỘI DUNG HOẠT ĐỘNG",
        "HI. TỔ CHỨC THỰC HIỆN",
        "HI. KINH PHÍ",  # IV would be next: no reading of HI continues the sequence
        "HI VỌNG MỚI CỦA NĂM",  # no full stop: a word, not a label
    ]
    out = repair_roman_labels(lines)
    assert [line.split(" ")[0] for line in out] == ["I.", "1.", "II.", "III.", "HI.", "HI"]
    assert out[3] == "III. TỔ CHỨC THỰC HIỆN"
