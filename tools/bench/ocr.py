"""Scan → text benchmark (issue 3): raw ``tesseract -l vie`` vs the vnocr page pipeline on synthetic scans.

The scan set is made by the project's own generator (:mod:`tools.synthetic`) from the dev documents:
each document is typeset in one font at one resolution, and every page gets its own seeded degradation
(skew within ±5°, blur, noise, dust, faded ink, paper tone, scanner borders, JPEG); a few pages are scanned
rotated by 90/180/270°, and one blank page is added. Scans and OCR outputs are cached under
``ctx.cache/ocr`` (keyed by page-image hash and settings), so a rerun only OCRs what changed.

Split: ``bang-mac-2024`` and ``binh-luong-2023`` (and other seeds, fonts and resolutions of them) were
used to tune the stages ("tune"); ``lang-son-2023`` and the 2021 district plan
(``tests/data/district-2021.gt.txt``) were not ("held-out"). Both are reported; the targets are judged on
the whole set and on the held-out part.

Measured side by side in one run: raw ``tesseract -l vie`` on the unprocessed page (``engines.ocr_page``,
default psm) and the product's page stages (``pipeline.page_stages`` + ``run_page``) with ``vie`` and with
``eng`` (what users without the ``vie`` pack get), each before and after ``diacritics.restore`` (reported as
unavailable when the restoration data is missing); deskew and orientation errors against the known
degradation; a cleanup ablation; the confidence fallback of :func:`ocr_pipeline.imaging.ocr.recognise`; and speed:
pages/minute with 1 and 2 worker processes and the pipeline's own time as a share of Tesseract's, timed for
real on a fixed subset on every run (the OCR outputs themselves come from the cache when nothing changed:
the key holds the page-image hash, the variant's settings, :data:`CODE_VERSION`, the source of the page
stages and Tesseract's version).

Run alone with ``python -m tools.bench.ocr [--quick]`` (prints the Markdown section).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import logging
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ocr_pipeline import pipeline
from ocr_pipeline.exceptions import DataError
from ocr_pipeline.imaging import cleanup, deskew, engines, ocr, orientation
from ocr_pipeline.imaging.cleanup import CleanupSettings
from ocr_pipeline.imaging.page import PageImage
from ocr_pipeline.options import ProcessOptions
from tools import synthetic
from tools.bench.lib import BenchContext, BenchSection, error_rates, markdown_table, normalise_for_scoring
from tools.synthetic import Degradation

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
SET_VERSION = "scanset-v1"


@dataclass(frozen=True)
class DocSpec:
    """How one dev document is typeset for the scan set."""

    name: str
    path: str  # relative to ctx.shared, or "repo:" + path in this repository
    font: str
    dpi: int
    split: str
    seed: int
    rotations: tuple[tuple[int, int], ...] = ()  # (page index, clockwise rotation)


SCAN_DOCS = (
    DocSpec("bang-mac-2024", "documents/bang-mac-2024.md", "liberation-serif", 300, "tune", 11, ((3, 180),)),
    DocSpec("binh-luong-2023", "documents/binh-luong-2023.txt", "dejavu-serif", 200, "tune", 12, ((1, 90),)),
    DocSpec(
        "lang-son-2023",
        "documents/lang-son-2023.md",
        "dejavu-serif",
        200,
        "held-out",
        13,
        ((4, 90), (9, 180)),
    ),
    DocSpec(
        "district-2021",
        "repo:tests/data/district-2021.gt.txt",
        "liberation-serif",
        300,
        "held-out",
        14,
        ((2, 270),),
    ),
    # the same tune text in the other font at 200 dpi, so that font and resolution are not confounded
    DocSpec(
        "binh-luong-2023-lib200",
        "documents/binh-luong-2023.txt",
        "liberation-serif",
        200,
        "tune",
        15,
        ((2, 270),),
    ),
)


@dataclass(frozen=True)
class ScanPage:
    """One page of the scan set (the image lives in the cache)."""

    key: str
    doc: str
    page: int
    split: str
    font: str
    dpi: int
    image: str  # file name under the set folder
    truth: str
    skew: float
    rotation: int
    degradation: dict[str, Any]


def random_degradation(rng: np.random.Generator, dpi: int, rotation: int = 0) -> Degradation:
    """A plausible archive-scan degradation (the ranges of the benchmark set)."""
    scale = dpi / 300
    return Degradation(
        skew_degrees=round(float(rng.uniform(-5, 5)), 3),
        rotation=rotation,
        blur_sigma=round(float(rng.uniform(0.3, 1.1)) * scale, 3),
        noise_sigma=round(float(rng.uniform(2, 14)), 2),
        speckle_density=round(float(rng.uniform(0, 1.2e-4)), 7),
        jpeg_quality=[None, 90, 75, 60, 45][int(rng.integers(0, 5))],
        contrast=round(float(rng.uniform(0.7, 1.0)), 3),
        background=int(rng.integers(215, 256)),
        border=bool(rng.random() < 0.35),
    )


def _read_doc(ctx: BenchContext, spec: DocSpec) -> str:
    path = ROOT / spec.path[5:] if spec.path.startswith("repo:") else ctx.shared / spec.path
    return path.read_text(encoding="utf-8")


def build_scan_set(
    ctx: BenchContext, docs: tuple[DocSpec, ...] = SCAN_DOCS, blank: bool = True
) -> list[ScanPage]:
    """Render and degrade the scan set (cached as PNG + manifest under ``ctx.cache/ocr/<version>``)."""
    folder = ctx.cache / "ocr" / SET_VERSION
    manifest = folder / "manifest.json"
    if manifest.is_file():
        pages = [ScanPage(**row) for row in json.loads(manifest.read_text(encoding="utf-8"))]
        wanted = {d.name for d in docs} | ({"blank"} if blank else set())
        if wanted <= {p.doc for p in pages} and all((folder / p.image).is_file() for p in pages):
            return [p for p in pages if p.doc in wanted]
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    for spec in docs:
        rendered = synthetic.render_pages(
            synthetic.paragraphs_from_text(_read_doc(ctx, spec)), dpi=spec.dpi, font=spec.font
        )
        rotations = dict(spec.rotations)
        rng = np.random.default_rng(spec.seed)
        for index, page in enumerate(rendered):
            spoil = random_degradation(rng, spec.dpi, rotations.get(index, 0))
            image = synthetic.degrade(page.image, spoil, rng)
            pages.append(
                _store(folder, spec.name, index + 1, spec.split, spec.font, spec.dpi, image, page.text, spoil)
            )
    if blank:
        rng = np.random.default_rng(99)
        spoil = Degradation(
            blur_sigma=0.6, noise_sigma=8, speckle_density=8e-5, jpeg_quality=60, background=232, border=True
        )
        image = synthetic.degrade(synthetic.blank_page(300), spoil, rng)
        pages.append(_store(folder, "blank", 1, "held-out", "-", 300, image, "", spoil))
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps([asdict(p) for p in pages], ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, manifest)
    return pages


def _store(
    folder: Path,
    doc: str,
    number: int,
    split: str,
    font: str,
    dpi: int,
    image: np.ndarray,
    truth: str,
    spoil: Degradation,
) -> ScanPage:
    name = f"{doc}-p{number:02d}.png"
    Image.fromarray(image).save(folder / name, dpi=(dpi, dpi))
    return ScanPage(
        key=image_hash(image),
        doc=doc,
        page=number,
        split=split,
        font=font,
        dpi=dpi,
        image=name,
        truth=truth,
        skew=spoil.skew_degrees,
        rotation=spoil.rotation,
        degradation=asdict(spoil),
    )


def load_image(ctx: BenchContext, page: ScanPage) -> np.ndarray:
    """The page image of the scan set."""
    with Image.open(ctx.cache / "ocr" / SET_VERSION / page.image) as img:
        return np.asarray(img.convert("L"), dtype=np.uint8)


def image_hash(image: np.ndarray) -> str:
    """Short content hash of an image (shape included)."""
    digest = hashlib.sha1(str(image.shape).encode())
    digest.update(np.ascontiguousarray(image).tobytes())
    return digest.hexdigest()[:16]


# --------------------------------------------------------------------------------------------- running OCR
#: Bump when the way the benchmark runs a variant changes (cached OCR outputs are then recomputed). The
#: source of the page stages is part of the cache key too, so editing a stage re-runs it by itself.
CODE_VERSION = "ocr-bench-v1"
#: The page stages' sources (paths under ``ocr_pipeline/``; a folder stands for every module in it), and
#: those of the raw-Tesseract variants.
_STAGE_SOURCES = ("imaging", "pipeline.py", "models.py", "options.py")
_RAW_SOURCES = ("imaging/engines.py", "models.py")
#: Pages (a fixed, spread-out subset) timed for real on every run for throughput and overhead.
THROUGHPUT_PAGES = 8
FULL_PAGE_CHARS = 1500
#: The smoke run's pages: an upright 300-dpi page, a page scanned rotated at 200 dpi, the blank page.
QUICK_PAGES = (("bang-mac-2024", 1), ("binh-luong-2023", 2), ("blank", 1))

TARGET_CER = 0.012
TARGET_CER_RATIO = 0.5
TARGET_SKEW_MAX = 0.2
TARGET_OVERHEAD = 0.15
TARGET_SPEEDUP = 1.8
SPLITS = ("tune", "held-out", "all")


@dataclass(frozen=True)
class Variant:
    """One way of turning a page image into text.

    Attributes:
        name: Short key (cache, results).
        label: What the tables call it.
        lang: Tesseract language.
        raw: Plain ``engines.ocr_page`` on the unprocessed image (default psm), no vnocr stage at all.
        product: The product's own stages (``pipeline.page_stages`` with default options); otherwise
            orientation + deskew + cleanup with ``cleanup`` settings (None = no cleanup) + OCR with
            ``fallback_below``.
    """

    name: str
    label: str
    lang: str = "vie"
    raw: bool = False
    product: bool = True
    cleanup: CleanupSettings | None = None
    fallback_below: float | None = None


RAW_VIE = Variant("raw-vie", "raw `tesseract -l vie`", raw=True, product=False)
PIPE_VIE = Variant("pipeline-vie", "vnocr pipeline, vie")
PIPE_ENG = Variant("pipeline-eng", "vnocr pipeline, eng", lang="eng")
_STEP_LABELS = {"median": "median 3×3", "borders": "border removal", "dust": "dust removal"}


def _flipped(step: str) -> Variant:
    """The product's cleanup with one step switched the other way."""
    on = not getattr(cleanup.DEFAULT, step)
    return Variant(
        f"{step}-{'on' if on else 'off'}",
        f"{'with' if on else 'without'} {_STEP_LABELS[step]}",
        product=False,
        cleanup=replace(cleanup.DEFAULT, **{step: on}),
    )


