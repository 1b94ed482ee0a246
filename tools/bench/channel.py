"""Benchmark of the learned OCR channel (issue 4): how well the shipped tables explain OCR output.

Measured on the ``dev`` channel set (legal-snippets validation split rendered to scans and OCRed; never
learned from): per engine, the share of observed tokens identical to the intended syllable, identical after
stripping accents (the baseline "read the token as written"), and with the intended skeleton among the top-k
``CharChannel.skeleton_keys`` of the observed token.
"""

from __future__ import annotations

from typing import Any

from diacritics.char_channel import CharChannel
from tools.builders.channel_learn import channel_statistics, collect
from tools.builders.channel_sets import LANGS, load_set

from .lib import BenchContext, BenchSection, markdown_table

ROWS = [
    ("identical_pct", "observed = intended"),
    ("identical_ignoring_case_pct", "same ignoring case"),
    ("same_skeleton_pct", "same skeleton (baseline: token as written)"),
    ("skeleton_top1_pct", "intended skeleton = top-1 skeleton_keys"),
    ("skeleton_top3_pct", "in top 3"),
    ("skeleton_top5_pct", "in top 5"),
    ("skeleton_top10_pct", "in top 10"),
    ("mangled_skeleton_top1_pct", "mangled tokens: top 1"),
    ("mangled_skeleton_top5_pct", "mangled tokens: top 5"),
]


def run(ctx: BenchContext) -> BenchSection:
    """Channel statistics of the shipped tables on the dev set."""
    results: dict[str, Any] = {}
    for lang in LANGS:
        pages = load_set("dev", lang, ctx.shared)
        if ctx.quick:
            pages = pages[:2]
        collected = collect(pages, keep_pairs=True)
        stats = channel_statistics(collected.one_to_one, CharChannel.load(lang))
        results[lang] = {"pages": collected.pages, "ocr_words": collected.ocr_words, **stats}
    header = ["% of dev tokens (1:1, letters)", *(f"tesseract {lang}" for lang in LANGS)]
    rows = [[label, *(results[lang][key] for lang in LANGS)] for key, label in ROWS]
    rows.insert(
        0, ["pages / tokens", *(f"{results[lang]['pages']} / {results[lang]['tokens']}" for lang in LANGS)]
    )
    markdown = (
        "Dev set: legal-snippets *validation* split rendered by `tools/synthetic.py` (both fonts, "
        "200/300 dpi, mild to heavy degradation) and OCRed with `--psm 4`; the tables were learned from the "
        "*train* split, laws and Wikipedia only. A mangled token is one whose accent-stripped form differs "
        "from the intended syllable's (`chirc` for `chức`).\n\n" + markdown_table(header, rows)
    )
    return BenchSection(
        title="OCR confusion channel (issue 4)",
        command="python -m tools.bench --only channel",
        markdown=markdown,
        results=results,
    )
