"""The noisy channel P(observed token | intended syllable) as a per-document mixture of OCR regimes.

A document arrives in one of (or a mix of) four regimes: correct Vietnamese, fully stripped text,
Tesseract ``vie`` output with tone/case slips, and Tesseract ``eng`` output with accents stripped and mangled.
Each regime is a component channel; the mixture weights are estimated per document by EM, so the same
engine leaves correct text alone (the exact component dominates) and rebuilds stripped or mangled text (the
stripped / learned components dominate).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .normalise import strip_diacritics

LOG_ZERO = -1e9


class ComponentChannel(Protocol):
    """One OCR regime's channel."""

    name: str

    def logprob(self, observed: str, intended: str) -> float:
        """Natural-log P(observed | intended); both lowercase NFC."""
        ...

    def logprobs(self, observed: str, intended: Sequence[str]) -> list[float]:
        """:meth:`logprob` for many readings of one observed token."""
        ...

    def logprobs_many(self, requests: Sequence[tuple[str, Sequence[str]]]) -> list[list[float]]:
        """:meth:`logprobs` for many ``(observed, readings)`` at once."""
        ...


class _ReadingByReading:
    """``logprobs`` and ``logprobs_many`` of a channel that scores one reading at a time (``logprob``)."""

    def logprob(self, observed: str, intended: str) -> float:  # pragma: no cover - defined by subclasses
        raise NotImplementedError

    def logprobs(self, observed: str, intended: Sequence[str]) -> list[float]:
        """:meth:`logprob` for many readings."""
        return [self.logprob(observed, s) for s in intended]

    def logprobs_many(self, requests: Sequence[tuple[str, Sequence[str]]]) -> list[list[float]]:
        """:meth:`logprobs` for many tokens."""
        return [self.logprobs(observed, intended) for observed, intended in requests]


@dataclass
class ExactChannel(_ReadingByReading):
    """Correct text: the observed token is the intended one (up to a tiny slack for anything else)."""

    name: str = "exact"
    slack: float = math.log(1e-7)
    #: Added to the slack per letter the reading lacks beyond the first (``billiards`` for ``bảo``).
    slack_per_dropped_letter: float = -1.0

    def logprob(self, observed: str, intended: str) -> float:
        """0 when identical, a tiny floor otherwise (lower the more letters the reading lacks)."""
        return self.logprobs(observed, (intended,))[0]

    def logprobs(self, observed: str, intended: Sequence[str]) -> list[float]:
        """:meth:`logprob` for many readings (one comprehension: the fit asks for ~60 a token)."""
        slack, per, spare = self.slack, self.slack_per_dropped_letter, len(observed) - 1
        return [0.0 if observed == s else slack + per * max(0, spare - len(s)) for s in intended]


@dataclass
class StrippedChannel(_ReadingByReading):
    """Stripped text: the observed token is the intended one without its diacritics."""

    name: str = "stripped"
    slack: float = math.log(1e-7)
    #: As :attr:`ExactChannel.slack_per_dropped_letter`.
    slack_per_dropped_letter: float = -1.0

    def logprob(self, observed: str, intended: str) -> float:
        """0 when the observed token is the intended one stripped, a tiny floor otherwise (lower the more
        letters the reading lacks)."""
        return self.logprobs(observed, (intended,))[0]

    def logprobs(self, observed: str, intended: Sequence[str]) -> list[float]:
        """:meth:`logprob` for many readings (one comprehension: the fit asks for ~60 a token)."""
        slack, per, spare = self.slack, self.slack_per_dropped_letter, len(observed) - 1
        return [
            0.0 if observed == strip_diacritics(s) else slack + per * max(0, spare - len(s)) for s in intended
        ]


@dataclass
class LearnedChannel:
    """A channel learned from OCR output aligned with the truth (see :mod:`diacritics.ocr_channel`)."""

    name: str
    #: Scores many ``(observed, readings)`` at once (see ``CharChannel.logprobs_many``).
    scorer: Callable[[Sequence[tuple[str, Sequence[str]]]], list[list[float]]]
    floor: float = math.log(1e-9)

    def logprob(self, observed: str, intended: str) -> float:
        """The learned log-probability, floored."""
        return self.logprobs(observed, (intended,))[0]

    def logprobs(self, observed: str, intended: Sequence[str]) -> list[float]:
        """The learned log-probabilities of many readings (scored together), floored."""
        return self.logprobs_many([(observed, intended)])[0]

    def logprobs_many(self, requests: Sequence[tuple[str, Sequence[str]]]) -> list[list[float]]:
        """:meth:`logprobs` for many tokens, scored together."""
        return [[max(self.floor, lp) for lp in row] for row in self.scorer(requests)]


