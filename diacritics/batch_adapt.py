"""Batch-level adaptation: documents of one engine restored together, each helped by the others.

After a first restoration, a document in a legacy regime (one the engine adaptation adapted, see
:mod:`diacritics.adapt`) gives its batch :class:`BatchEvidence`: the rewrites of its confident readings
(``truemg`` → ``truong``), the tokens it read confidently as written, and the n-grams of its confidently
restored text. The documents of one regime group pool their evidence (:func:`pool`): each document is then
restored again with

* the pooled channel: its own rewrites plus the others', each document's weighed by how alike its rewrites
  are to this one's (the cosine of their rewrite counts): an engine's confusions are learned from the whole
  batch, not only from one page's few confident words;
* an n-gram cache (:class:`NgramCache`): the batch's confidently restored n-grams, whose estimate raises
  the language model's score where it is higher (a cache language model as an overlay), so a phrase the
  batch reads confidently in one place (``Lâm Đồng``, ``tài nguyên``) helps where another document has it
  mangled.

The second restoration is kept only where it scores better (:func:`better`: its decisions are on the whole
more confident than the first's); codes stay codes (their one reading is themselves, whatever the cache).
Text the first pass did not adapt (Tesseract ``eng``/``vie``, correct text) is never restored again.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

#: Weight of the batch's n-gram cache in its interpolation with the language model.
CACHE_WEIGHT = 0.1
#: Interpolation weights of the cache's trigram, bigram and unigram estimates.
CACHE_ORDERS = (0.6, 0.3, 0.1)
#: Weight of the other documents' rewrites in a document's pooled channel, against its own: documents
#: alike in every rewrite would together count this many times its own confident pairs (see :func:`pool`).
POOLED_WEIGHT = 1.0
#: The regime group of the adapted documents: every engine the learned channels do not know; within it a
#: document's channel weighs the others' rewrites by their likeness (:func:`similarity`).
LEGACY_GROUP = "legacy"
#: Fewest tokens no channel explains that make a text short of the adaptation's own floor
#: (:data:`diacritics.adapt.MIN_UNRESOLVED`) one of its batch's legacy regime (at the same share).
MIN_UNRESOLVED = 2
#: Longest n-gram the cache keeps.
CACHE_ORDER = 3


@dataclass
class BatchEvidence:
    """What one document's first restoration offers the documents of its regime group.

    Attributes:
        group: The regime group (documents pool with those of the same group only).
        pairs: ``(observed, intended unmarked)`` of its confident readings other than as written.
        kept: Tokens it read confidently with their own letters.
        ngrams: Its confidently restored n-grams (1 to :data:`CACHE_ORDER` LM words, ``<s>`` first at a
            sentence's start), with their counts.
        score: The mean log-confidence of its decodable tokens (what :func:`better` compares).
        adapted: Whether it was adapted alone; a text too short for that is adapted with its batch only
            when the batch has a text that was (:func:`pool`).
    """

    group: str
    pairs: list[tuple[str, str]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    ngrams: Counter[tuple[str, ...]] = field(default_factory=Counter)
    score: float = -math.inf
    adapted: bool = True

    def rewrite_profile(self) -> Counter[tuple[str, str]]:
        """The counts of its rewrites (what :func:`similarity` compares)."""
        from .adapt import rewrites

        profile: Counter[tuple[str, str]] = Counter()
        for observed, intended in self.pairs:
            profile.update(rewrites(observed, intended))
        return profile

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary (:meth:`from_dict` reads it back)."""
        return {
            "group": self.group,
            "pairs": [list(p) for p in self.pairs],
            "kept": self.kept,
            "ngrams": [[list(g), n] for g, n in sorted(self.ngrams.items())],
            "score": self.score,
            "adapted": self.adapted,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> BatchEvidence:
        """The evidence :meth:`to_dict` wrote."""
        pairs = [(str(a), str(b)) for a, b in data.get("pairs") or []]  # type: ignore[attr-defined]
        kept = [str(k) for k in data.get("kept") or []]  # type: ignore[attr-defined]
        ngrams: Counter[tuple[str, ...]] = Counter()
        for gram, count in data.get("ngrams") or []:  # type: ignore[attr-defined]
            ngrams[tuple(str(w) for w in gram)] += int(count)
        score = data.get("score")
        return cls(
            str(data.get("group") or ""),
            pairs,
            kept,
            ngrams,
            float(score) if isinstance(score, (int, float)) else -math.inf,
            bool(data.get("adapted", True)),
        )


@dataclass
class BatchContext:
    """What a document's second restoration takes from its batch.

    Attributes:
        pooled: The other documents' evidence, each with its weight in this document's channel.
        ngrams: The group's confidently restored n-grams (every document's, this one's too).
        key: What the context was pooled from (a hash of its group's evidence): a document restored again
            with one key needs no other pass while its group's evidence stays the same.
        members: How many documents its group has.
    """

    pooled: list[tuple[BatchEvidence, float]] = field(default_factory=list)
    ngrams: dict[tuple[str, ...], float] = field(default_factory=dict)
    key: str = ""
    members: int = 1
    _cache: NgramCache | None = field(default=None, init=False, repr=False)

    def cache(self, token_id: Callable[[str], int], vocab_size: int, unk: int) -> NgramCache | None:
        """The n-gram cache over the LM's ids (built once; None without n-grams)."""
        if self._cache is None and self.ngrams:
            self._cache = NgramCache.build(self.ngrams, token_id, vocab_size, unk)
        return self._cache


def similarity(a: Counter[tuple[str, str]], b: Counter[tuple[str, str]]) -> float:
    """The cosine of two rewrite profiles (0 when either is empty)."""
    dot = sum(n * b.get(rule, 0) for rule, n in a.items())
    norm = math.sqrt(sum(n * n for n in a.values())) * math.sqrt(sum(n * n for n in b.values()))
    return dot / norm if norm else 0.0


def pool(evidence: Sequence[BatchEvidence | None]) -> list[BatchContext | None]:
    """Each document's batch context from the evidence of the documents of its group (None: a document
    without evidence, which is not restored again).

    Another document ``j`` weighs in a document's channel by ``similarity ** 2`` (an engine's confusions
    are its own: a page of another scanner says little), scaled so that documents alike in every rewrite
    would together count :data:`POOLED_WEIGHT` times the document's own pairs; its n-grams weigh in the
    document's cache by ``similarity`` (the document's own count fully).
    """
    profiles = [e.rewrite_profile() if e is not None else Counter() for e in evidence]
    groups: dict[str, list[int]] = {}
    for index, e in enumerate(evidence):
        if e is not None:
            groups.setdefault(e.group, []).append(index)
    contexts: list[BatchContext | None] = [None] * len(evidence)
    for indices in groups.values():
        members = [(index, e) for index in indices if (e := evidence[index]) is not None]
        if not any(e.adapted for _index, e in members):
            continue  # no text of the group was adapted alone: the group has no engine to learn
        digest = hashlib.sha256()
        for _index, e in members:
            digest.update(json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True).encode())
        key = digest.hexdigest()[:16]
        for index, own in members:
            alike = [(other, similarity(profiles[index], profiles[j])) for j, other in members if j != index]
            total = sum(len(other.pairs) for other, _sim in alike)
            scale = POOLED_WEIGHT * max(1, len(own.pairs)) / total if total else 0.0
            pooled = [(other, scale * sim**2) for other, sim in alike if sim > 0]
            ngrams: dict[tuple[str, ...], float] = {g: float(n) for g, n in own.ngrams.items()}
            for other, sim in alike:
                if sim > 0:
                    for gram, count in other.ngrams.items():
                        ngrams[gram] = ngrams.get(gram, 0.0) + sim * count
            contexts[index] = BatchContext(pooled, ngrams, key, len(members))
    return contexts


@dataclass
class NgramCache:
    """Counts of a batch's n-grams over LM ids, looked up many at a time (sorted keys, binary search)."""

    vocab_size: int
    keys: tuple[np.ndarray, np.ndarray, np.ndarray]
    counts: tuple[np.ndarray, np.ndarray, np.ndarray]
    contexts: tuple[np.ndarray, np.ndarray]
    context_counts: tuple[np.ndarray, np.ndarray]
    total: float

    @classmethod
    def build(
        cls,
        ngrams: Mapping[tuple[str, ...], float],
        token_id: Callable[[str], int],
        vocab_size: int,
        unk: int,
    ) -> NgramCache:
        """The cache of word n-grams (those holding a word the LM lacks are left out)."""
        by_order: list[dict[int, float]] = [{}, {}, {}]
        context: list[dict[int, float]] = [{}, {}]
        for gram, count in ngrams.items():
            ids = [token_id(w) for w in gram]
            if not ids or len(ids) > CACHE_ORDER or unk in ids:
                continue
            key = 0
            for i in ids:
                key = key * vocab_size + i
            table = by_order[len(ids) - 1]
            table[key] = table.get(key, 0.0) + count
            if len(ids) > 1:
                seen = context[len(ids) - 2]
                seen[key // vocab_size] = seen.get(key // vocab_size, 0.0) + count

        def arrays(counter: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
            keys = np.array(sorted(counter), dtype=np.int64)
            return keys, np.array([counter[k] for k in keys.tolist()], dtype=np.float64)

        grams = [arrays(c) for c in by_order]
        ctx = [arrays(c) for c in context]
        return cls(
            vocab_size,
            (grams[0][0], grams[1][0], grams[2][0]),
            (grams[0][1], grams[1][1], grams[2][1]),
            (ctx[0][0], ctx[1][0]),
            (ctx[0][1], ctx[1][1]),
            float(grams[0][1].sum()),
        )

    @staticmethod
    def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
        if not len(keys):
            return np.zeros(query.shape, dtype=np.float64)
        at = np.clip(np.searchsorted(keys, query), 0, len(keys) - 1)
        return np.where(keys[at] == query, values[at], 0.0)

    def probability(
        self, w: np.ndarray, v: np.ndarray | None = None, u: np.ndarray | None = None
    ) -> np.ndarray:
        """P_cache(w | u v): the interpolation of the orders whose context the cache has seen."""
        size = np.int64(self.vocab_size)
        w = np.asarray(w, dtype=np.int64)
        weights = CACHE_ORDERS
        num = weights[2] * self._lookup(self.keys[0], self.counts[0], w) / max(self.total, 1.0)
        den = np.full(w.shape, weights[2])
        if v is not None:
            v = np.asarray(v, dtype=np.int64)
            seen = self._lookup(self.contexts[0], self.context_counts[0], v)
            pair = self._lookup(self.keys[1], self.counts[1], v * size + w)
            num = num + np.where(seen > 0, weights[1] * pair / np.maximum(seen, 1.0), 0.0)
            den = den + np.where(seen > 0, weights[1], 0.0)
            if u is not None:
                u = np.asarray(u, dtype=np.int64)
                context = u * size + v
                seen3 = self._lookup(self.contexts[1], self.context_counts[1], context)
                triple = self._lookup(self.keys[2], self.counts[2], context * size + w)
                num = num + np.where(seen3 > 0, weights[0] * triple / np.maximum(seen3, 1.0), 0.0)
                den = den + np.where(seen3 > 0, weights[0], 0.0)
        return np.asarray(num / den, dtype=np.float64)

    def mixed(self, lm_logprob: np.ndarray, probability: np.ndarray) -> np.ndarray:
        """The LM's log-probability raised to log(λ P_cache) where that is larger (λ =
        :data:`CACHE_WEIGHT`): the batch's n-grams only ever raise a score."""
        with np.errstate(divide="ignore"):
            cached = math.log(CACHE_WEIGHT) + np.log(probability)
        return np.asarray(np.maximum(np.asarray(lm_logprob, dtype=np.float64), cached))


def mean_log_confidence(confidences: Iterable[float]) -> float:
    """The mean log of confidences (each at least 1e-6; -inf for none)."""
    values = [math.log(max(c, 1e-6)) for c in confidences]
    return sum(values) / len(values) if values else -math.inf


def better(first: BatchEvidence | None, second: BatchEvidence | None) -> bool:
    """Whether a second restoration is on the whole more confident than the first
    (:attr:`BatchEvidence.score`)."""
    return second is not None and (first is None or second.score > first.score)
