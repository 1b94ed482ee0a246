"""Roman numerals as printed in section labels (``I``..``CXC``)."""

from __future__ import annotations

ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_PARTS = ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman_to_int(numeral: str) -> int | None:
    """The value of a canonical Roman numeral (I..CXC), else None."""
    if not numeral or any(ch not in ROMAN_VALUES for ch in numeral):
        return None
    total = 0
    for i, ch in enumerate(numeral):
        value = ROMAN_VALUES[ch]
        if i + 1 < len(numeral) and ROMAN_VALUES[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total if 0 < total < 200 and int_to_roman(total) == numeral else None


def int_to_roman(value: int) -> str:
    """The canonical Roman numeral of a positive integer."""
    out = []
    for number, numeral in _PARTS:
        while value >= number:
            out.append(numeral)
            value -= number
    return "".join(out)
