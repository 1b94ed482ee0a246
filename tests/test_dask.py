"""The batch on a real Dask cluster on 127.0.0.1: a scheduler and two workers (processes of their own).

One worker is killed (SIGKILL) mid-run: every document still ends ``ok`` in the same run, and the outputs
are byte-identical to a local run's.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from tools.synthetic import paragraphs_from_text, render_pages, write_pdf

DATA = Path(__file__).parent / "data"
DASK = Path(sys.executable).with_name("dask")
START_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """``dask scheduler`` and two single-threaded ``dask worker`` processes; their address and workers."""
    if not DASK.exists():
        pytest.skip("the dask command is not installed beside this Python")
    from distributed import Client

    address = f"tcp://127.0.0.1:{_free_port()}"
    logs = tmp_path / "logs"
    logs.mkdir()
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    processes: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> subprocess.Popen[bytes]:
        with (logs / f"{name}.log").open("wb") as log:
            proc = subprocess.Popen([str(DASK), *args, *common], stdout=log, stderr=subprocess.STDOUT)
        processes.append(proc)
        return proc

    try:
        start("scheduler", "scheduler", "--port", address.rsplit(":", 1)[1])
        workers = [
            start(f"worker-{n}", "worker", address, "--nthreads", "1", "--no-nanny", "--name", f"w{n}")
            for n in (1, 2)
        ]
        with Client(address, timeout=START_SECONDS) as client:
            client.wait_for_workers(2, timeout=START_SECONDS)
        yield address, workers
    finally:
        for proc in processes:
            proc.kill()
            proc.wait(10)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Ten text documents (restoration makes each a second or two of work) and one one-page scan."""
    folder = tmp_path / "in"
    folder.mkdir()
    paragraphs = paragraphs_from_text((DATA / "district-2021.gt.txt").read_text(encoding="utf-8"))
    for index in range(10):
        chunk = paragraphs[index * 3 : index * 3 + 12] or paragraphs[:12]
        (folder / f"doc-{index:02}.txt").write_text("\n".join(chunk) + "\n", encoding="utf-8")
    if shutil.which("tesseract") and shutil.which("pdftoppm"):
        (folder / "scans").mkdir()
        write_pdf([render_pages(paragraphs[:8], dpi=100)[0].image], folder / "scans" / "scan.pdf", 100)
    return folder


def _records(out: Path) -> list[dict[str, object]]:
    path = out / "manifest.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


#: Files of the whole folder, written in the order documents finish (compared as sets of rows).
FOLDER_FILES = ("manifest.jsonl", ".vnocr.lock", "catalog.sqlite", "register.csv")


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in FOLDER_FILES
    }


def _register_rows(out: Path) -> set[str]:
    return set((out / "register.csv").read_text(encoding="utf-8-sig").splitlines())


def test_a_batch_on_dask_survives_a_killed_worker_and_matches_a_local_run(
    cluster: tuple[str, list[subprocess.Popen[bytes]]], inputs: Path, tmp_path: Path
) -> None:
    address, workers = cluster
    out, local = tmp_path / "out-dask", tmp_path / "out-local"
    documents = len([p for p in inputs.rglob("*") if p.is_file()])
    # the document outputs (the searchable PDF carries its creation time, so it is left out here)
    command = [sys.executable, "-m", "ocr_pipeline.cli", "batch", str(inputs), "--formats", "txt,md,json"]
    env = dict(os.environ, VNOCR_SCHEDULER=address)  # the variable, as a user would set it
    proc = subprocess.Popen([*command, str(out), "--no-progress"], env=env, stderr=subprocess.PIPE)
    try:
        end = time.monotonic() + 300
        while not _records(out) and proc.poll() is None and time.monotonic() < end:
            time.sleep(0.05)
        workers[0].send_signal(signal.SIGKILL)
        killed_after = len(_records(out))
        _, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err.decode()
    assert 1 <= killed_after < documents  # the worker was killed mid-run
    records = _records(out)
    assert len(records) == documents and {r["status"] for r in records} == {"ok"}
    local_run = subprocess.run([*command, str(local), "--no-progress", "-j", "2"], capture_output=True)
    assert local_run.returncode == 0, local_run.stderr.decode()
    assert _outputs(out) == _outputs(local)
    assert _register_rows(out) == _register_rows(local)
    assert len(_outputs(out)) == 3 * documents
    rerun = subprocess.run([*command, str(out), "--no-progress"], env=env, capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr.decode()
    assert [r["status"] for r in _records(out)[documents:]] == ["skipped"] * documents
