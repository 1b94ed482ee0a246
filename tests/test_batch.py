"""Batch runner: bad inputs never stop good ones, outputs are atomic, re-runs resume."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw, ImageFont

from ocr_pipeline import ExitCode, ProcessOptions
from ocr_pipeline.batch import (
    Job,
    discover_inputs,
    is_complete,
    process_job,
    read_manifest,
    run_batch,
)
from ocr_pipeline.cli import main
from ocr_pipeline.textio import atomic_write_text

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
PLAN_TEXT = "KẾ HOẠCH\nThực hiện công tác trẻ em năm 2024\n\nI. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\n"


def _text_image(text: str, size: tuple[int, int] = (900, 260)) -> Image.Image:
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 30) if Path(FONT).exists() else ImageFont.load_default()
    draw.multiline_text((30, 40), text, font=font, fill=0, spacing=12)
    return img


def _write_broken_inputs(folder: Path) -> dict[str, str]:
    """The issue's list of broken inputs; returns relative path -> expected words in the error."""
    folder.mkdir(parents=True, exist_ok=True)
    good_pdf = folder / "_src.pdf"
    _text_image("Kế hoạch").save(good_pdf, resolution=150)
    data = good_pdf.read_bytes()
    good_pdf.unlink()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 2])
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "notes-named.pdf").write_text("this is a text file, not a PDF\n", encoding="utf-8")
    (folder / "random.pdf").write_bytes(os.urandom(3000))
    (folder / "empty.txt").write_bytes(b"")
    return {
        "truncated.pdf": "cannot be read",
        "empty.pdf": "empty",
        "notes-named.pdf": "not a PDF",
        "random.pdf": "not a PDF",
        "empty.txt": "empty",
    }


