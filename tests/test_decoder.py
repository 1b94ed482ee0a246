"""The lattice decoder, checked against brute-force enumeration with a toy trigram model."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from diacritics import decoder
from diacritics.decoder import (
    Candidate,
    DecoderWeights,
    Position,
    TrigramScorer,
    batch_local_alternatives,
    decode,
)

BOS, EOS, VOCAB = 0, 1, 8


def toy_scorer(seed: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    table = np.log(rng.dirichlet(np.ones(VOCAB), size=(VOCAB, VOCAB)))  # table[u, v, w]

    def scorer(w: np.ndarray, v: np.ndarray, u: np.ndarray) -> np.ndarray:
        w, v, u = np.broadcast_arrays(np.asarray(w), np.asarray(v), np.asarray(u))
        return table[u, v, w]

    return scorer


def brute_force(positions: list[Position], scorer, weights: DecoderWeights) -> float:  # type: ignore[no-untyped-def]
    """The best score over every path, each scored by :func:`_path_score`."""
    options = [range(len(p.candidates)) if p.candidates else [-1] for p in positions]
    return max(_path_score(positions, combo, scorer, weights) for combo in itertools.product(*options))


def lattice_strategy(
    max_positions: int, max_candidates: int, lowest_channel: float
) -> st.SearchStrategy[list[Position]]:
    """Lattices of up to ``max_positions`` positions (sentence ends among them), each with up to
    ``max_candidates`` distinct word ids and channel scores in ``[lowest_channel, 0]``."""
    return st.lists(
        st.one_of(
            st.just(Position(sentence_end=True)),
            st.lists(
                st.tuples(st.integers(2, VOCAB - 1), st.floats(lowest_channel, 0)),
                min_size=1,
                max_size=max_candidates,
                unique_by=lambda t: t[0],
            ).map(lambda cs: Position(tuple(Candidate(i, ch, f"w{i}") for i, ch in cs))),
        ),
        min_size=1,
        max_size=max_positions,
    )


lattices = lattice_strategy(max_positions=6, max_candidates=3, lowest_channel=-5)


@settings(max_examples=60, deadline=None)
@given(lattices, st.integers(0, 1000), st.floats(0.2, 2.0))
def test_viterbi_equals_brute_force(positions: list[Position], seed: int, channel_weight: float) -> None:
    scorer = toy_scorer(seed)
    weights = DecoderWeights(lm=1.0, channel=channel_weight, beam=VOCAB * VOCAB)
    result = decode(positions, scorer, BOS, EOS, weights)
    assert abs(result.score - brute_force(positions, scorer, weights)) < 1e-9
    for pos, k in zip(positions, result.choice, strict=True):
        assert (k == -1) == (not pos.candidates)


def test_channel_decides_when_lm_is_flat() -> None:
    def flat(w: np.ndarray, v: np.ndarray, u: np.ndarray) -> np.ndarray:
        return np.zeros(np.broadcast(w, v, u).shape)

    lattice = [Position((Candidate(2, -3.0, "a"), Candidate(3, -0.1, "b")))]
    assert decode(lattice, flat, BOS, EOS).choice == [1]


def test_lm_context_overrides_channel() -> None:
    table = np.full((VOCAB, VOCAB, VOCAB), np.log(1e-6))
    table[BOS, BOS, 2] = 0.0  # "2" starts sentences
    table[BOS, 2, 4] = 0.0  # and "4" follows it, never "5"
    table[2, 4, EOS] = 0.0

    def scorer(w: np.ndarray, v: np.ndarray, u: np.ndarray) -> np.ndarray:
        return table[np.asarray(u), np.asarray(v), np.asarray(w)]

    lattice = [
        Position((Candidate(2, 0.0, "x"),)),
        Position((Candidate(5, -0.5, "five"), Candidate(4, -2.0, "four"))),
    ]
    result = decode(lattice, scorer, BOS, EOS)
    assert result.choice == [0, 1]
    alts = batch_local_alternatives(lattice, result.choice, [1], scorer, BOS, EOS)[1]
    assert alts[0][0] == 1 and alts[0][1] > 0.99
    assert abs(sum(p for _, p in alts) - 1.0) < 1e-9


def test_narrow_beam_still_returns_a_valid_path() -> None:
    scorer = toy_scorer(7)
    lattice = [Position(tuple(Candidate(i, -0.1 * i, str(i)) for i in range(2, VOCAB))) for _ in range(30)]
    result = decode(lattice, scorer, BOS, EOS, DecoderWeights(beam=2))
    assert len(result.choice) == 30 and all(0 <= k < VOCAB - 2 for k in result.choice)


@settings(max_examples=40, deadline=None)
@given(lattices, st.integers(0, 1000))
def test_batched_alternatives_equal_one_by_one(positions: list[Position], seed: int) -> None:
    scorer = toy_scorer(seed)
    result = decode(positions, scorer, BOS, EOS)
    indices = list(range(len(positions)))
    batched = batch_local_alternatives(positions, result.choice, indices, scorer, BOS, EOS)
    for i in indices:
        single = _alternatives_one_by_one(positions, result.choice, i, scorer, BOS, EOS)
        if not single:
            assert i not in batched
            continue
        assert np.allclose(sorted(p for _, p in batched[i]), sorted(p for _, p in single))
        assert batched[i][0][1] == max(p for _, p in single) or np.isclose(batched[i][0][1], single[0][1])


def _alternatives_one_by_one(
    positions: Sequence[Position],
    choice: Sequence[int],
    index: int,
    scorer: TrigramScorer,
    bos: int,
    eos: int,
    weights: DecoderWeights | None = None,
) -> list[tuple[int, float]]:
    """Reference for :func:`batch_local_alternatives`: one position at a time, in plain numpy.

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


