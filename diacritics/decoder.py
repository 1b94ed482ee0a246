"""Two-pass trigram Viterbi decoder over a lattice of candidate syllables.

The decoder knows nothing about Vietnamese: it gets, for each position of a token stream, a few candidates
(an LM token id, a channel log-probability and the text to emit) and vectorised n-gram scorers, and finds
the path maximising ``lm_weight * log P_LM + channel_weight * log P_channel``. Sentence ends restart the
context, so sentences decode independently. A bigram max-product pass prunes each position's candidates;
an exact trigram Viterbi over pairs of the survivors picks the path. Each pass scores all the n-grams a
batch of sentences needs in one call, and the batch's sentences (a whole document, unless it is very long)
advance together on padded arrays: the Python loop runs once per word of the longest sentence, not once
per word of the document.
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
    Viterbi over pairs of candidates. Each pass scores the n-grams of many sentences in one batched call (each
    distinct pair or triple of candidate lists once: documents repeat their phrases) and advances all those
    sentences together, one array step per word position (see :class:`_Batch`).
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
    columns = _Columns.of(positions, weights, bos, eos)
    needs_pruning = columns.width > weights.beam or weights.margin < math.inf
    if needs_pruning and bigram_scorer is None:
        bigram_scorer = lambda w, v: scorer(w, v, np.full_like(v, bos))  # noqa: E731
    choice = [-1] * len(positions)
    finals = np.zeros(len(columns.sentences))
    cells = max(columns.width**2, min(columns.width, weights.beam) ** 3)
    for batch in _Batch.split(columns, max(1, _BATCH_CELLS // cells)):
        if needs_pruning:
            assert bigram_scorer is not None
            _prune_by_bigrams(batch, bigram_scorer, weights)
        _trigram_viterbi(batch, scorer, weights, choice, finals)
    total = 0.0
    for score in finals.tolist():  # in document order, as one sentence at a time would add them
        total += score
    return DecodeResult(choice=choice, score=total)


#: Most cells (table entries) the padded score tables of one batch of sentences hold (bounds the memory).
_BATCH_CELLS = 1 << 22


@dataclass
class _Columns:
    """The lattice's positions as padded arrays: one row per position with candidates, then ``<s>``, ``</s>``.

    Attributes:
        ids: LM ids, ``rows × width`` (padding: 0).
        channel: Weighted channel scores (padding: ``-inf``).
        original: Each candidate's index in its position (after the candidate margin drops some).
        sizes: How many candidates each row has.
        index: Each row's index in the lattice (-1 for ``<s>`` and ``</s>``).
        content: Rows with the same candidate ids share a content number (their bigram tables are equal).
        sentences: Each sentence's rows, in text order (a sentence may have none).
        start: The row of ``<s>``.
        end: The row of ``</s>``.
    """

    ids: np.ndarray
    channel: np.ndarray
    original: np.ndarray
    sizes: np.ndarray
    index: np.ndarray
    content: np.ndarray
    sentences: list[list[int]]
    start: int
    end: int

    @property
    def width(self) -> int:
        """The most candidates any row has."""
        return int(self.ids.shape[1])

    @staticmethod
    def of(positions: Sequence[Position], weights: DecoderWeights, bos: int, eos: int) -> _Columns:
        """The columns of a lattice; each distinct position object's arrays are prepared once."""
        sentences: list[list[int]] = [[]]
        # positions are shared between occurrences of a word: keyed by the object's identity, which
        # ``positions`` keeps alive for the whole call
        prepared: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, int]] = {}
        contents: dict[bytes, int] = {}
        rows: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
        index: list[int] = []
        for i, pos in enumerate(positions):
            if pos.sentence_end or not pos.candidates:
                sentences.append([])
                continue
            arrays = prepared.get(id(pos))
            if arrays is None:
                ids, channel, original = _margin_arrays(pos, weights)
                arrays = prepared[id(pos)] = (
                    ids,
                    channel,
                    original,
                    contents.setdefault(ids.tobytes(), len(contents)),
                )
            sentences[-1].append(len(rows))
            rows.append(arrays)
            index.append(i)
        one = np.zeros(1)
        for lm_id in (bos, eos):
            ids = np.array([lm_id], dtype=np.int64)
            rows.append(
                (ids, one, np.zeros(1, dtype=np.int64), contents.setdefault(ids.tobytes(), len(contents)))
            )
            index.append(-1)
        sizes = np.fromiter((len(r[0]) for r in rows), dtype=np.int64, count=len(rows))
        width = int(sizes.max())
        real = np.arange(width) < sizes[:, None]
        ids = np.zeros((len(rows), width), dtype=np.int64)
        ids[real] = np.concatenate([r[0] for r in rows])
        channel = np.full((len(rows), width), -np.inf)
        channel[real] = np.concatenate([r[1] for r in rows])
        original = np.zeros((len(rows), width), dtype=np.int64)
        original[real] = np.concatenate([r[2] for r in rows])
        content = np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows))
        return _Columns(
            ids, channel, original, sizes, np.array(index), content, sentences, len(rows) - 2, len(rows) - 1
        )


