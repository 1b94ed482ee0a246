"""Restoration as named passes over one state object, run in the order of :data:`PASSES`.

normalise → tokenise → English passages → regime fit → English-model OCR tokens → lattice → document
codes → lexicon → decode → engine adaptation → confidences → case slips → abbreviations → two-letter case →
heading labels → report → rebuild. Each pass reads the models (:class:`diacritics.state.Models`) and changes
the state (:class:`diacritics.state.RestoreState`); a pass that needs the document's words is skipped for a
text without any (no regime can be fitted). Every change to the text after normalisation is a decision
(:mod:`diacritics.plan`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from . import adapt, lattice_passes, passes
from .decoder import batch_local_alternatives, decode
from .lattice import no_completion_of_a_cut_final_word
from .ocr_tokens import glue_horn_marks, lone_digits_as_words
from .passages import english_passages, vietnamese_words_in_passages
from .plan import Decision, normalise_lines, worth_reporting
from .regime import fit_document, observed_words
from .state import Models, RestoreState
from .tokens import tokenize


def normalise(models: Models, state: RestoreState) -> None:
    """NFC, look-alike letters, modern tone placement (:func:`diacritics.plan.normalise_lines`)."""
    state.lines = normalise_lines(state.text)


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
        _scorer(models),
        models.lm.bos,
        models.lm.eos,
        models.settings.weights,
        _bigram(models),
    )
    for index, slot in enumerate(state.slots):
        if slot is not None:
            state.replacement[(slot.line, slot.token.start)] = slot.candidates[
                state.decoded.choice[index]
            ].text


def adapt_to_engine(models: Models, state: RestoreState) -> None:
    """In a document with many tokens no channel explains, learn the engine's rewrites from the confident
    readings and decode again with the readings they propose (:mod:`diacritics.adapt`)."""
    assert state.decoded is not None
    choice = state.decoded.choice
    pending = adapt.unresolved(state.slots, choice)
    lower = sum(1 for s in state.slots if s is not None and s.token.text.islower())
    if len(pending) < adapt.MIN_UNRESOLVED or len(pending) < adapt.MIN_UNRESOLVED_SHARE * lower:
        return
    pending = adapt.unresolved(state.slots, choice, cased=adapt.CASED_WORDS_ADAPTED)
    read = [
        index
        for index, slot in enumerate(state.slots)
        if slot is not None and not slot.candidates[choice[index]].reason.startswith("kept")
    ]
    alternatives = batch_local_alternatives(
        state.positions, choice, read, _scorer(models), models.lm.bos, models.lm.eos, models.settings.weights
    )
    confidence = [0.0] * len(state.slots)
    for index, alts in alternatives.items():
        confidence[index] = next((p for k, p in alts if k == choice[index]), 0.0)
    model = adapt.learn(*adapt.confident_pairs(state.slots, choice, confidence))
    inventory, lm = models.inventory, models.lm

    def is_key(key: str) -> bool:
        return bool(inventory.variants(key))

    widened = 0
    for index in pending:
        slot = state.slots[index]
        assert slot is not None
        found = adapt.proposals(slot.observed, model, is_key)
        position = adapt.widened(slot, found, inventory.variants, lm.token_id)
        if position is not slot.position:
            state.slots[index] = replace(slot, position=position)
            state.positions[index] = position
            widened += 1
    if widened:
        decode_lattice(models, state)


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
        state.positions, choice, reported, _scorer(models), models.lm.bos, models.lm.eos, weights
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


def rebuild(models: Models, state: RestoreState) -> None:
    """Join each line's tokens, restored, back into the text."""
    state.output = "\n".join(
        "".join(state.restored(line_no, t) for t in toks) for line_no, toks in enumerate(state.tokenised)
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
    Pass("confidences", score_confidences),
    Pass("case slips", passes.fix_case_slips),
    Pass("abbreviations", passes.fix_abbreviations),
    Pass("two-letter case", passes.fix_short_word_case),
    Pass("heading labels", passes.repair_heading_labels, needs_words=False),
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


def _scorer(models: Models) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    lm = models.lm

    def score(w: np.ndarray, v: np.ndarray, u: np.ndarray) -> np.ndarray:
        return np.asarray(lm.spelling_logprob(w, v, u), dtype=np.float64)

    return score


def _bigram(models: Models) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    lm = models.lm

    def score(w: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.asarray(lm.spelling_logprob(w, v), dtype=np.float64)

    return score
