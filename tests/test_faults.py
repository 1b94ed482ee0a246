"""Fault injection (issue 25): nothing lost, nothing hung, every fault a documented exit code.

In the spirit of OCRmyPDF's crash and out-of-memory test plugins: each fault is made to happen (a folder
given twice, colliding names, links, a name that is not UTF-8, decompression bombs, a read-only or full disk,
Tesseract killed, ``MemoryError``, legacy encodings on stdin, a second batch) and the test checks the exit
code, the one-line message and the manifest. Fixtures are tiny and made here; OCR is faked in-process where
the test is not about Tesseract.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import fcntl
import itertools
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import threading
import time
import unicodedata
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw, ImageFile

from ocr_pipeline import ExitCode, ProcessOptions
from ocr_pipeline.batch import LOCK_NAME, MANIFEST_NAME, Manifest, output_lock, process_job, run_batch
from ocr_pipeline.cli import main
from ocr_pipeline.exceptions import InputFileError
from ocr_pipeline.imaging import rasterise
from ocr_pipeline.textio import TextStream, decode_text

PLAN_TEXT = "KẾ HOẠCH\nThực hiện công tác trẻ em năm 2024\n\nI. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\n"
NO_RESTORE = ProcessOptions(restore=False)
#: ``vnocr: error: <what happened> (<what to do>)`` on one line.
ONE_LINE_ERROR = re.compile(r"\Avnocr: error: [^\n]+ \([^\n]+\)\n\Z")


def cli(*args: str, input: bytes | str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def manifest_lines(out: Path) -> list[dict[str, object]]:
    """Every line of the manifest, each parsed (fails on a line that is not one JSON record)."""
    data = (out / MANIFEST_NAME).read_bytes()
    assert data.endswith(b"\n")
    return [json.loads(line) for line in data.decode("utf-8").split("\n")[:-1]]


def _page_image(path: Path, size: tuple[int, int] = (300, 120)) -> Path:
    img = Image.new("L", size, 255)
    ImageDraw.Draw(img).text((10, 40), "Ke hoach", fill=0)
    img.save(path)
    return path


@pytest.fixture
def fake_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """Image and PDF pages are rasterised as usual, then 'read' without Tesseract (one line a page)."""
    from ocr_pipeline import pipeline
    from ocr_pipeline.imaging.page import OcrLine, OcrWord, PageImage, PageOcr

    def read(page: PageImage) -> PageImage:
        words = tuple(OcrWord(word, 90.0) for word in ("Kế", "hoạch", "bảo", "vệ", "trẻ", "em"))
        return page.evolve("ocr: fake", ocr=PageOcr(lines=(OcrLine(words),), lang="vie"))

    monkeypatch.setattr(pipeline, "page_stages", lambda options, lang: [read])
    monkeypatch.setattr(pipeline.engines, "choose_language", lambda requested="auto": "vie")


@contextlib.contextmanager
def tmpfs(path: Path, *options: str) -> Iterator[Path]:
    """A small tmpfs mounted at ``path`` (skips the test where mounting is not allowed)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(path)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


