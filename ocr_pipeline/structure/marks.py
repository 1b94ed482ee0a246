"""Marks on a scanned page that OCR reads as text but that are not the document's text.

- The digital-signature box drawn on signed PDFs (``Người ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ``,
  ``Email: …``, ``Cơ quan: VĂN PHÒNG CHÍNH PHỦ``, ``Thời gian ký: 23.04.2026 …``, ``Ký bởi: …``).
- Received stamps (``CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ`` / ``CÔNG VĂN ĐẾN`` / ``ĐẾN`` / ``Ngày: …`` /
  ``Giờ: …``), often printed beside the title so that OCR joins them to a title line, and urgency stamps
  (``HỎA TỐC``, ``KHẨN``).

:func:`strip_marks` takes such lines (whole, or the stamped part of a line) out of the cleaned lines and
returns them, so that no field (issuer, title, signer) is ever read from a mark.
"""

from __future__ import annotations

import regex

from vntext.fold import fold_upper as fold

from .layout import DOC_TYPES, TextLine
from .numbering import is_upper_heading, line_candidates

#: The keywords of a digital-signature overlay line, after up to three short junk tokens (box edges).
_OVERLAY = regex.compile(
    r"^(?:\S{0,4}\s+){0,3}?[\W\d_]*(?P<key>NGUOI\s+KY|EMAIL|E-MAIL|THOI\s+GIAN\s+KY|KY\s+BOI|KY\s+NGAY"
    r"|CO\s+QUAN)\b\s*:?\s*"
)
#: An upper-case received-stamp or portal name (``CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ``, ``CÔNG VĂN ĐẾN``).
_STAMP_NAME = regex.compile(r"[CG]\s?[OÔ]NG\s+THONG\s+TI?N\s+DIEN\s+T[UƯ]|\bCONG\s+VAN\s+DEN\b")
#: Urgency marks, a line of their own.
_URGENCY = regex.compile(r"^\W*(?:HOA\s+TOC(?:\s+HEN\s+GIO)?|THUONG\s+KHAN|KHAN|DEN)\W*$")
#: A stamp's field: ``Ngày:.``, ``Ngày..22.1``, ``Giờ:`` (title case, never the header's ``, ngày``).
_STAMP_FIELD = regex.compile(
    r"(?:(?<=\s)|^)(?:Ngày|Ngay|Giờ|Gio|Chuyển|Kính chuyển|Kính chuyên|Số đến)"
    r"\s*(?::\s*(?:[.…\d]|$)|\.{2,}|…)"
)
#: ``ĐẾN`` (the received stamp's big word) as a token of its own, its accent misread too (``ĐỀN``).
_RECEIVED_WORD = regex.compile(r"(?:(?<=\s)|^)Đ[ẾEÉỀÊ]N(?=\s|$)")
_STAMP_JUNK_TOKEN = regex.compile(r"^(?:[^\p{L}]*|.*[.…:]{2,}.*|.*\d.*)$")
#: A label of the received stamp's fields (Nghị định 30/2020/NĐ-CP, the ĐẾN stamp: ``Số:``, ``Ngày:``,
#: ``Giờ:``, ``Chuyển:``) as a token of its own, with its colon or dots.
_STAMP_LABEL = regex.compile(r"^(?:Số|Ngày|Ngy|Giờ|Chuyển)\W+$")
#: Words of at most this many letters between a stamp's tokens are its glyphs (``ĐỀN quy, 221412)26...|``).
_STAMP_GLYPH_WORD = 4
#: Edges of a stamp's box left where a stamp is cut from a line (``công |``).
_BOX_EDGES = " |¦”\"'—–-"
_FOLDED_TYPES = sorted((fold(t) for t in DOC_TYPES), key=len, reverse=True)
#: How many lines from the top of a page received stamps are looked for.
_STAMP_LINES = 30


def overlay_line(text: str) -> bool:
    """Whether a line is a line of a digital-signature overlay (``Người ký: …``, ``Thời gian ký: …``)."""
    folded = fold(text)
    match = _OVERLAY.match(folded)
    if not match or not any(c.islower() for c in text[match.start("key") : match.end("key")]):
        return False  # the box prints "Người ký", "Cơ quan" in lower case; "I. CƠ QUAN …" is a heading
    if regex.sub(r"\s+", " ", match["key"]) == "CO QUAN":
        rest = text[match.end() :].strip()
        return bool(rest) and is_upper_heading(rest)
    return True


