"""Unicode and orthographic normalisation of Vietnamese text (pure functions).

Three layers:

* :func:`nfc` — Unicode NFC plus look-alike repair: ``Ð``/``Ɖ`` (U+00D0/U+0189) and ``D`` + combining stroke
  become ``Đ`` (U+0110), likewise for the lowercase forms; decomposed sequences and the legacy combining tone
  marks (U+0340/U+0341) are composed.
* :func:`normalise_syllable` / :func:`normalise_text` — one tone-placement convention for the models (the LM,
  the channels and the inventory see only it), the one in current government documents: in an *open* syllable
  whose vowel group is ``oa``, ``oe`` or ``uy`` the mark sits on the first vowel (``hòa``, ``khỏe``, ``thủy``,
  ``ủy``); ``qu`` and ``gi`` are onsets (``quý``, ``già``); a vowel carrying a quality mark (â ă ê ô ơ ư)
  takes the tone (``thuở``, ``người``); with a final consonant the tone goes on the last vowel (``hoàng``,
  ``thuyết``, ``khuếch``). Both conventions are accepted on input. Tokens that are not Vietnamese syllables
  (``café``, two tone marks, ...) are left as they are. :func:`placed_as_written` gives a restored word back
  the placement its input had (``hoà`` stays ``hoà`` on output).
* :func:`strip_diacritics` (the one accent folding; :func:`fold_char` and :func:`skeleton` apply it
  character by character, lower case), :func:`tone_of`, :func:`split_tone`, :func:`with_tone` — tone and
  mark helpers;
  :func:`case_pattern` / :func:`apply_case` — Vietnamese-aware case (``đ``/``Đ`` included).
"""

from __future__ import annotations

import functools
import unicodedata
from enum import IntEnum
from typing import Literal

import regex

from vntext.fold import strip_diacritics

CasePattern = Literal["lower", "upper", "title", "mixed"]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


class Tone(IntEnum):
    """The six Vietnamese tones (``ngang`` = no mark)."""

    NGANG = 0
    HUYEN = 1
    SAC = 2
    HOI = 3
    NGA = 4
    NANG = 5


#: Combining character of each marked tone.
TONE_MARKS: dict[Tone, str] = {
    Tone.HUYEN: "\u0300",
    Tone.SAC: "\u0301",
    Tone.HOI: "\u0309",
    Tone.NGA: "\u0303",
    Tone.NANG: "\u0323",
}
_MARK_TONE = {mark: tone for tone, mark in TONE_MARKS.items()}

#: Toneless vowel letters (lowercase).
VOWELS = frozenset("aăâeêioôơuưy")
#: Vowels that carry a quality mark; one of them takes the tone when present.
_MARKED_VOWELS = frozenset("ăâêôơư")
#: Onsets of Vietnamese syllables (``qu`` and ``gi`` count as onsets when a vowel follows).
ONSETS = frozenset(("", *_words("b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x")))
#: Final consonants.
CODAS = frozenset(("", *_words("c ch m n ng nh p t")))

_LOOKALIKES = str.maketrans(
    {
        "\u00d0": "\u0110",  # Ð (Icelandic eth, capital) -> Đ
        "\u0189": "\u0110",  # Ɖ (African D) -> Đ
        "\u00f0": "\u0111",  # ð (eth) -> đ
        "\u0256": "\u0111",  # ɖ (d with tail) -> đ
        "\u0340": "\u0300",  # combining grave tone mark -> combining grave
        "\u0341": "\u0301",  # combining acute tone mark -> combining acute
    }
)
_STROKED_D = regex.compile(r"([dD])[\u0335\u0336]")


def _build_tone_table() -> tuple[dict[str, tuple[str, Tone]], dict[tuple[str, Tone], str]]:
    split: dict[str, tuple[str, Tone]] = {}
    join: dict[tuple[str, Tone], str] = {}
    for base in "aăâeêioôơuưy":
        for letter in (base, base.upper()):
            join[(letter, Tone.NGANG)] = letter
            for tone, mark in TONE_MARKS.items():
                composed = unicodedata.normalize("NFC", letter + mark)
                split[composed] = (letter, tone)
                join[(letter, tone)] = composed
    return split, join


_SPLIT_TONE, _JOIN_TONE = _build_tone_table()


_COMBINING = regex.compile(r"\p{M}+")
_WORD_RUN = regex.compile(r"[\p{L}\p{M}]+")


