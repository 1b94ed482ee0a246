"""Restoration as named passes over one state object, run in the order of :data:`PASSES`.

normalise → tokenise → English passages → regime fit → English-model OCR tokens → lattice → document
codes → lexicon → decode → engine adaptation → batch evidence → confidences → vie mark slips → case slips →
abbreviations → two-letter case → heading labels → written tone placement → report → rebuild. Each pass
reads the models (:class:`diacritics.state.Models`) and changes the state
(:class:`diacritics.state.RestoreState`); a pass that needs the document's words is skipped for a text
without any (no regime can be fitted). Every change to the text after normalisation is a decision
(:mod:`diacritics.plan`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from . import adapt, batch_adapt, lattice_passes, passes, segment, vie_slips
from .batch_adapt import BatchEvidence
from .decoder import batch_local_alternatives, decode
from .lattice import no_completion_of_a_cut_final_word
from .normalise import normalise_text, placed_as_written
from .ocr_tokens import glue_horn_marks, lone_digits_as_words
from .passages import english_passages, vietnamese_words_in_passages
from .plan import Decision, normalise_lines, worth_reporting
from .regime import fit_document, observed_words
from .state import Models, RestoreState
from .tokens import tokenize


def normalise(models: Models, state: RestoreState) -> None:
    """The input as written (NFC, look-alike letters: :func:`diacritics.plan.normalise_lines`) and as the
    models read it (and modern tone placement: :func:`diacritics.normalise.normalise_text`)."""
    state.written = normalise_lines(state.text)
    state.lines = [normalise_text(line) for line in state.written]
    if any(len(a) != len(b) for a, b in zip(state.lines, state.written, strict=True)):  # pragma: no cover
        state.written = list(state.lines)  # placement moves no letter: never expected


def tokenise(models: Models, state: RestoreState) -> None:
    """Cut each line into tokens covering it exactly (:func:`diacritics.tokens.tokenize`)."""
    state.tokenised = [tokenize(line) for line in state.lines]


def find_english_passages(models: Models, state: RestoreState) -> None:
    """Mark the tokens of English passages, kept as written (``english_passages_kept``)."""
    if models.settings.english_passages_kept:
        state.english = english_passages(models.english, state.tokenised)


def fit_regime(models: Models, state: RestoreState) -> None:
    """Fit the document's regime mixture (:func:`diacritics.regime.fit_document`)."""
    state.mixture = fit_document(
        models.candidate_source, models.regime_scores, state.tokenised, state.english
    )


def give_back_vietnamese_words(models: Models, state: RestoreState) -> None:
    """In a mostly damaged text (stripped or English-model OCR), restore the passages' lower-case words made
    of Vietnamese letters (:func:`diacritics.passages.vietnamese_words_in_passages`)."""
    share = state.share
    damaged = share.get("eng", 0.0) + share.get("stripped", 0.0)
    if state.english and damaged >= models.settings.tuning.gate("vietnamese_words_in_passages"):
        state.english -= vietnamese_words_in_passages(models.english, state.tokenised, state.english)


def english_ocr_tokens(models: Models, state: RestoreState) -> None:
    """In English-model OCR, read a word-final apostrophe as a horn and a lone digit as a possible
    syllable (:mod:`diacritics.ocr_tokens`)."""
    eng_share = state.share.get("eng", 0.0)
    tuning = models.settings.tuning
    if eng_share >= tuning.gate("horn_marks"):
        state.tokenised = [glue_horn_marks(toks) for toks in state.tokenised]
    if eng_share >= tuning.gate("lone_digits"):
        state.tokenised = [lone_digits_as_words(toks) for toks in state.tokenised]


def build_lattice(models: Models, state: RestoreState) -> None:
    """Every decodable token's readings, scored by the fitted mixture (:mod:`diacritics.lattice`)."""
    assert state.mixture is not None
    source = models.candidate_source
    source.prefetch(list(dict.fromkeys(observed_words(state.tokenised, state.english))), state.mixture)
    state.positions, state.slots = source.build(
        state.lines, state.tokenised, state.english, state.mixture, state.confidences
    )
    if not models.settings.cut_final_word_completed:
        no_completion_of_a_cut_final_word(state.tokenised, state.slots, state.positions, state.english)


