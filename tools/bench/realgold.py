"""Gold of the real-scan benchmark: the documents, their split, their page plan, and the scoring rules.

A gold folder holds ``gold-metadata*.json`` (a list of per-document objects keyed by ``file``, the
conventions of ``../shared/real-scans/README.md``) and hand-transcribed pages ``<stem>.p<N>.gt.txt``. The
PDF of a document is looked up in its gold folder, then in the scan folders. A document is ``dev`` when its
PDF lies in the dev folder (``../shared/real-scans`` itself), ``held-out`` otherwise.

Scoring follows issue 20: nine printed metadata fields compared case-insensitively with whitespace folded
(recipients as a set F1), whole-page CER over NFC text with whitespace folded, top-level section labels.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

log = logging.getLogger(__name__)

#: The printed metadata fields of issue 20, in report order.
FIELDS = (
    "issuer",
    "ky_hieu",
    "place",
    "year_month",
    "doc_type",
    "title",
    "signer_name",
    "signer_position",
    "recipients",
)
FIELD_LABELS = {
    "issuer": "issuer",
    "ky_hieu": "ký hiệu",
    "place": "place",
    "year_month": "year-month",
    "doc_type": "type",
    "title": "trích yếu",
    "signer_name": "signer name",
    "signer_position": "signer position",
    "recipients": "recipients (F1)",
}
SPLITS = ("dev", "held-out")
_PAGE_GOLD = re.compile(r"^(?P<stem>.+)\.p(?P<page>\d+)\.gt\.txt$")
_ITEM_EDGES = " \t-–—•+;,.:"
_SECTION_WORDS = {"chapter": "Chương", "section": "Mục", "article": "Điều"}


# ------------------------------------------------------------------------------------------------ gold


@dataclass
class GoldDocument:
    """One document of the benchmark and its gold.

    Attributes:
        stem: The PDF's file name without ``.pdf`` (the prefix of its page gold).
        pdf: The PDF, or None when it was not found.
        split: ``dev`` or ``held-out``.
        metadata: The gold metadata object, or None when the document has page gold only.
        pages: Hand-transcribed pages, by 1-based page number.
        gold_dirs: The gold folders the document's gold came from.
        plan_pages: Pages a long document must be read on besides the default plan (``page-plan*.json``:
            where its signature block and Nơi nhận are printed, when not on the first pages or the last).
    """

    stem: str
    pdf: Path | None = None
    split: str = "held-out"
    metadata: dict[str, Any] | None = None
    pages: dict[int, str] = field(default_factory=dict)
    gold_dirs: list[Path] = field(default_factory=list)
    plan_pages: list[int] = field(default_factory=list)


def load_gold(
    gold_dirs: list[Path], scan_dirs: list[Path], dev_dir: Path
) -> tuple[list[GoldDocument], list[str]]:
    """Collect the documents that have gold in any of ``gold_dirs``.

    Args:
        gold_dirs: Folders holding ``gold-metadata*.json`` and ``*.pN.gt.txt``; a missing one is noted.
        scan_dirs: Folders where the PDFs are looked up (after the gold folder itself).
        dev_dir: The folder whose PDFs are the dev (tuned-on) set.

    Returns:
        The documents in a stable order (dev first, then by name) and notes on what was skipped.
    """
    notes: list[str] = []
    docs: dict[str, GoldDocument] = {}
    for gold_dir in gold_dirs:
        if not gold_dir.is_dir():
            notes.append(f"gold folder `{gold_dir}` not found: skipped")
            continue
        for meta_path in sorted(gold_dir.glob("gold-metadata*.json")):
            try:
                entries = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                notes.append(f"`{meta_path.name}` unreadable ({exc}): skipped")
                continue
            for entry in entries if isinstance(entries, list) else []:
                name = str(entry.get("file", ""))
                if not name.lower().endswith(".pdf"):
                    continue
                doc = docs.setdefault(name[:-4], GoldDocument(stem=name[:-4]))
                doc.metadata = entry
                if gold_dir not in doc.gold_dirs:
                    doc.gold_dirs.append(gold_dir)
        for plan_path in sorted(gold_dir.glob("page-plan*.json")):
            try:
                plans = json.loads(plan_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                notes.append(f"`{plan_path.name}` unreadable ({exc}): skipped")
                continue
            for name, plan in plans.items() if isinstance(plans, dict) else []:
                if str(name).lower().endswith(".pdf"):
                    doc = docs.setdefault(name[:-4], GoldDocument(stem=name[:-4]))
                    doc.plan_pages = sorted({*doc.plan_pages, *(int(p) for p in plan.get("pages", []))})
        for page_path in sorted(gold_dir.glob("*.gt.txt")):
            match = _PAGE_GOLD.match(page_path.name)
            if not match:
                continue
            doc = docs.setdefault(match["stem"], GoldDocument(stem=match["stem"]))
            doc.pages[int(match["page"])] = unicodedata.normalize(
                "NFC", page_path.read_text(encoding="utf-8")
            )
            if gold_dir not in doc.gold_dirs:
                doc.gold_dirs.append(gold_dir)
    found: list[GoldDocument] = []
    dev_dir = dev_dir.resolve()
    for doc in docs.values():
        for folder in [*doc.gold_dirs, *scan_dirs]:
            candidate = folder / f"{doc.stem}.pdf"
            if candidate.is_file():
                doc.pdf = candidate.resolve()
                break
        if doc.metadata is None and not doc.pages:
            continue  # a page plan without gold
        if doc.pdf is None:
            notes.append(f"`{doc.stem}.pdf`: gold found but no PDF in the scan folders: skipped")
            continue
        doc.split = "dev" if doc.pdf.parent == dev_dir else "held-out"
        found.append(doc)
    found.sort(key=lambda d: (SPLITS.index(d.split), d.stem))
    return found, notes


def page_plan(
    page_count: int, wanted: list[int], *, all_pages: bool, long_document: int, head: int
) -> list[int]:
    """The pages to OCR: all of a short document; of a long one the first ``head`` pages (header, number,
    date, title, and the quyết định's signature block and Nơi nhận when a longer text is attached), the
    ``wanted`` pages and the last page (the signature block of a single long text).

    Args:
        page_count: The document's pages.
        wanted: Pages with a hand transcription, and those the gold's page plan names.
        all_pages: OCR every page whatever the length.
        long_document: A document with more pages than this is long.
        head: How many leading pages a long document keeps.
    """
    if all_pages or page_count <= long_document:
        return list(range(1, page_count + 1))
    pages = set(range(1, min(head, page_count) + 1)) | {page_count}
    pages |= {p for p in wanted if 1 <= p <= page_count}
    return sorted(pages)


# ------------------------------------------------------------------------------------------------ scoring


def fold(value: Any) -> str | None:
    """A field value for comparison: NFC, whitespace folded, case folded; None for None or blank."""
    if value is None:
        return None
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(value))).strip()
    return text.casefold() or None


def ky_hieu(number: str | None) -> str | None:
    """The ký hiệu of a số/ký hiệu: the part after its first ``/`` (``21/2026/TT-BCT`` -> ``2026/TT-BCT``)."""
    if not number or "/" not in number:
        return None
    return number.split("/", 1)[1].strip() or None


def recipient_item(item: str) -> str | None:
    """A Nơi nhận item for comparison: folded, without a leading bullet or trailing punctuation."""
    folded = fold(item)
    return folded.strip(_ITEM_EDGES) or None if folded else None


def set_f1(gold: list[str] | None, predicted: list[str] | None) -> float:
    """F1 of two item lists as multisets of folded items; 1.0 when both are empty."""
    gold_items = Counter(i for i in (recipient_item(x) for x in gold or []) if i)
    predicted_items = Counter(i for i in (recipient_item(x) for x in predicted or []) if i)
    if not gold_items and not predicted_items:
        return 1.0
    common = sum((gold_items & predicted_items).values())
    return 2 * common / (sum(gold_items.values()) + sum(predicted_items.values()))


def gold_fields(gold: dict[str, Any]) -> dict[str, Any]:
    """The nine fields of a gold metadata object (``gold-metadata.json`` conventions)."""
    date = gold.get("date")
    return {
        "issuer": gold.get("issuer"),
        "ky_hieu": ky_hieu(gold.get("number")),
        "place": gold.get("place"),
        "year_month": date[:7] if isinstance(date, str) and len(date) >= 7 else None,
        "doc_type": gold.get("doc_type"),
        "title": gold.get("title"),
        "signer_name": gold.get("signer_name"),
        "signer_position": gold.get("signer_position"),
        "recipients": gold.get("recipients"),
    }


def predicted_fields(metadata: dict[str, Any]) -> dict[str, Any]:
    """The nine fields of a vnocr metadata record (``DocumentMetadata.to_dict()``)."""
    number = metadata.get("number") or {}
    date = metadata.get("date") or {}
    signer = metadata.get("signer") or {}
    year, month = date.get("year"), date.get("month")
    return {
        "issuer": metadata.get("issuer"),
        "ky_hieu": ky_hieu(number.get("raw")),
        "place": metadata.get("place"),
        "year_month": f"{year:04d}-{month:02d}" if isinstance(year, int) and isinstance(month, int) else None,
        "doc_type": metadata.get("doc_type"),
        "title": metadata.get("title"),
        "signer_name": signer.get("name"),
        "signer_position": signer.get("position"),
        "recipients": metadata.get("recipients") or [],
    }


def score_fields(gold: dict[str, Any], predicted: dict[str, Any]) -> dict[str, float]:
    """Per-field score: 1.0/0.0 for a scalar (a None gold wants None), the set F1 for the recipients."""
    scores: dict[str, float] = {}
    for name in FIELDS:
        if name == "recipients":
            scores[name] = set_f1(gold.get(name), predicted.get(name))
        else:
            scores[name] = float(fold(gold.get(name)) == fold(predicted.get(name)))
    return scores


def normalise_page(text: str) -> str:
    """Page text for CER: NFC, every whitespace run (newlines and form feeds too) folded to one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def page_errors(gold: str, hypothesis: str) -> tuple[int, int]:
    """Levenshtein edits and gold characters of one page (CER = edits / characters)."""
    reference = normalise_page(gold)
    return Levenshtein.distance(reference, normalise_page(hypothesis)), len(reference)


def section_labels(sections: list[dict[str, Any]]) -> list[str]:
    """Top-level section labels as the gold writes them (``Điều 1``, ``Chương I``, ``I``, ``1``)."""
    labels = []
    for section in sections:
        label, kind = str(section.get("label", "")), section.get("kind")
        word = _SECTION_WORDS.get(str(kind))
        if kind == "part" and not (len(label) == 1 and label.isalpha()):
            word = "Phần"
        labels.append(f"{word} {label}" if word else label)
    return labels


def label_agreement(gold: list[str], predicted: list[str]) -> float:
    """Share of agreeing labels: 2 × the longest common subsequence / (both lengths); 1.0 for two empties."""
    gold_f, predicted_f = [fold(x) for x in gold], [fold(x) for x in predicted]
    if not gold_f and not predicted_f:
        return 1.0
    previous = [0] * (len(predicted_f) + 1)
    for g in gold_f:
        current = [0]
        for j, p in enumerate(predicted_f):
            current.append(previous[j] + 1 if g == p else max(previous[j + 1], current[j]))
        previous = current
    return 2 * previous[-1] / (len(gold_f) + len(predicted_f))


def labels_equal(gold: list[str], predicted: list[str]) -> bool:
    """Exact equality of two label lists (folded)."""
    return [fold(x) for x in gold] == [fold(x) for x in predicted]
