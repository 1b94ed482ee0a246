"""Real-scan benchmark (issue 20): vnocr, OCRmyPDF and raw Tesseract on real scanned government documents.

Gold: ``../shared/real-scans`` (the dev set, tuned on) and ``tools/real_gold/`` (held-out: every document
whose PDF is not in the dev folder), see :mod:`tools.bench.realgold`. Systems, run on the same pages:

- ``vnocr``: the product, ``ocr_pipeline.process(pdf)``; its page texts, metadata and sections.
- ``ocrmypdf``: ``ocrmypdf -l vie --force-ocr --rotate-pages --deskew --clean --output-type pdf``, then
  ``pdftotext`` per page (what a user reads from the output PDF).
- ``tesseract``: ``pdftoppm -r 300`` and ``tesseract -l vie`` per page.

The two baselines' metadata and sections come from vnocr's own structure stage run on their text
(``ocr_pipeline.segment``): what a user gets by piping that OCR into vnocr.

Long documents are OCR'd on a page plan only (:func:`tools.bench.realgold.page_plan`) unless ``all_pages``: a PDF
holding just those pages (the others removed, everything else kept) is what each system reads. Sections are
scored only on documents read in full. Every system's output is cached under ``<cache>/real``: the baselines
per page (input sha256, page, options), vnocr per document and page plan at two levels: its page results
(the page tasks' output, keyed by the code of the page tasks, :func:`page_code_key`) and its record (keyed by
all of its code and data, :func:`code_key`). A rerun with unchanged code OCRs nothing, and one that changed
only restoration or structure re-runs only the document's finishing task on the cached pages. The keys do not
hold the Tesseract or OCRmyPDF versions: clear the folder after upgrading them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.bench.lib import BenchContext, BenchSection, markdown_table
from tools.bench.realgold import (
    FIELD_LABELS,
    FIELDS,
    SPLITS,
    GoldDocument,
    gold_fields,
    label_agreement,
    labels_equal,
    load_gold,
    page_errors,
    page_plan,
    predicted_fields,
    score_fields,
    section_labels,
)

log = logging.getLogger(__name__)
logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed but readable scanner PDFs warn on every read
ROOT = Path(__file__).resolve().parents[2]
PROJECT_GOLD = ROOT / "tools" / "real_gold"
SYSTEMS = ("vnocr", "ocrmypdf", "tesseract")
SYSTEM_LABELS = {"vnocr": "vnocr", "ocrmypdf": "OCRmyPDF", "tesseract": "raw Tesseract"}
#: A document with more pages than this is OCR'd on its page plan only.
LONG_DOCUMENT_PAGES = 12
PLAN_HEAD_PAGES = 3
TESSERACT_DPI = 300
OCRMYPDF_ARGS = (
    "-l",
    "vie",
    "--force-ocr",
    "--rotate-pages",
    "--deskew",
    "--clean",
    "--output-type",
    "pdf",
    "--invalidate-digital-signatures",
)
#: Key of the baselines' options (a change of them re-runs the baselines).
BASELINE_KEYS = {
    "tesseract": f"pdftoppm-r{TESSERACT_DPI}+tesseract-vie",
    "ocrmypdf": "ocrmypdf " + " ".join(OCRMYPDF_ARGS) + " +pdftotext",
}
TARGET_FIELDS = 0.97
TARGET_CER = 0.010
TARGET_CER_RATIO = 0.5


# ------------------------------------------------------------------------------------------------ cache


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def code_key(root: Path = ROOT) -> str:
    """A hash of vnocr's code and data: every file under ``ocr_pipeline/``, ``diacritics/`` and
    ``dictionaries/`` (path and bytes; caches and bytecode left out)."""
    digest = hashlib.sha256()
    for package in ("ocr_pipeline", "diacritics", "dictionaries"):
        for path in sorted((root / package).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path.suffix in {".pyc", ".pyo"}:
                continue
            digest.update(str(path.relative_to(root)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


#: What a page task's result depends on (besides the input and Tesseract): the image stages and the
#: application modules the page task runs (:func:`ocr_pipeline.pipeline.ocr_page_unit`).
PAGE_TASK_CODE = (
    "ocr_pipeline/imaging",
    "ocr_pipeline/pipeline.py",
    "ocr_pipeline/models.py",
    "ocr_pipeline/options.py",
    "ocr_pipeline/exceptions.py",
)


def page_code_key(root: Path = ROOT) -> str:
    """A hash of the code the page tasks run (:data:`PAGE_TASK_CODE`, path and bytes)."""
    digest = hashlib.sha256()
    for entry in PAGE_TASK_CODE:
        base = root / entry
        paths = sorted(base.rglob("*.py")) if base.is_dir() else [base]
        for path in paths:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(root)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def _pages_key(pages: list[int]) -> str:
    return "p" + "-".join(map(str, pages))


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


@dataclass
class Cache:
    """Where the benchmark's OCR outputs live (``<bench cache>/real``)."""

    root: Path

    def page_path(self, system: str, sha: str, page: int) -> Path:
        option_key = hashlib.sha256(BASELINE_KEYS[system].encode()).hexdigest()[:8]
        return self.root / system / sha[:16] / f"{option_key}-p{page}.json"

    def vnocr_path(self, sha: str, pages: list[int], key: str) -> Path:
        return self.root / "vnocr" / sha[:16] / f"{key}-{_pages_key(pages)}.json"

    def vnocr_pages_path(self, sha: str, pages: list[int], page_key: str) -> Path:
        return self.root / "vnocr-pages" / sha[:16] / f"{page_key}-{_pages_key(pages)}.pickle"

    def subset_path(self, sha: str, pages: list[int]) -> Path:
        return self.root / "subsets" / f"{sha[:16]}-{_pages_key(pages)}.pdf"