def decode_lattice(models: Models, state: RestoreState) -> None:
    """Choose each token's reading with the LM (:func:`diacritics.decoder.decode`)."""
    state.decoded = decode(
        state.positions,
        _scorer(models, state),
        models.lm.bos,
        models.lm.eos,
        models.settings.weights,
        _bigram(models, state),
    )
    for index, slot in enumerate(state.slots):
        if slot is not None:
            state.replacement[(slot.line, slot.token.start)] = slot.candidates[
                state.decoded.choice[index]
            ].text


def adapt_to_engine(models: Models, state: RestoreState) -> None:
    """In a document with many tokens no channel explains, learn the engine's rewrites from the confident
    readings and decode again with the readings they propose (:mod:`diacritics.adapt`); in a second
    restoration with its batch, with the batch's rewrites too (:mod:`diacritics.batch_adapt`). A short
    text with too few such tokens to learn from alone is adapted in its batch's second restoration."""
    assert state.decoded is not None
    choice = state.decoded.choice
    pending = adapt.unresolved(state.slots, choice)
    lower = sum(1 for s in state.slots if s is not None and s.token.text.islower())
    foreign = sum(
        1
        for index in pending
        if (slot := state.slots[index]) is not None and adapt.foreign_letters(slot.token.text)
    )
    if len(pending) < batch_adapt.MIN_UNRESOLVED or (
        len(pending) < adapt.MIN_UNRESOLVED_SHARE * lower and foreign < adapt.FOREIGN_EVIDENCE
    ):
        return
    state.legacy = True
    state.adapted = len(pending) >= adapt.MIN_UNRESOLVED
    if not state.adapted and state.batch is None:
        return
    pending = adapt.unresolved(state.slots, choice, cased=adapt.CASED_WORDS_ADAPTED)
    original = {
        index: slot
        for index in pending
        if (slot := state.slots[index]) is not None
        and not adapt.glued(state.lines[slot.line], slot.token.start, slot.token.start + len(slot.token.text))
    }
    pooled = (
        [(e.pairs, e.kept, weight) for e, weight in state.batch.pooled] if state.batch is not None else []
    )
    inventory, lm, source = models.inventory, models.lm, models.candidate_source

    def is_key(key: str) -> bool:
        return bool(inventory.variants(key))

    for _round in range(adapt.EM_ROUNDS):
        # hard EM: the rewrites of the readings the last decoding chose confidently, then the readings
        # they propose for the unresolved tokens, decoded again
        confidence = _confidences(models, state, read_only=True)
        learned = adapt.confident_pairs(state.slots, state.decoded.choice, confidence)
        model = adapt.learn(*learned, pooled=pooled)
        if adapt.UNSURE_WIDENED:
            for index in adapt.unsure(state.slots, state.decoded.choice, confidence):
                slot = state.slots[index]
                if (
                    index not in original
                    and slot is not None
                    and not adapt.glued(
                        state.lines[slot.line], slot.token.start, slot.token.start + len(slot.token.text)
                    )
                ):
                    original[index] = slot
        widened = 0
        for index, slot in original.items():
            assert slot is not None
            keys = source.spelling_keys if adapt.GENERIC_KEYS else None
            found = adapt.adapted_keys(slot.observed, model, is_key, keys)
            position = adapt.widened(slot, found, inventory.variants, lm.token_id)
            if position is not slot.position:
                state.slots[index] = replace(slot, position=position)
                state.positions[index] = position
                widened += 1
        if not widened:
            break
        decode_lattice(models, state)
    # words split or glued across a space (:mod:`diacritics.segment`), where the decoding is unsure
    confidence = _confidences(models, state, read_only=True)
    suspicious = {i for i, s in enumerate(state.slots) if s is not None and confidence[i] < adapt.LEARN_FROM}
    weights = models.settings.weights
    if segment.resegment(state, source, model, suspicious, _scorer(models, state), lm.bos, lm.eos, weights):
        decode_lattice(models, state)


