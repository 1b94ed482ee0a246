"""Timings of a batch's tasks, for a trace of the run (``VNOCR_TRACE=FILE``).

Every task measures where it ran, its wall and CPU times, and those of the named phases inside it
(:func:`phase`); the parent process writes them, with its own events, as JSON lines to the file named by
:data:`TRACE_VARIABLE` (nothing is written without it). ``python -m tools.bench.scale workers --trace``
reads such a file; docs/SCALE.md says what it showed.

A task's ``cpu`` is its process's (and waited children's) CPU while it ran: the task's own where the process
runs one task at a time (a local worker, a Dask worker with ``--nthreads 1``); on a Dask worker running
several tasks at once in threads it also counts the tasks beside it. ``thread_cpu`` is the task's thread
alone, without the helper threads (OCRmyPDF's page thread, OpenCV's) and subprocesses it waits for. The task
being timed is per thread (a context variable), so threads timing tasks at once keep their own records.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: The environment variable naming the trace file of a batch (JSON lines, appended).
TRACE_VARIABLE = "VNOCR_TRACE"


def cpu_seconds() -> float:
    """User and system CPU time of this process and of its children it waited for (Tesseract, pdftoppm)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass
class Timing:
    """Where and how long a task ran.

    Attributes:
        worker: ``host:pid`` of the process that ran it.
        start: Wall-clock start (``time.time()``).
        end: Wall-clock end.
        cpu: CPU seconds of the process and its children during the task (see the module).
        thread_cpu: CPU seconds of the task's own thread.
        phases: Named parts of the task: ``[wall seconds, CPU seconds]`` (CPU as ``cpu``), summed over
            their runs.
    """

    worker: str
    start: float
    end: float = 0.0
    cpu: float = 0.0
    thread_cpu: float = 0.0
    phases: dict[str, list[float]] = field(default_factory=dict)


#: The task being timed in this thread (or task context), if any.
_current: contextvars.ContextVar[Timing | None] = contextvars.ContextVar("vnocr_task_timing", default=None)


@contextlib.contextmanager
def timing() -> Iterator[Timing]:
    """Time the task run inside the block, and the phases it names (:func:`phase`)."""
    record = Timing(f"{socket.gethostname()}:{os.getpid()}", time.time())
    token = _current.set(record)
    cpu, own = cpu_seconds(), time.thread_time()
    try:
        yield record
    finally:
        record.end, record.cpu = time.time(), round(cpu_seconds() - cpu, 3)
        record.thread_cpu = round(time.thread_time() - own, 3)
        _current.reset(token)


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    """Count the block's wall and CPU time under ``name`` in the task being timed (if any)."""
    record = _current.get()
    if record is None:
        yield
        return
    wall, cpu = time.monotonic(), cpu_seconds()
    try:
        yield
    finally:
        spent = record.phases.setdefault(name, [0.0, 0.0])
        spent[0] = round(spent[0] + time.monotonic() - wall, 3)
        spent[1] = round(spent[1] + cpu_seconds() - cpu, 3)


def parent_cpu() -> dict[str, float]:
    """This process's own CPU seconds and its waited-for children's (``pdfinfo``; local worker processes once
    they are reaped)."""
    times = os.times()
    return {
        "own": round(times.user + times.system, 3),
        "children": round(times.children_user + times.children_system, 3),
    }


class TraceFile:
    """The parent's trace: one JSON object a line (``event``, ``time`` and the event's fields)."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("a", encoding="utf-8")

    def event(self, event: str, **fields: Any) -> None:
        """Append one event, stamped with the wall-clock time (a trace that cannot be written is dropped:
        it never stops the batch)."""
        if self.handle.closed:
            return
        record = {"event": event, "time": round(time.time(), 4), **fields}
        try:
            self.handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            self.handle.flush()
        except (OSError, ValueError) as exc:  # a full disk, a closed file
            log.warning("trace: %s; no more trace events", exc)
            self.handle.close()

    def task(self, event: str, key: str, kind: str, timing: Timing | None, **fields: Any) -> None:
        """Append a task's event with its timing."""
        self.event(event, key=key, kind=kind, **(asdict(timing) if timing else {}), **fields)

    def close(self) -> None:
        """Close the file."""
        self.handle.close()


def open_trace() -> TraceFile | None:
    """The trace file named by :data:`TRACE_VARIABLE`, or None (none asked, or it cannot be opened)."""
    path = os.environ.get(TRACE_VARIABLE)
    if not path:
        return None
    try:
        return TraceFile(Path(path))
    except OSError as exc:
        log.warning("%s=%s: %s; the batch runs without a trace", TRACE_VARIABLE, path, exc)
        return None
