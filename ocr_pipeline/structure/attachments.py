"""Where a file's text holds more than one document.

- An **attached document**: a quyết định issuing a kế hoạch, quy định or quy chế is followed by that text,
  which opens with its own type line and ``(Kèm theo Quyết định số …)`` / ``(Ban hành kèm theo …)``, often
  under a header of its own (issuer and quốc hiệu, no số).
- **Several documents in one PDF**: a new header block (quốc hiệu and a ``Số:`` line) after a signature
  block or ``Nơi nhận``.

The functions return line indices where a new part starts; :mod:`.segment` reads each part on its own.
"""

from __future__ import annotations

import regex

from .layout import (
    AUTHORITY,
    NUMBER_LINE,
    RECIPIENTS_START,
    TextLine,
    doc_type_of,
    is_upper_heading,
    national_title,
)

#: ``(Kèm theo Quyết định số …)``, ``(Ban hành kèm theo …)`` (folded).
_ISSUED_WITH = regex.compile(r"^\W{0,3}(?:BAN\s+HANH\s+)?KEM\s+THEO\b")
#: How far (non-blank lines) the ``(Kèm theo …)`` line may follow the type line (the title between).
_ISSUED_WITH_WITHIN = 8
#: How far above the type line the attached document's own header may start.
_HEADER_ABOVE = 4


def _nonblank(lines: list[TextLine], start: int, stop: int) -> list[int]:
    return [i for i in range(start, min(stop, len(lines))) if not lines[i].blank and not lines[i].noise]


def _header_start(lines: list[TextLine], type_line: int, floor: int) -> int:
    """The first line of the header printed above an attached document's type line (issuer and quốc
    hiệu), else the type line itself."""
    above = [i for i in range(max(floor, type_line - 12), type_line) if not lines[i].blank][-_HEADER_ABOVE:]
    for i in above:
        if national_title(lines[i].text):
            start = i
            k = above.index(i)
            while k > 0 and is_upper_heading(lines[above[k - 1]].text):
                k -= 1
                start = above[k]
            return start
    return type_line


def attachment_starts(lines: list[TextLine], after: int) -> list[int]:
    """Line indices where attached documents start (each a type line followed by ``(Kèm theo …)``).

    Args:
        lines: The cleaned lines of the whole file.
        after: Lines before this index (the issuing document's header) are not looked at.
    """
    starts: list[int] = []
    for i in _nonblank(lines, after, len(lines)):
        line = lines[i]
        if not is_upper_heading(line.text) or doc_type_of(line) is None or line.text.endswith(":"):
            continue  # "QUYẾT ĐỊNH:" opens the articles of the document itself
        following = _nonblank(lines, i + 1, len(lines))[:_ISSUED_WITH_WITHIN]
        if not any(_ISSUED_WITH.match(lines[k].folded.lstrip("( ")) for k in following):
            continue
        start = _header_start(lines, i, starts[-1] + 1 if starts else after)
        if not starts or start > starts[-1]:
            starts.append(start)
    return starts


def document_starts(lines: list[TextLine], after: int) -> list[int]:
    """Line indices where further documents start: a quốc hiệu with a ``Số:`` line under it, after a
    ``Nơi nhận`` or a signature block.

    Args:
        lines: The cleaned lines of the whole file.
        after: Where the first document's header ends.
    """
    starts: list[int] = []
    closed = False
    for i in _nonblank(lines, after, len(lines)):
        line = lines[i]
        folded = line.folded
        if RECIPIENTS_START.match(folded) or (AUTHORITY.match(folded) and is_upper_heading(line.text)):
            closed = True
            continue
        if not closed or not national_title(line.text):
            continue
        below = _nonblank(lines, i + 1, len(lines))[:4]
        if any(NUMBER_LINE.match(lines[k].folded) for k in below) or NUMBER_LINE.match(folded):
            start = _header_start(lines, i + 1, starts[-1] + 1 if starts else after)
            starts.append(min(start, i))
            closed = False
    return starts


def split_lines(lines: list[TextLine], starts: list[int]) -> list[list[TextLine]]:
    """``lines`` cut before each of ``starts``. A start line that also holds the end of the part before it
    (OCR joined ``- Lưu: VT, KTTH`` to the next header's ``THỦ TƯỚNG CHÍNH PHỦ CỘNG HÒA …``) is cut
    where the new header's upper-case text begins."""
    parts: list[list[TextLine]] = []
    previous = 0
    carry: list[TextLine] = []
    for start in [*starts, len(lines)]:
        part = carry + lines[previous:start]
        carry = []
        if start < len(lines):
            head, tail = _cut_joined_header(lines[start])
            if head is not None:
                part.append(head)
            carry = [tail]
            previous = start + 1
        parts.append(part)
    return parts


def _cut_joined_header(line: TextLine) -> tuple[TextLine | None, TextLine]:
    match = national_title(line.text)
    if match is None or match.start() == 0:
        return None, line
    words = line.text[: match.start()].split()
    k = len(words)
    while k > 0 and words[k - 1].upper() == words[k - 1] and any(c.isalpha() for c in words[k - 1]):
        k -= 1
    if k == 0:
        return None, line
    before = " ".join(words[:k])
    after = " ".join(words[k:]) + " " + line.text[match.start() :]
    return (
        TextLine(text=before, index=line.index, page_break=line.page_break, raw=line.raw),
        TextLine(text=after.strip(), index=line.index, raw=line.raw),
    )
