"""The engine adaptation (diacritics.adapt): rewrites learned from a document's confident readings."""

from __future__ import annotations

import math

from diacritics.adapt import (
    KEPT_WHEN_EXPLAINED,
    MARKS_DROPPED_LOGPROB,
    adapted_keys,
    foreign_letters,
    learn,
    proposals,
    rewrites,
    unsure,
    widened,
)
from diacritics.decoder import Candidate, Position
from diacritics.lattice import TokenSlot
from diacritics.tokens import Token


def test_rewrites_are_the_chunks_that_differ() -> None:
    assert rewrites("truemg", "truong") == [("em", "on")]
    assert rewrites("h9c", "hoc") == [("9", "o")]
    assert rewrites("hin", "hien") == [("", "e")]


def test_learned_rewrites_outweigh_the_prior_and_unseen_ones() -> None:
    model = learn([("th8ng", "thong"), ("ng8i", "ngoi"), ("s6", "so")], kept=["thong", "ngay"])
    assert model.logprob(("8", "o")) > model.logprob(("6", "o")) > model.logprob(("", "uye"))
    assert all(lp <= 0 for lp in (model.logprob(r) for r in model.counts))


def test_proposals_reach_known_skeletons_only() -> None:
    model = learn([("truemg", "truong"), ("th8ng", "thong")])
    keys = {"truong", "hoc", "thong", "hien"}
    assert set(proposals("truemg", model, keys.__contains__)) >= {"truong"}
    assert "hoc" in proposals("h9c", model, keys.__contains__)  # the generic prior: a digit for a vowel
    assert "hien" in proposals("hin", model, keys.__contains__)  # a dropped vowel
    assert "hien" in proposals("hi'en", model, keys.__contains__)  # a stray mark
    assert proposals("xyzzy", model, keys.__contains__) == {}


def test_a_marked_token_is_read_from_its_letters_at_a_cost() -> None:
    model = learn([("truemg", "truong")])
    keys = {"cac", "viec", "cua", "truong"}
    found = adapted_keys("câc", model, keys.__contains__, None)
    assert found["cac"] == MARKS_DROPPED_LOGPROB
    assert "cua" in adapted_keys("cûa", model, keys.__contains__, None)
    # an unmarked token is read as before: its own rewrites only
    assert adapted_keys("truemg", model, keys.__contains__, None) == proposals(
        "truemg", model, keys.__contains__
    )


def test_foreign_letters_are_those_no_vietnamese_word_has() -> None:
    assert foreign_letters("dî") and foreign_letters("cüa") and foreign_letters("bØ")
    assert not any(foreign_letters(w) for w in ("việc", "Đà", "nàm", "sf3", "trường"))


def test_unsure_words_are_lower_or_mixed_case_known_readings() -> None:
    def slot(text: str, reason: str, n: int = 2) -> TokenSlot:
        cands = tuple(Candidate(k, -1.0, text, reason) for k in range(n))
        return TokenSlot(0, Token(text, 0, "word"), text.lower(), Position(cands))

    slots = [
        slot("trong", "OCR confusion (trong)"),  # unsure: widened
        slot("trong", "OCR confusion (trong)"),  # confident
        slot("Minh", "as written"),  # title case: a name
        slot("truemg", "kept: not a known syllable"),  # kept: the unresolved words' business
        slot("TU", "as written"),  # capitals
        slot("thuc", "code", n=1),  # one reading
        None,
    ]
    assert unsure(slots, [0] * 7, [0.5, 0.9, 0.5, 0.5, 0.5, 0.5, 0.0]) == [0]


def test_a_widened_slot_gets_readings_and_keeping_costs_more() -> None:
    kept = Candidate(1, -5.0, "truemg", "kept: not a known syllable")
    slot = TokenSlot(0, Token("truemg", 0, "word"), "truemg", Position((kept,)))
    position = widened(slot, {"truong": -1.0}, lambda key: [("trường", 0.0), ("trương", 0.0)], lambda s: 7)
    texts = {c.text: c.channel for c in position.candidates}
    assert texts["truemg"] == -5.0 + KEPT_WHEN_EXPLAINED
    assert texts["trường"] > texts["truemg"] and "adapted channel" in position.candidates[1].reason
    assert math.isclose(texts["trường"], texts["trương"])


def test_a_legacy_layer_is_restored_better_with_the_adaptation() -> None:
    from diacritics.pipeline import PASSES, run_passes
    from diacritics.restorer import Restorer
    from diacritics.state import RestoreState

    text = (
        "Thoc hien Cong van s6 2114/BGDDT ngay 16/5/2019 cua Bo GD&DT ve viec bao dam trat tu\n"
        "an toan giao thong cho h9c sinh, sinh vien trong dip nghi he va ky thi THPT quoc gia;\n"
        "Hieu truemg cac truemg THPT, truemg true thuOc, cac th8ng tin tuyen truy'en tai nan\n"
        "giao thong duemg bo, truemg hop h9c sinh vi pham; cac truemg tang cuong quan ly h9c sinh\n"
        "va ph6i hop v6i cac co quan; cac truemg bao cao ket qua v6 So truoc ngay 30/6/2019."
    )
    restorer = Restorer.default()
    without = tuple(p for p in PASSES if p.name != "engine adaptation")
    before = run_passes(restorer, RestoreState(text), without).output
    after = run_passes(restorer, RestoreState(text)).output
    assert before.count("trường") < after.count("trường")
    assert "truemg" not in after
    from diacritics import apply_plan, restore_explained

    explained = restore_explained(text, explain=False)
    assert explained.text == after
    assert apply_plan(text, explained.tokens) == after
    assert any("adapted channel" in t.reason for t in explained.tokens)


def test_correct_text_is_not_adapted() -> None:
    from diacritics import restore

    text = "Các trường học tăng cường tuyên truyền về an toàn giao thông cho học sinh, sinh viên."
    assert restore(text) == text
