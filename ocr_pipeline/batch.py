"""Batch processing of a folder of documents: discovery, resume, the task graph's run, manifest.

A batch plans one :class:`Job` per input, skips those already complete, and runs the rest as the task graph
of :mod:`ocr_pipeline.taskgraph` (pages are the unit of parallel work) on an executor of
:mod:`ocr_pipeline.executors`: worker processes here, or a Dask cluster (``scheduler``). Each document's
result is appended to the manifest as it finishes. SIGINT or SIGTERM stops the batch within a second or two:
no new document or task starts, the running ones are abandoned (their workers and Tesseracts killed), every
finished document is in the manifest, and :attr:`BatchSummary.interrupted` says which signal; a re-run
resumes.

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
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .exceptions import BadArgumentsError, OutputWriteError, VnocrError, output_write_error
from .executors import DaskExecutor, LocalExecutor, stop_on_signals
from .imaging.rasterise import IMAGE_SUFFIXES, PDF_SUFFIXES, TEXT_SUFFIXES
from .jobs import (
    OUTPUT_SUFFIXES,
    Job,
    JobResult,
    display_path,
    evidence_path,
    leads_out,
    process_job,
    raw_path_b64,
    read_batch_state,
    relative_outputs,
)
from .options import ProcessOptions
from .outputs import FORMATS, archive_outputs_complete
from .outputs.catalog import Catalog, catalog_lines
from .taskgraph import BatchGraph
from .tasktrace import open_trace, parent_cpu

__all__ = [
    "OUTPUT_SUFFIXES",
    "BatchSummary",
    "Job",
    "JobResult",
    "display_path",
    "plan_jobs",
    "process_job",
    "read_manifest",
    "report_lines",
    "run_batch",
    "second_pass_jobs",
]

log = logging.getLogger(__name__)

INPUT_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES | TEXT_SUFFIXES
MANIFEST_NAME = "manifest.jsonl"
#: The lock file a running batch holds in its output folder (hidden: never an input).
LOCK_NAME = ".vnocr.lock"
#: How much a legacy-regime group must have grown since a document's second pass for it to be redone.
REDO_GROWTH = 1.5
#: Ground-truth transcriptions (Tesseract's ``*.gt.txt`` convention) sit beside scans; they are not inputs.
GROUND_TRUTH_SUFFIX = ".gt.txt"


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


def is_complete(job: Job) -> bool:
    """Whether the job's outputs exist, are readable and belong to the current source file."""
    from .pipeline import file_fingerprint

    outputs = job.outputs()
    if leads_out(job.json_path, job.output_dir) or not all(p.is_file() for p in outputs):
        return False
    try:
        record = json.loads(job.json_path.read_text(encoding="utf-8"))
        return bool(record.get("source_fingerprint") == file_fingerprint(job.source)) and (
            archive_outputs_complete(record, job.output_stem, job.formats)
        )
    except (OSError, ValueError, VnocrError):
        return False


