"""One document of a batch: where it is, where its outputs go, and how its outputs are written.

:func:`process_job` runs a whole document in the calling process; :func:`finish_job` turns the page results
that page tasks (see :mod:`ocr_pipeline.taskgraph`) produced into the document and writes it. Both write the
outputs atomically (the JSON last) and never raise for a bad document or a fault of the machine: the failure
is returned as a ``failed`` :class:`JobResult`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .exceptions import OutOfMemoryError, OutputWriteError, as_vnocr_error, output_write_error
from .models import Document, PageResult
from .options import ProcessOptions
from .outputs import FORMATS
from .tasktrace import phase
from .textio import atomic_write_text

if TYPE_CHECKING:
    from diacritics.batch_adapt import BatchContext, BatchEvidence

log = logging.getLogger(__name__)

OUTPUT_SUFFIXES = (".txt", ".md", ".json")


def display_path(text: str) -> str:
    """``text`` as valid Unicode: the undecodable bytes of a file name (which :func:`os.fsdecode` keeps as
    lone surrogates) written as ``\\xNN``, e.g. ``b-\\xe9.txt``."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def raw_path_b64(text: str) -> str | None:
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
        formats: The outputs to write.
    """

    source: Path
    relative: Path
    output_dir: Path
    options: ProcessOptions
    output_name: Path | None = None
    #: The outputs to write (see ``outputs.parse_formats``; ``json`` is always among them).
    formats: tuple[str, ...] = FORMATS
    #: Keep what its restoration offers its batch (:func:`evidence_path`), for the batch's second pass.
    batch_evidence: bool = False
    #: For the batch's second pass: what its batch gives its restoration (None: a first pass).
    batch_context: BatchContext | None = None

    @property
    def output_stem(self) -> Path:
        """Output path without suffix: ``OUTPUT_DIR/a/b/x`` for ``a/b/x.pdf``."""
        return self.output_dir / (self.output_name or self.relative.with_suffix(""))

    def outputs(self) -> list[Path]:
        """The text output files of the document (``x.txt``, ``x.md``, ``x.json``: those in ``formats``)."""
        stem = self.output_stem
        return [stem.with_name(stem.name + s) for s in OUTPUT_SUFFIXES if s[1:] in self.formats]

    @property
    def json_path(self) -> Path:
        """``x.json``: its presence, with the source fingerprint, marks the document complete."""
        return self.output_stem.with_name(self.output_stem.name + ".json")

    @property
    def document_id(self) -> str:
        """The document's name in the review app and its corrections: its outputs' path without suffix."""
        return (self.output_name or self.relative.with_suffix("")).as_posix()


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


def leads_out(path: Path, root: Path) -> bool:
    """Whether ``path``'s folder, links resolved, lies outside ``root`` (an output folder)."""
    folder = path.parent.resolve()
    root = root.resolve()
    return folder != root and root not in folder.parents


def relative_outputs(job: Job) -> list[str]:
    """The job's output files, relative to the output folder (as the manifest names them)."""
    return [str(p.relative_to(job.output_dir)) for p in job.outputs()]


def write_outputs(job: Job, doc: Document) -> list[Path]:
    """Write the job's outputs, never through a link leading out of the output folder: ``x.txt``,
    ``x.md``, the archive files (searchable PDF, ALTO), then ``x.json`` last (its presence marks the
    document complete). Returns the archive files written.

    Raises:
        OutputWriteError: An output cannot be written.
    """
    from .outputs import write_document_outputs

    stem = job.output_stem
    if leads_out(stem, job.output_dir):
        folder = display_path(str(stem.parent))
        raise OutputWriteError(
            f"{folder}: a symbolic link leads out of OUTPUT_DIR; vnocr does not write through it",
            hint="remove the link, or make it a real folder",
        )
    text = doc.text + ("\n" if doc.text and not doc.text.endswith("\n") else "")
    makers: dict[str, Callable[[], str]] = {".txt": lambda: text, ".md": doc.to_markdown}
    try:
        with phase("txt, md outputs"):
            for suffix, make in makers.items():
                if suffix[1:] in job.formats:
                    atomic_write_text(stem.with_name(stem.name + suffix), make())
        with phase("pdf, alto outputs"):
            archive = write_document_outputs(doc, job.source, stem, job.formats)  # notes go into x.json
        with phase("json output"):
            atomic_write_text(job.json_path, doc.to_json() + "\n")
    except OSError as exc:
        raise output_write_error(display_path(str(getattr(exc, "filename", None) or stem)), exc) from exc
    return archive


