"""Segmentation of legacy layers (diacritics.segment): words split or glued across a space."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from diacritics import adapt
from diacritics.adapt import rewrites
from diacritics.decoder import Candidate, DecoderWeights, Position
from diacritics.lattice import TokenSlot
from diacritics.segment import Arc, best_path, join_runs
from diacritics.tokens import Token, tokenize

#: A scanner-like layer: marks dropped, digits for vowels, a word split (``hi en``) and two glued
#: (``h9csinh``).
LAYER = (
    "Thoc hi en Cong van s6 2114/BGDDT ngay 16/5/2019 cua Bo GD&DT ve viec bao dam trat tu\n"
    "an toan giao thong cho h9c sinh, sinh vien trong dip nghi he va ky thi THPT quoc gia;\n"
    "Hieu truemg cac truemg THPT, truemg true thuOc, cac th8ng tin tuyen truy'en tai nan\n"
    "giao thong duemg bo, truemg hop h9csinh vi pham; cac truemg tang cuong quan ly h9c sinh\n"
    "va ph6i hop v6i cac co quan; cac truemg bao cao ket qua v6 So truoc ngay 30/6/2019."
)


def _slots(line: str) -> list[TokenSlot | None]:
    out: list[TokenSlot | None] = []
    for tok in tokenize(line):
        if tok.kind == "space":
            continue
        kept = Candidate(0, 0.0, tok.text, "kept")
        out.append(TokenSlot(0, tok, tok.text.lower(), Position((kept,))) if tok.kind == "word" else None)
    return out


def test_runs_join_adjacent_words_of_a_line_only() -> None:
    line = "Thoc hi en THPT, ve Viec"
    runs = join_runs(_slots(line), [line], set())
    assert (0, 2) in runs and (1, 3) in runs and (0, 3) in runs  # Thoc hi, hi en, Thoc hi en
    assert all(end <= 3 for _start, end in runs)  # never into capitals, never across punctuation
    assert (4, 6) not in runs  # a word in title case starts a new word


def test_codes_and_english_are_never_joined() -> None:
    line = "hi en"
    assert join_runs(_slots(line), [line], {(0, 0)}) == []


def test_the_beam_takes_a_join_when_the_language_model_prefers_it() -> None:
    hi, en, hien, other = 5, 6, 7, 8
    positions = [
        Position((Candidate(hi, -1.0, "hi"),)),
        Position((Candidate(en, -1.0, "en"),)),
        Position((Candidate(other, 0.0, "x"),)),
    ]
    join = Arc(0, 2, (hien,), -4.0, candidate=Candidate(hien, -4.0, "hiện"))
    out = {0: [Arc(0, 1, (hi,), -1.0, choice=0), join], 1: [Arc(1, 2, (en,), -1.0, choice=0)]}
    out[2] = [Arc(2, 3, (other,), 0.0, choice=0)]

    def scorer(*preferred: int) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
        def score(w: np.ndarray, v: np.ndarray, u: np.ndarray) -> np.ndarray:
            return np.where(np.isin(w, preferred), -1.0, -6.0)

        return score

    liked = best_path(positions, out, scorer(hien, other), 1, 2, DecoderWeights())
    assert liked[0].candidate is join.candidate
    disliked = best_path(positions, out, scorer(hi, en, other), 1, 2, DecoderWeights())
    assert [a.choice for a in disliked] == [0, 0, 0]


def test_multi_character_substitutions_are_one_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    assert rewrites("tnrong", "truong") == [("nr", "ru")]  # a run of one kind of edit
    assert len(rewrites("sf3", "so")) == 2  # edits of two kinds: two chunks by default
    monkeypatch.setattr(adapt, "MIXED_CHUNKS", True)
    assert rewrites("sf3", "so") == [("f3", "o")]  # around a glyph, edits of any kind together
    # letters only, edits of different kinds stay apart (merged they cost Tesseract fra/deu 5 points)
    assert rewrites("nghiern", "nghiem") == [("r", ""), ("n", "m")]


def test_a_split_and_a_glued_word_are_restored_in_a_legacy_layer() -> None:
    from diacritics import apply_plan, restore_explained

    explained = restore_explained(LAYER, explain=False)
    assert explained.text.startswith("Thực hiện Công văn số 2114/BGDĐT")
    assert "trường hợp học sinh vi phạm" in explained.text
    # words already separate stay so (negatives): no join of two syllables into one
    assert "về việc bảo đảm" in explained.text and "học sinh, sinh viên" in explained.text
    assert apply_plan(LAYER, explained.tokens) == explained.text
    assert any(t.original == "hi en" for t in explained.tokens)


def test_correct_text_with_short_syllables_is_left_alone() -> None:
    from diacritics import restore

    text = "Ông ấy đi về quê ăn Tết, hỏi ý bà và ở lại ít hôm với em út."
    assert restore(text) == text
    assert Token("a", 0, "word").end == 1


def test_a_cut_token_teaches_no_rewrite() -> None:
    from diacritics.adapt import confident_pairs

    cut = Candidate(3, -1.0, "học sinh", "cut in two (h9csinh → học sinh)")
    read = Candidate(4, -1.0, "trường", "channel")
    slots: list[TokenSlot | None] = [
        TokenSlot(0, Token("h9csinh", 0, "other"), "h9csinh", Position((cut,))),
        TokenSlot(0, Token("truemg", 8, "word"), "truemg", Position((read,))),
    ]
    pairs, kept = confident_pairs(slots, [0, 0], [1.0, 1.0])
    assert pairs == [("truemg", "truong")] and kept == []
