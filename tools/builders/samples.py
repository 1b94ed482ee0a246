"""Build the bundled samples in ``samples/`` (what ``make demo`` digitises) from the dev documents.

Writes, below ``--out``:

- ``scans/<name>.pdf``: the first pages of a dev document typeset by the project's own generator
  (:mod:`tools.synthetic`) and degraded like a flatbed scan (skew, blur, noise, dust, faded ink,
  a page turned upside down), stored as an image-only PDF with one JPEG stream per page;
- ``scans/<name>.gt.txt``: the ground truth, exactly the lines drawn on those pages, one line a line, pages
  separated by a form feed (the page separator of vnocr's own ``.txt`` output), ending with a newline.
  ``vnocr batch`` skips ``*.gt.txt`` files;
- ``text/district-2021.eng-ocr.txt``: a copy of the 2021 district plan's real English-model OCR text.

Everything is deterministic (fixed seeds, no timestamps in the PDF): a rerun writes the same bytes on the
same libraries. ``lang-son-2023`` is held out for the benchmarks and is never used here.

Usage: ``python -m tools.builders.samples --shared ../shared --out samples`` (``make samples``).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from tools import synthetic
from tools.synthetic import Degradation

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
FORM_FEED = "\f"
#: Documents that must never become samples (held out for the benchmarks).
HELD_OUT = frozenset({"lang-son-2023"})


@dataclass(frozen=True)
class SampleSpec:
    """One sample scan: which document, how it is typeset, and how each page is spoiled.

    Attributes:
        name: Output stem (``scans/<name>.pdf``).
        source: Path of the document relative to ``--shared``.
        font: A key of :data:`tools.synthetic.FONTS`.
        dpi: Rendering (and scan) resolution.
        pages: How many pages to keep from the start of the document.
        seed: Seed of the degradation randomness (noise, dust).
        degradations: One :class:`Degradation` per kept page.
        jpeg_quality: Quality of the JPEG stream stored for each page in the PDF.
    """

    name: str
    source: str
    font: str
    dpi: int
    pages: int
    seed: int
    degradations: tuple[Degradation, ...]
    jpeg_quality: int

    def __post_init__(self) -> None:
        if len(self.degradations) != self.pages:
            raise ValueError(f"{self.name}: one degradation per page is needed")
        if Path(self.source).stem in HELD_OUT:
            raise ValueError(f"{self.source} is held out for the benchmarks")


_BANG_MAC = Degradation(
    skew_degrees=1.5, blur_sigma=0.7, noise_sigma=3.0, speckle_density=1.5e-5, contrast=0.9, background=246
)
_BINH_LUONG = Degradation(
    skew_degrees=-2.5, blur_sigma=0.5, noise_sigma=3.0, speckle_density=6e-5, contrast=0.85, background=238
)

SAMPLES: tuple[SampleSpec, ...] = (
    SampleSpec(
        name="bang-mac-2024",
        source="documents/bang-mac-2024.md",
        font="liberation-serif",
        dpi=300,
        pages=2,
        seed=2024,
        degradations=(_BANG_MAC, replace(_BANG_MAC, skew_degrees=1.2)),
        jpeg_quality=50,
    ),
    SampleSpec(
        name="binh-luong-2023",
        source="documents/binh-luong-2023.txt",
        font="dejavu-serif",
        dpi=200,
        pages=2,
        seed=2023,
        # the second sheet went through the scanner upside down, with a scanner-lid shadow
        degradations=(
            _BINH_LUONG,
            replace(_BINH_LUONG, skew_degrees=-2.0, rotation=180, border=True),
        ),
        jpeg_quality=55,
    ),
)

OCR_TEXT_SOURCE = "documents/district-2021.eng-ocr.txt"
OCR_TEXT_TARGET = "text/district-2021.eng-ocr.txt"


def build_sample(spec: SampleSpec, shared: Path, out: Path) -> tuple[Path, Path]:
    """Render, degrade and write one sample scan and its ground truth.

    Returns:
        The PDF and ``.gt.txt`` paths.
    """
    text = (shared / spec.source).read_text(encoding="utf-8")
    rendered = synthetic.render_pages(synthetic.paragraphs_from_text(text), dpi=spec.dpi, font=spec.font)
    if len(rendered) < spec.pages:
        raise ValueError(f"{spec.source} has {len(rendered)} pages, {spec.pages} wanted")
    kept = rendered[: spec.pages]
    rng = np.random.default_rng(spec.seed)
    images = [synthetic.degrade(page.image, d, rng) for page, d in zip(kept, spec.degradations, strict=True)]
    pdf = out / "scans" / f"{spec.name}.pdf"
    gt = pdf.with_name(f"{spec.name}.gt.txt")
    synthetic.write_pdf(images, pdf, dpi=spec.dpi, jpeg_quality=spec.jpeg_quality)
    pdf.chmod(0o644)  # write_pdf's temporary file is private
    _write_text(gt, FORM_FEED.join(page.text for page in kept) + "\n")
    return pdf, gt


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    tmp.replace(path)


def copy_ocr_text(shared: Path, out: Path) -> Path:
    """Copy the 2021 plan's English-model OCR text (unchanged) into ``out/text``."""
    source, target = shared / OCR_TEXT_SOURCE, out / OCR_TEXT_TARGET
    if not (target.is_file() and target.read_bytes() == source.read_bytes()):
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    return target


def _describe(path: Path, out: Path) -> str:
    data = path.read_bytes()
    return f"{path.relative_to(out)}  {len(data):>9,} bytes  sha256 {hashlib.sha256(data).hexdigest()[:16]}"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the dev material")
    parser.add_argument("--out", type=Path, default=ROOT / "samples", help="the samples folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="make_samples: %(message)s", stream=sys.stderr)
    shared: Path = args.shared
    out: Path = args.out
    missing = [s for s in (*(spec.source for spec in SAMPLES), OCR_TEXT_SOURCE) if not (shared / s).is_file()]
    if missing:
        log.error("missing in %s: %s", shared, ", ".join(missing))
        return 2
    written: list[Path] = []
    for spec in SAMPLES:
        written += build_sample(spec, shared, out)
    written.append(copy_ocr_text(shared, out))
    for path in written:
        log.info("%s", _describe(path, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
