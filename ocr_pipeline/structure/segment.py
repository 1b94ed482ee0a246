"""Section segmenter: numbered section tree of a Vietnamese administrative document.

Contract: :func:`segment_text` takes restored text and returns a :class:`Structure` (preamble, section
tree, closing paragraph, metadata; the types are in :mod:`.model`).

Levels come from the numbering only (never from Markdown marks or fonts): a node is nested under the
nearest open node whose kind ranks above it (part > chapter > mục > điều > Roman > Arabic > decimal >
letter; ``1.2`` under ``1``). Paragraphs are rebuilt from hard-wrapped lines: a line joins the previous one
unless it starts a marker or list item, or the previous line ends a sentence (or a short heading) and this
one starts with a capital; a line after a blank line joins only when it continues a sentence (starts in
lower case). ``-`` and ``+`` lines are list items of the current section (``+`` nested under ``-``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from .attachments import attachment_starts, document_starts, split_lines
from .closing import settle_recipients
from .layout import (
    TextLine,
    Zones,
    clean_lines,
    ends_sentence,
    find_zones,
    starts_preamble,
    typical_width,
)
from .marks import strip_marks
from .metadata import metadata_from_lines
from .model import DocumentMetadata, ListItem, Section, Structure, Zone
from .numbering import RANK, Expectation, Marker, best_marker, is_upper_heading
from .title import complete_title, settle_type_and_title
from .zoned import metadata_from_zones, zone_text

log = logging.getLogger(__name__)

_SENTENCE_END = regex.compile(r"(?<=[.!?…])[\"”’')]*\s+(?=[\"“‘(]?[\p{Lu}\d])")
_ABBREVIATION = regex.compile(r"(?:^|[\s(])(?:\p{Lu}{1,3}|TP|Tp|TX|ThS|TS|PGS|GS|BS|St|v\.v|Ô|B|K)\.$")


# --------------------------------------------------------------------------------------------- headings


def first_sentence_end(text: str) -> int:
    """Offset where the first sentence of ``text`` ends (``len(text)`` when it is one sentence)."""
    for match in _SENTENCE_END.finditer(text):
        before = text[: match.start()].rstrip("\"”’')")
        if _ABBREVIATION.search(before):
            continue
        return match.start()
    return len(text)


def _first_colon(text: str, limit: int) -> int | None:
    depth = 0
    quoted = False
    for i, ch in enumerate(text[:limit]):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch in '“”"':
            quoted = ch == "“" or (ch == '"' and not quoted)
        elif ch == ":" and depth == 0 and not quoted and (i + 1 == len(text) or text[i + 1].isspace()):
            return i
    return None


def split_heading(text: str, bold_end: int | None = None) -> tuple[str, str]:
    """Split a numbered paragraph's text into title and body.

    The title is the text up to the first colon of the first sentence, else the first sentence; a bold
    span opening the paragraph and closing inside it ends the heading. Trailing ``.;,:`` are not part of
    the title.

    Args:
        text: The paragraph's text after its marker.
        bold_end: Offset in ``text`` where a leading bold span closes, if any.

    Returns:
        (title, body).
    """
    text = text.strip()
    if bold_end is not None and 0 < bold_end < len(text):
        head, tail = text[:bold_end], text[bold_end:]
        colon = _first_colon(head, len(head))
        if colon is not None and colon < len(head.rstrip()) - 1:
            return head[:colon].strip().rstrip(" .;,:"), (head[colon + 1 :] + tail).strip()
        return head.strip().rstrip(" .;,:"), tail.strip()
    limit = first_sentence_end(text)
    colon = _first_colon(text, limit)
    if colon is not None:
        title, body = text[:colon], text[colon + 1 :]
    else:
        title, body = text[:limit], text[limit:]
    title = title.strip().rstrip(" .;,:")
    if not title and text:  # e.g. a line that is only ": ..." after the marker
        title, body = text.strip().rstrip(" .;,:"), ""
    return title, body.strip()


# --------------------------------------------------------------------------------------------- builder


@dataclass
class _Block:
    marker: Marker | None
    texts: list[str]
    last: TextLine
    bold_end: int | None = None
    upper: bool = False
    section: Section | None = None

    @property
    def text(self) -> str:
        return regex.sub(r"\s+", " ", " ".join(t for t in self.texts if t)).strip()


def _rank(marker_kind: str, value: tuple[int, ...]) -> int:
    rank = RANK[marker_kind]
    return rank + max(0, len(value) - 2) if marker_kind == "decimal" else rank


class _TreeBuilder:
    def __init__(self, width: float) -> None:
        self.width = width
        #: Hard-wrapped text (OCR, PDF extraction) rather than one line per paragraph (Markdown).
        self.wrapped = width < 150
        self.roots: list[Section] = []
        self.stack: list[tuple[Section, int, tuple[int, ...]]] = []
        self.last: dict[str, tuple[int, ...]] = {}
        self.preamble: list[str] = []
        self.block: _Block | None = None
        self.last_item: ListItem | None = None

    # context ---------------------------------------------------------------------------------------
    def expectation(self, after_break: bool) -> Expectation:
        prefix: tuple[int, ...] = ()
        for section, _, value in reversed(self.stack):
            if section.kind in {"number", "decimal"}:
                prefix = value
                break
        prev_unfinished = False
        if self.block is not None:
            last = self.block.last.text
            prev_unfinished = not ends_sentence(last) and len(last) >= 0.6 * self.width
            if self.block.upper or (
                self.block.marker is not None and len(self.block.texts) == 1 and len(last) < 0.6 * self.width
            ):
                prev_unfinished = False
        return Expectation(
            last=dict(self.last),
            decimal_prefix=prefix,
            open_kinds=tuple(s.kind for s, _, _ in self.stack),
            prev_unfinished=prev_unfinished,
            after_break=after_break or self.block is None,
        )

    # lines -----------------------------------------------------------------------------------------
    def feed(self, line: TextLine, after_break: bool) -> None:
        block = self.block
        marker = best_marker(line.text, self.expectation(after_break))
        if (
            block is not None
            and marker is None
            and block.marker is not None
            and block.marker.kind != "bullet"
        ):
            if not block.texts[0] and len(block.texts) == 1:
                block.texts.append(line.text)  # a label alone on its line: the heading follows
                block.upper = is_upper_heading(line.text)
                block.last = line
                return
            if block.upper and not after_break and is_upper_heading(line.text):
                block.texts.append(line.text)  # an upper-case heading wrapped over lines
                block.last = line
                return
        if marker is not None:
            self.flush()
            rest_offset = len(line.text) - len(marker.rest)
            bold = line.bold_end - rest_offset if line.bold_end is not None else None
            self.block = _Block(
                marker=marker,
                texts=[marker.rest],
                last=line,
                bold_end=bold if bold is not None and bold > 0 else None,
                upper=marker.kind != "bullet" and is_upper_heading(marker.rest),
                section=None if marker.kind == "bullet" else self._open_section(marker),
            )
            return
        if block is None or self._starts_paragraph(block, line, after_break):
            self.flush()
            self.block = _Block(marker=None, texts=[line.text], last=line)
            return
        block.texts.append(line.text)
        block.last = line

    def _starts_paragraph(self, block: _Block, line: TextLine, after_break: bool) -> bool:
        first = next((ch for ch in line.text if ch.isalnum()), "")
        prev = block.last.text
        if block.upper:
            return True
        if after_break:
            if first.islower():
                return False
            if ends_sentence(prev):
                return True
            # A full hard-wrapped line without final punctuation before a blank line: a page break
            # inside a sentence ("... xã Bình" / "Lương giai đoạn ...").
            return not (first.isdigit() or (self.wrapped and len(prev) >= 0.85 * self.width))
        if first.islower() or first.isdigit():
            return False
        if ends_sentence(prev) and starts_preamble(line.folded):
            return True  # "Căn cứ ...;" / "Căn cứ ...;" one per paragraph
        short = len(prev) < 0.6 * self.width
        if block.marker is not None and block.marker.kind != "bullet" and len(block.texts) == 1 and short:
            return True  # "1. Mục đích" then the body on the next line
        return ends_sentence(prev) and len(prev) < 0.85 * self.width

    # blocks ----------------------------------------------------------------------------------------
    def flush(self) -> None:
        block, self.block = self.block, None
        if block is None:
            return
        text = block.text
        marker = block.marker
        if marker is None:
            self._paragraph(text)
        elif marker.kind == "bullet":
            self._item(marker.label, text)
        elif block.section is not None:
            block.section.title, block.section.body = split_heading(text, block.bold_end)

    def _paragraph(self, text: str) -> None:
        if not self.stack:
            self.preamble.append(text)
            return
        section = self.stack[-1][0]
        item = self.last_item
        if item is not None and not ends_sentence(item.text) and text[:1].isalpha():
            item.text = f"{item.text} {text}"  # the item went on after a page break
            return
        section.body = f"{section.body}\n\n{text}" if section.body else text
        self.last_item = None

    def _item(self, mark: str, text: str) -> None:
        if not self.stack:
            self.preamble.append(f"{mark} {text}")
            return
        section = self.stack[-1][0]
        item = ListItem(marker=mark, text=text)
        if mark == "+" and section.items and section.items[-1].marker == "-":
            section.items[-1].items.append(item)
        else:
            section.items.append(item)
        self.last_item = item

    def _open_section(self, marker: Marker) -> Section:
        """Open a section node for a marker (its title and body are filled in when its block ends)."""
        rank = _rank(marker.kind, marker.value)
        while self.stack and self.stack[-1][1] >= rank:
            self.stack.pop()
        section = Section(
            label=marker.label,
            kind=marker.kind,
            level=len(self.stack) + 1,
            title="",
            printed=marker.printed,
        )
        (self.stack[-1][0].children if self.stack else self.roots).append(section)
        self.stack.append((section, rank, marker.value))
        self.last[marker.kind] = marker.value
        for kind in RANK:
            if RANK[kind] > RANK[marker.kind]:
                self.last.pop(kind, None)
        self.last_item = None
        return section


def _paragraphs(lines: list[TextLine], width: float) -> list[str]:
    """Rebuild plain paragraphs (closing zone): join wrapped lines, split at blank lines after a sentence."""
    out: list[str] = []
    current: list[str] = []
    blank = False
    for line in lines:
        if line.noise:
            continue
        if line.blank:
            blank = True
            continue
        if current and blank and not line.text[:1].islower():
            out.append(" ".join(current))
            current = []
        current.append(line.text)
        blank = False
    if current:
        out.append(" ".join(current))
    return [regex.sub(r"\s+", " ", p).strip() for p in out]


def _body_structure(lines: list[TextLine], zones: Zones) -> tuple[list[Section], str, str]:
    """Sections, preamble and closing paragraph of the body and closing zones."""
    width = typical_width(lines)
    builder = _TreeBuilder(width)
    after_break = True
    for i in zones.body:
        line = lines[i]
        if line.noise:
            continue
        if line.blank:
            after_break = True
            continue
        builder.feed(line, after_break)
        after_break = False
    builder.flush()
    closing = _paragraphs([lines[i] for i in zones.closing], width)
    return _restore_lost_article(builder.roots), "\n\n".join(builder.preamble), "\n\n".join(closing)


def _restore_lost_article(roots: list[Section]) -> list[Section]:
    """``Điều 1.`` lost under a stamp: its khoản ``1.``, ``2.`` … stand at the top before ``Điều 2``.
    They are put back under an ``Điều 1`` whose heading was not read."""
    first_article = next((k for k, s in enumerate(roots) if s.kind == "article"), None)
    if not first_article or roots[first_article].label != "2":
        return roots
    lead = roots[:first_article]
    if lead[0].label != "1" or any(s.kind != "number" for s in lead):
        return roots
    for path_node in (node for s in lead for _, node in s.walk()):
        path_node.level += 1
    article = Section(label="1", kind="article", level=1, title="", children=lead)
    return [article, *roots[first_article:]]


def _fill_missing(meta: DocumentMetadata, fallback: DocumentMetadata) -> None:
    """Take from ``fallback`` every field ``meta`` left empty."""
    for name in vars(meta):
        if getattr(meta, name) in (None, [], ""):
            setattr(meta, name, getattr(fallback, name))


def _structure_of(lines: list[TextLine], marks: list[str]) -> Structure:
    zones = find_zones(lines)
    metadata, leftovers = metadata_from_lines(lines, zones)
    settle_type_and_title(metadata)
    settle_recipients(metadata)
    sections, preamble, closing = _body_structure(lines, zones)
    log.debug("segmented %d lines: %d top-level sections", len(lines), len(sections))
    return Structure(
        preamble=preamble,
        sections=sections,
        metadata=metadata,
        closing=closing,
        unassigned=leftovers,
        marks=marks,
    )


def _segment_lines(lines: list[TextLine]) -> list[Structure]:
    """Every document of the file's lines, each with its attached documents."""
    marks = strip_marks(lines)
    header_end = find_zones(lines).header.stop
    documents: list[Structure] = []
    for part in split_lines(lines, document_starts(lines, header_end)):
        part_header = find_zones(part).header.stop
        main, *attached = split_lines(part, attachment_starts(part, part_header))
        structure = _structure_of(main, marks if not documents else [])
        structure.attachments = [_structure_of(lines_of, []) for lines_of in attached]
        documents.append(structure)
    return documents


