"""A batch output folder as the review app sees it: its documents by id, their records, one lock.

A document's id is the path of its outputs relative to the folder, without extension, with ``/`` between
parts (``a/b/x`` for ``OUTPUT_DIR/a/b/x.txt|.md|.json``). Ids come from scanning the folder, never from
joining a path a client sent, so a request can name nothing outside it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..models import record_json
from ..textio import atomic_write_text

log = logging.getLogger(__name__)

#: The app's own files (page image cache, lock) inside OUTPUT_DIR.
REVIEW_DIR = ".review"
CORRECTIONS_NAME = "corrections.jsonl"
LEXICON_NAME = "lexicon.txt"
#: Files of the folder the app serves as they are (the document view links to them).
SERVED_SUFFIXES = (".txt", ".md", ".json", ".pdf", ".xml", ".csv")


@dataclass(frozen=True)
class DocumentFiles:
    """The outputs of one document: ``stem`` + ``.txt``/``.md``/``.json``."""

    id: str
    stem: Path

    def path(self, suffix: str) -> Path:
        """``stem`` with ``suffix`` appended (``.txt``, ``.md``, ``.json``)."""
        return self.stem.with_name(self.stem.name + suffix)

    @property
    def json(self) -> Path:
        """The record ``x.json``."""
        return self.path(".json")


def document_id(relative: Path) -> str:
    """The id of the document whose outputs are ``relative`` (+ suffix) below the folder."""
    return relative.with_suffix("").as_posix() if relative.suffix else relative.as_posix()


class OutputFolder:
    """A batch output folder: discovery, cached records, the cross-process lock, writing outputs."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.review_dir = self.root / REVIEW_DIR
        self.corrections_path = self.root / CORRECTIONS_NAME
        self.lexicon_path = self.root / LEXICON_NAME
        self._records: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}
        self._thread_lock = threading.Lock()

    def documents(self) -> dict[str, DocumentFiles]:
        """Every document of the folder (an ``x.json`` with its ``x.txt`` beside it), by id, sorted."""
        found: dict[str, DocumentFiles] = {}
        for top, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            names = set(files)
            for name in sorted(files):
                if name.startswith(".") or not name.endswith(".json"):
                    continue
                stem = Path(top) / name[: -len(".json")]
                if stem.name + ".txt" not in names:
                    continue
                doc_id = document_id(stem.relative_to(self.root))
                found[doc_id] = DocumentFiles(doc_id, stem)
        return found

    def find(self, doc_id: str) -> DocumentFiles | None:
        """The document with this id, or None (unknown ids, whatever they hold, name nothing)."""
        return self.documents().get(doc_id)

    def record(self, files: DocumentFiles) -> dict[str, Any]:
        """The document's ``x.json`` (cached until the file changes; callers must not modify it)."""
        stat = files.json.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._records.get(files.id)
        if cached and cached[0] == key:
            return cached[1]
        record = json.loads(files.json.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or "pages" not in record:
            raise ValueError(f"{files.json}: not a vnocr record")
        self._records[files.id] = (key, record)
        return record

    def fresh_record(self, files: DocumentFiles) -> dict[str, Any]:
        """The document's ``x.json`` read now, a private copy the caller may change."""
        record: dict[str, Any] = json.loads(files.json.read_text(encoding="utf-8"))
        return record

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's lock: one writer at a time across threads, tabs and server processes."""
        self.review_dir.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, (self.review_dir / "lock").open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def write_outputs(self, files: DocumentFiles, record: dict[str, Any], markdown: str) -> None:
        """Write ``x.txt``, ``x.md`` and ``x.json`` atomically (the JSON last, as the batch does)."""
        text = record.get("text", "")
        atomic_write_text(files.path(".txt"), text + ("\n" if text and not text.endswith("\n") else ""))
        atomic_write_text(files.path(".md"), markdown)
        atomic_write_text(files.json, record_json(record) + "\n")

    def served_file(self, relative: str) -> Path | None:
        """The output file ``relative`` names if it is a regular file inside the folder with a served
        suffix and no hidden part, else None."""
        parts = Path(relative).parts
        if (
            not parts
            or any(p.startswith(".") or p in ("", "..") for p in parts)
            or Path(relative).is_absolute()
        ):
            return None
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root) or not path.is_file() or path.suffix not in SERVED_SUFFIXES:
            return None
        return path
