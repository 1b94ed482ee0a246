"""Numbering markers: one test per numbering scheme and per OCR slip."""

from __future__ import annotations

import pytest

from ocr_pipeline.structure.numbering import (
    Expectation,
    best_marker,
    is_upper_heading,
    letter_index,
    repair_roman,
)
from vntext.fold import fold_upper as fold
from vntext.roman import int_to_roman, roman_to_int


def ctx(after_break: bool = True, prev_unfinished: bool = False, **last: tuple[int, ...]) -> Expectation:
    return Expectation(last=dict(last), after_break=after_break, prev_unfinished=prev_unfinished)


def marker(line: str, context: Expectation | None = None) -> tuple[str, str] | None:
    found = best_marker(line, context or ctx())
    return (found.kind, found.label) if found else None


# --------------------------------------------------------------------------------------------- schemes


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("I. MỤC ĐÍCH, YÊU CẦU", ("roman", "I")),
        ("I. Mục đích, yêu cầu", ("roman", "I")),
        ("1. Mục đích", ("number", "1")),
        ("1) Mục đích", ("number", "1")),
        ("a) Xây dựng kế hoạch năm;", ("letter", "a")),
        ("Điều 1. Phạm vi điều chỉnh", ("article", "1")),
        ("Chương I", ("chapter", "I")),
        ("CHƯƠNG I. QUY ĐỊNH CHUNG", ("chapter", "I")),
        ("Mục 1", ("section", "1")),
        ("Phần I. TÌNH HÌNH CHUNG", ("part", "I")),
        ("PHẦN THỨ NHẤT", ("part", "thứ nhất")),
        ("A. KẾT QUẢ THỰC HIỆN NĂM 2023", ("part", "A")),
        ("- Tăng cường sự quan tâm", ("bullet", "-")),
        ("+ Củng cố, kiện toàn", ("bullet", "+")),
        ("– Tăng cường (en dash)", ("bullet", "-")),
        ("• Tăng cường", ("bullet", "-")),
        ("-MTTQ, các ban ngành, đoàn thể xã (p/h);", ("bullet", "-")),
    ],
)
def test_first_marker_of_each_scheme(line: str, expected: tuple[str, str]) -> None:
    assert marker(line) == expected


def test_decimal_under_its_number() -> None:
    assert marker("1.2. Tồn tại, hạn chế", ctx(number=(1,), decimal=(1, 1))) == ("decimal", "1.2")
    assert marker("2.3.1 Kết quả đạt được", ctx(number=(2,), decimal=(2, 3))) == ("decimal", "2.3.1")


def test_letters_follow_vietnamese_order() -> None:
    assert [letter_index(c) for c in "abcdđeghik"] == list(range(1, 11))
    assert marker("đ) Thực hiện nhiệm vụ khác.", ctx(letter=(4,))) == ("letter", "đ")
    assert marker("e) Báo cáo định kỳ.", ctx(letter=(5,))) == ("letter", "e")
    assert marker("g) Nhiệm vụ khác.", ctx(letter=(6,))) == ("letter", "g")


@pytest.mark.parametrize(
    "line",
    [
        "2023 với chủ đề “Chung tay bảo vệ trẻ em”",
        "100% trẻ em có hoàn cảnh đặc biệt",
        "1.000 người tham dự",
        "-19 luôn có nguy cơ bùng phát",
        "Điều 5 của Luật Trẻ em quy định",
        "CT, các PCT UBND huyện;",
        "VIỆT NAM",
        "trẻ em bị xâm hại.",
    ],
)
def test_running_text_is_not_a_marker(line: str) -> None:
    assert marker(line, ctx(after_break=False, number=(3,))) is None


# --------------------------------------------------------------------------------------------- OCR slips


@pytest.mark.parametrize(
    ("line", "last_roman", "expected"),
    [
        ("11. NOI DUNG HOAT DONG", 1, "II"),
        ("I1. NỘI DUNG HOẠT ĐỘNG", 1, "II"),
        ("Il. NỘI DUNG HOẠT ĐỘNG", 1, "II"),
        ("I11. KINH PHI THUC HIEN", 2, "III"),
        ("111. KINH PHÍ THỰC HIỆN", 2, "III"),
        ("1V. GIẢI PHÁP CHỦ YẾU", 3, "IV"),
        ("V1. TỔ CHỨC THỰC HIỆN", 5, "VI"),
        ("VIl. CHE DO BAO CAO", 6, "VII"),
        ("VIl. CHE DO BAO CAO", 5, "VII"),  # V skipped in the source (IV -> VI -> VII) still repairs
        ("|I. NỘI DUNG", 1, "II"),
        ("HI. NHIỆM VỤ, GIẢI PHÁP", 2, "III"),  # "II" run together reads as H
        ("H. MỤC TIÊU", 1, "II"),
        ("I. MỤC TIÊU, CHỈ TIÊU", 1, "II"),  # a second "I." under the same parent: a stroke was lost
    ],
)
def test_roman_slips_repaired_in_context(line: str, last_roman: int, expected: str) -> None:
    found = best_marker(line, ctx(roman=(last_roman,)))
    assert found is not None and found.kind == "roman" and found.label == expected
    assert found.repaired


