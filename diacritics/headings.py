"""Repair of Roman-numeral heading labels that OCR read as digits or lowercase ``l``.

English-model OCR turns ``II.`` into ``11.``, ``III.`` into ``I11.`` and ``VII.`` into ``VIl.``. A label is
repaired only when the line reads as a Roman-numbered heading — an upper-case title after the label — and, for
labels made of digits only (``11.`` could be Arabic eleven), only when the repaired numeral continues the
document's Roman sequence (the next numeral, or one further for a skipped number). A lone ``1.`` is
left alone.
"""

from __future__ import annotations

import regex

ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
#: Characters OCR confuses with a Roman ``I``.
I_LOOKALIKES = str.maketrans({"l": "I", "1": "I", "|": "I", "!": "I", "í": "I", "ì": "I"})
LABEL = regex.compile(r"^(?P<lead>\s*)(?P<label>[IVXLl1|!]{1,6})(?P<dot>[.,:]?)(?P<gap>\s+)(?P<rest>\S.*)$")


def roman_to_int(numeral: str) -> int | None:
    """The value of a well-formed Roman numeral (I..CXC), else None."""
    if not numeral or any(ch not in ROMAN_VALUES for ch in numeral):
        return None
    total = 0
    for i, ch in enumerate(numeral):
        value = ROMAN_VALUES[ch]
        if i + 1 < len(numeral) and ROMAN_VALUES[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total if int_to_roman(total) == numeral else None


def int_to_roman(value: int) -> str:
    """The canonical Roman numeral of a positive integer."""
    parts = [
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ]
    out = []
    for number, numeral in parts:
        while value >= number:
            out.append(numeral)
            value -= number
    return "".join(out)


def _is_upper_heading(rest: str) -> bool:
    letters = [ch for ch in rest if ch.isalpha()]
    if len(letters) < 3:
        return False
    return sum(ch.isupper() for ch in letters) / len(letters) >= 0.8


def repair_roman_labels(lines: list[str]) -> list[str]:
    """Repair slipped Roman heading labels in a document's lines, keeping everything else as is.

    Args:
        lines: The document's lines in order.

    Returns:
        The lines, with labels such as ``11.`` / ``I11.`` / ``VIl.`` replaced by ``II.`` / ``III.`` /
        ``VII.`` where the line is a Roman-numbered upper-case heading.
    """
    out: list[str] = []
    last_roman = 0
    for line in lines:
        match = LABEL.match(line)
        if not match or not _is_upper_heading(match["rest"]) or match["dot"] not in (".", ""):
            out.append(line)
            continue
        label = match["label"]
        repaired = label.translate(I_LOOKALIKES)
        value = roman_to_int(repaired)
        if value is None:
            out.append(line)
            continue
        if label == repaired:
            last_roman = value
            out.append(line)
            continue
        # Digits only: "11." may be Arabic eleven, and a lone "1." is Arabic one far more often than "I.".
        if label.isdigit() and (len(label) < 2 or not last_roman < value <= last_roman + 2):
            out.append(line)
            continue
        last_roman = value
        out.append(f"{match['lead']}{repaired}{match['dot']}{match['gap']}{match['rest']}")
    return out
