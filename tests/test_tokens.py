"""The canonical tokenizer: exact coverage, token kinds, the LM's view of tokens and sentences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diacritics.tokens import EOS, NUM, UNK, lm_sentences, lm_token, tokenize


def kinds(line: str) -> list[tuple[str, str]]:
    return [(t.text, t.kind) for t in tokenize(line) if t.kind != "space"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Người", "word"),
        ("K'Nơ", "word"),
        ("R’Lấp", "word"),
        ("2021", "number"),
        ("1,0%", "number"),
        ("10/03/2021", "number"),
        ("2021-2025", "number"),
        ("10:30", "number"),
        ("28/KH-UBND", "number"),
        ("45/2019/QH14", "number"),
        ("14/2021/QĐ-TTg", "number"),
        ("b1", "other"),
        ("t6", "other"),
        ("val00%", "other"),
        ("S&", "other"),
        ("x4", "other"),
        ("1¢", "other"),
        ("v¢", "other"),
        ("H5N1", "other"),
        ("1.000.000đ", "other"),
    ],
)
def test_single_token_kinds(text: str, kind: str) -> None:
    assert kinds(text) == [(text, kind)]


def test_a_real_ocr_line() -> None:
    line = "Cin cir Ké hoach sb 28/KH-SLDTBXH ngay 10/03/2021 cia S& Lao (2021-2025)..."
    assert kinds(line) == [
        ("Cin", "word"),
        ("cir", "word"),
        ("Ké", "word"),
        ("hoach", "word"),
        ("sb", "word"),
        ("28/KH-SLDTBXH", "number"),
        ("ngay", "word"),
        ("10/03/2021", "number"),
        ("cia", "word"),
        ("S&", "other"),
        ("Lao", "word"),
        ("(", "punct"),
        ("2021-2025", "number"),
        (")", "punct"),
        ("...", "punct"),
    ]


def test_hyphen_and_slash_split_words() -> None:
    assert kinds("KH-UBND xã/thị COVID-19") == [
        ("KH", "word"),
        ("-", "punct"),
        ("UBND", "word"),
        ("xã", "word"),
        ("/", "punct"),
        ("thị", "word"),
        ("COVID", "word"),
        ("-", "punct"),
        ("19", "number"),
    ]


@given(st.text())
def test_tokens_cover_any_line_exactly(line: str) -> None:
    tokens = tokenize(line)
    assert "".join(t.text for t in tokens) == line
    for tok in tokens:
        assert line[tok.start : tok.end] == tok.text
        assert tok.text
        lm_token(tok.text, tok.kind)


def test_lm_token() -> None:
    assert lm_token("Hoà") == "hòa"
    assert lm_token("UBND") == "ubnd"
    assert lm_token("2021", "number") == NUM
    assert lm_token("28/KH-UBND") == NUM
    assert lm_token(".") == EOS
    assert lm_token(";") == EOS
    assert lm_token("...") == "…"
    assert lm_token("“") == lm_token("”") == lm_token('"') == '"'
    assert lm_token("–") == "-"
    assert lm_token("[") == "("
    assert lm_token("##") == ""
    assert lm_token("**") == ""
    assert lm_token(" ", "space") == ""
    assert lm_token("xyzzy", vocab={"hòa"}) == UNK


def test_sentences_flow_across_line_breaks_and_end_at_sentence_punctuation() -> None:
    text = "## KẾ HOẠCH\nThực hiện kế hoạch số 28/KH-UBND ngày\n10/03/2021 “về việc” bảo vệ; trẻ em. Hết"
    assert lm_sentences(text) == [
        [
            "kế",
            "hoạch",
            "thực",
            "hiện",
            "kế",
            "hoạch",
            "số",
            NUM,
            "ngày",
            NUM,
            '"',
            "về",
            "việc",
            '"',
            "bảo",
            "vệ",
        ],
        ["trẻ", "em"],
        ["hết"],
    ]
