"""A reviewer's correction reaches the archive outputs too: register and search index, ALTO."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ocr_pipeline.outputs import search
from ocr_pipeline.outputs.alto import write_alto
from ocr_pipeline.outputs.catalog import Catalog
from ocr_pipeline.outputs.refresh import catalog_key, document_from_record
from ocr_pipeline.review.app import create_app
from tests.review.batch_fixture import read_record


def _archive(out: Path) -> None:
    """Give the fixture batch what a full batch writes besides x.json: ALTO, manifest, register, index."""
    record = read_record(out)
    assert write_alto(document_from_record(record), out / "plan.alto.xml")
    line = {"path": "plan.png", "status": "ok", "outputs": ["plan.txt", "plan.md", "plan.json"]}
    (out / "manifest.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    with Catalog(out) as catalog:
        catalog.add("plan.png", record)


def test_a_correction_updates_the_alto_the_register_and_the_search_index(batch: Path) -> None:
    _archive(batch)
    assert catalog_key(batch, "plan") == "plan.png"
    client = TestClient(create_app(batch, reviewer="tester"))
    item = client.get("/api/queue").json()["items"][0]
    keys = ("document", "page", "line", "start", "original", "chosen")
    response = client.post("/api/corrections", json={**{k: item[k] for k in keys}, "corrected": "Quỳnhzz"})
    assert response.status_code == 200, response.text
    alto = (batch / "plan.alto.xml").read_text(encoding="utf-8")
    assert 'CONTENT="Quỳnhzz"' in alto
    with sqlite3.connect(batch / "catalog.sqlite") as conn:
        hits = search.search(conn, "Quỳnhzz")
    assert [h.path for h in hits] == ["plan.png"]


def test_a_record_rebuilds_the_pages_the_archive_outputs_read(batch: Path) -> None:
    record = read_record(batch)
    doc = document_from_record(record)
    page = record["pages"][0]  # type: ignore[index]
    assert doc.pages[0].text == page["text"] and doc.pages[0].image_size == tuple(page["image_size"])
    words = [w for line in doc.pages[0].words or [] for w in line]
    assert [(w.text, [w.left, w.top, w.width, w.height]) for w in words] == [
        (w["text"], w["box"]) for w in page["words"]
    ]


def test_background_pdf_renders_wait_for_a_pause_and_take_the_latest_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ocr_pipeline.outputs import refresh

    rendered: list[tuple[Path, str]] = []
    monkeypatch.setattr(
        refresh, "_refresh_pdf", lambda pdf, source, record: rendered.append((pdf, record["v"]))
    )
    monkeypatch.setattr(refresh, "PDF_QUIET_SECONDS", 60.0)
    pdf, source = tmp_path / "x.pdf", tmp_path / "x.png"
    refresh._refresh_pdf_later(pdf, source, {"v": "first"})
    refresh._refresh_pdf_later(pdf, source, {"v": "second"})
    assert rendered == []  # corrections still coming: nothing rendered yet
    assert refresh.flush_pending_pdfs() == 1  # the server stops: the latest record is rendered once
    assert rendered == [(pdf, "second")]
