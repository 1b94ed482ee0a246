"""Numbering markers of Vietnamese administrative documents, as small pure functions.

A body line of a plan or report (Nghị định 30/2020/NĐ-CP layout) may start with a marker:

========== ===================================== ==================
kind       printed                               label
========== ===================================== ==================
part       ``Phần I``, ``PHẦN THỨ NHẤT``, ``A.``  ``I``, ``thứ nhất``, ``A``
chapter    ``Chương II``                         ``II``
section    ``Mục 1``                             ``1``
article    ``Điều 3.``                           ``3``
roman      ``II.``                               ``II``
number     ``1.``  ``1)``                        ``1``
decimal    ``1.2.``  ``2.3.1``                   ``1.2``, ``2.3.1``
letter     ``a)``  ``đ)``  ``b.``                ``a``, ``đ``, ``b``
bullet     ``-``  ``–``  ``•``  ``+``            ``-`` or ``+``
========== ===================================== ==================

:func:`line_candidates` lists every reading of a line's start (best form first); :func:`score_candidate`
rates one reading against what the document context expects next (the next Roman numeral, the next
number...), which is how OCR slips are repaired: ``11.`` is Roman ``II`` only when a Roman heading was
expected and the text is an upper-case heading, ``VIl.`` is ``VII``, ``d)`` after ``d)`` is ``đ)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import regex

from vntext.fold import fold_upper as fold
from vntext.roman import roman_to_int

#: Tree rank of each kind: a node is nested under the nearest open node of a smaller rank.
RANK: dict[str, int] = {
    "part": 1,
    "chapter": 2,
    "section": 3,
    "article": 4,
    "roman": 5,
    "number": 6,
    "decimal": 7,
    "letter": 20,
}
#: Letters used for ``a)`` items, in Vietnamese alphabetical order (no f, j, w, z).
VIETNAMESE_LETTERS = "abcdđeghiklmnopqrstuvxy"
#: Characters that OCR produces for a Roman ``I``.
I_LOOKALIKES = {"1": "I", "l": "I", "|": "I", "!": "I", "í": "I", "ì": "I", "i": "I", "]": "I", "H": "II"}
ORDINALS = {
    "nhất": 1,
    "một": 1,
    "hai": 2,
    "ba": 3,
    "tư": 4,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
}

_ROMAN_TOKEN = regex.compile(r"^(?P<num>[IVXLCHl1|!íìi\]]{1,7})(?P<punct>\s*[.,:)]|\s)(?P<rest>.*)$")
_NUMBER = regex.compile(r"^(?P<num>\d{1,3})(?P<punct>\s*[.)]|\s*,(?=\s)|(?=\s))(?P<rest>.*)$")
_DECIMAL = regex.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){1,3})(?P<punct>\.?)(?=\s|$)(?P<rest>.*)$")
_LETTER = regex.compile(r"^(?P<num>[a-zđ])(?P<punct>\s?\)|\.(?=\s))(?P<rest>.*)$")
_UPPER_LETTER = regex.compile(r"^(?P<num>[A-HK])(?P<punct>\.|\))(?=\s)(?P<rest>.*)$")
#: An upper-case I that OCR read with an accent (``Chương Ï``).
_ACCENTED_I = str.maketrans({"Ï": "I", "Í": "I", "Ì": "I"})
_NAMED = regex.compile(
    r"^(?P<word>phần|phan|chương|chuong|mục|muc|điều|dieu|diều|điêu)\s+"
    r"(?P<num>thứ\s+\p{L}+|[IVXLCÏÍÌ]+|\d{1,3}|[A-H])\b(?P<punct>\s*[.:\-–]?)(?P<rest>.*)$",
    regex.IGNORECASE,
)
_BULLET = regex.compile(r"^(?P<mark>[-–—•●▪◦·*+])(?:\s+|(?=\p{Lu}))(?P<rest>\S.*)$")


@dataclass(frozen=True)
class Marker:
    """One reading of the marker at the start of a line.

    Attributes:
        kind: ``part|chapter|section|article|roman|number|decimal|letter|bullet``.
        label: The numbering without its trailing dot, slips repaired (``"II"``, ``"1.2"``, ``"đ"``,
            ``"-"``).
        printed: The marker as printed (``"11."``, ``"Điều 3."``).
        value: Ordinal(s) for sequencing: ``(2,)`` for ``II``, ``(1, 2)`` for ``1.2``, ``(5,)`` for ``đ``.
        rest: The line's text after the marker.
        form: Base plausibility of the form alone, 0-1 (a clean ``II.`` scores high, ``11.`` read as
            Roman low).
        repaired: The label differs from the printed numeral (an OCR slip was repaired).
    """

    kind: str
    label: str
    printed: str
    value: tuple[int, ...]
    rest: str
    form: float
    repaired: bool = False


def repair_roman(token: str) -> str | None:
    """The Roman numeral an OCR'd token means (``I11`` -> ``III``, ``VIl`` -> ``VII``, ``HI`` -> ``III``)."""
    repaired = "".join(I_LOOKALIKES.get(ch, ch) for ch in token)
    return repaired if roman_to_int(repaired) is not None else None


