"""The learned OCR channel of one Tesseract model, as the restorer uses it.

Three modules make it; this one gathers their public names:

* :mod:`diacritics.char_channel` — the character channel ``P(observed | intended)`` (:class:`CharChannel`);
* :mod:`diacritics.skeleton_search` — which accent-stripped skeletons produced an observed token;
* :mod:`diacritics.channel_tables` — the shipped tables and their precomputed scores (read only).
"""

from __future__ import annotations

from .channel_tables import (
    SCORES_FORMAT,
    ScoreMemo,
    case_slip_rate,
    load_channel,
    load_table,
    read_table_text,
    score_index_tokens,
    scores_fingerprint,
)
from .char_channel import (
    ENGINES,
    FORMAT,
    INSERTION_FLOOR,
    MAX_EMIT,
    VOWEL_CONFUSION,
    CharChannel,
    search_settings,
)
from .skeleton_search import MEMO_KEYS, SEARCH_BEAM, SkeletonSearch

__all__ = [
    "ENGINES",
    "FORMAT",
    "INSERTION_FLOOR",
    "MAX_EMIT",
    "MEMO_KEYS",
    "SCORES_FORMAT",
    "SEARCH_BEAM",
    "VOWEL_CONFUSION",
    "CharChannel",
    "ScoreMemo",
    "SkeletonSearch",
    "case_slip_rate",
    "load_channel",
    "load_table",
    "read_table_text",
    "score_index_tokens",
    "scores_fingerprint",
    "search_settings",
]
