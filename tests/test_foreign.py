"""English passages (diacritics.foreign): word classes, the two-state model, and the restorer's use of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from diacritics.foreign import ENGLISH_WORDS_FILE, EnglishPassageModel, load_english_words
from ocr_pipeline.exceptions import DataError

ROOT = Path(__file__).resolve().parents[1]

#: A toy lexicon and syllable-key set: the model's logic without the shipped data.
ENGLISH = frozenset(
    [
        "the",
        "of",
        "and",
        "in",
        "to",
        "shall",
        "be",
        "law",
        "this",
        "that",
        "for",
        "on",
        "decision",
        "committee",
        "province",
        "force",
    ]
)
VIETNAMESE_KEYS = frozenset(
    [
        "the",
        "in",
        "to",
        "be",
        "cong",
        "tac",
        "bao",
        "ve",
        "tre",
        "em",
        "nam",
        "ke",
        "hoach",
        "nay",
        "co",
        "hieu",
        "luc",
    ]
)


def toy_model() -> EnglishPassageModel:
    return EnglishPassageModel(ENGLISH, VIETNAMESE_KEYS.__contains__)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("and", "english"),
        ("Decision", "english"),
        ("the", "shared"),
        ("THE", "shared"),
        ("cong", "vietnamese"),
        ("người", "marked"),
        ("hién", "marked"),
        ("Xyzzy", "unknown"),
    ],
)
def test_word_class(word: str, expected: str) -> None:
    assert toy_model().word_class(word) == expected


def test_english_sentence_is_one_passage() -> None:
    words = ["this", "decision", "shall", "be", "in", "force", "on", "the"]
    assert toy_model().english_mask(words) == [True] * len(words)


def test_stripped_vietnamese_has_no_passage() -> None:
    words = ["cong", "tac", "bao", "ve", "tre", "em", "nam"]
    assert toy_model().english_mask(words) == [False] * len(words)


def test_two_english_words_are_not_enough() -> None:
    # lone English-looking words inside Vietnamese (mangled OCR such as "pang") never make a passage
    words = ["cong", "tac", "and", "of", "bao", "ve", "tre", "em"]
    assert not any(toy_model().english_mask(words))


def test_passage_boundaries_in_mixed_text() -> None:
    words = ["ke", "hoach", "nay", "co", "hieu", "luc", "this", "decision", "shall", "be", "in", "force"]
    mask = toy_model().english_mask(words)
    assert mask == [False] * 6 + [True] * 6


def test_passage_widened_over_one_shared_word() -> None:
    # "the" is as likely Vietnamese as English: it joins the passage it touches, one word each side only
    words = ["cong", "tac", "be", "the", "decision", "of", "law", "for"]
    mask = toy_model().english_mask(words)
    assert mask[3:] == [True] * 5
    assert mask[:2] == [False, False]


def test_empty_input() -> None:
    assert toy_model().english_mask([]) == []


def test_missing_word_list_raises(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=ENGLISH_WORDS_FILE):
        load_english_words(tmp_path)


def test_empty_word_list_raises(tmp_path: Path) -> None:
    (tmp_path / ENGLISH_WORDS_FILE).write_text("\n", encoding="utf-8")
    with pytest.raises(DataError, match="empty"):
        load_english_words(tmp_path)


def test_shipped_word_list() -> None:
    words = load_english_words()
    assert len(words) == 20_000
    assert {"the", "of", "shall", "implementation"} <= words
    assert all(w.isascii() and w.isalpha() and w.islower() for w in words)


def test_real_english_model_ocr_has_no_passage() -> None:
    """The 2021 plan as Tesseract's English model read it: mangled Vietnamese, never English."""
    from diacritics.restorer import Restorer
    from diacritics.tokens import tokenize

    restorer = Restorer.default()
    text = (ROOT / "tests" / "data" / "district-2021.gt.txt").read_text(encoding="utf-8")
    ocr_like = "Thuc hién cac hoat dong truyén thong vé quyén tré em nim 2021, Pang uy, t6 chirc"
    for sample in (ocr_like, text):
        tokenised = [tokenize(line) for line in sample.split("\n")]
        assert restorer.english_passages(tokenised) == set()


def test_restorer_keeps_english_passage_and_restores_vietnamese() -> None:
    from diacritics.restorer import Restorer

    restorer = Restorer.default()
    text = "Ke hoach nay co hieu luc tu ngay ky.\nThis Plan takes effect from the date of signing."
    result = restorer.restore(text, explain=True)
    assert result.text.split("\n") == [
        "Kế hoạch này có hiệu lực từ ngày ký.",
        "This Plan takes effect from the date of signing.",
    ]
    reasons = {d.original: d.reason for d in result.decisions if d.line == 2}
    assert reasons["from"] == "kept: English passage"  # an English word: its only reading


def test_switch_off_restores_english_as_before() -> None:
    from dataclasses import replace

    from diacritics.restorer import Restorer

    base = Restorer.default()
    off = base.with_settings(replace(base.settings, english_passages_kept=False))
    from diacritics.tokens import tokenize

    assert off.english_passages([tokenize("This decision shall be in force on the date")]) == set()


def test_signer_name_under_an_english_title_is_kept() -> None:
    from diacritics import restore

    signed = "This Resolution was passed on July 28, 2021.\nCHAIRMAN\nVuong Dinh Hue"
    assert restore(signed) == signed
    # the same name under a Vietnamese title is restored, and a line with a number is no name
    assert restore("CHU TICH\nNguyen Van Hai") == "CHỦ TỊCH\nNguyễn Văn Hải"
    assert restore("ON LAND PRICES AND THE LAW\nQuyet Dinh So 12").endswith("Quyết Định Số 12")
