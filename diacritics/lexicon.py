"""Domain words and phrases a user (or the project's overlay) asks the restorer to prefer.

A lexicon file has one word or phrase a line, optionally followed by a tab (or spaces) and a count
(``đuối nước``, ``kiện toàn\\t12``); ``#`` starts a comment. The review app writes such a file
(``lexicon.txt``, word TAB count) from the corrections a reviewer makes.

In a text, a run of adjacent words whose unmarked letters are those of a phrase of two or more syllables
(``duoi nuoc``, ``kien toan``) is read as the phrase (:func:`apply_lexicon`); a word written with other
marks than the phrase's is left alone in a text mostly correct. A single word only becomes a reading of the
tokens with its letters, with a bonus: the language model still chooses in context.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .normalise import apply_case, case_pattern, nfc, normalise_syllable, strip_diacritics

log = logging.getLogger(__name__)

#: What a single lexicon word adds to its channel score, per log-count (nats).
WORD_BONUS_PER_LOG_COUNT = 0.5
#: The least a single lexicon word adds (nats).
WORD_BONUS = 2.0
#: Longest phrase looked for (syllables).
MAX_PHRASE = 6
_COUNT = regex.compile(r"^(?P<phrase>.*?)(?:[\t ]+(?P<count>\d+))?\s*$")
_SYLLABLE = regex.compile(r"[\p{L}\p{M}]+")


@dataclass(frozen=True)
class Lexicon:
    """Phrases (tuples of lower-case syllables) with their counts."""

    entries: Mapping[tuple[str, ...], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_skeleton: dict[tuple[str, ...], tuple[str, ...]] = {}
        for phrase, _count in sorted(self.entries.items(), key=lambda kv: (kv[1], kv[0])):
            by_skeleton[tuple(strip_diacritics(s) for s in phrase)] = phrase  # most counted wins
        object.__setattr__(self, "_by_skeleton", by_skeleton)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.entries.items())))

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> Lexicon:
        """A lexicon from the lines of a lexicon file (see the module docstring)."""
        entries: dict[tuple[str, ...], int] = {}
        for raw in lines:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            match = _COUNT.match(line)
            assert match is not None  # the pattern matches any line
            phrase = tuple(normalise_syllable(s.lower()) for s in _SYLLABLE.findall(nfc(match["phrase"])))
            if not phrase or len(phrase) > MAX_PHRASE:
                continue
            entries[phrase] = entries.get(phrase, 0) + int(match["count"] or 1)
        return cls(entries)

    @classmethod
    def load(cls, *paths: str | os.PathLike[str]) -> Lexicon:
        """The merged lexicons of files (a missing file is an error: ``OSError``)."""
        merged = cls()
        for path in paths:
            lexicon = cls.from_lines(Path(path).read_text(encoding="utf-8").splitlines())
            log.debug("lexicon %s: %d entries", path, len(lexicon))
            merged = merged.merged(lexicon)
        return merged

    def merged(self, other: Lexicon | None) -> Lexicon:
        """This lexicon and ``other`` together (counts added)."""
        if not other:
            return self
        if not self:
            return other
        entries = dict(self.entries)
        for phrase, count in other.entries.items():
            entries[phrase] = entries.get(phrase, 0) + count
        return Lexicon(entries)

    @property
    def longest(self) -> int:
        """The most syllables of an entry."""
        return max((len(p) for p in self.entries), default=0)

    def phrase(self, skeleton: Sequence[str]) -> tuple[str, ...] | None:
        """The most counted entry whose unmarked letters are ``skeleton`` (lower case), if any."""
        found: tuple[str, ...] | None = self._by_skeleton.get(tuple(skeleton))  # type: ignore[attr-defined]
        return found

    def word_bonus(self, word: str) -> float:
        """The channel bonus of a single-word entry (0 for a word not in the lexicon alone)."""
        count = self.entries.get((word,))
        return 0.0 if count is None else WORD_BONUS + WORD_BONUS_PER_LOG_COUNT * math.log(count)


def shipped_lexicon() -> Lexicon | None:
    """The project's domain overlay (``make dictionaries`` builds it from an extra corpus folder; None when
    it is empty or not shipped)."""
    from .resources import DOMAIN_LEXICON, locate, read_lines

    if not locate(DOMAIN_LEXICON).is_file():
        return None
    lexicon = Lexicon.from_lines(read_lines(DOMAIN_LEXICON))
    return lexicon or None


def as_lexicon(value: Lexicon | str | os.PathLike[str] | Iterable[str] | None) -> Lexicon | None:
    """A lexicon from what a caller passes: a :class:`Lexicon`, a file's path, or its lines."""
    if value is None or isinstance(value, Lexicon):
        return value
    if isinstance(value, (str, os.PathLike)):
        return Lexicon.load(value)
    return Lexicon.from_lines(value)


def phrase_text(word: str, written: str) -> str:
    """A lexicon word in the case the token is written in."""
    return apply_case(case_pattern(written), word, written)
