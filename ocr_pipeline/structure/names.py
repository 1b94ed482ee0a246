"""Signers' position titles and Vietnamese personal names, checked and repaired conservatively.

- :func:`snap_position`: a position line read by OCR, snapped to the closed list of position titles
  (:data:`POSITION_TITLES`, each with its ``PHÓ`` form) only when it is a near miss of exactly one of them
  (diacritic slips, one wrong letter); any other reading is kept as printed.
- :func:`person_name`: a signer's name line as a name, or None: each word a Vietnamese syllable
  (:func:`is_syllable`), the first a common surname (:data:`SURNAMES`); a surname read with a wrong
  accent is repaired when exactly one surname folds to it (``Hô`` → ``Hồ``). Anything else gives None:
  no name rather than a wrong one.
"""

from __future__ import annotations

import unicodedata

import regex

from vntext.fold import fold_upper as fold


def _words(text: str) -> list[str]:
    return text.split()


#: Titles of a signer's own position (Nghị định 30/2020/NĐ-CP signature blocks); each also takes ``PHÓ``.
HEAD_TITLES = (
    "THỦ TƯỚNG",
    "BỘ TRƯỞNG",
    "CHỦ TỊCH",
    "CHỦ NHIỆM",
    "GIÁM ĐỐC",
    "TỔNG GIÁM ĐỐC",
    "CỤC TRƯỞNG",
    "VỤ TRƯỞNG",
    "VIỆN TRƯỞNG",
    "HIỆU TRƯỞNG",
    "CHÁNH VĂN PHÒNG",
    "CHÁNH THANH TRA",
    "CHÁNH ÁN",
    "TRƯỞNG BAN",
    "TRƯỞNG PHÒNG",
    "BÍ THƯ",
    "TỔNG CỤC TRƯỞNG",
    "TỔNG THƯ KÝ",
    "TỔNG KIỂM TOÁN",
    "TRƯỞNG ĐOÀN",
    "GIÁM ĐỐC SỞ",
)
#: Deputy titles that are not ``PHÓ`` + the head's title.
DEPUTY_OF = {"BỘ TRƯỞNG": "THỨ TRƯỞNG", "TỔNG THƯ KÝ": "PHÓ TỔNG THƯ KÝ"}
POSITION_TITLES: tuple[str, ...] = (
    *HEAD_TITLES,
    *(f"PHÓ {t}" for t in HEAD_TITLES if t != "BỘ TRƯỞNG"),
    "THỨ TRƯỞNG",
)
_FOLDED_TITLES = {fold(t): t for t in POSITION_TITLES}

#: Common Vietnamese surnames (họ), as printed in signature blocks.
SURNAMES = frozenset(
    _words(
        """Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương Trịnh
    Trương Lâm Phùng Mai Tô Hà Tạ Đinh Lương Lưu Cao Châu Chu Đàm Thái Tăng Lại Kiều Quách La Giang Mạc
    Từ Tống Triệu Hứa Khổng Lục Nông Lò Quan Âu Ông Đồng Kim Khúc Khương Thân Thạch Doãn Diệp Cù Cấn
    Bạch Mẫn Nghiêm Nhữ Phí Quản Sầm Tôn Ứng Vi Hầu Hàn Lã Lạc Mã Ngụy Tiêu Thiều Bế Giáp Khuất Kha
    Luyện Lường Ngọ Phó Phù Tất Tiết Cầm Sùng Dư Điêu Đèo Hạ Hán Biện Cung Bành Chế Chử Đậu Đới Đường
    Lèo Mông Vòng Trình Tào Lữ"""
    )
)
_SURNAMES_BY_FOLD: dict[str, list[str]] = {}
for _known in sorted(SURNAMES):
    _SURNAMES_BY_FOLD.setdefault(fold(_known), []).append(_known)

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
#: What a tone mark sits on, decomposed: a vowel letter, or the breve, circumflex or horn of one.
_TONED_BASES = frozenset("aeiouy\u0306\u0302\u031b")
_ONSET = r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
_VOWELS = (
    r"(?:a|ă|â|e|ê|i|y|o|ô|ơ|u|ư|ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ua|ưa|ui|ưi|ưu|iêu|yêu|uôi|ươi"
    r"|ươu|iê|yê|uô|ươ|oa|oă|oe|uê|uy|uơ|uâ|oai|oay|oeo|uây|uya|uyu|uyê|uya)"
)
_SYLLABLE = regex.compile(rf"^{_ONSET}(?P<vowels>{_VOWELS})(?P<coda>c|ch|m|n|ng|nh|p|t)?$")
#: Vowel groups that end a syllable: they take no final consonant.
_OPEN_ONLY = frozenset(
    _words("ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ưa ui ưi ưu iêu yêu uôi ươi ươu")
    + _words("oai oay oeo uây uya uyu")
)


