"""Two-pass trigram Viterbi decoder over a lattice of candidate syllables.

The decoder knows nothing about Vietnamese: it gets, for each position of a token stream, a few candidates
(an LM token id, a channel log-probability and the text to emit) and vectorised n-gram scorers, and finds
the path maximising ``lm_weight * log P_LM + channel_weight * log P_channel``. Sentence ends restart the
context, so sentences decode independently. A bigram max-product pass prunes each position's candidates;
an exact trigram Viterbi over pairs of the survivors picks the path. Each pass scores all the n-grams it
needs for the whole document in one batched call, so a long document costs two LM calls, not one per word.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

#: ``scorer(w, v, u) -> natural-log P(w | u v)`` over broadcastable int arrays.
TrigramScorer = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Candidate:
    """One way to read a token.

    Attributes:
        lm_id: The LM vocabulary id of the reading.
        channel: log P(observed token | this reading) under the OCR channel model.
        text: What to emit for the token if this reading wins (case already applied).
        reason: Why the candidate was proposed (for the explain mode).
    """

    lm_id: int
    channel: float
    text: str
    reason: str = ""


@dataclass(frozen=True)
class Position:
    """A slot of the lattice: the candidates of one token, or a sentence boundary.

    A position with ``sentence_end=True`` scores the end-of-sentence token and restarts the context at
    ``<s>``; it has no candidates.
    """

    candidates: tuple[Candidate, ...] = ()
    sentence_end: bool = False

    @functools.cached_property
    def lm_ids(self) -> np.ndarray:
        """The candidates' LM ids (computed once per position object; positions may be shared)."""
        return np.fromiter((c.lm_id for c in self.candidates), dtype=np.int64, count=len(self.candidates))

    @functools.cached_property
    def channels(self) -> np.ndarray:
        """The candidates' channel log-probabilities."""
        return np.fromiter((c.channel for c in self.candidates), dtype=np.float64, count=len(self.candidates))


@dataclass(frozen=True)
class DecodeResult:
    """Best path: chosen candidate index per position (-1 for sentence boundaries) and its total score."""

    choice: list[int]
    score: float


@dataclass(frozen=True)
class DecoderWeights:
    """Log-linear weights of the decoder's score and its pruning.

    Attributes:
        lm: Weight of the LM log-probability.
        channel: Weight of the channel log-probability.
        beam: Most candidates per position carried from the bigram pass into the exact trigram pass.
        margin: Candidates whose best bigram-pass path scores this much (nats) below the position's best
            path are not carried into the trigram pass (``inf``: only ``beam`` limits them).
        candidate_margin: Candidates whose channel log-probability is this much below the position's best
            are dropped before decoding (``inf``: none are).
    """

    lm: float = 1.0
    channel: float = 1.0
    beam: int = 24
    margin: float = math.inf
    candidate_margin: float = math.inf


#: ``bigram_scorer(w, v) -> natural-log P(w | v)`` over int arrays (the pruning pass's model).
BigramScorer = Callable[[np.ndarray, np.ndarray], np.ndarray]