def _margin_arrays(pos: Position, weights: DecoderWeights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A position's candidate ids, weighted channel scores and indices, after the candidate margin."""
    n = len(pos.candidates)
    ids, ch = pos.lm_ids, pos.channels
    original = np.arange(n)
    if n > 1 and weights.candidate_margin < math.inf:
        keep = np.flatnonzero(ch >= ch.max() - weights.candidate_margin)
        ids, ch, original = ids[keep], ch[keep], original[keep]
    return ids, weights.channel * ch, original


@dataclass
class _Batch:
    """Sentences decoded together, longest first, their steps laid out step by step.

    A sentence of ``n`` words takes ``n + 1`` steps (the last one scores ``</s>``); step ``k`` of the batch
    advances the ``active[k]`` sentences that have it, which are the first ones. Row ``offsets[k] + r`` of the
    step arrays is step ``k`` of sentence ``r``; ``target``, ``source`` and ``before`` are the column rows of
    its word, of the word before and of the one before that (``<s>`` before the first word, ``</s>`` after
    the last).
    """

    columns: _Columns
    sentences: np.ndarray  # the batch's sentences (indices into columns.sentences), longest first
    active: np.ndarray
    offsets: np.ndarray
    target: np.ndarray
    source: np.ndarray
    before: np.ndarray

    @staticmethod
    def split(columns: _Columns, max_steps: int) -> list[_Batch]:
        """The sentences in batches of at most ``max_steps`` steps (a longer sentence alone)."""
        lengths = np.array([len(s) for s in columns.sentences], dtype=np.int64)
        order = np.argsort(-lengths, kind="stable")
        batches, first, steps = [], 0, 0
        for k, s in enumerate(order.tolist()):
            if k > first and steps + lengths[s] + 1 > max_steps:
                batches.append(_Batch.of(columns, order[first:k], lengths[order[first:k]]))
                first, steps = k, 0
            steps += int(lengths[s]) + 1
        batches.append(_Batch.of(columns, order[first:], lengths[order[first:]]))
        return batches

    @staticmethod
    def of(columns: _Columns, sentences: np.ndarray, lengths: np.ndarray) -> _Batch:
        """One batch of sentences sorted longest first."""
        n_steps = int(lengths[0]) + 1
        active = np.searchsorted(-lengths, -np.arange(n_steps), side="right")  # sentences with >= k words
        offsets = np.concatenate(([0], np.cumsum(active)))
        step = np.repeat(np.arange(n_steps), active)
        rank = np.arange(int(offsets[-1])) - offsets[step]
        first_row = np.array(
            [rows[0] if rows else 0 for rows in (columns.sentences[s] for s in sentences.tolist())]
        )
        base, length = first_row[rank], lengths[rank]

        def row(at: np.ndarray) -> np.ndarray:
            """The column row of word ``at`` of each step's sentence (``<s>`` before it, ``</s>`` after)."""
            inside = np.where(at < length, base + at, columns.end)
            return np.where(at < 0, columns.start, inside)

        return _Batch(columns, sentences, active, offsets, row(step), row(step - 1), row(step - 2))

    def rows(self, k: int) -> slice:
        """The step arrays' rows of step ``k``."""
        return slice(int(self.offsets[k]), int(self.offsets[k + 1]))


def _gather(flat: np.ndarray, starts: np.ndarray, dims: np.ndarray, width: int) -> np.ndarray:
    """Blocks of ``flat`` (block ``r``: C-order ``dims[r]`` from ``starts[r]``) padded to ``width`` on every
    axis with ``-inf``: ``runs × width × ... × width``."""
    runs, order = dims.shape
    offset = np.broadcast_to(starts.reshape((runs,) + (1,) * order), (runs,) + (width,) * order).copy()
    valid = np.ones((runs,) + (width,) * order, dtype=bool)
    stride = np.ones(runs, dtype=np.int64)
    for axis in range(order - 1, -1, -1):
        shape = [1] * (order + 1)
        shape[axis + 1] = width
        at = np.arange(width).reshape(shape)
        size = dims[:, axis].reshape((runs,) + (1,) * order)
        offset += at * stride.reshape((runs,) + (1,) * order)
        valid &= at < size
        stride = stride * dims[:, axis]
    out = np.full(valid.shape, -np.inf)
    out[valid] = flat[offset[valid]]
    return out


def _grids(
    flat: np.ndarray, slot_offsets: Sequence[np.ndarray], dims: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    """The n-grams of runs whose slot ``i`` takes the ``dims[run, i]`` ids at ``slot_offsets[i][run]`` of
    ``flat``: one id array per slot (runs one after another, each in C order: the last slot varies fastest),
    and each run's start in them."""
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
    return slots, starts


def _prune_by_bigrams(batch: _Batch, bigram: BigramScorer, weights: DecoderWeights) -> None:
    """Keep, per position, the candidates whose best bigram-model path is near the position's best.

    A forward and a backward max-product pass over every candidate, all the batch's sentences advancing
    together; the survivors are moved to the front of their rows and the rows' sizes cut (in place).
    """
    cols = batch.columns
    width = cols.width
    # A document repeats its word pairs: each distinct pair of candidate lists is scored once.
    n_content = int(cols.content.max()) + 1
    pair_key = cols.content[batch.source] * n_content + cols.content[batch.target]
    _, first, group = np.unique(pair_key, return_index=True, return_inverse=True)
    left, right = batch.source[first], batch.target[first]
    dims = np.stack([cols.sizes[left], cols.sizes[right]], axis=1)
    (v, w), starts = _grids(cols.ids.ravel(), [left * width, right * width], dims)
    scores = weights.lm * bigram(w, v)
    # distinct pair × source candidate × target candidate; step row r's table is unique[group[r]]
    unique = _gather(scores, starts, dims, width)
    channel = cols.channel[batch.target]
    end = np.full(width, -np.inf)
    end[0] = 0.0
    n_steps = len(batch.active)
    forward: list[np.ndarray] = []
    best = end[None, :]  # before the first step: at <s>
    for k in range(n_steps):
        rows = batch.rows(k)
        best = (best[: batch.active[k], :, None] + unique[group[rows]]).max(axis=1) + channel[rows]
        forward.append(best)
    backward: list[np.ndarray] = [end[None, :]] * n_steps
    after = np.empty((0, width))
    for k in range(n_steps - 1, 0, -1):
        rows = batch.rows(k)
        ending = int(batch.active[k]) - len(after)  # sentences whose </s> this step scores
        after = np.concatenate([after, np.broadcast_to(end, (ending, width))])
        after = (unique[group[rows]] + (channel[rows] + after)[:, None, :]).max(axis=2)
        backward[k] = after
    if n_steps < 2:
        return  # no words
    # word t of each sentence that has it: forward after step t, backward from step t + 1 (step t's rows
    # of the sentences that have a word t are its first ones)
    through = np.concatenate(
        [forward[t][: batch.active[t + 1]] + backward[t + 1] for t in range(n_steps - 1)]
    )
    word_rows = batch.target[cols.index[batch.target] >= 0]
    real = np.arange(width) < cols.sizes[word_rows][:, None]
    keep = real & (through >= through.max(axis=1)[:, None] - weights.margin)
    rank = np.argsort(np.argsort(-through, axis=1, kind="stable"), axis=1, kind="stable")
    keep &= rank < weights.beam
    front = np.argsort(~keep, axis=1, kind="stable")  # survivors first, in their order
    for name in ("ids", "channel", "original"):
        array = getattr(cols, name)
        array[word_rows] = np.take_along_axis(array[word_rows], front, axis=1)
    cols.sizes[word_rows] = keep.sum(axis=1)
    cut = np.arange(width) >= cols.sizes[word_rows][:, None]
    cols.channel[word_rows] = np.where(cut, -np.inf, cols.channel[word_rows])


def _trigram_viterbi(
    batch: _Batch, scorer: TrigramScorer, weights: DecoderWeights, choice: list[int], finals: np.ndarray
) -> None:
    """Exact trigram Viterbi over the batch's (pruned) columns, all its sentences advancing together; fills
    ``choice`` and each sentence's path score in ``finals``."""
    cols = batch.columns
    width = int(cols.sizes[batch.target].max())  # the batch's columns are pruned (their rows' fronts)
    # A document repeats its word triples: each distinct triple of (pruned) candidate lists is scored once.
    pruned = np.where(np.arange(cols.width) < cols.sizes[:, None], cols.ids, -1)
    _, content = np.unique(pruned, axis=0, return_inverse=True)
    content = content.reshape(-1)
    n_content = int(content.max()) + 1
    triple = (content[batch.before] * n_content + content[batch.source]) * n_content + content[batch.target]
    _, first, group = np.unique(triple, return_index=True, return_inverse=True)
    before, source, target = batch.before[first], batch.source[first], batch.target[first]
    dims = np.stack([cols.sizes[before], cols.sizes[source], cols.sizes[target]], axis=1)
    stride = cols.width
    (u, v, w), starts = _grids(cols.ids.ravel(), [before * stride, source * stride, target * stride], dims)
    scores = weights.lm * scorer(w, v, u)
    # distinct triple × z × a × b; step row r's table is unique[group[r]]
    unique = _gather(scores, starts, dims, width)
    group = group.reshape(-1)
    channel = cols.channel[batch.target][:, :width]
    n_steps = len(batch.active)
    # state[r, a, b]: best score of sentence r's paths ending with candidates a, b; all start at (<s>, <s>)
    state = np.full((int(batch.active[0]), width, width), -np.inf)
    state[:, 0, 0] = 0.0
    back: list[np.ndarray] = []
    best_last = np.zeros(len(batch.sentences), dtype=np.int64)
    for k in range(n_steps):
        rows = batch.rows(k)
        a = int(batch.active[k])
        joint = state[:a, :, :, None] + unique[group[rows]]  # (r, z, a, b)
        back.append(joint.argmax(axis=1))
        state = joint.max(axis=1) + channel[rows][:, None, :]  # </s> rows: + 0 for b = 0, the rest is -inf
        done = range(int(batch.active[k + 1]) if k + 1 < n_steps else 0, a)
        if len(done):  # these sentences' step scored </s>: their state is (a, </s>)
            last = state[done.start : done.stop, :, 0]
            best_last[done.start : done.stop] = last.argmax(axis=1)
            finals[batch.sentences[done.start : done.stop]] = last[
                np.arange(len(done)), best_last[done.start : done.stop]
            ]
    # back-trace every sentence together, from its last word
    a_now = best_last.copy()
    b_now = np.zeros_like(a_now)
    words, picks = [], []
    for k in range(n_steps - 1, 0, -1):
        live = int(batch.active[k])
        words.append(batch.source[batch.rows(k)])  # step k's previous word: the one a_now is a candidate of
        picks.append(a_now[:live].copy())
        z = back[k][np.arange(live), a_now[:live], b_now[:live]]
        b_now[:live] = a_now[:live]
        a_now[:live] = z
    if words:
        word_rows, picked = np.concatenate(words), np.concatenate(picks)
        chosen = cols.original[word_rows, picked]
        for i, c in zip(cols.index[word_rows].tolist(), chosen.tolist(), strict=True):
            choice[i] = c


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
