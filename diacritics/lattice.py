"""The candidate lattice: each decodable token's readings, scored by the document's channel mixture.

A token's readings are the syllables whose accent-stripped skeleton matches it, or matches one of the
skeletons the learned OCR channels say it may come from (and, in English-model OCR, an edit-distance
look-up); each is scored by the per-document channel mixture (:mod:`diacritics.channel`), and an unknown
token may also be kept as written. The decoder (:mod:`diacritics.decoder`) chooses among them in context.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import regex

from .abbreviations import is_vowelless
from .channel import ChannelMixture
from .decoder import Candidate, Position
from .foreign import EnglishPassageModel
from .lm import LanguageModel
from .normalise import CasePattern, apply_case, case_pattern, normalise_syllable, strip_diacritics
from .ocr_channel import CharChannel
from .ocr_tokens import DECODABLE_KINDS
from .passages import Spans
from .settings import RestorerSettings
from .spelling import SkeletonSpeller
from .syllables import SyllableInventory
from .tokens import EOS, Token, lm_token

_WORD_SPAN = regex.compile(r"\S+")
ROMAN = regex.compile(r"[IVXLCDM]+")
#: How a cut excerpt may end after its last word.
_ELLIPSES = frozenset({"...", "…"})


@dataclass
class TokenSlot:
    """A decodable token and its readings."""

    line: int
    token: Token
    observed: str
    position: Position

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """The token's readings, as the decoder sees them."""
        return self.position.candidates


def is_abbreviation(token: str) -> bool:
    """Whether a token looks like an abbreviation rather than a (mangled) syllable.

    Letters without a vowel, in capitals (``VT``, ``PCT``, ``LĐTBXH``) or two letters in title case
    (``Bc``, ``Tw``). Lower-case vowelless runs (``hd``, ``chtrc``) are mangled syllables instead.
    """
    if len(token) < 2 or not token.isalpha() or not is_vowelless(token):
        return False
    return token.isupper() or (len(token) == 2 and token[0].isupper() and token[1].islower())


