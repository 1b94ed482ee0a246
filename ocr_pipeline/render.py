"""Markdown rendering of a document's structure: metadata header, headings by level, lists."""

from __future__ import annotations

from .structure.model import DocumentMetadata, ListItem, Section, Structure


def _heading_text(section: Section) -> str:
    label = section.label
    prefix = {
        "part": f"Phần {label}." if not (len(label) == 1 and label.isalpha()) else f"{label}.",
        "chapter": f"Chương {label}.",
        "section": f"Mục {label}.",
        "article": f"Điều {label}.",
        "letter": f"{label})",
    }.get(section.kind, f"{label}.")
    return f"{prefix} {section.title}".strip()


def _render_items(items: list[ListItem], depth: int, out: list[str]) -> None:
    for item in items:
        out.append(f"{'  ' * depth}- {item.text}")
        _render_items(item.items, depth + 1, out)


def _render_section(section: Section, out: list[str]) -> None:
    level = section.level + 1
    heading = _heading_text(section)
    out.append(f"{'#' * level} {heading}" if level <= 6 else f"**{heading}**")
    if section.body:
        out.append(section.body)
    if section.items:
        lines: list[str] = []
        _render_items(section.items, 0, lines)
        out.append("\n".join(lines))
    for child in section.children:
        _render_section(child, out)


def _render_metadata(meta: DocumentMetadata) -> list[str]:
    out: list[str] = []
    if meta.doc_type or meta.title:
        out.append("# " + ": ".join(t for t in (meta.doc_type, meta.title) if t))
    facts = []
    if meta.parent_body:
        facts.append(f"- Cơ quan chủ quản: {meta.parent_body}")
    if meta.issuer:
        facts.append(f"- Cơ quan ban hành: {meta.issuer}")
    if meta.number:
        facts.append(f"- Số: {meta.number.raw}")
    if meta.place or meta.date:
        facts.append("- " + ", ".join(t for t in (meta.place, meta.date.raw if meta.date else None) if t))
    if facts:
        out.append("\n".join(facts))
    return out


def render_markdown(structure: Structure) -> str:
    """Render a structure as Markdown: metadata header, headings by level, list items as lists."""
    out = _render_metadata(structure.metadata)
    if structure.preamble:
        out.append(structure.preamble)
    for section in structure.sections:
        _render_section(section, out)
    if structure.closing:
        out.append(structure.closing)
    meta = structure.metadata
    if meta.recipients:
        out.append("**Nơi nhận:**\n" + "\n".join(f"- {r}" for r in meta.recipients))
    if meta.signer:
        signer = meta.signer
        lines = [f"**{c}**" for c in signer.chain]
        if signer.position:
            lines.append(f"**{signer.position}**")
        if signer.name:
            lines.append(signer.name)
        if lines:
            out.append("  \n".join(lines))
    body = "\n\n".join(out) + "\n"
    for attached in structure.attachments:
        body += "\n---\n\n" + render_markdown(attached)
    return body