@dataclass
class BatchSummary:
    """Counts of a batch run.

    Attributes:
        stopped: The fault that stopped the batch before every document was done (a full disk, a read-only
            output folder), or None.
        interrupted: The signal (SIGINT, SIGTERM) that stopped the batch, or 0.
        readapted: Documents the batch's second pass wrote again (counted once in ``ok`` or ``skipped``).
    """

    ok: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    seconds: float = 0.0
    results: list[JobResult] = field(default_factory=list)
    stopped: OutputWriteError | None = None
    interrupted: int = 0
    #: Documents in a legacy regime written again by the batch's second pass (:func:`second_pass_jobs`).
    readapted: int = 0

    def line(self) -> str:
        """The one-line summary printed on stdout."""
        return (
            f"{self.ok} ok, {self.failed} failed, {self.skipped} skipped; "
            f"{self.pages} pages in {self.seconds:.1f} s"
            + (f"; {self.readapted} restored again with the batch" if self.readapted else "")
            + ("; stopped" if self.stopped else "")
            + ("; interrupted" if self.interrupted else "")
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {k: v for k, v in asdict(self).items() if k not in ("results", "stopped", "interrupted")}


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
    scheduler: str | None = None,
    formats: tuple[str, ...] = FORMATS,
    batch_adapt: bool = True,
) -> BatchSummary:
    """Process every document below ``input_dir`` into ``output_dir``.

    Args:
        input_dir: Folder to scan recursively for PDFs, images and ``.txt`` files.
        output_dir: Where outputs go, mirroring the input tree, plus ``manifest.jsonl``.
        options: Processing options for every document.
        jobs: Worker processes (default: CPU count); not used with ``scheduler``.
        force: Redo documents whose outputs are already complete.
        wait: Wait for another batch writing to ``output_dir`` to finish (else fail at once).
        on_result: Called in the parent process after each document (progress reporting).
        scheduler: A Dask scheduler's address (``tcp://HOST:PORT``) to run the tasks on, or None for worker
            processes on this machine. Both folders must then be on a path every Dask worker sees.
        formats: The outputs to write per document (``outputs.parse_formats``).
        batch_adapt: Once every document is done, restore those in a legacy regime again with what the
            batch's others of their regime read confidently (:func:`second_pass_jobs`).

    Returns:
        Counts and per-document results. Bad documents are ``failed`` results, never exceptions; a fault of
        the whole output folder met on the way (a full disk) stops the batch and is in ``stopped``; SIGINT or
        SIGTERM stops it too and is in ``interrupted``.

    Raises:
        BadArgumentsError: The folders are unfit (see :func:`plan_jobs`), another batch holds the lock, or no
            Dask scheduler answers at ``scheduler``.
        OutputWriteError: The output folder, its lock or its manifest cannot be written.
    """
    start = time.monotonic()
    trace = open_trace()
    try:
        if trace:
            trace.event("batch", scheduler=scheduler, jobs=jobs)
        check_folders(input_dir, output_dir)
        _create_folder(output_dir)
        workers = max(1, jobs or os.cpu_count() or 1)
        executor = DaskExecutor(scheduler) if scheduler else LocalExecutor(workers)
        summary = BatchSummary()
        with output_lock(output_dir, wait=wait), stop_on_signals() as stop:
            adapt = batch_adapt and options.restore
            planned = [
                replace(job, formats=formats, batch_evidence=adapt)
                for job in plan_jobs(input_dir, output_dir, options)
            ]
            manifest = Manifest(output_dir)
            catalog: Catalog | None = None  # the register and search index, updated as documents finish

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
                written = time.monotonic()
                manifest.write(result)
                if catalog is not None:
                    update_catalog(catalog, output_dir, result)
                if trace:
                    trace.event(
                        "recorded", path=result.path, status=result.status, seconds=time.monotonic() - written
                    )

            def record_second_pass(result: JobResult) -> None:
                # a document written again: its manifest line and catalog row follow (it was counted
                # once); one the second pass kept or failed keeps its first outputs and its manifest line
                if result.status == "ok":
                    summary.readapted += 1
                    manifest.write(result)
                    if catalog is not None:
                        update_catalog(catalog, output_dir, result)
                elif result.status != "kept":
                    log.warning("%s: batch adaptation failed: %s", display_path(result.path), result.error)

            def run_jobs(jobs: list[Job], on_result: Callable[[JobResult], None]) -> None:
                # the jobs' task graph on the executor, each result handed on as it comes
                results = executor.run(BatchGraph(jobs, trace=trace), stop)
                try:
                    for result in results:
                        on_result(result)
                        if result.stops_batch:
                            raise OutputWriteError(result.error or "output cannot be written")
                finally:
                    results.close()  # kills the workers, removes their scratch folder

            try:
                catalog = open_catalog(output_dir)
                todo: list[Job] = []
                for job in planned:
                    if stop.requested:
                        break
                    if not force and is_complete(job):
                        rel = str(job.relative)
                        outputs = relative_outputs(job)
                        record(JobResult(rel, "skipped", outputs=outputs, path_b64=raw_path_b64(rel)))
                    else:
                        todo.append(job)
                if todo and not stop.requested:
                    run_jobs(todo, record)
                if adapt and not stop.requested:
                    second = second_pass_jobs(planned)
                    if second:
                        log.info("batch adaptation: %d document(s) in a legacy regime to redo", len(second))
                        run_jobs(second, record_second_pass)
            except OutputWriteError as exc:
                summary.stopped = exc
                log.info("batch stopped: %s", exc.one_line())
            finally:
                manifest.close()
                if catalog is not None:
                    with contextlib.suppress(sqlite3.Error):  # what it could not write is written on a re-run
                        catalog.close()
                summary.interrupted = stop.signum
        summary.seconds = round(time.monotonic() - start, 2)
    finally:  # closed whatever ends the batch (bad folders, a held lock, an output that cannot be written)
        if trace:
            trace.event("batch end", cpu=parent_cpu())
            trace.close()
    return summary


