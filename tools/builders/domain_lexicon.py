"""Build the project's domain overlay ``dictionaries/lexicon/vi_domain_lexicon.txt`` (``make dictionaries``).

The project may keep an extra corpus folder of its own domain text (``.txt`` and ``.md`` files, correct
Vietnamese): the minutes, plans and reports of the archive it digitises, whose words the general corpora
lack (``đuối nước``, ``kiện toàn``). Every phrase of two or three syllables seen at least ``--min-count``
times there is counted, when it is what its unmarked letters mean in that text at least ``--dominance`` of
the time (``kiện toàn`` for ``kien toan``; a skeleton two phrases share is left to the language model). The
restorer reads the file as a lexicon (:mod:`diacritics.lexicon`) below the user's. Without the folder the
file holds its header only.

Usage: ``python -m tools.builders.domain_lexicon --extra corpus-extra --out dictionaries``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import regex

from diacritics.normalise import nfc, normalise_syllable, strip_diacritics
from diacritics.resources import DOMAIN_LEXICON, tag_of, text_header
from ocr_pipeline.textio import atomic_write_text

log = logging.getLogger(__name__)

#: A run of syllables: words separated by single spaces, not across punctuation or lines.
_RUN = regex.compile(r"[\p{L}\p{M}]+(?: [\p{L}\p{M}]+)*")


def phrase_counts(texts: Iterable[str], sizes: tuple[int, ...] = (2, 3)) -> Counter[tuple[str, ...]]:
    """Occurrences of each phrase of ``sizes`` syllables (lower case) inside runs of words."""
    counts: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        for run in _RUN.finditer(nfc(text)):
            syllables = [normalise_syllable(w.lower()) for w in run.group().split(" ")]
            for size in sizes:
                for k in range(len(syllables) - size + 1):
                    counts[tuple(syllables[k : k + size])] += 1
    return counts


def domain_phrases(
    counts: Counter[tuple[str, ...]], min_count: int = 2, dominance: float = 0.9
) -> dict[tuple[str, ...], int]:
    """The phrases seen ``min_count`` times or more that their skeleton means ``dominance`` of the time, with
    at least one marked syllable (a phrase of unmarked syllables needs no restoring)."""
    by_skeleton: dict[tuple[str, ...], int] = defaultdict(int)
    for phrase, n in counts.items():
        by_skeleton[tuple(strip_diacritics(s) for s in phrase)] += n
    return {
        phrase: n
        for phrase, n in counts.items()
        if n >= min_count
        and any(strip_diacritics(s) != s for s in phrase)
        and n >= dominance * by_skeleton[tuple(strip_diacritics(s) for s in phrase)]
    }


def lexicon_text(phrases: dict[tuple[str, ...], int], source: str) -> str:
    """The file: a header, a comment naming the columns, then ``phrase \\t count``, most counted first."""
    header = text_header(
        tag_of(DOMAIN_LEXICON),
        f"domain phrases of the project's extra corpus ({source}), counted; built by "
        "tools/builders/domain_lexicon.py",
    )
    ranked = sorted(phrases.items(), key=lambda kv: (-kv[1], kv[0]))
    return header + "\n# phrase\tcount\n" + "".join(f"{' '.join(p)}\t{n}\n" for p, n in ranked)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, default=Path("corpus-extra"))
    parser.add_argument("--out", type=Path, default=Path("dictionaries"))
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--dominance", type=float, default=0.9)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="build_domain_lexicon: %(message)s", stream=sys.stderr)
    files = (
        sorted(p for p in args.extra.rglob("*") if p.suffix in (".txt", ".md")) if args.extra.is_dir() else []
    )
    counts = phrase_counts(p.read_text(encoding="utf-8") for p in files)
    phrases = domain_phrases(counts, args.min_count, args.dominance)
    path = args.out / DOMAIN_LEXICON
    atomic_write_text(path, lexicon_text(phrases, f"{len(files)} files" if files else "none"))
    log.info("%s: %d phrases from %d files", path, len(phrases), len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
