"""What determines a batch's speed-up: the trace of its tasks (``VNOCR_TRACE``), and the order of a
document's page tasks (heaviest first, so that the pages left when other workers are idle are short)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from ocr_pipeline import ProcessOptions
from ocr_pipeline.batch import run_batch
from ocr_pipeline.exceptions import BadArgumentsError
from ocr_pipeline.jobs import Job
from ocr_pipeline.models import PageResult
from ocr_pipeline.taskgraph import FINISH, BatchGraph, TaskOutcome, page_weights
from ocr_pipeline.tasktrace import TRACE_VARIABLE, Timing, TraceFile, phase, timing
from tools.synthetic import write_pdf

NO_RESTORE = ProcessOptions(restore=False)


def test_a_task_timing_counts_its_phases() -> None:
    with timing() as timed:
        with phase("a"):
            sum(range(200_000))
        with phase("a"):
            pass
        with phase("b"):
            pass
    assert timed.end >= timed.start and timed.cpu >= 0
    assert set(timed.phases) == {"a", "b"} and timed.phases["a"][0] >= timed.phases["b"][0]
    with phase("outside"):  # no task timed: nothing is counted, nothing fails
        pass


def test_tasks_timed_at_once_in_threads_keep_their_own_phases_and_thread_cpu() -> None:
    """As on a Dask worker with several threads: each task's record is its own; ``thread_cpu`` counts the
    task's thread only (a busy task beside an idle one), ``cpu`` the whole process."""
    import threading

    records: dict[str, object] = {}
    both_started = threading.Barrier(2)

    def task(name: str, busy: bool) -> None:
        with timing() as timed:
            both_started.wait()
            with phase(name):
                if busy:
                    spin_until = time.thread_time() + 0.15
                    while time.thread_time() < spin_until:
                        pass
                else:
                    time.sleep(0.3)
        records[name] = timed

    threads = [threading.Thread(target=task, args=(n, n == "busy")) for n in ("busy", "idle")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    busy, idle = records["busy"], records["idle"]
    assert isinstance(busy, Timing) and isinstance(idle, Timing)
    assert set(busy.phases) == {"busy"} and set(idle.phases) == {"idle"}
    assert busy.thread_cpu >= 0.15 and idle.thread_cpu < busy.thread_cpu / 3
    assert idle.cpu >= idle.thread_cpu  # the process's CPU: the busy thread's work too


def test_a_traced_batch_writes_every_task_and_the_parent_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for name in ("a.txt", "b.txt"):
        (source / name).write_text("KẾ HOẠCH\nPhòng chống đuối nước\n", encoding="utf-8")
    trace = tmp_path / "trace.jsonl"
    monkeypatch.setenv(TRACE_VARIABLE, str(trace))
    summary = run_batch(source, tmp_path / "out", NO_RESTORE, jobs=2)
    assert summary.ok == 2
    events = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "batch" and kinds[-1] == "batch end"
    assert kinds.count("sent") == kinds.count("done") == kinds.count("recorded") == 2
    for done in (e for e in events if e["event"] == "done"):
        assert done["start"] <= done["end"] and done["cpu"] >= 0 and ":" in done["worker"]
        assert "json output" in done["phases"]
    assert events[-1]["cpu"]["own"] > 0


def test_no_trace_without_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TRACE_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("KẾ HOẠCH\n", encoding="utf-8")
    assert run_batch(source, tmp_path / "out", NO_RESTORE, jobs=1).ok == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


def test_a_trace_that_cannot_be_written_does_not_stop_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("KẾ HOẠCH\n", encoding="utf-8")
    monkeypatch.setenv(TRACE_VARIABLE, str(tmp_path))  # a folder
    assert run_batch(source, tmp_path / "out", NO_RESTORE, jobs=1).ok == 1
    trace = TraceFile(tmp_path / "trace.jsonl")
    trace.handle.close()  # as after a full disk
    trace.event("done", key="d0")  # dropped, no error


def test_the_heaviest_pages_go_out_first_and_the_document_keeps_its_order(tmp_path: Path) -> None:
    job = Job(tmp_path / "a.pdf", Path("a.pdf"), tmp_path / "out", NO_RESTORE)
    graph = BatchGraph(
        [job], lambda path: [(1,), (2,), (3,), (4,)], weigh=lambda path: {1: 10.0, 2: 30.0, 4: 20.0}
    )
    tasks = [graph.next_task() for _ in range(4)]
    assert [t.numbers for t in tasks if t] == [(2,), (4,), (1,), (3,)]
    for task in tasks:
        assert task is not None
        graph.complete(task, TaskOutcome(pages=[PageResult(number=task.numbers[0], raw_text="x")]))
    finish = graph.next_task()
    assert finish is not None and finish.kind == FINISH
    assert [p.number for p in finish.pages] == [1, 2, 3, 4]


@pytest.mark.skipif(not shutil.which("pdfimages"), reason="poppler-utils not installed")
def test_page_weights_grow_with_the_ink_on_the_scan(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    blank = np.full((600, 400), 250, np.uint8)
    inked = blank.copy()
    inked[100:500:8, 50:350] = rng.integers(0, 120, size=(50, 300), dtype=np.uint8)
    pdf = tmp_path / "scan.pdf"
    write_pdf([blank, inked, blank], pdf, 100, jpeg_quality=80)
    weights = page_weights(pdf)
    assert set(weights) == {1, 2, 3}
    assert weights[2] > 2 * max(weights[1], weights[3])
    assert page_weights(tmp_path / "missing.pdf") == {} and page_weights(tmp_path / "a.txt") == {}


def test_the_trace_is_closed_with_its_end_when_the_batch_refuses_its_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trace = tmp_path / "trace.jsonl"
    monkeypatch.setenv("VNOCR_TRACE", str(trace))
    with pytest.raises(BadArgumentsError):
        run_batch(tmp_path / "missing", tmp_path / "out", ProcessOptions())
    events = [json.loads(line)["event"] for line in trace.read_text(encoding="utf-8").splitlines()]
    assert events[0] == "batch" and events[-1] == "batch end"