def _tone_and_base(syllable: str) -> tuple[set[str], str]:
    decomposed = unicodedata.normalize("NFD", syllable.lower())
    tones = {c for c in decomposed if c in _TONE_MARKS}
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    return tones, base


def is_syllable(word: str) -> bool:
    """Whether ``word`` (any case) is spelled as a Vietnamese syllable: onset + rhyme + at most one tone,
    on a vowel, a stop final (``c ch p t``) only with sắc or nặng."""
    tones, base = _tone_and_base(word)
    if len(tones) > 1 or (tones and not _tones_on_vowels(word)):
        return False
    match = _SYLLABLE.match(base)
    if not match:
        return False
    coda = match["coda"]
    if coda and match["vowels"] in _OPEN_ONLY:
        return False  # a diphthong closed by a final ("aic", "aon")
    return not (coda in {"c", "ch", "p", "t"} and tones and tones != {"\u0301"} and tones != {"\u0323"})


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance of two short strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def snap_position(text: str) -> str:
    """A position line with OCR slips repaired against :data:`POSITION_TITLES`.

    The line is snapped when its accent-folded form equals exactly one title's (``GIÁM ĐÓC`` → ``GIÁM
    ĐỐC``), or is one letter away from exactly one title of at least eight letters (``PHO CHU TỊCH``);
    anything else is returned as printed (stripped).
    """
    stripped = regex.sub(r"\s+", " ", text).strip(" .,;:")
    if not stripped or not any(c.isupper() for c in stripped) or any(c.islower() for c in stripped):
        return stripped
    folded = fold(stripped)
    if folded in _FOLDED_TITLES:
        return _FOLDED_TITLES[folded]
    near = [t for f, t in _FOLDED_TITLES.items() if len(f) >= 8 and edit_distance(folded, f) == 1]
    return near[0] if len(near) == 1 else stripped


#: Pieces of a damaged signer line: runs of letters (``PHO*RSHỦ`` → ``PHO``, ``RSHỦ``).
_LETTER_RUNS = regex.compile(r"\p{L}+")


def _folded_letters(text: str) -> str:
    """The A-Z letters of ``text`` accent-folded, without spaces or anything else."""
    return "".join(c for c in fold(text) if "A" <= c <= "Z")


def title_tolerance(folded_title: str) -> int:
    """Letter edits a damaged reading of a title may hold: one from eight letters, two from eleven."""
    size = len(folded_title)
    return 2 if size >= 11 else 1 if size >= 8 else 0


def damaged_title(text: str) -> str | None:
    """The title of :data:`POSITION_TITLES` a position line damaged by a seal or a signature reads as.

    The line's letters from one of its letter runs on (stray marks before the title dropped: ``œNHỦ
    TƯỚNG``, ``PHO*RSHỦ TƯỚNG``) are compared with each title, accents and spaces left out; the line is
    that title when the fewest edits are within :func:`title_tolerance` and no other title, read from the
    same or a later run, is as close. The reading using more of the line wins a tie.
    """
    runs = [m.start() for m in _LETTER_RUNS.finditer(text)]
    best: tuple[int, int, str] | None = None  # edits, letters left unexplained, title
    ties: set[str] = set()
    for dropped, start in enumerate(runs):
        letters = _folded_letters(text[start:])
        if not letters:
            continue
        for folded_title, title in _FOLDED_TITLES.items():
            folded_title = folded_title.replace(" ", "")
            edits = edit_distance(letters, folded_title)
            if edits > title_tolerance(folded_title):
                continue
            key = (edits, dropped, title)
            if best is None or key[:2] < best[:2]:
                best, ties = key, {title}
            elif key[:2] == best[:2]:
                ties.add(title)
    return best[2] if best is not None and len(ties) == 1 else None


def ends_with_title(text: str, title: str) -> bool:
    """Whether a damaged line ends with ``title`` read with at most a fifth of its letters wrong, whatever
    stray marks come before it (the position expected under ``KT.``, see :func:`deputy_title`)."""
    letters, target = _folded_letters(text), _folded_letters(title)
    if len(target) < 8 or not letters:
        return False
    # edit distance of the title to the best-matching end of the line (free start in the line)
    previous = [0] * (len(letters) + 1)
    for i, ct in enumerate(target, 1):
        current = [i]
        for j, cl in enumerate(letters, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ct != cl)))
        previous = current
    return previous[-1] <= len(target) // 5


def deputy_title(head: str) -> str | None:
    """The title of a deputy of ``head`` (``GIÁM ĐỐC`` → ``PHÓ GIÁM ĐỐC``, ``BỘ TRƯỞNG`` → ``THỨ
    TRƯỞNG``); None when ``head`` is not a head's title of the closed list."""
    head = snap_position(head)
    if head not in HEAD_TITLES:
        return None
    return DEPUTY_OF.get(head, f"PHÓ {head}")