def _segment_zones(text: str, zones: Sequence[Zone]) -> list[Structure]:
    """The structure with each metadata field read from its page zone (text-only reading where the zones
    yield nothing) and the sections from the body zones."""
    documents = _segment_lines(clean_lines(text))
    structure = documents[0]
    meta, leftovers, marks = metadata_from_zones(zones)
    meta.title = complete_title(meta.title, structure.metadata.title)  # a title zone cut mid-title
    _fill_missing(meta, structure.metadata)
    settle_type_and_title(meta)
    settle_recipients(meta)
    structure.metadata, structure.unassigned = meta, leftovers
    structure.marks = [*marks, *(m for m in structure.marks if m not in marks)]
    body_text = zone_text(zones, "body", "unknown")  # a page with no header or closing is all body
    if body_text.strip() and len(documents) == 1 and not structure.attachments:
        lines = clean_lines(body_text)
        strip_marks(lines)
        text_zones = find_zones(lines)
        body = Zones(
            header=range(0),
            body=range(0, text_zones.closing.start),
            closing=text_zones.closing,
            end=text_zones.end,
        )
        structure.sections, structure.preamble, structure.closing = _body_structure(lines, body)
    return [structure, *documents[1:]]


def segment_documents(text: str, zones: Sequence[Zone] | None = None) -> list[Structure]:
    """Every document of a file's text (usually one), each with its attached documents.

    Args:
        text: Restored plain text, pages possibly separated by form feeds.
        zones: Layout zones found on the page images, if any (they describe the first document).

    Returns:
        The documents in order; never empty.
    """
    if zones and any(zone.kind not in {"unknown", "mark"} for zone in zones):
        return _segment_zones(text, zones)
    return _segment_lines(clean_lines(text))


def segment_text(text: str, zones: Sequence[Zone] | None = None) -> Structure:
    """Split a document's text into its numbered sections and extract its metadata.

    Args:
        text: Restored plain text (hard-wrapped or Markdown-ish), pages possibly separated by form feeds.
        zones: Layout zones found on the page images, when there are any: each metadata field is then
            read from its zone. Without zones (a text input, no layout found) the zones are found in the
            text.

    Returns:
        The document structure (of the first document when the file holds several: see
        :func:`segment_documents`).
    """
    return segment_documents(text, zones)[0]
