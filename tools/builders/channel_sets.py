"""Parallel OCR data: corpus text rendered to scans, OCRed by Tesseract ``eng`` and ``vie``, with the truth.

Each *set* is a list of pages; each page record holds the ground-truth lines drawn on the page and the
Tesseract output (lines and per-word confidences). Sets are stored as JSONL under
``.cache/channel/sets/<name>.<lang>.jsonl`` and every Tesseract output under ``.cache/channel/ocr/`` keyed by
(image hash, language, config), so regenerating is free once the OCR ran.

Sets (the benchmark scripts read them with :func:`load_set`):

==================  ==============================================================  ====================
name                text                                                            use
==================  ==============================================================  ====================
``train``           legal-snippets *train* + law corpus + a little Wikipedia       learning the channel
``dev``             legal-snippets *validation*                                     channel statistics
``test``            legal-snippets *test*                                           benchmarks only
``test-doc``        the held-out document ``lang-son-2023.md``                      benchmarks only
``dev-bang-mac``    ``bang-mac-2024.md`` (dev document)                              development
``dev-binh-luong``  ``binh-luong-2023.txt`` (dev document)                           development
==================  ==============================================================  ====================

Run ``python -m tools.builders.channel_sets --set dev`` to (re)build one set.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ocr_pipeline.exceptions import DataError
from ocr_pipeline.textio import atomic_write_text

from .channel_corpus import SourceDocument, snippet_documents, training_documents

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "channel"
#: Bump when rendering/degradation/OCR settings change (stored sets are then rebuilt; OCR stays cached).
SPEC_VERSION = 1
OCR_PSM = 4
LANGS = ("eng", "vie")


@dataclass(frozen=True)
class SetSpec:
    """What goes into one set.

    Attributes:
        name: Set name.
        eng_pages: Target pages (training/snippet sets: about this many; documents: all pages).
        vie_pages: Of those, how many (the first ones) are also OCRed with ``vie``.
        seed: Seed of the text sample and of the rendering/degradation choices.
        document: For a document set, its file under ``shared/documents``.
    """

    name: str
    eng_pages: int = 0
    vie_pages: int = 0
    seed: int = 0
    document: str | None = None


SETS: dict[str, SetSpec] = {
    "train": SetSpec("train", eng_pages=160, vie_pages=100, seed=11),
    "dev": SetSpec("dev", eng_pages=16, vie_pages=10, seed=12),
    "test": SetSpec("test", eng_pages=16, vie_pages=10, seed=13),
    "test-doc": SetSpec("test-doc", seed=14, document="lang-son-2023.md"),
    "dev-bang-mac": SetSpec("dev-bang-mac", seed=15, document="bang-mac-2024.md"),
    "dev-binh-luong": SetSpec("dev-binh-luong", seed=16, document="binh-luong-2023.txt"),
}


@dataclass
class PageRecord:
    """One OCRed page of a set.

    Attributes:
        page_id: ``<document id>-p<page number>``.
        font: Font key of :data:`tools.synthetic.FONTS` (headings use its bold face).
        dpi: Resolution of the page image.
        size_pt: Font size.
        degradation: The :class:`tools.synthetic.Degradation` fields.
        gt_lines: The lines drawn on the page.
        ocr_lines: Tesseract's non-empty output lines.
        ocr_words: ``[text, confidence]`` of every OCR word, in the order of ``ocr_lines``.
    """

    page_id: str
    font: str
    dpi: int
    size_pt: float
    degradation: dict[str, Any]
    gt_lines: list[str]
    ocr_lines: list[str]
    ocr_words: list[list[Any]] = field(default_factory=list)

    @property
    def confidences(self) -> list[float]:
        """OCR word confidences, one per whitespace token of ``ocr_lines``."""
        return [float(c) for _, c in self.ocr_words]


# ------------------------------------------------------------------------------------------- documents
def default_shared() -> Path:
    """``$VNOCR_SHARED`` or the ``shared`` folder next to the repository."""
    return Path(os.environ.get("VNOCR_SHARED", ROOT.parent / "shared"))


def source_documents(spec: SetSpec, shared: Path) -> list[SourceDocument]:
    """The text of a set, as documents of paragraphs."""
    from tools.synthetic import paragraphs_from_text

    corpus = shared / "corpus"
    if spec.document:
        path = shared / "documents" / spec.document
        if not path.is_file():
            raise DataError(f"{path} is missing", hint="the channel sets need ../shared (or $VNOCR_SHARED)")
        return [SourceDocument(path.stem, paragraphs_from_text(path.read_text(encoding="utf-8")))]
    if not (corpus / "legal-snippets.jsonl.xz").is_file():
        raise DataError(f"{corpus} has no corpus", hint="the channel sets need ../shared (or $VNOCR_SHARED)")
    if spec.name == "train":
        return training_documents(corpus, spec.eng_pages, seed=spec.seed)
    split = {"dev": "validation", "test": "test"}[spec.name]
    return snippet_documents(corpus, split, spec.eng_pages, seed=spec.seed)


@dataclass(frozen=True)
class _Job:
    set_name: str
    index: int
    doc: SourceDocument
    seed: int
    vie: bool
    whole_document: bool


def _layout(rng: np.random.Generator, whole_document: bool, index: int) -> tuple[str, float, int]:
    fonts = ("liberation-serif", "dejavu-serif")
    if whole_document:
        return fonts[index % 2], 13.0, 300
    font = fonts[int(rng.integers(0, 2))]
    size = float(rng.choice([12.0, 13.0, 13.0, 14.0]))
    dpi = int(rng.choice([300, 300, 200]))
    return font, size, dpi


def page_degradation(rng: np.random.Generator, dpi: int) -> Any:
    """Archive-scan degradation, mild (40 %), moderate (35 %) or heavy (25 %).

    The sheet's skew is already corrected by the pipeline; a small residue is left.
    """
    from tools.synthetic import Degradation

    scale = dpi / 300
    tier = float(rng.random())
    if tier < 0.40:  # mild
        blur, noise, jpeg, contrast, speck = (0.3, 0.9), (2.0, 8.0), [None, 85, 70], (0.85, 1.0), 0.0
    elif tier < 0.75:  # moderate
        blur, noise, jpeg, contrast, speck = (0.8, 1.2), (8.0, 12.0), [70, 55, 50], (0.7, 0.85), 2e-5
    else:  # heavy
        blur, noise, jpeg, contrast, speck = (1.2, 1.7), (12.0, 17.0), [50, 40], (0.6, 0.75), 8e-5
    return Degradation(
        skew_degrees=float(rng.uniform(-0.25, 0.25)),
        blur_sigma=float(rng.uniform(*blur) * scale),
        noise_sigma=float(rng.uniform(*noise)),
        speckle_density=float(speck * rng.random()),
        jpeg_quality=jpeg[int(rng.integers(0, len(jpeg)))],
        contrast=float(rng.uniform(*contrast)),
        background=int(rng.integers(222, 256)),
    )


def _image_key(image: np.ndarray) -> str:
    h = hashlib.sha1(f"{image.shape}".encode())
    h.update(np.ascontiguousarray(image).tobytes())
    return h.hexdigest()


def cached_ocr(image: np.ndarray, lang: str, dpi: int, cache: Path = CACHE) -> list[list[tuple[str, float]]]:
    """Tesseract's lines of words ``(text, confidence)`` for a page, cached on disk.

    The cache key is the image content, the language and the Tesseract configuration.
    """
    from ocr_pipeline.imaging import engines

    config = f"psm{OCR_PSM}-dpi{dpi}"
    path = cache / "ocr" / f"{_image_key(image)}.{lang}.{config}.json"
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        return [[(str(w), float(c)) for w, c in line] for line in data["lines"]]
    result = engines.ocr_page(image, lang, dpi=dpi, psm=OCR_PSM)
    lines = [[(w.text, float(w.confidence)) for w in line.words] for line in result.lines if line.words]
    atomic_write_text(path, json.dumps({"lines": lines}, ensure_ascii=False))
    return lines


def _run_job(job: _Job) -> dict[str, list[dict[str, Any]]]:
    from tools.synthetic import degrade, render_pages

    rng = np.random.default_rng([job.seed, job.index])
    font, size, dpi = _layout(rng, job.whole_document, job.index)
    pages = render_pages(job.doc.paragraphs, dpi=dpi, font=font, size_pt=size)
    out: dict[str, list[dict[str, Any]]] = {lang: [] for lang in LANGS}
    for n, page in enumerate(pages, start=1):
        deg = page_degradation(rng, dpi)
        image = degrade(page.image, deg, rng)
        for lang in LANGS:
            if lang == "vie" and not job.vie:
                continue
            lines = cached_ocr(image, lang, dpi)
            record = PageRecord(
                page_id=f"{job.doc.doc_id}-p{n}",
                font=font,
                dpi=dpi,
                size_pt=size,
                degradation=asdict(deg),
                gt_lines=list(page.lines),
                ocr_lines=[" ".join(w for w, _ in line) for line in lines],
                ocr_words=[[w, c] for line in lines for w, c in line],
            )
            out[lang].append(asdict(record))
    return out


def _jobs(spec: SetSpec, shared: Path) -> list[_Job]:
    docs = source_documents(spec, shared)
    whole = spec.document is not None
    jobs = []
    for i, doc in enumerate(docs):
        # Documents are ~2 pages each: the first vie_pages/2 of them are also OCRed with vie.
        vie = whole or i < max(1, round(spec.vie_pages / 2))
        jobs.append(_Job(spec.name, i, doc, spec.seed, vie, whole))
    return jobs


def _spec_hash(spec: SetSpec) -> str:
    payload = json.dumps([SPEC_VERSION, OCR_PSM, asdict(spec)], sort_keys=True)
    return hashlib.sha1(payload.encode()).hexdigest()[:12]


def set_path(name: str, lang: str, cache: Path = CACHE) -> Path:
    """Where a set's records are stored."""
    return cache / "sets" / f"{name}.{lang}.jsonl"


