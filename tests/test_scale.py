"""Pages as the unit of work: the task graph of a batch, and the local executor running it.

Page images are made here and 'read' by a stand-in OCR stage (the point is scheduling, not Tesseract);
stand-ins are patched into the forked worker processes through the pipeline's stage list.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from ocr_pipeline import ProcessOptions
from ocr_pipeline.batch import run_batch
from ocr_pipeline.exceptions import ExitCode, InputFileError, OcrTimeoutError
from ocr_pipeline.imaging.page import OcrLine, OcrWord, PageImage, PageOcr
from ocr_pipeline.jobs import Job, JobResult
from ocr_pipeline.models import PageResult
from ocr_pipeline.taskgraph import DOCUMENT, FINISH, PAGES, BatchGraph, TaskOutcome, run_task
from tools.synthetic import write_pdf

NO_RESTORE = ProcessOptions(restore=False)
PLAN_TEXT = "KẾ HOẠCH\nThực hiện công tác trẻ em năm 2024\n"


def _job(tmp_path: Path, name: str) -> Job:
    return Job(tmp_path / name, Path(name), tmp_path / "out", NO_RESTORE)


def _page(number: int) -> PageResult:
    return PageResult(number=number, raw_text=f"trang {number}")


def _graph(tmp_path: Path, names: list[str], pages: dict[str, int]) -> BatchGraph:
    def plan(path: Path) -> list[tuple[int, ...]]:
        if path.name not in pages:
            raise InputFileError(f"{path.name}: the PDF cannot be read (not a PDF)")
        return [(n,) for n in range(1, pages[path.name] + 1)]

    return BatchGraph([_job(tmp_path, name) for name in names], plan)


# ------------------------------------------------------------------------------------------------ the graph
def test_the_pages_of_one_document_go_out_before_the_next_document_starts(tmp_path: Path) -> None:
    graph = _graph(tmp_path, ["a.pdf", "b.pdf"], {"a.pdf": 3, "b.pdf": 2})
    first = [graph.next_task() for _ in range(3)]
    assert [(t.kind, t.document, t.numbers) for t in first if t] == [(PAGES, 0, (n,)) for n in (1, 2, 3)]
    fourth = graph.next_task()  # a's pages are all out: b starts
    assert fourth is not None and (fourth.document, fourth.numbers) == (1, (1,))
    for task in reversed(first):  # out of order
        assert task is not None
        graph.complete(task, TaskOutcome(pages=[_page(task.numbers[0])], seconds=1.0))
    finish = graph.next_task()  # the finishing task goes before b's second page
    assert finish is not None and finish.kind == FINISH and finish.document == 0
    assert [p.number for p in finish.pages] == [1, 2, 3] and finish.seconds == 3.0
    assert list(graph.drain()) == []
    graph.complete(finish, TaskOutcome(result=JobResult("a.pdf", "ok", pages=3)))
    assert [r.path for r in graph.drain()] == ["a.pdf"]
    assert not graph.finished


def test_an_unreadable_pdf_fails_when_it_starts_and_the_batch_goes_on(tmp_path: Path) -> None:
    graph = _graph(tmp_path, ["bad.pdf", "notes.txt"], {})
    task = graph.next_task()
    assert task is not None and (task.kind, task.job.source.name) == (DOCUMENT, "notes.txt")
    (failed,) = graph.drain()
    assert (failed.path, failed.status, failed.exit_code) == ("bad.pdf", "failed", ExitCode.input_file)


def test_a_failed_page_fails_its_document_and_drops_its_other_pages(tmp_path: Path) -> None:
    graph = _graph(tmp_path, ["a.pdf", "b.pdf"], {"a.pdf": 3, "b.pdf": 1})
    page1 = graph.next_task()
    assert page1 is not None
    graph.complete(page1, TaskOutcome(result=JobResult("a.pdf", "failed", "page 1 is too large", 4)))
    assert [r.status for r in graph.drain()] == ["failed"]
    rest = graph.next_task()
    assert rest is not None and rest.document == 1  # a's pages 2 and 3 are not run


def test_a_task_lost_with_its_worker_runs_again_once_then_fails_only_its_document(tmp_path: Path) -> None:
    graph = _graph(tmp_path, ["a.pdf", "b.pdf"], {"a.pdf": 2, "b.pdf": 1})
    page1, page2 = graph.next_task(), graph.next_task()
    assert page1 is not None and page2 is not None
    graph.lost(page1)
    again = graph.next_task()
    assert again is not None and (again.key, again.attempt) == (page1.key, 1)
    graph.complete(page2, TaskOutcome(pages=[_page(2)]))
    graph.lost(again)
    (crashed,) = graph.drain()
    assert (crashed.path, crashed.exit_code) == ("a.pdf", ExitCode.out_of_memory)
    assert "worker process died" in (crashed.error or "")
    nxt = graph.next_task()
    assert nxt is not None and nxt.document == 1


def test_a_stopped_graph_starts_nothing_new(tmp_path: Path) -> None:
    graph = _graph(tmp_path, ["a.pdf", "b.pdf"], {"a.pdf": 2, "b.pdf": 1})
    running = graph.next_task()
    assert running is not None
    graph.stop()
    assert graph.next_task() is None
    assert not graph.finished
    graph.abandon(running)
    assert graph.finished


def test_a_text_document_is_one_task_and_its_outcome_carries_no_image(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text(PLAN_TEXT, encoding="utf-8")
    graph = BatchGraph([_job(tmp_path, "notes.txt")])
    task = graph.next_task()
    assert task is not None and task.kind == DOCUMENT
    outcome = run_task(task)
    assert outcome.result is not None and outcome.result.status == "ok"
    assert len(pickle.dumps(outcome)) < 4096
    assert (tmp_path / "out" / "notes.json").is_file()


# ------------------------------------------------------------------------------------------------ local run
def _pdf(path: Path, pages: int) -> Path:
    """A PDF of ``pages`` small pages, page n with n dark bars (enough for a stand-in reader)."""
    images = []
    for number in range(1, pages + 1):
        image = np.full((240, 180), 255, dtype=np.uint8)
        for bar in range(number):
            image[20 + 20 * bar : 30 + 20 * bar, 20:160] = 0
        images.append(image)
    write_pdf(images, path, 72)
    return path


@pytest.fixture
def bar_reader(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Page stages replaced by one that 'reads' the bars of a page and notes which process read it; a
    page whose source has a ``.kill`` file beside it kills its worker (always), or its first worker only
    (``.kill-once``); a ``.hang`` file makes it hang in the process, and time out as a command."""
    from ocr_pipeline import pipeline
    from ocr_pipeline.imaging import tesseract_api

    def read(page: PageImage) -> PageImage:
        dark = (page.image[:, page.image.shape[1] // 2] < 128).astype(np.int8)
        bars = int((np.diff(dark) == 1).sum())
        words = (OcrWord("trang", 90.0), OcrWord(str(bars), 90.0))
        return page.evolve(f"pid {os.getpid()}", ocr=PageOcr(lines=(OcrLine(words),), lang="vie"))

    def stages(options: ProcessOptions, lang: str) -> list[object]:
        return [read]

    real_unit = pipeline.ocr_page_unit

    def unit(path: Path, options: ProcessOptions, numbers: tuple[int, ...] = ()) -> list[PageResult]:
        once = path.with_suffix(".kill-once")
        if path.with_suffix(".kill").exists() and numbers == (2,):
            os.kill(os.getpid(), signal.SIGKILL)
        if once.exists() and numbers == (2,):
            once.unlink()
            os.kill(os.getpid(), signal.SIGKILL)
        if path.with_suffix(".hang").exists() and numbers == (2,):
            if tesseract_api.forced_cli():  # the command: its timeout stops it
                raise OcrTimeoutError("OCR of the page took longer than 0.2 s")
            time.sleep(3600)  # libtesseract in the process: nothing stops it
        return real_unit(path, options, numbers)

    monkeypatch.setattr(pipeline, "page_stages", stages)
    monkeypatch.setattr(pipeline, "ocr_page_unit", unit)
    monkeypatch.setattr(pipeline.engines, "choose_language", lambda requested="auto": "vie")
    return tmp_path


@pytest.mark.poppler
def test_the_pages_of_one_pdf_are_read_by_every_worker_and_come_back_in_order(bar_reader: Path) -> None:
    src, out = bar_reader / "in", bar_reader / "out"
    src.mkdir()
    _pdf(src / "box.pdf", 8)
    summary = run_batch(src, out, NO_RESTORE, jobs=2)
    assert (summary.ok, summary.pages) == (1, 8)
    record = json.loads((out / "box.json").read_text(encoding="utf-8"))
    assert [p["raw_text"] for p in record["pages"]] == [f"trang {n}" for n in range(1, 9)]
    readers = {p["log"][-1] for p in record["pages"]}
    assert len(readers) == 2 and f"pid {os.getpid()}" not in readers  # both workers, never the parent


@pytest.mark.poppler
def test_a_worker_killed_once_costs_nothing_and_one_killed_always_costs_its_document(
    bar_reader: Path,
) -> None:
    src, out = bar_reader / "in", bar_reader / "out"
    src.mkdir()
    for name in ("a", "b", "c"):
        _pdf(src / f"{name}.pdf", 3)
    (src / "notes.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (src / "a.kill-once").touch()
    (src / "b.kill").touch()
    summary = run_batch(src, out, NO_RESTORE, jobs=2)
    status = {r.path: (r.status, r.exit_code) for r in summary.results}
    assert status == {
        "a.pdf": ("ok", 0),
        "b.pdf": ("failed", ExitCode.out_of_memory),
        "c.pdf": ("ok", 0),
        "notes.txt": ("ok", 0),
    }
    assert not (src / "a.kill-once").exists()  # it did kill a worker
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["path"] for line in lines) == sorted(status)
    record = json.loads((out / "a.json").read_text(encoding="utf-8"))
    assert [p["raw_text"] for p in record["pages"]] == ["trang 1", "trang 2", "trang 3"]


def test_a_task_that_raises_on_a_cluster_fails_its_document_with_the_reason(tmp_path: Path) -> None:
    graph = _graph(tmp_path, ["a.pdf"], {"a.pdf": 2})
    page1, page2 = graph.next_task(), graph.next_task()
    assert page1 is not None and page2 is not None
    graph.failed(page1, ModuleNotFoundError("No module named 'ocr_pipeline'"))
    graph.complete(page2, TaskOutcome(pages=[_page(2)]))
    (failed,) = graph.drain()
    assert failed.status == "failed" and "No module named 'ocr_pipeline'" in (failed.error or "")
    assert graph.finished and graph.in_flight == 0


def test_a_task_lost_with_its_worker_runs_tesseract_as_a_command_on_its_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash inside libtesseract takes its worker down: the retry reads with the command instead."""
    from ocr_pipeline import pipeline
    from ocr_pipeline.imaging import tesseract_api

    monkeypatch.delenv(tesseract_api.ENGINE_ENV, raising=False)
    seen: list[bool] = []

    def read(*args: object) -> list[object]:
        seen.append(tesseract_api.forced_cli())
        return []

    monkeypatch.setattr(pipeline, "ocr_page_unit", read)
    graph = _graph(tmp_path, ["a.pdf"], {"a.pdf": 1})
    task = graph.next_task()
    assert task is not None and task.kind == PAGES
    run_task(task)
    run_task(dataclasses.replace(task, attempt=1))
    assert seen == [False, True]
    assert not tesseract_api.forced_cli()


def _batch_with_a_hanging_page(bar_reader: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Input and output folders of a batch of two 3-page PDFs whose ``a.pdf`` hangs in the stand-in
    reader (``a.hang``), with libtesseract in the process and a watchdog grace of 1 s."""
    from ocr_pipeline import executors

    monkeypatch.delenv("VNOCR_TESSERACT", raising=False)
    monkeypatch.setattr(executors, "WATCHDOG_GRACE_SECONDS", 1.0)
    src, out = bar_reader / "in", bar_reader / "out"
    src.mkdir()
    for name in ("a", "b"):
        _pdf(src / f"{name}.pdf", 3)
    (src / "a.hang").touch()
    return src, out


@pytest.mark.poppler
def test_a_page_task_past_its_time_limit_loses_its_worker_and_times_out_as_a_command(
    bar_reader: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tesseract in the worker cannot always be stopped: the parent stops the worker, and the retry
    (Tesseract as a command) ends in the page's timeout; the other documents finish."""
    src, out = _batch_with_a_hanging_page(bar_reader, monkeypatch)
    start = time.monotonic()
    summary = run_batch(src, out, dataclasses.replace(NO_RESTORE, page_timeout=0.2), jobs=2)
    status = {r.path: (r.status, r.exit_code) for r in summary.results}
    assert status == {"a.pdf": ("failed", ExitCode.ocr_timeout), "b.pdf": ("ok", 0)}
    assert time.monotonic() - start < 60


@pytest.mark.poppler
def test_a_page_task_past_its_time_limit_on_dask_is_read_again_as_a_command(
    bar_reader: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Dask workers' watchdog: a page task hung inside Tesseract in the process is left behind after
    its time limit and read again with Tesseract as a command, whose timeout fails the page; the other
    documents finish. The cluster runs in this process (threads), so that the stand-ins apply."""
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    src, out = _batch_with_a_hanging_page(bar_reader, monkeypatch)
    options = dataclasses.replace(NO_RESTORE, page_timeout=0.2)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        start = time.monotonic()
        summary = run_batch(src, out, options, scheduler=cluster.scheduler_address)
        seconds = time.monotonic() - start
    status = {r.path: (r.status, r.exit_code) for r in summary.results}
    assert status == {"a.pdf": ("failed", ExitCode.ocr_timeout), "b.pdf": ("ok", 0)}
    assert seconds < 60


def test_a_task_within_its_time_limit_runs_in_the_same_thread_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tesseract keeps its models per thread: the watched page tasks of one worker thread run in one
    runner thread, not a new thread each."""
    import threading

    from ocr_pipeline import executors, pipeline

    threads: list[int] = []

    def read(*args: object) -> list[PageResult]:
        threads.append(threading.get_ident())
        return [_page(1)]

    monkeypatch.setattr(pipeline, "ocr_page_unit", read)
    graph = _graph(tmp_path, ["a.pdf"], {"a.pdf": 3})
    graph.jobs = [
        dataclasses.replace(job, options=dataclasses.replace(NO_RESTORE, page_timeout=5))
        for job in graph.jobs
    ]
    for _ in range(3):
        task = graph.next_task()
        assert task is not None and executors.time_limit(task) is not None
        outcome = executors.run_task_watched(task)
        assert outcome.pages and not outcome.left_hung
    assert len(set(threads)) == 1 and threads[0] != threading.get_ident()


def test_a_worker_gives_opencv_its_share_of_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """One core's worth of OpenCV threads per worker where every core has one; the idle cores' share
    where there are fewer workers than cores."""
    cv2 = pytest.importorskip("cv2")
    from ocr_pipeline.taskgraph import share_cores

    before = cv2.getNumThreads()
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    try:
        assert share_cores(4) == 1 and cv2.getNumThreads() == 1
        assert share_cores(2) == 2 and cv2.getNumThreads() == 2
        assert share_cores(1) == 4 and share_cores(8) == 1
    finally:
        cv2.setNumThreads(before)


def test_a_batch_after_opencv_ran_threaded_in_its_process_does_not_hang(tmp_path: Path) -> None:
    """A process that ran OpenCV on several threads and then runs a batch: its forked workers start and
    finish (a worker that set OpenCV's threads itself waited forever for the parent's pool threads)."""
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("Ủy ban nhân dân xã\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import cv2, numpy as np
        from pathlib import Path
        from ocr_pipeline import ProcessOptions
        from ocr_pipeline.batch import run_batch
        cv2.setNumThreads(2)
        page = np.random.default_rng(0).integers(0, 255, (2000, 2000), dtype=np.uint8)
        for _ in range(3):
            cv2.GaussianBlur(page, (31, 31), 0)
        summary = run_batch(Path({str(source)!r}), Path({str(tmp_path / "out")!r}), ProcessOptions(), jobs=2)
        print("ok", summary.ok)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["ok", "1"]
