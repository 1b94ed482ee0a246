"""The bundled samples (what ``make demo`` digitises) exist and ``samples/README.md`` lists every one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.builders.samples import HELD_OUT, SAMPLES, SampleSpec

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
README = SAMPLES_DIR / "README.md"
MAX_PDF_BYTES = 1_500_000


def _sample_files() -> set[str]:
    return {
        p.relative_to(SAMPLES_DIR).as_posix()
        for p in SAMPLES_DIR.rglob("*")
        if p.is_file() and p != README and not any(part.startswith(".") for part in p.parts)
    }


def _readme_files() -> set[str]:
    """The paths in the first column of the README's table."""
    rows = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    return {m.group(1) for m in (re.match(r"\| `([^`]+)`", row) for row in rows) if m}


def test_readme_lists_exactly_the_files_in_samples() -> None:
    files, listed = _sample_files(), _readme_files()
    assert files - listed == set(), "files in samples/ missing from samples/README.md"
    assert listed - files == set(), "samples/README.md lists files that do not exist"


@pytest.mark.parametrize("spec", SAMPLES, ids=lambda s: s.name)
def test_each_sample_scan_has_its_ground_truth(spec: SampleSpec) -> None:
    pdf = SAMPLES_DIR / "scans" / f"{spec.name}.pdf"
    gt = pdf.with_name(f"{spec.name}.gt.txt")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) < MAX_PDF_BYTES
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) == spec.pages
    assert data.count(b"/DCTDecode") == spec.pages  # JPEG streams keep the samples small
    text = gt.read_text(encoding="utf-8")
    pages = text.split("\f")
    assert len(pages) == spec.pages and all(page.strip() for page in pages)


def test_every_pdf_in_samples_has_a_ground_truth() -> None:
    for pdf in SAMPLES_DIR.rglob("*.pdf"):
        gt = pdf.with_name(pdf.stem + ".gt.txt")
        assert gt.is_file() and gt.read_text(encoding="utf-8").strip(), f"{gt} missing or empty"


def test_no_held_out_document_is_a_sample() -> None:
    assert not any(Path(spec.source).stem in HELD_OUT for spec in SAMPLES)
    assert not any(name in path for path in _sample_files() for name in HELD_OUT)
