"""The task graph of a batch, which every executor (local processes, a Dask cluster) runs.

A PDF or image document is page tasks (rasterise → orientation → deskew → cleanup → OCR, one per PDF page,
see :func:`ocr_pipeline.pipeline.ocr_page_unit`) and one finishing task (restoration, structure, outputs:
:func:`ocr_pipeline.jobs.finish_job`) that depends on all of them; a ``.txt`` document is one task (it has
no image work). :func:`run_task` runs any task in a worker and never raises; :class:`BatchGraph` is the
parent's side: which task is ready next, what a finished task completes, and what a task lost with its
worker costs (it is run again once; lost twice, its document fails).

Order: documents are started in input order, a new one only when no task of the started ones waits, so
that the pages of one large PDF spread over every worker and the parent holds the page results (text, no
image) of a few documents at a time; a document's heaviest pages go first (:func:`page_weights`), so the
last ones, which run while the other workers wait for its finishing task, are short; finishing tasks and
retries go before the rest.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .imaging import tesseract_api
from .imaging.rasterise import PDF_SUFFIXES, TEXT_SUFFIXES
from .jobs import Job, JobResult, crashed_result, failure_result, finish_job, process_job, refine_job
from .models import PageResult
from .tasktrace import Timing, TraceFile, timing

log = logging.getLogger(__name__)

#: Kinds of task: the page task of a PDF page (or an image file), the finishing task of a document, the
#: whole-document task of a ``.txt`` document, and the batch's second pass over a document in a legacy regime
#: (:func:`ocr_pipeline.jobs.refine_job`: a job with a batch context).
PAGES, FINISH, DOCUMENT, REFINE = "pages", "finish", "document", "refine"
#: How many times a task lost with its worker is run again before its document fails.
RETRIES = 1


@dataclass(frozen=True)
class Task:
    """One unit of work, picklable: everything a worker needs to run it.

    Attributes:
        key: Unique within a batch, e.g. ``d3-p12`` (document 3, page 12), ``d3-finish``.
        kind: :data:`PAGES`, :data:`FINISH` or :data:`DOCUMENT`.
        document: The document's index in the batch.
        job: The document.
        unit: For a page task, its index among the document's page tasks.
        numbers: For a page task, the PDF page numbers it reads (``()``: every page of an image file).
        pages: For a finishing task, the document's page results in order.
        seconds: For a finishing task, the time its page tasks took.
        attempt: 0, or how many times it was lost with its worker before.
    """

    key: str
    kind: str
    document: int
    job: Job
    unit: int = 0
    numbers: tuple[int, ...] = ()
    pages: tuple[PageResult, ...] = ()
    seconds: float = 0.0
    attempt: int = 0


@dataclass
class TaskOutcome:
    """What a task gives back: the page results of a page task, or the document's result (a finishing or
    whole-document task, or a page task that failed its document)."""

    pages: list[PageResult] | None = None
    result: JobResult | None = None
    seconds: float = 0.0
    #: Where and how long it ran (for a trace of the batch).
    timing: Timing | None = None
    #: A page task that ran past its time limit on a Dask worker and was read again there: a thread of
    #: that worker is stuck in Tesseract (see ``executors.run_task_watched``).
    left_hung: bool = False


def run_task(task: Task) -> TaskOutcome:
    """Run one task (in a worker process or on a cluster worker). Never raises for a bad document."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # parallelism comes from the workers
    # a task lost with its worker once runs Tesseract as a command: a crash inside libtesseract, which
    # took the worker down, is then an error of that call, not a second lost worker
    engine = tesseract_api.prefer_command() if task.attempt else contextlib.nullcontext()
    with timing() as timed, engine:
        outcome = _run(task)
    outcome.timing = timed
    return outcome


def _run(task: Task) -> TaskOutcome:
    start = time.monotonic()
    if task.kind == DOCUMENT:
        return TaskOutcome(result=process_job(task.job), seconds=time.monotonic() - start)
    if task.kind == REFINE:
        return TaskOutcome(result=refine_job(task.job), seconds=time.monotonic() - start)
    if task.kind == FINISH:
        result = finish_job(task.job, list(task.pages), task.seconds)
        return TaskOutcome(result=result, seconds=time.monotonic() - start)
    from . import pipeline

    try:
        pages = pipeline.ocr_page_unit(task.job.source, task.job.options, task.numbers)
    except Exception as exc:  # the document fails; the batch goes on
        seconds = time.monotonic() - start
        return TaskOutcome(result=failure_result(task.job, exc, round(seconds, 2)), seconds=seconds)
    return TaskOutcome(pages=pages, seconds=time.monotonic() - start)


