"""Build ``dictionaries/en_common_words_20k.txt``, the common English words (part of ``make dictionaries``).

Restoration leaves English passages as written (:mod:`diacritics.foreign`); telling them from Vietnamese
needs to know which words are common English. The list is the 20,000 most frequent words of the English
frequency dictionary that symspellpy (a vnocr dependency) ships as package data,
``frequency_dictionary_en_82_765.txt`` (SymSpell: the intersection of the Google Books Ngram counts with
SCOWL, the Spell Checker Oriented Word Lists), lower case, most frequent first, one per line. Only letter
words are kept (no digits or apostrophes).

Usage: ``python -m tools.builders.english_words --out dictionaries``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from importlib import resources
from pathlib import Path

from diacritics.resources import ENGLISH_WORDS, tag_of, text_header
from ocr_pipeline.textio import atomic_write_text

log = logging.getLogger(__name__)

#: The symspellpy data file the list is taken from.
SOURCE = "frequency_dictionary_en_82_765.txt"
#: How many of its most frequent words are kept (the file name says it).
SIZE = 20_000


def english_words(size: int = SIZE) -> list[str]:
    """The ``size`` most frequent letter words of symspellpy's English dictionary, most frequent first."""
    with (resources.files("symspellpy") / SOURCE).open(encoding="utf-8") as fh:
        rows = [line.split() for line in fh]
    counted = [(word.lower(), int(count)) for word, count in (row for row in rows if len(row) == 2)]
    counted.sort(key=lambda wc: (-wc[1], wc[0]))
    words: list[str] = []
    seen: set[str] = set()
    for word, _count in counted:
        if word.isascii() and word.isalpha() and word not in seen:
            seen.add(word)
            words.append(word)
            if len(words) == size:
                break
    return words


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "dictionaries")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    words = english_words()
    path = args.out / ENGLISH_WORDS
    description = (
        f"the {len(words):,} most frequent letter words of symspellpy's {SOURCE}, lower case, most frequent "
        "first (symspellpy: MIT; Google Books Ngram counts: CC BY 3.0); built by "
        "tools/builders/english_words.py"
    )
    atomic_write_text(path, text_header(tag_of(ENGLISH_WORDS), description) + "\n" + "\n".join(words) + "\n")
    log.info("%s: %d English words from symspellpy's %s", path, len(words), SOURCE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