def _cut_stamp(text: str) -> tuple[str, str]:
    """Split a line into its document text and a received-stamp part printed beside it (``kept, mark``)."""
    folded = fold(text)
    name = _STAMP_NAME.search(folded)
    if name and is_upper_heading(text[name.start() : name.end()]):
        return text[: name.start()].rstrip(" “\"'-–"), text[name.start() :].strip()
    field = _STAMP_FIELD.search(text)
    word = _RECEIVED_WORD.search(text)
    lead = min((m.start() for m in (field, word) if m is not None), default=None)
    if lead is None:
        return text, ""
    if lead == 0 or not text[:lead].strip(" “\"'"):
        tokens = text.split()
        words = [t for t in tokens[1:] if not _stamp_token(t)]
        if words and is_upper_heading(" ".join(words)):
            return text, ""  # "ĐẾN NĂM 2030, TẦM NHÌN …": a line of an upper-case title
        k = _stamp_run(tokens)
        return " ".join(tokens[k:]).lstrip(_BOX_EDGES), " ".join(tokens[:k])
    previous = text[:lead].split()[-1]
    if word is not None and lead == word.start() and is_upper_heading(previous):
        return text, ""  # "… ĐẾN NĂM 2030" in an upper-case title
    if len(text) - lead > 40:
        return text, ""
    return text[:lead].rstrip(_BOX_EDGES), text[lead:].strip()


def _stamp_token(token: str) -> bool:
    """Whether a token is a received stamp's: its word, a field's label, numbers, dots or glyphs."""
    return bool(
        _STAMP_JUNK_TOKEN.match(token) or _STAMP_LABEL.match(token) or _RECEIVED_WORD.fullmatch(token)
    )


def _stamp_run(tokens: list[str]) -> int:
    """How many tokens a received stamp that opens a line takes: its first token, then its labels, numbers
    and dots (:func:`_stamp_token`), and words of at most :data:`_STAMP_GLYPH_WORD` letters followed within
    two tokens by another of its tokens (its handwriting read as letters). Every token when all are the
    stamp's (a line of the stamp alone)."""
    k = 1
    while k < len(tokens):
        if _stamp_token(tokens[k]):
            k += 1
            continue
        following = [j for j in range(k + 1, min(k + 3, len(tokens))) if _stamp_token(tokens[j])]
        if len(tokens[k]) > _STAMP_GLYPH_WORD or not following:
            break
        k = following[0] + 1
    return k


def _cut_type_prefix(text: str) -> tuple[str, str]:
    """``đổng G:....Ở: QUYẾT ĐỊNH``: stamp junk before a type line (``QUYẾT ĐỊNH``, ``junk``)."""
    folded = fold(text).rstrip(" :.")
    for folded_type in _FOLDED_TYPES:
        if not folded.endswith(" " + folded_type):
            continue
        start = len(folded) - len(folded_type)
        head = text[:start].strip()
        if (
            is_upper_heading(text[start:])
            and (regex.search(r"[.…:]{2,}|:", head) or not regex.search(r"\p{L}{2}", head))
            and not is_upper_heading(head)
            and not line_candidates(text)
        ):
            return text[start:].strip(), head
        break
    return text, ""


def strip_marks(lines: list[TextLine]) -> list[str]:
    """Take digital-signature overlays and stamps out of ``lines`` (in place); return their texts.

    A line that is all mark becomes a noise line (its text kept in ``raw``); a line with a stamp printed
    beside the document's text keeps the document's part.

    Args:
        lines: Output of :func:`.layout.clean_lines`.

    Returns:
        The mark texts in reading order.
    """
    marks: list[str] = []
    from_top = 0
    for line in lines:
        if line.page_break:
            from_top = 0
        if line.blank or line.noise:
            continue
        from_top += 1
        text = line.text
        if overlay_line(text) or _URGENCY.match(fold(text)):
            marks.append(text)
            line.noise = True
            continue
        if from_top > _STAMP_LINES:
            name = _STAMP_NAME.search(fold(text))
            if not (name and is_upper_heading(text[name.start() : name.end()])):
                continue
        kept, mark = _cut_stamp(text)
        if not mark:
            kept, mark = _cut_type_prefix(text)
        if not mark:
            continue
        marks.append(mark)
        if kept.strip():
            line.text = kept.strip()
        else:
            line.noise = True
    return marks
