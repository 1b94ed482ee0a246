"""Shared pieces of the benchmark scripts: context, result sections, text scoring."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein


@dataclass
class BenchContext:
    """Where benchmark inputs and caches are.

    Attributes:
        shared: The shared dev folder (documents/, corpus/).
        cache: Folder for cached OCR outputs and generated scans, reused between runs.
        quick: A fast smoke run on a few pages, to check that a benchmark script works.
    """

    shared: Path
    cache: Path
    quick: bool = False


@dataclass
class BenchSection:
    """One area's part of docs/BENCHMARKS.md."""

    title: str
    command: str
    markdown: str
    results: dict[str, Any] = field(default_factory=dict)


def normalise_for_scoring(text: str) -> str:
    """NFC, Markdown marks removed, whitespace folded (the same rules as shared/tools/score.py)."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[#*]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def strip_marks(text: str) -> str:
    """Remove Vietnamese diacritics (đ -> d)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def error_rates(reference: str, hypothesis: str) -> dict[str, float]:
    """CER and word (syllable) error rate, with and without diacritics."""
    ref, hyp = normalise_for_scoring(reference), normalise_for_scoring(hypothesis)

    def rates(r: str, h: str) -> tuple[float, float]:
        cer = Levenshtein.distance(r, h) / max(1, len(r))
        rw, hw = r.split(), h.split()
        return cer, Levenshtein.distance(rw, hw) / max(1, len(rw))

    cer, wer = rates(ref, hyp)
    cer0, wer0 = rates(strip_marks(ref), strip_marks(hyp))
    return {
        "cer": cer,
        "wer": wer,
        "cer_nomarks": cer0,
        "wer_nomarks": wer0,
        "ref_chars": len(ref),
        "ref_words": len(ref.split()),
    }


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    """A GitHub Markdown table."""

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.4g}"
        return str(v)

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(out)
