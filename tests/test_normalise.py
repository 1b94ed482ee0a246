"""Normalisation: both tone conventions in, the modern one out; look-alikes; case; property tests."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diacritics.normalise import (
    Tone,
    apply_case,
    case_pattern,
    nfc,
    normalise_syllable,
    normalise_text,
    split_tone,
    strip_diacritics,
    tone_of,
    with_tone,
)

VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
VIETNAMESE_ALPHABET = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " ,.;:-\n"


@pytest.mark.parametrize(
    ("old", "modern"),
    [
        ("hoà", "hòa"),
        ("hoá", "hóa"),
        ("khoẻ", "khỏe"),
        ("thuỷ", "thủy"),
        ("uỷ", "ủy"),
        ("Uỷ", "Ủy"),
        ("UỶ", "ỦY"),
        ("qúy", "quý"),
        ("gìa", "già"),
        ("ngừơi", "người"),
        ("ngoaì", "ngoài"),
        ("hoàng", "hoàng"),
        ("thuyết", "thuyết"),
        ("khuếch", "khuếch"),
        ("thuở", "thuở"),
        ("hoạch", "hoạch"),
        ("xoáy", "xoáy"),
        ("khuỷu", "khuỷu"),
        ("giữa", "giữa"),
        ("gìn", "gìn"),
    ],
)
def test_tone_placement_both_conventions_in_modern_out(old: str, modern: str) -> None:
    assert normalise_syllable(old) == modern
    assert normalise_syllable(modern) == modern


def test_normalise_text_per_word_keeps_case_and_the_rest() -> None:
    text = "Ủy ban nhân dân xã Hoà Bình, UỶ BAN; thuỷ lợi (khoẻ) 28/KH-UBND\nsức khoẻ."
    assert (
        normalise_text(text) == "Ủy ban nhân dân xã Hòa Bình, ỦY BAN; thủy lợi (khỏe) 28/KH-UBND\nsức khỏe."
    )


@pytest.mark.parametrize("word", ["café", "Australia", "naïve", "hoàà", "xyz", "ñandú"])
def test_non_syllables_are_left_alone(word: str) -> None:
    assert normalise_syllable(word) == unicodedata.normalize("NFC", word)


def test_d_lookalikes_and_decomposed_input() -> None:
    assert nfc("\u00d0à Nẵng") == "Đà Nẵng"
    assert nfc("\u00f0ường") == "đường"
    assert nfc("\u0189") == "Đ"
    assert nfc("d\u0335a") == "đa"
    assert nfc(unicodedata.normalize("NFD", "Người Việt")) == "Người Việt"
    assert nfc("a\u0341") == "á"  # legacy combining acute tone mark
    assert normalise_text("ho\u0061\u0300") == "hòa"


def test_strip_diacritics() -> None:
    assert strip_diacritics("Đường Hồ Chí Minh") == "Duong Ho Chi Minh"
    assert strip_diacritics("ỦY BAN NHÂN DÂN") == "UY BAN NHAN DAN"
    assert strip_diacritics("Ðà") == "Da"
    assert strip_diacritics("abc 123") == "abc 123"


def test_tones() -> None:
    assert split_tone("người") == ("ngươi", Tone.HUYEN)
    assert split_tone("Quý") == ("Quy", Tone.SAC)
    assert tone_of("ạ") is Tone.NANG
    assert tone_of("xã") is Tone.NGA
    assert tone_of("của") is Tone.HOI
    assert tone_of("dân") is Tone.NGANG
    assert with_tone("hoa", Tone.HUYEN) == "hòa"
    assert with_tone("thuyêt", Tone.SAC) == "thuyết"
    assert with_tone("HOA", Tone.SAC) == "HÓA"
    assert with_tone("cafe", Tone.SAC) is None


def test_case_pattern_and_apply_case() -> None:
    assert case_pattern("UBND") == "upper"
    assert case_pattern("ĐÀ") == "upper"
    assert case_pattern("Đà") == "title"
    assert case_pattern("đà") == "lower"
    assert case_pattern("S&") == "title"
    assert case_pattern("hOa") == "mixed"
    assert case_pattern("123") == "lower"
    assert apply_case("upper", "đường") == "ĐƯỜNG"
    assert apply_case("title", "đường") == "Đường"
    assert apply_case("lower", "ĐƯỜNG") == "đường"
    assert apply_case("mixed", "của", "CiA") == "CủA"
    assert apply_case("mixed", "điều", "PIiCH") == "ĐIỀU"  # lengths differ: majority upper
    assert apply_case("mixed", "điều", "pIi") == "điều"


@given(st.text())
def test_arbitrary_unicode_never_crashes_and_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert once.count("\n") == nfc(text).count("\n")
    strip_diacritics(text)
    case_pattern(text)
    split_tone(text)


MARKS = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b\u0335\u0340\u0341"
MESSY = st.text(alphabet=VIETNAMESE_ALPHABET + MARKS + "dDÐð\u0189'’&¢1")


@given(MESSY)
def test_messy_combining_sequences_normalise_idempotently(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert nfc(once) == once
    assert strip_diacritics(strip_diacritics(text)) == strip_diacritics(text)


@given(st.text(alphabet=VIETNAMESE_ALPHABET))
def test_vietnamese_text_properties(text: str) -> None:
    out = normalise_text(text)
    assert len(out) == len(text)  # tone moves never change the length
    assert strip_diacritics(out) == strip_diacritics(text)
    assert strip_diacritics(out).isascii()
    assert [case_pattern(w) for w in out.split()] == [case_pattern(w) for w in text.split()]


@given(st.sampled_from(sorted(VIETNAMESE_LETTERS)), st.sampled_from(list(Tone)))
def test_split_and_place_round_trip_on_single_vowels(letter: str, tone: Tone) -> None:
    base, _ = split_tone(letter)
    placed = with_tone(base, tone) if base in "aăâeêioôơuưy" else None
    if placed is not None:
        assert split_tone(placed) == (base, tone)


def test_fold_char_is_strip_diacritics_letter_by_letter() -> None:
    from diacritics.normalise import fold_char, skeleton

    for letter in "aàáảãạăằắẳẵặâầấẩẫậđeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ":
        for form in (letter, letter.upper()):
            assert fold_char(form) == strip_diacritics(form).lower()
    assert fold_char("\u0301") == "\u0301"  # a lone mark is kept: a text folds character for character
    assert skeleton("Đoàn THỂ") == "doan the"
    assert len(skeleton("m\u0300")) == 2