def _encrypted_pdf(path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    src = path.with_suffix(".src.pdf")
    _text_image("Mật").save(src, resolution=150)
    writer = pypdf.PdfWriter()
    writer.append(str(src))
    writer.encrypt("secret")
    with path.open("wb") as fh:
        writer.write(fh)
    src.unlink()


def test_discover_mirrors_tree_and_ignores_ground_truth(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ["a/b/x.PDF", "a/y.txt", "a/y.gt.txt", "z.png", "notes.md", ".hidden.pdf", "scan.TIFF"]:
        (tmp_path / name).write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover_inputs(tmp_path)]
    assert found == ["scan.TIFF", "z.png", "a/y.txt", "a/b/x.PDF"]


def test_output_dir_inside_input_is_not_an_input(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text(PLAN_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    run_batch(tmp_path, out, ProcessOptions(), jobs=1)
    assert [p.name for p in discover_inputs(tmp_path, out)] == ["doc.txt"]


def test_text_document_outputs_mirror_input_tree(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "2021" / "huyen").mkdir(parents=True)
    (src / "2021" / "huyen" / "plan.txt").write_text(PLAN_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch(src, out, ProcessOptions(), jobs=1)
    assert (summary.ok, summary.failed) == (1, 0)
    stem = out / "2021" / "huyen" / "plan"
    record = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    assert {"source", "pages", "text", "metadata", "sections"} <= set(record)
    assert record["source_fingerprint"].startswith("sha256:")
    assert "Thực hiện công tác trẻ em" in stem.with_suffix(".txt").read_text(encoding="utf-8")
    assert stem.with_suffix(".md").is_file()
    manifest = read_manifest(out)
    assert manifest["2021/huyen/plan.txt"]["status"] == "ok"
    assert set(manifest["2021/huyen/plan.txt"]) >= {"path", "status", "error", "pages", "seconds", "outputs"}


@pytest.mark.poppler
def test_broken_inputs_fail_one_line_each_and_good_ones_succeed(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    expected = _write_broken_inputs(src)
    _encrypted_pdf(src / "locked.pdf")
    expected["locked.pdf"] = "encrypted"
    (src / "good.txt").write_text(PLAN_TEXT, encoding="utf-8")

    summary = run_batch(src, out, ProcessOptions(), jobs=2)
    results = {r.path: r for r in summary.results}
    assert results["good.txt"].status == "ok"
    assert summary.failed == len(expected)
    for name, words in expected.items():
        assert results[name].status == "failed", name
        assert words in (results[name].error or ""), (name, results[name].error)
        assert "\n" not in (results[name].error or "")
        assert "Traceback" not in (results[name].error or "")
        assert results[name].exit_code in (ExitCode.input_file,)
        assert not (out / name).with_suffix(".json").exists()

    # A re-run skips the good document and reports the same failures.
    again = run_batch(src, out, ProcessOptions(), jobs=2)
    again_results = {r.path: r for r in again.results}
    assert again_results["good.txt"].status == "skipped"
    assert {k: v.error for k, v in again_results.items() if v.status == "failed"} == {
        k: results[k].error for k in expected
    }


@pytest.mark.poppler
def test_cli_batch_partial_failure_exit_code_and_summary_line(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "good.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (src / "random.pdf").write_bytes(os.urandom(2000))
    result = CliRunner().invoke(main, ["batch", str(src), str(out), "--jobs", "1", "--no-progress"])
    assert result.exit_code == ExitCode.partial_failure
    assert result.stdout.count("\n") == 1
    assert "1 ok, 1 failed" in result.stdout
    assert "random.pdf" in result.stderr and "Traceback" not in result.stderr


def test_incomplete_outputs_are_redone(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "doc.txt").write_text(PLAN_TEXT, encoding="utf-8")
    job = Job(src / "doc.txt", Path("doc.txt"), out, ProcessOptions())
    assert not is_complete(job)
    assert process_job(job).status == "ok"
    assert is_complete(job)
    # A killed run that left the text but not the JSON record is not complete.
    job.outputs()[2].unlink()
    assert not is_complete(job)
    assert run_batch(src, out, ProcessOptions(), jobs=1).ok == 1
    # A changed source makes old outputs stale.
    (src / "doc.txt").write_text(PLAN_TEXT + "2. Yêu cầu\n", encoding="utf-8")
    assert not is_complete(job)
    # --force redoes complete documents.
    run_batch(src, out, ProcessOptions(), jobs=1)
    assert run_batch(src, out, ProcessOptions(), jobs=1, force=True).ok == 1


def test_atomic_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "sub" / "x.json"
    atomic_write_text(target, "first")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)  # fails after the temporary file is written
    with pytest.raises(OSError, match="No space"):
        atomic_write_text(target, "second")
    assert target.read_text() == "first"
    assert [p.name for p in target.parent.iterdir()] == ["x.json"]


def test_atomic_write_gives_the_usual_file_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "x.txt", "text")
    finally:
        os.umask(umask)
    assert (tmp_path / "x.txt").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600


@pytest.mark.tesseract
@pytest.mark.poppler
def test_scanned_pdf_and_blank_page_document(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _text_image("KẾ HOẠCH\nBảo vệ trẻ em năm 2024").save(src / "plan.pdf", resolution=150)
    Image.new("L", (900, 1200), 255).save(src / "blank.pdf", resolution=150)
    summary = run_batch(src, out, ProcessOptions(dpi=150), jobs=2)
    results = {r.path: r for r in summary.results}
    assert results["plan.pdf"].status == "ok", results["plan.pdf"].error
    assert results["blank.pdf"].status == "failed"
    assert "no text" in (results["blank.pdf"].error or "")
    record = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    page = record["pages"][0]
    assert {"number", "rotation", "skew_degrees", "mean_confidence"} <= set(page)
    assert page["mean_confidence"] > 50
    assert "KẾ HOẠCH" in record["raw_text"]


def test_summary_line_joins_only_the_metadata_it_has(tmp_path: Path) -> None:
    from ocr_pipeline.batch import MANIFEST_NAME, report_lines

    docs = {
        "typed.txt": {"doc_type": "KẾ HOẠCH", "title": "Thực hiện công tác trẻ em"},
        "untyped.txt": {"doc_type": None, "title": "Thực hiện công tác trẻ em"},
        "bare.txt": {},
    }
    with (tmp_path / MANIFEST_NAME).open("w", encoding="utf-8") as manifest:
        for name, meta in docs.items():
            manifest.write(json.dumps({"path": name, "status": "done"}) + "\n")
            doc = {"pages": [{"mean_confidence": None}], "sections": [], "metadata": meta}
            (tmp_path / name).with_suffix(".json").write_text(json.dumps(doc), encoding="utf-8")
    lines = report_lines(tmp_path)
    head = "1 page(s), 0 top-level sections"
    assert lines[0] == f"  ok      bare.txt: {head}"
    assert lines[1] == f"  ok      typed.txt: {head} — KẾ HOẠCH: Thực hiện công tác trẻ em"
    assert lines[2] == f"  ok      untyped.txt: {head} — Thực hiện công tác trẻ em"
