"""``OUTPUT_DIR/catalog.sqlite``: the register table and the search index, kept up to date by the batch.

The batch's parent process owns the one :class:`Catalog` of a run: each finished document's ``x.json`` goes
into the register and the index (replacing its earlier rows); a document skipped on resume is added only
when the catalog lacks it or has it for another source fingerprint. ``register.csv`` is rewritten from the
catalog at most every :data:`CSV_EVERY_SECONDS` and when the catalog is closed.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from . import register, search

log = logging.getLogger(__name__)

CATALOG_NAME = "catalog.sqlite"
CSV_EVERY_SECONDS = 10.0


def connect(path: Path) -> sqlite3.Connection:
    """Open (or create) a catalog file with the tables in place."""
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    search.ensure_schema(conn)
    conn.execute(register.SCHEMA)
    return conn


class Catalog:
    """The register and search index of one batch output folder (a context manager)."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.path = output_dir / CATALOG_NAME
        self.conn = connect(self.path)
        self._csv_written = 0.0
        self._dirty = False

    def __enter__(self) -> Catalog:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def add(self, relative: str, record: dict[str, Any]) -> None:
        """Put one document (its ``x.json`` record) into the register and the index; a database error is
        logged, never raised (the document's own outputs stand; a rerun adds it)."""
        try:
            with self.conn:
                register.replace_file(self.conn, relative, record)
                search.index_document(self.conn, relative, record)
        except sqlite3.Error as exc:
            log.warning("%s: not added to %s (%s)", relative, CATALOG_NAME, exc)
            return
        self._dirty = True
        self._maybe_write_csv()

    def add_from_json(self, relative: str, json_path: Path) -> bool:
        """:meth:`add` from the ``x.json`` file; False (logged) when it cannot be read."""
        try:
            record = json.loads(json_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("%s: not added to the register (%s)", relative, exc)
            return False
        self.add(relative, record)
        return True

    def has(self, relative: str, fingerprint: str) -> bool:
        """Whether the register holds ``relative`` for the source with ``fingerprint``."""
        row = self.conn.execute(
            "SELECT dau_van_tay FROM register WHERE duong_dan = ?", (relative,)
        ).fetchone()
        return row is not None and row[0] == fingerprint

    def ensure_from_json(self, relative: str, json_path: Path) -> None:
        """Add a document skipped on resume unless the catalog already has this version of it."""
        try:
            fingerprint = json.loads(json_path.read_text(encoding="utf-8")).get("source_fingerprint", "")
        except (OSError, ValueError):
            return
        if not self.has(relative, fingerprint):
            self.add_from_json(relative, json_path)

    def _maybe_write_csv(self) -> None:
        if time.monotonic() - self._csv_written >= CSV_EVERY_SECONDS:
            self.write_csv()

    def write_csv(self) -> Path:
        """Rewrite ``register.csv`` from the catalog."""
        path = register.write_csv(self.conn, self.output_dir)
        self._csv_written = time.monotonic()
        self._dirty = False
        return path

    def close(self) -> None:
        """Write the CSV if rows changed since it was last written, then close the database."""
        if self._dirty or not (self.output_dir / register.REGISTER_CSV).exists():
            self.write_csv()
        self.conn.close()


def open_catalog(output_dir: Path) -> sqlite3.Connection:
    """Open an existing batch output folder's catalog (for search and export)."""
    from ..exceptions import BadArgumentsError

    path = output_dir / CATALOG_NAME
    if not path.is_file():
        raise BadArgumentsError(f"{output_dir}: no {CATALOG_NAME} here (run vnocr batch into it first)")
    return connect(path)


def catalog_lines(output_dir: Path) -> list[str]:
    """Where a batch output folder's register and search index are (for ``vnocr report``)."""
    from .register import REGISTER_CSV

    lines = []
    if (output_dir / REGISTER_CSV).is_file():
        lines.append(f"register: {output_dir / REGISTER_CSV} (and the register table of {CATALOG_NAME})")
    if (output_dir / CATALOG_NAME).is_file():
        lines.append(f"search index: {output_dir / CATALOG_NAME} — vnocr search {output_dir} QUERY")
    return lines