def after_outputs_written(job: Job, doc: Document) -> None:
    """The point where a document's outputs are all written (in the worker that finished it): further
    per-document outputs and passes over the written record go here. Raising fails the document.

    A reviewer's corrections of this document (``vnocr review``) are applied again to the new outputs.
    """
    from .review import reapply_corrections

    reapply_corrections(job.output_dir, job.document_id)


def failure_result(job: Job, exc: BaseException, seconds: float) -> JobResult:
    """The ``failed`` result for an exception met while processing ``job`` (a bug is an internal error)."""
    rel = str(job.relative)
    raw = raw_path_b64(rel)
    error = as_vnocr_error(exc)
    if error is None:  # a bug
        log.debug("unexpected error on %s", rel, exc_info=exc)
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


def crashed_result(job: Job, seconds: float = 0.0) -> JobResult:
    """The ``failed`` result of a document whose worker process died (twice) while processing it."""
    error = OutOfMemoryError(
        "the worker process died while processing it (killed, e.g. by the out-of-memory killer)"
    )
    rel = str(job.relative)
    return JobResult(
        rel, "failed", error.one_line(), int(error.exit_code), seconds=seconds, path_b64=raw_path_b64(rel)
    )


#: Folder of the output folder holding each document's batch evidence (hidden: never an input).
BATCH_FOLDER = ".vnocr-batch"


def evidence_path(job: Job) -> Path:
    """Where a document's batch evidence and second-pass state are kept:
    ``OUTPUT_DIR/.vnocr-batch/a/x.json``."""
    return job.output_dir / BATCH_FOLDER / f"{job.document_id}.json"