def _confidences(models: Models, state: RestoreState, *, read_only: bool) -> list[float]:
    """Each slot's posterior given its neighbours on the decoded path (0 for the slots left out: those
    without a token and, with ``read_only``, those kept as written)."""
    assert state.decoded is not None
    choice = state.decoded.choice
    read = [
        index
        for index, slot in enumerate(state.slots)
        if slot is not None and not (read_only and slot.candidates[choice[index]].reason.startswith("kept"))
    ]
    alternatives = batch_local_alternatives(
        state.positions,
        choice,
        read,
        _scorer(models, state),
        models.lm.bos,
        models.lm.eos,
        models.settings.weights,
    )
    confidence = [0.0] * len(state.slots)
    for index, alts in alternatives.items():
        confidence[index] = next((p for k, p in alts if k == choice[index]), 0.0)
    return confidence


def gather_batch_evidence(models: Models, state: RestoreState) -> None:
    """For a text in a legacy regime whose batch is wanted (``collect``), what it offers the documents of
    its regime group: its confident rewrites and its confidently restored n-grams
    (:mod:`diacritics.batch_adapt`)."""
    if not (state.collect and state.legacy) or state.decoded is None or state.mixture is None:
        return
    choice = state.decoded.choice
    confidence = _confidences(models, state, read_only=False)
    pairs, kept = adapt.confident_pairs(state.slots, choice, confidence)
    scored = [confidence[index] for index, slot in enumerate(state.slots) if slot is not None]
    score = batch_adapt.mean_log_confidence(scored)
    evidence = BatchEvidence(batch_adapt.LEGACY_GROUP, pairs, kept, score=score, adapted=state.adapted)
    vocab, bos, unk = models.lm.vocab, models.lm.bos, models.lm.unk
    run: list[int] = [bos]
    for index, position in enumerate(state.positions):
        if position.sentence_end or not position.candidates:
            run = [bos]
            continue
        slot = state.slots[index]
        chosen = position.candidates[choice[index]]
        trusted = chosen.lm_id != unk and (
            slot is None
            or (confidence[index] >= adapt.LEARN_FROM and not chosen.reason.startswith("kept: not a known"))
        )
        if not trusted:
            run = []
            continue
        run = [*run[-(batch_adapt.CACHE_ORDER - 1) :], chosen.lm_id]
        for size in range(1, len(run) + 1):
            gram = run[-size:]
            if gram != [bos]:
                evidence.ngrams[tuple(vocab[i] for i in gram)] += 1
    state.evidence = evidence


def score_confidences(models: Models, state: RestoreState) -> None:
    """Record the decoder's decisions with each choice's posterior given its neighbours.

    Cheap (three batched trigram look-ups per candidate), so done for every changed token (and with
    ``review_below`` for every token): it gives the confidence used to flag tokens for review even when the
    caller did not ask to explain.
    """
    assert state.decoded is not None
    choice = state.decoded.choice
    reported = [
        index
        for index, slot in enumerate(state.slots)
        if slot is not None
        and (
            state.explain
            or (
                state.want_decisions
                and (state.review_below is not None or slot.candidates[choice[index]].text != slot.token.text)
            )
        )
    ]
    weights = models.settings.weights
    alternatives = batch_local_alternatives(
        state.positions, choice, reported, _scorer(models, state), models.lm.bos, models.lm.eos, weights
    )
    for index in reported:
        slot = state.slots[index]
        assert slot is not None
        chosen = slot.candidates[choice[index]]
        alts = alternatives.get(index, [])
        confidence = next((p for k, p in alts if k == choice[index]), 1.0) if alts else 1.0
        if not state.explain and not worth_reporting(
            slot.token.text, chosen.text, confidence, state.review_below
        ):
            continue
        state.decisions.append(
            Decision(
                line=slot.line + 1,
                start=slot.token.start,
                original=slot.token.text,
                chosen=chosen.text,
                confidence=round(confidence, 4),
                reason=chosen.reason,
                alternatives=[(slot.candidates[k].text, round(p, 4)) for k, p in alts[:5]],
            )
        )


def mend_vie_slips(models: Models, state: RestoreState) -> None:
    """Reread the marked words of ``vie`` OCR for its mark slips (:func:`diacritics.vie_slips.mend`)."""
    vie_slips.mend(models, state, _scorer(models, state))


def select_reports(models: Models, state: RestoreState) -> None:
    """Order the decisions; without ``explain`` keep the changed tokens and those kept as written that a
    reviewer should check (none without ``want_decisions``)."""
    state.decisions.sort(key=lambda d: (d.line, d.start))
    if not state.want_decisions and not state.explain:
        state.decisions.clear()
    elif not state.explain:
        state.decisions[:] = [
            d
            for d in state.decisions
            if worth_reporting(d.original, d.chosen, d.confidence, state.review_below)
        ]


