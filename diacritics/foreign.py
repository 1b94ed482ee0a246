"""English passages inside Vietnamese documents: find them, so that restoration leaves them as written.

Legal texts carry English translations of their titles and whole English articles (``GUIDING THE
IMPLEMENTATION OF THE LAW ON ...``, ``Exercise its rights and obligations specified in Articles 19 and 20``,
``CHAIRMAN``); certificates and forms name English tests (``Key English Test``). Restoring them turns
``the`` into ``thể``, ``that`` into ``thất`` and ``if they`` into ``ứ theo``; the document-wide regime fit
also reads their many unknown words as English-model OCR, which lends every other token of the document
a looser channel.

Each word is given a class from its letters alone:

``english``
    a common English word (:data:`ENGLISH_WORDS_FILE`) whose letters are no Vietnamese syllable (``and``,
    ``of``, ``specified``);
``shared``
    both a common English word and the letters of a Vietnamese syllable (``the``, ``in``, ``thong``);
``vietnamese``
    the letters of a Vietnamese syllable that is no common English word (``nguoi``, ``chuc``);
``marked``
    a word with a letter outside ASCII (``người``, ``hién``);
``unknown``
    anything else (names, mangled OCR, codes).

A two-state hidden Markov model (English / Vietnamese) reads the document's words in order, across line
breaks, and Viterbi decides which words are in an English passage. The emission tables are measured: the
Vietnamese state's share of each class is the highest share it has in any kind of Vietnamese input on the
dev data (correct, stripped, ``vie`` and ``eng`` OCR: ``english`` at most 0.74%, in English-model OCR,
where mangled syllables happen to be English words such as ``pang``), so the model leans towards
Vietnamese; the English state's are those of the dev snippets' English passages. Switching states costs
:attr:`EnglishPassageModel.switch_logprob` each way, so a passage needs about three English words in a row
before it counts: a lone ``pang`` or ``cir`` in OCR output never does.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import DataError
from .resources import ENGLISH_WORDS, read_lines

log = logging.getLogger(__name__)

WordClass = Literal["english", "shared", "vietnamese", "marked", "unknown"]

#: The common English words, one per line, most frequent first (built by ``tools.builders.english_words``).
ENGLISH_WORDS_FILE = ENGLISH_WORDS

#: P(class | English passage), measured on the dev snippets' English passages (smoothed).
ENGLISH_EMISSIONS: Mapping[WordClass, float] = {
    "english": 0.80,
    "shared": 0.17,
    "unknown": 0.03,
    "vietnamese": 0.01,
    "marked": 0.001,
}
#: Per class, its highest share in any kind of Vietnamese input of the dev data (rounded up). Not a
#: distribution (the shares sum to 1.99): each class is scored as the Vietnamese regime most likely to
#: produce it, a deliberate lean towards Vietnamese.
VIETNAMESE_EMISSIONS: Mapping[WordClass, float] = {
    "english": 0.01,
    "shared": 0.25,
    "unknown": 0.12,
    "vietnamese": 0.74,
    "marked": 0.87,
}


@functools.cache
def load_english_words(directory: Path | None = None) -> frozenset[str]:
    """The shipped common English words (lower case), loaded once per data folder and process.

    Args:
        directory: Data folder; the packaged ``dictionaries/`` (or ``$VNOCR_DATA_DIR``) when None.

    Raises:
        DataError: The word list is missing or empty.
    """
    lines = read_lines(ENGLISH_WORDS_FILE, directory)
    words = frozenset(line.strip() for line in lines if line.strip())
    if not words:
        raise DataError(
            f"English word list {ENGLISH_WORDS_FILE} is empty; rebuild it with 'make dictionaries'"
        )
    return words


@dataclass
class EnglishPassageModel:
    """Tells English passages from Vietnamese text, word by word (see the module docstring).

    Attributes:
        english_words: Common English words, lower case.
        is_vietnamese_key: Whether lower-case ASCII letters are the accent-stripped form of a Vietnamese
            syllable (``"nguoi"`` → True).
        switch_logprob: Natural-log cost of entering or leaving an English passage.
        english_emissions: P(class | English).
        vietnamese_emissions: Per class, the likelihood of the Vietnamese state (an upper envelope over
            the Vietnamese regimes, see :data:`VIETNAMESE_EMISSIONS`).
    """

    english_words: frozenset[str]
    is_vietnamese_key: Callable[[str], bool]
    switch_logprob: float = math.log(0.002)
    english_emissions: Mapping[WordClass, float] = field(default_factory=lambda: dict(ENGLISH_EMISSIONS))
    vietnamese_emissions: Mapping[WordClass, float] = field(
        default_factory=lambda: dict(VIETNAMESE_EMISSIONS)
    )

    def __post_init__(self) -> None:
        self._word_class = functools.lru_cache(maxsize=65536)(self._classify)

    def word_class(self, word: str) -> WordClass:
        """The class of one word (letters only; see the module docstring)."""
        return self._word_class(word)

    def _classify(self, word: str) -> WordClass:
        if not word.isascii():
            return "marked"
        low = word.lower()
        english = low in self.english_words
        vietnamese = self.is_vietnamese_key(low)
        if english:
            return "shared" if vietnamese else "english"
        return "vietnamese" if vietnamese else "unknown"

    def _shared(self, word: str) -> bool:
        return self.word_class(word) == "shared"

    def english_mask(self, words: Sequence[str], breaks: Sequence[bool] | None = None) -> list[bool]:
        """Which of ``words`` (a document's words in reading order) lie in an English passage.

        Args:
            words: Word tokens (letters only), in order; the model reads across line breaks.
            breaks: Per word, whether a line break or a sentence end comes before it: a passage is not
                widened across one (see :meth:`_widen`). None: no breaks.

        Returns:
            One flag per word.
        """
        if not words:
            return []
        emit = {
            cls: (math.log(self.vietnamese_emissions[cls]), math.log(self.english_emissions[cls]))
            for cls in self.english_emissions
        }
        switch = self.switch_logprob
        # state 0 Vietnamese, 1 English; a document starts in Vietnamese
        vietnamese, english = 0.0, switch
        back: list[tuple[int, int]] = []
        for word in words:
            e_vi, e_en = emit[self.word_class(word)]
            from_vi_to_en = vietnamese + switch
            from_en_to_vi = english + switch
            best_vi = (vietnamese, 0) if vietnamese >= from_en_to_vi else (from_en_to_vi, 1)
            best_en = (english, 1) if english >= from_vi_to_en else (from_vi_to_en, 0)
            back.append((best_vi[1], best_en[1]))
            vietnamese, english = best_vi[0] + e_vi, best_en[0] + e_en
        state = 0 if vietnamese >= english + switch else 1  # and it ends in Vietnamese
        mask = [False] * len(words)
        for i in range(len(words) - 1, -1, -1):
            mask[i] = state == 1
            state = back[i][state]
        return self._widen(words, mask, breaks)

    def _widen(self, words: Sequence[str], mask: list[bool], breaks: Sequence[bool] | None) -> list[bool]:
        """Extend each passage over a ``shared`` word next to it (``He said ...``, ``... DECREE NO``).

        Such a word is about as likely in either language, so Viterbi puts a passage's edge past it only
        because switching there or one word later costs the same. One word each side, and never across a
        line break or a sentence end: a stripped Vietnamese line after an English title (``... LAW`` /
        ``thong tin``) keeps its words.
        """
        n = len(words)
        out = list(mask)
        for i in range(n):
            if not mask[i]:
                continue
            if i > 0 and not mask[i - 1] and not (breaks and breaks[i]) and self._shared(words[i - 1]):
                out[i - 1] = True
            if (
                i + 1 < n
                and not mask[i + 1]
                and not (breaks and breaks[i + 1])
                and self._shared(words[i + 1])
            ):
                out[i + 1] = True
        return out
