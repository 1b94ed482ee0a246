"""Segmentation of a legacy layer: words an engine split or glued across a space, decoded with the LM.

An engine without Vietnamese breaks words where a marked letter confused it (``Hi en`` for ``Hiện``) and
glues others (``h9chanh``). After the engine adaptation (:mod:`diacritics.adapt`), a lattice over the token
stream offers, at each decodable token, its readings (one position), the readings of the token joined with
the next one or two (a space the engine inserted: :data:`JOIN_LOGPROB` a space) and the pairs of readings of
the token cut in two (a space it dropped: :data:`SPLIT_LOGPROB`). The joined and cut strings get their
readings from the same channels as a token (the learned mixture and the adapted rewrites). A beam search
with the trigram LM picks the segmentation; the joins and cuts on its path are applied to the lattice
(a joined run becomes one position, a cut token two), and the lattice is decoded again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz.distance import Levenshtein

from . import adapt
from .decoder import Candidate, DecoderWeights, Position
from .lattice import TokenSlot
from .normalise import strip_diacritics
from .tokens import Token

if TYPE_CHECKING:
    from .adapt import RewriteModel
    from .lattice import CandidateSource
    from .state import RestoreState

log = logging.getLogger(__name__)

#: Channel log-probability of a space the engine inserted inside a word (per space).
JOIN_LOGPROB = math.log(0.02)
#: Channel log-probability of a space the engine dropped between two words.
SPLIT_LOGPROB = math.log(0.01)
#: Most letters edited between a joined string and a reading (unmarked) of it.
JOINED_EDITS = 1
#: Most tokens joined into one syllable.
MAX_JOINED = 3
#: Longest joined or cut string (letters, digits and symbols) looked at.
MAX_LENGTH = 9
#: Shortest token cut in two.
MIN_SPLIT_LENGTH = 4
#: Readings kept per arc source (a position, a joined run, each half of a cut), best channel first.
READINGS_PER_ARC = 6
#: Positions on each side of a join or a cut whose readings the beam searches again.
CONTEXT = 2
#: Hypotheses kept at each token boundary.
BEAM = 12
#: Token kinds that can be joined or cut.
SEGMENTED_KINDS = ("word", "other")

#: ``readings(text, observed, joined) -> candidates`` of a string as if it were one token (kept readings
#: excluded; ``joined``: of tokens joined, whose letters a reading keeps).
Readings = Callable[[str, str, bool], list[Candidate]]
#: ``scorer(w, v, u) -> log P(w | u v)`` over int arrays.
Scorer = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Arc:
    """A way through the token stream: positions ``start`` to ``end`` (exclusive) read as ``ids``.

    ``choice`` is the candidate of a one-position arc (-1 for a join or a cut, whose reading is
    ``candidate``)."""

    start: int
    end: int
    ids: tuple[int, ...]
    channel: float
    choice: int = -1
    candidate: Candidate | None = None
    halves: tuple[Candidate, Candidate] | None = None


@dataclass(frozen=True)
class Edit:
    """A join (``end - start > 1`` positions read as ``candidate``) or a cut (``halves``) on the best path."""

    start: int
    end: int
    candidate: Candidate | None = None
    halves: tuple[Candidate, Candidate] | None = None


def _segmentable(slot: TokenSlot | None, skip: set[tuple[int, int]]) -> bool:
    if slot is None or (slot.line, slot.token.start) in skip or slot.token.kind not in SEGMENTED_KINDS:
        return False
    text = slot.token.text
    return not (len(text) > 1 and text.isupper()) and any(c.isalpha() for c in text)


def join_runs(
    slots: Sequence[TokenSlot | None], lines: Sequence[str], skip: set[tuple[int, int]]
) -> list[tuple[int, int]]:
    """``(start, end)`` of the runs of 2-:data:`MAX_JOINED` adjacent positions whose tokens sit on one line
    separated by one space each, none in capitals, none after the first in title case (a new word)."""
    runs = []
    for start, first in enumerate(slots):
        if not _segmentable(first, skip):
            continue
        assert first is not None
        last: TokenSlot = first
        length = len(first.token.text)
        for end in range(start + 2, min(start + MAX_JOINED, len(slots)) + 1):
            nxt = slots[end - 1]
            if not _segmentable(nxt, skip):
                break
            assert nxt is not None
            gap = lines[last.line][last.token.end : nxt.token.start]
            length += len(nxt.token.text)
            if nxt.line != last.line or gap != " " or not nxt.token.text[:1].islower() or length > MAX_LENGTH:
                break
            runs.append((start, end))
            last = nxt
    return runs


def joined_token(slots: Sequence[TokenSlot | None], lines: Sequence[str], start: int, end: int) -> Token:
    """The token covering positions ``start`` to ``end`` (their text with the spaces between)."""
    first, last = slots[start], slots[end - 1]
    assert first is not None and last is not None
    return Token(lines[first.line][first.token.start : last.token.end], first.token.start, "word")


def arcs(
    positions: Sequence[Position],
    slots: Sequence[TokenSlot | None],
    lines: Sequence[str],
    skip: set[tuple[int, int]],
    readings: Readings,
    cut_tokens: set[int],
) -> dict[int, list[Arc]]:
    """The arcs leaving each position: its own candidates, the joins starting there, the cuts of its token
    (for the positions in ``cut_tokens``)."""
    out: dict[int, list[Arc]] = {}
    for index, position in enumerate(positions):
        if position.sentence_end or not position.candidates:
            continue
        out[index] = [
            Arc(index, index + 1, (c.lm_id,), c.channel, choice=k) for k, c in enumerate(position.candidates)
        ]
    for start, end in join_runs(slots, lines, skip):
        if not any(k in cut_tokens for k in range(start, end)):
            continue
        token = joined_token(slots, lines, start, end)
        observed = "".join(s.observed for s in slots[start:end] if s is not None)
        for c in readings(token.text.replace(" ", ""), observed, True)[:READINGS_PER_ARC]:
            channel = c.channel + JOIN_LOGPROB * (end - start - 1)
            out[start].append(Arc(start, end, (c.lm_id,), channel, candidate=c))
    for index in sorted(cut_tokens):
        slot = slots[index]
        if not _segmentable(slot, skip) or slot is None:
            continue
        text, observed = slot.token.text, slot.observed
        if not (MIN_SPLIT_LENGTH <= len(text) <= MAX_LENGTH) or len(text) != len(observed):
            continue
        for cut in range(1, len(text)):
            left = readings(text[:cut], observed[:cut], False)[:READINGS_PER_ARC]
            if not left:
                continue
            right = readings(text[cut:].lower() if text[:1].isupper() else text[cut:], observed[cut:], False)
            for a in left:
                for b in right[:READINGS_PER_ARC]:
                    channel = a.channel + b.channel + SPLIT_LOGPROB
                    out[index].append(Arc(index, index + 1, (a.lm_id, b.lm_id), channel, halves=(a, b)))
    return out


def fixed(out: dict[int, list[Arc]], choice: Sequence[int]) -> None:
    """Away from the joins and cuts (more than :data:`CONTEXT` positions), keep only the decoded choice:
    the beam then only searches where the segmentation is in question."""
    near: set[int] = set()
    for index, leaving in out.items():
        if any(a.choice < 0 for a in leaving):
            end = max(a.end for a in leaving)
            near.update(range(index - CONTEXT, end + CONTEXT))
    for index, leaving in out.items():
        if index not in near:
            out[index] = [a for a in leaving if a.choice == choice[index]]


@dataclass
class _Hypothesis:
    score: float
    u: int
    v: int
    arc: Arc | None
    back: _Hypothesis | None


def best_path(
    positions: Sequence[Position],
    out: dict[int, list[Arc]],
    scorer: Scorer,
    bos: int,
    eos: int,
    weights: DecoderWeights,
) -> list[Arc]:
    """The beam search's best path through the arcs (:data:`BEAM` hypotheses per boundary, one per pair of
    last words), sentences ending at the lattice's sentence ends."""
    start = _Hypothesis(0.0, bos, bos, None, None)
    beams: dict[int, dict[tuple[int, int], _Hypothesis]] = {0: {(bos, bos): start}}
    n = len(positions)
    for index in range(n):
        beam = beams.pop(index, None)
        if not beam:
            continue
        hyps = sorted(beam.values(), key=lambda h: h.score, reverse=True)[:BEAM]
        position = positions[index]
        if position.sentence_end or not position.candidates:
            best = hyps[0]
            score = best.score
            if position.sentence_end:
                score += weights.lm * float(
                    scorer(np.array([eos]), np.array([best.v]), np.array([best.u]))[0]
                )
                new = _Hypothesis(score, bos, bos, None, best)
            else:
                new = _Hypothesis(score, best.u, best.v, None, best)
            _offer(beams, index + 1, new)
            continue
        leaving = out.get(index, [])
        # every (hypothesis, arc) pair scored in one call per word of the arcs
        us = np.array([h.u for h in hyps for _ in leaving], dtype=np.int64)
        vs = np.array([h.v for h in hyps for _ in leaving], dtype=np.int64)
        first = np.array([a.ids[0] for _ in hyps for a in leaving], dtype=np.int64)
        lm = scorer(first, vs, us)
        second_ids = np.array([a.ids[-1] for _ in hyps for a in leaving], dtype=np.int64)
        lm2 = scorer(second_ids, first, vs)
        k = 0
        for h in hyps:
            for a in leaving:
                two = len(a.ids) == 2
                total = (
                    h.score + weights.channel * a.channel + weights.lm * (lm[k] + (lm2[k] if two else 0.0))
                )
                u, v = (a.ids[0], a.ids[1]) if two else (h.v, a.ids[0])
                _offer(beams, a.end, _Hypothesis(float(total), u, v, a, h))
                k += 1
    final = beams.get(n)
    if not final:
        return []
    best = max(final.values(), key=lambda h: h.score)
    path: list[Arc] = []
    node: _Hypothesis | None = best
    while node is not None:
        if node.arc is not None:
            path.append(node.arc)
        node = node.back
    path.reverse()
    return path


