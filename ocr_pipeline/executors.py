"""Executors of the batch task graph (:mod:`ocr_pipeline.taskgraph`): worker processes on this machine, or
a Dask cluster.

Local workers: each runs one task at a time in a process group of its own (with its Tesseract), ignores
Ctrl-C (the parent decides), dies with the parent, and writes its temporary files (Tesseract's ``tess_*``)
in a scratch folder of the batch that the parent removes at the end. A worker that dies (the out-of-memory
killer) is replaced and its task run again once; stopping kills every worker's process group at once. A
worker left without a task loads what a finishing task needs (:func:`~ocr_pipeline.taskgraph.warm_up`),
and the worker idle longest gets the next task.

Dask: the same tasks are submitted to the scheduler at ``tcp://HOST:PORT``; inputs and outputs must be on a
path every worker sees. A task whose worker died is run again by Dask itself; one that kills workers
repeatedly fails its document (``KilledWorker``). A page task runs on its Dask worker under the same time
limit as a local one (:func:`run_task_watched`): past it, the page is left to its hung thread and read again
with Tesseract as a command, and the parent asks the cluster to restart that worker (where a nanny can).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import logging
import multiprocessing
import os
import queue
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from types import FrameType
from typing import Any

from .taskgraph import (
    FINISH,
    PAGES,
    BatchGraph,
    Task,
    TaskOutcome,
    opencv_threads_for_fork,
    run_task,
    share_cores,
    warm_up,
)
from .tasktrace import TraceFile

log = logging.getLogger(__name__)

#: Seconds the parent waits for news from the workers before it looks at the stop flag again.
POLL_SECONDS = 0.2
#: Seconds a local worker waits for a task before it loads what a finishing task needs (once).
WARM_UP_AFTER_SECONDS = 0.1
#: A page task may run this many times ``--page-timeout`` a page, plus :data:`WATCHDOG_GRACE_SECONDS`,
#: before its worker is stopped (Tesseract in the worker cannot be stopped in its layout analysis or
#: OSD); the task's retry runs Tesseract as a command, whose calls the timeout does stop.
WATCHDOG_TIMEOUTS = 3
WATCHDOG_GRACE_SECONDS = 60.0


@dataclass
class StopFlag:
    """Set by SIGINT or SIGTERM during a batch: the signal number, or 0."""

    signum: int = 0

    @property
    def requested(self) -> bool:
        return bool(self.signum)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[StopFlag]:
    """While the block runs, SIGINT and SIGTERM (any number of them) set a :class:`StopFlag` instead of
    raising or killing the process; the previous handlers come back after. Outside the main thread, where
    handlers cannot be set, the flag is never set."""
    flag = StopFlag()

    def handler(signum: int, frame: FrameType | None) -> None:
        if not flag.signum:
            flag.signum = signum
            name = signal.Signals(signum).name
            log.warning("%s: stopping (no new documents; finished ones are kept)", name)

    previous: dict[int, Any] = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[int(sig)] = signal.signal(sig, handler)
    except ValueError:  # not the main thread
        pass
    try:
        yield flag
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (no orphan worker after a ``kill -9``)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker_main(conn: Connection, scratch: str) -> None:
    """A local worker: run the tasks the parent sends until the pipe closes (its OpenCV threads set by the
    parent, :func:`opencv_threads_for_fork`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.setpgrp()  # its own process group, with its Tesseract: killed together, out of reach of Ctrl-C
    _die_with_parent()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    os.environ["TMPDIR"] = scratch
    tempfile.tempdir = scratch
    logging.getLogger().setLevel(logging.WARNING)
    warm = False
    while True:
        try:
            if not warm and not conn.poll(WARM_UP_AFTER_SECONDS):  # idle: the batch's end is near
                warm_up()
                warm = True
            task = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(run_task(task))


def time_limit(task: Task) -> float | None:
    """Seconds a page task may run before its Tesseract counts as hung (:data:`WATCHDOG_TIMEOUTS`), or None
    (not a page task, or no page timeout)."""
    if task.kind != PAGES or task.job.options.page_timeout <= 0:
        return None
    limit = WATCHDOG_TIMEOUTS * task.job.options.page_timeout * max(1, len(task.numbers))
    return limit + WATCHDOG_GRACE_SECONDS


def _overdue(worker: _Worker) -> bool:
    """Whether a page task has run past its limit (:func:`time_limit`)."""
    limit = time_limit(worker.task) if worker.task is not None else None
    return limit is not None and time.monotonic() - worker.started > limit


class _PageRunner:
    """A daemon thread that runs the page tasks of the (Dask worker) thread owning it, one at a time; kept
    from task to task, since Tesseract's loaded models are kept per thread."""

    def __init__(self) -> None:
        self.requests: queue.SimpleQueue[tuple[Task, concurrent.futures.Future[TaskOutcome]]]
        self.requests = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="vnocr page runner", daemon=True).start()

    def _serve(self) -> None:
        while True:
            task, done = self.requests.get()
            try:
                done.set_result(run_task(task))
            except BaseException as exc:  # handed to the task's thread, which raises it
                done.set_exception(exc)

    def run(self, task: Task, limit: float) -> TaskOutcome | None:
        """The task's outcome, or None if it ran past ``limit`` seconds (it is left running)."""
        done: concurrent.futures.Future[TaskOutcome] = concurrent.futures.Future()
        self.requests.put((task, done))
        try:
            return done.result(timeout=limit)
        except concurrent.futures.TimeoutError:
            return None