def read_batch_state(job: Job) -> dict[str, Any] | None:
    """A document's batch state (``{"fingerprint", "evidence", "second_pass"}``), or None (none, or
    unreadable)."""
    path = evidence_path(job)
    if leads_out(path, job.output_dir):
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def write_batch_state(job: Job, state: dict[str, Any] | None) -> None:
    """Write (atomically) or remove a document's batch state.

    Raises:
        OutputWriteError: It cannot be written.
    """
    path = evidence_path(job)
    if leads_out(path, job.output_dir):
        raise OutputWriteError(f"{display_path(str(path.parent))}: a symbolic link leads out of OUTPUT_DIR")
    try:
        if state is None:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(state, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise output_write_error(display_path(str(path)), exc) from exc


def _make_and_write(job: Job, make: Callable[[], Document], start: float) -> JobResult:
    from diacritics.api import collecting_evidence, with_batch

    context = job.batch_context
    collecting: contextlib.AbstractContextManager[list[BatchEvidence | None]] = (
        collecting_evidence() if job.batch_evidence or context is not None else contextlib.nullcontext([])
    )
    rel = str(job.relative)
    try:
        with collecting as found, with_batch(context), phase("document (restoration, structure)"):
            doc = make()
        evidence = next((e for e in found if e is not None), None)
        state = read_batch_state(job) if context is not None else None
        applied = context is None or _second_pass_better(state, evidence)
        if context is not None and applied:
            doc.restoration["batch_pass"] = {"documents": context.members}
        if applied:
            doc.source = display_path(doc.source)
            archive = write_outputs(job, doc)
            with phase("after outputs (corrections)"):
                after_outputs_written(job, doc)
        if context is not None:
            second = {"pool": context.key, "members": context.members, "applied": applied}
            write_batch_state(job, dict(state or {}, second_pass=second))
        elif job.batch_evidence:
            write_batch_state(job, _first_pass_state(doc, evidence))
    except Exception as exc:  # a bad document must not end the whole batch
        return failure_result(job, exc, round(time.monotonic() - start, 2))
    if not applied:
        return JobResult(rel, "kept", seconds=round(time.monotonic() - start, 2), path_b64=raw_path_b64(rel))
    return JobResult(
        rel,
        "ok",
        pages=len(doc.pages),
        seconds=round(time.monotonic() - start, 2),
        outputs=relative_outputs(job) + [str(p.relative_to(job.output_dir)) for p in archive],
        path_b64=raw_path_b64(rel),
    )


def _first_pass_state(doc: Document, evidence: BatchEvidence | None) -> dict[str, Any] | None:
    """The batch state of a document's first pass: its evidence (None: not in a legacy regime)."""
    if evidence is None:
        return None
    return {"fingerprint": doc.source_fingerprint, "evidence": evidence.to_dict()}


def _second_pass_better(state: dict[str, Any] | None, evidence: BatchEvidence | None) -> bool:
    """Whether a document's second restoration (its ``evidence``) is more confident than its first (whose
    evidence is in its batch ``state``)."""
    from diacritics.batch_adapt import BatchEvidence, better

    first = (state or {}).get("evidence")
    return better(BatchEvidence.from_dict(first) if isinstance(first, dict) else None, evidence)


def pages_from_record(record: dict[str, Any]) -> list[PageResult]:
    """A document's page results as its first pass had them, rebuilt from its ``x.json`` record (the OCR
    word confidences from its words), for its restoration to be made again."""
    known = {f.name for f in fields(PageResult)} - {"words", "line_confidences", "image_size", "text"}
    pages = []
    for page in record.get("pages") or []:
        result = PageResult(**{k: v for k, v in page.items() if k in known})
        if page.get("image_size"):
            result.image_size = (int(page["image_size"][0]), int(page["image_size"][1]))
        if page.get("words") is not None:
            from .outputs.refresh import document_from_record

            rebuilt = document_from_record({"pages": [page]}).pages[0]
            result.words = rebuilt.words
            result.line_confidences = [[w.confidence for w in line] for line in rebuilt.words or []]
        pages.append(result)
    return pages


def refine_job(job: Job) -> JobResult:
    """The batch's second pass over a document in a legacy regime: its restoration made again from its
    record's pages with its batch (``job.batch_context``), its outputs written again where the batch makes
    it more confident (else a ``kept`` result, outputs untouched)."""
    from . import pipeline

    start = time.monotonic()
    try:
        record = json.loads(job.json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return failure_result(job, exc, 0.0)
    pages = pages_from_record(record)
    return _make_and_write(job, lambda: pipeline.document_from_pages(job.source, pages, job.options), start)


def process_job(job: Job) -> JobResult:
    """Process one whole document in this process and write ``x.txt``, ``x.md`` and ``x.json`` atomically.

    Never raises for a bad document or a fault of the machine (an output that cannot be written, memory,
    a crashed Tesseract): the failure is returned as a ``failed`` result with a one-line reason and its exit
    code. Picklable, so it can run in any worker process.
    """
    from . import pipeline

    start = time.monotonic()
    return _make_and_write(job, lambda: pipeline.process_document(job.source, job.options), start)


def finish_job(job: Job, pages: list[PageResult], seconds_so_far: float = 0.0) -> JobResult:
    """The finishing task of a document: restoration and structure over its OCR'd pages, then its outputs.

    Args:
        job: The document.
        pages: Its page results, in page order (from its page tasks).
        seconds_so_far: Time its page tasks took (added to the result's ``seconds``).
    """
    from . import pipeline

    start = time.monotonic() - seconds_so_far
    return _make_and_write(job, lambda: pipeline.document_from_pages(job.source, pages, job.options), start)