class CandidateSource:
    """Proposes and scores the readings of tokens (memoised per source: one per restorer)."""

    def __init__(
        self,
        lm: LanguageModel,
        inventory: SyllableInventory,
        channels: dict[str, CharChannel],
        settings: RestorerSettings,
        english: Callable[[], EnglishPassageModel],
    ) -> None:
        self.lm = lm
        self.inventory = inventory
        self.channels = channels
        self.settings = settings
        self.tuning = settings.tuning
        self._english = english
        self._readings_memo: dict[tuple[str, ...], dict[str, dict[str, str]]] = {}
        self._spelling_memo: dict[str, dict[str, str]] = {}
        self._speller: SkeletonSpeller | None = None

    def unigram(self, readings: Sequence[str]) -> np.ndarray:
        return np.asarray(self.lm.spelling_unigram_logprob(self.lm.ids(readings)), dtype=np.float64)

    def readings(self, observed: str, engines: Sequence[str] | None = None) -> dict[str, str]:
        """Candidate readings (lowercase syllables or known tokens) of a lowercase token, with the reason.

        Args:
            observed: The token, lower case.
            engines: The OCR channels whose confusable forms (skeletons) are expanded (default: all of
                them). A document's lattice asks only for the OCR regimes its fitted mixture weighs: a
                reading that only a left-out channel proposes has other letters than the token, which the
                correct-text and stripped regimes give next to nothing, and a weighed OCR regime proposes
                the readings it explains itself.

        Memoised per restorer and set of engines (the regime fit and the lattice both ask for them); the
        result is shared, so callers must not change it.
        """
        chosen = tuple(name for name in self.channels if engines is None or name in engines)
        memo = self._readings_memo.setdefault(chosen, {})
        return _memoised(memo, observed, functools.partial(self._find_readings, engines=chosen))

    def spelling_readings(self, observed: str) -> dict[str, str]:
        """Readings of a lowercase token by edit distance (:mod:`diacritics.spelling`), with the reason.

        Memoised per restorer, like :meth:`readings`; callers must not change the result.
        """
        return _memoised(self._spelling_memo, observed, self._find_spelling_readings)

    def spelling_keys(self, key: str, limit: int) -> list[str]:
        """The ``limit`` skeletons nearest an unmarked lowercase ``key`` within the speller's edit distance
        (:meth:`diacritics.spelling.SkeletonSpeller.nearest`)."""
        if self._speller is None:
            self._speller = SkeletonSpeller(self.inventory)
        return self._speller.nearest(key, limit)

    def _find_spelling_readings(self, observed: str) -> dict[str, str]:
        if self._speller is None:
            self._speller = SkeletonSpeller(self.inventory)
        found: dict[str, str] = {}
        for key in self._speller.keys(strip_diacritics(observed), self.tuning.spelling_keys):
            self._add_variants(found, key, f"spelling ({key})")
        return found

    def document_readings(self, observed: str, abbreviation: bool, mixture: ChannelMixture) -> dict[str, str]:
        """:meth:`readings`, and in English-model OCR (gate ``spelling_lookup``) those of
        :meth:`spelling_readings` when the token is no known reading, no abbreviation, and none of its
        readings explains it well (``spelling_below``)."""
        found = self.readings(observed, self.weighing_engines(mixture))
        gate = self.tuning.gate("spelling_lookup")
        if abbreviation or observed in found or mixture.by_name.get("eng", 0.0) < gate:
            return found
        if found and max(mixture.logprobs(observed, list(found))) >= self.tuning.spelling_below:
            return found  # a reading explains it well enough
        extra = {s: why for s, why in self.spelling_readings(observed).items() if s not in found}
        return {**found, **extra} if extra else found

    def weighing_engines(self, mixture: ChannelMixture) -> tuple[str, ...]:
        """The OCR channels the document's fitted mixture weighs (see :meth:`readings`)."""
        weighing = mixture.weighing
        return tuple(name for name in self.channels if name in weighing)

    def _find_readings(self, observed: str, engines: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.inventory.is_known(observed):
            found[observed] = "as written"
        self._add_variants(found, strip_diacritics(observed), "same letters")
        for name in engines:
            for key in self.channels[name].skeleton_keys(observed)[: self.tuning.skeleton_top_k]:
                self._add_variants(found, key, f"OCR confusion ({key})")
        return found

    def _add_variants(self, found: dict[str, str], key: str, reason: str) -> None:
        """Add the known tokens of skeleton ``key`` to ``found`` with ``reason`` (earlier reasons stay)."""
        for syllable, _prior in self.inventory.variants(key):
            found.setdefault(syllable, reason)

    def _scored_readings(
        self, observed: str, abbreviation: bool, mixture: ChannelMixture, lowercase: bool = False
    ) -> tuple[list[tuple[str, float, str, int]], float | None]:
        """The best readings of an observed token with their channel scores and reasons, and the channel score
        of keeping it as written when it is no known reading (None when it is). Depends only on the token,
        whether it is written in lower case (``lowercase``, see :meth:`keep_share`) and the document's
        mixture, so the lattice computes it once per distinct written word."""
        found = self.document_readings(observed, abbreviation, mixture)
        scored: list[tuple[str, float, str, int]] = []
        if found:
            names = list(found)
            ids = self.lm.ids(names)
            unigram = self.lm.spelling_unigram_logprob(ids).tolist()
            channel = mixture.logprobs(observed, names)
            rank = [ch + 0.3 * uni for ch, uni in zip(channel, unigram, strict=True)]
            ranked = sorted(
                zip(rank, names, channel, ids.tolist(), strict=True), key=lambda t: t[0], reverse=True
            )
            floor = ranked[0][0] - self.tuning.rank_margin
            scored = [
                (r, ch, found[r], lm_id)
                for score, r, ch, lm_id in ranked[: self.tuning.max_candidates]
                if score >= floor
            ]
        keep: float | None = None
        if observed.isdigit():  # a lone digit the document's regime may have made of a letter
            return scored, self.tuning.lone_digit_keep_logprob
        if observed not in found or abbreviation:
            # Keep what is written (a name, a foreign word, a code) when nothing explains it better. An
            # abbreviation-shaped token (VT, PCT, Bc) costs as little as the text is likely undamaged:
            # in correct text it stays, in English-model OCR "PQ" may still be read as "ĐỘ".
            keep = self.tuning.keep_unknown_logprob + self.keep_share(mixture, observed, lowercase)
            keep -= self.tuning.keep_letter_cost * max(0, len(observed) - self.tuning.keep_free_letters)
            if abbreviation:
                weights = mixture.by_name
                keep = max(
                    keep, math.log(max(1e-9, weights.get("exact", 0.0) + weights.get("stripped", 0.0)))
                )
                # its other readings are its own letters with bars (HDND: hđnd) or syllables the OCR stripped
                # of a vowel ("PQ" for "ĐỘ"), never other vowelless tokens ("KT" for "k" needs an inserted T)
                key = strip_diacritics(observed)
                scored = [
                    t
                    for t in scored
                    if t[0] != observed and (strip_diacritics(t[0]) == key or not is_vowelless(t[0]))
                ]
        return scored, keep

    def keep_share(self, mixture: ChannelMixture, observed: str, lowercase: bool = False) -> float:
        """log of how likely an unknown token is to be meant as written, given the document's regimes.

        In correct, stripped or ``vie`` text an unknown token is mostly a name, code or foreign word; in
        English-model OCR it is mostly a mangled syllable (``duogc``, ``thirc``), so keeping it costs more.
        An unknown word of stripped text is letters only (a name, a foreign word), so a token with accents,
        digits or symbols (``huyén``, ``tr¢``, ``c6``) cannot be one: that regime does not count for such a
        token (the others are weighed in their proportions); and its names have capitals, so a word written
        in lower case (``lowercase``) is less likely one (``lowercase_unknown_in_stripped``). A token of
        letters with accents takes the rates of ``accented_unknown_by_regime`` where it lists a regime:
        English-model OCR writes accents only by mangling a letter.
        """
        kappa = dict(self.tuning.keep_unknown_by_regime)
        if observed.isalpha() and not observed.isascii():  # accented letters (see accented_unknown_by_regime)
            kappa.update(self.tuning.accented_unknown_by_regime)
        if lowercase:
            kappa["stripped"] = kappa.get("stripped", 1.0) * self.tuning.lowercase_unknown_in_stripped
        weights = mixture.by_name
        if self.tuning.uses("non_letters_rule_out_stripped") and not (
            observed.isascii() and observed.isalpha()
        ):
            weights.pop("stripped", None)
        total = sum(weights.values())
        share = sum(w * kappa.get(name, 1.0) for name, w in weights.items()) / total if total > 0 else 1.0
        return math.log(max(share, 1e-9))

    def _slot(
        self,
        line: int,
        token: Token,
        mixture: ChannelMixture,
        ocr_confidence: float | None = None,
        cache: dict[tuple[str, float], Position] | None = None,
    ) -> TokenSlot:
        """The token's lattice position (one object for every occurrence of a word with the same OCR
        confidence, so the decoder's arrays of its candidates are built once)."""
        observed = normalise_syllable(token.text.lower())
        bonus = 0.0
        if ocr_confidence is not None and ocr_confidence >= 0:
            bonus = self.settings.confidence_weight * (min(ocr_confidence, 100.0) - 50.0) / 50.0
        key = (token.text, bonus)
        position = cache.get(key) if cache is not None else None
        if position is None:
            position = Position(tuple(self.candidates(token.text, observed, mixture, bonus)))
            if cache is not None:
                cache[key] = position
        return TokenSlot(line, token, observed, position)

    def _english_slot(
        self, line: int, token: Token, mixture: ChannelMixture, cache: dict[str, Position]
    ) -> TokenSlot:
        """The lattice position of a token of an English passage: the token as written, and for a word that
        is no common English word and no name (an OCR slip such as ``OE`` for ``OF``) its readings that are
        common English words. English words, names and codes stay (``the`` never becomes ``thể``, ``Thy``
        never ``The``)."""
        observed = normalise_syllable(token.text.lower())
        position = cache.get(token.text)
        if position is None:
            kept = Candidate(self.lm.token_id(observed), 0.0, token.text, "kept: English passage")
            readings: list[Candidate] = []
            name = token.text[:1].isupper() and not token.text.isupper()
            if (
                token.kind == "word"
                and not name
                and self._english().word_class(token.text) in ("vietnamese", "unknown")
            ):
                english_words = self._english().english_words
                candidates = self.candidates(token.text, observed, mixture, 0.0)
                readings = [c for c in candidates if c.text != token.text and c.text.lower() in english_words]
                if readings:
                    own = next((c for c in candidates if c.text == token.text), None)
                    kept = replace(kept, channel=own.channel) if own is not None else kept
            position = cache[token.text] = Position((*readings, kept))
        return TokenSlot(line, token, observed, position)

    def candidates(self, text: str, observed: str, mixture: ChannelMixture, bonus: float) -> list[Candidate]:
        abbreviation = is_abbreviation(text)
        lowercase = text.isalpha() and text.islower()
        scored, keep = self._scored_readings(observed, abbreviation, mixture, lowercase)
        if self.tuning.uses("roman_numerals_kept") and len(text) > 1 and ROMAN.fullmatch(text):
            # "KHÓA XI" is no slip for "KHÓA XII": the LM's preference between numerals is only which ones
            # its corpus happened to mention (as with digits, kept as <num>); syllable readings stay
            scored = [t for t in scored if t[0] == observed or not ROMAN.fullmatch(t[0].upper())]
        pattern = case_pattern(text)
        as_written = text
        if pattern == "mixed":
            # "cÓ", "tÂm", "ChỨC": OCR noise in the case of a word (no Vietnamese syllable is written so); a
            # syllable reading gets the word's main case, even when its letters are kept as written
            pattern = _main_case(text)
            if self.inventory.is_syllable(observed):
                as_written = apply_case(pattern, observed, text)
        cands = [
            Candidate(
                lm_id=lm_id,
                channel=channel + (bonus if reading == observed else 0.0),
                text=as_written if reading == observed else apply_case(pattern, reading, text),
                reason=reason,
            )
            for reading, channel, reason, lm_id in scored
        ]
        if keep is not None:
            what = (
                "abbreviation" if abbreviation else "number" if observed.isdigit() else "not a known syllable"
            )
            cands.append(
                Candidate(
                    lm_id=self._kept_lm_id(observed, abbreviation),
                    channel=keep,
                    text=text,
                    reason=f"kept: {what}",
                )
            )
        return cands

    def _kept_lm_id(self, observed: str, abbreviation: bool) -> int:
        """The LM id a token kept as written is scored with (see ``rare_abbreviation_as_unknown``)."""
        lm_id = self.lm.token_id(observed)
        if self.tuning.uses("rare_abbreviation_as_unknown") and abbreviation and lm_id != self.lm.unk:
            ids = np.array([lm_id, self.lm.unk])
            own, unknown = self.lm.unigram_logprob(ids).tolist()
            if own < unknown:
                return self.lm.unk
        return lm_id

    # ------------------------------------------------------------------ the document's lattice
    def prefetch(self, distinct: Sequence[str], mixture: ChannelMixture) -> None:
        """Score every distinct word's readings by the OCR channels in a few batched passes; then those the
        spelling look-up adds for the tokens they leave unexplained (an abbreviation's, unused, are few)."""
        engines = self.weighing_engines(mixture)
        for name in engines:  # the lattice's readings come through the regimes the fit weighs
            self.channels[name].prefetch_skeleton_keys(distinct)
        mixture.prefetch([(o, list(self.readings(o, engines))) for o in distinct])
        mixture.prefetch([(o, list(self.document_readings(o, False, mixture))) for o in distinct])

    def build(
        self,
        lines: Sequence[str],
        tokenised: Sequence[Sequence[Token]],
        english: Spans,
        mixture: ChannelMixture,
        confidences: Sequence[Sequence[float]] | None,
    ) -> tuple[list[Position], list[TokenSlot | None]]:
        """The document's lattice: one position per decodable token (its slot) or LM token of the rest
        (copied; a sentence end restarts the context), and per position its slot (None: not decodable)."""
        positions: list[Position] = []
        slots: list[TokenSlot | None] = []
        slot_cache: dict[tuple[str, float], Position] = {}
        english_cache: dict[str, Position] = {}
        for line_no, toks in enumerate(tokenised):
            word_conf = _token_confidences(lines[line_no], toks, confidences, line_no)
            for tok in toks:
                if tok.kind in DECODABLE_KINDS and (line_no, tok.start) in english:
                    new_slot = self._english_slot(line_no, tok, mixture, english_cache)
                    positions.append(new_slot.position)
                    slots.append(new_slot)
                elif tok.kind in DECODABLE_KINDS:
                    new_slot = self._slot(line_no, tok, mixture, word_conf.get(tok.start), slot_cache)
                    positions.append(new_slot.position)
                    slots.append(new_slot)
                else:
                    lm_tok = lm_token(tok.text, tok.kind)
                    if lm_tok == EOS:
                        positions.append(Position(sentence_end=True))
                        slots.append(None)
                    elif lm_tok:
                        positions.append(
                            Position((Candidate(self.lm.token_id(lm_tok), 0.0, tok.text, "copied"),))
                        )
                        slots.append(None)
        return positions, slots


def no_completion_of_a_cut_final_word(
    tokenised: Sequence[Sequence[Token]],
    slots: list[TokenSlot | None],
    positions: list[Position],
    english: Spans,
) -> None:
    """Take from the text's last word, when only space or an ellipsis follows it, the readings whose
    unmarked form extends its own (``tổ chứ`` → ``chức`` or ``chứa``, ``đầ`` → ``đầu``): a text cut off
    mid-word (an excerpt, a database field) ends so, and nothing after it tells what the word was. A word
    of an English passage, and a word all of whose readings extend it, keep them. See
    :attr:`RestorerSettings.cut_final_word_completed`; changes ``slots`` and ``positions`` in place."""
    index = next((k for k in range(len(slots) - 1, -1, -1) if slots[k] is not None), None)
    if index is None:
        return
    slot = slots[index]
    assert slot is not None
    after = [t for t in tokenised[slot.line] if t.start > slot.token.start]
    after += [t for toks in tokenised[slot.line + 1 :] for t in toks]
    cut_off = all(t.kind == "space" or t.text in _ELLIPSES for t in after)
    if not cut_off or (slot.line, slot.token.start) in english:
        return
    written = strip_diacritics(slot.observed)
    kept = tuple(
        c
        for c in slot.candidates
        if not (
            len(reading := strip_diacritics(c.text.lower())) > len(written) and reading.startswith(written)
        )
    )
    if kept and len(kept) < len(slot.candidates):
        position = Position(kept)
        slots[index] = replace(slot, position=position)
        positions[index] = position


def _memoised(
    memo: dict[str, dict[str, str]], key: str, compute: Callable[[str], dict[str, str]]
) -> dict[str, str]:
    """``memo[key]``, computed by ``compute`` on a miss; the memo is emptied once it holds 100,000 entries."""
    hit = memo.get(key)
    if hit is None:
        if len(memo) > 100_000:
            memo.clear()
        hit = memo[key] = compute(key)
    return hit


def _main_case(token: str) -> CasePattern:
    """The case a mixed-case token mostly has: upper, title (first letter only) or lower."""
    uppers = sum(1 for ch in token if ch.isupper())
    lowers = sum(1 for ch in token if ch.islower())
    if uppers > lowers:
        return "upper"
    return "title" if token[:1].isupper() else "lower"


def _token_confidences(
    line: str, tokens: Sequence[Token], confidences: Sequence[Sequence[float]] | None, line_no: int
) -> dict[int, float]:
    """Map each token (by start offset) to the OCR confidence of the whitespace-separated word holding it."""
    if confidences is None or line_no >= len(confidences):
        return {}
    line_conf = confidences[line_no]
    spans = [(m.start(), m.end()) for m in _WORD_SPAN.finditer(line)]
    if len(spans) != len(line_conf):
        return {}  # the text was edited after OCR: don't guess
    out: dict[int, float] = {}
    k = 0
    for tok in tokens:
        while k < len(spans) and spans[k][1] <= tok.start:
            k += 1
        if k < len(spans) and spans[k][0] <= tok.start < spans[k][1]:
            out[tok.start] = float(line_conf[k])
    return out