def core_share(threads_on_host: int) -> int:
    """OpenCV threads for a process when this many task threads (worker processes, Dask worker threads)
    work on the machine at once: 1 where every core has a worker (parallelism comes from the workers, as
    Tesseract's ``OMP_THREAD_LIMIT=1``); more where cores would otherwise stay idle (one worker on two cores
    keeps both for OpenCV, as before)."""
    return max(1, (os.cpu_count() or 1) // max(1, threads_on_host))


def share_cores(threads_on_host: int) -> int:
    """Give OpenCV's thread pool in this process its :func:`core_share`; returns it. Not for a forked child
    of a process that used OpenCV (:func:`opencv_threads_for_fork`)."""
    share = core_share(threads_on_host)
    with contextlib.suppress(Exception):  # OpenCV missing or too old: its own default
        import cv2

        cv2.setNumThreads(share)
    return share


@contextlib.contextmanager
def opencv_threads_for_fork(threads_on_host: int) -> Iterator[None]:
    """OpenCV's :func:`core_share` set in this process for the workers forked inside, and its own count
    back after. A forked child must not set it itself: it inherits the pool of a parent that used OpenCV
    without the pool's threads, and reconfiguring that pool waits for them forever."""
    try:
        import cv2
    except ImportError:  # pragma: no cover - a dependency
        yield
        return
    before = cv2.getNumThreads()
    cv2.setNumThreads(core_share(threads_on_host))
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def warm_up() -> None:
    """Load what a finishing task needs and a page task does not (the restoration model, OCRmyPDF for the
    searchable PDF), in a worker that has nothing to do: the finishing task it runs next pays none of it."""
    with contextlib.suppress(Exception):  # only a head start: the task loads whatever is missing
        from diacritics.restorer import Restorer

        from .outputs import alto, pdf, pdf_engine  # noqa: F401  (pdf_engine imports OCRmyPDF)

        Restorer.default()


@dataclass
class _OpenDocument:
    """A started document: its page results as they come in."""

    job: Job
    slots: list[list[PageResult] | None]
    seconds: float = 0.0
    finishing: bool = False

    def all_read(self) -> bool:
        return all(slot is not None for slot in self.slots)


def default_page_units(path: Path) -> list[tuple[int, ...]]:
    """The page tasks of a document (see :func:`ocr_pipeline.pipeline.page_units`)."""
    from . import pipeline

    return pipeline.page_units(path)


#: ``pdfimages -list``'s size column: ``947K``, ``1.2M``, ``512B``.
_SIZE_UNITS = {"B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def page_weights(path: Path) -> dict[int, float]:
    """Bytes of the images on each page of a PDF (``pdfimages -list``, a few milliseconds): a scan's image
    grows with the ink on it, and so does the page task's work. Empty for other files, or where poppler
    cannot say."""
    if path.suffix.lower() not in PDF_SUFFIXES:
        return {}
    try:
        listing = subprocess.run(
            ["pdfimages", "-list", str(path)], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    weights: dict[int, float] = {}
    for line in listing.splitlines()[2:]:
        fields = line.split()
        if len(fields) < 14 or not fields[0].isdigit() or fields[-2][-1:] not in _SIZE_UNITS:
            continue
        with contextlib.suppress(ValueError):
            size = float(fields[-2][:-1]) * _SIZE_UNITS[fields[-2][-1]]
            weights[int(fields[0])] = weights.get(int(fields[0]), 0.0) + size
    return weights


@dataclass
class BatchGraph:
    """The parent's side of the task graph of one batch.

    Attributes:
        jobs: The documents to process, in order.
        plan: The page tasks of a PDF or image document (``pdfinfo``, in the parent, when it starts).
    """

    jobs: list[Job]
    plan: Callable[[Path], list[tuple[int, ...]]] = default_page_units
    #: Where the task events go (``VNOCR_TRACE``), or None.
    trace: TraceFile | None = None
    #: An estimate of each page's work (:func:`page_weights`): a document's heaviest pages go out first,
    #: so that its last pages, running while other workers have nothing left, are short.
    weigh: Callable[[Path], dict[int, float]] = page_weights
    _waiting: deque[int] = field(init=False)
    _open: dict[int, _OpenDocument] = field(init=False, default_factory=dict)
    _ready: deque[Task] = field(init=False, default_factory=deque)
    _done: list[JobResult] = field(init=False, default_factory=list)
    _in_flight: int = field(init=False, default=0)
    stopping: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self._waiting = deque(range(len(self.jobs)))

    @property
    def in_flight(self) -> int:
        """Tasks handed out and not yet completed, lost, failed or abandoned."""
        return self._in_flight

    @property
    def finished(self) -> bool:
        """Nothing left to run or to wait for (no document waits, or the batch is stopping)."""
        return not self._in_flight and not self._ready and (self.stopping or not self._waiting)

    def stop(self) -> None:
        """Start no new document and no new task; the tasks running are abandoned by the executor."""
        self.stopping = True
        self._ready.clear()

    def next_task(self) -> Task | None:
        """The next task to run, or None when none is ready (all running, or all done)."""
        while not self.stopping:
            while self._ready:
                task = self._ready.popleft()
                if task.document in self._open:  # not a task of a document failed meanwhile
                    self._in_flight += 1
                    if self.trace:
                        self.trace.task("sent", task.key, task.kind, None, attempt=task.attempt)
                    return task
            if not self._waiting:
                return None
            self._start(self._waiting.popleft())
        return None

    def _start(self, index: int) -> None:
        job = self.jobs[index]
        if job.batch_context is not None:  # the batch's second pass: one task over the written record
            self._open[index] = _OpenDocument(job, [])
            self._ready.append(Task(f"d{index}-refine", REFINE, index, job))
            return
        if job.source.suffix.lower() in TEXT_SUFFIXES:
            self._open[index] = _OpenDocument(job, [])
            self._ready.append(Task(f"d{index}", DOCUMENT, index, job))
            return
        start = time.monotonic()
        try:
            units = self.plan(job.source)
        except Exception as exc:  # an unreadable PDF fails its document only
            self._done.append(failure_result(job, exc, round(time.monotonic() - start, 2)))
            return
        self._open[index] = _OpenDocument(job, [None] * len(units))
        weights = self.weigh(job.source) if len(units) > 1 else {}
        order = sorted(range(len(units)), key=lambda u: -sum(weights.get(n, 0.0) for n in units[u]))
        if self.trace:
            self.trace.event("planned", document=index, units=len(units), seconds=time.monotonic() - start)
        for unit in order:  # stable: page order where the weights say nothing
            numbers = units[unit]
            name = f"p{numbers[0]}" if numbers else "pages"
            self._ready.append(Task(f"d{index}-{name}", PAGES, index, job, unit, numbers))

    def complete(self, task: Task, outcome: TaskOutcome) -> None:
        """Take in a task's outcome."""
        self._in_flight -= 1
        if self.trace:
            self.trace.task("done", task.key, task.kind, outcome.timing)
        doc = self._open.get(task.document)
        if doc is None:
            return  # its document failed meanwhile
        doc.seconds += outcome.seconds
        if outcome.result is not None:  # a finished document, or a page task that failed it
            del self._open[task.document]
            self._done.append(outcome.result)
            return
        doc.slots[task.unit] = outcome.pages or []
        if doc.all_read() and not doc.finishing:
            doc.finishing = True
            pages = tuple(page for slot in doc.slots for page in slot or [])
            finish = Task(f"d{task.document}-finish", FINISH, task.document, doc.job, pages=pages)
            self._ready.appendleft(replace(finish, seconds=round(doc.seconds, 2)))

    def lost(self, task: Task, *, final: bool = False) -> None:
        """A task whose worker died: run again once in another worker (at once), else its document fails.

        Args:
            task: The task.
            final: The executor already ran it again (a Dask cluster does): its document fails now.
        """
        self._in_flight -= 1
        if task.document not in self._open:
            return
        if not final and task.attempt < RETRIES:
            log.warning("%s: a worker died running it; running it again", task.key)
            self._ready.appendleft(replace(task, attempt=task.attempt + 1))
            return
        doc = self._open.pop(task.document)
        self._done.append(crashed_result(doc.job, round(doc.seconds, 2)))

    def failed(self, task: Task, error: BaseException) -> None:
        """A task that raised instead of returning (on a cluster: vnocr missing on a worker): its document
        fails with that error."""
        self._in_flight -= 1
        doc = self._open.pop(task.document, None)
        if doc is not None:
            self._done.append(failure_result(doc.job, error, round(doc.seconds, 2)))

    def abandon(self, task: Task) -> None:
        """A task the executor gave up when the batch stopped."""
        self._in_flight -= 1

    def drain(self) -> Iterator[JobResult]:
        """The documents finished (or failed) since the last call."""
        done, self._done = self._done, []
        yield from done
