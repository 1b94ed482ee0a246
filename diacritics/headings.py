"""Repair of Roman-numeral heading labels that OCR read as digits, lowercase ``l`` or ``H``.

English-model OCR turns ``II.`` into ``11.``, ``III.`` into ``I11.`` and ``VII.`` into ``VIl.``; both
models read two strokes of a bold ``II`` as ``H`` (``IH.``, ``HI.``). A label is repaired only when the line
reads as a Roman-numbered heading — an upper-case title after the label — and, for labels made of digits only
(``11.`` could be Arabic eleven) or holding an ``H`` (one stroke or two?), only when the repaired numeral
continues the document's Roman sequence (the next numeral, or one further for a skipped number) and, for an
``H``, is followed by a full stop. A lone ``1.`` is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex

from vntext.roman import roman_to_int

#: Characters OCR confuses with a Roman ``I``.
I_LOOKALIKES = str.maketrans({"l": "I", "1": "I", "|": "I", "!": "I", "í": "I", "ì": "I"})
LABEL = regex.compile(r"^(?P<lead>\s*)(?P<label>[IVXLHl1|!]{1,6})(?P<dot>[.,:]?)(?P<gap>\s+)(?P<rest>\S.*)$")
#: Tesseract (``vie`` too) reads two strokes of a bold ``II`` as ``H``: ``II.`` → ``IH.``, ``III.`` → ``HI.``.
H_READINGS = ("I", "II")


def _is_upper_heading(rest: str) -> bool:
    letters = [ch for ch in rest if ch.isalpha()]
    if len(letters) < 3:
        return False
    return sum(ch.isupper() for ch in letters) / len(letters) >= 0.8


@dataclass(frozen=True)
class LabelRepair:
    """A slipped heading label and its repair: ``line[start:end]`` becomes ``label``."""

    line: int
    start: int
    end: int
    label: str


def find_label_repairs(lines: Sequence[str]) -> list[LabelRepair]:
    """The slipped Roman heading labels of a document's lines, in order (see the module docstring).

    Args:
        lines: The document's lines in order.

    Returns:
        One repair per line whose label (``11.``, ``I11.``, ``VIl.``) is read as ``II.``, ``III.``, ``VII.``:
        the line is a Roman-numbered upper-case heading.
    """
    repairs: list[LabelRepair] = []
    last_roman = 0
    for line_no, line in enumerate(lines):
        match = LABEL.match(line)
        if not match or not _is_upper_heading(match["rest"]) or match["dot"] not in (".", ""):
            continue
        label = match["label"]
        repaired = label.translate(I_LOOKALIKES)
        if match["dot"] == ".":
            repaired = _with_h_read(repaired, last_roman)
        value = roman_to_int(repaired)
        if value is None:
            continue
        if label == repaired:
            last_roman = value
            continue
        # Digits only: "11." may be Arabic eleven, and a lone "1." is Arabic one far more often than "I.";
        # an "H" may stand for one or two strokes: both only where the numeral continues the sequence
        if (label.isdigit() or "H" in label) and (len(label) < 2 or not last_roman < value <= last_roman + 2):
            continue
        last_roman = value
        repairs.append(LabelRepair(line_no, match.start("label"), match.end("label"), repaired))
    return repairs


def _with_h_read(label: str, last_roman: int) -> str:
    """``label`` with each ``H`` read as one or two ``I`` strokes: the reading that continues the document's
    Roman sequence (the next numeral first, then one further), else the label as it is."""
    if "H" not in label or label.count("H") > 2:
        return label
    readings = [label]
    for _ in range(label.count("H")):
        readings = [r.replace("H", strokes, 1) for r in readings for strokes in H_READINGS]
    for step in (1, 2):
        for reading in readings:
            if roman_to_int(reading) == last_roman + step:
                return reading
    return label