def _decode_one_sentence_at_a_time(
    positions: Sequence[Position], scorer: TrigramScorer, weights: DecoderWeights
) -> tuple[list[int], float]:
    """Reference for :func:`decode`'s pruning: each sentence on its own, one word at a time, in plain loops.

    The bigram pass keeps, per position, the ``beam`` best candidates (by their best path through the
    position under the bigram model ``P(w | v)`` = the trigram scorer with ``u = <s>``) within ``margin``
    of the best; the exact trigram Viterbi then runs over the survivors.
    """

    def bigram(w: int, v: int) -> float:
        return weights.lm * float(scorer(np.array([w]), np.array([v]), np.array([BOS]))[0])

    def trigram(w: int, v: int, u: int) -> float:
        return weights.lm * float(scorer(np.array([w]), np.array([v]), np.array([u]))[0])

    sentences: list[list[int]] = [[]]
    for i, pos in enumerate(positions):
        if pos.sentence_end or not pos.candidates:
            sentences.append([])
        else:
            sentences[-1].append(i)
    choice, total = [-1] * len(positions), 0.0
    for sent in sentences:
        cands = [
            [(c.lm_id, weights.channel * c.channel, k) for k, c in enumerate(positions[i].candidates)]
            for i in sent
        ]
        if any(len(c) > weights.beam for c in cands) or weights.margin < math.inf:
            n = len(sent)
            fwd = [[0.0] * len(c) for c in cands]
            bwd = [[0.0] * len(c) for c in cands]
            for t in range(n):
                for j, (w, ch, _) in enumerate(cands[t]):
                    prev = (
                        [(BOS, 0.0)]
                        if t == 0
                        else [(v, fwd[t - 1][i]) for i, (v, _, _) in enumerate(cands[t - 1])]
                    )
                    fwd[t][j] = max(f + bigram(w, v) for v, f in prev) + ch
            for t in range(n - 1, -1, -1):
                for i, (v, _, _) in enumerate(cands[t]):
                    if t == n - 1:
                        bwd[t][i] = bigram(EOS, v)
                    else:
                        bwd[t][i] = max(
                            bigram(w, v) + ch + bwd[t + 1][j] for j, (w, ch, _) in enumerate(cands[t + 1])
                        )
            pruned = []
            for t in range(n):
                through = [f + b for f, b in zip(fwd[t], bwd[t], strict=True)]
                inside = [k for k in range(len(through)) if through[k] >= max(through) - weights.margin]
                best = sorted(inside, key=lambda k: -through[k])[: weights.beam]
                pruned.append([cands[t][k] for k in sorted(best)])
            cands = pruned
        # exact trigram Viterbi over pairs of survivors: state (a, b) -> best score, back-pointer
        states: dict[tuple[int, int], tuple[float, list[int]]] = {(0, 0): (0.0, [])}
        columns = [[(BOS, 0.0, -1)], [(BOS, 0.0, -1)], *cands]
        for t in range(len(cands)):
            new: dict[tuple[int, int], tuple[float, list[int]]] = {}
            for (z, a), (score, path) in states.items():
                u, v = columns[t][z][0], columns[t + 1][a][0]
                for b, (w, ch, k) in enumerate(columns[t + 2]):
                    s = score + trigram(w, v, u) + ch
                    if (a, b) not in new or s > new[(a, b)][0]:
                        new[(a, b)] = (s, [*path, k])
            states = new
        best_score, best_path = -math.inf, []
        for (z, a), (score, path) in states.items():
            s = score + trigram(EOS, columns[len(cands) + 1][a][0], columns[len(cands)][z][0])
            if s > best_score:
                best_score, best_path = s, path
        total += best_score
        for i, k in zip(sent, best_path, strict=True):
            choice[i] = k
    return choice, total


