"""Batch processing of a folder of documents: discovery, resume, parallel workers, manifest.

The unit of work is :func:`process_job`, a pure, picklable function over one document that writes its
outputs atomically and returns a :class:`JobResult`; any executor (a process pool here, a cluster engine
later) can run it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .exceptions import BadArgumentsError, VnocrError
from .imaging.rasterise import IMAGE_SUFFIXES, PDF_SUFFIXES, TEXT_SUFFIXES
from .options import ProcessOptions
from .outputs import FORMATS, archive_outputs_complete, write_document_outputs
from .outputs.catalog import Catalog, catalog_lines
from .textio import atomic_write_text

log = logging.getLogger(__name__)

INPUT_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES | TEXT_SUFFIXES
OUTPUT_SUFFIXES = (".txt", ".md", ".json")
MANIFEST_NAME = "manifest.jsonl"
#: Ground-truth transcriptions (Tesseract's ``*.gt.txt`` convention) sit beside scans; they are not inputs.
GROUND_TRUTH_SUFFIX = ".gt.txt"


@dataclass(frozen=True)
class Job:
    """One document to process: where it is and where its outputs go."""

    source: Path
    relative: Path
    output_dir: Path
    options: ProcessOptions
    #: The outputs to write (see ``outputs.parse_formats``; ``json`` is always among them).
    formats: tuple[str, ...] = FORMATS

    @property
    def output_stem(self) -> Path:
        """Output path without suffix: ``OUTPUT_DIR/a/b/x`` for ``a/b/x.pdf``."""
        return self.output_dir / self.relative.with_suffix("")

    def outputs(self) -> list[Path]:
        """The text output files of the document (``x.txt``, ``x.md``, ``x.json``; those in ``formats``)."""
        stem = self.output_stem
        return [stem.with_name(stem.name + s) for s in OUTPUT_SUFFIXES if s[1:] in self.formats]

    @property
    def json_path(self) -> Path:
        """``x.json``: its presence, with the source fingerprint, marks the document complete."""
        return self.output_stem.with_name(self.output_stem.name + ".json")


@dataclass
class JobResult:
    """A manifest record: ``{path, status, error, pages, seconds, outputs}``."""

    path: str
    status: str
    error: str | None = None
    exit_code: int = 0
    pages: int = 0
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        """One manifest line."""
        return json.dumps(asdict(self), ensure_ascii=False)


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


def is_complete(job: Job) -> bool:
    """Whether the job's outputs exist, are readable and belong to the current source file."""
    from .pipeline import file_fingerprint

    outputs = job.outputs()
    if not all(p.is_file() for p in outputs):
        return False
    try:
        record = json.loads(job.json_path.read_text(encoding="utf-8"))
        return bool(record.get("source_fingerprint") == file_fingerprint(job.source)) and (
            archive_outputs_complete(record, job.output_stem, job.formats)
        )
    except (OSError, ValueError, VnocrError):
        return False


def process_job(job: Job) -> JobResult:
    """Process one document and write ``x.txt``, ``x.md`` and ``x.json`` atomically.

    Never raises for a bad document: the failure is returned as a ``failed`` result with a one-line
    reason. Picklable, so it can run in any worker process.
    """
    from .pipeline import process_document
    from .review import reapply_corrections

    start = time.monotonic()
    rel = str(job.relative)
    try:
        doc = process_document(job.source, job.options)
        stem = job.output_stem
        txt, md, js = (stem.with_name(stem.name + s) for s in OUTPUT_SUFFIXES)
        # The JSON goes last: its presence (with the source fingerprint) marks the document complete.
        if "txt" in job.formats:
            atomic_write_text(txt, doc.text + ("\n" if doc.text and not doc.text.endswith("\n") else ""))
        if "md" in job.formats:
            atomic_write_text(md, doc.to_markdown())
        archive = write_document_outputs(doc, job.source, stem, job.formats)  # x.pdf, x.alto.xml
        atomic_write_text(js, doc.to_json() + "\n")
        reapply_corrections(job.output_dir, job.relative.with_suffix("").as_posix())  # a reviewer's, kept
    except VnocrError as exc:
        message = exc.one_line().removeprefix(f"{job.source.name}: ")
        return JobResult(
            rel, "failed", message, int(exc.exit_code), seconds=round(time.monotonic() - start, 2)
        )
    except Exception as exc:  # a bug or an unforeseen file problem must not end the whole batch
        log.debug("unexpected error on %s", rel, exc_info=True)
        message = f"internal error: {type(exc).__name__}: {exc}".replace("\n", " ")
        return JobResult(rel, "failed", message, 1, seconds=round(time.monotonic() - start, 2))
    return JobResult(
        rel,
        "ok",
        pages=len(doc.pages),
        seconds=round(time.monotonic() - start, 2),
        outputs=[str(p.relative_to(job.output_dir)) for p in [*job.outputs(), *archive]],
    )