def _nice() -> None:
    with contextlib.suppress(OSError):
        os.nice(10)
    os.environ["OMP_THREAD_LIMIT"] = "1"


def build_set(name: str, shared: Path | None = None, workers: int = 2, cache: Path = CACHE) -> None:
    """Render, degrade and OCR one set (both languages) and store its records.

    Args:
        name: A key of :data:`SETS`.
        shared: The shared dev folder (corpus and documents).
        workers: Parallel processes (each runs one single-threaded Tesseract at a time; at most 2).
        cache: The channel cache folder.
    """
    spec = SETS[name]
    jobs = _jobs(spec, shared or default_shared())
    results: list[dict[str, list[dict[str, Any]]]] = []
    start = time.monotonic()
    workers = max(1, min(2, workers))
    with ProcessPoolExecutor(max_workers=workers, initializer=_nice) as pool:
        for k, res in enumerate(pool.map(_run_job, jobs), start=1):
            results.append(res)
            pages = sum(len(r["eng"]) for r in results)
            log.info(
                "%s: %d/%d documents, %d pages, %.0f s", name, k, len(jobs), pages, time.monotonic() - start
            )
    for lang in LANGS:
        records = [rec for res in results for rec in res[lang]]
        lines = "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
        atomic_write_text(set_path(name, lang, cache), lines)
        atomic_write_text(set_path(name, lang, cache).with_suffix(".meta.json"), json.dumps(_meta(spec)))


