"""Vietnamese diacritic restoration for stripped, mangled or slightly wrong OCR text.

Public API:
    restore(text) -> str
    restore_explained(text) -> Restoration
    restore_together(texts) -> list[Restoration]   (a batch: legacy-OCR texts helped by each other)
    apply_plan(text, restoration.tokens) -> str   (replays the decisions: the restored text)
    check_data() -> None   (raises DataError when the shipped data is missing)
"""

from __future__ import annotations

from .api import (
    Lexicon,
    Restoration,
    TokenDecision,
    apply_plan,
    check_data,
    restore,
    restore_explained,
    restore_together,
)

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
