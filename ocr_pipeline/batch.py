"""Batch processing of a folder of documents: discovery, resume, parallel workers, manifest.

The unit of work is :func:`process_job`, a pure, picklable function over one document that writes its
outputs atomically and returns a :class:`JobResult`; any executor (a process pool here, a cluster engine
later) can run it.

Safety rules of an output folder: it may not be (or hold) the input folder; one batch at a time writes to it
(a lock, :data:`LOCK_NAME`); nothing is written through a symbolic link leading out of it; the manifest is
appended one whole JSON line per record (a line a killed run cut short is dropped on the next run); and two
inputs never share outputs (:func:`plan_jobs`).
"""

from __future__ import annotations

import base64
import contextlib
import errno
import fcntl
import json
import logging
import os
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .exceptions import (
    BadArgumentsError,
    OutOfMemoryError,
    OutputWriteError,
    VnocrError,
    as_vnocr_error,
    output_write_error,
)
from .imaging.rasterise import IMAGE_SUFFIXES, PDF_SUFFIXES, TEXT_SUFFIXES
from .options import ProcessOptions
from .textio import atomic_write_text

log = logging.getLogger(__name__)

INPUT_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES | TEXT_SUFFIXES
OUTPUT_SUFFIXES = (".txt", ".md", ".json")
MANIFEST_NAME = "manifest.jsonl"
#: The lock file a running batch holds in its output folder (hidden: never an input).
LOCK_NAME = ".vnocr.lock"
#: Ground-truth transcriptions (Tesseract's ``*.gt.txt`` convention) sit beside scans; they are not inputs.
GROUND_TRUTH_SUFFIX = ".gt.txt"