def _offer(beams: dict[int, dict[tuple[int, int], _Hypothesis]], at: int, hyp: _Hypothesis) -> None:
    beam = beams.setdefault(at, {})
    key = (hyp.u, hyp.v)
    if key not in beam or beam[key].score < hyp.score:
        beam[key] = hyp


def edits(path: Sequence[Arc]) -> list[Edit]:
    """The joins and cuts on a path."""
    return [Edit(a.start, a.end, a.candidate, a.halves) for a in path if a.candidate is not None or a.halves]


def apply(
    edits_found: Sequence[Edit],
    positions: list[Position],
    slots: list[TokenSlot | None],
    lines: Sequence[str],
    tokenised: Sequence[Sequence[Token]],
    replacement: dict[tuple[int, int], str],
    joined_readings: Callable[[int, int], list[Candidate]],
) -> None:
    """Apply the edits to the lattice, last first: a joined run becomes one position (its readings: those
    of the joined string, ``joined_readings``), its other tokens and the spaces between them emptied in
    ``replacement``; a cut token keeps one position whose reading writes both halves (scored as the first)
    followed by a copied position scoring the second."""
    for edit in sorted(edits_found, key=lambda e: e.start, reverse=True):
        first = slots[edit.start]
        assert first is not None
        if edit.halves is not None:
            a, b = edit.halves
            text = f"{a.text} {b.text}"
            reason = f"cut in two ({first.token.text} → {text})"
            cut = Position((Candidate(a.lm_id, a.channel + b.channel + SPLIT_LOGPROB, text, reason),))
            slots[edit.start] = replace(first, position=cut)
            positions[edit.start] = cut
            positions.insert(edit.start + 1, Position((Candidate(b.lm_id, 0.0, "", "second half of a cut"),)))
            slots.insert(edit.start + 1, None)
            continue
        token = joined_token(slots, lines, edit.start, edit.end)
        observed = "".join(s.observed for s in slots[edit.start : edit.end] if s is not None)
        readings = joined_readings(edit.start, edit.end)
        joined = Position(tuple(readings))
        line = first.line
        for tok in tokenised[line]:
            if token.start < tok.start < token.end:
                replacement[(line, tok.start)] = ""
        slots[edit.start] = TokenSlot(line, token, observed, joined)
        positions[edit.start] = joined
        del slots[edit.start + 1 : edit.end]
        del positions[edit.start + 1 : edit.end]


