"""The regime fit: the document's mixture of OCR regimes (correct text, stripped text, each OCR channel).

The mixture weights are estimated by EM from the document's first distinct tokens (their readings through
every channel, each with its unigram prior); the fitted mixture scores every reading of the lattice and
gates the passes made for one kind of input (:data:`diacritics.settings.GATES`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from .channel import ChannelMixture, ExactChannel, LearnedChannel, StrippedChannel
from .lattice import CandidateSource
from .lm import i_y_variants
from .normalise import case_pattern, normalise_syllable
from .ocr_channel import CharChannel, search_settings
from .ocr_tokens import DECODABLE_KINDS
from .passages import Spans, unmarked_title_case
from .regime_scores import RegimeScoreTable
from .settings import RestorerSettings, Tuning
from .tokens import Token

log = logging.getLogger(__name__)


def regime_names(channels: dict[str, CharChannel]) -> tuple[str, ...]:
    """The regime mixture's component names, in order (see :func:`regime_mixture`)."""
    return (ExactChannel.name, StrippedChannel.name, *channels)


def regime_constants(channels: dict[str, CharChannel], settings: RestorerSettings) -> dict[str, object]:
    """Besides the LM and inventory files, what the regime-fit rows of a token depend on (see
    :func:`diacritics.regime_scores.regime_fingerprint`): the regimes, the channels' tables and search
    settings, the reading settings and the fixed channels' constants."""
    return {
        "regimes": list(regime_names(channels)),
        "channels": {
            name: {"table": ch.table_fingerprint, "search": search_settings(name)}
            for name, ch in channels.items()
        },
        "skeleton_top_k": settings.tuning.skeleton_top_k,
        "lm_spelling_twins": [list(pair) for pair in i_y_variants()],
        "exact_channel": [ExactChannel.slack, ExactChannel.slack_per_dropped_letter],
        "stripped_channel": [StrippedChannel.slack, StrippedChannel.slack_per_dropped_letter],
        "learned_floor": LearnedChannel.floor,
    }


def regime_mixture(channels: dict[str, CharChannel]) -> ChannelMixture:
    """A mixture of the regimes (correct text, stripped text, each OCR channel), weights unfitted."""
    return ChannelMixture(
        [
            ExactChannel(),
            StrippedChannel(),
            *(LearnedChannel(name, ch.logprobs_many) for name, ch in channels.items()),
        ]
    )


def regime_observations(
    source: CandidateSource, tokens: Sequence[str]
) -> list[tuple[str, list[tuple[str, float]]]]:
    """What the regime fit weighs of each (lowercase) token: its readings through every channel, each
    with its unigram log prior (an empty list for a token without readings)."""
    # the skeleton searches the memos lack, done together
    for channel in source.channels.values():
        channel.prefetch_skeleton_keys(tokens)
    observations: list[tuple[str, list[tuple[str, float]]]] = []
    for observed in tokens:
        readings = list(source.readings(observed))
        prior = source.unigram(readings).tolist() if readings else []
        observations.append((observed, list(zip(readings, prior, strict=True))))
    return observations


def fit_sample(observed_tokens: Sequence[str], tuning: Tuning) -> list[str]:
    """The tokens the regime fit weighs: distinct tokens are enough to tell regimes (the first ones)."""
    return list(dict.fromkeys(observed_tokens))[: tuning.regime_sample]


def fit_mixture(
    source: CandidateSource, table: RegimeScoreTable | None, observed_tokens: Sequence[str]
) -> ChannelMixture:
    """Estimate the document's OCR regime mixture from its tokens by EM.

    The rows the fit weighs (:meth:`ChannelMixture.token_scores`) of the tokens in the shipped table
    (``table``) are looked up; the others' are computed.
    """
    tuning = source.tuning
    mixture = regime_mixture(source.channels)
    sample = fit_sample(observed_tokens, tuning)
    found = table.lookup(sample) if table is not None else [None] * len(sample)
    live = [observed for observed, row in zip(sample, found, strict=True) if row is None]
    live_rows = iter(mixture.token_scores(regime_observations(source, live)))
    # in the sample's order; a token without readings has a row of NaN either way, and is left out
    rows = [next(live_rows) if row is None else row for row in found]
    n = len(mixture.components)
    shares = [tuning.exact_prior_share] + [(1 - tuning.exact_prior_share) / (n - 1)] * (n - 1)
    per_token = np.array(rows, dtype=np.float64).reshape(len(rows), n)
    mixture.fit_token_scores(per_token, prior_strength=tuning.regime_prior_strength, prior_shares=shares)
    mixture.negligible = tuning.negligible_regime
    log.debug("regime mixture: %s", mixture.by_name)
    return mixture


def fit_document(
    source: CandidateSource,
    table: RegimeScoreTable | None,
    tokenised: Sequence[Sequence[Token]],
    english: Spans,
) -> ChannelMixture | None:
    """The document's regime mixture, fitted on its decodable tokens outside English passages (on all of
    them when it is all English); in a text found mostly marked, fitted again without its unmarked names
    (:func:`unmarked_names`). None: the text has no decodable token."""
    word_tokens = observed_words(tokenised, english)
    if not word_tokens:
        word_tokens = observed_words(tokenised)  # all English: the fit still needs tokens
    if not word_tokens:
        return None
    mixture = fit_mixture(source, table, word_tokens)
    tuning = source.tuning
    weights = mixture.by_name
    if weights.get("exact", 0.0) + weights.get("vie", 0.0) >= tuning.gate("names_left_out_of_fit"):
        # a marked text: its unmarked names say nothing of whether it is stripped
        without_names = observed_words(tokenised, english | unmarked_names(tokenised))
        if without_names and fit_sample(without_names, tuning) != fit_sample(word_tokens, tuning):
            mixture = fit_mixture(source, table, without_names)
    return mixture


def unmarked_names(tokenised: Sequence[Sequence[Token]]) -> Spans:
    """``(line, start)`` of the unmarked words in title case (``Nhung`` in ``bà Nguyễn Thị Hải Nhung``,
    ``Lua`` in ``xã Đắc Lua``) that follow a word in lower or title case with nothing but space between, on
    their line or at the end of the line before (lines are hard-wrapped): names inside a sentence, which
    correct text writes without marks as often as stripped text does, or case slips. Not after a word in
    capitals (``HOẠT ĐỘNG Dieu 1``: a heading ends there) nor after punctuation or a number."""
    names: Spans = set()
    previous: Token | None = None
    for line_no, toks in enumerate(tokenised):
        for t in toks:
            if t.kind == "space":
                continue
            if (
                t.kind == "word"
                and previous is not None
                and previous.kind == "word"
                and case_pattern(previous.text) in ("lower", "title")
                and unmarked_title_case(t.text)
            ):
                names.add((line_no, t.start))
            previous = t
    return names


def observed_words(tokenised: Sequence[Sequence[Token]], left_out: Spans | None = None) -> list[str]:
    """The decodable tokens of the lines, as the channels see them (lower case, normalised), but those at
    ``left_out`` (``(line, start)``)."""
    return [
        normalise_syllable(t.text.lower())
        for line_no, toks in enumerate(tokenised)
        for t in toks
        if t.kind in DECODABLE_KINDS and not (left_out and (line_no, t.start) in left_out)
    ]
