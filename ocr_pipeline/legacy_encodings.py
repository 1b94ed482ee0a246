"""Vietnamese text in the legacy 8-bit encodings of old archives: CP1258, TCVN3 (ABC) and VNI.

* **CP1258** (Windows-1258): Latin-1-like, with ă â ê ô ơ ư đ and the five tone marks as combining characters
  (Python's ``cp1258`` codec, then NFC).
* **TCVN3** (TCVN 5712:1993 VN3, the ``.Vn`` fonts of the "ABC" keyboard): one byte per lowercase toned
  letter; only Ă Â Đ Ê Ô Ơ Ư exist as capitals (capital text was set in a separate capital font with the
  lowercase codes), so a converted letter inside a word otherwise in capitals is made a capital.
* **VNI** (VNI-Windows, the ``VNI-`` fonts): a base letter followed by a mark byte (``a`` + ``ù`` = ``á``),
  a few letters in one byte (``ñ`` = ``đ``, ``ö`` = ``ư``, ``ô`` = ``ơ``).

:func:`detect` tells which of them a byte string holds by decoding it every way and counting the words that
are Vietnamese syllables; :func:`decode` converts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

#: The encodings handled here, by the name ``--encoding`` takes, with the name a message shows.
LEGACY_ENCODINGS: dict[str, str] = {"cp1258": "CP1258", "tcvn3": "TCVN3 (ABC)", "vni": "VNI"}


def _windows_1252_table() -> list[str]:
    """Byte → character of Windows-1252, with Latin-1 for its five undefined bytes."""
    table = []
    for byte in range(256):
        try:
            table.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            table.append(chr(byte))
    return table


_TCVN3_LETTERS = {
    # byte: letter (a ă â, then đ e ê i o ô ơ u ư y; each vowel as huyền, sắc, hỏi, ngã, nặng)
    0xB5: "à", 0xB8: "á", 0xB6: "ả", 0xB7: "ã", 0xB9: "ạ",
    0xA8: "ă", 0xBB: "ằ", 0xBE: "ắ", 0xBC: "ẳ", 0xBD: "ẵ", 0xC6: "ặ",
    0xA9: "â", 0xC7: "ầ", 0xCA: "ấ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCB: "ậ",
    0xAE: "đ",
    0xCC: "è", 0xD0: "é", 0xCE: "ẻ", 0xCF: "ẽ", 0xD1: "ẹ",
    0xAA: "ê", 0xD2: "ề", 0xD5: "ế", 0xD3: "ể", 0xD4: "ễ", 0xD6: "ệ",
    0xD7: "ì", 0xDD: "í", 0xD8: "ỉ", 0xDC: "ĩ", 0xDE: "ị",
    0xDF: "ò", 0xE3: "ó", 0xE1: "ỏ", 0xE2: "õ", 0xE4: "ọ",
    0xAB: "ô", 0xE5: "ồ", 0xE8: "ố", 0xE6: "ổ", 0xE7: "ỗ", 0xE9: "ộ",
    0xAC: "ơ", 0xEA: "ờ", 0xED: "ớ", 0xEB: "ở", 0xEC: "ỡ", 0xEE: "ợ",
    0xEF: "ù", 0xF3: "ú", 0xF1: "ủ", 0xF2: "ũ", 0xF4: "ụ",
    0xAD: "ư", 0xF5: "ừ", 0xF8: "ứ", 0xF6: "ử", 0xF7: "ữ", 0xF9: "ự",
    0xFA: "ỳ", 0xFD: "ý", 0xFB: "ỷ", 0xFC: "ỹ", 0xFE: "ỵ",
    0xA1: "Ă", 0xA2: "Â", 0xA7: "Đ", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư",
}  # fmt: skip

_TCVN3_TABLE = _windows_1252_table()
for _byte, _letter in _TCVN3_LETTERS.items():
    _TCVN3_TABLE[_byte] = _letter
_WINDOWS_1252_TABLE = _windows_1252_table()

#: VNI mark bytes (as Windows-1252 characters) after a vowel: lowercase, uppercase; tones then qualities.
_VNI_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_TONES_UPPER = {"Ù": "\u0301", "Ø": "\u0300", "Û": "\u0309", "Õ": "\u0303", "Ï": "\u0323"}
#: Circumflex + tone in one mark byte (``â`` circumflex, ``á à å ã ä`` circumflex with a tone).
_VNI_CIRCUMFLEX = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_CIRCUMFLEX_UPPER = {"Â": "", "Á": "\u0301", "À": "\u0300", "Å": "\u0309", "Ã": "\u0303", "Ä": "\u0323"}
#: Breve + tone in one mark byte (after ``a`` only).
_VNI_BREVE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_VNI_BREVE_UPPER = {"Ê": "", "É": "\u0301", "È": "\u0300", "Ú": "\u0309", "Ü": "\u0303", "Ë": "\u0323"}
#: Letters of one byte: ơ ư đ, and i/y with a tone.
_VNI_SINGLE = {
    "ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
    "Ô": "Ơ", "Ö": "Ư", "Ñ": "Đ", "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị", "Î": "Ỵ",
}  # fmt: skip


def _vni_sequences() -> dict[str, str]:
    """Every VNI sequence of a base and a mark → its letter (NFC)."""
    table: dict[str, str] = {}

    def add(base: str, marks: dict[str, str], quality: str = "") -> None:
        for mark, tone in marks.items():
            table[base + mark] = unicodedata.normalize("NFC", base_letter(base) + quality + tone)

    def base_letter(base: str) -> str:
        return _VNI_SINGLE.get(base, base)

    for lower, upper in (("a", "A"), ("e", "E"), ("o", "O"), ("u", "U"), ("y", "Y"), ("ô", "Ô"), ("ö", "Ö")):
        for base in (lower, upper):
            add(base, _VNI_TONES)
            add(base, _VNI_TONES_UPPER)
    for lower, upper in (("a", "A"), ("e", "E"), ("o", "O")):
        for base in (lower, upper):
            add(base, _VNI_CIRCUMFLEX, "\u0302")
            add(base, _VNI_CIRCUMFLEX_UPPER, "\u0302")
    for base in ("a", "A"):
        add(base, _VNI_BREVE, "\u0306")
        add(base, _VNI_BREVE_UPPER, "\u0306")
    return table


_VNI_SEQUENCES = _vni_sequences()
_VNI_PATTERN = re.compile(
    "|".join(re.escape(s) for s in sorted([*_VNI_SEQUENCES, *_VNI_SINGLE], key=len, reverse=True))
)
_WORD = re.compile(r"\S+")
_EDGE_PUNCTUATION = "\"'()[]{}<>.,;:!?-–—…“”‘’«»*/"


def _capitals_in_capital_words(text: str) -> str:
    """Capitalise the letters that are lowercase only because the encoding has no capital of them (TCVN3
    ``CéNG HOµ`` → ``CỘNG HOÀ``): in a line whose ASCII letters are all capitals (three or more), or else
    in a word whose ASCII letters are (two or more)."""

    def all_capitals(piece: str, least: int) -> bool:
        ascii_letters = [c for c in piece if c.isascii() and c.isalpha()]
        return len(ascii_letters) >= least and all(c.isupper() for c in ascii_letters)

    def fix_word(match: re.Match[str]) -> str:
        word = match.group()
        return word.upper() if all_capitals(word, 2) else word

    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.isascii():
            continue
        lines[i] = line.upper() if all_capitals(line, 3) else _WORD.sub(fix_word, line)
    return "\n".join(lines)


def decode_tcvn3(data: bytes) -> str:
    """TCVN3 (ABC) bytes → Unicode text (NFC)."""
    text = "".join(_TCVN3_TABLE[b] for b in data) if not data.isascii() else data.decode("ascii")
    return _capitals_in_capital_words(text)


def decode_vni(data: bytes) -> str:
    """VNI-Windows bytes → Unicode text (NFC)."""
    text = "".join(_WINDOWS_1252_TABLE[b] for b in data) if not data.isascii() else data.decode("ascii")
    return _VNI_PATTERN.sub(lambda m: _VNI_SEQUENCES.get(m.group()) or _VNI_SINGLE[m.group()], text)


def decode_cp1258(data: bytes) -> str:
    """Windows-1258 bytes → Unicode text (NFC: its combining tone marks joined to their letters).

    Raises:
        UnicodeDecodeError: A byte that Windows-1258 leaves undefined.
    """
    return unicodedata.normalize("NFC", data.decode("cp1258"))


DECODERS: dict[str, Callable[[bytes], str]] = {
    "cp1258": decode_cp1258,
    "tcvn3": decode_tcvn3,
    "vni": decode_vni,
}


def decode(data: bytes, encoding: str) -> str:
    """Convert ``data`` from one of :data:`LEGACY_ENCODINGS` to Unicode text.

    Raises:
        UnicodeDecodeError: A byte the encoding leaves undefined (CP1258 only).
    """
    return DECODERS[encoding](data)


@dataclass(frozen=True)
class Detection:
    """How well one legacy encoding reads a text.

    Attributes:
        encoding: The encoding's ``--encoding`` name.
        syllables: Words with a non-ASCII letter that read as Vietnamese syllables.
        words: Words with a non-ASCII character.
    """

    encoding: str
    syllables: int
    words: int

    @property
    def share(self) -> float:
        """The share of the words with a non-ASCII character that read as syllables."""
        return self.syllables / self.words if self.words else 0.0


#: Least share of the non-ASCII words a detected encoding must read as Vietnamese syllables.
MIN_SYLLABLE_SHARE = 0.6


def score(text: str, encoding: str) -> Detection:
    """Count the words of a decoded ``text`` with a non-ASCII character, and those that are syllables."""
    from diacritics.syllables import is_valid_syllable

    words = syllables = 0
    for match in _WORD.finditer(text):
        word = match.group().strip(_EDGE_PUNCTUATION)
        if word.isascii():
            continue
        words += 1
        syllables += is_valid_syllable(word)
    return Detection(encoding, syllables, words)


def detect(data: bytes) -> Detection | None:
    """The legacy encoding ``data`` (not UTF-8) is most likely in, or None when none reads as Vietnamese.

    Every encoding decodes any byte string (but CP1258 a few bytes), so each reading is scored by the share
    of its non-ASCII words that are Vietnamese syllables; the best reading wins when at least
    :data:`MIN_SYLLABLE_SHARE` of them are.
    """
    best: Detection | None = None
    for encoding in DECODERS:
        try:
            text = decode(data, encoding)
        except UnicodeDecodeError:
            continue
        found = score(text, encoding)
        if best is None or (found.share, found.syllables) > (best.share, best.syllables):
            best = found
    if best is None or best.words == 0 or best.share < MIN_SYLLABLE_SHARE:
        return None
    return best
