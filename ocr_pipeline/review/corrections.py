"""Corrections: kept in ``OUTPUT_DIR/corrections.jsonl``, applied to the outputs, re-applied after a re-run.

``corrections.jsonl`` is append-only, one JSON object a line (a line cut short by a crash is skipped on
reading); every append is one ``write`` to a file opened with ``O_APPEND`` under the folder's lock, so tabs
and servers on the same folder never interleave. A word correction is
``{kind: "word", document, page, line, start, original, chosen, corrected, reviewer, at}``: ``chosen`` is the
word as the output had it, ``corrected`` the new word (equal to ``chosen`` when the reviewer accepted it). A
metadata correction is ``{kind: "metadata", document, field, value, reviewer, at}``.

Applying a correction changes the page's restored line, then re-renders the document from the corrected
text: ``x.txt``, the structure (segmentation again, then the metadata corrections), ``x.md`` and ``x.json``,
where the flagged entry gets a ``review`` note. ``OUTPUT_DIR/lexicon.txt`` (``word or phrase<TAB>count``,
most frequent first) is rebuilt from the corrections: the words people wrote or confirmed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
import logging
import os
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..render import render_markdown
from ..structure.metadata import parse_long_date, parse_number
from ..structure.model import DocumentDate, DocumentMetadata, DocumentNumber, Signer
from ..textio import atomic_write_text
from .flags import FlagKey, find_page, locate
from .folder import DocumentFiles, OutputFolder

log = logging.getLogger(__name__)

FORM_FEED = "\f"
#: Metadata fields the document view edits (a dotted name reaches into the signer).
METADATA_FIELDS = (
    "doc_type",
    "title",
    "number",
    "date",
    "place",
    "issuer",
    "parent_body",
    "signer.position",
    "signer.name",
    "recipients",
)


@dataclass
class Correction:
    """One line of ``corrections.jsonl`` (see the module docstring)."""

    document: str
    kind: str = "word"
    page: int = 0
    line: int = 0
    start: int = 0
    original: str = ""
    chosen: str = ""
    corrected: str = ""
    field: str = ""
    value: Any = None
    reviewer: str = ""
    at: str = dataclasses.field(
        default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    )

    @property
    def key(self) -> FlagKey:
        """The flagged token this word correction is about."""
        return (self.document, self.page, self.line, self.start, self.original)

    def to_dict(self) -> dict[str, Any]:
        """The JSON line's object (only the fields of its kind)."""
        record = asdict(self)
        word_only = ("page", "line", "start", "original", "chosen", "corrected")
        drop = word_only if self.kind == "metadata" else ("field", "value")
        return {k: v for k, v in record.items() if k not in drop}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Correction:
        """A correction from its JSON object (unknown keys ignored)."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


class CorrectionStore:
    """``corrections.jsonl`` of a folder: read all, append one (the caller holds the folder's lock)."""

    def __init__(self, folder: OutputFolder) -> None:
        self.path = folder.corrections_path

    def read(self, document: str | None = None) -> list[Correction]:
        """Every correction (of one document when given), in the order they were made."""
        if not self.path.is_file():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                data = json.loads(line)
                correction = Correction.from_dict(data)
            except (ValueError, TypeError):
                continue  # a line cut short by a crash
            if document is None or correction.document == document:
                found.append(correction)
        return found

    def append(self, correction: Correction) -> None:
        """Append one correction as one write, flushed to disk."""
        data = (json.dumps(correction.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)


def apply_word(record: dict[str, Any], correction: Correction) -> str:
    """Apply a word correction to a record's page text, in place.

    Returns:
        ``applied``, ``already`` (the line holds the corrected word there), or ``mismatch`` (the output no
        longer holds ``chosen`` at that place: another tab changed it, or a re-run restored it otherwise).
    """
    ref = find_page(record, correction.page)
    if ref is None:
        return "mismatch"
    lines = ref.page.get("text", "").split("\n")
    raws = ref.page.get("raw_text", "").split("\n")
    if not 1 <= correction.line <= min(len(lines), len(raws)):
        return "mismatch"
    current, raw = lines[correction.line - 1], raws[correction.line - 1]
    span = locate(current, raw, correction.start, correction.chosen)
    if span is None:
        return "already" if locate(current, raw, correction.start, correction.corrected) else "mismatch"
    lines[correction.line - 1] = current[: span[0]] + correction.corrected + current[span[1] :]
    ref.page["text"] = "\n".join(lines)
    _note_review(record, correction)
    return "applied"


def _note_review(record: dict[str, Any], correction: Correction) -> None:
    for entry in (record.get("restoration") or {}).get("flagged_for_review") or []:
        if (
            int(entry.get("page", 1)) == correction.page
            and entry.get("line") == correction.line
            and entry.get("start") == correction.start
            and entry.get("original") == correction.original
        ):
            entry["review"] = {
                "corrected": correction.corrected,
                "by": correction.reviewer,
                "at": correction.at,
            }


def apply_metadata(metadata: DocumentMetadata, name: str, value: Any) -> None:
    """Set one metadata field from the document view's value (text; a list of lines for ``recipients``)."""
    text = "\n".join(value) if isinstance(value, list) else str(value or "")
    text = text.strip()
    if name == "recipients":
        metadata.recipients = [line.strip() for line in text.split("\n") if line.strip()]
    elif name == "number":
        metadata.number = (parse_number(text) or DocumentNumber(raw=text)) if text else None
    elif name == "date":
        parsed = parse_long_date(text) if text else None
        metadata.date = parsed[0] if parsed else (DocumentDate(raw=text) if text else None)
    elif name.startswith("signer."):
        metadata.signer = metadata.signer or Signer()
        setattr(metadata.signer, name.removeprefix("signer."), text or None)
        if name == "signer.name":  # the name is now the reviewer's, not the printed line's or a guess
            metadata.signer.name_source = "review" if text else None
    elif name in METADATA_FIELDS:
        setattr(metadata, name, text or None)
    else:
        raise ValueError(f"unknown metadata field {name!r}")


def rebuild(record: dict[str, Any], metadata_corrections: list[Correction]) -> str:
    """Re-derive a record's text and structure from its (corrected) page texts, in place; returns the
    Markdown."""
    from ..structure.segment import segment_text

    record["text"] = FORM_FEED.join(page.get("text", "") for page in record.get("pages") or [])
    structure = segment_text(record["text"])
    for correction in metadata_corrections:
        apply_metadata(structure.metadata, correction.field, correction.value)
    record.update(structure.to_dict())
    return render_markdown(structure)


def write_lexicon(folder: OutputFolder, corrections: list[Correction]) -> None:
    """Rebuild ``lexicon.txt``: each corrected or confirmed word (or phrase) with how often, most first."""
    counts = Counter(c.corrected.strip() for c in corrections if c.kind == "word" and c.corrected.strip())
    lines = [f"{word}\t{count}" for word, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    atomic_write_text(folder.lexicon_path, "".join(line + "\n" for line in lines))


def refresh_archive_outputs(folder: OutputFolder, files: DocumentFiles, record: dict[str, Any]) -> None:
    """Bring the other outputs (searchable PDF, ALTO, register, search index) up to date with a corrected
    record, through ``ocr_pipeline.outputs.refresh_after_review(output_dir, document, record)`` where that
    package provides it."""
    try:
        outputs = importlib.import_module("ocr_pipeline.outputs")
    except ImportError:
        return
    refresh = getattr(outputs, "refresh_after_review", None)
    if refresh is not None:
        refresh(folder.root, files.id, record)


def save(
    folder: OutputFolder, files: DocumentFiles, record: dict[str, Any], corrections: list[Correction]
) -> None:
    """Re-render and write every output of a corrected record (the caller holds the lock)."""
    markdown = rebuild(record, [c for c in corrections if c.kind == "metadata" and c.document == files.id])
    folder.write_outputs(files, record, markdown)
    refresh_archive_outputs(folder, files, record)


def reapply_corrections(output_dir: Path, document: str) -> dict[str, int]:
    """Apply the kept corrections of one document again to its freshly written outputs (after
    ``vnocr batch --force``); returns the count of each outcome (``applied``, ``already``, ``mismatch``)."""
    folder = OutputFolder(output_dir)
    if not folder.corrections_path.is_file():
        return {}
    store = CorrectionStore(folder)
    mine = store.read(document)
    if not mine:
        return {}
    files = DocumentFiles(document, folder.root / document)
    outcomes: Counter[str] = Counter()
    with folder.locked():
        record = folder.fresh_record(files)
        for correction in mine:
            if correction.kind == "word":
                outcomes[apply_word(record, correction)] += 1
        save(folder, files, record, mine)
    if outcomes["mismatch"]:
        log.warning("%s: %d kept correction(s) no longer match the output", document, outcomes["mismatch"])
    return dict(outcomes)
