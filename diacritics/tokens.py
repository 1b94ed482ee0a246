"""The canonical tokenisation, shared by the LM builder and the restoration decoder.

:func:`tokenize` cuts one line into tokens that cover it exactly (the texts concatenate back to the line).
Each token has a kind:

``word``
    A run of letters of any script (with combining marks), possibly with internal apostrophes
    (``K'Nơ``, ``Đắk R'Lấp``). Hyphens split words: ``KH-UBND`` is ``KH`` ``-`` ``UBND``.
``number``
    Digits, optionally grouped by ``. , : / -`` *between digits* and followed by ``%``: ``2021``, ``1,0%``,
    ``10/03/2021``, ``2021-2025``, ``10:30``, ``1.000.000``. Also document codes: a digit group followed by
    ``/`` and an upper-case letter, continued by letter/digit parts joined by ``- . /``: ``28/KH-UBND``,
    ``45/2019/QH14``, ``14/2021/QĐ-TTg``.
``other``
    A glued run that mixes letters with digits or with the symbols OCR puts for letters
    (``& ¢ € § @ $ £ ¥ © ®``): ``b1``, ``t6``, ``val00%``, ``S&``, ``x4``, ``1¢``, ``H5N1``, ``1.000đ``;
    also such a symbol on its own.
    They are not split: the decoder decides what they are.
``punct``
    Any other character; a run of the same character (``...``, ``**``, ``--``) is one token.
``space``
    A run of white space.

:func:`lm_token` gives the language model's view of a token, and :func:`lm_sentences` turns text into LM
sentences: sentences end at ``. ! ? ;`` but *not* at line breaks (OCR text is hard-wrapped, so context flows
across lines); Markdown marks (``#``, ``*``) are ignored; quote, dash and bracket variants are unified.
"""

from __future__ import annotations

import functools
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import regex

from .normalise import nfc, normalise_syllable

TokenKind = Literal["word", "number", "punct", "space", "other"]

BOS = "<s>"
EOS = "</s>"
UNK = "<unk>"
NUM = "<num>"
#: Special LM tokens, in their id order.
SPECIALS = (UNK, BOS, EOS, NUM)
#: Punctuation that ends an LM sentence.
SENTENCE_END = frozenset(".!?;")
#: Symbols OCR engines put in place of letters; glued to letters they make an ``other`` token.
OCR_SYMBOLS = "&¢€§@$£¥©®"
#: Punctuation the LM ignores (Markdown emphasis and heading marks).
IGNORED_PUNCT = frozenset("#*")

_GLUE = rf"[\p{{L}}\p{{M}}\d{regex.escape(OCR_SYMBOLS)}]"
_TOKEN_RE = regex.compile(
    rf"""
    (?P<code>\d+(?:[.,/-]\d+)*/\p{{Lu}}[\p{{L}}\d]*(?:[-./][\p{{L}}\d]+)*(?!{_GLUE}))
    |(?P<glued>(?:{_GLUE}|(?<=[\p{{L}}\p{{M}}])['’](?=[\p{{L}}\p{{M}}])|(?<=\d)[.,:/-](?=\d))+(?:(?<=\d)%)?)
    |(?P<space>\s+)
    |(?P<punct>(?P<pc>.)(?P=pc)*)
    """,
    regex.VERBOSE | regex.DOTALL,
)
_NUMBER_RE = regex.compile(r"\d+(?:[.,:/-]\d+)*%?")
_WORD_RE = regex.compile(r"[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*")

_PUNCT_MAP = {
    **dict.fromkeys("\"“”„‟«»″'‘’‚‛`´", '"'),
    **dict.fromkeys("-–—‐‑‒―−", "-"),
    **dict.fromkeys("([{", "("),
    **dict.fromkeys(")]}", ")"),
    "…": "…",
}


