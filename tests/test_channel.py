"""The per-document channel mixture: EM finds the regime a document is in."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

from diacritics.channel import (
    LOG_ZERO,
    ChannelMixture,
    ExactChannel,
    StrippedChannel,
    _logsumexp_rows,
    _logsumexp_runs,
    logsumexp,
)
from diacritics.normalise import strip_diacritics

LEXICON = {
    "tre": ["trẻ", "tre", "tré"],
    "em": ["em", "êm"],
    "bao": ["bảo", "báo", "bao"],
    "ve": ["vệ", "về", "vé"],
    "cong": ["công", "cộng", "cong"],
    "tac": ["tác", "tắc"],
}
CORRECT = ["trẻ", "em", "bảo", "vệ", "công", "tác", "tre", "em", "bao"]


def observations(tokens: list[str]) -> list[tuple[str, list[tuple[str, float]]]]:
    from diacritics.normalise import strip_diacritics

    out = []
    for tok in tokens:
        readings = LEXICON[strip_diacritics(tok)]
        out.append((tok, [(r, math.log(1 / len(readings))) for r in readings]))
    return out


def fitted(tokens: list[str]) -> dict[str, float]:
    mixture = ChannelMixture([ExactChannel(), StrippedChannel()])
    mixture.fit(observations(tokens))
    return mixture.by_name


def test_correct_text_is_exact_regime() -> None:
    weights = fitted(CORRECT * 5)
    # Not 1: the unaccented words ("tre", "bao") are explained better by the stripped channel (any of their
    # readings) than by the exact one (just one), so a third of this text pulls towards "stripped".
    assert weights["exact"] > 0.8
    assert weights["exact"] > 4 * weights["stripped"]


def test_stripped_text_is_stripped_regime() -> None:
    stripped = ["tre", "em", "bao", "ve", "cong", "tac"] * 5
    weights = fitted(stripped)
    assert weights["stripped"] > 0.6
    assert weights["stripped"] > 2 * fitted(CORRECT * 5)["stripped"]


def test_mixture_probability_prefers_identity_in_exact_regime() -> None:
    mixture = ChannelMixture([ExactChannel(), StrippedChannel()], [0.99, 0.01])
    assert mixture.logprob("tre", "tre") > mixture.logprob("tre", "trẻ") + 3
    stripped = ChannelMixture([ExactChannel(), StrippedChannel()], [0.01, 0.99])
    assert abs(stripped.logprob("tre", "tre") - stripped.logprob("tre", "trẻ")) < 0.05


def test_logsumexp_is_stable() -> None:
    assert abs(logsumexp([-1000.0, -1000.0]) - (-1000 + math.log(2))) < 1e-12
    assert logsumexp([0.0]) == 0.0


def test_scores_reused_from_the_fit_and_prefetched_equal_fresh_scores() -> None:
    """The fit's and :meth:`prefetch`'s component scores give what scoring each token afresh gives."""
    tokens = ["tre", "em", "bao", "ve", "cong", "tac", "trẻ"]
    reused = ChannelMixture([ExactChannel(), StrippedChannel()])
    reused.fit(observations(tokens[:3]))
    reused.prefetch([(t, LEXICON[t][:1]) for t in tokens[3:6]])
    reused.prefetch([(t, LEXICON[t]) for t in tokens[:6]])  # new readings of fitted/prefetched tokens added
    fresh = ChannelMixture([ExactChannel(), StrippedChannel()], list(reused.weights))
    for tok in tokens:
        readings = LEXICON[strip_diacritics(tok)]
        assert reused.logprobs(tok, readings) == fresh.logprobs(tok, readings)


def test_prefetch_leaves_out_negligible_components() -> None:
    mixture = ChannelMixture([ExactChannel(), StrippedChannel()], [0.999, 0.001], negligible=0.01)
    mixture.prefetch([("bao", LEXICON["bao"])])
    exact = ExactChannel().logprobs("bao", LEXICON["bao"])
    assert mixture.logprobs("bao", LEXICON["bao"]) == pytest.approx([math.log(0.999) + lp for lp in exact])


def test_vectorised_logsumexp_matches_the_scalar_one() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(-20.0, 8.0, size=(3, 10))
    values[1, 4:7] = LOG_ZERO  # a run with nothing possible keeps LOG_ZERO, as logsumexp does
    sizes = np.array([4, 3, 3])
    starts = np.array([0, 4, 7])
    runs = _logsumexp_runs(values, starts, sizes)
    for row in range(3):
        for run, (start, size) in enumerate(zip(starts, sizes, strict=True)):
            expected = logsumexp(list(values[row, start : start + size]))
            assert runs[row, run] == pytest.approx(expected, abs=1e-9)
    rows = _logsumexp_rows(values)
    assert rows == pytest.approx([logsumexp(list(r)) for r in values], abs=1e-9)
    assert _logsumexp_rows(np.full((1, 2), LOG_ZERO))[0] == LOG_ZERO


class _CountingChannel(StrippedChannel):
    """The stripped channel, counting the readings it is asked to score."""

    def __init__(self) -> None:
        super().__init__()
        self.scored = 0

    def logprobs(self, observed: str, intended: Sequence[str]) -> list[float]:
        self.scored += len(intended)
        return super().logprobs(observed, intended)


def test_prefetch_scores_new_readings_of_a_token_scored_before() -> None:
    counting = _CountingChannel()
    mixture = ChannelMixture([ExactChannel(), counting])
    mixture.fit(observations(["tre", "em", "bao"]))
    mixture.prefetch([("tre", ["trẻ", "tre", "tré", "trê"])])  # "trê" is new: scored here, in one batch
    before = counting.scored
    mixture.logprobs("tre", ["trẻ", "tre", "tré", "trê"])
    assert counting.scored == before


def test_fixed_channels_charge_a_reading_for_the_letters_it_lacks() -> None:
    exact, stripped = ExactChannel(), StrippedChannel()
    slack, per = exact.slack, exact.slack_per_dropped_letter
    assert exact.logprobs("công", ["công", "cong", "côn"]) == [0.0, slack, slack]  # one letter short: free
    assert exact.logprob("công", "cô") == pytest.approx(slack + per)  # two short
    # "billiards" (9 letters) for "bảo" (3): six letters lacking, five beyond the first
    assert exact.logprob("billiards", "bảo") == pytest.approx(slack + 5 * per)
    assert stripped.logprob("billiards", "bảo") == pytest.approx(slack + 5 * per)
    assert stripped.logprobs("cong", ["công", "cổng", "côn"]) == [0.0, 0.0, slack]
    assert exact.logprob("c", "có") == slack  # a longer reading costs the slack alone