def nfc(text: str) -> str:
    """Unicode NFC with Vietnamese look-alikes repaired.

    ``Ð`` (U+00D0), ``Ɖ`` (U+0189) and ``D`` + combining stroke become ``Đ`` (U+0110); ``ð``, ``ɖ`` and
    ``d`` + stroke become ``đ``; legacy combining tone marks (U+0340/U+0341) and decomposed sequences are
    composed.

    Args:
        text: Any text.

    Returns:
        The normalised text.
    """
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text.translate(_LOOKALIKES))
    if "\u0335" in text or "\u0336" in text:
        # After NFC the stroke overlay (combining class 1) sits right after its base letter.
        text = unicodedata.normalize("NFC", _STROKED_D.sub(lambda m: "Đ" if m.group(1) == "D" else "đ", text))
    return text


@functools.lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """:func:`strip_diacritics` of one character in lower case (``ộ`` → ``o``, ``Đ`` → ``d``); a character it
    would delete or that lower-cases to several (a lone combining mark, ``İ``) stays as it is, lower-cased, so
    a text folds character for character."""
    low = ch.lower()
    if len(low) != 1:
        return low
    folded = strip_diacritics(low)
    return folded if len(folded) == 1 else low


def skeleton(text: str) -> str:
    """Accent-stripped lowercase form of a token, character for character (``Đoàn`` → ``doan``)."""
    return "".join(fold_char(c) for c in unicodedata.normalize("NFC", text))


@functools.lru_cache(maxsize=65536)
def split_tone(s: str) -> tuple[str, Tone]:
    """Split a word into its toneless form (vowel marks kept) and its tone.

    If the word carries several tone marks they are all removed and the first one is returned.

    Args:
        s: A word (NFC or not).

    Returns:
        ``(toneless, tone)``, e.g. ``("người" -> ("ngươi", Tone.HUYEN))``.
    """
    if s.isascii():
        return s, Tone.NGANG
    s = nfc(s)
    tone = Tone.NGANG
    chars = []
    for ch in s:
        hit = _SPLIT_TONE.get(ch)
        if hit is None:
            if ch in _MARK_TONE:  # a stray combining tone mark (not composable with its base)
                if tone is Tone.NGANG:
                    tone = _MARK_TONE[ch]
                continue
            chars.append(ch)
        else:
            chars.append(hit[0])
            if tone is Tone.NGANG:
                tone = hit[1]
    return "".join(chars), tone


def tone_of(s: str) -> Tone:
    """The tone of a syllable (the first tone mark found; ``Tone.NGANG`` when none)."""
    return split_tone(s)[1]


def _tone_index(base: str) -> int | None:
    """Index of the vowel taking the tone in a toneless lowercase syllable, or None if not a syllable."""
    n = len(base)
    i = 0
    while i < n and base[i] not in VOWELS:
        i += 1
    onset = base[:i]
    if i + 1 < n and base[i + 1] in VOWELS and (onset, base[i]) in (("q", "u"), ("g", "i")):
        onset += base[i]  # "qu" and "gi" are onsets when another vowel follows
        i += 1
    if onset not in ONSETS:
        return None
    j = i
    while j < n and base[j] in VOWELS:
        j += 1
    nucleus, coda = base[i:j], base[j:]
    if not nucleus or coda not in CODAS or len(nucleus) > 3:
        return None
    marked = [k for k, ch in enumerate(nucleus) if ch in _MARKED_VOWELS]
    if marked:
        k = marked[-1]
    elif coda:
        k = len(nucleus) - 1
    elif len(nucleus) == 3:
        k = 1
    else:
        k = 0
    return i + k


def with_tone(base: str, tone: Tone) -> str | None:
    """Put ``tone`` on a toneless syllable using the project's placement convention.

    Args:
        base: A toneless syllable, any case (vowel marks kept), e.g. ``"hoa"``, ``"thuyêt"``.
        tone: The tone to place.

    Returns:
        The toned syllable (``"hòa"``, ``"thuyết"``), or None when ``base`` is not a Vietnamese syllable.
    """
    k = _tone_index(base.lower())
    if k is None:
        return None
    if tone is Tone.NGANG:
        return base
    return base[:k] + _JOIN_TONE[(base[k], tone)] + base[k + 1 :]


@functools.lru_cache(maxsize=131072)
def normalise_syllable(s: str) -> str:
    """NFC, look-alikes repaired, and the tone mark moved to its place in the output convention.

    Case is preserved character by character. A word that is not a Vietnamese syllable (no vowel, a foreign
    spelling, two tone marks) is only NFC-normalised.

    Args:
        s: One word (a run of letters), any case.

    Returns:
        The normalised word: ``"hoà"`` → ``"hòa"``, ``"THUỶ"`` → ``"THỦY"``, ``"qúy"`` → ``"quý"``.
    """
    s = nfc(s)
    if s.isascii():
        return s
    base, tone = split_tone(s)
    if tone is Tone.NGANG or len(base) != len(s):
        return s
    if sum(1 for ch in s if ch in _SPLIT_TONE) != 1:
        return s  # two tone marks (or a stray combining one): not a syllable, leave it alone
    placed = with_tone(base, tone)
    return s if placed is None else placed