def decode(
    positions: Sequence[Position],
    scorer: TrigramScorer,
    bos: int,
    eos: int,
    weights: DecoderWeights | None = None,
    bigram_scorer: BigramScorer | None = None,
) -> DecodeResult:
    """Find the highest-scoring reading of the lattice.

    Sentences are independent (the context restarts at ``<s>`` after each), and each is decoded in two
    passes: a bigram max-product pass over every candidate finds, per candidate, the best path through it;
    the ``beam`` best candidates per position within ``margin`` of the best path then go to an exact trigram
    Viterbi over pairs of candidates. Each pass scores the whole document's n-grams in one batched call.
    With an unbounded beam and margin the result is the exact trigram optimum.

    Args:
        positions: The lattice, in text order.
        scorer: Vectorised trigram log-probability function.
        bos: LM id of ``<s>``.
        eos: LM id of ``</s>``.
        weights: LM/channel weights and pruning.
        bigram_scorer: The pruning pass's bigram model (default: ``scorer`` with ``<s>`` as the first word).

    Returns:
        The chosen candidate per position and the path score.
    """
    weights = weights or DecoderWeights()
    sentences: list[list[_Column]] = [[]]
    # Positions are shared between occurrences of a word: their arrays are prepared once (keyed by the
    # object's identity, which ``positions`` keeps alive for the whole call).
    prepared: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for index, pos in enumerate(positions):
        if pos.sentence_end or not pos.candidates:
            sentences.append([])
        else:
            arrays = prepared.get(id(pos))
            if arrays is None:
                arrays = prepared[id(pos)] = _Column.arrays(pos, weights)
            sentences[-1].append(_Column(index, *arrays))
    needs_pruning = any(
        len(col.ids) > weights.beam or weights.margin < math.inf for s in sentences for col in s
    )
    if needs_pruning:
        if bigram_scorer is None:
            bigram_scorer = lambda w, v: scorer(w, v, np.full_like(v, bos))  # noqa: E731
        _prune_by_bigrams(sentences, bigram_scorer, bos, eos, weights)
    choice = [-1] * len(positions)
    score = _trigram_viterbi(sentences, scorer, bos, eos, weights, choice)
    return DecodeResult(choice=choice, score=score)


