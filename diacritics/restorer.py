"""The restorer: the models and settings of restoration, and :meth:`Restorer.restore`, which runs the
passes of :data:`diacritics.pipeline.PASSES` over a text.

Each word of the input gets readings (:mod:`diacritics.lattice`) scored by the document's fitted mixture of
OCR regimes (:mod:`diacritics.regime`); a trigram LM chooses in context (:mod:`diacritics.decoder`), and
later passes mend case slips, codes and heading labels (:mod:`diacritics.passes`). Context flows across
hard-wrapped lines; sentence punctuation resets it. Line breaks, spacing, punctuation, numbers and codes are
copied through; each word keeps its case pattern.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .abbreviations import AbbreviationTable
from .batch_adapt import BatchContext, BatchEvidence
from .casing import CaseModel
from .channel import ChannelMixture
from .foreign import EnglishPassageModel, load_english_words
from .lattice import CandidateSource
from .lexicon import Lexicon, shipped_lexicon
from .lm import LanguageModel
from .ocr_channel import CharChannel, case_slip_rate, score_index_tokens
from .pipeline import run_passes
from .plan import Decision
from .regime import fit_mixture, regime_constants, regime_mixture, regime_names, regime_observations
from .regime_scores import RegimeScoreTable, regime_fingerprint
from .resources import data_dir
from .settings import RestorerSettings
from .state import RestoreState
from .syllables import SyllableInventory
from .vie_slips import MarkSlipModel

__all__ = [
    "CHANNEL_ORDER",
    "Decision",
    "RestoredText",
    "Restorer",
    "RestorerSettings",
    "regime_constants",
    "regime_names",
]

#: The OCR channels of the shipped restorer, in the order its readings expand their skeletons.
CHANNEL_ORDER = ("vie", "eng")


@dataclass
class RestoredText:
    """Output of :meth:`Restorer.restore`."""

    text: str
    decisions: list[Decision]
    regime: dict[str, float]
    #: Whether the engine adaptation adapted the text alone (a legacy regime).
    adapted: bool = False
    #: What the text offers its batch (asked for with ``collect``; adapted text only).
    evidence: BatchEvidence | None = None


class Restorer:
    """Restores Vietnamese diacritics with an LM, a syllable inventory and a learned OCR channel."""

    def __init__(
        self,
        lm: LanguageModel,
        inventory: SyllableInventory,
        channels: dict[str, CharChannel],
        settings: RestorerSettings | None = None,
        case_model: CaseModel | Callable[[], CaseModel] | None = None,
        case_slips: dict[str, float] | None = None,
        abbreviations: AbbreviationTable | None = None,
        regime_scores: RegimeScoreTable | None = None,
        vie_slips: MarkSlipModel | None = None,
    ) -> None:
        self.lm = lm
        self.inventory = inventory
        self.channels = channels
        self.settings = settings or RestorerSettings()
        #: The capitalisation model, or a function loading it on first use (see :attr:`case_model`).
        self._case_model = case_model
        #: Per OCR regime: P(a lower-case word comes out capitalised mid-sentence).
        self.case_slips = case_slips or {}
        self._abbreviations = abbreviations
        #: Precomputed regime-fit rows of common tokens (:mod:`diacritics.regime_scores`), valid for this
        #: restorer's data and reading settings; None: every row is computed.
        self.regime_scores = regime_scores
        self._english: EnglishPassageModel | None = None
        self._vie_slips = vie_slips
        #: The readings of tokens, memoised for this restorer.
        self.candidate_source = CandidateSource(lm, inventory, channels, self.settings, lambda: self.english)

    @classmethod
    @functools.cache
    def default(cls) -> Restorer:
        """The restorer built from the shipped data (loaded once per process)."""
        channels = {name: CharChannel.load(name) for name in CHANNEL_ORDER}
        settings = RestorerSettings(lexicon=shipped_lexicon())
        folder = data_dir()
        regime_scores = RegimeScoreTable.load(
            folder,
            score_index_tokens(folder),
            regime_names(channels),
            regime_fingerprint(folder, regime_constants(channels, settings)),
        )
        return cls(
            LanguageModel.load(),
            SyllableInventory.load(),
            channels,
            settings,
            case_model=CaseModel.load,  # 1 MB of JSON: loaded when a capitalised word needs it
            case_slips={name: case_slip_rate(name) for name in CHANNEL_ORDER},
            regime_scores=regime_scores,
        )

    def restore(
        self,
        text: str,
        explain: bool = False,
        confidences: Sequence[Sequence[float]] | None = None,
        decisions: bool = True,
        review_below: float | None = None,
        lexicon: Lexicon | None = None,
        *,
        batch: BatchContext | None = None,
        collect: bool = False,
    ) -> RestoredText:
        """Restore ``text``, keeping its line breaks exactly: run :data:`diacritics.pipeline.PASSES`.

        Args:
            text: Input text (any regime).
            explain: Also compute per-token alternatives and confidences.
            confidences: OCR word confidences (0-100) per line, one per whitespace-separated word.
            decisions: Report the changed tokens with their confidences (False: just the text, faster).
            review_below: With ``decisions``, also report the tokens kept as written whose confidence is below
                this (what a reviewer should check besides the changes; None: only the changed tokens).
            lexicon: Domain words and phrases to prefer, with the settings' (:mod:`diacritics.lexicon`).
            batch: What the text's batch gives its second restoration (:mod:`diacritics.batch_adapt`).
            collect: Gather what an adapted text offers its batch (:attr:`RestoredText.evidence`).
        """
        state = RestoreState(text, explain, confidences, decisions, review_below)
        state.lexicon = lexicon.merged(self.settings.lexicon) if lexicon else self.settings.lexicon
        state.batch, state.collect = batch, collect
        run_passes(self, state)
        return RestoredText(state.output, state.decisions, state.share, state.adapted, state.evidence)

    def restore_text(self, text: str) -> str:
        """Just the restored text of :meth:`restore`."""
        return self.restore(text).text

    def with_settings(
        self, settings: RestorerSettings | None = None, lm: LanguageModel | None = None
    ) -> Restorer:
        """A restorer sharing this one's data, with other settings (or another LM, for baselines)."""
        settings = settings or self.settings
        same_readings = lm is None and settings.tuning.skeleton_top_k == self.settings.tuning.skeleton_top_k
        return Restorer(
            lm or self.lm,
            self.inventory,
            self.channels,
            settings,
            case_model=self._case_model,
            case_slips=self.case_slips,
            abbreviations=self._abbreviations,
            regime_scores=self.regime_scores if same_readings else None,
            vie_slips=self._vie_slips
            if settings.tuning.vie_slip_prior_strength == self.settings.tuning.vie_slip_prior_strength
            else None,
        )

    # ------------------------------------------------------------------ models loaded on first use
    @property
    def has_case_model(self) -> bool:
        """Whether case slips are mended (a capitalisation model is given, loaded or not)."""
        return self._case_model is not None

    @property
    def case_model(self) -> CaseModel | None:
        """The capitalisation model for case slips (None: case slips are left alone)."""
        if callable(self._case_model) and not isinstance(self._case_model, CaseModel):
            self._case_model = self._case_model()
        return self._case_model

    @property
    def abbreviations(self) -> AbbreviationTable:
        """The abbreviation table (the shipped one unless given; loaded on first use)."""
        if self._abbreviations is None:
            self._abbreviations = AbbreviationTable.load()
        return self._abbreviations

    @property
    def vie_slips(self) -> MarkSlipModel:
        """The model of ``vie``'s mark slips (the shipped one unless given; loaded on first use)."""
        if self._vie_slips is None:
            self._vie_slips = MarkSlipModel.load(prior_strength=self.settings.tuning.vie_slip_prior_strength)
        return self._vie_slips

    @property
    def english(self) -> EnglishPassageModel:
        """The model telling English passages from Vietnamese (its word list is loaded on first use)."""
        if self._english is None:
            syllables = self.inventory.syllables

            def is_vietnamese_key(key: str) -> bool:
                return any(v in syllables for v, _ in self.inventory.variants(key))

            self._english = EnglishPassageModel(load_english_words(), is_vietnamese_key)
        return self._english

    # ------------------------------------------------------------------ for the data builders and tools
    def readings(self, observed: str, engines: Sequence[str] | None = None) -> dict[str, str]:
        """Candidate readings of a lowercase token (:meth:`diacritics.lattice.CandidateSource.readings`)."""
        return self.candidate_source.readings(observed, engines)

    def regime_mixture(self) -> ChannelMixture:
        """The regimes' mixture, weights unfitted (:func:`diacritics.regime.regime_mixture`)."""
        return regime_mixture(self.channels)

    def regime_observations(self, tokens: Sequence[str]) -> list[tuple[str, list[tuple[str, float]]]]:
        """What the regime fit weighs of each token (:func:`diacritics.regime.regime_observations`)."""
        return regime_observations(self.candidate_source, tokens)

    def fit_mixture(self, observed_tokens: Sequence[str]) -> ChannelMixture:
        """The regime mixture fitted on tokens (:func:`diacritics.regime.fit_mixture`)."""
        return fit_mixture(self.candidate_source, self.regime_scores, observed_tokens)