def logsumexp(values: Sequence[float]) -> float:
    """log(sum(exp(v))) computed stably."""
    top = max(values)
    if top <= LOG_ZERO:
        return top
    return top + math.log(sum(math.exp(v - top) for v in values))


def _logsumexp_rows(values: np.ndarray) -> np.ndarray:
    """:func:`logsumexp` of each row of a 2-D array."""
    top = values.max(axis=1)
    safe = np.where(top > LOG_ZERO, top, 0.0)
    with np.errstate(divide="ignore"):  # rows with nothing possible: replaced below
        summed = safe + np.log(np.exp(values - safe[:, None]).sum(axis=1))
    return np.where(top > LOG_ZERO, summed, top)


def _logsumexp_runs(values: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """:func:`logsumexp` of each run ``values[:, start:start + size]`` of each row (runs tile the row)."""
    top = np.maximum.reduceat(values, starts, axis=1)
    safe = np.where(top > LOG_ZERO, top, 0.0)
    spread = np.repeat(safe, sizes, axis=1)
    with np.errstate(divide="ignore"):  # runs with nothing possible: replaced below
        summed = safe + np.log(np.add.reduceat(np.exp(values - spread), starts, axis=1))
    return np.where(top > LOG_ZERO, summed, top)


@dataclass
class ChannelMixture:
    """``P(o | s) = sum_k pi_k P_k(o | s)`` with per-document weights ``pi``.

    Attributes:
        components: The regime channels.
        weights: Mixture weights, one per component, summing to 1.
        negligible: Components weighing less than this are left out of :meth:`logprob` once the weights
            are fitted (their share of any score is that small; the fit itself uses every component).
    """

    components: list[ComponentChannel]
    weights: list[float] = field(default_factory=list)
    negligible: float = 0.0

    def __post_init__(self) -> None:
        if not self.weights:
            self.weights = [1.0 / len(self.components)] * len(self.components)
        #: Per observed token, each reading's mixture log-probability under the current weights.
        self._cache: dict[str, dict[str, float]] = {}
        #: Per observed token, each reading's component scores as :meth:`fit` or :meth:`prefetch` computed
        #: them (they do not depend on the weights, so scoring the document's tokens afterwards reuses them);
        #: NaN for a component that was not scored.
        self._component_scores: dict[str, dict[str, tuple[float, ...]]] = {}
        self._unscored = (math.nan,) * len(self.components)
        self._by_name: tuple[list[float], dict[str, float]] | None = None

    @property
    def by_name(self) -> dict[str, float]:
        """Mixture weights keyed by component name (rounded; a copy)."""
        if self._by_name is None or self._by_name[0] is not self.weights:
            named = {c.name: round(w, 4) for c, w in zip(self.components, self.weights, strict=True)}
            self._by_name = (self.weights, named)
        return dict(self._by_name[1])

    @property
    def weighing(self) -> dict[str, float]:
        """The weights of the components :meth:`logprobs` scores (not zero, not negligible), by name."""
        by_name = self.by_name
        return {self.components[k].name: by_name[self.components[k].name] for k in self._weighing()}

    def logprob(self, observed: str, intended: str) -> float:
        """Mixture log-probability (cached per document)."""
        return self.logprobs(observed, (intended,))[0]

    def logprobs(self, observed: str, intended: Sequence[str]) -> list[float]:
        """:meth:`logprob` for many readings of one observed token (each component scores them together)."""
        mixed = self._cache.get(observed)
        if mixed is None:
            mixed = self._cache[observed] = {}
        missing = [s for s in dict.fromkeys(intended) if s not in mixed]
        if missing:
            active = self._weighing()
            known = self._component_scores.get(observed, {})
            # component scores the fit or a prefetch computed (NaN: a component not scored then), the rest now
            scores = np.array([known.get(s, self._unscored) for s in missing], dtype=np.float64)[:, active]
            fresh = np.isnan(scores).any(axis=1)
            if fresh.any():
                which = np.flatnonzero(fresh)
                todo = [missing[i] for i in which.tolist()]
                for j, k in enumerate(active):
                    scores[which, j] = self.components[k].logprobs(observed, todo)
            parts = np.log(np.array([self.weights[k] for k in active]))[None, :] + scores
            if len(active) == 1:
                values = parts[:, 0]
            else:
                top = parts.max(axis=1)
                values = top + np.log(np.exp(parts - top[:, None]).sum(axis=1))
            mixed.update(zip(missing, np.maximum(values, LOG_ZERO).tolist(), strict=True))
        return [mixed[s] for s in intended]

    def _weighing(self) -> list[int]:
        """Indices of the components scored under the current weights (not zero, not negligible)."""
        return [k for k, w in enumerate(self.weights) if w > 0 and w >= self.negligible]

    def prefetch(self, requests: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Score many ``(observed, readings)`` with the weighing components at once, for :meth:`logprobs`.

        Call after :meth:`fit`: components the fitted weights leave out are not scored. Readings already
        scored (by the fit or an earlier call) are not scored again; new readings of a token are added.
        """
        todo = []
        for observed, readings in dict(requests).items():
            known = self._component_scores.get(observed, {})
            missing = [s for s in dict.fromkeys(readings) if s not in known]
            if missing:
                todo.append((observed, missing))
        if not todo:
            return
        scored = {k: self.components[k].logprobs_many(todo) for k in self._weighing()}
        for t, (observed, readings) in enumerate(todo):
            rows = [scored[k][t] if k in scored else None for k in range(len(self.components))]
            self._component_scores.setdefault(observed, {}).update(
                {
                    s: tuple(row[i] if row is not None else math.nan for row in rows)
                    for i, s in enumerate(readings)
                }
            )

    def fit(
        self,
        observations: Iterable[tuple[str, Sequence[tuple[str, float]]]],
        *,
        iterations: int = 12,
        prior_strength: float = 2.0,
        min_weight: float = 1e-4,
        prior_shares: Sequence[float] | None = None,
    ) -> None:
        """Estimate the mixture weights for one document by EM.

        Args:
            observations: For each token, the observed form and its candidate readings with their
                log prior (e.g. unigram LM log-probability).
            iterations: EM iterations.
            prior_strength: Pseudo-counts of the Dirichlet prior (keeps weights away from 0 on short texts).
            prior_shares: How the pseudo-counts are shared between the components (default: evenly). Giving
                the exact component a larger share makes a short text count as correct unless its tokens say
                otherwise.
            min_weight: Floor of any weight, so no regime is ever ruled out completely.
        """
        self.fit_token_scores(
            self.token_scores(observations),
            iterations=iterations,
            prior_strength=prior_strength,
            min_weight=min_weight,
            prior_shares=prior_shares,
        )

    def token_scores(self, observations: Iterable[tuple[str, Sequence[tuple[str, float]]]]) -> np.ndarray:
        """Per token and component, ``log sum_s p(s) P_k(o | s)``: what :meth:`fit` weighs.

        Independent of the weights (so a table of common tokens' rows can be made once, see
        :mod:`diacritics.regime_scores`). The component scores are kept for :meth:`logprobs` (those of
        earlier calls are dropped, unless no token has readings).

        Args:
            observations: As for :meth:`fit`.

        Returns:
            A ``tokens × components`` array, a row per observation in order; a token without readings has a
            row of NaN (which :meth:`fit_token_scores` leaves out).
        """
        observations = list(observations)
        out = np.full((len(observations), len(self.components)), np.nan)
        with_readings = [t for t, (_, cands) in enumerate(observations) if cands]
        if not with_readings:
            return out
        obs = [observations[t] for t in with_readings]
        requests = [(observed, [s for s, _ in cands]) for observed, cands in obs]
        by_component = [comp.logprobs_many(requests) for comp in self.components]
        self._component_scores.clear()
        for t, (observed, readings) in enumerate(requests):
            rows = [scores[t] for scores in by_component]
            self._component_scores[observed] = dict(zip(readings, zip(*rows, strict=True), strict=True))
        sizes = np.fromiter((len(readings) for _, readings in requests), dtype=np.intp, count=len(requests))
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        priors = np.fromiter((prior for _, cands in obs for _, prior in cands), dtype=np.float64)
        joint = priors + np.array(
            [[lp for row in scores for lp in row] for scores in by_component], dtype=np.float64
        )  # components × readings
        out[with_readings] = _logsumexp_runs(joint, starts, sizes).T  # tokens × components
        return out

    def fit_token_scores(
        self,
        per_token: np.ndarray,
        *,
        iterations: int = 12,
        prior_strength: float = 2.0,
        min_weight: float = 1e-4,
        prior_shares: Sequence[float] | None = None,
    ) -> None:
        """EM of :meth:`fit` over the rows of :meth:`token_scores` (``tokens × components``; rows of NaN,
        tokens without readings, are left out); no rows: the weights stay."""
        per_token = per_token[~np.isnan(per_token).any(axis=1)]
        if len(per_token) == 0:
            return
        n_comp = len(self.components)
        shares = np.array(prior_shares if prior_shares is not None else [1.0] * n_comp, dtype=np.float64)
        pseudo = prior_strength * shares / shares.sum()
        weights = np.array(self.weights, dtype=np.float64)
        for _ in range(iterations):
            joint_k = np.log(np.maximum(weights, 1e-300)) + per_token
            norm = _logsumexp_rows(joint_k)
            totals = pseudo + np.exp(joint_k - norm[:, None]).sum(axis=0)
            weights = np.maximum(min_weight, totals / totals.sum())
            weights = weights / weights.sum()
        self.weights = weights.tolist()
        self._cache.clear()