_runners = threading.local()


def run_task_watched(task: Task) -> TaskOutcome:
    """A task on a Dask worker: :func:`~ocr_pipeline.taskgraph.run_task`, a page task under the local
    executor's time limit (:func:`time_limit`). Tesseract in the process cannot be stopped in its layout
    analysis or OSD: a page task past its limit is left to its thread (the worker is to be restarted:
    :attr:`TaskOutcome.left_hung` says so) and run again here with Tesseract as a command, whose calls the
    page timeout stops."""
    limit = time_limit(task)
    if limit is None:
        return run_task(task)
    runner: _PageRunner | None = getattr(_runners, "runner", None)
    if runner is None:
        runner = _runners.runner = _PageRunner()
    outcome = runner.run(task, limit)
    if outcome is not None:
        return outcome
    _runners.runner = None  # its thread is stuck in Tesseract: the next page gets a new one
    log.warning(
        "%s ran past its time limit (%.0f s): read again with Tesseract as a command", task.key, limit
    )
    outcome = run_task(replace(task, attempt=task.attempt + 1))
    outcome.left_hung = True
    return outcome


def _check_not_stalled(graph: BatchGraph) -> None:
    """Nothing runs: the graph must be finished (else it would wait for ever)."""
    if graph.in_flight:
        raise RuntimeError(f"the task graph counts {graph.in_flight} task(s) running where none is (a bug)")


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process of the fork context
    conn: Connection
    task: Task | None = None
    #: When it last finished a task (the one idle longest gets the next: it may have warmed up meanwhile).
    idle_since: float = 0.0
    #: When it was sent its task.
    started: float = 0.0

    def kill(self) -> None:
        """Kill the worker and everything of its process group (its Tesseract), and reap it."""
        pid = self.process.pid
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.join(5)
        self.conn.close()


