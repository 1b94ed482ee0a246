"""The batch keeps the register and index up to date; search, export, report and --formats (text inputs:
no OCR)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ocr_pipeline.cli import main

PLAN = "KẾ HOẠCH\nPhòng chống đuối nước cho trẻ em năm 2024\nI. MỤC ĐÍCH\n1. Dạy bơi an toàn\n"
OTHER = "QUYẾT ĐỊNH\nVề việc bơi dưới nước\n"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_batch_fills_register_and_index(tmp_path: Path) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    (source / "plan.txt").write_text(PLAN, encoding="utf-8")
    run("batch", str(source), str(out), "--jobs", "1", "--no-progress")
    assert (out / "register.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "plan.txt" in (out / "register.csv").read_text(encoding="utf-8-sig")
    assert not (out / "plan.pdf").exists() and not (out / "plan.alto.xml").exists()  # no page images
    record = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert record["archive"]["pdf"].startswith("skipped")

    hits = json.loads(run("search", str(out), "duoi nuoc", "--json"))
    assert [(h["path"], h["page"]) for h in hits] == [("plan.txt", 1)]
    assert "«đuối nước»" in hits[0]["snippet"]

    # a new document on resume: the old one skipped (still in the index), the new one added
    (source / "other.txt").write_text(OTHER, encoding="utf-8")
    run("batch", str(source), str(out), "--jobs", "1", "--no-progress")
    assert {h["path"] for h in json.loads(run("search", str(out), "duoi nuoc", "--json"))} == {
        "plan.txt",
        "other.txt",
    }
    assert json.loads(run("search", str(out), "đuối nước", "--json"))[0]["path"] == "plan.txt"
    assert len(json.loads(run("search", str(out), "đuối nước", "--json"))) == 1

    lines = [json.loads(line) for line in run("export", str(out), "--ndjson").splitlines()]
    assert all("index" in line for line in lines[0::2])
    assert {line["path"] for line in lines[1::2]} == {"plan.txt", "other.txt"}
    assert {line["section"] for line in lines[1::2]} == {"", "I", "I › 1"}
    report = run("report", str(out))
    assert "register.csv" in report and "catalog.sqlite" in report


def test_catalog_rebuilt_for_finished_documents_it_lacks(tmp_path: Path) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    (source / "plan.txt").write_text(PLAN, encoding="utf-8")
    run("batch", str(source), str(out), "--jobs", "1", "--no-progress")
    (out / "catalog.sqlite").unlink()
    run("batch", str(source), str(out), "--jobs", "1", "--no-progress")  # skipped, but put back
    assert json.loads(run("search", str(out), "day boi", "--json"))[0]["path"] == "plan.txt"


def test_formats_choose_the_outputs(tmp_path: Path) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    (source / "plan.txt").write_text(PLAN, encoding="utf-8")
    run("batch", str(source), str(out), "--jobs", "1", "--no-progress", "--formats", "txt")
    assert (out / "plan.txt").exists() and (out / "plan.json").exists() and not (out / "plan.md").exists()
    result = CliRunner().invoke(main, ["batch", str(source), str(out), "--formats", "txt,docx"])
    assert result.exit_code != 0 and "docx" in result.output
