"""The lattice decoder, checked against brute-force enumeration with a toy trigram model."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

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
    best = -np.inf
    options = [range(len(p.candidates)) if p.candidates else [-1] for p in positions]
    for combo in itertools.product(*options):
        u, v, score = BOS, BOS, 0.0
        for pos, k in zip(positions, combo, strict=True):
            if k == -1:
                score += weights.lm * float(scorer(np.array([EOS]), np.array([v]), np.array([u]))[0])
                u, v = BOS, BOS
                continue
            c = pos.candidates[k]
            score += weights.lm * float(scorer(np.array([c.lm_id]), np.array([v]), np.array([u]))[0])
            score += weights.channel * c.channel
            u, v = v, c.lm_id
        score += weights.lm * float(scorer(np.array([EOS]), np.array([v]), np.array([u]))[0])
        best = max(best, score)
    return best


lattices = st.lists(
    st.one_of(
        st.just(Position(sentence_end=True)),
        st.lists(
            st.tuples(st.integers(2, VOCAB - 1), st.floats(-5, 0)),
            min_size=1,
            max_size=3,
            unique_by=lambda t: t[0],
        ).map(lambda cs: Position(tuple(Candidate(i, ch, f"w{i}") for i, ch in cs))),
    ),
    min_size=1,
    max_size=6,
)


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
