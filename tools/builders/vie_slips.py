"""Build the table of Tesseract ``vie``'s mark slips, ``dictionaries/channel/vie_mark_slips.json``.

Counts, over words read with the right letters, how ``vie`` reads their marks (see
:mod:`diacritics.vie_slips`): the observed tone given the intended tone and whether the toned vowel carries a
quality mark; each vowel's quality mark (and ``d``/``đ``) given the intended one; and, for the words read with
a mark, the OCR word confidence of the slipped and of the right readings by band. Two sources:

- ``rendered``: ``channel/vie_token_confusions.json`` (corpus text rendered, degraded and read by ``vie``:
  ``make channel``), the 1:1 pairs of one syllable; no confidences.
- ``real``: the dev real pages (``../shared/real-scans``: the documents whose PDF lies there, with their hand
  gold, ``*.pN.gt.txt`` there and in ``tools/real_gold``), read by the product's page tasks; their OCR is
  taken from the real-scan benchmark's cache (``.cache/bench/real``) when it holds this code's page results,
  else made (and cached there). Held-out documents are never read.

Words are paired by aligning the OCR words with the gold words on their accent-stripped forms (difflib);
only pairs of equal letters count.

Usage: ``python -m tools.builders.vie_slips --shared ../shared --out dictionaries``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import pickle
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from diacritics.normalise import skeleton
from diacritics.resources import VIE_MARK_SLIPS, channel_table
from diacritics.vie_slips import MARKABLE, marks_of
from ocr_pipeline.textio import atomic_write_text

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
FORMAT = "vnocr-vie-mark-slips/1"
#: Lower bounds of the confidence bands (Tesseract's word confidences cluster at 96 on clean words).
BANDS = (0, 90, 96)
_EDGE_PUNCTUATION = ".,;:!?()[]\"'“”‘’«»…-–—/"


class SlipCounts:
    """Counts of tone and quality readings, and of the confidence bands of marked readings."""

    def __init__(self) -> None:
        self.tone: Counter[tuple[int, str, int]] = Counter()
        self.quality: Counter[tuple[str, str, str]] = Counter()
        self.slipped: Counter[int] = Counter()
        self.right: Counter[int] = Counter()

    def add(self, observed: str, intended: str, count: int = 1, confidence: float | None = None) -> bool:
        """Count one reading of ``intended`` as ``observed`` (False: other letters, not counted)."""
        if not (observed.isalpha() and intended.isalpha()):
            return False
        seen, meant = marks_of(observed), marks_of(intended)
        if seen.letters != meant.letters:
            return False
        self.tone[(meant.tone, meant.tone_class, seen.tone)] += count
        for letter, was, got in zip(meant.letters, meant.qualities, seen.qualities, strict=True):
            if letter in MARKABLE:
                self.quality[(letter, was, got)] += count
        if confidence is not None and confidence >= 0 and not observed.isascii():
            band = max(i for i, low in enumerate(BANDS) if confidence >= low)
            (self.slipped if seen != meant else self.right)[band] += count
        return True

    def rows(self) -> dict[str, Any]:
        """The counts as the data file lists them."""
        return {
            "tone": [[*k, n] for k, n in sorted(self.tone.items())],
            "quality": [[*k, n] for k, n in sorted(self.quality.items())],
        }


def rendered_counts(confusions: Path) -> SlipCounts:
    """The 1:1 one-syllable pairs of a ``vie`` token-confusion table."""
    data = json.loads(confusions.read_text(encoding="utf-8"))
    counts = SlipCounts()
    for observed, intended in data["confusions"].items():
        for word, n in intended.items():
            if " " not in observed and " " not in word:
                counts.add(observed, word, int(n))
    return counts


def _bare(word: str) -> str:
    return word.strip(_EDGE_PUNCTUATION)


def page_pairs(
    gold: str, raw: str, confidences: Sequence[Sequence[float]] | None
) -> Iterator[tuple[str, str, float | None]]:
    """``(observed, intended, confidence)`` of the OCR words aligned with gold words of the same letters."""
    gold_words = [_bare(w) for w in unicodedata.normalize("NFC", gold).split()]
    read: list[tuple[str, float | None]] = []
    for number, line in enumerate(unicodedata.normalize("NFC", raw).split("\n")):
        words = line.split()
        conf = list(confidences[number]) if confidences and number < len(confidences) else []
        if len(conf) != len(words):
            conf = [None] * len(words)  # type: ignore[list-item]
        read += [(_bare(w), c) for w, c in zip(words, conf, strict=True)]
    matcher = difflib.SequenceMatcher(
        a=[skeleton(w) for w in gold_words], b=[skeleton(w) for w, _ in read], autojunk=False
    )
    for op, a1, a2, b1, _b2 in matcher.get_opcodes():
        if op != "equal":
            continue
        for k in range(a2 - a1):
            observed, confidence = read[b1 + k]
            yield observed, gold_words[a1 + k], confidence


def dev_page_readings(shared: Path, cache_dir: Path) -> list[tuple[str, str, Any]]:
    """``(name, gold, page result)`` of every dev gold page, read by the product's page tasks."""
    from ocr_pipeline.options import ProcessOptions
    from ocr_pipeline.pipeline import ocr_pages
    from tools.bench import real
    from tools.bench.realgold import load_gold

    dev = shared / "real-scans"
    docs, _ = load_gold([dev, real.PROJECT_GOLD], [dev], dev)
    cache = real.Cache(cache_dir)
    page_key = real.page_code_key()
    found = []
    for doc in docs:
        if doc.split != "dev" or doc.pdf is None or not doc.pages:
            continue
        count = real.page_count(doc.pdf)
        pages = real.page_plan(
            count,
            sorted({*doc.pages, *doc.plan_pages}),
            all_pages=False,
            long_document=real.LONG_DOCUMENT_PAGES,
            head=real.PLAN_HEAD_PAGES,
        )
        sha = real.file_sha256(doc.pdf)
        path = cache.vnocr_pages_path(sha, pages, page_key)
        if path.is_file():
            with path.open("rb") as fh:
                results = pickle.load(fh)["pages"]
        else:
            log.info("%s: OCR of pages %s", doc.stem, pages)
            subset = (
                None
                if len(pages) == count
                else real.subset_pdf(doc.pdf, pages, cache.subset_path(sha, pages))
            )
            results = ocr_pages(subset or doc.pdf, ProcessOptions())
            real._write_pickle(path, {"seconds": 0.0, "pages": results})
        for number, result in zip(pages, results, strict=True):
            if number in doc.pages:
                found.append((f"{doc.stem}.p{number}", doc.pages[number], result))
    return found