def page_count(pdf: Path) -> int:
    """Number of pages of a PDF."""
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def subset_pdf(pdf: Path, pages: list[int], out: Path) -> Path:
    """A copy of ``pdf`` holding only ``pages`` (1-based), everything else of the document kept (signature
    fields, annotations, text layers); the page images render exactly as in the original."""
    if out.is_file():
        return out
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=pdf)
    keep = {p - 1 for p in pages}
    for index in reversed(range(len(writer.pages))):
        if index not in keep:
            writer.remove_page(index)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.pdf")
    with tmp.open("wb") as fh:
        writer.write(fh)
    tmp.replace(out)
    return out


# ------------------------------------------------------------------------------------------------ systems


def _thread_env() -> dict[str, str]:
    return dict(os.environ, OMP_THREAD_LIMIT="1")


def ocr_tesseract(pdf: Path, pages: list[int]) -> dict[int, dict[str, Any]]:
    """Raw Tesseract on each page: ``pdftoppm -r 300`` then ``tesseract -l vie`` (default layout analysis)."""
    out: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-real-") as tmp:
        for page in pages:
            started = time.monotonic()
            prefix = Path(tmp) / f"p{page}"
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    str(TESSERACT_DPI),
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-singlefile",
                    "-png",
                    str(pdf),
                    str(prefix),
                ],
                check=True,
                capture_output=True,
            )
            result = subprocess.run(
                ["tesseract", f"{prefix}.png", "-", "-l", "vie"],
                check=True,
                capture_output=True,
                env=_thread_env(),
            )
            text = result.stdout.decode("utf-8", "replace")
            out[page] = {"text": text, "seconds": round(time.monotonic() - started, 2)}
    return out


def ocrmypdf_command() -> list[str] | None:
    """How to call OCRmyPDF (the ``bench`` extra), or None when it is not installed."""
    beside = Path(sys.executable).with_name("ocrmypdf")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("ocrmypdf")
    return [found] if found else None


def ocr_ocrmypdf(pdf: Path, pages: list[int]) -> dict[int, dict[str, Any]]:
    """OCRmyPDF on a PDF of ``pages`` (one job), then ``pdftotext`` page by page."""
    command = ocrmypdf_command()
    if command is None:
        raise RuntimeError("ocrmypdf is not installed (pip install -e '.[bench]')")
    out: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-real-") as tmp:
        source = subset_pdf(pdf, pages, Path(tmp) / "in.pdf")
        target = Path(tmp) / "out.pdf"
        started = time.monotonic()
        subprocess.run(
            [*command, *OCRMYPDF_ARGS, "--jobs", "1", "-q", str(source), str(target)],
            check=True,
            capture_output=True,
            env=_thread_env(),
        )
        seconds = (time.monotonic() - started) / max(1, len(pages))
        for index, page in enumerate(pages, start=1):
            text = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", "-f", str(index), "-l", str(index), str(target), "-"],
                check=True,
                capture_output=True,
            ).stdout.decode("utf-8", "replace")
            out[page] = {"text": text, "seconds": round(seconds, 2)}
    return out


