"""Build the structure stage's title tables ``ocr_pipeline/structure/data/`` (``make title-phrases``).

Two tables, counted over the legal text (the law corpus and the legal-snippets ``train`` split; legal
documents are not protected by copyright in Viet Nam, IP Law art. 15, so the counts ship under the
project's licence):

- ``title_bigrams.tsv``: pairs of lower-case syllables printed next to each other (no punctuation between)
  whose accent fold has one reading: at least ``MIN_PAIR`` occurrences, and that reading at least
  ``MIN_SHARE`` of every pair with the same fold (``chuẩn bị``; ``tài nguyên`` / ``tại Nguyễn`` are two
  readings). The trích yếu's tone slips are repaired against them (:mod:`ocr_pipeline.structure.title`).
- ``numeral_words.tsv``: for each syllable (lower-cased) seen at least ``MIN_WORD`` times, how often a
  numeral follows it (``lần 3``, ``Điều 5``) and precedes it (``3 xã``), and its count. A lone digit between
  two words that take no numeral (``hủy 4 diệt``) is a mark's glyph, not title text.

Only counts of syllable pairs and of single syllables are kept: no sentence of any text is shipped.

Usage: ``python -m tools.builders.title_phrases --corpus ../shared/corpus --out ocr_pipeline/structure/data``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import regex

from ocr_pipeline.textio import atomic_write_text
from vntext.fold import fold_upper as fold

from .channel_corpus import legal_training_texts

log = logging.getLogger(__name__)

MIN_PAIR = 100
MIN_SHARE = 0.995
MIN_WORD = 200
#: A word, a numeral, or one mark of punctuation (which breaks a pair).
_TOKEN = regex.compile(r"\p{L}+|\d+|[^\s\p{L}\d]")
_LOWER_WORD = regex.compile(r"\p{Ll}+")
_WORD = regex.compile(r"\p{L}+")


def count(texts: Iterable[str]) -> tuple[Counter[tuple[str, str]], Counter[str], Counter[str], Counter[str]]:
    """Pairs of adjacent lower-case words; per word (lower-cased), its count and how often a numeral
    follows and precedes it."""
    pairs: Counter[tuple[str, str]] = Counter()
    words: Counter[str] = Counter()
    numeral_after: Counter[str] = Counter()
    numeral_before: Counter[str] = Counter()
    for text in texts:
        for line in unicodedata.normalize("NFC", text).splitlines():
            tokens = _TOKEN.findall(line)
            for k, token in enumerate(tokens):
                if not _WORD.fullmatch(token):
                    continue
                word = token.lower()
                words[word] += 1
                nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
                prev = tokens[k - 1] if k else ""
                if nxt.isdigit():
                    numeral_after[word] += 1
                elif _LOWER_WORD.fullmatch(token) and _LOWER_WORD.fullmatch(nxt):
                    pairs[token, nxt] += 1
                if prev.isdigit():
                    numeral_before[word] += 1
    return pairs, words, numeral_after, numeral_before


def unambiguous_pairs(pairs: Counter[tuple[str, str]]) -> list[tuple[str, int]]:
    """The pairs whose accent fold has one reading (see the module's docstring), most frequent first."""
    by_fold: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (a, b), n in pairs.items():
        by_fold[fold(f"{a} {b}")].append((n, f"{a} {b}"))
    kept: list[tuple[str, int]] = []
    for readings in by_fold.values():
        total = sum(n for n, _ in readings)
        n, phrase = max(readings)
        if n >= MIN_PAIR and n >= MIN_SHARE * total:
            kept.append((phrase, n))
    return sorted(kept, key=lambda x: (-x[1], x[0]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--out", type=Path, default=Path("ocr_pipeline/structure/data"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.monotonic()
    pairs, words, after, before = count(legal_training_texts(args.corpus))
    kept = unambiguous_pairs(pairs)
    header = (
        "# counted from ../shared/corpus vlc-laws + legal-snippets (train split) by "
        "tools/builders/title_phrases.py (make title-phrases)\n"
        "# licence: legal documents are not protected by copyright in Viet Nam (IP Law art. 15); these "
        "counts ship under the project's licence\n"
    )
    atomic_write_text(
        args.out / "title_bigrams.tsv", header + "".join(f"{phrase}\t{n}\n" for phrase, n in kept)
    )
    numeral = sorted(w for w in words if words[w] >= MIN_WORD)
    atomic_write_text(
        args.out / "numeral_words.tsv",
        header
        + "# word\tnumeral after\tnumeral before\tcount\n"
        + "".join(f"{w}\t{after[w]}\t{before[w]}\t{words[w]}\n" for w in numeral),
    )
    log.info(
        "title tables: %d pairs, %d numeral words (%.0f s)",
        len(kept),
        len(numeral),
        time.monotonic() - started,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
