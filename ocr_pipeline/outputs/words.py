"""The restored words on the page: each restored word placed on its OCR word's box.

Restoration keeps the line breaks exactly and, on almost every line, the number of whitespace-separated
words: then the n-th restored word takes the n-th OCR word's box. When a line's counts differ (a token split
or merged), the line's restored words are spread over the line's box in proportion to their length, and
none of them claims an OCR word of its own (``ocr_text`` is empty).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Document, PageResult
from .geometry import WordBox


@dataclass(frozen=True)
class PlacedWord:
    """A restored word at its place on the source page.

    Attributes:
        text: The restored word.
        ocr_text: The OCR's word at that place ("" when the line's words were spread, see the module).
        box: The box (the OCR word's, or a share of the line's); its ``confidence`` is the OCR's.
    """

    text: str
    ocr_text: str
    box: WordBox

    @property
    def changed(self) -> bool:
        """Whether restoration changed the OCR's word."""
        return bool(self.ocr_text) and self.text != self.ocr_text


@dataclass(frozen=True)
class PlacedLine:
    """One line of a page: its restored words with boxes, and Tesseract's block index."""

    words: tuple[PlacedWord, ...]
    block: int
    spread: bool = False

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) around the line's words."""
        return union_box([w.box for w in self.words])


def union_box(boxes: list[WordBox]) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) around ``boxes``."""
    return (
        min(b.left for b in boxes),
        min(b.top for b in boxes),
        max(b.left + b.width for b in boxes),
        max(b.top + b.height for b in boxes),
    )


def spread_words(tokens: list[str], boxes: list[WordBox]) -> list[PlacedWord]:
    """Share the line box of ``boxes`` among ``tokens`` by their length (a space's share between them)."""
    left, top, right, bottom = union_box(boxes)
    confidence = min(b.confidence for b in boxes)
    weights = [len(t) for t in tokens]
    total = sum(weights) + len(tokens) - 1
    scale = (right - left) / max(total, 1)
    placed = []
    cursor = float(left)
    for token, weight in zip(tokens, weights, strict=True):
        width = max(1, round(weight * scale))
        x = min(round(cursor), right - 1)
        box = WordBox(token, confidence, x, top, max(1, min(width, right - x)), bottom - top, boxes[0].block)
        placed.append(PlacedWord(token, "", box))
        cursor += (weight + 1) * scale
    return placed


def place_line(restored: str, boxes: list[WordBox]) -> PlacedLine | None:
    """Place one restored line on its OCR words (None for a line without words)."""
    tokens = restored.split()
    if not tokens or not boxes:
        return None
    block = boxes[0].block
    if len(tokens) == len(boxes):
        words = tuple(PlacedWord(t, b.text, b) for t, b in zip(tokens, boxes, strict=True))
        return PlacedLine(words, block)
    return PlacedLine(tuple(spread_words(tokens, boxes)), block, spread=True)


def place_page(page: PageResult) -> list[PlacedLine]:
    """The page's restored lines on its OCR boxes ([] for a page without boxes, e.g. a ``.txt`` input)."""
    if not page.words:
        return []
    restored_lines = page.text.split("\n")
    if len(restored_lines) != len(page.words):  # pragma: no cover - restoration keeps line breaks
        return []
    placed = []
    for restored, boxes in zip(restored_lines, page.words, strict=True):
        line = place_line(restored, boxes)
        if line is not None:
            placed.append(line)
    return placed


def has_layout(doc: Document) -> bool:
    """Whether the document has word boxes (a scanned input), hence a PDF text layer and ALTO to write."""
    return any(page.words for page in doc.pages)
