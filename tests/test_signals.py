"""Ctrl-C and SIGTERM during a batch: the real ``vnocr batch`` in a subprocess, real signals, real Tesseract.

A batch stops within seconds (exit 130 for SIGINT, 143 for SIGTERM), a second Ctrl-C never hangs it, no
worker, Tesseract or temporary file (``tess_*``) is left behind, every finished document is in the manifest,
and a re-run resumes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.synthetic import paragraphs_from_text, render_pages, write_pdf

pytestmark = [pytest.mark.tesseract, pytest.mark.poppler]

DATA = Path(__file__).parent / "data"
#: Seconds a stopped batch may take to exit (the issue's bound).
EXIT_WITHIN = 15.0
NO_BAR = ("--no-progress", "--no-restore")


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four one-page scanned PDFs of real text and two text documents."""
    folder = tmp_path_factory.mktemp("scans")
    paragraphs = paragraphs_from_text((DATA / "district-2021.gt.txt").read_text(encoding="utf-8"))
    pages = render_pages(paragraphs, dpi=150)
    for index in range(4):
        write_pdf([pages[index % len(pages)].image], folder / f"scan-{index}.pdf", 150, jpeg_quality=85)
    for index in range(2):
        (folder / f"notes-{index}.txt").write_text("\n".join(paragraphs[:20]), encoding="utf-8")
    return folder


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


class Batch:
    """A ``vnocr batch`` running in a session of its own, with its own temporary folder."""

    def __init__(self, source: Path, out: Path, temp: Path) -> None:
        temp.mkdir(exist_ok=True)
        self.out, self.temp = out, temp
        # Tesseract as a command, so that there are Tesseract processes to stop (in the library it is in the
        # workers, and the page task spawns no tesseract process any more)
        env = dict(os.environ, TMPDIR=str(temp), VNOCR_TESSERACT="cli")
        command = [sys.executable, "-m", "ocr_pipeline.cli", "batch", str(source), str(out)]
        self.proc = subprocess.Popen(
            [*command, "--jobs", "2", *NO_BAR],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a terminal's foreground group: Ctrl-C is SIGINT to the group
        )

    def wait_for_tesseract(self, timeout: float = 60) -> set[int]:
        """Wait until a Tesseract reads a page in a worker; return every process under the batch."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            below = _descendants(self.proc.pid)
            workers = set(_children().get(self.proc.pid, []))
            if any(_name(pid) == "tesseract" for pid in below - workers):
                return below
            assert self.proc.poll() is None, self.proc.communicate()
            time.sleep(0.05)
        raise AssertionError("no tesseract started")

    def stopped(self) -> tuple[int, float, str]:
        """Exit code, seconds to exit, stderr."""
        start = time.monotonic()
        try:
            _, err = self.proc.communicate(timeout=EXIT_WITHIN + 5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise
        return self.proc.returncode, time.monotonic() - start, err.decode("utf-8", "replace")

    def records(self) -> list[dict[str, object]]:
        path = self.out / "manifest.jsonl"
        data = path.read_bytes() if path.exists() else b""
        assert not data or data.endswith(b"\n")
        return [json.loads(line) for line in data.decode("utf-8").splitlines()]


@pytest.fixture
def batch(scans: Path, tmp_path: Path) -> Iterator[Batch]:
    run = Batch(scans, tmp_path / "out", tmp_path / "tmp")
    yield run
    if run.proc.poll() is None:
        os.killpg(run.proc.pid, signal.SIGKILL)
        run.proc.wait()


def _check_clean_stop(run: Batch, below: set[int]) -> None:
    time.sleep(0.2)
    left = {pid: _name(pid) for pid in below if _alive(pid)}
    assert left == {}, f"left running: {left}"
    assert list(run.temp.rglob("*")) == [], "temporary files left behind"
    finished = {p.relative_to(run.out).with_suffix("") for p in run.out.rglob("*.json")}
    recorded = {Path(str(r["path"])).with_suffix("") for r in run.records() if r["status"] == "ok"}
    assert finished == recorded  # every finished document is in the manifest, and only those


def test_ctrl_c_stops_the_batch_within_seconds_and_a_rerun_resumes(batch: Batch, scans: Path) -> None:
    below = batch.wait_for_tesseract()
    os.killpg(batch.proc.pid, signal.SIGINT)
    code, seconds, err = batch.stopped()
    assert code == 130 and "interrupted" in err, err
    assert seconds < EXIT_WITHIN
    _check_clean_stop(batch, below)
    done = batch.records()
    assert len(done) < 6  # it stopped before the end
    again = subprocess.run(
        [sys.executable, "-m", "ocr_pipeline.cli", "batch", str(scans), str(batch.out), "-j", "2", *NO_BAR],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr
    first_run = {str(r["path"]) for r in batch.records()[: len(done)] if r["status"] == "ok"}
    second_run = {str(r["path"]): r["status"] for r in batch.records()[len(done) :]}
    assert len(second_run) == 6 and set(second_run.values()) <= {"ok", "skipped"}
    assert {path for path, status in second_run.items() if status == "skipped"} == first_run


def test_ctrl_c_twice_never_hangs(batch: Batch) -> None:
    below = batch.wait_for_tesseract()
    os.killpg(batch.proc.pid, signal.SIGINT)
    time.sleep(0.1)
    os.killpg(batch.proc.pid, signal.SIGINT)
    code, seconds, err = batch.stopped()
    assert code == 130, err
    assert seconds < EXIT_WITHIN
    _check_clean_stop(batch, below)


def test_sigterm_to_the_batch_alone_leaves_no_worker_tesseract_or_temporary_file(batch: Batch) -> None:
    below = batch.wait_for_tesseract()
    assert any(_name(pid) == "tesseract" for pid in below)
    os.kill(batch.proc.pid, signal.SIGTERM)
    code, seconds, err = batch.stopped()
    assert code == 143 and "SIGTERM" in err, err
    assert seconds < EXIT_WITHIN
    _check_clean_stop(batch, below)