# ------------------------------------------------------------------------------------------------ data loss
def test_output_dir_that_is_the_input_dir_is_refused_before_any_work(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "notes.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (tmp_path / "link").symlink_to(folder)
    for output in (folder, folder / ".", tmp_path / "link"):
        code, out, err = cli("batch", str(folder), str(output), "--no-progress")
        assert code == ExitCode.bad_arguments, err
        assert ONE_LINE_ERROR.match(err) and "OUTPUT_DIR is INPUT_DIR" in err
        assert out == ""
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == PLAN_TEXT


def test_output_dir_holding_the_input_dir_is_refused(tmp_path: Path) -> None:
    scans = tmp_path / "out" / "scans"
    (scans / "scans").mkdir(parents=True)
    (scans / "scans" / "x.txt").write_text(PLAN_TEXT, encoding="utf-8")
    code, _, err = cli("batch", str(scans), str(tmp_path / "out"), "--no-progress")
    assert code == ExitCode.bad_arguments and "holds INPUT_DIR" in err
    assert not (tmp_path / "out" / MANIFEST_NAME).exists()
    assert sorted(p.name for p in (scans / "scans").iterdir()) == ["x.txt"]


def test_output_dir_inside_the_input_dir_is_still_allowed(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text(PLAN_TEXT, encoding="utf-8")
    summary = run_batch(tmp_path, tmp_path / "out", NO_RESTORE, jobs=1)
    assert (summary.ok, summary.failed) == (1, 0)


def test_inputs_differing_only_by_suffix_get_outputs_of_their_own(tmp_path: Path, fake_ocr: None) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    (src / "a").mkdir(parents=True)
    _page_image(src / "a" / "doc.png")
    (src / "a" / "doc.txt").write_text("Báo cáo năm 2023\n", encoding="utf-8")
    (src / "a" / "Doc.TIF").write_bytes((src / "a" / "doc.png").read_bytes())  # same stem, ignoring case
    (src / "a" / "other.txt").write_text("Kế hoạch khác\n", encoding="utf-8")
    summary = run_batch(src, out, NO_RESTORE, jobs=1, formats=("txt", "md", "json"))
    assert (summary.ok, summary.failed) == (4, 0)
    outputs = {r.path: r.outputs for r in summary.results}
    assert outputs["a/doc.png"] == ["a/doc.png.txt", "a/doc.png.md", "a/doc.png.json"]
    assert outputs["a/doc.txt"] == ["a/doc.txt.txt", "a/doc.txt.md", "a/doc.txt.json"]
    assert outputs["a/Doc.TIF"] == ["a/Doc.TIF.txt", "a/Doc.TIF.md", "a/Doc.TIF.json"]
    assert outputs["a/other.txt"] == ["a/other.txt", "a/other.md", "a/other.json"]  # no collision: as before
    for rel, files in outputs.items():
        record = json.loads((out / files[2]).read_text(encoding="utf-8"))
        assert record["source"] == str(src / rel)
    assert "Báo cáo năm 2023" in (out / "a" / "doc.txt.txt").read_text(encoding="utf-8")
    assert not (out / "a" / "doc.txt").exists()
    # Stable: a re-run finds every document complete (no alternation between the colliding inputs).
    again = run_batch(src, out, NO_RESTORE, jobs=1, formats=("txt", "md", "json"))
    assert (again.skipped, again.ok) == (4, 0)


def test_inputs_whose_outputs_cannot_be_told_apart_are_refused_before_any_work(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "x.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (src / "X.TXT").write_text(PLAN_TEXT, encoding="utf-8")
    code, _, err = cli("batch", str(src), str(tmp_path / "out"), "--no-progress")
    assert code == ExitCode.bad_arguments, err
    assert "would have the same outputs" in err and ONE_LINE_ERROR.match(err)
    assert not (tmp_path / "out" / MANIFEST_NAME).exists()


def test_a_linked_folder_leading_out_of_the_output_dir_is_not_written_through(tmp_path: Path) -> None:
    src, out, elsewhere = tmp_path / "in", tmp_path / "out", tmp_path / "elsewhere"
    (src / "a").mkdir(parents=True)
    (src / "a" / "doc.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (src / "top.txt").write_text(PLAN_TEXT, encoding="utf-8")
    out.mkdir()
    elsewhere.mkdir()
    (out / "a").symlink_to(elsewhere)
    summary = run_batch(src, out, NO_RESTORE, jobs=1)
    results = {r.path: r for r in summary.results}
    assert results["top.txt"].status == "ok"
    assert results["a/doc.txt"].status == "failed"
    assert results["a/doc.txt"].exit_code == ExitCode.output_write
    assert "symbolic link" in (results["a/doc.txt"].error or "")
    assert list(elsewhere.iterdir()) == []


def test_a_linked_manifest_is_not_appended_to(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    (src / "doc.txt").write_text(PLAN_TEXT, encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    (out / MANIFEST_NAME).symlink_to(victim)
    code, _, err = cli("batch", str(src), str(out), "--no-progress", "--no-restore")
    assert code == ExitCode.output_write, err
    assert ONE_LINE_ERROR.match(err) and "symbolic link" in err
    assert victim.read_text(encoding="utf-8") == "keep me\n"


def test_a_linked_output_file_is_replaced_not_written_through(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    (src / "doc.txt").write_text(PLAN_TEXT, encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    (out / "doc.txt").symlink_to(victim)
    assert run_batch(src, out, NO_RESTORE, jobs=1).ok == 1
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert not (out / "doc.txt").is_symlink()


# ------------------------------------------------------------------------- one bad file must not stop a batch
def test_a_file_name_that_is_not_utf8_is_processed_and_recorded_faithfully(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    raw_name = b"b-\xe9.txt"
    for name in (b"a.txt", raw_name, b"c.txt"):
        with open(os.path.join(os.fsencode(src), name), "wb") as fh:
            fh.write(PLAN_TEXT.encode("utf-8"))
    code, stdout, err = cli("batch", str(src), str(out), "--no-progress", "--no-restore")
    assert code == 0, err
    assert "3 ok, 0 failed" in stdout
    records = {r["path"]: r for r in manifest_lines(out)}
    assert set(records) == {"a.txt", "b-\\xe9.txt", "c.txt"}
    odd = records["b-\\xe9.txt"]
    assert odd["status"] == "ok"
    assert base64.b64decode(str(odd["path_b64"])) == raw_name
    assert "path_b64" not in records["a.txt"]
    written = sorted(os.listdir(os.fsencode(out)))
    assert b"b-\xe9.json" in written and b"b-\xe9.txt" in written and b"b-\xe9.md" in written
    record = json.loads((out / os.fsdecode(b"b-\xe9.json")).read_text(encoding="utf-8"))
    assert record["source"].endswith("b-\\xe9.txt")
    # A re-run skips all three; the report finds the odd one's record.
    code, stdout, _ = cli("batch", str(src), str(out), "--no-progress", "--no-restore")
    assert code == 0 and "0 ok, 0 failed, 3 skipped" in stdout
    code, report, _ = cli("report", str(out))
    assert code == 0 and "output missing" not in report and "b-\\xe9.txt: 1 page(s)" in report


def _tiff(pages: list[tuple[int, int]]) -> bytes:
    """A little-endian TIFF whose pages claim the given sizes (8-bit grey, one strip of 16 zero bytes each):
    a few hundred bytes, whatever the sizes."""
    data = bytearray(b"II*\x00" + struct.pack("<I", 0))
    strip = len(data)
    data += bytes(16)
    offsets = []
    for width, height in pages:
        offsets.append(len(data))
        tags = [
            (256, 4, width),  # ImageWidth
            (257, 4, height),  # ImageLength
            (258, 3, 8),  # BitsPerSample
            (259, 3, 1),  # Compression: none
            (262, 3, 1),  # Photometric: black is zero
            (273, 4, strip),  # StripOffsets
            (277, 3, 1),  # SamplesPerPixel
            (278, 4, height),  # RowsPerStrip
            (279, 4, 16),  # StripByteCounts
        ]
        data += struct.pack("<H", len(tags))
        for tag, kind, value in tags:
            data += struct.pack("<HHI", tag, kind, 1) + (
                struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
            )
        data += struct.pack("<I", 0)
    struct.pack_into("<I", data, 4, offsets[0])
    for here, following in itertools.pairwise(offsets):
        count = struct.unpack_from("<H", data, here)[0]
        struct.pack_into("<I", data, here + 2 + 12 * count, following)
    return bytes(data)


def _png_header(width: int, height: int, colour_type: int) -> bytes:
    """A PNG that declares a ``width`` x ``height`` image (8 bits; type 2 = RGB, 0 = grey) and holds one
    row of it: a few dozen bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail the test when Pillow starts decoding an image; the list collects what was decoded."""
    decoded: list[str] = []
    original = ImageFile.ImageFile.load

    def load(self: ImageFile.ImageFile) -> object:
        decoded.append(f"{self.size[0]}x{self.size[1]}")
        if self.size[0] * self.size[1] > 10_000_000:
            raise AssertionError(f"decoding a {self.size} image")
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return decoded


def test_a_tiff_whose_second_page_is_huge_fails_with_exit_4_and_the_reason(
    tmp_path: Path, fake_ocr: None, no_decoding: list[str]
) -> None:
    path = tmp_path / "bomb.tif"
    path.write_bytes(_tiff([(4, 4), (30000, 30000)]))
    assert path.stat().st_size < 1000
    with pytest.raises(InputFileError, match=r"page 2 is 30000 x 30000 pixels, over the limit"):
        list(rasterise.iter_pages(path, 300))
    job_dir = tmp_path / "in"
    job_dir.mkdir()
    shutil.copy(path, job_dir / "bomb.tif")
    result = run_batch(job_dir, tmp_path / "out", NO_RESTORE, jobs=1).results[0]
    assert (result.status, result.exit_code) == ("failed", ExitCode.input_file)
    assert "page 2" in (result.error or "") and "million pixels" in (result.error or "")


def test_an_image_too_big_to_decode_in_bounded_memory_is_refused_before_decoding(
    tmp_path: Path, no_decoding: list[str]
) -> None:
    colour = tmp_path / "colour.png"
    colour.write_bytes(_png_header(19000, 19000, 2))  # 361 million pixels, under the pixel limit
    with pytest.raises(InputFileError, match=r"page 1 .* would take 1\.\d GiB of memory to decode"):
        list(rasterise.iter_pages(colour, 300))
    assert no_decoding == []
    # The same size in grey decodes within the bound: it is not refused for its pixel count.
    rasterise.check_image_page("grey.png", 1, 19000, 19000, "L")


@pytest.mark.poppler
def test_a_pdf_page_with_a_huge_mediabox_fails_with_exit_4_before_rendering(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(1_000_000, 1_000_000)
    src = tmp_path / "in"
    src.mkdir()
    with (src / "huge.pdf").open("wb") as fh:
        writer.write(fh)
    pages = rasterise.iter_pages(src / "huge.pdf", 100)
    assert next(pages).number == 1
    with pytest.raises(InputFileError, match=r"page 2 is 13,889 x 13,889 in, too large to render"):
        next(pages)


# ------------------------------------------------------------------------------------- faults are not bugs
def test_a_read_only_output_dir_is_exit_8_not_an_internal_error(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "doc.txt").write_text(PLAN_TEXT, encoding="utf-8")
    with tmpfs(tmp_path / "ro", "size=64k", "ro") as out:
        for target in (out, out / "sub"):
            code, _, err = cli("batch", str(src), str(target), "--no-progress", "--no-restore")
            assert code == ExitCode.output_write, err
            assert ONE_LINE_ERROR.match(err) and "read-only" in err
        code, _, err = cli("restore", "-o", str(out / "x.txt"), input="bao ve tre em\n")
        assert code == ExitCode.output_write and ONE_LINE_ERROR.match(err), err


def test_a_read_only_output_file_system_fails_each_write_with_exit_8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same fault without a mount: every write below OUTPUT_DIR meets EROFS."""
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "doc.txt").write_text(PLAN_TEXT, encoding="utf-8")
    real_open = os.open

    def read_only_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).startswith(str(out)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    out.mkdir()
    monkeypatch.setattr(os, "open", read_only_open)
    code, _, err = cli("batch", str(src), str(out), "--no-progress", "--no-restore")
    assert code == ExitCode.output_write and "read-only file system" in err, err


def test_a_full_disk_stops_the_batch_cleanly_with_the_manifest_intact(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(8):  # some 35 KB of outputs each, the catalog ~60 KB: the third or fourth fills the disk
        (src / f"doc{i}.txt").write_text(PLAN_TEXT * 30, encoding="utf-8")
    with tmpfs(tmp_path / "small", "size=200k") as out:
        code, stdout, err = cli("batch", str(src), str(out), "--no-progress", "--no-restore", "--jobs", "1")
        assert code == ExitCode.output_write, err
        assert "disk full" in err and "stopped" in stdout
        assert err.count("vnocr: error:") == 1 and err.strip().split("\n")[-1].startswith("vnocr: error:")
        records = manifest_lines(out)  # every line whole
        assert 1 <= len(records) < 8
        assert records[0]["status"] == "ok"
        assert all(r["status"] == "ok" for r in records[:-1])
        last = records[-1]
        if last["status"] == "failed":  # (unless the disk was too full for the record itself)
            assert last["exit_code"] == ExitCode.output_write and "disk full" in str(last["error"])
        assert not [p for p in os.listdir(out) if p.endswith(".tmp")]  # no temporary file left behind
        # Once there is room, a re-run skips what was done and finishes the rest.
        done = sum(r["status"] == "ok" for r in records)
        subprocess.run(["mount", "-o", "remount,size=2m", str(out)], check=True)
        code, stdout, err = cli("batch", str(src), str(out), "--no-progress", "--no-restore", "--jobs", "1")
        assert code == 0 and f"{8 - done} ok, 0 failed, {done} skipped" in stdout, err


def test_a_manifest_write_cut_short_by_a_full_disk_is_taken_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (src / name).write_text(PLAN_TEXT, encoding="utf-8")
    real_write = os.write
    calls = {"manifest": 0}

    def disk_fills(fd: int, data: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(MANIFEST_NAME):
            calls["manifest"] += 1
            if calls["manifest"] == 2:  # the second record: half of it fits, then the disk is full
                real_write(fd, data[: len(data) // 2])
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", disk_fills)
    code, _, err = cli("batch", str(src), str(out), "--no-progress", "--no-restore", "--jobs", "1")
    assert code == ExitCode.output_write, err
    assert ONE_LINE_ERROR.match(err) and "disk full" in err
    assert [r["path"] for r in manifest_lines(out)] == ["a.txt"]


@pytest.fixture
def killed_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``tesseract`` first on PATH that answers --version and --list-langs and kills itself on a page
    (Tesseract run as a command)."""
    real = shutil.which("tesseract")
    if real is None:
        pytest.skip("tesseract is not installed")
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in *--version*|*--list-langs*) exec ' + real + ' "$@";; esac\n'
        'kill -"${FAKE_TESSERACT_SIGNAL:-KILL}" $$\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("VNOCR_TESSERACT", "cli")  # the command on PATH, not libtesseract in the process
    return script


@pytest.mark.tesseract
def test_tesseract_killed_is_a_documented_exit_code_in_the_manifest(
    tmp_path: Path, killed_tesseract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _page_image(src / "scan.png")
    (src / "notes.txt").write_text(PLAN_TEXT, encoding="utf-8")
    code, _, err = cli("batch", str(src), str(out), "--no-progress", "--no-restore", "--jobs", "1")
    assert code == ExitCode.partial_failure, err
    records = {r["path"]: r for r in manifest_lines(out)}
    assert records["notes.txt"]["status"] == "ok"
    scan = records["scan.png"]
    assert scan["exit_code"] == ExitCode.out_of_memory
    assert "tesseract was killed" in str(scan["error"]) and "internal error" not in str(scan["error"])
    code, _, err = cli("ocr", str(src / "scan.png"), "--no-restore")
    assert code == ExitCode.out_of_memory and ONE_LINE_ERROR.match(err), err
    monkeypatch.setenv("FAKE_TESSERACT_SIGNAL", "SEGV")
    code, _, err = cli("ocr", str(src / "scan.png"), "--no-restore")
    assert code == ExitCode.ocr_engine and "SIGSEGV" in err and ONE_LINE_ERROR.match(err), err


def test_memory_error_is_a_documented_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import diacritics
    from ocr_pipeline import pipeline
    from ocr_pipeline.batch import Job

    def no_memory(*args: object, **kwargs: object) -> str:
        raise MemoryError

    (tmp_path / "doc.txt").write_text(PLAN_TEXT, encoding="utf-8")
    monkeypatch.setattr(pipeline, "finish_document", no_memory)
    result = process_job(Job(tmp_path / "doc.txt", Path("doc.txt"), tmp_path / "out", NO_RESTORE))
    assert (result.status, result.exit_code) == ("failed", ExitCode.out_of_memory)
    assert "out of memory" in (result.error or "") and "internal error" not in (result.error or "")
    monkeypatch.setattr(diacritics, "restore", no_memory)
    code, _, err = cli("restore", input="bao ve tre em\n")
    assert code == ExitCode.out_of_memory and ONE_LINE_ERROR.match(err), err


def test_a_worker_killed_fails_only_its_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ocr_pipeline import pipeline

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for name in ("a.txt", "killer.txt", "c.txt", "d.txt"):
        (src / name).write_text(PLAN_TEXT, encoding="utf-8")
    real = pipeline.process_document

    def process(path: Path, options: ProcessOptions | None = None) -> object:
        if path.name == "killer.txt":  # in the worker process (forked with this patch)
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, options)

    monkeypatch.setattr(pipeline, "process_document", process)
    summary = run_batch(src, out, NO_RESTORE, jobs=2)
    results = {r.path: r for r in summary.results}
    assert {k: r.status for k, r in results.items()} == {
        "a.txt": "ok",
        "killer.txt": "failed",
        "c.txt": "ok",
        "d.txt": "ok",
    }
    assert results["killer.txt"].exit_code == ExitCode.out_of_memory
    assert len(manifest_lines(out)) == 4


@pytest.mark.tesseract
def test_tesseract_crashing_in_a_worker_fails_only_its_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tesseract in the worker process (libtesseract): a crash in it takes the worker down with it."""
    from ocr_pipeline.imaging import tesseract_api

    if not tesseract_api.usable():
        pytest.skip("libtesseract cannot be loaded")
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _page_image(src / "scan.png")
    for name in ("a.txt", "c.txt"):
        (src / name).write_text(PLAN_TEXT, encoding="utf-8")

    def crash(*args: object, **kwargs: object) -> str:  # in the worker process (forked with this patch)
        os.kill(os.getpid(), signal.SIGSEGV)
        return ""

    monkeypatch.setattr(tesseract_api, "read_tsv", crash)
    summary = run_batch(src, out, NO_RESTORE, jobs=2)
    assert {r.path: r.status for r in summary.results} == {"a.txt": "ok", "scan.png": "failed", "c.txt": "ok"}
    assert len(manifest_lines(out)) == 3


# ------------------------------------------------------------------------------------------------ text input
@pytest.mark.parametrize("command", ["restore", "segment"])
@pytest.mark.parametrize(
    ("data", "words"),
    [(b"\x00\x01\x02garbage", "binary"), (b"", "empty"), (os.urandom(4000), "binary")],
    ids=["nul", "empty", "random"],
)
def test_stdin_gets_the_checks_a_file_gets(command: str, data: bytes, words: str) -> None:
    code, out, err = cli(command, input=data)
    assert code == ExitCode.input_file, err
    assert out == "" and ONE_LINE_ERROR.match(err) and words in err


def _cp1258(text: str) -> bytes:
    """``text`` in Windows-1258: the letters it has, else a letter and a combining tone mark."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        quality = "".join(m for m in marks if m in "\u0302\u0306\u031b")
        tone = "".join(m for m in marks if m not in quality)
        out += unicodedata.normalize("NFC", base + quality).encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


#: The same two lines in each legacy encoding (TCVN3 and VNI as they look read as Latin-1 / Windows-1252,
#: the mojibake everyone who opened an old archive has seen).
NATIONAL_MOTTO = "Cộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc\n"
LEGACY = {
    "tcvn3": "Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc\n".encode("latin-1"),
    "vni": "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nÑoäc laäp - Töï do - Haïnh phuùc\n".encode("cp1252"),
    "cp1258": _cp1258(NATIONAL_MOTTO),
}


def _same_letters(a: str, b: str) -> bool:
    """Equal up to the tone-placement convention (``hoà``/``hòa``)."""
    from diacritics.normalise import normalise_text

    return normalise_text(unicodedata.normalize("NFC", a)) == normalise_text(unicodedata.normalize("NFC", b))


@pytest.mark.parametrize("encoding", sorted(LEGACY))
def test_legacy_encodings_are_detected_and_converted(encoding: str, tmp_path: Path) -> None:
    data = LEGACY[encoding]
    decoded = decode_text(data, "motto.txt")
    assert decoded.encoding == encoding and _same_letters(decoded.text, NATIONAL_MOTTO)
    assert decoded.note and "converted from" in decoded.note
    # stdin and a file alike, and the flag names it
    code, out, err = cli("segment", "--format", "md", input=data)
    assert code == 0 and "Độc lập" in out, err
    (tmp_path / "motto.txt").write_bytes(data)
    code, out, err = cli("restore", str(tmp_path / "motto.txt"), "--encoding", encoding)
    assert code == 0 and _same_letters(out, NATIONAL_MOTTO), err


def test_a_converted_text_document_carries_a_note_in_its_record(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "old.txt").write_bytes(LEGACY["tcvn3"])
    assert run_batch(src, out, NO_RESTORE, jobs=1).ok == 1
    record = json.loads((out / "old.json").read_text(encoding="utf-8"))
    assert record["pages"][0]["log"] == ["input: converted from TCVN3 (ABC) to Unicode"]
    assert _same_letters(record["text"], NATIONAL_MOTTO)


def test_text_in_no_known_encoding_names_the_conversion_to_make(tmp_path: Path) -> None:
    (tmp_path / "latin.txt").write_bytes("Qualité née à Genève, façade, élève\n".encode("latin-1"))
    code, _, err = cli("restore", str(tmp_path / "latin.txt"))
    assert code == ExitCode.input_file and ONE_LINE_ERROR.match(err)
    assert "iconv -f CP1258 -t UTF-8" in err and "--encoding" in err


def test_a_one_megabyte_single_line_keeps_exactly_its_line_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    """No line end added, none lost: the line goes through the stream's cutting and joining intact."""
    import diacritics

    line = ("cong tac bao ve tre em " * 45_000).rstrip()  # ~1 MB, no line end
    monkeypatch.setattr(diacritics, "restore", lambda text: text.upper())
    code, out, err = cli("restore", input=line.encode("utf-8"))
    assert code == 0, err
    assert out == line.upper()


def test_restore_adds_no_line_end_the_input_lacks() -> None:
    code, out, _ = cli("restore", input="bao ve tre em")
    assert code == 0 and out == "bảo vệ trẻ em"
    code, out, _ = cli("restore", input="bao ve\n\ntre em\n\n")
    assert code == 0 and out == "bảo vệ\n\ntrẻ em\n\n"


def test_streamed_restoration_works_block_by_block_and_keeps_the_text_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from diacritics import restore
    from diacritics.stream import iter_blocks, restore_stream

    paragraphs = ["cong tac bao ve tre em nam 2021\nva cham soc tre em", "ke hoach so 28", "ubnd xa bang mac"]
    text = "\n\n".join(paragraphs * 4) + "\n"
    blocks = list(iter_blocks([text[i : i + 7] for i in range(0, len(text), 7)], block_chars=40))
    assert "".join(blocks) == text and len(blocks) > 3
    assert max(len(b) for b in blocks) <= 4 * 40

    written: list[str] = []
    consumed: list[int] = []  # lines read when each block was written
    read = {"lines": 0}

    def lines() -> Iterator[str]:
        for line in text.splitlines(keepends=True):
            read["lines"] += 1
            yield line

    def write(block: str) -> None:
        written.append(block)
        consumed.append(read["lines"])

    summary = restore_stream(lines(), write, block_chars=40)
    assert summary.blocks == len(written) > 3 and summary.chars == len(text)
    assert consumed[0] < read["lines"]  # the first block was written before the input was all read
    output = "".join(written)
    assert output == "".join(restore(block) for block in iter_blocks(text.splitlines(keepends=True), 40))
    assert output.count("\n") == text.count("\n") and "bảo vệ trẻ em" in output


def test_the_restore_command_streams_its_input(monkeypatch: pytest.MonkeyPatch) -> None:
    import diacritics
    from diacritics import stream

    monkeypatch.setattr(stream, "DEFAULT_BLOCK_CHARS", 100)
    monkeypatch.setattr(diacritics, "restore", lambda block: block[0].upper() + block[1:])  # marks each block
    text = "".join(f"dong {i} cua van ban\n" + ("\n" if i % 3 == 0 else "") for i in range(200))
    code, out, err = cli("restore", input=text)
    assert code == 0 and out.lower() == text, err
    starts = [m.start() for m in re.finditer("D", out)]
    assert len(starts) > 10 and max(b - a for a, b in itertools.pairwise([*starts, len(out)])) <= 400


def test_a_long_text_is_restored_by_a_process_replaced_when_its_memory_grows() -> None:
    from diacritics.stream import can_recycle, restore_stream

    if not can_recycle():
        pytest.skip("no fork here")
    text = "".join(f"dong {i}\n\n" for i in range(100))
    pids: set[str] = set()
    written: list[str] = []

    def restore_block(block: str) -> str:  # runs in the child: its pid goes out with the text
        return block.replace("dong", f"dong@{os.getpid()}")

    def write(block: str) -> None:
        written.append(block)
        pids.update(re.findall(r"@(\d+)", block))

    summary = restore_stream([text], write, block_chars=50, restore_block=restore_block, recycle_above_mb=0)
    assert summary.blocks > 5 and summary.recycled == summary.blocks
    assert len(pids) == summary.blocks and str(os.getpid()) not in pids
    assert re.sub(r"@\d+", "", "".join(written)) == text


def test_restoring_processes_replaced_midway_write_the_output_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import diacritics
    from diacritics import stream

    if not stream.can_recycle():
        pytest.skip("no fork here")
    monkeypatch.setattr(stream, "DEFAULT_BLOCK_CHARS", 50)
    monkeypatch.setattr(stream, "RECYCLE_ABOVE_MB", 0)  # a fresh process for every block
    monkeypatch.setattr(diacritics, "restore", str.upper)
    text = "".join(f"dong {i}\n\n" for i in range(60))
    code, out, err = cli("restore", input=text)
    assert code == 0 and out == text.upper(), err


def test_a_restoring_process_killed_is_exit_9(monkeypatch: pytest.MonkeyPatch) -> None:
    import diacritics
    from diacritics import stream

    if not stream.can_recycle():
        pytest.skip("no fork here")

    def killed(block: str) -> str:
        os.kill(os.getpid(), signal.SIGKILL)
        return block

    monkeypatch.setattr(stream, "DEFAULT_BLOCK_CHARS", 50)
    monkeypatch.setattr(diacritics, "restore", killed)
    code, _, err = cli("restore", input="".join(f"dong {i}\n\n" for i in range(50)))
    assert code == ExitCode.out_of_memory and ONE_LINE_ERROR.match(err) and "died" in err, err


def test_a_text_stream_checks_every_chunk_and_cuts_long_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from ocr_pipeline import textio

    monkeypatch.setattr(textio, "SNIFF_BYTES", 64)
    long_line = "một dòng rất dài " * 20
    pieces = list(TextStream(io.BytesIO(long_line.encode("utf-8")), "x", max_piece=50))
    assert "".join(pieces) == long_line and len(pieces) > 3
    assert all(len(p.encode("utf-8")) <= 50 for p in pieces)
    with pytest.raises(InputFileError, match="binary"):
        list(TextStream(io.BytesIO(long_line.encode("utf-8") + b"\x00tail"), "x"))


# ----------------------------------------------------------------------------------------------- concurrency
def test_a_second_batch_on_a_locked_output_dir_exits_2_or_waits(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    (src / "doc.txt").write_text(PLAN_TEXT, encoding="utf-8")
    with output_lock(out):
        code, stdout, err = cli("batch", str(src), str(out), "--no-progress", "--no-restore")
        assert code == ExitCode.bad_arguments and ONE_LINE_ERROR.match(err), err
        assert f"another vnocr batch (pid {os.getpid()}) is writing here" in err and "--wait" in err
        assert stdout == "" and not (out / MANIFEST_NAME).exists()

    holder = os.open(out / LOCK_NAME, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    threading.Timer(0.5, os.close, (holder,)).start()
    started = time.monotonic()
    code, stdout, err = cli("batch", str(src), str(out), "--no-progress", "--no-restore", "--wait")
    assert code == 0 and "1 ok" in stdout, err
    assert time.monotonic() - started >= 0.4


def test_a_line_cut_short_by_a_killed_run_is_dropped_and_lines_stay_whole(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    (src / "doc.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (out / MANIFEST_NAME).write_text(
        '{"path": "old.txt", "status": "ok"}\n{"path": "cut.tx', encoding="utf-8"
    )
    assert run_batch(src, out, NO_RESTORE, jobs=1).ok == 1
    assert [r["path"] for r in manifest_lines(out)] == ["old.txt", "doc.txt"]
    manifest = Manifest(out)  # opening an intact manifest changes nothing
    manifest.close()
    assert [r["path"] for r in manifest_lines(out)] == ["old.txt", "doc.txt"]


# ---------------------------------------------------------------------------------------- documented codes
def test_the_readme_and_the_help_list_every_exit_code() -> None:
    from ocr_pipeline.cli import EXIT_CODES_HELP

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Exit codes", 1)[1].split("\n\n", 2)[1]
    documented = {int(m) for m in re.findall(r"^\| (\d+) \|", table, flags=re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}
    in_help = {
        int(m) for m in re.findall(r"(?:^|\s)(\d+)\s+[a-zA-Z]", EXIT_CODES_HELP.split("Exit codes:")[1])
    }
    assert in_help == {int(code) for code in ExitCode}


def test_usage_errors_are_one_line_too(tmp_path: Path) -> None:
    code, out, err = cli("batch", str(tmp_path), str(tmp_path / "out"), "--dpi", "5")
    assert code == ExitCode.bad_arguments and out == ""
    assert ONE_LINE_ERROR.match(err) and "--dpi" in err and "vnocr batch --help" in err, err
    code, _, err = cli("restore", "--encoding", "latin-9")
    assert code == ExitCode.bad_arguments and ONE_LINE_ERROR.match(err), err


@pytest.mark.tesseract
def test_ocr_of_one_document_survives_an_engine_crash_without_the_variable(
    tmp_path: Path, killed_tesseract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`vnocr ocr` reads in its own process: it runs Tesseract as a command even where libtesseract loads,
    so a crashing engine is a one-line error (the fake command crashes; the library would have read)."""
    monkeypatch.delenv("VNOCR_TESSERACT")
    monkeypatch.setenv("FAKE_TESSERACT_SIGNAL", "SEGV")
    scan = _page_image(tmp_path / "scan.png")
    code, _, err = cli("ocr", str(scan), "--no-restore")
    assert code == ExitCode.ocr_engine and "SIGSEGV" in err and ONE_LINE_ERROR.match(err), err
