"""Build the abbreviation table ``dictionaries/vi_legal_abbreviations.tsv`` (part of ``make dictionaries``).

Document codes and abbreviations (``100/2019/NĐ-CP``, ``QĐ-UBND``, ``HĐND``) lose the bar of their ``Đ`` in
stripped text and in English-model OCR (``ND-CP``, ``QD``, ``HDND``), and the decoder does not read codes. The
table counts, in the legal text (the law corpus and the legal-snippets ``train`` split), every run of two or
more capital letters without a vowel that holds an ``Đ`` (``NĐ``, ``QĐ``, ``HĐND``, ``BLĐTBXH``) and the
party and mass-organisation codes (``PARTY_CODES``: ``TU``, ``ĐU``, ``BCĐ``, each counted at least once;
those with a vowel only inside document codes), and every run that differs from one of them only by ``D``
for ``Đ`` (``ND``: so the restorer knows how often the plain form is itself meant); beside each, how
often it ends a longer run (``LĐTBXH`` in ``BLĐTBXH``; endings of at least ``MIN_ENDING`` letters).
:mod:`diacritics.abbreviations` weighs these counts against the document's regime.

Only counts of such runs are kept, so nothing of the held-out text can leak through the table.

Usage: ``python -m tools.builders.abbreviations --corpus ../shared/corpus --out dictionaries``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from diacritics.abbreviations import CAPITAL_RUN, FORMAT, MIN_ENDING, PARTY_CODES, TABLE, is_vowelless
from diacritics.codes import CODE_SPAN
from diacritics.resources import text_header
from ocr_pipeline.textio import atomic_write_text

from .channel_corpus import legal_training_texts

log = logging.getLogger(__name__)


def count_runs(texts: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    """Occurrences of each vowelless capital run with an ``Đ`` and of its plain twins (``D`` for ``Đ``): as
    whole runs, and as the endings of longer runs."""
    runs: Counter[str] = Counter()
    in_codes: Counter[str] = Counter()
    for text in texts:
        runs.update(m.group() for m in CAPITAL_RUN.finditer(text))
        for code in CODE_SPAN.finditer(text):
            in_codes.update(m.group() for m in CAPITAL_RUN.finditer(code.group()))
    endings: Counter[str] = Counter()
    for run, n in runs.items():
        if is_vowelless(run):
            for start in range(1, len(run) - MIN_ENDING + 1):
                endings[run[start:]] += n
    barred = {run for run in (*runs, *endings) if "Đ" in run and is_vowelless(run)} | set(PARTY_CODES)
    wanted = barred | {run.replace("Đ", "D") for run in barred}
    whole = Counter({run: n for run, n in runs.items() if run in wanted})
    for run in wanted:  # a party code with a vowel (TU, DU) is one only inside a document code
        if not is_vowelless(run):
            whole[run] = in_codes[run]
    for code in PARTY_CODES:  # a known code, seen or not in the corpus
        whole[code] = max(whole[code], 1)
    whole = +whole
    return whole, Counter({run: n for run, n in endings.items() if run in wanted})


def table_text(counts: Counter[str], endings: Counter[str]) -> str:
    """The TSV file: a header, then ``run \\t as a whole run \\t as an ending`` sorted by run."""
    description = (
        "vowelless capital runs with Đ, party and mass-organisation codes, and their plain twins, "
        "counted in Vietnamese legal text "
        "(law corpus + legal-snippets train) as whole runs and as endings of longer runs; built by "
        "tools/builders/abbreviations.py"
    )
    return (
        text_header(FORMAT, description)
        + "\n"
        + "".join(
            f"{run}\t{counts.get(run, 0)}\t{endings.get(run, 0)}\n" for run in sorted({*counts, *endings})
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--out", type=Path, default=Path("dictionaries"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="build_abbreviations: %(message)s", stream=sys.stderr)
    start = time.monotonic()
    counts, endings = count_runs(legal_training_texts(args.corpus, paragraph_separator="\n"))
    path = args.out / TABLE
    atomic_write_text(path, table_text(counts, endings))
    log.info("%s: %d runs, %d endings, %.0f s", path, len(counts), len(endings), time.monotonic() - start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