def ocr_vnocr(pdf: Path, pages: list[int], subset: Path | None, pages_cache: Path) -> dict[str, Any]:
    """vnocr's record of the document, read from ``subset`` when given: what ``ocr_pipeline.process`` gives
    (its page tasks, then its finishing task), the page results taken from ``pages_cache`` when there."""
    from ocr_pipeline.options import ProcessOptions
    from ocr_pipeline.pipeline import document_from_pages, ocr_pages

    os.environ["OMP_THREAD_LIMIT"] = "1"
    source = subset or pdf
    options = ProcessOptions()
    cached = _read_pickle(pages_cache)
    if cached is None:
        started = time.monotonic()
        results = ocr_pages(source, options)
        cached = {"seconds": time.monotonic() - started, "pages": results}
        _write_pickle(pages_cache, cached)
    started = time.monotonic()
    document = document_from_pages(source, cached["pages"], options)
    return {
        "pages": pages,
        "seconds": round(cached["seconds"] + time.monotonic() - started, 2),
        "record": document.to_dict(),
    }


def _read_pickle(path: Path) -> Any:
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except Exception:  # a cache written by other code: OCR again
        log.warning("%s: unreadable cache entry, OCR again", path)
        return None


def _write_pickle(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump(data, fh)
    tmp.replace(path)


@dataclass
class SystemOutput:
    """What one system gave for one document."""

    pages: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0
    metadata: dict[str, Any] | None = None
    sections: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


@dataclass
class Job:
    """The OCR one document needs."""

    doc: GoldDocument
    pdf: Path
    sha: str
    pages: list[int]
    full: bool


def _missing_pages(cache: Cache, system: str, job: Job) -> list[int]:
    return [p for p in job.pages if not cache.page_path(system, job.sha, p).is_file()]


def run_ocr(jobs: list[Job], cache: Cache, key: str, workers: int) -> dict[tuple[str, str], str]:
    """OCR what the cache lacks, ``workers`` processes at once; returns the errors by (document, system)."""
    errors: dict[tuple[str, str], str] = {}
    have_ocrmypdf = ocrmypdf_command() is not None
    page_key = page_code_key()
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        pending: list[tuple[Job, str, Future[Any], Path | None]] = []
        for job in jobs:
            subset = (
                None if job.full else subset_pdf(job.pdf, job.pages, cache.subset_path(job.sha, job.pages))
            )
            record_path = cache.vnocr_path(job.sha, job.pages, key)
            if not record_path.is_file():
                pending.append(
                    (
                        job,
                        "vnocr",
                        pool.submit(
                            ocr_vnocr,
                            job.pdf,
                            job.pages,
                            subset,
                            cache.vnocr_pages_path(job.sha, job.pages, page_key),
                        ),
                        record_path,
                    )
                )
            for system, function in (("ocrmypdf", ocr_ocrmypdf), ("tesseract", ocr_tesseract)):
                missing = _missing_pages(cache, system, job)
                if system == "ocrmypdf" and not have_ocrmypdf:
                    errors[(job.doc.stem, system)] = "ocrmypdf not installed (pip install -e '.[bench]')"
                elif missing:
                    pending.append((job, system, pool.submit(function, job.pdf, missing), None))
        for job, system, future, target in pending:
            try:
                result = future.result()
            except Exception as exc:
                detail = (
                    exc.stderr.decode("utf-8", "replace")[-300:]
                    if isinstance(exc, subprocess.CalledProcessError) and exc.stderr
                    else ""
                )
                errors[(job.doc.stem, system)] = f"{type(exc).__name__}: {exc} {detail}".strip()
                log.warning("%s, %s: %s", job.doc.stem, system, errors[(job.doc.stem, system)])
                continue
            if target is not None:
                _write_json(target, result)
            else:
                for page, entry in result.items():
                    _write_json(cache.page_path(system, job.sha, page), entry)
            log.info("%s: %s done", job.doc.stem, system)
    return errors


def load_output(system: str, job: Job, cache: Cache, key: str) -> SystemOutput:
    """A system's cached output for one document, with metadata and sections."""
    if system == "vnocr":
        path = cache.vnocr_path(job.sha, job.pages, key)
        if not path.is_file():
            return SystemOutput(error="no output")
        data = json.loads(path.read_text(encoding="utf-8"))
        record = data["record"]
        texts = {
            page: entry.get("text", "") for page, entry in zip(data["pages"], record["pages"], strict=False)
        }
        return SystemOutput(
            pages=texts, seconds=data["seconds"], metadata=record["metadata"], sections=record["sections"]
        )
    texts, seconds = {}, 0.0
    for page in job.pages:
        path = cache.page_path(system, job.sha, page)
        if not path.is_file():
            return SystemOutput(error="no output")
        entry = json.loads(path.read_text(encoding="utf-8"))
        texts[page], seconds = entry["text"], seconds + entry["seconds"]
    import ocr_pipeline

    document = ocr_pipeline.segment("\f".join(texts[p].rstrip("\f\n") for p in job.pages))
    return SystemOutput(
        pages=texts,
        seconds=round(seconds, 2),
        metadata=document.metadata.to_dict(),
        sections=[s.to_dict() for s in document.sections],
    )


# ------------------------------------------------------------------------------------------------ scoring


def score_document(job: Job, outputs: dict[str, SystemOutput]) -> dict[str, Any]:
    """Every figure of one document, per system."""
    doc = job.doc
    gold = gold_fields(doc.metadata) if doc.metadata else None
    gold_sections = doc.metadata.get("sections") if doc.metadata else None
    entry: dict[str, Any] = {
        "split": doc.split,
        "pdf": str(doc.pdf),
        "pages_read": job.pages,
        "full": job.full,
        "gold_pages": sorted(doc.pages),
        "gold": gold,
        "gold_sections": gold_sections,
        "systems": {},
    }
    for system, output in outputs.items():
        result: dict[str, Any] = {"error": output.error, "seconds": output.seconds}
        if output.error is None:
            if gold is not None and output.metadata is not None:
                predicted = predicted_fields(output.metadata)
                result["fields"] = score_fields(gold, predicted)
                result["predicted"] = predicted
            result["cer_pages"] = {
                str(page): dict(
                    zip(("edits", "chars"), page_errors(text, output.pages.get(page, "")), strict=True)
                )
                for page, text in sorted(doc.pages.items())
                if page in output.pages
            }
            labels = section_labels(output.sections)
            result["sections"] = labels
            if gold_sections is not None and job.full:
                result["sections_equal"] = labels_equal(gold_sections, labels)
                result["sections_agreement"] = round(label_agreement(gold_sections, labels), 4)
        entry["systems"][system] = result
    return entry


def summarise(documents: dict[str, dict[str, Any]], split: str) -> dict[str, Any]:
    """Figures of one split, per system."""
    summary: dict[str, Any] = {}
    docs = [d for d in documents.values() if d["split"] == split]
    for system in SYSTEMS:
        results = [d["systems"].get(system, {}) for d in docs]
        scored = [r["fields"] for r in results if "fields" in r]
        per_field = {f: sum(s[f] for s in scored) / len(scored) for f in FIELDS} if scored else {}
        all_scores = [s[f] for s in scored for f in FIELDS]
        pages = [p for r in results for p in r.get("cer_pages", {}).values()]
        sections = [r for r in results if "sections_equal" in r]
        summary[system] = {
            "documents": len(docs),
            "metadata_documents": len(scored),
            "fields_right": sum(all_scores) / len(all_scores) if all_scores else None,
            "per_field": per_field,
            "gold_pages": len(pages),
            "gold_chars": sum(p["chars"] for p in pages),
            "cer": sum(p["edits"] for p in pages) / sum(p["chars"] for p in pages) if pages else None,
            "cer_mean": sum(p["edits"] / p["chars"] for p in pages) / len(pages) if pages else None,
            "section_documents": len(sections),
            "sections_equal": sum(r["sections_equal"] for r in sections),
            "sections_agreement": sum(r["sections_agreement"] for r in sections) / len(sections)
            if sections
            else None,
        }
    return summary


# ------------------------------------------------------------------------------------------------ report


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f} %"


