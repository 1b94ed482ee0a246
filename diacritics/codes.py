"""Document codes (số / ký hiệu): ``496-TB/TU``, ``20-CT/TW``, ``KH-UBND``, ``1535/SGDĐT-CTrTT``.

A code is a run of parts joined by ``-`` or ``/`` without space: either a number followed by capital parts
(``496-TB/TU``) or capital parts alone, one of which has no vowel and one is no Vietnamese syllable
(``KH-UBND``, ``CB-GV-NV``; ``TẾ-XÃ`` in a heading is two syllables, ``HIV/AIDS`` a name: no codes). Its
letters are the issuer's and the document type's abbreviations: ``TU`` is *Thành ủy*, never ``TỪ``. The
restorer keeps every token of a code as written, but for the ``Đ`` the abbreviation table gives back
(``NQ/DU`` → ``NQ/ĐU``: see :mod:`diacritics.abbreviations` and its party and mass-organisation codes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import regex

from .abbreviations import is_vowelless
from .normalise import strip_diacritics
from .passages import Spans
from .tokens import Token

#: A part of a code: letters (``&`` inside, as in ``GD&ĐT``) and digits.
_PART = r"[\p{L}\d][\p{L}\d&]*"
#: Parts joined by ``-`` or ``/`` (a ``.`` too after a digit: ``QĐ.1``), not inside a longer word.
CODE_SPAN = regex.compile(rf"(?<![\p{{L}}\p{{M}}\d&])(?:{_PART})(?:[-/]{_PART})+(?![\p{{L}}\p{{M}}\d&])")


def is_capital_part(part: str) -> bool:
    """Whether a code part reads as an abbreviation: it starts with a capital and has no more lower-case
    letters than capitals (``TB``, ``UBND``, ``CTrTT``, ``TTg``, ``QH14``, ``GD&ĐT``)."""
    letters = [ch for ch in part if ch.isalpha()]
    if not letters or not letters[0].isupper():
        return False
    upper = sum(1 for ch in letters if ch.isupper())
    return upper >= len(letters) - upper


def is_code(span: str, is_syllable: Callable[[str], bool]) -> bool:
    """Whether a ``-``/``/``-joined run is a document code (see the module docstring).

    Args:
        span: The run (a match of :data:`CODE_SPAN`).
        is_syllable: Whether a lower-case unmarked form is a Vietnamese syllable.
    """
    parts = regex.split(r"[-/]", span)
    numbered = parts[0].isdigit() or regex.fullmatch(r"[\d.,]+", parts[0]) is not None
    lettered = [p for p in parts if any(ch.isalpha() for ch in p)]
    if not lettered or not all(is_capital_part(p) for p in lettered):
        return False
    if any(ch.isdigit() for ch in "".join(lettered)):
        return True  # QH14, H5N1: no syllable has a digit
    if numbered:
        return True
    if len(lettered) < 2:
        return False
    # a document type or an office's abbreviation has no vowel (KH, TB, CB); HIV/AIDS is a name
    return any(len(p) >= 2 and is_vowelless(p) for p in lettered) and any(
        not is_syllable(strip_diacritics(p.lower())) for p in lettered
    )


def code_tokens(
    lines: Sequence[str], tokenised: Sequence[Sequence[Token]], is_syllable: Callable[[str], bool]
) -> Spans:
    """``(line, start)`` of the word and other tokens inside the lines' document codes."""
    found: Spans = set()
    for line_no, (line, toks) in enumerate(zip(lines, tokenised, strict=True)):
        spans = [(m.start(), m.end()) for m in CODE_SPAN.finditer(line) if is_code(m.group(), is_syllable)]
        if not spans:
            continue
        for tok in toks:
            if tok.kind in ("word", "other") and any(
                start <= tok.start and tok.start + len(tok.text) <= end for start, end in spans
            ):
                found.add((line_no, tok.start))
    return found