def keep_written_placement(models: Models, state: RestoreState) -> None:
    """Point the decisions at the input as written: a word marked in the old tone placement (``hoà``,
    ``thuỷ``) keeps it, restored or not (:func:`diacritics.normalise.placed_as_written`)."""
    for d in state.decisions:
        written = state.as_written(d.line - 1, d.start, len(d.original))
        if written == d.original:
            continue
        d.original = written
        d.chosen = placed_as_written(d.chosen, written)
        d.alternatives = [(placed_as_written(text, written), p) for text, p in d.alternatives]


def rebuild(models: Models, state: RestoreState) -> None:
    """Join each line's tokens, restored, back into the text (in the tone placement of the input's words)."""
    state.output = "\n".join(
        "".join(
            placed_as_written(state.restored(line_no, t), state.as_written(line_no, t.start, len(t.text)))
            for t in toks
        )
        for line_no, toks in enumerate(state.tokenised)
    )


@dataclass(frozen=True)
class Pass:
    """A named step of restoration."""

    name: str
    run: Callable[[Models, RestoreState], None]
    #: Skipped for a text without a word to restore (no regime fitted).
    needs_words: bool = True


#: The restoration, in order.
PASSES: tuple[Pass, ...] = (
    Pass("normalise", normalise, needs_words=False),
    Pass("tokenise", tokenise, needs_words=False),
    Pass("English passages", find_english_passages, needs_words=False),
    Pass("regime fit", fit_regime, needs_words=False),
    Pass("Vietnamese words in passages", give_back_vietnamese_words),
    Pass("English-model OCR tokens", english_ocr_tokens),
    Pass("lattice", build_lattice),
    Pass("document codes", lattice_passes.keep_document_codes),
    Pass("lexicon", lattice_passes.prefer_lexicon),
    Pass("decode", decode_lattice),
    Pass("engine adaptation", adapt_to_engine),
    Pass("batch evidence", gather_batch_evidence),
    Pass("confidences", score_confidences),
    Pass("vie mark slips", mend_vie_slips),
    Pass("case slips", passes.fix_case_slips),
    Pass("abbreviations", passes.fix_abbreviations),
    Pass("two-letter case", passes.fix_short_word_case),
    Pass("heading labels", passes.repair_heading_labels, needs_words=False),
    Pass("written tone placement", keep_written_placement, needs_words=False),
    Pass("report", select_reports, needs_words=False),
    Pass("rebuild", rebuild, needs_words=False),
)


def run_passes(models: Models, state: RestoreState, steps: tuple[Pass, ...] = PASSES) -> RestoreState:
    """Run ``steps`` over ``state`` in order (those needing words only once a regime is fitted)."""
    for step in steps:
        if step.needs_words and state.mixture is None:
            continue
        step.run(models, state)
    return state


def _scorer(
    models: Models, state: RestoreState | None = None
) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """The decoder's trigram scorer: the LM, interpolated with the batch's n-gram cache in a second
    restoration with its batch (:mod:`diacritics.batch_adapt`)."""
    lm = models.lm
    cache = _batch_cache(models, state)

    def score(w: np.ndarray, v: np.ndarray, u: np.ndarray) -> np.ndarray:
        return np.asarray(lm.spelling_logprob(w, v, u), dtype=np.float64)

    if cache is None:
        return score

    def cached(w: np.ndarray, v: np.ndarray, u: np.ndarray) -> np.ndarray:
        return cache.mixed(score(w, v, u), cache.probability(w, v, u))

    return cached


def _bigram(
    models: Models, state: RestoreState | None = None
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    lm = models.lm
    cache = _batch_cache(models, state)

    def score(w: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.asarray(lm.spelling_logprob(w, v), dtype=np.float64)

    if cache is None:
        return score

    def cached(w: np.ndarray, v: np.ndarray) -> np.ndarray:
        return cache.mixed(score(w, v), cache.probability(w, v))

    return cached


def _batch_cache(models: Models, state: RestoreState | None) -> batch_adapt.NgramCache | None:
    if state is None or state.batch is None:
        return None
    lm = models.lm
    return state.batch.cache(lm.token_id, lm.vocab_size, lm.unk)