@dataclass
class LocalExecutor:
    """``workers`` worker processes on this machine, one task each at a time."""

    workers: int
    _pool: list[_Worker] = field(default_factory=list)

    def _spawn(self, scratch: str) -> _Worker:
        context = multiprocessing.get_context("fork")  # the workers share the parent's loaded code
        parent_end, child_end = context.Pipe()
        process = context.Process(target=_worker_main, args=(child_end, scratch), daemon=True)
        with opencv_threads_for_fork(self.workers):
            process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def run(self, graph: BatchGraph, stop: StopFlag) -> Generator[Any, None, None]:
        """Run the graph; yield each document's result as it finishes."""
        scratch = tempfile.mkdtemp(prefix="vnocr-batch-")
        try:
            yield from self._run(graph, stop, scratch)
        finally:
            for worker in self._pool:
                worker.kill()
            self._pool.clear()
            shutil.rmtree(scratch, ignore_errors=True)

    def _run(self, graph: BatchGraph, stop: StopFlag, scratch: str) -> Iterator[Any]:
        while not graph.finished:
            if stop.requested:
                graph.stop()
                for worker in self._pool:
                    if worker.task is not None:
                        graph.abandon(worker.task)
                        worker.task = None
                break
            self._assign(graph, scratch)
            yield from graph.drain()
            busy = [w for w in self._pool if w.task is not None]
            if not busy:
                _check_not_stalled(graph)
                continue
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], POLL_SECONDS))
            for worker in busy:
                if worker.conn in ready:
                    self._collect(worker, graph)
                elif worker.process.sentinel in ready:
                    self._lose(worker, graph)
                elif worker.task is not None and _overdue(worker):
                    log.warning("%s ran past its time limit: its worker is stopped", worker.task.key)
                    self._lose(worker, graph)
            yield from graph.drain()
        yield from graph.drain()

    def _assign(self, graph: BatchGraph, scratch: str) -> None:
        for worker in list(self._pool):
            if worker.task is None and not worker.process.is_alive():
                worker.kill()
                self._pool.remove(worker)
        while True:
            idle = min((w for w in self._pool if w.task is None), key=lambda w: w.idle_since, default=None)
            if idle is None and len(self._pool) >= self.workers:
                return
            task = graph.next_task()
            if task is None:
                return
            if idle is None:
                idle = self._spawn(scratch)
                self._pool.append(idle)
            try:
                idle.conn.send(task)
            except OSError:  # it died idle: the task goes to a fresh worker
                self._pool.remove(idle)
                idle.kill()
                graph.lost(task)
                continue
            idle.task, idle.started = task, time.monotonic()

    def _collect(self, worker: _Worker, graph: BatchGraph) -> None:
        task = worker.task
        assert task is not None
        try:
            outcome: TaskOutcome = worker.conn.recv()
        except (EOFError, OSError):
            self._lose(worker, graph)
            return
        worker.task, worker.idle_since = None, time.monotonic()
        graph.complete(task, outcome)

    def _lose(self, worker: _Worker, graph: BatchGraph) -> None:
        task = worker.task
        worker.task = None
        worker.kill()
        self._pool.remove(worker)
        if task is not None:
            log.warning("a worker process died (exit %s) running %s", worker.process.exitcode, task.key)
            graph.lost(task)


@dataclass
class DaskExecutor:
    """The tasks of the graph run on a Dask cluster (``distributed``), from its scheduler's address."""

    address: str
    connect_seconds: float = 30.0

    def run(self, graph: BatchGraph, stop: StopFlag) -> Generator[Any, None, None]:
        """Run the graph; yield each document's result as it finishes."""
        from .exceptions import BadArgumentsError, MissingDependencyError

        try:
            from distributed import Client
        except ImportError as exc:
            raise MissingDependencyError(
                "--scheduler needs Dask distributed", hint="pip install 'vnocr[cluster]'"
            ) from exc
        try:
            client = Client(self.address, timeout=self.connect_seconds)
        except OSError as exc:
            raise BadArgumentsError(
                f"{self.address}: no Dask scheduler answers there ({exc})",
                hint="start one with `dask scheduler`, or check --scheduler / VNOCR_SCHEDULER",
            ) from exc
        try:
            yield from self._run(client, graph, stop)
        finally:
            client.close()

    def _run(self, client: Any, graph: BatchGraph, stop: StopFlag) -> Iterator[Any]:
        from distributed import wait as dask_wait
        from distributed.scheduler import KilledWorker

        running: dict[Any, Task] = {}
        _share_cores_on_cluster(client)
        threads, counted = 1, 0.0
        run_id = f"vnocr-{os.getpid()}-{time.time_ns()}"
        warm = _DaskWarmUp(f"{run_id}-warm-up")
        while not graph.finished:
            if stop.requested:
                graph.stop()
                client.cancel(list(running) + warm.futures())
                for task in running.values():
                    graph.abandon(task)
                running.clear()
                break
            if time.monotonic() - counted > 2:  # workers come and go
                threads, counted = max(1, sum(client.nthreads().values())), time.monotonic()
            while len(running) < 2 * threads:
                submitted = graph.next_task()
                if submitted is None:
                    if running and len(running) < threads and warm.start(client) and graph.trace:
                        graph.trace.event("warm-up sent")  # a worker idle: the batch's end is near
                    break
                key = f"{run_id}-{submitted.key}-{submitted.attempt}"
                where = warm.placement(client, graph.trace) if submitted.kind == FINISH else {}
                future = client.submit(run_task_watched, submitted, key=key, pure=False, **where)
                running[future] = submitted
            yield from graph.drain()
            if not running:
                _check_not_stalled(graph)
                continue
            with contextlib.suppress(TimeoutError):
                dask_wait(list(running), timeout=POLL_SECONDS * 5, return_when="FIRST_COMPLETED")
            for future in [f for f in running if f.done()]:
                task = running.pop(future)
                if future.status == "finished":
                    outcome: TaskOutcome = future.result()
                    if outcome.left_hung:
                        _restart_hung_worker(client, future, task)
                    graph.complete(task, outcome)
                    continue
                error = future.exception() if future.status == "error" else None
                log.warning("%s: %s on the cluster", task.key, error or future.status)
                if error is None or isinstance(error, KilledWorker):  # cancelled, or killed its workers
                    graph.lost(task, final=error is not None)
                else:
                    graph.failed(task, error)
            yield from graph.drain()
        yield from graph.drain()


