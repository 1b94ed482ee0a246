"""Entry points of the restoration stage: :func:`restore`, :func:`restore_explained` and :func:`apply_plan`
(replays a restoration's decisions over its input: ``apply_plan(text, restore_explained(text).tokens)`` is
the restored text)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from . import batch_adapt
from .batch_adapt import BatchContext, BatchEvidence
from .lexicon import Lexicon, as_lexicon
from .plan import apply_plan

if TYPE_CHECKING:
    from .restorer import RestoredText

#: What the entry points take as a lexicon: a :class:`Lexicon`, a lexicon file's path, or its lines.
LexiconLike = Lexicon | str | os.PathLike[str] | Iterable[str] | None

__all__ = [
    "Lexicon",
    "Restoration",
    "TokenDecision",
    "apply_plan",
    "check_data",
    "restore",
    "restore_explained",
    "restore_together",
]


@dataclass
class TokenDecision:
    """What restoration did with one token (the explain mode's record).

    Attributes:
        line: 1-based line number.
        start: Character offset of the token in its line in NFC (see :func:`apply_plan`).
        original: The token as written (a heading label's tokens together: ``I|`` read as ``II``).
        chosen: The token as restored.
        confidence: Posterior probability of the choice given its neighbours (0-1).
        reason: Why the chosen reading was proposed (``as written``, ``same letters``, ``OCR confusion``...).
        alternatives: The best readings with their posterior probabilities, best first.
        review: True when the confidence is low enough that a person should check the token.
    """

    line: int
    start: int
    original: str
    chosen: str
    confidence: float
    reason: str = ""
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    review: bool = False

    @property
    def changed(self) -> bool:
        """Whether the token was changed."""
        return self.original != self.chosen


@dataclass
class Restoration:
    """Restored text plus, per token, what was decided and why.

    Attributes:
        text: The restored text, with the input's line breaks.
        tokens: Decisions (every token in explain mode; otherwise the changed ones and those kept as written
            that are flagged for review).
        regime: Estimated share of each OCR regime in the input (exact, stripped, vie, eng).
    """

    text: str
    tokens: list[TokenDecision] = field(default_factory=list)
    regime: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> list[TokenDecision]:
        """The tokens that were changed."""
        return [t for t in self.tokens if t.changed]

    @property
    def flagged(self) -> list[TokenDecision]:
        """The tokens flagged for human review."""
        return [t for t in self.tokens if t.review]

    def summary(self) -> dict[str, Any]:
        """Counts for the document record: changed tokens, flagged tokens, regime."""
        return {
            "changed_tokens": len(self.changed),
            "flagged_for_review": [
                {
                    "line": t.line,
                    "start": t.start,
                    "original": t.original,
                    "chosen": t.chosen,
                    "confidence": t.confidence,
                    "alternatives": [[word, round(p, 4)] for word, p in t.alternatives[:5]],
                }
                for t in self.flagged
            ],
            "regime": self.regime,
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"text": self.text, "regime": self.regime, "tokens": [asdict(t) for t in self.tokens]}


def restore_explained(
    text: str,
    confidences: Sequence[Sequence[float]] | None = None,
    *,
    explain: bool = True,
    lexicon: LexiconLike = None,
) -> Restoration:
    """Restore Vietnamese diacritics and say, per token, what changed and why.

    Args:
        text: Input text of any kind (stripped, English-model OCR, ``vie`` OCR, correct); line breaks are kept
            exactly.
        confidences: Optional OCR word confidences (0-100), one sequence per line, in word order.
        explain: Report every token with its alternatives; when False, only the changed tokens and the
            tokens kept as written whose confidence is below ``review_threshold`` (flagged for review). Both
            score every token's alternatives.
        lexicon: Domain words and phrases to prefer (:mod:`diacritics.lexicon`): a lexicon, a file's path or
            its lines.

    Returns:
        The restoration with per-token decisions.

    Raises:
        DataError: The shipped language data is missing or corrupt.
    """
    return _restore(text, confidences, explain=explain, decisions=True, lexicon=lexicon)


def _restore(
    text: str,
    confidences: Sequence[Sequence[float]] | None,
    *,
    explain: bool,
    decisions: bool,
    lexicon: LexiconLike = None,
) -> Restoration:
    from .restorer import Restorer

    restorer = Restorer.default()
    collector = _COLLECTOR.get()
    batch = _BATCH.get()
    result = restorer.restore(
        text,
        explain=explain,
        confidences=confidences,
        decisions=decisions,
        review_below=restorer.settings.review_threshold,
        lexicon=as_lexicon(lexicon),
        batch=batch,
        collect=collector is not None,
    )
    if collector is not None:
        collector.append(result.evidence)
    return _restoration(result, restorer.settings.review_threshold)


def _restoration(result: RestoredText, threshold: float) -> Restoration:
    tokens = [
        TokenDecision(
            line=d.line,
            start=d.start,
            original=d.original,
            chosen=d.chosen,
            confidence=d.confidence,
            reason=d.reason,
            alternatives=d.alternatives,
            review=d.confidence < threshold,
        )
        for d in result.decisions
    ]
    return Restoration(text=result.text, tokens=tokens, regime=result.regime)


#: The evidence of the restorations made inside :func:`collecting_evidence` (None: not collecting).
_COLLECTOR: ContextVar[list[BatchEvidence | None] | None] = ContextVar("batch_evidence", default=None)
#: The batch context of the restorations made inside :func:`with_batch` (None: restored alone).
_BATCH: ContextVar[BatchContext | None] = ContextVar("batch_context", default=None)


@contextlib.contextmanager
def collecting_evidence() -> Iterator[list[BatchEvidence | None]]:
    """Collect what each restoration made inside the block offers its batch (the list yielded gets one
    item a restoration: its :class:`BatchEvidence`, or None for text in no legacy regime). For a caller
    that restores through a layer it does not own (a batch's finishing task)."""
    found: list[BatchEvidence | None] = []
    token = _COLLECTOR.set(found)
    try:
        yield found
    finally:
        _COLLECTOR.reset(token)


@contextlib.contextmanager
def with_batch(context: BatchContext | None) -> Iterator[None]:
    """Restore inside the block with a batch's pooled channel and n-gram cache (a second restoration,
    :mod:`diacritics.batch_adapt`)."""
    token = _BATCH.set(context)
    try:
        yield
    finally:
        _BATCH.reset(token)


def restore_together(
    texts: Sequence[str],
    confidences: Sequence[Sequence[Sequence[float]] | None] | None = None,
    *,
    explain: bool = False,
    lexicon: LexiconLike = None,
) -> list[Restoration]:
    """Restore texts as one batch: those in a legacy regime (an engine the learned channels do not know)
    are restored again with what the batch's other texts of their regime read confidently (the engine's
    rewrites, the n-grams: :mod:`diacritics.batch_adapt`), where that restores them with more confidence.

    Args:
        texts: The texts (documents), any regime.
        confidences: Per text, its OCR word confidences (as :func:`restore_explained` takes them), or None.
        explain: Report every token (see :func:`restore_explained`).
        lexicon: Domain words and phrases to prefer, for every text.

    Returns:
        One restoration a text, in order; a text in no legacy regime is restored as :func:`restore_explained`
        restores it alone.
    """
    from .restorer import Restorer

    restorer = Restorer.default()
    threshold = restorer.settings.review_threshold
    words = as_lexicon(lexicon)
    per_text = list(confidences) if confidences is not None else [None] * len(texts)

    def run(index: int, batch: BatchContext | None = None) -> RestoredText:
        return restorer.restore(
            texts[index],
            explain=explain,
            confidences=per_text[index],
            review_below=threshold,
            lexicon=words,
            batch=batch,
            collect=True,
        )

    first = [run(index) for index in range(len(texts))]
    results = list(first)
    for index, context in enumerate(batch_adapt.pool([r.evidence for r in first])):
        if context is None:
            continue
        second = run(index, context)
        if batch_adapt.better(first[index].evidence, second.evidence):
            results[index] = second
    return [_restoration(r, threshold) for r in results]


def restore(
    text: str, confidences: Sequence[Sequence[float]] | None = None, *, lexicon: LexiconLike = None
) -> str:
    """Restore Vietnamese diacritics in ``text``, keeping its line breaks, case pattern and codes.

    Args:
        text: Stripped, mangled (English-model OCR) or slightly wrong Vietnamese text; correct text comes
            out unchanged (in NFC; a marked word in the tone placement it is written in, ``hoà`` or ``hòa``).
        confidences: Optional OCR word confidences (0-100), one sequence per line.
        lexicon: Domain words and phrases to prefer (``đuối nước``): a :class:`Lexicon`, a lexicon file's
            path or its lines (:mod:`diacritics.lexicon`).

    Returns:
        The restored text.

    Example:
        >>> restore("cong tac bao ve, cham soc tre em nam 2021")
        'công tác bảo vệ, chăm sóc trẻ em năm 2021'
    """
    return _restore(text, confidences, explain=False, decisions=False, lexicon=lexicon).text


def check_data() -> None:
    """Load the shipped language data (LM, syllables, OCR channels, case and abbreviation tables, English
    word list) once, so a batch fails fast.

    Raises:
        DataError: Some of the data is missing or corrupt.
    """
    from .restorer import Restorer

    restorer = Restorer.default()
    _ = restorer.case_model, restorer.abbreviations, restorer.english  # loaded lazily otherwise
