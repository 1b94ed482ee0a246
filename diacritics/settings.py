"""The restorer's settings: what a user may set (:class:`RestorerSettings`) and the constants tuned on the
dev split with the ablation switches of ``tools/tune_restorer.py`` (:class:`Tuning`).

Why each tuned value is what it is, with the dev-split figures: docs/TUNING_SETTINGS.md (and
docs/TUNING.md, docs/TUNING_PRUNING.md for the decoder's weights and pruning).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .decoder import DecoderWeights
from .lexicon import Lexicon

#: The passes and rules gated by the share of one kind of input in the document's fitted regime mixture
#: (:attr:`Tuning.majority`): a word-final apostrophe read as a horn, a lone digit read as a syllable, the
#: edit-distance look-up and two-letter words' case (English-model OCR share); the refit without unmarked
#: names (correct text and ``vie`` OCR); the Vietnamese words of English passages restored (stripped text
#: and English-model OCR).
GATES = (
    "horn_marks",
    "lone_digits",
    "spelling_lookup",
    "short_word_case",
    "names_left_out_of_fit",
    "vietnamese_words_in_passages",
)
#: Rules :attr:`Tuning.switched_off` may name (each on by default): a kept abbreviation rarer than an unknown
#: word is scored as one; a token with accents, digits or symbols is no unknown word of stripped text; a
#: roman numeral is never read as another.
RULES = ("rare_abbreviation_as_unknown", "non_letters_rule_out_stripped", "roman_numerals_kept")


@dataclass(frozen=True)
class Tuning:
    """Constants tuned on the dev split, and the switches ablations turn (see the module docstring)."""

    #: Readings kept per token, ranked by channel score + 0.3 × unigram log-prior (count, >= 1).
    max_candidates: int = 24
    #: Readings ranked this far below the token's best are dropped (nats, > 0).
    rank_margin: float = 12.0
    #: Learned-channel skeletons expanded per mangled token (count, >= 1).
    skeleton_top_k: int = 6
    #: Channel score of keeping an unknown token (name, code, foreign word) as written (log-probability).
    keep_unknown_logprob: float = math.log(0.05)
    #: Taken from that score per letter beyond ``keep_free_letters`` (nats, >= 0).
    keep_letter_cost: float = 0.5
    #: Letters a kept token has free of ``keep_letter_cost`` (count, >= 0).
    keep_free_letters: int = 3
    #: Per regime, how likely an unknown token is meant as written, relative to correct text (1 unlisted).
    keep_unknown_by_regime: dict[str, float] = field(default_factory=lambda: {"eng": 0.01})
    #: The same, where it lists a regime, for an unknown token of letters only, some not ASCII (``riéng``).
    accented_unknown_by_regime: dict[str, float] = field(default_factory=lambda: {"eng": 0.0002})
    #: The stripped regime's factor of that rate for an unknown token in lower case (0-1).
    lowercase_unknown_in_stripped: float = 0.1
    #: Channel score of a lone digit read as a possible syllable being the number (log-probability).
    lone_digit_keep_logprob: float = math.log(0.5)
    #: Skeletons the edit-distance look-up adds, most frequent first (count, >= 1).
    spelling_keys: int = 10
    #: The look-up is made only for a token none of whose readings scores this well (log-probability).
    spelling_below: float = -8.0
    #: Pseudo-counts of the prior over the document's regimes (> 0).
    regime_prior_strength: float = 0.5
    #: The share of them given to correct text; the other regimes share the rest evenly (0-1).
    exact_prior_share: float = 0.25
    #: Distinct tokens (the first ones) the regime fit weighs (count, >= 1).
    regime_sample: int = 300
    #: Regimes weighing less in the fitted mixture are not scored nor expanded (share, 0-1).
    negligible_regime: float = 0.02
    #: The share of a kind of input from which the passes of :data:`GATES` apply (share, 0-1).
    majority: float = 0.5
    #: The ``vie`` OCR share from which marked words are reread for ``vie``'s mark slips (share, 0-1).
    vie_slip_share: float = 0.1
    #: A marked word becomes a reading of its ``vie`` slips at this posterior or more (probability, 0-1).
    vie_slip_posterior: float = 0.95
    #: Pseudo-counts of the rendered pages' mark slips in the real pages' slip model (count, > 0).
    vie_slip_prior_strength: float = 200.0
    #: Ablation: a gate's own threshold instead of ``majority`` (share; ``math.inf``: never, 0: always).
    gates: Mapping[str, float] = field(default_factory=dict)
    #: Ablation: the :data:`RULES` switched off.
    switched_off: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = (set(self.gates) - set(GATES)) | (set(self.switched_off) - set(RULES))
        if unknown:
            raise ValueError(f"unknown gates or rules: {sorted(unknown)}")

    def gate(self, name: str) -> float:
        """The share from which the gated pass ``name`` (one of :data:`GATES`) applies."""
        return self.gates.get(name, self.majority)

    def uses(self, rule: str) -> bool:
        """Whether ``rule`` (one of :data:`RULES`) is on."""
        return rule not in self.switched_off


@dataclass(frozen=True)
class RestorerSettings:
    """What a user of the restorer may set."""

    #: Tokens (changed or kept) whose confidence is below this are flagged for review (probability, 0-1).
    review_threshold: float = 0.9
    #: What an OCR word confidence c adds to reading the word as written: weight × (c - 50) / 50 (nats, >= 0).
    confidence_weight: float = 1.0
    #: Words of English passages (translated titles, articles) are kept as written.
    english_passages_kept: bool = True
    #: The text's last word may be read as a longer word (True only for text cut off mid-word).
    cut_final_word_completed: bool = False
    #: Decoder LM/channel weights and pruning (beam: speed against accuracy; docs/TUNING_PRUNING.md).
    weights: DecoderWeights = field(
        default_factory=lambda: DecoderWeights(beam=8, margin=10.0, candidate_margin=15.0)
    )
    #: Domain words and phrases to prefer (:mod:`diacritics.lexicon`), besides those a call passes.
    lexicon: Lexicon | None = None
    #: The dev-tuned constants and ablation switches (advanced: :class:`Tuning`).
    tuning: Tuning = field(default_factory=Tuning)

    def with_tuning(self, **changes: Any) -> RestorerSettings:
        """These settings with some :class:`Tuning` fields changed."""
        return replace(self, tuning=replace(self.tuning, **changes))
