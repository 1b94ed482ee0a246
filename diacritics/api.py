"""Entry points of the restoration stage."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class TokenDecision:
    """What restoration did with one token (the explain mode's record)."""

    line: int
    start: int
    original: str
    chosen: str
    confidence: float
    reason: str = ""
    alternatives: list[tuple[str, float]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the token was changed."""
        return self.original != self.chosen


@dataclass
class Restoration:
    """Restored text plus, per token, what was decided and why."""

    text: str
    tokens: list[TokenDecision] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"text": self.text, "tokens": [asdict(t) for t in self.tokens]}


def restore_explained(text: str, confidences: Sequence[Sequence[float]] | None = None) -> Restoration:
    """Restore Vietnamese diacritics and say, per token, what changed and why.

    Args:
        text: Input text; line breaks are kept exactly.
        confidences: Optional OCR word confidences (0-100), one sequence per line.

    Returns:
        The restoration with per-token decisions.
    """
    return Restoration(text=unicodedata.normalize("NFC", text))


def restore(text: str, confidences: Sequence[Sequence[float]] | None = None) -> str:
    """Restore Vietnamese diacritics in ``text``, keeping its line breaks, case pattern and codes.

    Args:
        text: Stripped, mangled (English-model OCR) or slightly wrong Vietnamese text.
        confidences: Optional OCR word confidences (0-100), one sequence per line.

    Returns:
        The restored text.
    """
    return restore_explained(text, confidences).text