@dataclass(frozen=True, slots=True)
class Token:
    """A piece of a line.

    Attributes:
        text: The exact characters.
        start: Offset of the first character in the line.
        kind: ``word``, ``number``, ``punct``, ``space`` or ``other`` (see the module docstring).
    """

    text: str
    start: int
    kind: TokenKind

    @property
    def end(self) -> int:
        """Offset just after the token."""
        return self.start + len(self.text)


def _glued_kind(text: str) -> TokenKind:
    if _NUMBER_RE.fullmatch(text):
        return "number"
    if _WORD_RE.fullmatch(text):
        return "word"
    return "other"


def iter_tokens(line: str) -> Iterator[tuple[str, int, TokenKind]]:
    """Yield ``(text, start, kind)`` for each token of ``line`` (the tuple form of :func:`tokenize`)."""
    for m in _TOKEN_RE.finditer(line):
        group = m.lastgroup
        text = m.group(0)
        if group == "glued":
            yield text, m.start(), _glued_kind(text)
        elif group == "code":
            yield text, m.start(), "number"
        elif group == "space":
            yield text, m.start(), "space"
        else:
            yield text, m.start(), "punct"


def tokenize(line: str) -> list[Token]:
    """Cut a line into tokens covering it exactly.

    Args:
        line: One line of text (a text with line breaks also works: they are ``space`` tokens).

    Returns:
        The tokens in order; ``"".join(t.text for t in tokens) == line``.
    """
    return [Token(text, start, kind) for text, start, kind in iter_tokens(line)]


@functools.lru_cache(maxsize=262144)
def _word_lm_token(text: str) -> str:
    return normalise_syllable(nfc(text).lower())


def lm_token(text: str, kind: TokenKind | None = None, vocab: Container[str] | None = None) -> str:
    """The language model's view of a token.

    Words and ``other`` tokens: NFC + :func:`~diacritics.normalise.normalise_syllable` + lowercase. Numbers:
    ``<num>``. Sentence-ending punctuation: ``</s>``. Quote, dash and bracket variants: ``"``, ``-``, ``(``,
    ``)``; runs of dots and ``…``: ``…``; other punctuation: its first character. Spaces and Markdown marks:
    ``""`` (the LM skips them).

    Args:
        text: The token text.
        kind: Its kind from :func:`tokenize`; classified from ``text`` when None.
        vocab: If given, a token not in it becomes ``<unk>``.

    Returns:
        The LM token string, or ``""`` for tokens the LM skips.
    """
    if kind is None:
        toks = tokenize(text)
        kind = toks[0].kind if len(toks) == 1 else "other"
    if kind == "word" or kind == "other":
        out = _word_lm_token(text)
    elif kind == "number":
        return NUM
    elif kind == "space":
        return ""
    else:
        first = text[0]
        if first in SENTENCE_END:
            return "…" if first == "." and len(text) > 1 else EOS
        if first in IGNORED_PUNCT:
            return ""
        out = _PUNCT_MAP.get(first, first)
    if vocab is not None and out not in vocab:
        return UNK
    return out


def lm_stream(lines: Iterable[str], vocab: Container[str] | None = None) -> Iterator[str]:
    """LM tokens of consecutive lines, with ``</s>`` at sentence ends (line breaks are not boundaries)."""
    for line in lines:
        for text, _start, kind in iter_tokens(line):
            tok = lm_token(text, kind, vocab)
            if tok:
                yield tok


def lm_sentences(text: str, vocab: Container[str] | None = None) -> list[list[str]]:
    """Split a text into LM sentences (lists of LM tokens, without ``<s>``/``</s>``).

    Args:
        text: Any text; line breaks do not end sentences.
        vocab: If given, tokens not in it become ``<unk>``.

    Returns:
        The non-empty sentences in order.
    """
    sentences: list[list[str]] = []
    current: list[str] = []
    for tok in lm_stream(text.split("\n"), vocab):
        if tok == EOS:
            if current:
                sentences.append(current)
                current = []
        else:
            current.append(tok)
    if current:
        sentences.append(current)
    return sentences