def letter_index(letter: str) -> int | None:
    """1-based position of an item letter in Vietnamese order (``a`` 1, ``d`` 4, ``đ`` 5, ``e`` 6)."""
    pos = VIETNAMESE_LETTERS.find(letter.lower())
    return pos + 1 if pos >= 0 else None


def is_upper_heading(text: str) -> bool:
    """Whether ``text`` reads as an upper-case heading (at least 80% of at least 3 letters upper-case)."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 3:
        return False
    return sum(ch.isupper() for ch in letters) / len(letters) >= 0.8


def starts_upper(text: str) -> bool:
    """Whether the first letter-or-digit of ``text`` is an upper-case letter, a digit or an opening quote."""
    for ch in text:
        if ch.isalpha():
            return ch.isupper()
        if ch.isdigit() or ch in "“\"'(":
            return True
    return False


def _ordinal(num: str) -> tuple[str, tuple[int, ...]] | None:
    num_clean = num.strip().translate(_ACCENTED_I)
    if num_clean.isdigit():
        return num_clean, (int(num_clean),)
    roman = roman_to_int(num_clean.upper())
    if roman is not None and num_clean.isupper():
        return num_clean, (roman,)
    low = num_clean.lower()
    if low.startswith("thứ"):
        word = low.split()[-1]
        if word in ORDINALS:
            return " ".join(low.split()), (ORDINALS[word],)
        return None
    if len(num_clean) == 1 and num_clean.isalpha() and num_clean.isupper():
        return num_clean, (ord(num_clean) - ord("A") + 1,)
    return None


_REST_NOISE = " .,:;-–—_~"


def _rest(text: str) -> str:
    """The text after a label, without stray punctuation left by OCR (``4.-Tổ chức``, ``4.. Tăng``)."""
    return text.strip().lstrip(_REST_NOISE).strip()


def _named(line: str) -> Marker | None:
    match = _NAMED.match(line)
    if not match:
        return None
    word = fold(match["word"]).lower()
    kind = {"ph": "part", "ch": "chapter", "mu": "section", "di": "article"}.get(word[:2])
    parsed = _ordinal(match["num"])
    if kind is None or parsed is None:
        return None
    label, value = parsed
    rest = _rest(match["rest"])
    punct = match["punct"].strip()
    form = 0.95 if punct or not rest or is_upper_heading(rest) else 0.55
    if kind == "article" and not punct and rest and not starts_upper(rest):
        form = 0.2  # "Điều 5 của Luật ..." wrapped onto a new line is running text
    printed = line[: match.start("rest")].strip()
    return Marker(kind, label, printed, value, rest, form)


def _roman(line: str) -> Marker | None:
    match = _ROMAN_TOKEN.match(line)
    if not match:
        return None
    token, punct, rest = match["num"], match["punct"].strip(), _rest(match["rest"])
    repaired = repair_roman(token)
    if repaired is None:
        return None
    upper = is_upper_heading(rest)
    if token.isdigit():
        if not upper:
            return None
        form = 0.35  # "11." is Arabic eleven unless the context wants Roman II
    elif token == repaired:
        if not rest:
            form = 0.75 if punct else 0.0
        elif punct in {".", ":"}:
            form = (1.0 if upper else 0.95) if starts_upper(rest) else 0.3
        elif punct in {",", ")"}:
            form = 0.6 if upper else 0.2
        else:
            form = 0.6 if upper else 0.0
    else:
        has_upper = any(ch.isupper() for ch in token)  # "i)", "l." alone are letters or text, not Roman I
        form = 0.7 if upper else (0.35 if starts_upper(rest) and punct and has_upper else 0.0)
    if form <= 0:
        return None
    printed = line[: match.start("rest")].strip()
    value = roman_to_int(repaired)
    assert value is not None
    return Marker("roman", repaired, printed, (value,), rest, form, repaired != token)


#: A percentage, as plans' numbered targets begin ("1. 100% trẻ em ...", "2. 80% cán bộ ...").
_PERCENT_START = regex.compile(r"\d{1,3}(?:[.,]\d+)?\s*%")


def _number(line: str) -> Marker | None:
    match = _NUMBER.match(line)
    if not match:
        return None
    num, punct, rest = match["num"], match["punct"].strip(), _rest(match["rest"])
    value = int(num)
    if value == 0 or value > 99 or (len(num) > 1 and num.startswith("0")):
        return None
    if punct in {".", ")"}:
        if match["rest"][:1].isdigit():
            return None  # "1.000 người", "1.5 lần": a number, not a label
        form = 0.9 if rest else 0.6
    elif punct == ",":
        form = 0.4 if starts_upper(rest) else 0.0
    elif rest and _PERCENT_START.match(rest):
        form = 0.3  # "1 100% trẻ em có hoàn cảnh ...": a target's label whose dot the OCR lost
    else:
        form = 0.35 if rest and starts_upper(rest) and not rest[:1].isdigit() else 0.0
    if form <= 0:
        return None
    printed = line[: match.start("rest")].strip()
    return Marker("number", num, printed, (value,), rest, form)


def _decimal(line: str) -> Marker | None:
    match = _DECIMAL.match(line)
    if not match:
        return None
    num, rest = match["num"], _rest(match["rest"])
    parts = tuple(int(p) for p in num.split("."))
    if any(p == 0 for p in parts) or any(len(p) > 1 and p.startswith("0") for p in num.split(".")):
        return None
    form = 0.85 if rest and starts_upper(rest) else (0.5 if not rest else 0.3)
    printed = line[: match.start("rest")].strip()
    return Marker("decimal", num, printed, parts, rest, form)


def _letter(line: str) -> Marker | None:
    match = _LETTER.match(line)
    if match:
        letter, punct, rest = match["num"], match["punct"].strip(), _rest(match["rest"])
        index = letter_index(letter)
        if index is None or not rest:
            return None
        form = 0.9 if punct == ")" else 0.45
        printed = line[: match.start("rest")].strip()
        return Marker("letter", letter, printed, (index,), rest, form)
    match = _UPPER_LETTER.match(line)
    if match and is_upper_heading(match["rest"]):
        letter, rest = match["num"], _rest(match["rest"])
        printed = line[: match.start("rest")].strip()
        return Marker("part", letter, printed, (ord(letter) - ord("A") + 1,), rest, 0.7)
    return None


def bullet(line: str) -> Marker | None:
    """A ``-`` / ``+`` list item (``–``, ``—``, ``•``, ``*`` count as ``-``), else None."""
    match = _BULLET.match(line)
    if not match:
        return None
    mark = "+" if match["mark"] == "+" else "-"
    return Marker("bullet", mark, match["mark"], (), match["rest"].strip(), 0.9)


def line_candidates(line: str) -> list[Marker]:
    """Every reading of the marker at the start of ``line`` (stripped), best form first.

    Args:
        line: One line of text (Markdown marks already removed).

    Returns:
        Candidate markers; empty when the line starts with plain text.
    """
    text = line.strip()
    if not text:
        return []
    found = [
        m
        for m in (_named(text), _decimal(text), _roman(text), _number(text), _letter(text), bullet(text))
        if m is not None
    ]
    for m in list(found):
        if m.kind == "letter" and m.label == "d":  # OCR often loses the bar of "đ)"
            found.append(replace(m, label="đ", value=(5,), form=m.form * 0.8, repaired=True))
        if m.kind == "roman" and m.label == "I" and is_upper_heading(m.rest):  # "II." with a stroke lost
            found.append(replace(m, label="II", value=(2,), form=m.form * 0.7, repaired=True))
        if m.kind == "roman" and m.label == "II" and is_upper_heading(m.rest):  # "III." likewise
            found.append(replace(m, label="III", value=(3,), form=m.form * 0.75, repaired=True))
    return sorted(found, key=lambda m: -m.form)


@dataclass
class Expectation:
    """What the numbering context expects next, per kind.

    Attributes:
        last: Last value seen per kind among the open siblings (reset when a parent opens).
        decimal_prefix: Value of the open ``number`` heading, the expected prefix of a decimal label.
        open_kinds: Kinds of the currently open section nodes (outermost first).
        prev_unfinished: The previous text line ends without sentence-final punctuation (a marker-looking
            line may be a wrapped continuation).
        after_break: A blank line (or the start of the body) precedes the line.
    """

    last: dict[str, tuple[int, ...]]
    decimal_prefix: tuple[int, ...] = ()
    open_kinds: tuple[str, ...] = ()
    prev_unfinished: bool = False
    after_break: bool = True

    def expected(self, kind: str) -> int:
        """The next value expected for ``kind`` (1 when none seen yet)."""
        seen = self.last.get(kind)
        return seen[-1] + 1 if seen else 1


def score_candidate(marker: Marker, ctx: Expectation) -> float:
    """Plausibility (0-1.5) of a marker reading in context; readings under 0.6 are not markers.

    Args:
        marker: One reading from :func:`line_candidates`.
        ctx: What the document expects next.

    Returns:
        The form score adjusted for sequence fit and for the line being a wrapped continuation.
    """
    if marker.kind == "bullet":
        return marker.form
    score = marker.form
    value = marker.value[-1] if marker.value else 0
    if marker.kind == "decimal":
        expected_prefix = ctx.decimal_prefix
        if expected_prefix and marker.value[: len(expected_prefix)] == expected_prefix:
            score += 0.25
        elif expected_prefix:
            score -= 0.15
        seen = ctx.last.get("decimal")
        if (
            seen
            and len(seen) == len(marker.value)
            and marker.value[:-1] == seen[:-1]
            and value == seen[-1] + 1
        ):
            score += 0.1
    else:
        expected = ctx.expected(marker.kind)
        if value == expected:
            score += 0.3
        elif value == expected + 1 or (value == 1 and expected > 1 and marker.kind != "roman"):
            score += (
                0.05  # a skipped number, or numbering that restarts (Roman restarts only under a new part)
            )
        elif value == expected - 1 and value > 1 and marker.kind in {"roman", "part", "chapter"}:
            score += 0.0  # a heading number printed twice (kept as printed; a second "I." is read as II)
        else:
            score -= 0.35
    if (
        marker.kind == "roman"
        and marker.repaired
        and value not in (ctx.expected("roman"), ctx.expected("roman") + 1)
    ):
        score -= 0.5
    if ctx.prev_unfinished and not ctx.after_break:
        score -= 0.45
    return score


def best_marker(line: str, ctx: Expectation, threshold: float = 0.6) -> Marker | None:
    """The best reading of the line's marker in context, or None when the line starts with text."""
    best: tuple[float, Marker] | None = None
    for marker in line_candidates(line):
        score = score_candidate(marker, ctx)
        if score >= threshold and (best is None or score > best[0]):
            best = (score, marker)
    if best is None:
        return None
    return best[1]