def real_counts(shared: Path, cache_dir: Path) -> tuple[SlipCounts, list[str]]:
    """The counts of the dev real pages, and the pages counted."""
    counts = SlipCounts()
    names = []
    for name, gold, result in dev_page_readings(shared, cache_dir):
        names.append(name)
        for observed, intended, confidence in page_pairs(gold, result.raw_text, result.line_confidences):
            counts.add(observed, intended, 1, confidence)
    return counts, names


def build(shared: Path, out: Path, cache_dir: Path) -> dict[str, Any]:
    """The data file's content."""
    rendered = rendered_counts(out / channel_table("vie", "token_confusions"))
    real, pages = real_counts(shared, cache_dir)
    return {
        "format": FORMAT,
        "description": (
            "How Tesseract 'vie' reads the marks of words it reads with the right letters: tone rows "
            "[intended tone 0-5, 'hat'|'plain' (the toned vowel has a quality mark), observed tone, "
            "count]; quality rows [base letter, intended mark, observed mark, count] (marks: '' none, '^'"
            " circumflex, '(' breve, '+' horn, '-' the stroke of đ); confidence: per band (lower bounds),"
            " the marked readings slipped and right (real pages only). 'rendered': "
            "channel/vie_token_confusions.json (rendered corpus text); 'real': the dev real pages' gold "
            "against the product's page OCR."
        ),
        "sources": {
            "rendered": "channel/vie_token_confusions.json (make channel; CC BY-SA 3.0 text in part)",
            "real": {"pages": pages, "gold": "../shared/real-scans (public documents, hand gold)"},
        },
        "tone": {"rendered": rendered.rows()["tone"], "real": real.rows()["tone"]},
        "quality": {"rendered": rendered.rows()["quality"], "real": real.rows()["quality"]},
        "confidence": {
            "bands": list(BANDS),
            "slipped": [real.slipped[i] for i in range(len(BANDS))],
            "right": [real.right[i] for i in range(len(BANDS))],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "dictionaries")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench" / "real")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = build(args.shared, args.out, args.cache)
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":")) + "\n"
    atomic_write_text(args.out / VIE_MARK_SLIPS, text)
    log.info(
        "wrote %s (%d bytes; real pages: %s)",
        args.out / VIE_MARK_SLIPS,
        len(text.encode()),
        data["sources"]["real"]["pages"],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
