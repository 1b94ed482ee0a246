"""Accent folding of Vietnamese text: the one place where diacritics are taken off.

:func:`strip_diacritics` keeps case and every other character; :func:`fold_upper` is its upper-case,
same-length form for matching printed words (``Độc lập`` → ``DOC LAP``).
"""

from __future__ import annotations

import functools
import unicodedata

import regex


def _build_strip_table() -> dict[int, str]:
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "D", 0x00D0: "D", 0x00F0: "d", 0x0189: "D", 0x0256: "d"}
    for code in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(code)
        decomposed = unicodedata.normalize("NFD", ch)
        if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]):
            table[code] = decomposed[0]
    return table


_STRIP_TABLE = _build_strip_table()
_COMBINING = regex.compile(r"\p{M}+")


@functools.lru_cache(maxsize=65536)
def strip_diacritics(s: str) -> str:
    """Remove every diacritic: tones and vowel marks, ``đ`` → ``d``, ``Đ`` → ``D``; case is kept.

    Args:
        s: A word or text.

    Returns:
        The text without diacritics (other characters unchanged).
    """
    if s.isascii():
        return s
    out = s.translate(_STRIP_TABLE)
    if not out.isascii():
        out = unicodedata.normalize("NFD", out).translate(_STRIP_TABLE)
        out = unicodedata.normalize("NFC", _COMBINING.sub("", out))
    return out


def fold_upper(text: str) -> str:
    """Upper-case ``text`` without diacritics, keeping its length character for character (``Đ``/``đ`` ->
    ``D``; a character that folds or upper-cases to several, or to none, stays as it is)."""
    out = []
    for ch in text:
        base = strip_diacritics(ch)
        if len(base) != 1:
            base = ch
        upper = base.upper()
        out.append(upper if len(upper) == 1 else base)
    return "".join(out)


def fold_upper_nfc(text: str) -> str:
    """:func:`fold_upper` of ``text`` in NFC, for text of any normalisation (a decomposed accent is folded
    with its letter rather than kept as a lone mark)."""
    return fold_upper(unicodedata.normalize("NFC", text))
