"""Trigram Viterbi / beam decoder over a lattice of candidate syllables.

The decoder knows nothing about Vietnamese: it gets, for each position of a token stream, a few candidates
(an LM token id, a channel log-probability and the text to emit) and a vectorised trigram scorer, and finds
the path maximising ``lm_weight * log P_LM + channel_weight * log P_channel``. States are the last two LM
ids (exact trigram recombination), pruned to a beam. Sentence ends collapse the beam to one state, so long
documents decode in bounded memory and time.
"""

from __future__ import annotations

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
        beam: Most states kept after each position.
        state_margin: States scoring this much (nats) below the best one are dropped (``inf``: none are).
        candidate_margin: Candidates whose channel log-probability is this much below the position's best
            are not expanded (``inf``: all are).
    """

    lm: float = 1.0
    channel: float = 1.0
    beam: int = 24
    state_margin: float = math.inf
    candidate_margin: float = math.inf


def decode(
    positions: Sequence[Position],
    scorer: TrigramScorer,
    bos: int,
    eos: int,
    weights: DecoderWeights | None = None,
) -> DecodeResult:
    """Find the highest-scoring reading of the lattice.

    Args:
        positions: The lattice, in text order.
        scorer: Vectorised trigram log-probability function.
        bos: LM id of ``<s>``.
        eos: LM id of ``</s>``.
        weights: LM/channel weights and beam width.

    Returns:
        The chosen candidate per position and the path score.
    """
    weights = weights or DecoderWeights()
    # Beam state arrays: previous-previous id, previous id, score; plus backpointers per position.
    state_u = np.array([bos], dtype=np.int64)
    state_v = np.array([bos], dtype=np.int64)
    state_score = np.zeros(1, dtype=np.float64)
    back_state: list[np.ndarray] = []
    back_cand: list[np.ndarray] = []

    for pos in positions:
        if pos.sentence_end or not pos.candidates:
            # Score </s>, keep the best state only, restart the context.
            total = state_score + weights.lm * scorer(np.full_like(state_v, eos), state_v, state_u)
            best = int(np.argmax(total))
            back_state.append(np.array([best]))
            back_cand.append(np.array([-1]))
            state_u = np.array([bos], dtype=np.int64)
            state_v = np.array([bos], dtype=np.int64)
            state_score = np.array([total[best]])
            continue
        cand_ids = np.fromiter((c.lm_id for c in pos.candidates), dtype=np.int64, count=len(pos.candidates))
        cand_ch = np.fromiter(
            (c.channel for c in pos.candidates), dtype=np.float64, count=len(pos.candidates)
        )
        expanded = None
        if len(cand_ch) > 1 and weights.candidate_margin < math.inf:
            expanded = np.flatnonzero(cand_ch >= cand_ch.max() - weights.candidate_margin)
            if len(expanded) < len(cand_ch):
                cand_ids, cand_ch = cand_ids[expanded], cand_ch[expanded]
            else:
                expanded = None
        n_states, n_cands = len(state_v), len(cand_ids)
        # All (state, candidate) pairs, flattened state-major.
        u = np.repeat(state_u, n_cands)
        v = np.repeat(state_v, n_cands)
        w = np.tile(cand_ids, n_states)
        lm = scorer(w, v, u)
        total = (
            np.repeat(state_score, n_cands) + weights.lm * lm + weights.channel * np.tile(cand_ch, n_states)
        )
        # Recombine on the new state (v, w): keep the best pair per key, then the top `beam` states.
        keys = v * (1 << 32) + w
        order = np.lexsort((-total, keys))
        first = np.ones(len(order), dtype=bool)
        first[1:] = keys[order][1:] != keys[order][:-1]
        survivors = order[first]
        if len(survivors) > weights.beam:
            top = np.argpartition(-total[survivors], weights.beam - 1)[: weights.beam]
            survivors = survivors[top]
        if weights.state_margin < math.inf and len(survivors) > 1:
            kept = total[survivors]
            survivors = survivors[kept >= kept.max() - weights.state_margin]
        back_state.append(survivors // n_cands)
        back_cand.append(survivors % n_cands if expanded is None else expanded[survivors % n_cands])
        state_u, state_v, state_score = v[survivors], w[survivors], total[survivors]

    # Close the last sentence.
    final = state_score + weights.lm * scorer(np.full_like(state_v, eos), state_v, state_u)
    best = int(np.argmax(final))
    choice = [0] * len(positions)
    for i in range(len(positions) - 1, -1, -1):
        choice[i] = int(back_cand[i][best])
        best = int(back_state[i][best])
    return DecodeResult(choice=choice, score=float(np.max(final)))


def local_alternatives(
    positions: Sequence[Position],
    choice: Sequence[int],
    index: int,
    scorer: TrigramScorer,
    bos: int,
    eos: int,
    weights: DecoderWeights | None = None,
) -> list[tuple[int, float]]:
    """Score every candidate of one position with the rest of the best path fixed.

    Uses the two chosen words on the left and on the right (the trigrams the position takes part in), so the
    scores are comparable between candidates of the same position. Returns ``(candidate index, posterior)``
    pairs, best first, where posteriors are the softmax of the scores.
    """
    weights = weights or DecoderWeights()
    pos = positions[index]
    if not pos.candidates:
        return []

    def chosen_id(i: int) -> int | None:
        p = positions[i]
        if p.sentence_end or not p.candidates:
            return None
        return p.candidates[choice[i]].lm_id

    left: list[int] = []
    i = index - 1
    while len(left) < 2:
        lid = chosen_id(i) if i >= 0 else None
        if lid is None:
            left.extend([bos] * (2 - len(left)))
            break
        left.append(lid)
        i -= 1
    v_id, u_id = left[0], left[1]
    right: list[int] = []
    i = index + 1
    while len(right) < 2:
        rid = chosen_id(i) if i < len(positions) else None
        if rid is None:
            right.append(eos)
            break
        right.append(rid)
        i += 1

    cands = np.array([c.lm_id for c in pos.candidates], dtype=np.int64)
    n = len(cands)
    score = weights.channel * np.array([c.channel for c in pos.candidates])
    score = score + weights.lm * scorer(cands, np.full(n, v_id), np.full(n, u_id))
    score = score + weights.lm * scorer(np.full(n, right[0]), cands, np.full(n, v_id))
    if len(right) > 1:
        score = score + weights.lm * scorer(np.full(n, right[1]), np.full(n, right[0]), cands)
    post = np.exp(score - score.max())
    post /= post.sum()
    order = np.argsort(-post)
    return [(int(k), float(post[k])) for k in order]


def batch_local_alternatives(
    positions: Sequence[Position],
    choice: Sequence[int],
    indices: Sequence[int],
    scorer: TrigramScorer,
    bos: int,
    eos: int,
    weights: DecoderWeights | None = None,
) -> dict[int, list[tuple[int, float]]]:
    """:func:`local_alternatives` for many positions at once (three scorer calls in all).

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
        cands = np.fromiter((c.lm_id for c in pos.candidates), dtype=np.int64, count=len(pos.candidates))
        ch = np.fromiter((c.channel for c in pos.candidates), dtype=np.float64, count=len(pos.candidates))
        v_id, u_id = context(index, -1, bos)
        rows.append((index, cands, ch, v_id, u_id, context(index, +1, eos)))
    if not rows:
        return {}
    sizes = [len(r[1]) for r in rows]
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
    out: dict[int, list[tuple[int, float]]] = {}
    start = 0
    for row, size in zip(rows, sizes, strict=True):
        part = score[start : start + size]
        start += size
        post = np.exp(part - part.max())
        post /= post.sum()
        order = np.argsort(-post, kind="stable")
        out[row[0]] = [(int(k), float(post[k])) for k in order]
    return out