def _close(observed: str, key: str) -> bool:
    """Whether a joined string may read as ``key``: no letter lost, at most :data:`JOINED_EDITS` edits."""
    return len(key) >= len(observed) and Levenshtein.distance(observed, key) <= JOINED_EDITS


def resegment(
    state: RestoreState,
    source: CandidateSource,
    model: RewriteModel,
    suspicious: set[int],
    scorer: Scorer,
    bos: int,
    eos: int,
    weights: DecoderWeights,
) -> int:
    """Search the segmentation of an adapted document and apply the joins and cuts its best path takes
    (only those touching a ``suspicious`` position: a reading the decoding was not sure of, or a token it
    kept as unknown); returns how many were applied (the caller decodes again when any)."""
    assert state.mixture is not None
    mixture = state.mixture
    inventory = source.inventory
    cache: dict[tuple[str, str], list[Candidate]] = {}

    def readings(text: str, observed: str, joined: bool) -> list[Candidate]:
        found = cache.get((text, observed))
        if found is not None:
            return found
        own = [
            c
            for c in source.candidates(text, observed, mixture, 0.0)
            if not c.reason.startswith("kept")
            and c.lm_id != source.lm.unk
            and not (joined and not _close(observed, strip_diacritics(c.text.lower())))
        ]
        proposed = {
            key: score
            for key, score in adapt.generic_proposals(observed, model, source.spelling_keys).items()
            if not joined or _close(observed, key)
        }
        probe = TokenSlot(0, Token(text, 0, "word"), observed, Position(tuple(own)))
        widened = adapt.widened(probe, proposed, inventory.variants, source.lm.token_id)
        found = sorted(
            (c for c in widened.candidates if c.lm_id != source.lm.unk),
            key=lambda c: c.channel,
            reverse=True,
        )
        cache[(text, observed)] = found
        return found

    skip = state.codes | state.english
    slots, positions = state.slots, state.positions
    out = arcs(positions, slots, state.lines, skip, readings, suspicious)
    assert state.decoded is not None
    fixed(out, state.decoded.choice)
    path = best_path(positions, out, scorer, bos, eos, weights)
    found = edits(path)
    if not found:
        return 0

    def joined_readings(start: int, end: int) -> list[Candidate]:
        token = joined_token(slots, state.lines, start, end)
        observed = "".join(s.observed for s in slots[start:end] if s is not None)
        cost = JOIN_LOGPROB * (end - start - 1)
        return [
            replace(c, channel=c.channel + cost, reason=f"joined ({token.text}): {c.reason}")
            for c in readings(token.text.replace(" ", ""), observed, True)[:READINGS_PER_ARC]
        ]

    for e in found:
        first = slots[e.start]
        log.debug(
            "segmentation: %s → %s",
            joined_token(slots, state.lines, e.start, e.end).text if first is not None else "?",
            e.candidate.text if e.candidate is not None else [h.text for h in e.halves or ()],
        )
    apply(found, positions, slots, state.lines, state.tokenised, state.replacement, joined_readings)
    log.debug("segmentation: %d joins and cuts", len(found))
    return len(found)