def _surname(word: str) -> str | None:
    if word in SURNAMES or (word.isupper() and word.capitalize() in SURNAMES):
        return word
    matches = _SURNAMES_BY_FOLD.get(fold(word), [])
    if len(matches) == 1 and not word.isupper():
        return matches[0]  # the same letters with a slipped accent ("Hô" → "Hồ", "Nguýễn" → "Nguyễn")
    return None


def _tones_on_vowels(word: str) -> bool:
    """Whether every tone mark of ``word`` sits on a vowel (``Ñ`` is no ``N`` with a ngã)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return all(
        char not in _TONE_MARKS or (i > 0 and decomposed[i - 1] in _TONED_BASES)
        for i, char in enumerate(decomposed)
    )


def _syllable_but_tones(word: str) -> bool:
    """Whether ``word`` is a syllable but for holding several tone marks, each on a vowel (``Nguýễn``)."""
    return _tones_on_vowels(word) and bool(_SYLLABLE.match(_tone_and_base(word)[1]))


def _name_word(word: str, first: bool) -> bool:
    """Whether ``word`` may stand in a name: a capitalised syllable; the surname may also be a surname's
    letters read with too many tones (``Nguýễn``: :func:`_surname` repairs it)."""
    if not word.isalpha() or not word[0].isupper():
        return False
    if is_syllable(word):
        return True
    return first and not word.isupper() and _syllable_but_tones(word) and _surname(word) is not None


def person_name(text: str) -> str | None:
    """The Vietnamese personal name a signer's name line holds, or None when it is not surely one.

    Args:
        text: The line (``Hồ Quốc Dũng``; trailing punctuation tolerated).

    Returns:
        ``Surname Middle… Given``: 2-5 capitalised words, each a Vietnamese syllable, the first a
        surname of :data:`SURNAMES` (repaired when only its accent slipped). None otherwise.
    """
    words = unicodedata.normalize("NFC", text).strip(" .,;:").split()
    if not 2 <= len(words) <= 5:
        return None
    if any(not _name_word(w, i == 0) for i, w in enumerate(words)):
        return None
    if any(w.isupper() for w in words) and not all(w.isupper() for w in words):
        return None  # "Trần VĂN an": mixed case is noise
    if not all(w.isupper() for w in words) and any(not w[1:].islower() for w in words if len(w) > 1):
        return None
    surname = _surname(words[0])
    if surname is None:
        return None
    return " ".join([surname, *words[1:]])


#: Where a damaged name line splits into words: spaces, marks, and before a capital that starts a
#: syllable glued to what precedes it (``ezZZLê`` → ``ez ZZ Lê``).
_NAME_SPLIT = regex.compile(r"[^\p{L}]+|(?<=\p{L})(?=\p{Lu}\p{Ll})")
#: Least words of a name found after stray marks (a two-word tail could be a name whose surname was lost).
MIN_WORDS_AFTER_MARKS = 3


def _mark_token(word: str) -> bool:
    """Whether a piece of a name line is a stray mark rather than a word: at most two characters and no
    syllable in any case (``ˆ``, ``Z`` at the end of a line a signature's stroke crosses; not ``để``)."""
    return len(word) <= 2 and not is_syllable(word)


def name_after_marks(text: str) -> str | None:
    """The name a line holds between stray marks of a seal or a signature (``“ezZZLê Minh Hưng``,
    ``*-fNguýễn Văn Thắng``, ``Nguyễn Văn An /``, ``NguyễnVăn An``), or None.

    The line is cut into words (:data:`_NAME_SPLIT`: marks that are no letters go, glued words part);
    short marks after the name (:func:`_mark_token`) are dropped. When that changed the line, its words
    from the first on may make the name (:func:`person_name`, its surname as printed); else the name is the
    words after the marks when they make a :func:`person_name` of at least :data:`MIN_WORDS_AFTER_MARKS`
    words and every word dropped before it is no capitalised syllable (it could be a part of the name).
    """
    text = unicodedata.normalize("NFC", text)
    words = [w for w in _NAME_SPLIT.split(text) if w]
    while words and _mark_token(words[-1]):
        words.pop()
    if words != text.split():
        whole = person_name(" ".join(words))
        if whole is not None and whole.split()[0] == words[0]:
            return whole  # the surname as printed: marks dropped and an accent repaired is too much
    for start in range(1, len(words) - MIN_WORDS_AFTER_MARKS + 1):
        if _name_word(words[start - 1], True):
            return None  # a word of the name, or a name of its own, before: not marks
        name = person_name(" ".join(words[start:]))
        if name is not None:
            return name
    return None