def _summary_tables(summary: dict[str, dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    rows = []
    for split in SPLITS:
        for system in SYSTEMS:
            s = summary[split][system]
            if not s["documents"]:
                continue
            rows.append(
                [split, SYSTEM_LABELS[system], s["metadata_documents"], _pct(s["fields_right"])]
                + [_pct(s["per_field"].get(f), 0) for f in FIELDS]
            )
    lines += [
        "### Printed metadata fields (share right)",
        "",
        markdown_table(["split", "system", "docs", "fields right"] + [FIELD_LABELS[f] for f in FIELDS], rows),
        "",
    ]
    rows = []
    for split in SPLITS:
        base = summary[split]["ocrmypdf"]["cer"]
        for system in SYSTEMS:
            s = summary[split][system]
            if not s["documents"]:
                continue
            ratio = "–" if base in (None, 0) or s["cer"] is None else f"{s['cer'] / base:.2f}"
            sections = (
                f"{s['sections_equal']}/{s['section_documents']} ({_pct(s['sections_agreement'], 0)})"
                if s["section_documents"]
                else "–"
            )
            rows.append(
                [
                    split,
                    SYSTEM_LABELS[system],
                    s["gold_pages"],
                    s["gold_chars"],
                    _pct(s["cer"], 2),
                    _pct(s["cer_mean"], 2),
                    ratio,
                    sections,
                ]
            )
    lines += [
        "### Whole-page text and sections",
        "",
        markdown_table(
            [
                "split",
                "system",
                "gold pages",
                "gold chars",
                "CER (pooled)",
                "CER (mean of pages)",
                "CER / OCRmyPDF's",
                "section labels equal (agreement)",
            ],
            rows,
        ),
        "",
    ]
    return lines


def _document_table(documents: dict[str, dict[str, Any]]) -> list[str]:
    rows = []
    for name, d in documents.items():
        row: list[Any] = [f"`{name}`", d["split"], _page_list(d["pages_read"], d["full"])]
        for system in SYSTEMS:
            r = d["systems"].get(system, {})
            fields = r.get("fields")
            row.append(
                "error" if r.get("error") else f"{sum(fields.values()):.1f}/{len(fields)}" if fields else "–"
            )
        for system in SYSTEMS:
            pages = d["systems"].get(system, {}).get("cer_pages", {})
            chars = sum(p["chars"] for p in pages.values())
            row.append(_pct(sum(p["edits"] for p in pages.values()) / chars, 1) if chars else "–")
        for system in SYSTEMS:
            r = d["systems"].get(system, {})
            row.append(
                ("yes" if r["sections_equal"] else f"no ({_pct(r['sections_agreement'], 0)})")
                if "sections_equal" in r
                else "–"
            )
        rows.append(row)
    header = ["document", "split", "pages read"]
    header += [f"fields {SYSTEM_LABELS[s]}" for s in SYSTEMS]
    header += [f"CER {SYSTEM_LABELS[s]}" for s in SYSTEMS]
    header += [f"sections {SYSTEM_LABELS[s]}" for s in SYSTEMS]
    return ["### Per document", "", markdown_table(header, rows), ""]


def _page_list(pages: list[int], full: bool) -> str:
    if full:
        return f"all {len(pages)}"
    return ", ".join(map(str, pages))


def _targets(summary: dict[str, dict[str, Any]]) -> list[str]:
    rows = []
    for split in SPLITS:
        vn, base = summary[split]["vnocr"], summary[split]["ocrmypdf"]
        if not vn["documents"]:
            continue
        if vn["fields_right"] is not None:
            rows.append(
                [
                    split,
                    f"metadata fields ≥ {TARGET_FIELDS:.0%}",
                    _pct(vn["fields_right"]),
                    _verdict(vn["fields_right"] >= TARGET_FIELDS),
                ]
            )
        if vn["cer"] is not None:
            rows.append(
                [split, f"CER ≤ {TARGET_CER:.1%}", _pct(vn["cer"], 2), _verdict(vn["cer"] <= TARGET_CER)]
            )
            if base["cer"]:
                rows.append(
                    [
                        split,
                        "CER ≤ ½ OCRmyPDF's",
                        f"{_pct(vn['cer'], 2)} vs {_pct(base['cer'], 2)}",
                        _verdict(vn["cer"] <= TARGET_CER_RATIO * base["cer"]),
                    ]
                )
        if vn["section_documents"]:
            rows.append(
                [
                    split,
                    "top-level section labels match",
                    f"{vn['sections_equal']}/{vn['section_documents']} documents",
                    _verdict(vn["sections_equal"] == vn["section_documents"]),
                ]
            )
    return ["### Targets (issue 20)", "", markdown_table(["split", "target", "vnocr", "result"], rows), ""]


def _verdict(ok: bool) -> str:
    return "**pass**" if ok else "**fail**"


def render(results: dict[str, Any]) -> str:
    """The Markdown of the section."""
    documents, summary = results["documents"], results["summary"]
    speed = results["seconds_per_page"]
    lines = [
        "Real scanned government documents (issue 20), three systems on the same pages. **dev** = "
        "`../shared/real-scans` (tuned on); **held-out** = the gold in `tools/real_gold/` for "
        "`../shared/real-scans/extra/` (never tuned on: the figures that count). The split follows the PDF's folder: "
        "page gold made in `tools/real_gold/` for a dev document (danang_1535) counts as dev.",
        "",
        "- **vnocr**: `ocr_pipeline.process(pdf)` (defaults: `vie`, 300 dpi, restoration on).",
        "- **OCRmyPDF** "
        + results["ocrmypdf_version"]
        + ": `ocrmypdf "
        + " ".join(OCRMYPDF_ARGS)
        + "`, then "
        "plain `pdftotext` per page (the text a user reads from its PDF).",
        f"- **raw Tesseract**: `pdftoppm -r {TESSERACT_DPI}` + `tesseract -l vie` per page.",
        "- Metadata and sections of OCRmyPDF and raw Tesseract come from vnocr's own structure stage run on "
        "their text (`ocr_pipeline.segment(text)`, no restoration): what a user gets by piping that OCR into "
        "vnocr. The metadata columns therefore compare OCR quality as the structure stage sees it, not "
        "structure engines.",
        "- Fields (issue 20): issuer (lines joined by a space), ký hiệu (the number after its first `/`), "
        "place, year-month, type, trích yếu, signer name, signer position, recipients (set F1 of the Nơi "
        "nhận items, bullets and trailing `;,.:` removed); compared case-insensitively with whitespace "
        "folded; a field the gold leaves empty (`null`) is right only when the system finds none. "
        '"fields right" = the mean over all documents and fields (recipients count their F1).',
        "- CER: Levenshtein distance / gold characters, over NFC text with every whitespace run folded to "
        "one space, on the hand-transcribed pages (printed text only: stamps, handwriting other than the "
        "number/date blanks, signature overlays excluded). Pooled = total edits / total gold characters.",
        f"- Pages read: documents over {LONG_DOCUMENT_PAGES} pages are read on a page plan (pages "
        f"1–{PLAN_HEAD_PAGES}, the gold pages, the pages `tools/real_gold/page-plan.json` names — where the "
        "signature block and Nơi nhận are printed when not on those, taken from the gold notes — and the "
        "last page), from a copy of the PDF holding those pages "
        "only; all three systems read the same copy. Their metadata is what the structure stage finds "
        "in those pages; their **sections are not scored** (only documents read in full are), nor "
        "would their section lists be complete. `--all-pages` reads everything.",
        "- Cache: `.cache/bench/real/` (baselines per page, keyed by the PDF's sha256 and the options; "
        "vnocr per document and page plan: its page results keyed also by a hash of the page tasks' "
        "code, its record by a hash of `ocr_pipeline/`, `diacritics/` and `dictionaries/`): a rerun "
        "OCRs only what changed; clear it after upgrading Tesseract or OCRmyPDF. Seconds per page when "
        "OCR'd (one thread, 2 "
        "cores shared with other work): "
        + ", ".join(f"{SYSTEM_LABELS[s]} {speed[s]:.1f} s" for s in SYSTEMS if speed.get(s) is not None)
        + ".",
        "",
    ]
    lines += _targets(summary)
    lines += _summary_tables(summary)
    lines += _document_table(documents)
    if results["notes"]:
        lines += ["### Notes", "", *[f"- {n}" for n in results["notes"]], ""]
    lines.append("Failure analysis per document: [REAL_SCANS.md](REAL_SCANS.md).")
    return "\n".join(lines)


def _ocrmypdf_version() -> str:
    command = ocrmypdf_command()
    if command is None:
        return "(not installed)"
    try:
        return subprocess.run([*command, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def evaluate(
    gold_dirs: Iterable[Path],
    scan_dirs: list[Path],
    dev_dir: Path,
    cache_dir: Path,
    *,
    all_pages: bool,
    workers: int,
    quick: bool = False,
) -> dict[str, Any]:
    """OCR (what the cache lacks) and score every document with gold (``quick``: the one-page ones only)."""
    docs, notes = load_gold([Path(g) for g in gold_dirs], scan_dirs, dev_dir)
    cache = Cache(cache_dir)
    key = code_key()
    jobs = []
    for doc in docs:
        if doc.pdf is None:  # load_gold drops these
            continue
        count = page_count(doc.pdf)
        if quick and count > 1:
            continue
        pages = page_plan(
            count,
            sorted({*doc.pages, *doc.plan_pages}),
            all_pages=all_pages,
            long_document=LONG_DOCUMENT_PAGES,
            head=PLAN_HEAD_PAGES,
        )
        missing_gold = [p for p in doc.pages if p > count]
        if missing_gold:
            notes.append(f"`{doc.stem}`: gold for pages {missing_gold} beyond its {count} pages: ignored")
        if doc.metadata is None:
            notes.append(f"`{doc.stem}`: page gold only (no metadata gold yet): CER only")
        jobs.append(
            Job(doc=doc, pdf=doc.pdf, sha=file_sha256(doc.pdf), pages=pages, full=len(pages) == count)
        )
    errors = run_ocr(jobs, cache, key, workers)
    documents: dict[str, dict[str, Any]] = {}
    seconds: dict[str, list[float]] = {s: [] for s in SYSTEMS}
    for job in jobs:
        outputs = {s: load_output(s, job, cache, key) for s in SYSTEMS}
        for system, output in outputs.items():
            if (job.doc.stem, system) in errors:
                output.error = errors[(job.doc.stem, system)]
                notes.append(f"`{job.doc.stem}`, {SYSTEM_LABELS[system]}: {output.error}")
            elif output.error is None:
                seconds[system].append(output.seconds / len(job.pages))
        documents[job.doc.stem] = score_document(job, outputs)
    summary = {split: summarise(documents, split) for split in SPLITS}
    return {
        "code_key": key,
        "gold_dirs": [str(g) for g in gold_dirs],
        "documents": documents,
        "summary": summary,
        "notes": notes,
        "seconds_per_page": {s: (sum(v) / len(v) if v else None) for s, v in seconds.items()},
        "ocrmypdf_version": _ocrmypdf_version(),
    }


def run(
    ctx: BenchContext, gold_dirs: list[Path] | None = None, all_pages: bool = False, workers: int = 2
) -> BenchSection:
    """Run the real-scan benchmark."""
    dev_dir = ctx.shared / "real-scans"
    gold = gold_dirs or [dev_dir, PROJECT_GOLD]
    results = evaluate(
        gold,
        [dev_dir, dev_dir / "extra"],
        dev_dir,
        ctx.cache / "real",
        all_pages=all_pages,
        workers=workers,
        quick=ctx.quick,
    )
    command = "python -m tools.bench --only real" + "".join(f" --gold {g}" for g in gold_dirs or [])
    command += " --all-pages" if all_pages else ""
    return BenchSection(
        title="Real scans: vnocr vs OCRmyPDF vs raw Tesseract (issue 20)",
        command=command,
        markdown=render(results),
        results=results,
    )