def test_a_repeated_numeral_other_than_i_is_kept_as_printed() -> None:
    found = best_marker("V. CHẾ ĐỘ BÁO CÁO", ctx(roman=(5,)))
    assert found is not None and (found.label, found.repaired) == ("V", False)


def test_first_roman_heading_is_not_repaired() -> None:
    found = best_marker("I. MỤC ĐÍCH, YÊU CẦU", ctx())
    assert found is not None and (found.label, found.repaired) == ("I", False)


@pytest.mark.parametrize(
    ("line", "rest"),
    [
        ("4.-Tố chức Tháng hành động", "Tố chức Tháng hành động"),
        ("4.. Tăng cường kiểm tra", "Tăng cường kiểm tra"),
    ],
)
def test_stray_punctuation_after_the_label_is_not_text(line: str, rest: str) -> None:
    found = best_marker(line, ctx(number=(3,)))
    assert found is not None and (found.label, found.rest) == ("4", rest)


def test_eleven_stays_arabic_when_the_numbers_expect_eleven() -> None:
    assert marker("11. Duy trì hệ thống cơ sở dữ liệu", ctx(roman=(2,), number=(10,))) == ("number", "11")


def test_digits_are_not_roman_without_an_upper_case_heading() -> None:
    assert marker("11. Nội dung hoạt động", ctx(roman=(1,), number=(10,))) == ("number", "11")


def test_digit_slip_far_from_the_expected_numeral_is_rejected() -> None:
    assert marker("111. KINH PHÍ", ctx(roman=(7,))) is None


@pytest.mark.parametrize(
    ("line", "context", "expected"),
    [
        ("II MỤC TIÊU, CHỈ TIÊU", ctx(roman=(1,)), ("roman", "II")),  # missing dot
        ("IV TO CHUC THUC HIEN", ctx(roman=(3,)), ("roman", "IV")),
        ("2 Yêu cầu", ctx(number=(1,)), ("number", "2")),
        ("VI. TỔ CHỨC THỰC HIỆN", ctx(roman=(4,)), ("roman", "VI")),  # skipped V
        ("V. CHẾ ĐỘ BÁO CÁO", ctx(roman=(5,)), ("roman", "V")),  # printed twice
        ("1. Phòng Tư pháp", ctx(number=(7,)), ("number", "1")),  # numbering restarts
        ("1 100% trẻ em có hoàn cảnh đặc biệt", ctx(roman=(2,)), ("number", "1")),  # a target, dot lost
        ("3 80% cán bộ cấp xã", ctx(number=(2,)), ("number", "3")),
    ],
)
def test_missing_dot_skip_and_restart(line: str, context: Expectation, expected: tuple[str, str]) -> None:
    assert marker(line, context) == expected


def test_missing_dot_needs_the_expected_number() -> None:
    assert marker("6 thôn tham gia tuyên truyền", ctx(number=(1,), after_break=False)) is None
    assert marker("5 100% kinh phí", ctx(number=(1,))) is None  # a percentage, but not the next number


def test_wrapped_line_starting_with_a_number_is_a_continuation() -> None:
    # "... trẻ em dưới" / "6. tuổi" is not item 6 when item 2 is expected and the sentence is unfinished
    assert (
        marker("6. Tổ chức các hoạt động", ctx(after_break=False, prev_unfinished=True, number=(1,))) is None
    )


def test_lowercase_i_is_a_letter_not_roman() -> None:
    assert marker("i) Tham mưu cho UBND xã.", ctx(letter=(8,))) == ("letter", "i")
    assert marker("i) Tham mưu cho UBND xã.", ctx()) != ("roman", "I")


def test_d_then_d_is_d_with_bar() -> None:
    found = best_marker("d) Thực hiện các nhiệm vụ khác.", ctx(letter=(4,)))
    assert found is not None and found.label == "đ" and found.value == (5,) and found.repaired


# --------------------------------------------------------------------------------------------- helpers


def test_roman_round_trip_and_repair() -> None:
    for value in range(1, 60):
        assert roman_to_int(int_to_roman(value)) == value
    assert roman_to_int("IIII") is None
    assert repair_roman("I11") == "III"
    assert repair_roman("VIl") == "VII"
    assert repair_roman("ABC") is None


def test_fold_keeps_length_and_strips_marks() -> None:
    text = "Độc lập - Tự do - Hạnh phúc"
    assert fold(text) == "DOC LAP - TU DO - HANH PHUC"
    assert len(fold(text)) == len(text)


def test_upper_heading() -> None:
    assert is_upper_heading("MỤC ĐÍCH, YÊU CẦU")
    assert not is_upper_heading("Mục đích")
    assert not is_upper_heading("I.")
