"""Vietnamese diacritic restoration for stripped, mangled or slightly wrong OCR text.

Public API:
    restore(text) -> str
    restore_explained(text) -> Restoration
"""

from __future__ import annotations

from .api import Restoration, TokenDecision, restore, restore_explained

__all__ = ["Restoration", "TokenDecision", "restore", "restore_explained"]
