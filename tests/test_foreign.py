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
    assert mask == [False, False, False, True, True, True, True, True]


def test_passage_not_widened_across_a_break() -> None:
    words = ["cong", "tac", "the", "decision", "of", "law", "for"]
    breaks = [False, False, False, True, False, False, False]  # a line break before "decision"
    assert toy_model().english_mask(words, breaks) == [False, False, False, True, True, True, True]
    assert toy_model().english_mask(words)[2]


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
    """The 2021 plan as Tesseract's English model read it (mangled Vietnamese: ``Pang``, ``nim``, ``t6
    chirc``), and its hand transcription: never English."""
    from diacritics.passages import english_passages
    from diacritics.restorer import Restorer
    from diacritics.tokens import tokenize

    restorer = Restorer.default()
    for name in ("samples/text/district-2021.eng-ocr.txt", "tests/data/district-2021.gt.txt"):
        text = (ROOT / name).read_text(encoding="utf-8")
        tokenised = [tokenize(line) for line in text.split("\n")]
        assert english_passages(restorer.english, tokenised) == set(), name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # stripped Vietnamese words inside or next to a passage are restored; names in it are not
        (
            "Key English Test (KET) va Preliminary English Test (PET) tai Ha Noi",
            "Key English Test (KET) và Preliminary English Test (PET) tại Hà Nội",
        ),
        (
            "GUIDING THE IMPLEMENTATION OF THE LAW ON LAND\nthong tin ve dat dai",
            "GUIDING THE IMPLEMENTATION OF THE LAW ON LAND\nthông tin về đất đai",
        ),
        (
            "Thong tu huong dan\nGUIDING THE IMPLEMENTATION OF THE LAW",
            "Thông tư hướng dẫn\nGUIDING THE IMPLEMENTATION OF THE LAW",
        ),
        (
            "The Ministry of Finance and Mr Thy shall guide the implementation of this Circular.",
            "The Ministry of Finance and Mr Thy shall guide the implementation of this Circular.",
        ),
        # glued OCR tokens after a passage are mangled syllables, not part of it
        (
            "This Plan takes effect from the date of signing; d6i v6i c4c x4 trén dja ban",
            "This Plan takes effect from the date of signing; đối với các xã trên địa bàn",
        ),
        # an OCR slip inside a passage is still mended into an English word
        (
            "PROVIDING GUIDELINES FOR IMPLEMENTATION OE DECREE NO. 12",
            "PROVIDING GUIDELINES FOR IMPLEMENTATION OF DECREE NO. 12",
        ),
    ],
)
def test_passage_edges(text: str, expected: str) -> None:
    from diacritics import restore

    assert restore(text) == expected


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
    text = "He said that the law in force on the date of signing applies."
    assert base.restore_text(text) == text
    assert off.restore_text(text) != text  # without the passage model "He" is read as "Hệ"


def test_signer_name_under_an_english_title_is_kept() -> None:
    from diacritics import restore

    signed = "This Resolution was passed on July 28, 2021.\nCHAIRMAN\nVuong Dinh Hue"
    assert restore(signed) == signed
    # the lines after the name are no names; the same name under a Vietnamese title is restored; a title-case
    # line under a long English title is a heading, not a name; a line with a number is no name
    assert restore(signed + "\nNoi Nhan\nBo Tai Chinh").endswith("Vuong Dinh Hue\nNơi Nhận\nBộ Tài Chính")
    assert restore("CHU TICH\nNguyen Van Hai") == "CHỦ TỊCH\nNguyễn Văn Hải"
    assert restore("GUIDING THE IMPLEMENTATION OF THE LAW\nThong Tu Huong Dan").endswith("Thông Tư Hướng Dẫn")
    assert restore("ON LAND PRICES AND THE LAW\nQuyet Dinh So 12").endswith("Quyết Định Số 12")


def test_signer_name_closing_a_line_after_an_english_title_is_kept() -> None:
    from diacritics import restore

    # a signature block run into one line (the legal-snippets texts have their line breaks folded)
    for signed in (
        "This Resolution was passed on July 28, 2021. CHAIRMAN Vuong Dinh Hue",
        "This Decision takes effect from the date of signing. FOR THE PRIME MINISTER DEPUTY PRIME MINISTER"
        " Truong Hoa Binh",
    ):
        assert restore(signed) == signed
    # a Vietnamese title in capitals is no English passage: its name is restored; nor is a name that does not
    # close its line, nor one after a title that follows no sentence end
    assert restore("Ông An, Chủ tịch UBND xã. KT CHU TICH Nguyen Van Binh").endswith(
        "KT CHỦ TỊCH Nguyễn Văn Bình"
    )
    assert restore("This Resolution was passed. CHAIRMAN Vuong Dinh Hue ky").endswith("Vương Đình Huệ ký")
    assert restore("This Resolution was passed on July 28, 2021 by the CHAIRMAN Vuong Dinh Hue").endswith(
        "CHAIRMAN Vương Đình Huệ"
    )


def test_explain_gives_the_passage_reason() -> None:
    from diacritics import restore_explained

    result = restore_explained("This decision shall be in force on the date of signing.", explain=True)
    assert {t.reason for t in result.tokens} == {"kept: English passage"}


def test_the_two_letter_case_pass_takes_no_neighbour_across_an_english_passage() -> None:
    # "BO" after an English title in capitals: its left neighbour is the passage's word, not "theo" before it
    from diacritics.restorer import Restorer

    restorer = Restorer.default()
    text = (
        "Can cir Nghi dinh s6 15/2021/ND-CP cia Chinh phi vé quan ly du an dau tu xay dung;\n"
        "Thuc hién cac hoat dong truyén thong vé bao vé, chim séc tré em trén dja ban huyén,\n"
        "ban hanh kém theo DECREE ON THE MANAGEMENT OF CONSTRUCTION INVESTMENT PROJECTS BO\n"
        "hudng dan cac x4, thi tran to chirc kién toan, cung cd hé thong nhan vién."
    )
    line = restorer.restore_text(text).split("\n")[2]
    assert line.endswith("DECREE ON THE MANAGEMENT OF CONSTRUCTION INVESTMENT PROJECTS BỘ"), line