def _path_score(
    positions: Sequence[Position], choice: Sequence[int], scorer: TrigramScorer, weights: DecoderWeights
) -> float:
    """The score of one path through the lattice (``choice``: a candidate index per position)."""
    u, v, score = BOS, BOS, 0.0
    for pos, k in zip(positions, choice, strict=True):
        if pos.sentence_end or not pos.candidates:
            score += weights.lm * float(scorer(np.array([EOS]), np.array([v]), np.array([u]))[0])
            u, v = BOS, BOS
            continue
        c = pos.candidates[k]
        score += weights.lm * float(scorer(np.array([c.lm_id]), np.array([v]), np.array([u]))[0])
        score += weights.channel * c.channel
        u, v = v, c.lm_id
    return score + weights.lm * float(scorer(np.array([EOS]), np.array([v]), np.array([u]))[0])


def _assert_same_decoding(
    result_choice: Sequence[int],
    result_score: float,
    reference: tuple[list[int], float],
    positions: Sequence[Position],
    scorer: TrigramScorer,
    weights: DecoderWeights,
) -> None:
    """The decoder found the reference's best score, by the reference's path or by another path of the same
    score (a tie: random lattices repeat candidates, so two paths can score alike to the last bit)."""
    choice, score = reference
    assert abs(result_score - score) < 1e-9
    if list(result_choice) != choice:
        assert abs(_path_score(positions, result_choice, scorer, weights) - score) < 1e-9


long_lattices = lattice_strategy(max_positions=30, max_candidates=VOCAB - 2, lowest_channel=-8)


@settings(max_examples=60, deadline=None)
@given(
    long_lattices,
    st.integers(0, 1000),
    st.integers(1, 4),
    st.sampled_from([math.inf, 0.5, 3.0]),
    st.booleans(),
)
def test_pruned_decoding_equals_one_sentence_at_a_time(
    positions: list[Position], seed: int, beam: int, margin: float, small_batches: bool
) -> None:
    """All sentences advance together (in batches of sentences, longest first); the result is the same as
    decoding each sentence on its own, pruned candidates included."""
    scorer = toy_scorer(seed)
    weights = DecoderWeights(beam=beam, margin=margin)
    cells = decoder._BATCH_CELLS
    try:
        if small_batches:  # a batch of a few steps: most sentences alone
            decoder._BATCH_CELLS = 4 * max(VOCAB**2, beam**3)
        result = decode(positions, scorer, BOS, EOS, weights)
    finally:
        decoder._BATCH_CELLS = cells
    reference = _decode_one_sentence_at_a_time(positions, scorer, weights)
    _assert_same_decoding(result.choice, result.score, reference, positions, scorer, weights)


@settings(max_examples=30, deadline=None)
@given(lattice_strategy(max_positions=4, max_candidates=VOCAB - 2, lowest_channel=-8), st.integers(0, 1000))
def test_repeated_phrases_decode_as_one_sentence_at_a_time(positions: list[Position], seed: int) -> None:
    """A document repeats its phrases; the decoder scores each distinct pair and triple of candidate lists
    once (the same objects, or equal lists in other objects), with the same result."""
    copies = [Position(tuple(p.candidates), p.sentence_end) for p in positions]
    lattice = positions * 3 + copies + positions[::-1]
    scorer = toy_scorer(seed)
    weights = DecoderWeights(beam=3, margin=4.0)
    result = decode(lattice, scorer, BOS, EOS, weights)
    reference = _decode_one_sentence_at_a_time(lattice, scorer, weights)
    _assert_same_decoding(result.choice, result.score, reference, lattice, scorer, weights)
