"""The review queue: the words a batch flagged, found again in the current outputs and on the page image.

A flagged entry names its token by page, 1-based line of the page and character offset in the (normalised)
OCR line. Restoration keeps line breaks and, nearly always, the whitespace-separated words of a line, so the
token is the same word (by index) of the restored line and of the OCR words with their boxes.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

log = logging.getLogger(__name__)

WORD = re.compile(r"\S+")
#: Resolution of the page images the app shows.
DISPLAY_DPI = 150

FlagKey = tuple[str, int, int, int, str]


@functools.lru_cache(maxsize=4096)
def _normalised(line: str) -> str:
    from diacritics.normalise import normalise_text

    return normalise_text(line)


def word_index_at(line: str, offset: int) -> int | None:
    """Index of the whitespace-separated word of ``line`` that holds character ``offset``."""
    for index, match in enumerate(WORD.finditer(line)):
        if match.start() <= offset < match.end():
            return index
    return None


def locate(current: str, raw: str, start: int, word: str) -> tuple[int, int] | None:
    """The span of ``word`` in the restored line ``current`` for the token at ``start`` of the OCR line
    ``raw``: inside the word with the same index, else its occurrence nearest to ``start``; None when the
    line does not hold it."""
    if not word:
        return None
    index = word_index_at(_normalised(raw), start)
    spans = [m.span() for m in WORD.finditer(current)]
    if index is not None and index < len(spans):
        at = current.find(word, *spans[index])
        if at >= 0:
            return at, at + len(word)
    found = [m.start() for m in re.finditer(re.escape(word), current)]
    if not found:
        return None
    at = min(found, key=lambda i: abs(i - start))
    return at, at + len(word)


def word_box(page: dict[str, Any], line: int, raw: str, start: int) -> list[int] | None:
    """The box ``[x, y, w, h]`` (pixels of the source page raster) of the OCR word holding the token, if
    known."""
    words = [w for w in page.get("words") or [] if w.get("line") == line]
    index = word_index_at(_normalised(raw), start)
    if index is None or index >= len(words):
        return None
    return [int(v) for v in words[index]["box"]]


def line_box(page: dict[str, Any], line: int) -> list[int] | None:
    """The box around the OCR words of a line, if known."""
    boxes = [w["box"] for w in page.get("words") or [] if w.get("line") == line]
    if not boxes:
        return None
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    return [left, top, right - left, bottom - top]


def flag_key(document: str, entry: dict[str, Any]) -> FlagKey:
    """What identifies a flagged token across re-runs: document, page, line, offset and OCR word."""
    return (
        document,
        int(entry.get("page", 1)),
        int(entry["line"]),
        int(entry["start"]),
        str(entry["original"]),
    )


def key_text(key: FlagKey) -> str:
    """The key as one string (the queue item's ``id``)."""
    return "|".join(str(part) for part in key)


@dataclass(frozen=True)
class PageRef:
    """Where a flagged entry's page is in the record: its index in ``pages`` and the page dictionary."""

    index: int
    page: dict[str, Any]


def find_page(record: dict[str, Any], number: int) -> PageRef | None:
    """The record's page with this number."""
    for index, page in enumerate(record.get("pages") or []):
        if int(page.get("number", index + 1)) == number:
            return PageRef(index, page)
    return None


def explained_alternatives(record: dict[str, Any]) -> dict[tuple[int, int, int], list[list[Any]]]:
    """Alternatives of every token, by (page, line, start), from a new restoration of the record's OCR text:
    for records written before the flagged entries carried them."""
    from diacritics import restore_explained

    pages = record.get("pages") or []
    starts: list[tuple[int, int]] = []  # (first global line, page number)
    texts, line = [], 1
    for index, page in enumerate(pages):
        raw = page.get("raw_text", "")
        starts.append((line, int(page.get("number", index + 1))))
        texts.append(raw)
        line += raw.count("\n") + 1
    explained = restore_explained("\n".join(texts))
    found: dict[tuple[int, int, int], list[list[Any]]] = {}
    for token in explained.tokens:
        first, number = max((s for s in starts if s[0] <= token.line), default=(1, 1))
        found[(number, token.line - first + 1, token.start)] = [
            [w, round(p, 4)] for w, p in token.alternatives[:5]
        ]
    return found


def queue_items(
    document: str,
    record: dict[str, Any],
    reviewed: dict[FlagKey, dict[str, Any]],
    alternatives: dict[tuple[int, int, int], list[list[Any]]] | None = None,
) -> list[dict[str, Any]]:
    """The flagged words of one document as queue items (the API's JSON), with their current word, line,
    box on the page and review status."""
    items = []
    flagged = (record.get("restoration") or {}).get("flagged_for_review") or []
    for entry in flagged:
        number = int(entry.get("page", 1))
        ref = find_page(record, number)
        if ref is None:
            continue
        line = int(entry["line"])
        lines = ref.page.get("text", "").split("\n")
        raws = ref.page.get("raw_text", "").split("\n")
        if not 1 <= line <= min(len(lines), len(raws)):
            continue
        key = flag_key(document, entry)
        done = reviewed.get(key)
        current, raw, start = lines[line - 1], raws[line - 1], int(entry["start"])
        word = done["corrected"] if done else entry["chosen"]
        span = locate(current, raw, start, word)
        alts = entry.get("alternatives")
        if alts is None and alternatives is not None:
            alts = alternatives.get((number, line, start), [])
        has_image = bool(ref.page.get("image_size"))
        scale = DISPLAY_DPI / max(DISPLAY_DPI, int(ref.page.get("dpi") or 300))
        items.append(
            {
                "id": key_text(key),
                "document": document,
                "page": number,
                "line": line,
                "start": start,
                "original": entry["original"],
                "chosen": current[span[0] : span[1]] if span else word,
                "restored": entry["chosen"],
                "confidence": entry.get("confidence"),
                "alternatives": alts or [[entry["chosen"], entry.get("confidence")]],
                "line_text": current,
                "span": list(span) if span else None,
                "box": word_box(ref.page, line, raw, start),
                "line_box": line_box(ref.page, line),
                "image": page_image_url(document, number) if has_image else None,
                "scale": scale,
                "status": "reviewed" if done else "open",
                "review": done,
            }
        )
    return items


def page_image_url(document: str, page: int) -> str:
    """The app's URL of a page image."""
    return f"/api/page-image?document={quote(document, safe='')}&page={page}"


def sort_queue(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Least confident first (then document order)."""

    def order(item: dict[str, Any]) -> tuple[float, str, int, int, int]:
        confidence = item["confidence"] if item["confidence"] is not None else 1.0
        return (confidence, item["document"], item["page"], item["line"], item["start"])

    return sorted(items, key=order)
