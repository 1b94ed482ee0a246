"""The character channel (:mod:`diacritics.char_channel`): emissions learned on crafted pairs, scores equal to
the plain forward algorithm, and the shipped tables' behaviour."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from diacritics.char_channel import CharChannel
from tools.builders.channel_learn import learn_char_channel, skeleton_prior

CRAFTED = Counter(
    {
        ("t6", "tô"): 30,
        ("to", "tô"): 30,
        ("cir", "cư"): 25,
        ("cu", "cư"): 15,
        ("ca", "ca"): 60,
        ("ba", "ba"): 60,
        ("b6", "bô"): 10,
        ("bo", "bô"): 10,
        ("tu", "tu"): 20,
        ("ti", "ti"): 20,
        ("xca", "ca"): 3,
    }
)


PRIOR = skeleton_prior(["to ca ba bo cu tu ti ti tu"], min_count=1)


@pytest.fixture(scope="module")
def crafted() -> CharChannel:
    return CharChannel(learn_char_channel(CRAFTED, "eng", PRIOR, iterations=5))


def test_em_learns_digit_and_split_emissions(crafted: CharChannel) -> None:
    o_hat = {w: crafted.emission("ô", w) for w in ("6", "o", "ô", "0", "")}
    assert sorted(o_hat, key=o_hat.get, reverse=True)[:2] in (["6", "o"], ["o", "6"])
    assert crafted.emission("ư", "ir") > 0.3
    assert crafted.emission("ư", "ir") > 100 * crafted.emission("u", "ir")


def test_crafted_channel_scores_and_skeletons(crafted: CharChannel) -> None:
    assert crafted.logprob("cir", "cư") > crafted.logprob("cir", "ca") + 3
    assert crafted.logprob("t6", "tô") > crafted.logprob("t6", "tu")
    assert crafted.skeleton_keys("t6")[0] == "to"
    assert crafted.skeleton_keys("cir")[0] == "cu"
    assert crafted.skeleton_keys("b6")[0] == "bo"


def test_logprob_is_a_distribution_over_short_strings(crafted: CharChannel) -> None:
    # Summed over every observed string of up to 2 characters (with a small alphabet), P(o | "a") stays < 1.
    alphabet = "ab6ôiru"
    strings = [""] + list(alphabet) + [x + y for x in alphabet for y in alphabet]
    total = sum(math.exp(crafted.logprob(s, "a")) for s in strings)
    assert 0.5 < total <= 1.0


@pytest.fixture(scope="module")
def eng() -> CharChannel:
    return CharChannel.load("eng")


@pytest.fixture(scope="module")
def vie() -> CharChannel:
    return CharChannel.load("vie")


def _best(channel: CharChannel, observed: str, candidates: list[str]) -> str:
    return max(candidates, key=lambda c: channel.logprob(observed, c))


@pytest.mark.parametrize(
    ("observed", "intended", "others"),
    [
        ("chirc", "chức", ["chúc", "chục", "chắc", "chi"]),
        ("t6", "tổ", ["tế", "tu", "ta", "thi"]),
        ("cia", "của", ["cái", "cả", "ca"]),
        # The channel alone cannot prefer "người" over "nguôi" for "nguoi" (the English model drops every mark
        # alike): that is the LM's job. It must prefer readings whose letters match over ones that need edits.
        ("nguoi", "người", ["ngồi", "nguy", "ngoài"]),
        ("dong", "đông", ["dung", "đang", "đồng ý"]),
        ("1", "1", ["l", "i"]),
    ],
)
def test_shipped_eng_channel_ranks_the_intended_form(
    eng: CharChannel, observed: str, intended: str, others: list[str]
) -> None:
    assert _best(eng, observed, [intended, *others]) == intended


def test_shipped_vie_channel_prefers_identity_but_allows_tone_slips(vie: CharChannel) -> None:
    assert _best(vie, "tổ", ["tổ", "tố", "tô"]) == "tổ"
    assert vie.logprob("tố", "tổ") > vie.logprob("tố", "ta")
    assert vie.skeleton_keys("chức")[0] == "chuc"


def test_shipped_channels_differ_by_engine(eng: CharChannel, vie: CharChannel) -> None:
    # The English model strips accents, the Vietnamese one keeps them.
    assert eng.logprob("cong", "công") > vie.logprob("cong", "công")
    assert vie.logprob("công", "công") > eng.logprob("công", "công")


def _forward_one_by_one(channel: CharChannel, obs: str, ref: str) -> float:
    """The forward algorithm written out plainly: P(obs | ref) over every alignment (the reference)."""
    m = len(obs)
    stop = 1.0 - channel._p_ins
    ins = [channel._p_ins * channel.insertion(ch) for ch in obs]
    col = [1.0] + [0.0] * m
    for j in range(m):
        col[j + 1] += col[j] * ins[j]
    for c in ref:
        nxt = [0.0] * (m + 1)
        for j in range(m + 1):
            for k in range(min(3, m - j) + 1):
                nxt[j + k] += col[j] * stop * channel.emission(c, obs[j : j + k])
        for j in range(m):
            nxt[j + 1] += nxt[j] * ins[j]
        col = nxt
    return col[m] * stop


@pytest.mark.parametrize(
    ("observed", "readings"),
    [
        ("t6", ["tô", "tu", "to", "", "tổ chức"]),
        ("cir", ["cư", "ca", "ciư"]),
        ("", ["a", ""]),
        ("x€9", ["x€9", "xé", "9", "ß€"]),  # letters no table lists: the alphabet grows mid-way
    ],
)
def test_batched_scores_equal_the_one_by_one_dynamic_programme(
    crafted: CharChannel, observed: str, readings: list[str]
) -> None:
    batched = crafted.logprobs(observed, readings)
    for reading, score in zip(readings, batched, strict=True):
        p = _forward_one_by_one(crafted, observed, reading)
        assert score == pytest.approx(math.log(p), abs=1e-9)
    assert crafted.logprobs(observed, readings) == batched  # cached


def test_many_tokens_scored_together_equal_each_scored_alone(crafted: CharChannel) -> None:
    """Tokens of one length share a batched forward pass; each score is its own dynamic programme's."""
    requests = [
        ("t6", ["tô", "to"]),
        ("cu", ["cư", "ca", "c"]),
        ("b6", ["bô"]),
        ("xca", ["ca", "xca"]),
        ("t6", ["tu"]),
    ]
    together = CharChannel(learn_char_channel(CRAFTED, "eng", PRIOR, iterations=5)).logprobs_many(requests)
    for (observed, readings), scores in zip(requests, together, strict=True):
        for reading, score in zip(readings, scores, strict=True):
            assert score == pytest.approx(math.log(_forward_one_by_one(crafted, observed, reading)), abs=1e-9)


def test_spelling_table_grows_for_long_readings_and_many_readings() -> None:
    """Readings are spelled once into a table that starts at 1,024 rows of 8 letters: longer readings widen
    it and more readings lengthen it, and every score stays its own dynamic programme's."""
    channel = CharChannel(learn_char_channel(CRAFTED, "eng", PRIOR, iterations=5))
    letters = "abcdeghiklmnoptuvxy"
    many = [a + b + c for a in letters for b in letters[:8] for c in letters[:8]]  # 1,216 readings
    long = ["nghiêngnghiêng", "tổchứcthựchiện"]
    scores = channel.logprobs("tochuc", [*many, *long])
    assert len(channel._spelling_rows) == len(many) + len(long)
    for reading in [many[0], many[-1], *long]:
        p = _forward_one_by_one(channel, "tochuc", reading)
        expected = math.log(p) if p > 0 else -1e9
        assert scores[[*many, *long].index(reading)] == pytest.approx(expected, abs=1e-9)
    again = CharChannel(learn_char_channel(CRAFTED, "eng", PRIOR, iterations=5))
    assert again.logprobs("tochuc", long) == scores[-2:]  # the same on a table that never grew