def _worker_init() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    logging.getLogger().setLevel(logging.WARNING)


@dataclass
class BatchSummary:
    """Counts of a batch run."""

    ok: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    seconds: float = 0.0
    results: list[JobResult] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary printed on stdout."""
        return (
            f"{self.ok} ok, {self.failed} failed, {self.skipped} skipped; "
            f"{self.pages} pages in {self.seconds:.1f} s"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {k: v for k, v in asdict(self).items() if k != "results"}


def run_batch(
    input_dir: Path,
    output_dir: Path,
    options: ProcessOptions,
    *,
    jobs: int | None = None,
    force: bool = False,
    on_result: Callable[[JobResult], None] | None = None,
    formats: tuple[str, ...] = FORMATS,
) -> BatchSummary:
    """Process every document below ``input_dir`` into ``output_dir``.

    Args:
        input_dir: Folder to scan recursively for PDFs, images and ``.txt`` files.
        output_dir: Where outputs go, mirroring the input tree, plus ``manifest.jsonl``.
        options: Processing options for every document.
        jobs: Worker processes (default: CPU count).
        force: Redo documents whose outputs are already complete.
        on_result: Called in the parent process after each document (progress reporting).
        formats: The outputs to write per document (``outputs.parse_formats``).

    Returns:
        Counts and per-document results. Bad documents are ``failed`` results, never exceptions.
    """
    start = time.monotonic()
    inputs = discover_inputs(input_dir, output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, jobs or os.cpu_count() or 1)
    summary = BatchSummary()
    todo: list[Job] = []
    manifest = (output_dir / MANIFEST_NAME).open("a", encoding="utf-8")
    catalog = Catalog(output_dir)  # the register and search index, updated as documents finish

    def record(result: JobResult) -> None:
        summary.results.append(result)
        if result.status == "ok":
            summary.ok += 1
            summary.pages += result.pages
        elif result.status == "failed":
            summary.failed += 1
            log.info("%s: failed: %s", result.path, result.error)
        else:
            summary.skipped += 1
        manifest.write(result.to_json() + "\n")
        manifest.flush()
        update_catalog(catalog, output_dir, result)
        if on_result:
            on_result(result)

    try:
        for path in inputs:
            job = Job(path, path.relative_to(input_dir), output_dir, options, formats)
            if not force and is_complete(job):
                rel_outputs = [str(p.relative_to(output_dir)) for p in job.outputs()]
                record(JobResult(str(job.relative), "skipped", outputs=rel_outputs))
            else:
                todo.append(job)
        for result in _execute(todo, jobs):
            record(result)
    finally:
        manifest.close()
        catalog.close()
    summary.seconds = round(time.monotonic() - start, 2)
    return summary


def update_catalog(catalog: Catalog, output_dir: Path, result: JobResult) -> None:
    """Put a finished document into the register and index (a skipped one only if the catalog lacks it)."""
    json_path = output_dir / Path(result.path).with_suffix(".json")
    if result.status == "ok":
        catalog.add_from_json(result.path, json_path)
    elif result.status == "skipped":
        catalog.ensure_from_json(result.path, json_path)


def _execute(todo: list[Job], jobs: int) -> Iterator[JobResult]:
    if not todo:
        return
    if jobs == 1 or len(todo) == 1:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        for job in todo:
            yield process_job(job)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), initializer=_worker_init) as pool:
        pending: dict[Future[JobResult], Job] = {pool.submit(process_job, job): job for job in todo}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                try:
                    yield future.result()
                except Exception as exc:  # a worker died (e.g. killed by the OOM killer)
                    yield JobResult(str(job.relative), "failed", f"worker crashed: {exc}", 1)


def read_manifest(output_dir: Path) -> dict[str, dict[str, Any]]:
    """The latest manifest record of each document in a batch output folder."""
    latest: dict[str, dict[str, Any]] = {}
    path = output_dir / MANIFEST_NAME
    if not path.is_file():
        raise BadArgumentsError(f"{output_dir}: no {MANIFEST_NAME} here (not a batch output folder)")
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line cut short by a killed run
        if record.get("status") == "skipped" and record.get("path") in latest:
            continue
        latest[record["path"]] = record
    return latest


def report_lines(output_dir: Path) -> list[str]:
    """A short human summary of a batch output folder: one line per document, then totals."""
    records = read_manifest(output_dir)
    lines = []
    for rel, rec in sorted(records.items()):
        if rec["status"] == "failed":
            lines.append(f"  FAILED  {rel}: {rec.get('error')}")
            continue
        js = output_dir / Path(rel).with_suffix(".json")
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