def second_pass_jobs(planned: list[Job]) -> list[Job]:
    """The batch's second pass: its complete documents in a legacy regime (those whose first pass left batch
    evidence, see :func:`ocr_pipeline.jobs.evidence_path`), each with the batch context pooled from its
    group (:func:`diacritics.batch_adapt.pool`), but those already restored again with the same pool (a
    re-run resumes) or with a group at least 1/:data:`REDO_GROWTH` as large (documents added to a batch
    send its others through the second pass again only once their group has grown by half)."""
    from diacritics.batch_adapt import BatchEvidence, pool

    found: list[tuple[Job, dict[str, Any]]] = []
    for job in planned:
        if not evidence_path(job).is_file():
            continue
        state = read_batch_state(job)
        if state is None or not isinstance(state.get("evidence"), dict) or not is_complete(job):
            continue
        try:
            record = json.loads(job.json_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if state.get("fingerprint") != record.get("source_fingerprint"):
            continue  # evidence of an earlier version of the file
        found.append((job, state))
    contexts = pool([BatchEvidence.from_dict(state["evidence"]) for _job, state in found])
    second = []
    for (job, state), context in zip(found, contexts, strict=True):
        done = state.get("second_pass")
        if context is None:
            continue
        if isinstance(done, dict) and (
            done.get("pool") == context.key or context.members < REDO_GROWTH * int(done.get("members") or 0)
        ):
            continue  # done with this pool, or with one of nearly as many documents
        second.append(replace(job, batch_evidence=False, batch_context=context))
    return second


def _sqlite_reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    return f"disk full ({text})" if "full" in text else text


def _catalog_error(output_dir: Path, exc: sqlite3.Error) -> OutputWriteError:
    """The whole output folder is at fault (a full disk, a read-only folder): the batch stops."""
    error = OutputWriteError(
        f"{output_dir.name}/catalog.sqlite: cannot be written: {_sqlite_reason(exc)}",
        hint="free some space, or make the output folder writable, and run again",
    )
    error.stops_batch = True
    return error


def open_catalog(output_dir: Path) -> Catalog:
    """The folder's register and search index.

    Raises:
        OutputWriteError: It cannot be created or written.
    """
    try:
        return Catalog(output_dir)
    except sqlite3.Error as exc:
        raise _catalog_error(output_dir, exc) from exc


def update_catalog(catalog: Catalog, output_dir: Path, result: JobResult) -> None:
    """Put a finished document into the register and index (a skipped one only if the catalog lacks it)."""
    if result.status not in ("ok", "skipped"):
        return
    json_name = next((name for name in result.outputs if name.endswith(".json")), None)
    if json_name is None:
        return
    key = display_path(result.path)  # a file name that is not UTF-8 is kept as \xNN, as in the manifest
    try:
        if result.status == "ok":
            catalog.add_from_json(key, output_dir / json_name)
        else:
            catalog.ensure_from_json(key, output_dir / json_name)
    except sqlite3.Error as exc:
        raise _catalog_error(output_dir, exc) from exc


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
    lines += catalog_lines(output_dir)
    return lines
