"""Full-text search over a batch output folder: an SQLite FTS5 index of passages in ``catalog.sqlite``.

A passage is the text of one page under one section (``II › 1``), so a hit names its document, page and
section. Each passage is indexed twice: as written (``body``) and folded to bare letters (``folded``: marks
dropped, ``đ`` → ``d``). A query word without marks is looked up in ``folded`` (``duoi nuoc`` finds ``đuối
nước``); a word with marks in ``body``, as written (``đuối nước`` does not find ``dưới nước``). The words
of a query form a phrase, looked up in ``folded``; the marked words are also required, as written, in
``body``.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from vntext.fold import strip_diacritics

WORD = re.compile(r"\w+")
SNIPPET_WORDS = 12

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS passages (
        id INTEGER PRIMARY KEY, path TEXT NOT NULL, page INTEGER NOT NULL, section TEXT NOT NULL,
        body TEXT NOT NULL, folded TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS passages_path ON passages (path)",
    """CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
        body, folded, content='passages', content_rowid='id', tokenize='unicode61 remove_diacritics 0')""",
)


def has_marks(word: str) -> bool:
    """Whether ``word`` carries a Vietnamese mark (or ``đ``)."""
    return strip_diacritics(word) != unicodedata.normalize("NFC", word)


@dataclass(frozen=True)
class Passage:
    """One page's text under one section."""

    page: int
    section: str
    text: str


def _heading_matches(line: str, title: str) -> bool:
    words = line.split()
    if len(words) < 2:
        return False
    marker = words[0]
    starts_marked = marker[-1:] in ".)" or marker.lower() in ("điều", "chương", "mục", "phần")
    title_start = " ".join(title.split()[:3])
    rest = " ".join(words[2:] if marker.lower() in ("điều", "chương", "mục", "phần") else words[1:])
    return (
        starts_marked
        and bool(title_start)
        and strip_diacritics(rest.lower()).startswith(strip_diacritics(title_start.lower()))
    )