def _meta(spec: SetSpec) -> dict[str, Any]:
    return {"spec": _spec_hash(spec)}


def is_built(name: str, cache: Path = CACHE) -> bool:
    """Whether both languages of a set are stored for the current spec."""
    spec = SETS[name]
    for lang in LANGS:
        meta = set_path(name, lang, cache).with_suffix(".meta.json")
        if not meta.is_file() or json.loads(meta.read_text(encoding="utf-8")) != _meta(spec):
            return False
    return True


def load_set(name: str, lang: str, shared: Path | None = None, cache: Path = CACHE) -> list[PageRecord]:
    """The page records of a set, building it (deterministically, slowly: OCR) when missing or stale.

    Args:
        name: A key of :data:`SETS` (``train``, ``dev``, ``test``, ``test-doc``, ``dev-bang-mac``,
            ``dev-binh-luong``).
        lang: ``"eng"`` or ``"vie"``.
        shared: The shared dev folder, needed only to build a missing set.
        cache: The channel cache folder.

    Raises:
        DataError: Unknown set or language, or the set is missing and cannot be built.
    """
    if name not in SETS or lang not in LANGS:
        raise DataError(f"unknown channel set {name!r}/{lang!r}; sets: {', '.join(SETS)}; langs: eng, vie")
    if not is_built(name, cache):
        build_set(name, shared, cache=cache)
    path = set_path(name, lang, cache)
    with path.open(encoding="utf-8") as fh:
        return [PageRecord(**json.loads(line)) for line in fh if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """Build (or check) channel sets from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", choices=sorted(SETS), help="set(s) to build (default: all)")
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--force", action="store_true", help="rebuild even when stored")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    for name in args.set or list(SETS):
        if args.force or not is_built(name):
            build_set(name, args.shared, workers=args.workers)
        for lang in LANGS:
            recs = load_set(name, lang)
            words = sum(len(r.ocr_words) for r in recs)
            print(f"{name}.{lang}: {len(recs)} pages, {words} OCR words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
