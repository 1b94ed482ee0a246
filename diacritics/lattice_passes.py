"""The passes that change the lattice before decoding: document codes kept as written, lexicon phrases
preferred (see :mod:`diacritics.codes` and :mod:`diacritics.lexicon`)."""

from __future__ import annotations

from dataclasses import replace

from .codes import code_tokens
from .decoder import Candidate, Position
from .lattice import TokenSlot
from .lexicon import phrase_text
from .normalise import strip_diacritics
from .state import Models, RestoreState

#: A lexicon phrase replaces marked words written otherwise only where correct text weighs less than this.
MARKED_WORDS_KEPT_FROM = 0.5


def keep_document_codes(models: Models, state: RestoreState) -> None:
    """Give each token of a document code (``TU`` in ``496-TB/TU``) one reading: itself as written, which
    the language model sees as a number (as it sees the codes the tokeniser keeps whole: ``28/KH-UBND``)."""
    state.codes = code_tokens(state.lines, state.tokenised, models.inventory.is_syllable)
    if not state.codes:
        return
    for index, slot in enumerate(state.slots):
        if slot is None or (slot.line, slot.token.start) not in state.codes:
            continue
        own = Candidate(models.lm.num, 0.0, slot.token.text, "kept: document code")
        _set_position(state, index, slot, Position((own,)))


def prefer_lexicon(models: Models, state: RestoreState) -> None:
    """Read each run of adjacent tokens with a lexicon phrase's unmarked letters as the phrase; give each
    single lexicon word its bonus among the readings of the tokens with its letters."""
    lexicon = state.lexicon
    if not lexicon:
        return
    slots = state.slots
    damaged = 1.0 - state.share.get("exact", 0.0)
    longest = lexicon.longest
    index = 0
    while index < len(slots):
        matched = 0
        for size in range(min(longest, len(slots) - index), 1, -1):
            window = slots[index : index + size]
            if any(s is None or not _free(state, s) for s in window):
                continue
            skeleton = [strip_diacritics(s.observed) for s in window if s is not None]
            phrase = lexicon.phrase(skeleton)
            if phrase is None:
                continue
            if damaged < MARKED_WORDS_KEPT_FROM and any(
                s is not None and s.observed != strip_diacritics(s.observed) and s.observed != word
                for s, word in zip(window, phrase, strict=True)
            ):
                continue  # correct text writing other words with these letters
            reason = f"lexicon: '{' '.join(phrase)}'"
            for offset, (slot, word) in enumerate(zip(window, phrase, strict=True)):
                assert slot is not None
                own = next((c for c in slot.candidates if c.text.lower() == word), None)
                text = phrase_text(word, slot.token.text)
                chosen = Candidate(
                    own.lm_id if own is not None else models.lm.token_id(word),
                    own.channel if own is not None else 0.0,
                    text,
                    reason,
                )
                _set_position(state, index + offset, slot, Position((chosen,)))
            matched = size
            break
        if not matched:
            slot = slots[index]
            if slot is not None and _free(state, slot):
                _single_word(models, state, index, slot)
        index += max(matched, 1)


def _single_word(models: Models, state: RestoreState, index: int, slot: TokenSlot) -> None:
    assert state.lexicon is not None
    word = state.lexicon.phrase([strip_diacritics(slot.observed)])
    if word is None:
        return
    bonus = state.lexicon.word_bonus(word[0])
    candidates = list(slot.candidates)
    at = next((k for k, c in enumerate(candidates) if c.text.lower() == word[0]), None)
    if at is None:
        best = max((c.channel for c in candidates), default=0.0)
        candidates.append(
            Candidate(
                models.lm.token_id(word[0]), best + bonus, phrase_text(word[0], slot.token.text), "lexicon"
            )
        )
    else:
        own = candidates[at]
        candidates[at] = replace(own, channel=own.channel + bonus, reason=f"{own.reason}; lexicon")
    _set_position(state, index, slot, Position(tuple(candidates)))


def _free(state: RestoreState, slot: TokenSlot) -> bool:
    """Whether a slot's token may take a lexicon reading (not in a code nor an English passage)."""
    key = (slot.line, slot.token.start)
    return key not in state.codes and key not in state.english


def _set_position(state: RestoreState, index: int, slot: TokenSlot, position: Position) -> None:
    state.slots[index] = replace(slot, position=position)
    state.positions[index] = position
