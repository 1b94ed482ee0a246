"""What the restoration passes share: the state of one text on its way through, and the models they read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from .abbreviations import AbbreviationTable
from .batch_adapt import BatchContext, BatchEvidence
from .casing import CaseModel
from .channel import ChannelMixture
from .decoder import DecodeResult, Position
from .foreign import EnglishPassageModel
from .lattice import CandidateSource, TokenSlot
from .lexicon import Lexicon
from .lm import LanguageModel
from .ocr_channel import CharChannel
from .passages import Spans
from .plan import Decision
from .regime_scores import RegimeScoreTable
from .settings import RestorerSettings
from .syllables import SyllableInventory
from .tokens import Token

if TYPE_CHECKING:
    from .vie_slips import MarkSlipModel


class Models(Protocol):
    """The data and settings the passes read (a :class:`diacritics.restorer.Restorer`)."""

    lm: LanguageModel
    inventory: SyllableInventory
    channels: dict[str, CharChannel]
    settings: RestorerSettings
    case_slips: dict[str, float]
    regime_scores: RegimeScoreTable | None
    candidate_source: CandidateSource

    @property
    def case_model(self) -> CaseModel | None: ...
    @property
    def has_case_model(self) -> bool: ...
    @property
    def abbreviations(self) -> AbbreviationTable: ...
    @property
    def english(self) -> EnglishPassageModel: ...
    @property
    def vie_slips(self) -> MarkSlipModel: ...


@dataclass
class RestoreState:
    """One text on its way through the passes (:data:`diacritics.pipeline.PASSES`).

    Attributes:
        text: The input.
        explain: Report every decodable token with its alternatives.
        confidences: OCR word confidences (0-100) per line, one per whitespace-separated word.
        want_decisions: Report the changed tokens (False: just the text).
        review_below: Also report the tokens kept as written whose confidence is below this.
        lines: The input's lines as the models read them: NFC, look-alike letters, modern tone placement.
        written: The input's lines in NFC with the tone placement as written (decisions point into them; the
            same lengths as ``lines``).
        tokenised: Each line's tokens (covering it exactly).
        english: ``(line, start)`` of the tokens of English passages.
        codes: ``(line, start)`` of the tokens inside document codes, kept as written but for ``D`` → ``Đ``.
        lexicon: The domain words and phrases to prefer (:mod:`diacritics.lexicon`; None: none).
        mixture: The fitted regime mixture (None: the text has no word to restore).
        positions: The lattice, one position per decodable or LM token.
        slots: Per position, its decodable token and readings (None: copied).
        decoded: The decoder's best path.
        replacement: ``(line, start)`` → the token's new text (tokens not in it are copied).
        decisions: What was changed (and, explaining, kept) and why.
        output: The restored text.
        batch: In a second restoration with its batch (:mod:`diacritics.batch_adapt`), what the batch gives
            (the pooled channel, the n-gram cache); None: restored alone.
        collect: Gather the text's :class:`BatchEvidence` for its batch (when it is adapted).
        adapted: Whether the engine adaptation adapted the text alone (a legacy regime).
        legacy: Whether its share of tokens no channel explains is that of a legacy regime (adapted alone,
            or too short to be: adapted with its batch).
        evidence: The evidence gathered (``collect``, adapted text only).
    """

    text: str
    explain: bool = False
    confidences: Sequence[Sequence[float]] | None = None
    want_decisions: bool = True
    review_below: float | None = None
    lines: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    tokenised: list[list[Token]] = field(default_factory=list)
    english: Spans = field(default_factory=set)
    codes: Spans = field(default_factory=set)
    lexicon: Lexicon | None = None
    mixture: ChannelMixture | None = None
    positions: list[Position] = field(default_factory=list)
    slots: list[TokenSlot | None] = field(default_factory=list)
    decoded: DecodeResult | None = None
    replacement: dict[tuple[int, int], str] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    output: str = ""
    batch: BatchContext | None = None
    collect: bool = False
    adapted: bool = False
    legacy: bool = False
    evidence: BatchEvidence | None = None

    @property
    def share(self) -> dict[str, float]:
        """The fitted regime shares (empty without a fit)."""
        return self.mixture.by_name if self.mixture is not None else {}

    def restored(self, line_no: int, token: Token) -> str:
        """A token's text as restored so far (in the models' tone placement)."""
        return self.replacement.get((line_no, token.start), token.text)

    def as_written(self, line_no: int, start: int, size: int) -> str:
        """The input's span as written (tone placement kept) of a span of :attr:`lines`."""
        lines = self.written or self.lines
        return lines[line_no][start : start + size]
