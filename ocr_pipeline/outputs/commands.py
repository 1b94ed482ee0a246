"""The work of ``vnocr search`` and ``vnocr export`` (the CLI only parses options and prints)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from .catalog import open_catalog
from .search import export_ndjson, search


def search_lines(
    output_dir: Path,
    query: str,
    *,
    doc_type: str | None = None,
    year: int | None = None,
    issuer: str | None = None,
    limit: int = 20,
    as_json: bool = False,
) -> list[str]:
    """The results of a search over a batch output folder, as lines to print (or one JSON document)."""
    conn = open_catalog(output_dir)
    try:
        hits = search(conn, query, doc_type=doc_type, year=year, issuer=issuer, limit=limit)
    finally:
        conn.close()
    if as_json:
        return [json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2)]
    lines = []
    for hit in hits:
        where = f"{hit.path}, page {hit.page}" + (f", section {hit.section}" if hit.section else "")
        title = ": ".join(part for part in (hit.doc_type, hit.title) if part)
        lines.append(where + (f" — {title[:80]}" if title else ""))
        lines.append(f"    {hit.snippet}")
    lines.append(f"{len(hits)} result(s)" + (" (more with --limit)" if len(hits) == limit else ""))
    return lines


def export_lines(output_dir: Path) -> Iterator[str]:
    """The NDJSON bulk-load lines of a batch output folder's passages."""
    conn = open_catalog(output_dir)
    try:
        yield from export_ndjson(conn)
    finally:
        conn.close()