def section_headings(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The document's sections in order: (path shown in results, title)."""
    out: list[tuple[str, str]] = []

    def walk(node: dict[str, Any], labels: tuple[str, ...]) -> None:
        path = (*labels, str(node.get("label", "")))
        out.append((" › ".join(path), str(node.get("title") or "")))
        for child in node.get("children") or []:
            walk(child, path)

    for section in record.get("sections") or []:
        walk(section, ())
    return out


def passages(record: dict[str, Any]) -> list[Passage]:
    """Split an ``x.json`` record's restored text into passages by page and section.

    Headings are found in order: the next section's heading is the first later line that starts with a
    marker (``II.``, ``1)``, ``Điều 3``) and goes on with the section title's first words; a heading that
    is not found leaves the section before it running on.
    """
    headings = section_headings(record)
    page_texts = [str(p.get("text") or "") for p in record.get("pages") or []]
    if not page_texts:
        page_texts = str(record.get("text") or "").split("\f")
    numbers = [int(p.get("number", i + 1)) for i, p in enumerate(record.get("pages") or [])] or list(
        range(1, len(page_texts) + 1)
    )
    out: list[Passage] = []
    section, next_heading = "", 0
    for number, text in zip(numbers, page_texts, strict=False):
        lines: list[str] = []
        for line in text.split("\n"):
            if next_heading < len(headings) and _heading_matches(line, headings[next_heading][1]):
                if any(part.strip() for part in lines):
                    out.append(Passage(number, section, "\n".join(lines).strip()))
                lines = []
                section = headings[next_heading][0]
                next_heading += 1
            lines.append(line)
        if any(part.strip() for part in lines):
            out.append(Passage(number, section, "\n".join(lines).strip()))
    return out


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the index tables if missing."""
    for statement in SCHEMA:
        conn.execute(statement)


def remove_document(conn: sqlite3.Connection, path: str) -> None:
    """Drop a document's passages from the index."""
    ensure_schema(conn)
    rows = conn.execute("SELECT id, body, folded FROM passages WHERE path = ?", (path,)).fetchall()
    conn.executemany(
        "INSERT INTO passages_fts (passages_fts, rowid, body, folded) VALUES ('delete', ?, ?, ?)", rows
    )
    conn.execute("DELETE FROM passages WHERE path = ?", (path,))


def index_document(conn: sqlite3.Connection, path: str, record: dict[str, Any]) -> int:
    """(Re)index one document's passages; returns how many."""
    remove_document(conn, path)
    count = 0
    for passage in passages(record):
        body = unicodedata.normalize("NFC", passage.text)
        folded = strip_diacritics(body)
        cursor = conn.execute(
            "INSERT INTO passages (path, page, section, body, folded) VALUES (?, ?, ?, ?, ?)",
            (path, passage.page, passage.section, body, folded),
        )
        conn.execute(
            "INSERT INTO passages_fts (rowid, body, folded) VALUES (?, ?, ?)",
            (cursor.lastrowid, body, folded),
        )
        count += 1
    return count


@dataclass(frozen=True)
class Hit:
    """One search result."""

    path: str
    page: int
    section: str
    snippet: str
    title: str = ""
    doc_type: str = ""
    date: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts_query(query: str) -> str | None:
    """The FTS5 MATCH expression of a user query (None when it has no word)."""
    words = WORD.findall(unicodedata.normalize("NFC", query))
    if not words:
        return None
    marked = [w for w in words if has_marks(w)]
    if len(marked) == len(words):  # all words exact: the phrase as written
        return "body : " + _quote(" ".join(words))
    phrase = "folded : " + _quote(" ".join(strip_diacritics(w) for w in words))
    if marked:
        phrase += " AND body : (" + " AND ".join(_quote(w) for w in marked) + ")"
    return phrase


def snippet(body: str, query: str, mark: tuple[str, str] = ("«", "»")) -> str:
    """A few words around the first place the query's words occur in ``body``, the hit marked."""
    words = WORD.findall(unicodedata.normalize("NFC", query))
    tokens = list(WORD.finditer(body))
    wanted = [(w.lower() if has_marks(w) else strip_diacritics(w).lower(), has_marks(w)) for w in words]

    def matches(at: int) -> bool:
        for offset, (word, exact) in enumerate(wanted):
            token = tokens[at + offset].group().lower()
            if (token if exact else strip_diacritics(token)) != word:
                return False
        return True

    start = next((i for i in range(len(tokens) - len(wanted) + 1) if matches(i)), None)
    if start is None or not wanted:
        return " ".join(body.split()[: 2 * SNIPPET_WORDS])
    end = start + len(wanted) - 1
    first = tokens[max(0, start - SNIPPET_WORDS)].start()
    last = tokens[min(len(tokens) - 1, end + SNIPPET_WORDS)].end()
    hit_from, hit_to = tokens[start].start(), tokens[end].end()
    text = body[first:hit_from] + mark[0] + body[hit_from:hit_to] + mark[1] + body[hit_to:last]
    return ("… " if first else "") + " ".join(text.split()) + (" …" if last < len(body) else "")


def search(
    conn: sqlite3.Connection,
    query: str,
    *,
    doc_type: str | None = None,
    year: int | None = None,
    issuer: str | None = None,
    limit: int = 20,
) -> list[Hit]:
    """The best passages for ``query`` (BM25 order), optionally only documents of a type, a year or an
    issuer (type and issuer: a part of the name, marks ignored)."""
    from .register import SCHEMA as REGISTER_SCHEMA

    ensure_schema(conn)
    conn.execute(REGISTER_SCHEMA)
    expression = fts_query(query)
    if expression is None:
        return []
    conn.create_function("vn_fold", 1, lambda s: strip_diacritics(s or "").lower(), deterministic=True)
    where, params = ["passages_fts MATCH ?"], [expression]
    if doc_type:
        where.append("vn_fold(r.ten_loai) LIKE ?")
        params.append(f"%{strip_diacritics(doc_type).lower()}%")
    if issuer:
        where.append("vn_fold(r.co_quan_ban_hanh) LIKE ?")
        params.append(f"%{strip_diacritics(issuer).lower()}%")
    if year:
        where.append("substr(r.ngay_thang_nam, 1, 4) = ?")
        params.append(f"{year:04d}")
    if len(where) == 1:  # no filter: rank inside FTS5 first, join only the best rows
        sql = """
            SELECT p.path, p.page, p.section, p.body, r.trich_yeu, r.ten_loai, r.ngay_thang_nam
            FROM (SELECT rowid, rank FROM passages_fts
                  WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?) AS best
            JOIN passages p ON p.id = best.rowid LEFT JOIN register r ON r.duong_dan = p.path
            ORDER BY best.rank"""
    else:
        sql = f"""
            SELECT p.path, p.page, p.section, p.body, r.trich_yeu, r.ten_loai, r.ngay_thang_nam
            FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid
            LEFT JOIN register r ON r.duong_dan = p.path
            WHERE {" AND ".join(where)}
            ORDER BY passages_fts.rank LIMIT ?"""
    rows = conn.execute(sql, [*params, limit]).fetchall()
    return [
        Hit(path, page, section, snippet(body, query), title or "", kind or "", date or "")
        for path, page, section, body, title, kind, date in rows
    ]


def export_ndjson(conn: sqlite3.Connection) -> Iterator[str]:
    """One JSON line per passage, with its document's register fields, for bulk loading into
    OpenSearch/Elasticsearch (``_bulk`` action lines included; see docs/SEARCH.md for the index mapping)."""
    from .register import COLUMN_NAMES
    from .register import SCHEMA as REGISTER_SCHEMA

    ensure_schema(conn)
    conn.execute(REGISTER_SCHEMA)
    columns = ", ".join(f"r.{name}" for name in COLUMN_NAMES)
    sql = f"""SELECT p.path, p.page, p.section, p.body, {columns}
              FROM passages p LEFT JOIN register r ON r.duong_dan = p.path ORDER BY p.path, p.id"""
    ordinal: dict[str, int] = {}
    for row in conn.execute(sql):
        path, page, section, body, *fields = row
        document = {k: v for k, v in zip(COLUMN_NAMES, fields, strict=True) if v not in (None, "")}
        ordinal[path] = ordinal.get(path, 0) + 1
        ident = f"{path}#{ordinal[path]}"  # stable while the document's text is
        yield json.dumps({"index": {"_id": ident}}, ensure_ascii=False)
        yield json.dumps(
            {"path": path, "page": page, "section": section, "text": body, "document": document},
            ensure_ascii=False,
        )
