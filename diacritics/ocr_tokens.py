"""Which tokens the decoder reads, and the re-tokenisation of English-model OCR (horn marks, lone digits)."""

from __future__ import annotations

from collections.abc import Sequence

from .tokens import Token

#: Tokens that are words to the decoder: letters (kind "word") and OCR-mangled mixes like ``t6``, ``S&``.
DECODABLE_KINDS = frozenset({"word", "other"})
#: Tokens that may hold a document code or an abbreviation (``100/2019/ND-CP``, ``HDND``).
CODE_KINDS = frozenset({"word", "other", "number"})
#: What Tesseract's English model writes for the horn of ``ư``/``ơ`` when it ends a word (``SU’``, ``tu'``).
HORN_MARKS = frozenset("’'")


def glue_horn_marks(tokens: Sequence[Token]) -> list[Token]:
    """Join a word and the apostrophe right after it into one ``other`` token (``SU’`` → one token).

    Inside a word the tokenizer already keeps an apostrophe (``nu’éc``); at its end the apostrophe would be a
    quote that cuts the word off from the next one (``SU’ DUNG`` read as ``SU`` + ``"`` + ``DUNG`` loses the
    ``sử dụng`` context). Only for English-model OCR, where the apostrophe is the horn of ``ư``/``ơ``.
    """
    out: list[Token] = []
    for tok in tokens:
        prev = out[-1] if out else None
        if (
            tok.kind == "punct"
            and tok.text in HORN_MARKS
            and prev is not None
            and prev.kind in DECODABLE_KINDS
            and prev.start + len(prev.text) == tok.start
        ):
            out[-1] = Token(prev.text + tok.text, prev.start, "other")
        else:
            out.append(tok)
    return out


def lone_digits_as_words(tokens: Sequence[Token]) -> list[Token]:
    """Make a one-digit number whose neighbours on the line are words an ``other`` token the decoder reads.

    Tesseract's English model writes ``ở`` as ``6`` or ``0`` (``sinh sống 6 địa phương``). Such a digit is
    decoded like a mangled syllable, keeping the number as one reading (the LM weighs ``<num>`` against the
    syllables); digits next to punctuation or other numbers (``Điều 6.``, ``6/2021``) stay numbers. Only for
    English-model OCR.
    """
    out = list(tokens)
    visible = [i for i, t in enumerate(out) if t.kind != "space"]
    for n, i in enumerate(visible):
        tok = out[i]
        if tok.kind != "number" or len(tok.text) != 1:
            continue
        neighbours = [out[visible[k]] for k in (n - 1, n + 1) if 0 <= k < len(visible)]
        if neighbours and all(t.kind in DECODABLE_KINDS for t in neighbours):
            out[i] = Token(tok.text, tok.start, "other")
    return out