@dataclass
class _Column:
    """One position's candidates inside the decoder: LM ids, weighted channel scores, original indices."""

    index: int
    ids: np.ndarray
    channel: np.ndarray
    original: np.ndarray

    @staticmethod
    def arrays(pos: Position, weights: DecoderWeights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A position's candidate ids, weighted channel scores and indices, after the candidate margin."""
        n = len(pos.candidates)
        ids, ch = pos.lm_ids, pos.channels
        original = np.arange(n)
        if n > 1 and weights.candidate_margin < math.inf:
            keep = np.flatnonzero(ch >= ch.max() - weights.candidate_margin)
            ids, ch, original = ids[keep], ch[keep], original[keep]
        return ids, weights.channel * ch, original

    def keep(self, which: np.ndarray) -> None:
        self.ids, self.channel, self.original = self.ids[which], self.channel[which], self.original[which]


def _windows(columns: Sequence[np.ndarray], order: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Every combination of ids in every run of ``order`` consecutive columns, built for all runs at once.

    Returns:
        ``order`` id arrays (the n-grams, one array per slot, runs one after another, each run in C order:
        the last slot varies fastest), each run's start in them, and each run's shape (runs × order).
    """
    sizes, offsets = _layout(columns)
    first = np.arange(len(columns) - order + 1)  # first column of each run
    dims = np.stack([sizes[first + i] for i in range(order)], axis=1)
    return _grids(np.concatenate(columns), [offsets[first + i] for i in range(order)], dims)


def _pairs(
    groups: Sequence[tuple[np.ndarray, np.ndarray]],
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Like :func:`_windows` with ``order=2``, for runs given as (left column, right column) pairs."""
    columns = [col for pair in groups for col in pair]
    sizes, offsets = _layout(columns)
    dims = np.stack([sizes[0::2], sizes[1::2]], axis=1)
    return _grids(np.concatenate(columns), [offsets[0::2], offsets[1::2]], dims)


def _layout(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Each column's length and its offset in the columns' concatenation."""
    sizes = np.fromiter((len(c) for c in columns), dtype=np.int64, count=len(columns))
    return sizes, np.concatenate(([0], np.cumsum(sizes)[:-1]))


def _grids(
    flat: np.ndarray, slot_offsets: Sequence[np.ndarray], dims: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The n-grams of runs whose slot ``i`` takes the ``dims[run, i]`` ids at ``slot_offsets[i][run]`` of
    ``flat``; returns what :func:`_windows` does."""
    runs = len(dims)
    counts = dims.prod(axis=1)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    run = np.repeat(np.arange(runs), counts)
    local = np.arange(int(counts.sum())) - starts[run]
    slots = []
    stride = np.ones(runs, dtype=np.int64)
    for i in range(dims.shape[1] - 1, -1, -1):
        within = (local // stride[run]) % dims[run, i]
        slots.append(flat[slot_offsets[i][run] + within])
        stride = stride * dims[:, i]
    slots.reverse()
    return slots, starts, dims


def _prune_by_bigrams(
    sentences: list[list[_Column]], bigram: BigramScorer, bos: int, eos: int, weights: DecoderWeights
) -> None:
    """Keep, per position, the candidates whose best bigram-model path is near the position's best.

    Changes the columns in place.
    """
    start_id, end_id = np.array([bos], dtype=np.int64), np.array([eos], dtype=np.int64)
    # A document repeats its word pairs: each distinct pair of candidate lists is scored once.
    distinct: dict[tuple[bytes, bytes], int] = {}
    groups: list[tuple[np.ndarray, np.ndarray]] = []
    pair_runs: list[list[int]] = []
    for sent in sentences:
        if not sent:
            continue
        columns = [start_id, *(col.ids for col in sent), end_id]
        keys = [col.tobytes() for col in columns]
        runs = []
        for k in range(len(columns) - 1):
            key = (keys[k], keys[k + 1])
            run = distinct.get(key)
            if run is None:
                run = distinct[key] = len(groups)
                groups.append((columns[k], columns[k + 1]))
            runs.append(run)
        pair_runs.append(runs)
    if not groups:
        return
    (v, w), starts, dims = _pairs(groups)
    scores = weights.lm * bigram(w, v)
    shared = [
        scores[starts[run] : starts[run] + int(dims[run, 0]) * int(dims[run, 1])].reshape(
            int(dims[run, 0]), int(dims[run, 1])
        )
        for run in range(len(groups))
    ]
    non_empty = [sent for sent in sentences if sent]
    for sent, runs in zip(non_empty, pair_runs, strict=True):
        tables = [shared[run] for run in runs]
        forward = [tables[0][0] + sent[0].channel]
        for t in range(1, len(sent)):
            forward.append((forward[-1][:, None] + tables[t]).max(axis=0) + sent[t].channel)
        b = tables[len(sent)][:, 0]
        for t in range(len(sent) - 1, -1, -1):
            through = forward[t] + b
            keep = np.flatnonzero(through >= through.max() - weights.margin)
            if len(keep) > weights.beam:
                keep = np.sort(keep[np.argsort(-through[keep], kind="stable")[: weights.beam]])
            if t > 0:
                b = (tables[t] + (sent[t].channel + b)[None, :]).max(axis=1)
            if len(keep) < len(through):
                sent[t].keep(keep)


def _trigram_viterbi(
    sentences: list[list[_Column]],
    scorer: TrigramScorer,
    bos: int,
    eos: int,
    weights: DecoderWeights,
    choice: list[int],
) -> float:
    """Exact trigram Viterbi over each sentence's (pruned) columns; fills ``choice``, returns the score."""
    start_id, end_id = np.array([bos], dtype=np.int64), np.array([eos], dtype=np.int64)
    stream: list[np.ndarray] = []
    first: list[int] = []  # where each sentence's run of trigrams begins
    for sent in sentences:
        first.append(len(stream))
        stream.extend([start_id, start_id, *(col.ids for col in sent), end_id])
    (u, v, w), starts, dims = _windows(stream, 3)
    scores = weights.lm * scorer(w, v, u)
    total = 0.0
    for sent, run0 in zip(sentences, first, strict=True):
        state = np.zeros((1, 1))  # state[a, b]: best score ending with (a, b); starts at (<s>, <s>)
        back: list[np.ndarray] = []
        for t in range(len(sent) + 1):
            run = run0 + t
            grid = (int(dims[run, 0]), int(dims[run, 1]), int(dims[run, 2]))
            tri = scores[starts[run] : starts[run] + grid[0] * grid[1] * grid[2]].reshape(grid)
            joint = state[:, :, None] + tri  # (z, a, b)
            best_z = joint.argmax(axis=0)
            state = joint.max(axis=0)
            if t < len(sent):
                state = state + sent[t].channel[None, :]
            back.append(best_z)
        # the last step scored </s>: state is (a, </s>) with one column
        a = int(np.argmax(state[:, 0]))
        total += float(state[a, 0])
        b = 0
        for t in range(len(sent), 0, -1):
            z = int(back[t][a, b])
            choice[sent[t - 1].index] = int(sent[t - 1].original[a])
            a, b = z, a
    return total


def batch_local_alternatives(
    positions: Sequence[Position],
    choice: Sequence[int],
    indices: Sequence[int],
    scorer: TrigramScorer,
    bos: int,
    eos: int,
    weights: DecoderWeights | None = None,
) -> dict[int, list[tuple[int, float]]]:
    """Score every candidate of each given position with the rest of the best path fixed.

    Uses the two chosen words on the left and on the right (the trigrams a position takes part in), so the
    scores are comparable between candidates of the same position; posteriors are the softmax of the
    scores. All positions are scored together (three scorer calls in all).

    Returns:
        For each index in ``indices`` with candidates, ``(candidate index, posterior)`` pairs, best first.
    """
    weights = weights or DecoderWeights()
    chosen = [
        None if (p.sentence_end or not p.candidates) else p.candidates[choice[i]].lm_id
        for i, p in enumerate(positions)
    ]

    def context(index: int, step: int, fill: int) -> list[int]:
        out: list[int] = []
        i = index + step
        while len(out) < 2:
            cid = chosen[i] if 0 <= i < len(positions) else None
            if cid is None:
                out.append(fill)
                if step < 0:
                    out.extend([fill] * (2 - len(out)))
                break
            out.append(cid)
            i += step
        return out

    rows: list[tuple[int, np.ndarray, np.ndarray, int, int, list[int]]] = []
    for index in indices:
        pos = positions[index]
        if not pos.candidates:
            continue
        cands, ch = pos.lm_ids, pos.channels
        v_id, u_id = context(index, -1, bos)
        rows.append((index, cands, ch, v_id, u_id, context(index, +1, eos)))
    if not rows:
        return {}
    sizes = np.array([len(r[1]) for r in rows])
    cands_all = np.concatenate([r[1] for r in rows])
    v_all = np.repeat([r[3] for r in rows], sizes)
    u_all = np.repeat([r[4] for r in rows], sizes)
    r0 = np.repeat([r[5][0] for r in rows], sizes)
    has_r1 = np.repeat([len(r[5]) > 1 for r in rows], sizes)
    r1 = np.repeat([r[5][1] if len(r[5]) > 1 else eos for r in rows], sizes)
    score = weights.channel * np.concatenate([r[2] for r in rows])
    score = score + weights.lm * scorer(cands_all, v_all, u_all)
    score = score + weights.lm * scorer(r0, cands_all, v_all)
    score = score + np.where(has_r1, weights.lm * scorer(r1, r0, cands_all), 0.0)
    # Softmax per row and each row's candidates best first, for all rows at once.
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    row_of = np.repeat(np.arange(len(rows)), sizes)
    post = np.exp(score - np.maximum.reduceat(score, starts)[row_of])
    post /= np.add.reduceat(post, starts)[row_of]
    order = np.lexsort((-post, row_of))
    local = (order - starts[row_of[order]]).tolist()
    probs = post[order].tolist()
    out: dict[int, list[tuple[int, float]]] = {}
    for row, start, size in zip(rows, starts.tolist(), sizes.tolist(), strict=True):
        out[row[0]] = list(zip(local[start : start + size], probs[start : start + size], strict=True))
    return out