def display_path(text: str) -> str:
    """``text`` as valid Unicode: the undecodable bytes of a file name (which :func:`os.fsdecode` keeps as
    lone surrogates) written as ``\\xNN``, e.g. ``b-\\xe9.txt``."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _raw_path_b64(text: str) -> str | None:
    """Base64 of the bytes of a file name that is not valid UTF-8 (None for a valid one)."""
    raw = os.fsencode(text)
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True)
class Job:
    """One document to process: where it is and where its outputs go.

    Attributes:
        source: The input file.
        relative: Its path below the input folder.
        output_dir: The output folder.
        options: How to process it.
        output_name: Its outputs' path below the output folder, without suffix: ``a/x`` for ``a/x.pdf``, or
            the full name ``a/x.pdf`` when another input of the folder would also give ``a/x``.
    """

    source: Path
    relative: Path
    output_dir: Path
    options: ProcessOptions
    output_name: Path | None = None

    @property
    def output_stem(self) -> Path:
        """Output path without suffix: ``OUTPUT_DIR/a/b/x`` for ``a/b/x.pdf``."""
        return self.output_dir / (self.output_name or self.relative.with_suffix(""))

    def outputs(self) -> list[Path]:
        """The three output files of the document."""
        stem = self.output_stem
        return [stem.with_name(stem.name + s) for s in OUTPUT_SUFFIXES]


@dataclass
class JobResult:
    """A manifest record: ``{path, status, error, exit_code, pages, seconds, outputs}`` (plus ``path_b64``,
    the file name's bytes, when it is not valid UTF-8).

    Attributes:
        stops_batch: The failure concerns the whole output folder (not written to the manifest).
    """

    path: str
    status: str
    error: str | None = None
    exit_code: int = 0
    pages: int = 0
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)
    path_b64: str | None = None
    stops_batch: bool = False

    def to_json(self) -> str:
        """One manifest line (valid JSON, valid UTF-8, whatever the file names)."""
        record = asdict(self)
        record.pop("stops_batch")
        if record["path_b64"] is None:
            record.pop("path_b64")
        record["path"] = display_path(record["path"])
        record["outputs"] = [display_path(o) for o in record["outputs"]]
        if record["error"] is not None:
            record["error"] = display_path(record["error"])
        return json.dumps(record, ensure_ascii=False)


def discover_inputs(input_dir: Path, output_dir: Path | None = None) -> list[Path]:
    """All documents below ``input_dir`` (PDFs of any case, images, text files), sorted.

    Ignored: files inside ``output_dir`` (when it lies under ``input_dir``), hidden files, and ground-truth
    transcriptions named ``*.gt.txt``.
    """
    if not input_dir.is_dir():
        raise BadArgumentsError(f"{input_dir}: not a directory")
    found: list[Path] = []
    out_resolved = output_dir.resolve() if output_dir else None
    for root, dirs, files in os.walk(input_dir):
        root_path = Path(root)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and (root_path / d).resolve() != out_resolved
        )
        for name in sorted(files):
            if name.startswith(".") or name.lower().endswith(GROUND_TRUTH_SUFFIX):
                continue
            path = root_path / name
            if path.suffix.lower() in INPUT_SUFFIXES:
                found.append(path)
    return found


def check_folders(input_dir: Path, output_dir: Path) -> None:
    """Refuse an output folder that is the input folder or holds it (its outputs would overwrite inputs, or
    be read as inputs by the next run).

    Raises:
        BadArgumentsError: As above.
    """
    source, target = input_dir.resolve(), output_dir.resolve()
    if source == target:
        raise BadArgumentsError(
            f"{output_dir}: OUTPUT_DIR is INPUT_DIR: the outputs would overwrite or join the inputs",
            hint="choose another output folder, e.g. out/",
        )
    if target in source.parents:
        raise BadArgumentsError(
            f"{output_dir}: OUTPUT_DIR holds INPUT_DIR {input_dir}: outputs could overwrite inputs or be "
            "read as inputs by the next run",
            hint="choose an output folder outside the input folder",
        )


def _collision_key(relative_stem: Path) -> str:
    """Two outputs with the same key would be one file on a case-insensitive or normalising file system."""
    return unicodedata.normalize("NFC", display_path(str(relative_stem))).casefold()


def plan_jobs(input_dir: Path, output_dir: Path, options: ProcessOptions) -> list[Job]:
    """The jobs of a batch: every input with outputs of its own.

    An input keeps today's names (``a/x.pdf`` → ``a/x.txt``, ``a/x.md``, ``a/x.json``) unless another input
    of its folder has the same name but for the suffix (``x.pdf`` and ``x.png``; compared ignoring case);
    then each of them is named after its whole file name: ``a/x.pdf.txt``, ``a/x.pdf.md``, ``a/x.pdf.json``.

    Raises:
        BadArgumentsError: OUTPUT_DIR is, or holds, INPUT_DIR (see :func:`check_folders`); or two inputs
            would still share outputs (``x.pdf`` and ``X.PDF`` beside each other), or an output would be an
            input file.
    """
    check_folders(input_dir, output_dir)
    inputs = discover_inputs(input_dir, output_dir)
    relatives = [path.relative_to(input_dir) for path in inputs]
    by_stem: dict[str, list[int]] = {}
    for index, relative in enumerate(relatives):
        by_stem.setdefault(_collision_key(relative.with_suffix("")), []).append(index)
    names = [relative.with_suffix("") for relative in relatives]
    for indices in by_stem.values():
        if len(indices) > 1:
            for index in indices:
                names[index] = relatives[index]
    owners: dict[str, int] = {}
    for index, name in enumerate(names):
        other = owners.setdefault(_collision_key(name), index)
        if other != index:
            raise BadArgumentsError(
                f"{display_path(str(relatives[other]))} and {display_path(str(relatives[index]))} "
                "would have the same outputs",
                hint="rename one of them",
            )
    jobs = [
        Job(path, rel, output_dir, options, name)
        for path, rel, name in zip(inputs, relatives, names, strict=True)
    ]
    sources = {path.resolve() for path in inputs}
    for job in jobs:
        for output in job.outputs():
            if output.resolve() in sources:
                raise BadArgumentsError(
                    f"{display_path(str(output))}: an output of {display_path(str(job.relative))} "
                    "would overwrite an input file",
                    hint="choose an output folder outside the input folder",
                )
    return jobs


def _leads_out(path: Path, root: Path) -> bool:
    """Whether ``path``'s folder, links resolved, lies outside ``root`` (an output folder)."""
    folder = path.parent.resolve()
    root = root.resolve()
    return folder != root and root not in folder.parents


def is_complete(job: Job) -> bool:
    """Whether the job's outputs exist, are readable and belong to the current source file."""
    from .pipeline import file_fingerprint

    outputs = job.outputs()
    if _leads_out(outputs[0], job.output_dir) or not all(p.is_file() for p in outputs):
        return False
    try:
        record = json.loads(outputs[2].read_text(encoding="utf-8"))
        return bool(record.get("source_fingerprint") == file_fingerprint(job.source))
    except (OSError, ValueError, VnocrError):
        return False


def _write_outputs(job: Job, texts: list[str]) -> None:
    """Write the job's outputs (the JSON last), never through a link leading out of the output folder.

    Raises:
        OutputWriteError: An output cannot be written.
    """
    outputs = job.outputs()
    if _leads_out(outputs[0], job.output_dir):
        folder = display_path(str(outputs[0].parent))
        raise OutputWriteError(
            f"{folder}: a symbolic link leads out of OUTPUT_DIR; vnocr does not write through it",
            hint="remove the link, or make it a real folder",
        )
    for path, text in zip(outputs, texts, strict=True):
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            raise output_write_error(display_path(str(path)), exc) from exc


def _relative_outputs(job: Job) -> list[str]:
    return [str(p.relative_to(job.output_dir)) for p in job.outputs()]


def process_job(job: Job) -> JobResult:
    """Process one document and write ``x.txt``, ``x.md`` and ``x.json`` atomically.

    Never raises for a bad document or a fault of the machine (an output that cannot be written, memory,
    a crashed Tesseract): the failure is returned as a ``failed`` result with a one-line reason and its exit
    code. Picklable, so it can run in any worker process.
    """
    from .pipeline import process_document

    start = time.monotonic()
    rel = str(job.relative)
    raw = _raw_path_b64(rel)
    try:
        doc = process_document(job.source, job.options)
        doc.source = display_path(doc.source)
        # The JSON goes last: its presence (with the source fingerprint) marks the document complete.
        text = doc.text + ("\n" if doc.text and not doc.text.endswith("\n") else "")
        _write_outputs(job, [text, doc.to_markdown(), doc.to_json() + "\n"])
    except Exception as exc:  # a bad document must not end the whole batch
        error = as_vnocr_error(exc)
        seconds = round(time.monotonic() - start, 2)
        if error is None:  # a bug
            log.debug("unexpected error on %s", rel, exc_info=True)
            message = f"internal error: {type(exc).__name__}: {exc} (run with --debug and report it)"
            return JobResult(rel, "failed", message.replace("\n", " "), 1, seconds=seconds, path_b64=raw)
        message = error.one_line().removeprefix(f"{job.source.name}: ")
        return JobResult(
            rel,
            "failed",
            message,
            int(error.exit_code),
            seconds=seconds,
            path_b64=raw,
            stops_batch=isinstance(error, OutputWriteError) and error.stops_batch,
        )
    return JobResult(
        rel,
        "ok",
        pages=len(doc.pages),
        seconds=round(time.monotonic() - start, 2),
        outputs=_relative_outputs(job),
        path_b64=raw,
    )


def _worker_init() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    logging.getLogger().setLevel(logging.WARNING)


@dataclass
class BatchSummary:
    """Counts of a batch run.

    Attributes:
        stopped: The fault that stopped the batch before every document was done (a full disk, a read-only
            output folder), or None.
    """

    ok: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    seconds: float = 0.0
    results: list[JobResult] = field(default_factory=list)
    stopped: OutputWriteError | None = None

    def line(self) -> str:
        """The one-line summary printed on stdout."""
        return (
            f"{self.ok} ok, {self.failed} failed, {self.skipped} skipped; "
            f"{self.pages} pages in {self.seconds:.1f} s" + ("; stopped" if self.stopped else "")
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {k: v for k, v in asdict(self).items() if k not in ("results", "stopped")}


def _create_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_write_error(display_path(str(folder)), exc) from exc


def _open_in_output(path: Path, flags: int) -> int:
    """Open a file of the output folder itself, never through a symbolic link.

    Raises:
        OutputWriteError: It cannot be opened for writing, or it is a symbolic link.
    """
    try:
        return os.open(path, flags | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputWriteError(
                f"{display_path(str(path))}: a symbolic link; vnocr does not write through links",
                hint="remove the link",
            ) from exc
        raise output_write_error(display_path(str(path)), exc) from exc


@contextlib.contextmanager
def output_lock(output_dir: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the output folder's lock (:data:`LOCK_NAME`) for one batch.

    Args:
        output_dir: The output folder (exists).
        wait: Wait for another batch holding it to finish, instead of failing.

    Raises:
        BadArgumentsError: Another batch holds the lock and ``wait`` is false.
        OutputWriteError: The lock file cannot be created (read-only folder, full disk, a link).
    """
    path = output_dir / LOCK_NAME
    fd = _open_in_output(path, os.O_RDWR)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            if not wait:
                raise BadArgumentsError(
                    f"{display_path(str(output_dir))}: another vnocr batch (pid {holder}) is writing here",
                    hint="wait for it to finish, or run with --wait",
                ) from None
            log.warning("waiting for the vnocr batch (pid %s) writing to %s", holder, output_dir)
            fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):  # the pid is only for the message above
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)


class Manifest:
    """``manifest.jsonl`` of an output folder, appended one whole line per record.

    A line that a killed run (or a full disk) cut short is removed when the manifest is opened; a record
    that cannot be written whole is taken back, so every line is one valid JSON record.
    """

    def __init__(self, output_dir: Path) -> None:
        self.path = output_dir / MANIFEST_NAME
        self.fd = _open_in_output(self.path, os.O_RDWR | os.O_APPEND)
        try:
            self._drop_cut_line()
        except OSError as exc:
            os.close(self.fd)
            raise output_write_error(display_path(str(self.path)), exc) from exc

    def _drop_cut_line(self) -> None:
        size = end = os.fstat(self.fd).st_size
        if not size or os.pread(self.fd, 1, size - 1) == b"\n":
            return
        while end > 0:
            start = max(0, end - (1 << 16))
            newline = os.pread(self.fd, end - start, start).rfind(b"\n")
            if newline >= 0:
                end = start + newline + 1
                break
            end = start
        log.warning("%s: dropping a line cut short by an earlier run", self.path)
        os.ftruncate(self.fd, end)

    def write(self, result: JobResult) -> None:
        """Append one record.

        Raises:
            OutputWriteError: The record cannot be written (the manifest is left as it was).
        """
        data = (result.to_json() + "\n").encode("utf-8")
        size = os.fstat(self.fd).st_size
        try:
            written = os.write(self.fd, data)
            if written != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, size)
            error = output_write_error(display_path(str(self.path)), exc)
            error.stops_batch = True  # without the manifest, the batch cannot go on
            raise error from exc

    def close(self) -> None:
        """Close the file."""
        os.close(self.fd)


def run_batch(
    input_dir: Path,
    output_dir: Path,
    options: ProcessOptions,
    *,
    jobs: int | None = None,
    force: bool = False,
    wait: bool = False,
    on_result: Callable[[JobResult], None] | None = None,
) -> BatchSummary:
    """Process every document below ``input_dir`` into ``output_dir``.

    Args:
        input_dir: Folder to scan recursively for PDFs, images and ``.txt`` files.
        output_dir: Where outputs go, mirroring the input tree, plus ``manifest.jsonl``.
        options: Processing options for every document.
        jobs: Worker processes (default: CPU count).
        force: Redo documents whose outputs are already complete.
        wait: Wait for another batch writing to ``output_dir`` to finish (else fail at once).
        on_result: Called in the parent process after each document (progress reporting).

    Returns:
        Counts and per-document results. Bad documents are ``failed`` results, never exceptions; a fault of
        the whole output folder met on the way (a full disk) stops the batch and is in ``stopped``.

    Raises:
        BadArgumentsError: The folders are unfit (see :func:`plan_jobs`) or another batch holds the lock.
        OutputWriteError: The output folder, its lock or its manifest cannot be written.
    """
    start = time.monotonic()
    check_folders(input_dir, output_dir)
    _create_folder(output_dir)
    jobs = max(1, jobs or os.cpu_count() or 1)
    summary = BatchSummary()
    with output_lock(output_dir, wait=wait):
        planned = plan_jobs(input_dir, output_dir, options)
        manifest = Manifest(output_dir)

        def record(result: JobResult) -> None:
            summary.results.append(result)
            if result.status == "ok":
                summary.ok += 1
                summary.pages += result.pages
            elif result.status == "failed":
                summary.failed += 1
                log.info("%s: failed: %s", display_path(result.path), result.error)
            else:
                summary.skipped += 1
            if on_result:
                on_result(result)
            manifest.write(result)

        try:
            todo: list[Job] = []
            for job in planned:
                if not force and is_complete(job):
                    rel = str(job.relative)
                    outputs = _relative_outputs(job)
                    record(JobResult(rel, "skipped", outputs=outputs, path_b64=_raw_path_b64(rel)))
                else:
                    todo.append(job)
            results = _execute(todo, jobs)
            try:
                for result in results:
                    record(result)
                    if result.stops_batch:
                        raise OutputWriteError(result.error or "output cannot be written")
            finally:
                results.close()  # cancels what has not started
        except OutputWriteError as exc:
            summary.stopped = exc
            log.info("batch stopped: %s", exc.one_line())
        finally:
            manifest.close()
    summary.seconds = round(time.monotonic() - start, 2)
    return summary


def _crashed(job: Job) -> JobResult:
    error = OutOfMemoryError(
        "the worker process died while processing it (killed, e.g. by the out-of-memory killer)"
    )
    rel = str(job.relative)
    return JobResult(rel, "failed", error.one_line(), int(error.exit_code), path_b64=_raw_path_b64(rel))


def _run_alone(job: Job) -> JobResult:
    """Run one job in a worker process of its own (to tell which job of a broken pool kills its worker)."""
    with ProcessPoolExecutor(max_workers=1, initializer=_worker_init) as pool:
        try:
            return pool.submit(process_job, job).result()
        except BrokenProcessPool:
            return _crashed(job)


def _execute(todo: list[Job], jobs: int) -> Generator[JobResult, None, None]:
    """The results of the jobs, as they finish.

    With several workers, at most ``jobs`` documents are in the pool at a time. When a worker dies (the
    out-of-memory killer), the documents that were in the pool are run again one by one, each in a worker of
    its own: the one that kills its worker again is ``failed`` (exit code 9), the others are done.
    """
    if not todo:
        return
    if jobs == 1 or len(todo) == 1:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        for job in todo:
            yield process_job(job)
        return
    queue = deque(todo)
    suspects: deque[Job] = deque()
    while queue or suspects:
        if suspects:
            yield _run_alone(suspects.popleft())
            continue
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(queue)), initializer=_worker_init)
        running: dict[Future[JobResult], Job] = {}
        try:
            while queue or running:
                while queue and len(running) < jobs:
                    job = queue.popleft()
                    running[pool.submit(process_job, job)] = job
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                broken = False
                for future in done:
                    job = running.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        suspects.append(job)
                        broken = True
                        continue
                    yield result
                if broken:
                    log.warning("a worker process died; re-running its documents one by one")
                    suspects.extend(running.values())
                    running.clear()
                    break
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def read_manifest(output_dir: Path) -> dict[str, dict[str, Any]]:
    """The latest manifest record of each document in a batch output folder."""
    latest: dict[str, dict[str, Any]] = {}
    path = output_dir / MANIFEST_NAME
    if not path.is_file():
        raise BadArgumentsError(f"{output_dir}: no {MANIFEST_NAME} here (not a batch output folder)")
    for line in path.read_text(encoding="utf-8", errors="replace").split("\n"):
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line cut short by a killed run
        if not isinstance(record, dict) or "path" not in record:
            continue
        if record.get("status") == "skipped" and record.get("path") in latest:
            continue
        latest[record["path"]] = record
    return latest


def _json_output(output_dir: Path, record: dict[str, Any]) -> Path:
    """The ``x.json`` output a manifest record names (its file name's own bytes when it is not UTF-8)."""
    rel = str(record["path"])
    named = [str(o) for o in record.get("outputs") or [] if str(o).endswith(".json")]
    name = named[0] if named else str(Path(rel).with_suffix(".json"))
    if record.get("path_b64"):
        raw = Path(os.fsdecode(base64.b64decode(record["path_b64"])))
        for candidate in (raw.with_suffix(".json"), raw.with_name(raw.name + ".json")):
            if display_path(str(candidate)) == name:
                return output_dir / candidate
    return output_dir / name


def report_lines(output_dir: Path) -> list[str]:
    """A short human summary of a batch output folder: one line per document, then totals."""
    records = read_manifest(output_dir)
    lines = []
    for rel, rec in sorted(records.items()):
        if rec["status"] == "failed":
            lines.append(f"  FAILED  {rel}: {rec.get('error')}")
            continue
        js = _json_output(output_dir, rec)
        try:
            doc = json.loads(js.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            lines.append(f"  ?       {rel}: output missing")
            continue
        confs = [p["mean_confidence"] for p in doc["pages"] if p.get("mean_confidence") is not None]
        meta = doc.get("metadata") or {}
        title = ": ".join(part for part in (meta.get("doc_type"), meta.get("title")) if part)
        lines.append(
            f"  ok      {rel}: {len(doc['pages'])} page(s)"
            + (f", OCR confidence {sum(confs) / len(confs):.0f}" if confs else "")
            + f", {len(doc.get('sections') or [])} top-level sections"
            + (f" — {title[:70]}" if title else "")
        )
    ok = sum(r["status"] != "failed" for r in records.values())
    lines.append(
        f"{len(records)} document(s): {ok} done, {len(records) - ok} failed — outputs in {output_dir}"
    )
    return lines
