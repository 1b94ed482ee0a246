"""What two failure causes cost vnocr's record on real scans, measured by repairing vnocr's own text.

Reads the real-scan benchmark's results (``docs/benchmarks.json``, area ``real``) and vnocr's cached records,
and re-runs the structure stage (``ocr_pipeline.segment``) on the restored text after:

1. ``overlay``: dropping the digital-signature overlay lines at the top of page 1 (``Người ký`` / ``Ký bởi``,
   ``Email``, ``Cơ quan``, ``Thời gian ký``, ``SAO Y``) and the debris of its logo, as rendering without
   the PDF annotation would;
2. ``+ number/date``: also rewriting the ``Số: … ngày … tháng … năm …`` line from the gold (as if the
   handwritten digits were read right and the stamps over that line were kept out).

Usage: python -m tools.bench.real_ablation [--results docs/benchmarks.json] [--cache .cache/bench/real]
Prints a Markdown table of fields right per document (analysis for docs/REAL_SCANS.md; not a benchmark).
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

import regex

from tools.bench.real import ROOT, Cache, code_key, file_sha256
from tools.bench.realgold import FIELDS, page_errors, predicted_fields, score_fields

_OVERLAY = regex.compile(r"\b(?:nguo?i ky|ky boi|email|co quan|tho?i gian ky|sao y|dia chi)\b")
_NUMBER_LINE = regex.compile(r"^\W*so\s*[:.]?")
HEAD_LINES = 12


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").casefold()


def drop_overlay(text: str) -> str:
    """The text without the overlay lines among the first lines of page 1, nor the debris of its logo (lines
    of fewer than three letters) before the first line of the header."""
    lines = text.split("\n")
    kept, in_overlay = [], True
    for i, line in enumerate(lines):
        letters = sum(c.isalpha() for c in line)
        if i < HEAD_LINES and _OVERLAY.search(_plain(line)):
            continue
        if in_overlay and i < HEAD_LINES and letters < 3:
            continue
        in_overlay = in_overlay and letters < 3
        kept.append(line)
    return "\n".join(kept)


def clean_number_line(text: str, gold: dict[str, Any]) -> str:
    """The text with its first ``Số:`` line rewritten from the gold number, place and date."""
    number, place, date = gold.get("number"), gold.get("place"), gold.get("date")
    if not number or not date:
        return text
    year, month, day = (int(x) for x in date.split("-"))
    clean = f"Số: {number} {place or ''}, ngày {day} tháng {month} năm {year}"
    lines = text.split("\n")
    for i, line in enumerate(lines[: HEAD_LINES * 2]):
        if _NUMBER_LINE.match(_plain(line)):
            lines[i] = clean
            return "\n".join(lines)
    return "\n".join([*lines[:HEAD_LINES], clean, *lines[HEAD_LINES:]])


def _fields_right(gold_fields: dict[str, Any], text: str) -> float:
    import ocr_pipeline

    metadata = ocr_pipeline.segment(text).metadata.to_dict()
    return sum(score_fields(gold_fields, predicted_fields(metadata)).values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "docs" / "benchmarks.json")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench" / "real")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))["real"]["results"]
    cache, key = Cache(args.cache), code_key()
    gold_meta: dict[str, dict[str, Any]] = {}
    for folder in results["gold_dirs"]:
        for path in Path(folder).glob("gold-metadata*.json"):
            for entry in json.loads(path.read_text(encoding="utf-8")):
                gold_meta[str(entry["file"])[:-4]] = entry
    cer: dict[str, list[int]] = {}
    print("| document | split | vnocr | overlay dropped | + number/date line clean |")
    print("|---|---|---|---|---|")
    totals: dict[str, list[float]] = {}
    for name, doc in results["documents"].items():
        if doc["gold"] is None or name not in gold_meta:
            continue
        sha = file_sha256(Path(doc["pdf"]))
        path = cache.vnocr_path(sha, doc["pages_read"], key)
        if not path.is_file():
            print(f"| `{name}` | {doc['split']} | (no cached record for this code) | | |")
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        text = record["record"]["text"]
        pages = dict(zip(record["pages"], record["record"]["pages"], strict=False))
        for number, gold_text in sorted(doc_gold_pages(results, name).items()):
            page_text = pages[int(number)]["text"] if int(number) in pages else ""
            edits, chars = page_errors(gold_text, page_text)
            dropped, _ = page_errors(gold_text, drop_overlay(page_text))
            totals_cer = cer.setdefault(doc["split"], [0, 0, 0])
            totals_cer[0], totals_cer[1], totals_cer[2] = (
                totals_cer[0] + edits,
                totals_cer[1] + dropped,
                totals_cer[2] + chars,
            )
        base = sum(doc["systems"]["vnocr"]["fields"].values())
        no_overlay = drop_overlay(text)
        steps = [
            base,
            _fields_right(doc["gold"], no_overlay),
            _fields_right(doc["gold"], clean_number_line(no_overlay, gold_meta[name])),
        ]
        for i, value in enumerate(steps):
            totals.setdefault(f"{doc['split']}:{i}", []).append(value)
        print(f"| `{name}` | {doc['split']} | " + " | ".join(f"{v:.1f}/{len(FIELDS)}" for v in steps) + " |")
    for split in ("dev", "held-out"):
        row = [totals.get(f"{split}:{i}", []) for i in range(3)]
        if row[0]:
            shares = [f"{100 * sum(v) / (len(v) * len(FIELDS)):.1f} %" for v in row]
            print(f"| **all {split}** | {split} | " + " | ".join(shares) + " |")
    print()
    print("| split | gold chars | vnocr CER | CER with the overlay lines dropped |")
    print("|---|---|---|---|")
    for split, (edits, dropped, chars) in cer.items():
        print(f"| {split} | {chars} | {100 * edits / chars:.2f} % | {100 * dropped / chars:.2f} % |")
    return 0


def doc_gold_pages(results: dict[str, Any], name: str) -> dict[int, str]:
    """The hand-transcribed pages of one document, read from the gold folders of the results."""
    pages: dict[int, str] = {}
    for folder in results["gold_dirs"]:
        for path in Path(folder).glob(f"{glob.escape(name)}.p*.gt.txt"):
            number = path.name[len(name) + 2 : -len(".gt.txt")]
            if number.isdigit():
                pages[int(number)] = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    return pages


if __name__ == "__main__":
    sys.exit(main())