#: Each cleanup step switched the other way from the product default, then no cleanup at all (last: the
#: fallback table compares it with the product).
ABLATIONS = (
    *(_flipped(step) for step in _STEP_LABELS),
    Variant("no-cleanup", "without any cleanup", product=False, cleanup=None),
)


@functools.lru_cache(maxsize=2)
def _code_digest(raw: bool) -> str:
    digest = hashlib.sha1(CODE_VERSION.encode())
    for name in _RAW_SOURCES if raw else _STAGE_SOURCES:
        base = ROOT / "ocr_pipeline" / name
        for path in sorted(base.rglob("*.py")) if base.is_dir() else [base]:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    digest.update(engines.tesseract_version().encode())
    return digest.hexdigest()[:12]


def _cache_path(ctx: BenchContext, page: ScanPage, variant: Variant) -> Path:
    payload = json.dumps(
        {"image": page.key, "dpi": page.dpi, "variant": asdict(variant), "code": _code_digest(variant.raw)},
        sort_keys=True,
    )
    key = hashlib.sha1(payload.encode()).hexdigest()[:20]
    return ctx.cache / "ocr" / "results" / f"{page.doc}-p{page.page:02d}.{variant.name}.{key}.json"


class _TesseractClock:
    """Times every Tesseract call (OCR and OSD) made inside the ``with`` block, in this process."""

    def __init__(self) -> None:
        self.ocr = 0.0
        self.osd = 0.0
        self._saved: tuple[Any, Any, Any] | None = None

    def __enter__(self) -> _TesseractClock:
        ocr_page, ocr_images, detect_orientation = (
            engines.ocr_page,
            engines.ocr_images,
            engines.detect_orientation,
        )
        self._saved = (ocr_page, ocr_images, detect_orientation)

        engines.ocr_page = self._timed(ocr_page, "ocr")
        engines.ocr_images = self._timed(ocr_images, "ocr")
        engines.detect_orientation = self._timed(detect_orientation, "osd")
        return self

    def _timed(self, func: Any, total: str) -> Any:
        """``func``, adding the seconds of each call to the attribute ``total``."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                setattr(self, total, getattr(self, total) + time.perf_counter() - start)

        return timed

    def __exit__(self, *exc: object) -> None:
        assert self._saved is not None
        engines.ocr_page, engines.ocr_images, engines.detect_orientation = self._saved


def _stages(variant: Variant) -> list[pipeline.PageStage]:
    if variant.product:
        return pipeline.page_stages(ProcessOptions(lang=variant.lang), variant.lang)
    stages: list[pipeline.PageStage] = [orientation.fix_orientation, deskew.deskew]
    if variant.cleanup is not None:
        keep = variant.fallback_below is not None  # the fallback re-reads the page before cleanup
        stages.append(functools.partial(cleanup.clean, settings=variant.cleanup, keep_original=keep))
    stages.append(functools.partial(ocr.recognise, lang=variant.lang, fallback_below=variant.fallback_below))
    return stages


def _stage_name(stage: pipeline.PageStage) -> str:
    func = stage.func if isinstance(stage, functools.partial) else stage
    return str(getattr(func, "__module__", "?")).rsplit(".", 1)[-1]


def run_variant(image_path: str, dpi: int, variant: Variant) -> dict[str, Any]:
    """OCR one page image the ``variant`` way (picklable: runs in worker processes).

    Returns the text, per-line word confidences, what the stages found, and timings: ``total`` (all the
    work on the loaded image), ``ocr`` (Tesseract OCR calls), ``osd`` (Tesseract OSD calls) and per stage.
    """
    with Image.open(image_path) as img:
        image = np.asarray(img.convert("L"), dtype=np.uint8)
    page = PageImage(number=1, image=image, dpi=dpi)
    seconds: dict[str, float] = {}
    with _TesseractClock() as clock:
        start = time.perf_counter()
        if variant.raw:
            page = page.evolve("raw tesseract", ocr=engines.ocr_page(image, variant.lang, dpi=dpi))
        else:
            for stage in _stages(variant):
                began = time.perf_counter()
                page = pipeline.run_page(page, [stage])
                seconds[_stage_name(stage)] = round(time.perf_counter() - began, 4)
        total = time.perf_counter() - start
    seconds.update(total=round(total, 4), ocr=round(clock.ocr, 4), osd=round(clock.osd, 4))
    result = page.ocr
    assert result is not None
    return {
        "text": result.text,
        "line_confidences": [[w.confidence for w in line.words] for line in result.lines],
        "mean_confidence": result.mean_confidence,
        "rotation": page.rotation,
        "skew": page.skew_degrees,
        "log": list(page.log),
        "seconds": seconds,
    }


def _worker_init() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    logging.getLogger().setLevel(logging.WARNING)


def _warm(_: int) -> int:
    """Make a worker import everything and start up before timing (a batch pays this once)."""
    engines.tesseract_version()
    time.sleep(0.3)  # hold the worker so the next warm-up task goes to another one
    return os.getpid()


def ocr_results(
    ctx: BenchContext, pages: list[ScanPage], variants: tuple[Variant, ...], workers: int = 2
) -> dict[tuple[str, str], dict[str, Any]]:
    """Every (page, variant) result, from the cache or computed in ``workers`` processes (then cached)."""
    folder = ctx.cache / "ocr" / SET_VERSION
    results: dict[tuple[str, str], dict[str, Any]] = {}
    todo: list[tuple[ScanPage, Variant, Path]] = []
    for variant in variants:
        for page in pages:
            path = _cache_path(ctx, page, variant)
            if path.is_file():
                results[(page.image, variant.name)] = json.loads(path.read_text(encoding="utf-8"))
            else:
                todo.append((page, variant, path))
    if not todo:
        return results
    log.info("OCR of %d page runs (%d cached)", len(todo), len(results))
    todo.sort(key=lambda t: -t[0].dpi)  # big pages first: the workers end together
    os.environ["OMP_THREAD_LIMIT"] = "1"
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
        futures = {
            pool.submit(run_variant, str(folder / page.image), page.dpi, variant): (page, variant, path)
            for page, variant, path in todo
        }
        for done, future in enumerate(as_completed(futures), 1):
            page, variant, path = futures[future]
            record = future.result()
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
            results[(page.image, variant.name)] = record
            if done % 10 == 0 or done == len(todo):
                log.info("OCR %d/%d done", done, len(todo))
    return results


# ----------------------------------------------------------------------------------------------- scoring
@dataclass
class Tally:
    """Edit counts summed over pages (CER = char_errors / chars, so long pages weigh more)."""

    char_errors: float = 0.0
    chars: int = 0
    word_errors: float = 0.0
    words: int = 0
    pages: int = 0

    def add(self, truth: str, text: str) -> None:
        """Score one page (a blank page's truth is empty: every character read on it is an error)."""
        rates = error_rates(truth, text)
        self.char_errors += (
            rates["cer"] * max(1, int(rates["ref_chars"]))
            if rates["ref_chars"]
            else len(normalise_for_scoring(text))
        )
        self.word_errors += (
            rates["wer"] * max(1, int(rates["ref_words"])) if rates["ref_words"] else len(text.split())
        )
        self.chars += int(rates["ref_chars"])
        self.words += int(rates["ref_words"])
        self.pages += 1

    @property
    def cer(self) -> float:
        """Character error rate."""
        return self.char_errors / max(1, self.chars)

    @property
    def wer(self) -> float:
        """Word (syllable) error rate."""
        return self.word_errors / max(1, self.words)


def _page_cer(truth: str, text: str) -> float:
    return error_rates(truth, text)["cer"]


def _in_split(page: ScanPage, split: str) -> bool:
    return split == "all" or page.split == split


def split_scores(pages: list[ScanPage], texts: dict[str, str]) -> dict[str, Tally]:
    """CER/WER per split of page texts keyed by image name."""
    out = {split: Tally() for split in SPLITS}
    for page in pages:
        for split in SPLITS:
            if _in_split(page, split):
                out[split].add(page.truth, texts[page.image])
    return out


def restore_texts(
    pages: list[ScanPage], records: dict[str, dict[str, Any]]
) -> tuple[dict[str, str] | None, str, float]:
    """Diacritic restoration of the OCR text as the product does it: each document's pages as one text, with
    the word confidences (:func:`ocr_pipeline.pipeline.restore_pages`).

    Returns the texts by page image (None when the restoration data is unavailable), a note, and the seconds
    taken.
    """
    from ocr_pipeline.models import PageResult

    start = time.perf_counter()
    by_doc: dict[str, list[ScanPage]] = {}
    for page in pages:
        by_doc.setdefault(page.doc, []).append(page)
    out: dict[str, str] = {}
    try:
        for doc_pages in by_doc.values():
            doc_pages.sort(key=lambda p: p.page)
            results = [
                PageResult(
                    number=p.page,
                    raw_text=records[p.image]["text"],
                    line_confidences=records[p.image]["line_confidences"],
                )
                for p in doc_pages
            ]
            pipeline.restore_pages(results)
            out.update({p.image: r.text for p, r in zip(doc_pages, results, strict=True)})
    except DataError as exc:
        return None, f"unavailable ({exc.one_line() if hasattr(exc, 'one_line') else exc})", 0.0
    return out, "ok", time.perf_counter() - start


# -------------------------------------------------------------------------------------------- throughput
def throughput_subset(pages: list[ScanPage], count: int) -> list[ScanPage]:
    """A fixed subset of full text pages spread over the set (largest first, so the workers end together).

    Full pages (at least :data:`FULL_PAGE_CHARS` characters): pages per minute are full pages; the short
    last pages of documents are in the whole-set overhead figure.
    """
    text_pages = [p for p in pages if len(p.truth) >= FULL_PAGE_CHARS] or [p for p in pages if p.truth]
    count = min(count, len(text_pages))
    chosen = [text_pages[i * len(text_pages) // count] for i in range(count)]
    return sorted(chosen, key=lambda p: -p.dpi)


def _cpu_seconds() -> tuple[float, float]:
    """(busy CPU seconds of the whole machine, CPU seconds of this process and its reaped children)."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [float(v) for v in fh.readline().split()[1:]]
        machine = (sum(fields) - fields[3] - (fields[4] if len(fields) > 4 else 0.0)) / os.sysconf(
            "SC_CLK_TCK"
        )
    except (OSError, ValueError, IndexError):
        machine = float("nan")
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return machine, own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure_throughput(ctx: BenchContext, subset: list[ScanPage]) -> list[dict[str, Any]]:
    """Wall-clock pages/minute of raw tesseract (1 worker) and the pipeline (1 and 2 workers), for real."""
    folder = ctx.cache / "ocr" / SET_VERSION
    paths = [str(folder / p.image) for p in subset]
    dpis = [p.dpi for p in subset]
    os.environ["OMP_THREAD_LIMIT"] = "1"
    rows = []
    for variant, workers in ((RAW_VIE, 1), (PIPE_VIE, 1), (PIPE_VIE, 2)):
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
            list(pool.map(_warm, range(workers)))
            machine0, ours0 = _cpu_seconds()
            start = time.perf_counter()
            records = list(pool.map(run_variant, paths, dpis, [variant] * len(paths), chunksize=1))
            wall = time.perf_counter() - start
        machine1, ours1 = _cpu_seconds()  # after the pool is shut down: its workers are reaped and counted
        seconds = [r["seconds"] for r in records]
        rows.append(
            {
                "variant": variant.name,
                "label": variant.label,
                "workers": workers,
                "pages": len(paths),
                "wall_seconds": round(wall, 2),
                "pages_per_minute": round(60 * len(paths) / wall, 2),
                "total": round(sum(s["total"] for s in seconds), 3),
                "ocr": round(sum(s["ocr"] for s in seconds), 3),
                "osd": round(sum(s["osd"] for s in seconds), 3),
                # cores kept busy by other processes while this was timed (0 = the machine was ours)
                "other_cores": round(max(0.0, (machine1 - machine0) - (ours1 - ours0)) / wall, 2),
            }
        )
        log.info("throughput %s x%d: %.1f pages/min", variant.name, workers, rows[-1]["pages_per_minute"])
    return rows


def overhead(seconds: list[dict[str, float]]) -> dict[str, float]:
    """Time spent outside Tesseract's OCR calls, as a fraction of the OCR time (OSD counted as overhead)."""
    total = sum(s["total"] for s in seconds)
    tess = sum(s["ocr"] for s in seconds)
    osd = sum(s["osd"] for s in seconds)
    return {
        "overhead": (total - tess) / max(1e-9, tess),
        "osd_share": osd / max(1e-9, tess),
        "total_seconds": total,
        "ocr_seconds": tess,
    }


# -------------------------------------------------------------------------------------------------- report
def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f} %"


def _verdict(ok: bool) -> str:
    return "**pass**" if ok else "**FAIL**"


def _select_quick(pages: list[ScanPage]) -> list[ScanPage]:
    wanted = set(QUICK_PAGES)
    return [p for p in pages if (p.doc, p.page) in wanted]


def fallback_table(
    pages: list[ScanPage], cleaned: dict[str, dict[str, Any]], uncleaned: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """What keeping the uncleaned page's OCR would give, per confidence threshold.

    Exact, not an estimate: Tesseract is deterministic, so the fallback's second reading is the
    ``no-cleanup`` variant's reading.

    With threshold ``t`` the OCR stage re-reads the pre-cleanup image when the cleaned page's mean word
    confidence is below ``t`` and keeps whichever reading has the higher mean confidence.
    """
    base_ocr = sum(cleaned[p.image]["seconds"]["ocr"] for p in pages)
    rows = []
    for threshold in (None, 50.0, 70.0, 80.0, 85.0, 90.0, 101.0):
        chosen: dict[str, str] = {}
        reread = kept = 0
        extra = 0.0
        for page in pages:
            a, b = cleaned[page.image], uncleaned[page.image]
            ca, cb = a["mean_confidence"], b["mean_confidence"]
            text = a["text"]
            if threshold is not None and ca is not None and ca < threshold:
                reread += 1
                extra += b["seconds"]["ocr"]
                if cb is not None and cb > ca:
                    text = b["text"]
                    kept += 1
            chosen[page.image] = text
        scores = split_scores(pages, chosen)
        rows.append(
            {
                "threshold": threshold,
                "reread": reread,
                "kept_uncleaned": kept,
                "extra_ocr": extra / max(1e-9, base_ocr),
                **{f"cer_{s}": scores[s].cer for s in SPLITS},
            }
        )
    oracle = {}
    for page in pages:
        readings = (cleaned[page.image]["text"], uncleaned[page.image]["text"])
        oracle[page.image] = min(readings, key=functools.partial(_page_cer, page.truth))
    scores = split_scores(pages, oracle)
    rows.append(
        {"threshold": "oracle", "reread": len(pages), "kept_uncleaned": None, "extra_ocr": None}
        | {f"cer_{s}": scores[s].cer for s in SPLITS}
    )
    return rows


def run(ctx: BenchContext) -> BenchSection:
    """The benchmark section (see the module docstring)."""
    started = time.monotonic()
    all_pages = build_scan_set(ctx)
    pages = _select_quick(all_pages) if ctx.quick else all_pages
    variants = (RAW_VIE, PIPE_VIE, PIPE_ENG) + (() if ctx.quick else ABLATIONS)
    results = ocr_results(ctx, pages, variants)

    def records(variant: Variant) -> dict[str, dict[str, Any]]:
        return {p.image: results[(p.image, variant.name)] for p in pages}

    def texts(variant: Variant) -> dict[str, str]:
        return {k: r["text"] for k, r in records(variant).items()}

    scores = {v.name: split_scores(pages, texts(v)) for v in variants}
    restored_vie, vie_note, vie_seconds = restore_texts(pages, records(PIPE_VIE))
    restored_eng, eng_note, eng_seconds = restore_texts(pages, records(PIPE_ENG))
    if restored_vie is not None:
        scores["pipeline-vie+restore"] = split_scores(pages, restored_vie)
    if restored_eng is not None:
        scores["pipeline-eng+restore"] = split_scores(pages, restored_eng)

    # deskew and orientation, measured on the product pipeline's pages
    pipe = records(PIPE_VIE)
    text_pages = [p for p in pages if p.truth]
    skew_errors = [pipe[p.image]["skew"] - p.skew for p in text_pages]
    abs_errors = [abs(e) for e in skew_errors]
    orient_ok = [pipe[p.image]["rotation"] == (-p.rotation) % 360 for p in text_pages]
    rotated = [p for p in text_pages if p.rotation]
    rotated_ok = sum(pipe[p.image]["rotation"] == (-p.rotation) % 360 for p in rotated)
    blank_pages = [p for p in pages if not p.truth]
    blank_ok = all(pipe[p.image]["rotation"] == 0 and not pipe[p.image]["text"].strip() for p in blank_pages)

    subset = throughput_subset(pages, 2 if ctx.quick else THROUGHPUT_PAGES)
    speed = measure_throughput(ctx, subset)
    raw_1, pipe_1, pipe_2 = speed
    speedup = pipe_2["pages_per_minute"] / max(1e-9, pipe_1["pages_per_minute"])
    busiest = max(r["other_cores"] for r in speed)
    over_now = overhead([{"total": pipe_1["total"], "ocr": pipe_1["ocr"], "osd": pipe_1["osd"]}])
    over_set = overhead([r["seconds"] for r in pipe.values()])

    # targets
    raw, full = scores[RAW_VIE.name], scores[PIPE_VIE.name]
    targets = []
    for split in ("all", "held-out"):
        targets.append(
            (
                f"pipeline CER ≤ {TARGET_CER_RATIO:g} × raw tesseract vie ({split})",
                f"{_pct(full[split].cer)} vs {_pct(raw[split].cer)} "
                f"(ratio {full[split].cer / max(1e-9, raw[split].cer):.2f})",
                full[split].cer <= TARGET_CER_RATIO * raw[split].cer,
            )
        )
        targets.append(
            (
                f"pipeline CER ≤ {100 * TARGET_CER:.1f} % ({split})",
                _pct(full[split].cer),
                full[split].cer <= TARGET_CER,
            )
        )
    max_skew = max(abs_errors) if abs_errors else 0.0
    targets.append(
        (f"deskew max |error| ≤ {TARGET_SKEW_MAX}°", f"{max_skew:.3f}°", max_skew <= TARGET_SKEW_MAX)
    )
    targets.append(
        (
            f"pipeline overhead ≤ {100 * TARGET_OVERHEAD:.0f} % of Tesseract time",
            f"{100 * over_now['overhead']:.1f} %" + (" (machine busy elsewhere)" if busiest > 0.2 else ""),
            over_now["overhead"] <= TARGET_OVERHEAD,
        )
    )
    targets.append(
        (
            f"2 workers ≥ {TARGET_SPEEDUP}× one worker",
            f"{speedup:.2f}×" + (f" (machine busy elsewhere: {busiest:.1f} cores)" if busiest > 0.2 else ""),
            speedup >= TARGET_SPEEDUP,
        )
    )

    md: list[str] = []
    docs = sorted({p.doc for p in pages}, key=[p.doc for p in pages].index)
    md.append(
        f"Scan set `{SET_VERSION}`: {len(pages)} synthetic pages made by `tools.synthetic` from the "
        "dev documents (skew within ±5°, blur, noise, dust, faded ink, paper tone, scanner borders, JPEG; "
        f"{len(rotated)} pages scanned rotated 90/180/270°; {len(blank_pages)} blank page). Tesseract "
        f"{engines.tesseract_version()}, one thread per process (`OMP_THREAD_LIMIT=1`). CER/WER are summed "
        "over pages (edit operations / reference characters or syllables) after the scorer's "
        "normalisation (NFC, Markdown marks removed, whitespace folded); on the blank page every character "
        "read is an error." + (" **Quick smoke run on 3 pages: not representative.**" if ctx.quick else "")
    )
    md.append("")
    doc_rows = []
    for doc in docs:
        dp = [p for p in pages if p.doc == doc]
        doc_rows.append(
            [
                doc,
                dp[0].split,
                dp[0].font,
                dp[0].dpi,
                len(dp),
                ", ".join(f"p{p.page}: {p.rotation}°" for p in dp if p.rotation) or "–",
                _pct(split_scores(dp, texts(RAW_VIE))["all"].cer),
                _pct(split_scores(dp, texts(PIPE_VIE))["all"].cer),
            ]
        )
    md.append(
        markdown_table(
            ["document", "split", "font", "dpi", "pages", "rotated", "raw vie CER", "pipeline CER"], doc_rows
        )
    )
    md += ["", "### Text accuracy (OCR text before restoration unless noted)", ""]
    header = ["split", "pages", "ref chars"]
    columns = [
        (RAW_VIE.name, "raw tesseract vie"),
        (PIPE_VIE.name, "vnocr pipeline vie"),
        ("pipeline-vie+restore", "pipeline vie + restore"),
        (PIPE_ENG.name, "pipeline eng (no restore)"),
        ("pipeline-eng+restore", "pipeline eng + restore"),
    ]
    for _, label in columns:
        header += [f"{label} CER", f"{label} WER"]
    rows = []
    for split in SPLITS:
        row: list[Any] = [split, full[split].pages, full[split].chars]
        for key, _ in columns:
            if key in scores:
                row += [_pct(scores[key][split].cer), _pct(scores[key][split].wer)]
            else:
                row += ["unavailable", "unavailable"]
        rows.append(row)
    md.append(markdown_table(header, rows))
    md.append("")
    md.append(
        "Restoration (`diacritics.restore` on each document's pages as one text, with the word confidences, "
        f"as the product does): vie {vie_note}"
        + (f", {vie_seconds:.1f} s" if restored_vie is not None else "")
        + f"; eng {eng_note}"
        + (f", {eng_seconds:.1f} s" if restored_eng is not None else "")
        + "."
    )
    md += ["", "### Targets", ""]
    md.append(
        markdown_table(["target", "measured", "result"], [[t, m, _verdict(ok)] for t, m, ok in targets])
    )
    md += ["", "### Page geometry", ""]
    md.append(
        f"- Deskew (on the {len(text_pages)} text pages, found `skew_degrees` minus the applied skew, both "
        f"positive = counter-clockwise): mean |error| {np.mean(abs_errors) if abs_errors else 0:.3f}°, "
        f"max {max_skew:.3f}°, mean signed error {np.mean(skew_errors) if skew_errors else 0:+.3f}°."
    )
    md.append(
        f"- Orientation: {sum(orient_ok)}/{len(orient_ok)} text pages right "
        f"({rotated_ok}/{len(rotated)} of the rotated ones); blank page "
        + ("left as it is with no text read" if blank_ok else "**not** handled cleanly")
        + "."
    )
    md += ["", "### Speed", ""]
    md.append(
        f"Measured for real on every run (not cached) on a fixed subset of {len(subset)} full text pages "
        f"(≥ {FULL_PAGE_CHARS} characters) "
        f"({', '.join(f'{p.doc} p{p.page}' for p in subset)}), worker processes started and warmed up "
        "before the clock starts, one Tesseract thread each."
    )
    md.append("")
    md.append(
        markdown_table(
            ["what", "workers", "pages", "wall s", "pages/minute", "vs raw 1 worker", "cores busy elsewhere"],
            [
                [
                    r["label"],
                    r["workers"],
                    r["pages"],
                    r["wall_seconds"],
                    r["pages_per_minute"],
                    f"{r['pages_per_minute'] / max(1e-9, raw_1['pages_per_minute']):.2f}×",
                    r["other_cores"],
                ]
                for r in speed
            ],
        )
    )
    md.append("")
    md.append(
        f"- 2 workers vs 1: {speedup:.2f}× ({os.cpu_count()} cores)."
        + (
            f" **The machine was busy with other work while this was timed (up to {busiest:.1f} cores, last "
            "column): the speed figures are not representative; rerun on an idle machine.**"
            if busiest > 0.2
            else ""
        )
        + f"\n- Pipeline overhead (all work except Tesseract's OCR calls, OSD included, as a share of the OCR "
        f"time): {100 * over_now['overhead']:.1f} % on the timed subset "
        f"(OSD {100 * over_now['osd_share']:.1f} %); "
        f"{100 * over_set['overhead']:.1f} % over the whole set (timings recorded when its OCR was cached)."
    )
    extra: dict[str, Any] = {}
    if not ctx.quick:
        md += ["", "### Cleanup ablation (vie, each step switched the other way)", ""]
        ab_rows = []
        ablation: dict[str, dict[str, float]] = {}
        by_font_dpi = sorted({(p.font, p.dpi) for p in text_pages})
        for v in (PIPE_VIE, *ABLATIONS):
            s = scores[v.name]
            groups = {
                f"{font} {dpi}": split_scores(
                    [p for p in text_pages if (p.font, p.dpi) == (font, dpi)], texts(v)
                )["all"].cer
                for font, dpi in by_font_dpi
            }
            ablation[v.name] = {**{split: s[split].cer for split in SPLITS}, **groups}
            ab_rows.append(
                [v.label if v is not PIPE_VIE else "all steps (product default)"]
                + [_pct(s[split].cer) for split in SPLITS]
                + [_pct(c) for c in groups.values()]
                + [f"{100 * (s['all'].cer - full['all'].cer):+.3f}"]
            )
        extra["ablation"] = ablation
        md.append(
            markdown_table(
                ["cleanup (vs the product default)", "CER tune", "CER held-out", "CER all"]
                + [f"CER {font} {dpi} dpi" for font, dpi in by_font_dpi]
                + ["Δ all (points)"],
                ab_rows,
            )
        )
        fb = fallback_table(pages, records(PIPE_VIE), records(ABLATIONS[-1]))
        extra["fallback"] = fb
        md += ["", "### Keeping the uncleaned page when cleanup lowers OCR confidence", ""]
        md.append(
            "Computed exactly from the cleaned and uncleaned runs above: with threshold *t*, a page whose "
            "cleaned mean word confidence is below *t* is re-read without cleanup and the reading with the "
            "higher mean confidence is kept (`ocr.recognise(fallback_below=t)`)."
        )
        md.append("")
        md.append(
            markdown_table(
                [
                    "threshold",
                    "pages re-read",
                    "uncleaned kept",
                    "extra OCR time",
                    "CER tune",
                    "CER held-out",
                    "CER all",
                ],
                [
                    [
                        "off"
                        if r["threshold"] is None
                        else ("always" if r["threshold"] == 101.0 else r["threshold"]),
                        r["reread"],
                        "–" if r["kept_uncleaned"] is None else r["kept_uncleaned"],
                        "–" if r["extra_ocr"] is None else f"{100 * r['extra_ocr']:.0f} %",
                    ]
                    + [_pct(r[f"cer_{s}"]) for s in SPLITS]
                    for r in fb
                ],
            )
        )
        md.append("")
        md.append(f"Default: `ocr.FALLBACK_BELOW = {ocr.FALLBACK_BELOW}`.")
    worst = sorted(text_pages, key=lambda p: -error_rates(p.truth, pipe[p.image]["text"])["cer"])[:5]
    md += [
        "",
        "Worst pipeline pages (vie): "
        + ", ".join(
            f"{p.doc} p{p.page} {_pct(error_rates(p.truth, pipe[p.image]['text'])['cer'])}" for p in worst
        )
        + ".",
    ]

    per_page = [
        {
            "doc": p.doc,
            "page": p.page,
            "split": p.split,
            "font": p.font,
            "dpi": p.dpi,
            "skew": p.skew,
            "rotation": p.rotation,
            "found_skew": pipe[p.image]["skew"],
            "found_rotation": pipe[p.image]["rotation"],
            "mean_confidence": pipe[p.image]["mean_confidence"],
            **{
                f"cer_{v.name}": error_rates(p.truth, results[(p.image, v.name)]["text"])["cer"]
                for v in variants
            },
        }
        for p in pages
    ]
    section_results: dict[str, Any] = {
        "pages": len(pages),
        "scores": {
            name: {
                split: {"cer": t.cer, "wer": t.wer, "chars": t.chars, "pages": t.pages}
                for split, t in s.items()
            }
            for name, s in scores.items()
        },
        "restoration": {"vie": vie_note, "eng": eng_note},
        "deskew": {
            "mean_abs_error": float(np.mean(abs_errors)) if abs_errors else 0.0,
            "max_abs_error": max_skew,
            "mean_signed_error": float(np.mean(skew_errors)) if skew_errors else 0.0,
        },
        "orientation": {
            "correct": sum(orient_ok),
            "pages": len(orient_ok),
            "rotated_correct": rotated_ok,
            "rotated": len(rotated),
            "blank_ok": blank_ok,
        },
        "throughput": speed,
        "speedup_2_workers": speedup,
        "overhead": over_now,
        "overhead_whole_set": over_set,
        "targets": [{"target": t, "measured": m, "pass": ok} for t, m, ok in targets],
        "per_page": per_page,
        "elapsed_seconds": round(time.monotonic() - started, 1),
        **extra,
    }
    return BenchSection(
        title="Scan → text (OCR pipeline vs raw Tesseract)",
        command="python -m tools.bench --only ocr" + (" --quick" if ctx.quick else ""),
        markdown="\n".join(md),
        results=section_results,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="bench_ocr: %(message)s", stream=sys.stderr)
    section = run(BenchContext(shared=args.shared.resolve(), cache=args.cache.resolve(), quick=args.quick))
    print(section.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
