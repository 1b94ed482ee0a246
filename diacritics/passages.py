"""English passages of a tokenised document: which tokens restoration leaves as written.

The word-by-word model is :class:`diacritics.foreign.EnglishPassageModel`; this module turns its mask into
token positions (``(line, start)``): a passage's edges, the signer's name under an English signature title,
and the Vietnamese words a damaged document's passages give back to restoration.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import regex

from .foreign import EnglishPassageModel
from .tokens import SENTENCE_END, Token

#: ``(line, start)`` of tokens: how passes name the tokens of a tokenised text.
Spans = set[tuple[int, int]]

#: Punctuation a passage does not widen across: a sentence end (:data:`SENTENCE_END`) or a colon.
_SENTENCE_BREAK = regex.compile(f"[{regex.escape(''.join(sorted(SENTENCE_END)))}:]")
#: A level or grade code (``A2``, ``B1``, ``C1``) next to an English passage.
_LEVEL_CODE = regex.compile(r"[A-Z]{1,2}\d{1,2}")
#: Words in a signer's name line (``Vuong Dinh Hue``, ``Nguyen Thi Kim Ngan``).
_NAME_WORDS = range(2, 6)
#: Words in the English signature title above it (``CHAIRMAN``, ``DEPUTY PRIME MINISTER``).
_TITLE_WORDS = range(1, 5)
#: ... and on the line the name closes, where two title lines may have run together (``FOR THE PRIME
#: MINISTER DEPUTY PRIME MINISTER Truong Hoa Binh``).
_RUN_TITLE_WORDS = range(1, 9)


def english_passages(model: EnglishPassageModel, tokenised: Sequence[Sequence[Token]]) -> Spans:
    """``(line, start)`` of the tokens inside English passages.

    A passage holds its words but those with marks (see also :func:`vietnamese_words_in_passages`),
    whatever lies between two of its words (numbers, codes, punctuation; across line breaks), and the
    numbers, punctuation and level codes (``A2``) between its first or last word and the word before or
    after it on the same line (``A2 Key English Test``, ``DECREE NO. 15/2020/ND-CP``); then the signer's
    name under an English signature title (:func:`_add_signature_names`).
    """
    flat = [(line_no, tok) for line_no, toks in enumerate(tokenised) for tok in toks]
    word_at = [i for i, (_, tok) in enumerate(flat) if tok.kind == "word"]
    if not word_at:
        return set()
    # a passage does not widen across a line break or a sentence end
    breaks = [
        k > 0
        and (
            flat[word_at[k]][0] != flat[word_at[k - 1]][0]
            or any(_SENTENCE_BREAK.search(t.text) for _, t in flat[word_at[k - 1] + 1 : word_at[k]])
        )
        for k in range(len(word_at))
    ]
    mask = model.english_mask([flat[i][1].text for i in word_at], breaks)
    inside: Spans = set()
    k = 0
    while k < len(word_at):
        if not mask[k]:
            k += 1
            continue
        first = k
        while k + 1 < len(word_at) and mask[k + 1]:
            k += 1
        begin, end = word_at[first], word_at[k]
        line_first, line_last = flat[begin][0], flat[end][0]
        while begin > 0 and _edge_token(flat[begin - 1][1]) and flat[begin - 1][0] == line_first:
            begin -= 1
        while end + 1 < len(flat) and _edge_token(flat[end + 1][1]) and flat[end + 1][0] == line_last:
            end += 1
        inside.update(
            (line_no, tok.start)
            for line_no, tok in flat[begin : end + 1]
            if tok.kind != "word" or model.word_class(tok.text) != "marked"
        )
        k += 1
    _add_signature_names(model, tokenised, inside)
    return inside


def vietnamese_words_in_passages(
    model: EnglishPassageModel, tokenised: Sequence[Sequence[Token]], english: Spans
) -> Spans:
    """The words of English passages made of Vietnamese letters in lower case (``va``, ``tai`` in
    ``Key English Test (KET) va Preliminary English Test``; ``hoc`` in ``ad hoc``): in a stripped or
    English-model OCR document they are restored (the pipeline takes them out of the passages), in other
    text they are English or Latin and stay. Title-case ones are names and stay everywhere."""
    return {
        (line_no, tok.start)
        for line_no, toks in enumerate(tokenised)
        for tok in toks
        if tok.kind == "word"
        and (line_no, tok.start) in english
        and tok.text.islower()
        and model.word_class(tok.text) == "vietnamese"
    }


def unmarked_title_case(text: str) -> bool:
    """Whether a word is written in title case without marks (``Nhung``, ``Vuong``), as a name may be."""
    return len(text) > 1 and text.isascii() and text[0].isupper() and text[1:].islower()


def _add_signature_names(
    model: EnglishPassageModel, tokenised: Sequence[Sequence[Token]], inside: Spans
) -> None:
    """Add to ``inside`` the signer's name under an English signature title (``CHAIRMAN`` /
    ``Vuong Dinh Hue``): a line of two to five words in title case, without marks, none an English word
    that is no Vietnamese syllable (``Hue`` may be English too), right under a line of one to four
    words in capitals that are all in a passage. Its words are Vietnamese letters, so the passage model
    alone ends the passage before them; an English text writes names unmarked. Only the passages found
    by the model count as titles: a name line never makes the next line one. The same title and name
    closing one line count too (:func:`_signature_ending_line`)."""
    passages = set(inside)
    previous: Sequence[Token] = ()
    previous_no = -1
    for line_no, toks in enumerate(tokenised):
        visible = [t for t in toks if t.kind != "space"]
        if not visible:
            continue
        words = [t for t in visible if t.kind == "word"]
        title = [t for t in previous if t.kind == "word"]
        if (
            len(title) in _TITLE_WORDS
            and all(t.text.isupper() and (previous_no, t.start) in passages for t in title)
            and len(words) == len(visible)
            and len(words) in _NAME_WORDS
            and all(_signer_name_word(model, t) for t in words)
        ):
            inside.update((line_no, t.start) for t in toks)
        else:
            inside.update(
                (line_no, t.start) for t in _signature_ending_line(model, line_no, visible, passages)
            )
        previous, previous_no = visible, line_no


def _signer_name_word(model: EnglishPassageModel, token: Token) -> bool:
    """A word a signer's name may be written with in an English text: unmarked title case, and no English
    word that is no Vietnamese syllable (``Hue`` may be English too)."""
    return unmarked_title_case(token.text) and model.word_class(token.text) != "english"


def _signature_ending_line(
    model: EnglishPassageModel, line_no: int, visible: Sequence[Token], passages: Spans
) -> list[Token]:
    """The signer's name closing a line after its English title (``... on July 28, 2021. CHAIRMAN Vuong
    Dinh Hue``, a signature block run into one line): two to five name words ending the line, right after
    one to eight words in capitals of a passage that start the line or follow a sentence end."""
    names = list(
        itertools.takewhile(lambda t: t.kind == "word" and _signer_name_word(model, t), visible[::-1])
    )
    if len(names) not in _NAME_WORDS:
        return []
    before = visible[: len(visible) - len(names)]
    title = list(
        itertools.takewhile(
            lambda t: t.kind == "word" and t.text.isupper() and (line_no, t.start) in passages,
            before[::-1],
        )
    )
    rest = before[: len(before) - len(title)]
    if len(title) not in _RUN_TITLE_WORDS or (rest and rest[-1].text[-1:] not in SENTENCE_END):
        return []
    return names


def _edge_token(token: Token) -> bool:
    """Whether a token between an English passage's edge word and the next word on its line goes with the
    passage: punctuation, space, a number or code, a level code (``A2``); not a glued OCR token (``d6i``)."""
    return token.kind in ("punct", "space", "number") or bool(_LEVEL_CODE.fullmatch(token.text))
