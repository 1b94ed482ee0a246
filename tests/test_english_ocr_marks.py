"""English-model OCR: a two-letter word's marked vowel flips case, a word-final horn becomes an apostrophe,
``ở`` becomes a digit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from diacritics.ocr_tokens import glue_horn_marks, lone_digits_as_words
from diacritics.restorer import Restorer
from diacritics.tokens import tokenize


def _restored_last_line(text: str) -> str:
    return Restorer.default().restore(text).text.split("\n")[-1]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Quyét dinh cia BO trudng BO Lao déng", "Quyết định của Bộ trưởng Bộ Lao động"),  # ộ read as O
        ("Quyét dinh cia BG trudng BG Lao déng", "Quyết định của Bộ trưởng Bộ Lao động"),  # read as a word
        ("DAT Vi MUC DICH QUOC PHONG", "ĐẤT VÌ MỤC ĐÍCH QUỐC PHÒNG"),  # Ì read as i
        ("CHUONG XI QUY DINH CHUNG", "CHƯƠNG XI QUY ĐỊNH CHUNG"),  # a numeral keeps its case
        ("Tién si Si quan", "Tiến sĩ Sĩ quan"),  # title among title/lower words stays
        ("- Bo LDTBXH (b/c);", "- Bộ LĐTBXH (b/c);"),  # an abbreviation is in capitals on any line...
        ("- Bo HIV;", "- Bộ HIV;"),  # ...as is a word in capitals that is no syllable: no case evidence
    ],
)
def test_two_letter_words_take_their_case_from_the_line_in_english_ocr(
    line: str, expected: str, eng_document: Callable[[str], str]
) -> None:
    restored = Restorer.default().restore(eng_document(line))
    assert restored.regime["eng"] > 0.5
    assert restored.text.split("\n")[-1] == expected


def test_two_letter_words_keep_their_case_outside_english_ocr(correct_document: Callable[[str], str]) -> None:
    assert _restored_last_line(correct_document("Quyết định của BỘ trưởng")) == "Quyết định của BỘ trưởng"


def test_apostrophe_closing_a_word_is_its_horn_in_english_ocr(eng_document: Callable[[str], str]) -> None:
    line = "KE HOACH SU’ DUNG DAT NAM 2021, tu’ van"
    assert _restored_last_line(eng_document(line)) == "KẾ HOẠCH SỬ DỤNG ĐẤT NĂM 2021, tư vấn"


def test_glue_horn_marks_joins_only_an_adjacent_closing_apostrophe() -> None:
    tokens = tokenize("SU’ DUNG ‘trích’ dẫn ’ x")
    glued = [(t.text, t.kind) for t in glue_horn_marks(tokens) if t.kind != "space"]
    assert glued == [
        ("SU’", "other"),
        ("DUNG", "word"),
        ("‘", "punct"),
        ("trích’", "other"),
        ("dẫn", "word"),
        ("’", "punct"),
        ("x", "word"),
    ]


def test_closing_quotes_in_correct_text_stay(correct_document: Callable[[str], str]) -> None:
    line = "Phong trào ‘Nhà nước’ và tư vấn"
    assert _restored_last_line(correct_document(line)) == line


def test_abbreviations_are_not_read_as_shorter_ones(eng_document: Callable[[str], str]) -> None:
    """``KT.`` (ký thay) is kept or read as a syllable, never as the letter ``K`` with an inserted ``T``."""
    restored = Restorer.default().restore(eng_document("KT. CHU TICH"), explain=True)
    assert restored.text.split("\n")[-1].endswith(". CHỦ TỊCH")
    last = max(d.line for d in restored.decisions)
    kt = next(d for d in restored.decisions if d.line == last and d.original == "KT")
    assert all(alternative != "K" for alternative, _ in kt.alternatives)


def test_lone_digits_between_words_become_decodable() -> None:
    tokens = tokenize("sống 6 địa phương, Điều 6. khoản 6/2021 6 và 6 xã 12 người 0")
    kinds = [(t.text, t.kind) for t in lone_digits_as_words(tokens) if t.text.isdigit()]
    # between words, or a word and the line's end: decodable; next to punctuation or longer: a number
    assert [kind for _, kind in kinds] == ["other", "number", "number", "other", "number", "other"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("cac em sinh song 6 dia phuong", "các em sinh sống ở địa phương"),
        ("CO QUAN, TO CHUC 0 CO SO", "CƠ QUAN, TỔ CHỨC Ở CƠ SỞ"),  # capitals from the line
        ("thoi han 6 thang ké tir ngay", "thời hạn 6 tháng kể từ ngày"),  # a number stays
    ],
)
def test_lone_digit_is_read_as_o_with_a_horn_in_english_ocr(
    line: str, expected: str, eng_document: Callable[[str], str]
) -> None:
    assert _restored_last_line(eng_document(line)) == expected


def test_lone_digits_stay_numbers_outside_english_ocr(correct_document: Callable[[str], str]) -> None:
    assert _restored_last_line(correct_document("nhà 6 xã hội")) == "nhà 6 xã hội"


def test_a_lone_digit_kept_as_a_number_says_so_when_explained(eng_document: Callable[[str], str]) -> None:
    restored = Restorer.default().restore(eng_document("thoi han 6 thang ké tir ngay"), explain=True)
    last = max(d.line for d in restored.decisions)
    six = next(d for d in restored.decisions if d.line == last and d.original == "6")
    assert (six.chosen, six.reason) == ("6", "kept: number")
    assert "ở" in [alternative for alternative, _ in six.alternatives]
