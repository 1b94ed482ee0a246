"""Bring a document's archive outputs up to date with its corrected record (``vnocr review``).

A reviewer's correction rewrites ``x.txt``, ``x.md`` and ``x.json``; here the rest follows from the corrected
record: the register and search index rows, ``x.alto.xml`` and the searchable ``x.pdf`` (re-rendered from the
source when it can be found: it takes seconds a page).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

from ..models import Document, PageResult
from .geometry import WordBox

log = logging.getLogger(__name__)

#: Re-render ``x.pdf`` in a background thread (the review server: a correction's answer does not wait
#: seconds a page); off, it is re-rendered before :func:`refresh_after_review` returns (a batch worker).
PDF_IN_BACKGROUND = False
#: In the background, a document's PDF is re-rendered once its corrections pause this long (seconds), so
#: a reviewer clearing its flags does not wait on renders of every intermediate state.
PDF_QUIET_SECONDS = 20.0
_pdf_lock = threading.Lock()
_pdf_latest: dict[Path, tuple[Path, dict[str, Any], float]] = {}
_pdf_running: set[Path] = set()


def document_from_record(record: dict[str, Any]) -> Document:
    """The parts of a Document the archive outputs read (pages with text and word boxes, metadata as
    recorded), rebuilt from its ``x.json`` record."""
    pages = []
    for page in record.get("pages") or []:
        result = PageResult(
            number=int(page["number"]),
            rotation=int(page.get("rotation") or 0),
            skew_degrees=float(page.get("skew_degrees") or 0.0),
            raw_text=str(page.get("raw_text") or ""),
            text=str(page.get("text") or ""),
            dpi=page.get("dpi"),
            image_size=(int(page["image_size"][0]), int(page["image_size"][1]))
            if page.get("image_size")
            else None,
        )
        if page.get("words") is not None:
            # one list a line of raw_text (lines without words too), as PageResult.from_page made them
            lines = max([result.raw_text.count("\n") + 1, *(int(w["line"]) for w in page["words"])])
            words: list[list[WordBox]] = [[] for _ in range(lines)]
            for w in page["words"]:
                x, y, width, height = (int(v) for v in w["box"])
                words[int(w["line"]) - 1].append(
                    WordBox(str(w["text"]), float(w["conf"]), x, y, width, height)
                )
            result.words = words
        pages.append(result)
    doc = Document(source=str(record.get("source") or ""), pages=pages, text=str(record.get("text") or ""))
    doc.raw_text = str(record.get("raw_text") or "")
    return doc


def catalog_key(output_dir: Path, document: str) -> str | None:
    """The register's name for a document (its input path, as the manifest records it), from its outputs'
    name (``a/x`` for ``a/x.json``)."""
    manifest = output_dir / "manifest.jsonl"
    if not manifest.is_file():
        return None
    key = None
    for line in manifest.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if f"{document}.json" in (entry.get("outputs") or []):
            key = str(entry.get("path"))
    return key


def refresh_after_review(output_dir: Path, document: str, record: dict[str, Any]) -> list[str]:
    """Update the register, the search index, ``x.alto.xml`` and ``x.pdf`` of ``document`` (its outputs'
    path without suffix) from its corrected ``record``; returns what was updated. A failure is logged and
    leaves that output as it was (the corrected ``x.json`` and texts stand)."""
    from . import archive_path
    from .alto import write_alto
    from .catalog import Catalog

    done: list[str] = []
    stem = output_dir / document
    key = catalog_key(output_dir, document)
    if key is not None and (output_dir / "catalog.sqlite").is_file():
        with Catalog(output_dir) as catalog:
            catalog.add(key, record)
            catalog.write_csv()
        done.append("register")
    doc = document_from_record(record)
    alto = archive_path(stem, "alto")
    if alto.is_file() and write_alto(doc, alto):
        done.append("alto")
    pdf = archive_path(stem, "pdf")
    source = Path(doc.source)
    if pdf.is_file():
        if not source.is_file():
            log.warning("%s: source %s not found: x.pdf keeps its old text layer", document, source)
        elif PDF_IN_BACKGROUND:
            _refresh_pdf_later(pdf, source, record)
            done.append("pdf (in the background)")
        elif _refresh_pdf(pdf, source, record):
            done.append("pdf")
    return done


def _refresh_pdf(pdf: Path, source: Path, record: dict[str, Any]) -> bool:
    """Re-render ``pdf`` from ``source`` with the record's text; False (logged) when it could not be."""
    from .pdf import write_pdf

    try:
        outcome = write_pdf(document_from_record(record), source, pdf)
    except Exception as exc:  # the corrected texts stand; the PDF keeps its old layer
        log.warning("%s: searchable PDF not refreshed (%s)", pdf.name, exc)
        return False
    return outcome.status != "skipped"


def _refresh_pdf_later(pdf: Path, source: Path, record: dict[str, Any]) -> None:
    """Re-render ``pdf`` in a background thread once its corrections pause, always from its latest record,
    one render at a time a file (:func:`flush_pending_pdfs` renders what is left when the server stops)."""
    with _pdf_lock:
        _pdf_latest[pdf] = (source, record, time.monotonic())
        if pdf in _pdf_running:
            return  # the waiting thread takes the latest record
        _pdf_running.add(pdf)

    def work() -> None:
        while True:
            with _pdf_lock:
                latest = _pdf_latest.get(pdf)
                if latest is None:
                    _pdf_running.discard(pdf)
                    return
                wait = latest[2] + PDF_QUIET_SECONDS - time.monotonic()
                if wait <= 0:
                    del _pdf_latest[pdf]
            if wait > 0:
                time.sleep(min(wait, 1.0))
                continue
            _refresh_pdf(pdf, latest[0], latest[1])

    threading.Thread(target=work, name=f"refresh {pdf.name}", daemon=True).start()


def flush_pending_pdfs() -> int:
    """Render now every PDF still waiting for its corrections to pause (the server is stopping); returns
    how many were rendered."""
    with _pdf_lock:
        pending = list(_pdf_latest.items())
        _pdf_latest.clear()
    for pdf, (source, record, _) in pending:
        _refresh_pdf(pdf, source, record)
    return len(pending)