def placed_as_written(chosen: str, written: str) -> str:
    """``chosen`` with its tone mark on the vowel that carries it in ``written``, when ``written`` is a word
    marked in the old placement (``hoà``, ``thuỷ``, ``HOÀ``) with the same letters as ``chosen`` (case and
    tone aside); otherwise ``chosen`` as it is.

    Restoration reads words in the modern placement; this keeps the placement a document is printed in:
    ``placed_as_written("hòa", "hoà") == "hoà"``, ``placed_as_written("hóa", "hoà") == "hoá"``,
    ``placed_as_written("hòa", "hoa") == "hòa"`` (unmarked input: the modern placement).
    """
    if chosen == written or written.isascii() or normalise_syllable(written) == written:
        return chosen
    written_base, _ = split_tone(written)
    chosen_base, tone = split_tone(chosen)
    if tone is Tone.NGANG or written_base.lower() != chosen_base.lower() or len(chosen_base) != len(chosen):
        return chosen
    at = next((i for i, ch in enumerate(written) if ch in _SPLIT_TONE), None)
    if at is None or at != _old_tone_index(written_base.lower()):
        return chosen  # a misplaced mark (``qúy``), not the old convention
    return chosen_base[:at] + _JOIN_TONE[(chosen_base[at], tone)] + chosen_base[at + 1 :]


def _old_tone_index(base: str) -> int | None:
    """Where the old convention puts the tone of a toneless lowercase syllable when it differs from the
    modern one: the second vowel of an open ``oa``, ``oe`` or ``uy`` (``hoà``, ``khoẻ``, ``thuỷ``)."""
    k = _tone_index(base)
    if k is None or k + 2 != len(base) or base[k : k + 2] not in ("oa", "oe", "uy"):
        return None
    return k + 1


def normalise_text(text: str) -> str:
    """Apply :func:`nfc`, then :func:`normalise_syllable` to every run of letters, keeping everything else.

    Args:
        text: Any text.

    Returns:
        The normalised text (same line structure).
    """
    text = nfc(text)
    if text.isascii():
        return text
    return _WORD_RUN.sub(lambda m: normalise_syllable(m.group(0)), text)


def case_pattern(token: str) -> CasePattern:
    """Classify the case of a token by its cased letters.

    Returns:
        ``"lower"`` (no upper-case letter, or no cased letter at all), ``"upper"`` (two or more cased letters,
        all upper case), ``"title"`` (the first cased letter is the token's first letter, upper case, and the
        rest are lower case; a single capital counts as title) or ``"mixed"``.
    """
    cased = [ch for ch in token if ch.isupper() or ch.islower()]
    if not cased or not any(ch.isupper() for ch in cased):
        return "lower"
    if all(ch.isupper() for ch in cased):
        return "upper" if len(cased) > 1 else "title"
    if cased[0].isupper() and all(ch.islower() for ch in cased[1:]):
        return "title"
    return "mixed"


def _same_length_upper(word: str) -> str:
    up = word.upper()
    return up if len(up) == len(word) else "".join(c.upper() if len(c.upper()) == 1 else c for c in word)


def apply_case(pattern: CasePattern, word: str, original: str | None = None) -> str:
    """Give ``word`` the case ``pattern`` (from :func:`case_pattern`).

    Args:
        pattern: The case pattern to apply.
        word: The word, typically lowercase.
        original: For ``"mixed"``: the token the pattern came from. Its case is copied character by
            character when it has the same length as ``word``; otherwise the majority case is used (upper
            if most cased letters are upper case, title if only the first one is, lower otherwise).

    Returns:
        The re-cased word.
    """
    if pattern == "lower":
        return word.lower()
    if pattern == "upper":
        return _same_length_upper(word)
    if pattern == "title":
        return _same_length_upper(word[:1]) + word[1:].lower()
    if original is None:
        return word.lower()
    if len(original) == len(word):
        return "".join(
            _same_length_upper(w) if o.isupper() else (w.lower() if o.islower() else w)
            for o, w in zip(original, word, strict=True)
        )
    uppers = sum(1 for ch in original if ch.isupper())
    lowers = sum(1 for ch in original if ch.islower())
    if uppers > lowers:
        return _same_length_upper(word)
    if original[:1].isupper():
        return _same_length_upper(word[:1]) + word[1:].lower()
    return word.lower()
