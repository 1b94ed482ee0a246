"""Archive deliverables beside ``x.txt``/``x.md``/``x.json``: the searchable PDF, ALTO 4, the document
register and the search index.

The batch calls :func:`write_document_outputs` in the worker (per-document files) and keeps a
:class:`~.catalog.Catalog` open in the parent (register and index, updated as results come in). Heavy
imports (OCRmyPDF) happen only when a PDF is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import BadArgumentsError

if TYPE_CHECKING:
    from ..models import Document

FORMATS = ("txt", "md", "json", "pdf", "alto")
#: Formats written by this package (the others by the batch itself).
ARCHIVE_SUFFIXES = {"pdf": ".pdf", "alto": ".alto.xml"}


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"txt,pdf"`` → the formats in canonical order; ``json`` is always included (it marks a document
    complete and feeds the register).

    Raises:
        BadArgumentsError: An unknown format.
    """
    items = text.split(",") if isinstance(text, str) else list(text)
    wanted = {item.strip().lower() for item in items if item.strip()}
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise BadArgumentsError(f"--formats: unknown {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    wanted.add("json")
    return tuple(f for f in FORMATS if f in wanted)


def archive_path(stem: Path, fmt: str) -> Path:
    """``OUTPUT_DIR/a/x`` + ``pdf`` → ``OUTPUT_DIR/a/x.pdf``."""
    return stem.with_name(stem.name + ARCHIVE_SUFFIXES[fmt])


def write_document_outputs(doc: Document, source: Path, stem: Path, formats: Iterable[str]) -> list[Path]:
    """Write the document's archive files (``x.pdf``, ``x.alto.xml``) that ``formats`` asks for.

    Notes what was written or skipped, and why, in ``doc.archive`` (saved in ``x.json``, so a resumed batch
    knows a skipped PDF is not missing). Returns the files written.
    """
    from .alto import write_alto
    from .pdf import write_pdf

    written: list[Path] = []
    formats = set(formats)
    if "alto" in formats:
        path = archive_path(stem, "alto")
        if write_alto(doc, path):
            written.append(path)
            doc.archive["alto"] = "ALTO 4"
        else:
            doc.archive["alto"] = "skipped: no page image with OCR words"
    if "pdf" in formats:
        path = archive_path(stem, "pdf")
        outcome = write_pdf(doc, source, path)
        if outcome.status == "written":
            written.append(path)
            doc.archive["pdf"] = outcome.kind
        else:
            doc.archive["pdf"] = f"skipped: {outcome.reason}"
    return written


def archive_outputs_complete(record: dict[str, Any], stem: Path, formats: Iterable[str]) -> bool:
    """Whether every archive file ``formats`` asks for exists, or the record says why it was skipped."""
    notes = record.get("archive") or {}
    for fmt in ARCHIVE_SUFFIXES:
        if fmt not in formats:
            continue
        if not (archive_path(stem, fmt).is_file() or str(notes.get(fmt, "")).startswith("skipped")):
            return False
    return True


def refresh_after_review(output_dir: Path, document: str, record: dict[str, Any]) -> list[str]:
    """A reviewer's corrected record into the register, the index, ``x.alto.xml`` and ``x.pdf`` (see
    :mod:`.refresh`)."""
    from .refresh import refresh_after_review as refresh

    return refresh(output_dir, document, record)
