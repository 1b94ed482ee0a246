"""Case slips: is a capitalised word inside a sentence a name, or an OCR slip (``tố Chức``, ``nhiệm Vụ``)?

The language model is lower-case, so it cannot say. This module holds the evidence that can: how often a word
is capitalised after a given lower-case word in Vietnamese legal text
(``dictionaries/lexicon/vi_legal_case.json``, built by ``tools/builders/case.py``), and the rule that turns it
into a decision.

With ``p`` the corpus probability that the word is capitalised in this context and ``s`` the probability that
the OCR engine capitalises a lower-case word mid-sentence (learned with the channel; zero for correct or
stripped text), the word is intended lower case when ``s (1 - p) > p``, i.e. ``p < s / (1 + s)``.

Names come in runs (``xã Bằng Mạc``, ``Phòng Giáo dục``): when the next word is capitalised too, only direct
evidence about this very pair counts, never the back-off to the single words.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from .errors import DataError
from .resources import CASE_TABLE, read_json, tag_of

FORMAT = tag_of(CASE_TABLE)
FILE_NAME = CASE_TABLE
#: Tokens after which a capital may start something new (sentence ends, commas, colons, quotes, brackets,
#: list marks, digits): the pair statistics only look at words that follow each other directly.
BREAKS = regex.compile(r"[.,!?:;\"“”'‘’()\[\]\-–—•*+/…\d]")
#: Pair occurrences needed before the pair's own rate is trusted.
MIN_PAIR_EVIDENCE = 20
#: Occurrences needed before a single word's rate is trusted as a back-off.
MIN_SINGLE_EVIDENCE = 50


def token_case(token: str) -> str:
    """``"lower"``, ``"title"`` or ``"other"`` (upper case, mixed, no letters)."""
    if token.islower():
        return "lower"
    if token[:1].isupper() and (len(token) == 1 or token[1:].islower()):
        return "title"
    return "other"


@dataclass(frozen=True)
class CaseDecision:
    """Why a capitalised word was (or was not) lower-cased."""

    lower: bool
    p_title: float
    evidence: str


class CaseModel:
    """Capitalisation rates after a lower-case word (see the module docstring)."""

    def __init__(self, pairs: dict[str, list[int]], prev: dict[str, list[int]], cur: dict[str, list[int]]):
        self._pairs = pairs
        self._prev = prev
        self._cur = cur

    @classmethod
    def load(cls) -> CaseModel:
        """The shipped table, loaded once per process.

        Raises:
            DataError: The table is missing or corrupt.
        """
        return _load_cached()

    def p_title(self, prev: str, cur: str, *, pair_only: bool = False) -> tuple[float, str] | None:
        """Probability that ``cur`` is capitalised after the lower-case word ``prev``, and its evidence.

        Args:
            prev: The previous word, lower case.
            cur: The word, lower case.
            pair_only: Use only the pair's own counts (no back-off to the single words).

        Returns:
            ``(p, evidence)``, or None when there is not enough evidence to say.
        """
        pair = self._pairs.get(f"{prev} {cur}")
        if pair is not None and pair[0] >= MIN_PAIR_EVIDENCE:
            n, t = pair
            return (t + 0.5) / (n + 1.0), f"'{prev} {cur}' capitalised {t}/{n}"
        if pair_only:
            return None
        rates = []
        for name, table, key in (("after", self._prev, prev), ("word", self._cur, cur)):
            hit = table.get(key)
            if hit is not None and hit[0] >= MIN_SINGLE_EVIDENCE:
                n, t = hit
                rates.append(((t + 0.5) / (n + 1.0), f"{name} '{key}' capitalised {t}/{n}"))
        if len(rates) < 2:
            return None  # one word unknown: it may well be a name
        return max(rates)  # the more name-like of the two words decides

    def decide(self, prev: str, cur: str, slip: float, *, in_run: bool) -> CaseDecision | None:
        """Whether a capitalised ``cur`` after lower-case ``prev`` is a slip to lower-case.

        Args:
            prev: Previous word (lower case).
            cur: This word (lower case).
            slip: Probability that the OCR capitalises a lower-case word mid-sentence (per document).
            in_run: The next word is capitalised too (a name is likely: only pair evidence counts).
        """
        if slip <= 0:
            return None
        found = self.p_title(prev, cur, pair_only=in_run)
        if found is None:
            return None
        p, evidence = found
        return CaseDecision(lower=p < slip / (1.0 + slip), p_title=p, evidence=evidence)


@functools.cache
def _load_cached() -> CaseModel:
    data = read_json(FILE_NAME)
    try:
        return CaseModel(data["pairs"], data["prev"], data["cur"])
    except (KeyError, TypeError) as exc:
        raise DataError(f"case table {FILE_NAME} cannot be read: {exc}") from exc