def _share_cores_on_cluster(client: Any) -> None:
    """Give each Dask worker's OpenCV its share of its machine's cores (:func:`share_cores`), from the
    task threads of all the workers on that machine."""
    with contextlib.suppress(Exception):  # only a tuning: the batch runs without it
        workers = client.scheduler_info(n_workers=-1).get("workers", {})
        on_host: dict[str, int] = {}
        for info in workers.values():
            host = str(info.get("host", ""))
            on_host[host] = on_host.get(host, 0) + int(info.get("nthreads", 1))
        client.run(_share_cores_of_worker, on_host)


def _share_cores_of_worker(threads_on_hosts: dict[str, int], dask_worker: Any = None) -> int:
    """On a Dask worker (``client.run`` passes it): :func:`share_cores` with its host's task threads."""
    host = str(getattr(dask_worker, "ip", "") or "")
    return share_cores(threads_on_hosts.get(host, 1))


def _restart_hung_worker(client: Any, future: Any, task: Task) -> None:
    """Restart the Dask worker where ``task`` left a thread stuck in Tesseract, if a nanny watches it (a
    worker without one would only be removed); otherwise say that it should be restarted."""
    with contextlib.suppress(Exception):  # the batch goes on whatever the cluster answers
        where = list(client.who_has([future]).get(future.key) or [])
        workers = client.scheduler_info(n_workers=-1).get("workers", {})
        watched = [address for address in where if workers.get(address, {}).get("nanny")]
        if watched:
            log.warning("%s: restarting Dask worker %s (a thread stuck in Tesseract)", task.key, watched[0])
            client.restart_workers(watched, timeout=60, raise_for_error=False)
            return
        log.warning(
            "%s: Dask worker %s keeps a thread stuck in Tesseract; restart it (it has no nanny)",
            task.key,
            ", ".join(where) or "?",
        )


@dataclass
class _DaskWarmUp:
    """The warm-up (:func:`~ocr_pipeline.taskgraph.warm_up`) of one idle Dask worker, once a run, and the
    preference of the finishing tasks that follow for that worker (loose: others may take them)."""

    key: str
    future: Any = None
    worker: str | None = None

    def start(self, client: Any) -> bool:
        """Submit it (the scheduler gives it to an idle worker), if not done yet; whether it was now."""
        if self.future is not None:
            return False
        self.future = client.submit(warm_up, key=self.key, pure=False)
        return True

    def placement(self, client: Any, trace: TraceFile | None = None) -> dict[str, Any]:
        """``client.submit`` arguments sending a task preferably to the warmed worker."""
        if self.worker is None and self.future is not None and self.future.status == "finished":
            with contextlib.suppress(Exception):  # a worker gone: no preference
                self.worker = next(iter(client.who_has([self.future]).get(self.future.key) or []), None)
        if self.worker and trace:
            trace.event("warm-up placed", worker=self.worker)
        return {"workers": [self.worker], "allow_other_workers": True} if self.worker else {}

    def futures(self) -> list[Any]:
        """Its future, to cancel."""
        return [self.future] if self.future is not None else []
