"""Build the learned OCR-confusion tables (``make channel``; also part of ``make dictionaries``).

1. Parallel data: the channel sets (tools/builders/channel_sets.py) — corpus text rendered to scans and OCRed
   by Tesseract ``eng`` and ``vie``; built once, then read from ``.cache/channel`` (a rebuild takes ~2
   minutes).
2. Alignment of every page with its truth (tools/builders/align.py).
3. Per engine: the token confusion table, the character channel (EM), the skeleton prior (law corpus), the
   weight of the prior in ``skeleton_keys`` (chosen on a held-out tenth of the training pages).
4. Statistics on the ``dev`` set (legal-snippets validation split), written to the OCR channel section of
   dictionaries/README.md.

Usage: ``python -m tools.builders.channel --corpus ../shared/corpus --out dictionaries``
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import regex

from diacritics.char_channel import CharChannel
from diacritics.resources import channel_table

from .channel_corpus import legal_training_texts
from .channel_learn import channel_statistics, collect, learn_char_channel, skeleton_prior, token_table
from .channel_sets import LANGS, OCR_PSM, SETS, PageRecord, load_set

log = logging.getLogger(__name__)

PRIOR_WEIGHTS = (0.25, 0.5, 0.75, 1.0, 1.5)


def law_texts(corpus: Path) -> Iterator[str]:
    """The law corpus and the legal-snippets train split (the skeleton prior's text; no Wikipedia)."""
    return legal_training_texts(corpus)


def _is_tune_page(rec: PageRecord) -> bool:
    """A tenth of the training documents is held out to choose the skeleton-prior weight."""
    doc = rec.page_id.split("-")[1]
    return doc.isdigit() and int(doc) % 10 == 9


def choose_prior_weight(table: dict[str, Any], tune: list[PageRecord]) -> tuple[float, dict[str, Any]]:
    """The prior weight with the best skeleton recall (top 1 + 3 + 5) on the mangled held-out tokens."""
    pairs = collect(tune, keep_pairs=True).one_to_one
    best: tuple[float, float, dict[str, Any]] | None = None
    for w in PRIOR_WEIGHTS:
        stats = channel_statistics(pairs, CharChannel({**table, "prior_weight": w}))
        score = sum(stats[f"mangled_skeleton_top{k}_pct"] or 0.0 for k in (1, 3, 5))
        log.info("prior weight %.2f: %s", w, {k: v for k, v in stats.items() if "mangled" in k})
        if best is None or score > best[1]:
            best = (w, score, stats)
    assert best is not None
    return best[0], best[2]


#: Observed tokens memoised per engine: the most likely skeletons as typed, plus frequent OCR outputs.
MEMO_SKELETONS = 4000


def skeleton_memo(table: dict[str, Any], pairs: dict[tuple[str, str], int]) -> dict[str, Any]:
    """The answers of the skeleton search for frequent observed tokens, so the restorer need not search.

    Covered: the :data:`MEMO_SKELETONS` most probable skeletons (what stripped text and clean OCR show) and
    every observed token of the training OCR seen at least twice. The answers are exactly what
    :meth:`CharChannel.search_skeleton_keys` returns with the beam recorded here.
    """
    from diacritics.char_channel import search_settings
    from diacritics.skeleton_search import MEMO_KEYS

    channel = CharChannel(table)
    ranked = sorted(table["skeletons"].items(), key=lambda kv: -float(kv[1]))
    observed: Counter[str] = Counter()
    for (obs, _ref), n in pairs.items():
        if " " not in obs:
            observed[obs] += n
    tokens = [s for s, _ in ranked[:MEMO_SKELETONS]] + [o for o, n in observed.most_common() if n >= 2]
    keys = {}
    for tok in dict.fromkeys(tokens):
        keys[tok] = channel.search_skeleton_keys(tok, MEMO_KEYS)
    log.info("skeleton memo: %d tokens", len(keys))
    return {"settings": search_settings(str(table["engine"])), "keys": keys}


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write compact JSON atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def build(corpus: Path, out: Path, shared: Path, iterations: int = 6) -> dict[str, Any]:
    """Build all tables; returns the report (sizes, statistics)."""
    start = time.monotonic()
    log.info("skeleton prior from the law corpus ...")
    skeletons = skeleton_prior(law_texts(corpus))
    report: dict[str, Any] = {"skeletons": len(skeletons), "engines": {}}
    for lang in LANGS:
        records = load_set("train", lang, shared)
        tune = [r for r in records if _is_tune_page(r)]
        learn = [r for r in records if not _is_tune_page(r)]
        log.info("%s: %d training pages (%d held out for tuning)", lang, len(records), len(tune))
        # Choose the prior weight with a channel learned without the held-out pages ...
        provisional = learn_char_channel(collect(learn).pairs, lang, skeletons, iterations=iterations)
        weight, tune_stats = choose_prior_weight(provisional, tune)
        # ... then learn the shipped tables from every training page.
        collected = collect(records)
        char_table = learn_char_channel(
            collected.pairs, lang, skeletons, iterations=iterations, prior_weight=weight
        )
        char_table["skeleton_memo"] = skeleton_memo(char_table, collected.pairs)
        tokens = token_table(collected, lang)
        char_path, token_path = (
            out / channel_table(lang, "char_channel"),
            out / channel_table(lang, "token_confusions"),
        )
        write_json(char_path, char_table)
        write_json(token_path, tokens)
        dev = collect(load_set("dev", lang, shared), keep_pairs=True)
        stats = channel_statistics(dev.one_to_one, CharChannel(char_table))
        report["engines"][lang] = {
            "train_pages": collected.pages,
            "train_ocr_words": collected.ocr_words,
            "train_aligned": dict(collected.kinds),
            "dev_pages": dev.pages,
            "dev_ocr_words": dev.ocr_words,
            "prior_weight": weight,
            "tune_stats": tune_stats,
            "dev_stats": stats,
            "case": tokens["case"],
            "char_table": {
                "file": char_path.relative_to(out).as_posix(),
                "bytes": char_path.stat().st_size,
                "intended_chars": len(char_table["emissions"]),
                "emissions": sum(len(t) for t in char_table["emissions"].values()),
            },
            "token_table": {
                "file": token_path.relative_to(out).as_posix(),
                "bytes": token_path.stat().st_size,
                "observed_tokens": len(tokens["confusions"]),
                "pairs": sum(len(t) for t in tokens["confusions"].values()),
            },
        }
        log.info("%s: dev statistics %s", lang, stats)
    report["seconds"] = round(time.monotonic() - start, 1)
    write_readme(out / "README.md", report)
    return report


def _set_sizes() -> list[list[Any]]:
    from .channel_sets import is_built

    rows = []
    for name in SETS:
        if not is_built(name):
            continue
        for lang in LANGS:
            recs = load_set(name, lang)
            rows.append([name, lang, len(recs), sum(len(r.ocr_words) for r in recs)])
    return rows


#: The section of dictionaries/README.md this build writes (between its two marker lines).
README_SECTION = "channel-tables"


def write_readme(path: Path, report: dict[str, Any]) -> None:
    """The measured part of dictionaries/README.md's OCR channel section: the tables' sizes, the parallel
    data, the channel and case statistics (the prose around it is written by hand)."""
    from tools.bench.lib import markdown_table

    eng = report["engines"]
    stat_keys = [
        ("tokens", "dev tokens (1:1, letters only)"),
        ("identical_pct", "observed = intended (%)"),
        ("identical_ignoring_case_pct", "same ignoring case (%)"),
        ("same_skeleton_pct", "same after stripping accents (%)"),
        ("skeleton_top1_pct", "skeleton in skeleton_keys top 1 (%)"),
        ("skeleton_top3_pct", "... top 3 (%)"),
        ("skeleton_top5_pct", "... top 5 (%)"),
        ("skeleton_top10_pct", "... top 10 (%)"),
        ("mangled_tokens", "tokens whose skeleton differs"),
        ("mangled_skeleton_top1_pct", "of those: top 1 (%)"),
        ("mangled_skeleton_top3_pct", "of those: top 3 (%)"),
        ("mangled_skeleton_top5_pct", "of those: top 5 (%)"),
        ("mangled_skeleton_top10_pct", "of those: top 10 (%)"),
    ]
    stats_rows = [[label, *(eng[lang]["dev_stats"][key] for lang in eng)] for key, label in stat_keys]
    size_rows = []
    for lang in eng:
        c, t = eng[lang]["char_table"], eng[lang]["token_table"]
        size_rows.append(
            [
                c["file"],
                f"{c['bytes'] / 1024:.0f} KiB",
                f"{c['emissions']} emissions of {c['intended_chars']} chars, {report['skeletons']} skeletons",
            ]
        )
        size_rows.append(
            [
                t["file"],
                f"{t['bytes'] / 1024:.0f} KiB",
                f"{t['pairs']} pairs, {t['observed_tokens']} observed tokens",
            ]
        )
    case_rows = [
        [
            lang,
            eng[lang]["case"]["p_lower_given_mid_sentence_title"],
            eng[lang]["case"]["mid_title_intended_lower"] + eng[lang]["case"]["mid_title_intended_title"],
            eng[lang]["case"]["p_title_given_mid_sentence_lower"],
            eng[lang]["case"]["mixed_case_observed"],
        ]
        for lang in eng
    ]
    sets = _set_sizes()
    case_header = [
        "engine",
        "P(intended lower | observed Title mid-sentence)",
        "observed Title mid-sentence",
        "P(intended Title | observed lower mid-sentence)",
        "mixed-case tokens",
    ]
    weights = ", ".join(f"{lang} {eng[lang]['prior_weight']}" for lang in eng)
    seconds = report["seconds"]
    section = (
        "| file | size | content |\n|---|---|---|\n"
        + "\n".join(f"| `{r[0]}` | {r[1]} | {r[2]} |" for r in size_rows)
        + """

### Parallel data

| set | engine | pages | OCR words |
|---|---|---|---|
"""
        + "\n".join(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in sets)
        + f"""

### Channel statistics (dev set = legal-snippets validation split; never the test sets)

{markdown_table(["", *eng], stats_rows)}

Skeleton-prior weight chosen on held-out training pages: {weights}.

### Case confusions (training pages)

{markdown_table(case_header, case_rows)}

Rebuilt in {seconds} s from the cached OCR (`--psm {OCR_PSM}`)."""
    )
    path.write_text(
        replace_section(path.read_text(encoding="utf-8"), README_SECTION, section), encoding="utf-8"
    )


def replace_section(text: str, marker: str, body: str) -> str:
    """``text`` with what lies between the lines ``<!-- {marker} ... -->`` and ``<!-- /{marker} -->``
    replaced by ``body``.

    Raises:
        ValueError: ``text`` has no such section.
    """
    match = regex.search(
        rf"(<!-- {regex.escape(marker)}\b[^\n]*-->\n)(.*?)(<!-- /{regex.escape(marker)} -->)",
        text,
        flags=regex.S,
    )
    if match is None:
        raise ValueError(f"no '{marker}' section to replace")
    return text[: match.start(2)] + body + "\n" + text[match.end(2) :]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build the OCR channel tables into ``--out``."""
    parser = argparse.ArgumentParser(description="Build the learned OCR-confusion tables.")
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--shared", type=Path, default=None, help="shared dev folder (default: corpus/..)")
    parser.add_argument("--out", type=Path, default=Path("dictionaries"))
    parser.add_argument("--iterations", type=int, default=6)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr)
    if not (args.corpus / "vlc-laws.jsonl.xz").is_file():
        print(f"build_channel: no corpus in {args.corpus} (pass --corpus)", file=sys.stderr)
        return 2
    shared = args.shared or args.corpus.resolve().parent
    report = build(args.corpus, args.out, shared, args.iterations)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
