"""Build the capitalisation table ``dictionaries/vi_legal_case.json`` (part of ``make dictionaries``).

For a word that follows a lower-case word inside a sentence, how often is it capitalised? ``tổ chức`` almost
never is (so ``tổ Chức`` in OCR output is a slip), ``xã Bằng`` / ``Phòng Giáo`` / ``tại Điều`` usually are.
The table counts, over the legal text (the law corpus and the legal-snippets ``train`` split; only case
statistics are kept, so nothing of the held-out text can leak through it):

- ``pairs``: ``"prev cur"`` → ``[n, n_title]`` for pairs seen at least :data:`MIN_PAIR` times;
- ``prev``: ``prev`` → ``[n, n_title]`` (how often any word after ``prev`` is capitalised);
- ``cur``: ``cur`` → ``[n, n_title]`` (how often ``cur`` is capitalised after a lower-case word).

Only pairs of letter tokens count, where ``prev`` is all lower case and ``cur`` is lower case or title case
(upper-case words are headings or acronyms and say nothing about this). Both are stored lower-case NFC with
the project's tone placement.

Usage: ``python -m tools.builders.case --corpus ../shared/corpus --out dictionaries``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import regex

from diacritics.casing import BREAKS, FORMAT, token_case
from diacritics.normalise import normalise_syllable
from diacritics.resources import CASE_TABLE
from ocr_pipeline.textio import atomic_write_text

from .channel_corpus import legal_training_texts

log = logging.getLogger(__name__)

MIN_PAIR = 5
MIN_SINGLE = 5
#: Letters-only words, or any other single non-space run (numbers, punctuation) that breaks a pair.
_TOKEN = regex.compile(r"\p{L}+|[^\s\p{L}]+")


def legal_texts(corpus: Path) -> Iterator[str]:
    """The law corpus and the legal-snippets ``train`` split (a snippet's title on its own line)."""
    return legal_training_texts(corpus, paragraph_separator="\n")


def count(texts: Iterator[str]) -> tuple[Counter[str], ...]:
    """Pair, previous-word and current-word counts (all, and capitalised)."""
    pair_n: Counter[str] = Counter()
    pair_t: Counter[str] = Counter()
    prev_n: Counter[str] = Counter()
    prev_t: Counter[str] = Counter()
    cur_n: Counter[str] = Counter()
    cur_t: Counter[str] = Counter()
    for text in texts:
        for line in text.splitlines():
            prev: str | None = None
            for match in _TOKEN.finditer(line):
                tok = match.group()
                if not tok[0].isalpha():
                    prev = None if BREAKS.search(tok) else prev
                    continue
                kind = token_case(tok)
                if prev is not None and kind in ("lower", "title"):
                    cur = normalise_syllable(tok.lower())
                    key = f"{prev} {cur}"
                    title = kind == "title"
                    pair_n[key] += 1
                    prev_n[prev] += 1
                    cur_n[cur] += 1
                    if title:
                        pair_t[key] += 1
                        prev_t[prev] += 1
                        cur_t[cur] += 1
                prev = normalise_syllable(tok) if kind == "lower" else None
    return pair_n, pair_t, prev_n, prev_t, cur_n, cur_t


def build(corpus: Path) -> dict[str, Any]:
    """The table (see the module docstring)."""
    pair_n, pair_t, prev_n, prev_t, cur_n, cur_t = count(legal_texts(corpus))

    def table(n: Counter[str], t: Counter[str], minimum: int) -> dict[str, list[int]]:
        return {k: [v, t[k]] for k, v in sorted(n.items()) if v >= minimum}

    return {
        "format": FORMAT,
        "description": (
            "Capitalisation after a lower-case word inside a sentence, counted in Vietnamese legal text "
            "(law corpus + legal-snippets train): pairs 'prev cur', prev and cur -> "
            "[occurrences, capitalised]. "
            "Built by tools/builders/case.py."
        ),
        "min_pair": MIN_PAIR,
        "min_single": MIN_SINGLE,
        "pairs": table(pair_n, pair_t, MIN_PAIR),
        "prev": table(prev_n, prev_t, MIN_SINGLE),
        "cur": table(cur_n, cur_t, MIN_SINGLE),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--out", type=Path, default=Path("dictionaries"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="build_case: %(message)s", stream=sys.stderr)
    start = time.monotonic()
    data = build(args.corpus)
    path = args.out / CASE_TABLE
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    log.info(
        "%s: %d pairs, %d prev, %d cur, %d bytes, %.0f s",
        path,
        len(data["pairs"]),
        len(data["prev"]),
        len(data["cur"]),
        path.stat().st_size,
        time.monotonic() - start,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
