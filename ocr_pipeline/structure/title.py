"""The record's document type (tên loại) and trích yếu (title), Nghị định 30/2020/NĐ-CP.

The title block is the type line, then the trích yếu on one or more lines, ending at the first body line
(căn cứ, ``Kính gửi``, a heading) or at the issuer's authority line in capitals (``THỦ TƯỚNG CHÍNH PHỦ``
before the articles of a quyết định). A công văn has no type line: its trích yếu is the ``V/v`` block under
its number. :func:`title_from_zones` reads both from the page zones; :func:`settle_type_and_title` checks the
type against the ký hiệu's type code and repairs OCR tone slips in frequent title phrases.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import regex

from vntext.fold import fold_upper as fold

from .doctypes import TYPE_OF_CODE, within_near_miss
from .layout import (
    VV_LINE,
    TextLine,
    clean_lines,
    doc_type_of,
    ends_sentence,
    is_rule,
    near_type_line,
    starts_preamble,
    vv_block_end,
)
from .marks import strip_marks
from .model import DocumentMetadata, DocumentNumber, Zone
from .names import is_syllable
from .numbering import is_upper_heading, line_candidates

#: Zone kinds that make up a page's header (the page of the first document's title block).
HEADER_KINDS = frozenset({"header_left", "header_right", "number"})
CONG_VAN = "CÔNG VĂN"
#: Phrases frequent in trích yếu whose syllables OCR reads with another tone mark or ``đ`` for ``d``
#: (``Chú tịch``). Each is two or more syllables, and no other reading of its letters is a phrase of a
#: title or a name, so a phrase that folds to one of these is that phrase (``tài nguyên`` is left out:
#: ``tại Nguyễn …``).
TITLE_PHRASES = (
    "Chủ tịch",
    "Phó Chủ tịch",
    "Ủy ban nhân dân",
    "Hội đồng nhân dân",
    "Thủ tướng Chính phủ",
    "Bộ trưởng",
    "về việc",
    "ban hành",
    "phê duyệt",
    "phê chuẩn",
    "sửa đổi",
    "bổ sung",
    "bãi bỏ",
    "quy định",
    "thực hiện",
    "triển khai",
    "tổ chức",
    "giai đoạn",
    "nhiệm kỳ",
    "kế hoạch",
    "quyết định",
    "nghị quyết",
    "đề án",
    "dự án",
    "chương trình",
    "trong dịp",
    "kỳ thi",
    "kinh doanh",
    "xăng dầu",
    "bảo đảm",
    "đảm bảo",
    "an toàn giao thông",
    "trật tự",
    "phòng, chống",
    "tăng cường",
    "chỉ đạo",
    "quản lý",
    "nhà nước",
    "Việt Nam",
    "phát triển",
    "đầu tư",
    "xây dựng",
    "công trình",
    "giáo dục",
    "đào tạo",
    "nông nghiệp",
    "giao thông",
    "hành chính",
    "ngân sách",
    "thi đua",
    "khen thưởng",
    "công chức",
    "viên chức",
    "chức năng",
    "nhiệm vụ",
    "quyền hạn",
    "thành phố",
)
#: Words a trích yếu cannot end with: a title cut short (``… của``, ``… đối với``, ``… và``).
DANGLING_ENDS = frozenset(
    {"của", "và", "về", "cho", "với", "tại", "trong", "đến", "các", "những", "theo", "để", "từ", "hoặc"}
    | {"thuộc"}
)
_SYLLABLE = regex.compile(r"\p{L}+")
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
#: The title tables built by ``make title-phrases`` (tools/builders/title_phrases.py) from the legal corpus.
DATA_DIR = Path(__file__).parent / "data"
#: A word takes a numeral next to it when at least this share of its occurrences has one there.
NUMERAL_SHARE = 0.002
#: How often a word must be seen for "never next to a numeral" to count as evidence.
NUMERAL_EVIDENCE = 1000
#: Punctuation run where one mark is printed (``2030,.chuẩn``): the first mark is kept.
_PUNCT_RUN = regex.compile(r"(?<=[\p{L}\d)])\s*([,;])[.,;:]+\s*(?=[\p{L}\d(])")
#: A stop, colon or semicolon between two lower-case words (a trích yếu is one phrase, never two
#: sentences; a colon or semicolon may part two of its matters, but never the two words of a set phrase).
_INNER_STOP = regex.compile(r"(?<=(?:^|\s)(?P<before>\p{Ll}+))(?P<mark>[.:;])(?=\s+(?P<after>\p{Ll}+))")
#: A lone digit between two lower-case words (a mark's glyph: ``hủy 4 diệt``).
_LONE_DIGIT = regex.compile(
    r"(?<=(?:^|\s)(?P<before>\p{Ll}+)) (?P<digit>\d) (?=(?P<after>\p{Ll}+)(?:\s|$|[,.;:]))"
)


@dataclass
class TitleBlock:
    """What a title block gives: the document type (None for a công văn's V/v block) and the trích yếu."""

    doc_type: str | None
    title: str | None


def vv_title(lines: Sequence[TextLine]) -> tuple[int, str] | None:
    """A công văn's ``V/v`` block among ``lines``: (its first line's position, the trích yếu without
    ``V/v``); the block ends as :func:`.layout.vv_block_end` says."""
    for k, line in enumerate(lines):
        match = VV_LINE.match(line.folded)
        if not match:
            continue
        block = list(lines[k : vv_block_end(list(lines), k)])
        texts = [line.text[match.end() :], *(x.text for x in block[1:])]
        title = regex.sub(r"\s+", " ", " ".join(texts)).strip(" :")
        return (k, title) if title else None
    return None


def _ends_title(line: TextLine, texts: list[str]) -> bool:
    """Whether ``line`` is past the end of a title block whose lines so far are ``texts``. A title may open
    like a preamble paragraph (``Thực hiện Nghị quyết …``, ``Triển khai …``) but is not a sentence."""
    if starts_preamble(line.folded) and (
        texts or (ends_sentence(line.text) and not line.folded.startswith("THUC HIEN "))
    ):
        return True
    if line.text.startswith("("):
        return True
    cands = line_candidates(line.text)
    if cands and cands[0].form >= 0.85:
        return True  # "Điều 1.", "I. MỤC TIÊU", "- ..." (an addressee)
    if is_upper_heading(line.text):
        # the authority line (THỦ TƯỚNG CHÍNH PHỦ) after a title in sentence case
        return bool(texts) and not all(is_upper_heading(t) for t in texts)
    return False


def _goes_on_after_blank(lines: Sequence[TextLine], k: int, texts: list[str]) -> bool:
    """Whether line ``k``, after a blank line inside a title block, still belongs to the title: it goes on
    a sentence (lower case), or it is a short line standing alone (OCR puts blank lines between a title's
    lines); an upper-case line after an upper-case title is the authority line."""
    line = lines[k]
    if ends_sentence(texts[-1]) or (is_upper_heading(line.text) and all(is_upper_heading(t) for t in texts)):
        return False
    if line.text[:1].islower():
        return True
    after = next((x for x in lines[k + 1 :] if not x.noise), None)
    return len(line.text.split()) <= 16 and not ends_sentence(line.text) and (after is None or after.blank)


def title_lines_text(lines: Sequence[TextLine], expected_type: str | None = None) -> TitleBlock | None:
    """The type and trích yếu of a title block's lines (a ``title`` zone); None when its first line is no
    type line (the zone holds something else: a Kính gửi list, a stamp).

    Args:
        lines: Cleaned lines of the block (blank lines kept).
        expected_type: The type the document's ký hiệu names, if any.
    """
    content = [line for line in lines if not line.noise]
    first = 0
    while first < len(content) and (
        content[first].blank
        or (len(content[first].text) < 8 and not regex.search(r"\p{L}{3}", content[first].text))
    ):
        first += 1  # a seal's or stamp's glyphs above the type line
    if first >= len(content):
        return None
    found = doc_type_of(content[first]) or near_type_line(content[first], expected_type)
    if not found:
        return None
    doc_type, rest = found
    texts = [rest] if rest else []
    blank = False
    for k in range(first + 1, len(content)):
        line = content[k]
        if is_rule(line) and texts:
            break  # the rule under the trích yếu
        if line.blank:
            blank = bool(texts)
            continue
        if _ends_title(line, texts) or (blank and not _goes_on_after_blank(content, k, texts)):
            break
        texts.append(line.text)
        blank = False
    title = regex.sub(r"\s+", " ", " ".join(texts)).strip()
    return TitleBlock(doc_type, title or None)


def _first_document_page(zones: Sequence[Zone]) -> int | None:
    """The page holding the first document's header, else its first title zone (title zones on later pages
    are attachments')."""
    pages = [zone.page for zone in zones if zone.kind in HEADER_KINDS]
    pages = pages or [zone.page for zone in zones if zone.kind == "title"]
    return min(pages) if pages else None


def title_from_zones(
    zones: Sequence[Zone], header_left: Sequence[TextLine], marks: list[str], expected_type: str | None = None
) -> TitleBlock:
    """Type and trích yếu from the ``title`` zone of the first document's header page, else a công văn's
    ``V/v`` block from the left header column (``header_left`` lines, số included). Marks (stamp text)
    found in the title zone are added to ``marks``; ``expected_type`` is the type the ký hiệu names.

    Returns:
        The block; its fields are None where the zones do not give them.
    """
    page = _first_document_page(zones)
    texts = [z.text.strip("\n") for z in zones if z.kind == "title" and z.text.strip() and z.page == page]
    block = None
    if texts:
        lines = clean_lines("\n".join(texts))
        marks += strip_marks(lines)
        block = title_lines_text(lines, expected_type)
        if block is None and (vv := vv_title([x for x in lines if not x.blank and not x.noise])):
            block = TitleBlock(CONG_VAN, vv[1])  # the V/v lines found apart from the số
    if block is not None:
        return block
    vv = vv_title(header_left)
    if vv is not None:
        return TitleBlock(CONG_VAN, vv[1])
    return TitleBlock(None, None)


def type_of_number(number: DocumentNumber | None) -> str | None:
    """The document type the ký hiệu's type code names (``/QĐ-TTg`` → QUYẾT ĐỊNH), if any."""
    code = number.type_code if number else None
    return TYPE_OF_CODE.get(fold(code)) if code else None


def settle_type(meta: DocumentMetadata) -> None:
    """Take the type the ký hiệu names when the type line was not read, or was read as a near miss of it."""
    named = type_of_number(meta.number)
    if named is None or meta.doc_type == named:
        return
    if meta.doc_type is None or within_near_miss(meta.doc_type, named):
        meta.doc_type = named


def _tone_free(syllable: str) -> tuple[str, frozenset[str]]:
    """A syllable's letters without tone marks and its tone marks (``Uỷ`` and ``Ủy`` are one spelling)."""
    decomposed = unicodedata.normalize("NFD", syllable.lower())
    letters = "".join(c for c in decomposed if c not in _TONE_MARKS)
    return unicodedata.normalize("NFC", letters), frozenset(c for c in decomposed if c in _TONE_MARKS)


def _same_case(model: str, word: str) -> str:
    if word.isupper() and len(word) > 1:
        return model.upper()
    if word[:1].isupper():
        return model[:1].upper() + model[1:]
    return model[:1].lower() + model[1:] if not model[1:2].isupper() else model


def _phrase_index(phrases: Sequence[str]) -> dict[int, dict[tuple[str, ...], tuple[str, ...]]]:
    index: dict[int, dict[tuple[str, ...], tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(_SYLLABLE.findall(phrase))
        index.setdefault(len(words), {})[tuple(fold(w) for w in words)] = words
    return index


def _data_rows(name: str) -> list[list[str]]:
    path = DATA_DIR / name
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


@functools.cache
def corpus_pairs() -> dict[int, dict[tuple[str, ...], tuple[str, ...]]]:
    """Pairs of lower-case syllables whose accent fold has one reading in the legal corpus (``chuẩn bị``),
    indexed as :data:`TITLE_PHRASES` (``data/title_bigrams.tsv``)."""
    return _phrase_index([row[0] for row in _data_rows("title_bigrams.tsv")])


@functools.cache
def numeral_shares() -> dict[str, tuple[float, float, int]]:
    """Per syllable (lower case): the share of its occurrences followed by a numeral, the share preceded
    by one, and its count in the legal corpus (``data/numeral_words.tsv``)."""
    shares: dict[str, tuple[float, float, int]] = {}
    for word, after, before, total in _data_rows("numeral_words.tsv"):
        n = int(total)
        shares[word] = (int(after) / n, int(before) / n, n)
    return shares


_PHRASES = _phrase_index(TITLE_PHRASES)


def _corpus_pair_slip(words: Sequence[str], model: Sequence[str]) -> bool:
    """Whether a pair of words is an OCR slip of the corpus pair ``model``: both in lower case (a name is
    no corpus phrase), one word exactly as the model has it, and the other no frequent syllable of the legal
    corpus (``chuân`` in ``chuân bị``; ``thúc`` in ``việc thúc đẩy`` is a word of its own, though ``việc
    thực`` is the frequent pair)."""
    if not all(w.islower() for w in words):
        return False
    wrong = [w for w, good in zip(words, model, strict=True) if w != good]
    return len(wrong) == 1 and wrong[0] not in numeral_shares()


def repair_title_words(title: str) -> str:
    """``title`` with each OCR tone slip inside a :data:`TITLE_PHRASES` phrase (``Chú tịch`` → ``Chủ
    tịch``) or a pair of lower-case words with one reading in the legal corpus (:func:`corpus_pairs`:
    ``chuân bị`` → ``chuẩn bị``) put right; tone-mark placement variants (``Uỷ``), words without marks (left
    to restoration) and case are kept as printed."""
    spans = [(m.start(), m.end()) for m in _SYLLABLE.finditer(title)]
    words = [title[a:b] for a, b in spans]
    folded = [fold(w) for w in words]
    replace: dict[int, str] = {}
    indexes = [(size, phrases, False) for size, phrases in sorted(_PHRASES.items(), reverse=True)]
    indexes += [(size, phrases, True) for size, phrases in corpus_pairs().items()]
    for size, phrases, lower_only in indexes:
        for k in range(len(words) - size + 1):
            model = phrases.get(tuple(folded[k : k + size]))
            if model is None or any(k + j in replace for j in range(size)):
                continue
            if lower_only and not _corpus_pair_slip(words[k : k + size], model):
                continue
            gaps = [title[spans[k + j][1] : spans[k + j + 1][0]] for j in range(size - 1)]
            if any(gap.strip(" ,") for gap in gaps) or (lower_only and any(gap != " " for gap in gaps)):
                continue  # the phrase's words are not next to each other
            for j, good in enumerate(model):
                marked = fold(words[k + j]) != words[k + j].upper()  # plain letters are restoration's
                if marked and _tone_free(words[k + j]) != _tone_free(good):
                    replace[k + j] = _same_case(good, words[k + j])
    out = title
    for k in sorted(replace, reverse=True):
        a, b = spans[k]
        out = out[:a] + replace[k] + out[b:]
    return out


def _takes_numeral(word: str, side: int) -> bool | None:
    """Whether ``word`` takes a numeral after it (``side`` 0) or before it (1) in the legal corpus; None
    when it is seen too seldom to tell."""
    found = numeral_shares().get(word.lower())
    if found is None:
        return None
    if found[side] >= NUMERAL_SHARE:
        return True
    return False if found[2] >= NUMERAL_EVIDENCE else None


def _lone_digit(match: regex.Match[str]) -> str:
    """A lone digit between two words dropped when neither takes a numeral there and one of them is
    known never to (``hủy 4 diệt``); kept otherwise (``lần 3 của``, ``cho 3 xã``)."""
    before, after = _takes_numeral(match["before"], 0), _takes_numeral(match["after"], 1)
    if before or after or (before is None and after is None):
        return match.group(0)
    return " "


def _inner_stop(match: regex.Match[str]) -> str:
    """A stop between two lower-case words dropped (``tài trợ. khủng bố``); a colon or semicolon only
    inside a set phrase (``chuân: bị``, whose words fold as ``chuẩn bị``)."""
    if not is_syllable(match["before"]):
        return match.group(0)  # an abbreviation's stop (``v.v.``)
    if match["mark"] == ".":
        return ""
    pair = (fold(match["before"]), fold(match["after"]))
    known = pair in _PHRASES.get(2, {}) or pair in corpus_pairs().get(2, {})
    return "" if known else match.group(0)


def _opening(title: str) -> str:
    """The fixed opening ``về việc`` read as ``về việt`` or glued to the next word (``về việtban``)."""
    head = regex.match(r"(?P<ve>\S+)\s+(?P<word>\p{Ll}+)", title)
    if not head or fold(head["ve"]) != "VE":
        return title
    word = head["word"]
    if fold(word[:4]) not in {"VIEC", "VIET"} or (word[:4] == "việc" and len(word) == 4):
        return title
    rest = word[4:]
    if rest and not is_syllable(rest):
        return title
    return title[: head.start("word")] + "việc" + (" " + rest if rest else "") + title[head.end("word") :]


def _known_pair(left: str, right: str) -> bool:
    pair = (fold(left), fold(right))
    return pair in _PHRASES.get(2, {}) or pair in corpus_pairs().get(2, {})


def _split_glued(title: str) -> str:
    """Two syllables OCR glued into one lower-case word (a seal's stroke over the space: ``hànhkế``) split
    where both parts are syllables and the split makes the most known pairs with the neighbours (at least
    one, and no other split as many)."""
    words = regex.split(r"(\s+)", title)
    for k in range(0, len(words), 2):
        word = words[k]
        if len(word) < 4 or not regex.fullmatch(r"\p{Ll}+", word) or is_syllable(word):
            continue
        before = words[k - 2] if k >= 2 else ""
        after = words[k + 2] if k + 2 < len(words) else ""
        scored = []
        for cut in range(1, len(word)):
            left, right = word[:cut], word[cut:]
            if is_syllable(left) and is_syllable(right):
                pairs = [
                    bool(before) and _known_pair(before, left),
                    _known_pair(left, right),
                    bool(after) and _known_pair(right, after),
                ]
                scored.append((sum(pairs), left, right))
        scored.sort(reverse=True)
        if scored and scored[0][0] >= 1 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
            words[k] = f"{scored[0][1]} {scored[0][2]}"
    return "".join(words)


#: Tokens at a trích yếu's end that hold no letter, digit or closing bracket (a box edge, a seal's dots).
_TRAILING_GLYPHS = regex.compile(r"(?:\s+[^\p{L}\p{N}\s)\]”\"'»]+)+\s*$")


def clean_title_glyphs(title: str) -> str:
    """A trích yếu without what marks and OCR put into its running text: a punctuation run where one mark
    is printed (``2030,.chuân``), a stop or colon between lower-case words (``tài trợ. khủng``, ``chuân:
    bị``), a lone digit no neighbour takes (:func:`_lone_digit`), its fixed opening ``về việc`` read
    ``về việt`` or glued to the next word, and tokens of marks alone at its end (``… Phú Yên |``)."""
    title = _TRAILING_GLYPHS.sub("", title)
    title = _PUNCT_RUN.sub(lambda m: m[1] + " ", title)
    title = _INNER_STOP.sub(_inner_stop, title)
    title = _LONE_DIGIT.sub(_lone_digit, title)
    return _split_glued(_opening(title))


def cut_short(title: str) -> bool:
    """Whether ``title`` ends where a trích yếu cannot: on ``của``, ``và``, ``đối với`` …, a comma or a
    dash."""
    stripped = title.rstrip()
    if stripped.endswith((",", "-", "–")):
        return True
    words = _SYLLABLE.findall(stripped[-12:])
    return bool(words) and stripped.endswith(words[-1]) and words[-1].lower() in DANGLING_ENDS


def complete_title(title: str | None, other: str | None) -> str | None:
    """``title``, or ``other`` when ``title`` is cut short and ``other`` (another reading of the same
    title block) goes on from it."""
    if not title or not other or not cut_short(title):
        return title
    norm = " ".join(fold(title).split())
    other_norm = " ".join(fold(other).split())
    return other if len(other_norm) > len(norm) and other_norm.startswith(norm + " ") else title


def settle_type_and_title(meta: DocumentMetadata) -> None:
    """Final touches to the record's type and trích yếu: the type checked against the ký hiệu, a ``V/v``
    left at the title's head removed (a công văn), marks' glyphs removed and tone slips in frequent title
    phrases repaired."""
    settle_type(meta)  # first: a "Về việc …" title under a type code is that type's, no công văn's
    if meta.title:
        folded = fold(meta.title)
        match = VV_LINE.match(folded)
        spelled = folded.startswith("VE VIEC")  # also a title's opening: a công văn's only when typed so
        if match and (meta.doc_type == CONG_VAN or (meta.doc_type is None and not spelled)):
            meta.title = meta.title[match.end() :].strip(" :") or None
            meta.doc_type = meta.doc_type or CONG_VAN
    if meta.title:
        meta.title = repair_title_words(clean_title_glyphs(meta.title))
