"""Layout zones of a born-digital page, from the word boxes of its text layer.

The words (``pdftotext -bbox``) are drawn as letter-sized blocks on a 100-dpi canvas and the zones are
found there exactly as on a scan (:func:`.zones.find_layout`); each word then goes to the zone holding
its centre, and a zone's words are set in lines (by their vertical centres) and read left to right. The
page text is the zone texts in reading order, as for OCR'd pages.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass

import numpy as np

from . import zones
from .page import Zone

log = logging.getLogger(__name__)

#: Resolution of the canvas the word boxes are drawn on.
CANVAS_DPI = 100
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', re.DOTALL
)
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.DOTALL)


@dataclass(frozen=True)
class LayerWord:
    """A word of a text layer and its box in points (origin at the top left)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre(self) -> tuple[float, float]:
        """The centre of its box."""
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


def parse_bbox_html(document: str) -> list[tuple[float, float, list[LayerWord]]]:
    """Pages of ``pdftotext -bbox`` output: (width, height, words) in points."""
    pages = []
    for match in _PAGE.finditer(document):
        words = [
            LayerWord(html.unescape(w[4]), float(w[0]), float(w[1]), float(w[2]), float(w[3]))
            for w in _WORD.findall(match[3])
        ]
        pages.append((float(match[1]), float(match[2]), words))
    return pages


def zones_of_words(words: list[LayerWord], width: float, height: float, dpi: int) -> list[Zone]:
    """The page's zones in reading order with their texts; boxes in pixels at ``dpi``."""
    if not words:
        return []
    scale = CANVAS_DPI / 72
    canvas = np.zeros((max(1, round(height * scale)), max(1, round(width * scale))), dtype=bool)
    for word in words:
        _draw_word(canvas, word, scale)
    layout = zones.find_layout(canvas, CANVAS_DPI)
    boxes = [(zone.kind, zone.box(0, canvas.shape, clip), zone) for zone, clip in layout.zones]
    if not boxes:
        return [_zone("unknown", words, dpi)]
    members: list[list[LayerWord]] = [[] for _ in boxes]
    for word in words:
        members[_nearest_zone(word, boxes, scale)].append(word)
    return [_zone(kind, found, dpi) for (kind, _, _), found in zip(boxes, members, strict=True) if found]


def _draw_word(canvas: np.ndarray, word: LayerWord, scale: float) -> None:
    """Draw a word as blocks the size of its letters (the middle of its height, so lines stay apart)."""
    x0, x1 = round(word.x0 * scale), round(word.x1 * scale)
    height = (word.y1 - word.y0) * scale
    y0 = round(word.y0 * scale + 0.2 * height)
    y1 = max(y0 + 1, round(word.y1 * scale - 0.2 * height))
    step = max(2, round(0.5 * (y1 - y0)))
    for x in range(x0, max(x0 + 1, x1), step):
        canvas[y0:y1, x : min(x1, x + step - 1) or x + 1] = True


def _nearest_zone(
    word: LayerWord, boxes: list[tuple[str, tuple[int, ...], zones.ZoneBox]], scale: float
) -> int:
    """Index of the zone whose bands hold the word's centre (else the zone box nearest to it)."""
    cx, cy = (c * scale for c in word.centre)
    for index, (_, _, zone) in enumerate(boxes):
        for band in zone.bands:
            if band.y0 - 1 <= cy <= band.y1 + 1 and any(a - 2 <= cx <= b + 2 for a, b in band.segments):
                return index
    distances = []
    for _, (x, y, w, h), _ in boxes:
        dx = max(x - cx, 0.0, cx - (x + w))
        dy = max(y - cy, 0.0, cy - (y + h))
        distances.append(dx * dx + dy * dy)
    return int(np.argmin(distances))


def _zone(kind: str, words: list[LayerWord], dpi: int) -> Zone:
    """A zone of words: lines by vertical centre, each read left to right."""
    lines: list[list[LayerWord]] = []
    for word in sorted(words, key=lambda w: (w.centre[1], w.x0)):
        if lines:
            last = lines[-1]
            top = min(w.y0 for w in last)
            bottom = max(w.y1 for w in last)
            if top <= word.centre[1] <= bottom:
                last.append(word)
                continue
        lines.append([word])
    text = "\n".join(" ".join(w.text for w in sorted(line, key=lambda w: w.x0)) for line in lines)
    scale = dpi / 72
    x0, y0 = min(w.x0 for w in words), min(w.y0 for w in words)
    x1, y1 = max(w.x1 for w in words), max(w.y1 for w in words)
    box = (round(x0 * scale), round(y0 * scale), round((x1 - x0) * scale), round((y1 - y0) * scale))
    return Zone(kind, box, text)
