"""Benchmark of the archive outputs (issue 21): the searchable PDF's text and boxes, its page images and
size, and the search index's speed.

Usage: python -m tools.bench.outputs [--scans samples/scans] [--out docs/BENCHMARKS_OUTPUTS.md]
       [--pages 10000] [--cache .cache/bench_outputs]

Targets: ``pdftotext x.pdf`` against ``x.txt`` CER ≤ 0.5 %; every word's box in the text layer
(``pdftotext -bbox``) overlaps its OCR word box by ≥ 80 % (intersection over the OCR box's area); the page
images byte-identical to the input's (``pdfimages -all``); the PDF ≤ 10 % larger than the input; a search
over 10,000 synthetic pages ≤ 50 ms; every ``x.alto.xml`` valid against the ALTO 4.4 schema
(``tests/data/alto/alto-4-4.xsd``). Self-contained: the measuring functions are used by the tests too.
"""

from __future__ import annotations

import argparse
import html
import pickle
import random
import re
import sqlite3
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: The ALTO 4.4 schema as published, and the local stand-in for the XLink schema it imports (see the README
#: beside them): validation reads no network.
ALTO_XSD = ROOT / "tests" / "data" / "alto" / "alto-4-4.xsd"
XLINK_XSD = ROOT / "tests" / "data" / "alto" / "xlink.xsd"
XLINK_XSD_URL = "http://www.loc.gov/standards/xlink/xlink.xsd"
BBOX_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', re.S
)


def pdftotext(pdf: Path) -> str:
    """The PDF's text as ``pdftotext`` reads it (pages separated by form feeds)."""
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance over the reference's length, whitespace runs counted as one space."""
    from rapidfuzz.distance import Levenshtein

    ref, hyp = " ".join(reference.split()), " ".join(hypothesis.split())
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def text_layer_words(pdf: Path) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    """Per page, the text layer's words with their boxes in points (``pdftotext -bbox``)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append(
            [
                (html.unescape(m.group(5)), (float(m[1]), float(m[2]), float(m[3]), float(m[4])))
                for m in BBOX_WORD.finditer(page)
            ]
        )
    return pages


def overlap(ocr: tuple[float, float, float, float], layer: tuple[float, float, float, float]) -> float:
    """The share of the OCR box's area that the text layer's box covers."""
    width = min(ocr[2], layer[2]) - max(ocr[0], layer[0])
    height = min(ocr[3], layer[3]) - max(ocr[1], layer[1])
    area = (ocr[2] - ocr[0]) * (ocr[3] - ocr[1])
    return max(0.0, width) * max(0.0, height) / area if area > 0 else 0.0


@dataclass
class BoxReport:
    """How the text layer's words sit on the OCR words."""

    words: int
    paired: int
    overlaps: list[float]

    @property
    def share_at_least_80(self) -> float:
        """Share of the paired words whose overlap is ≥ 80 %."""
        return sum(o >= 0.8 for o in self.overlaps) / max(1, len(self.overlaps))


def box_report(doc: object, pdf: Path) -> BoxReport:
    """Pair each placed restored word (in reading order) with the text layer's word of the same text, page by
    page, and measure the overlap of their boxes."""
    from ocr_pipeline.outputs.words import place_page

    layer_pages = text_layer_words(pdf)
    overlaps: list[float] = []
    words = 0
    for page, layer in zip(doc.pages, layer_pages, strict=False):  # type: ignore[attr-defined]
        if not page.words or not page.dpi:
            continue
        scale = 72 / page.dpi
        queue = list(layer)
        for line in place_page(page):
            for word in line.words:
                words += 1
                box = word.box
                ocr = (
                    box.left * scale,
                    box.top * scale,
                    (box.left + box.width) * scale,
                    (box.top + box.height) * scale,
                )
                at = next((i for i, (text, _) in enumerate(queue[:8]) if text == word.text), None)
                if at is None:
                    continue
                overlaps.append(overlap(ocr, queue[at][1]))
                del queue[: at + 1]
    return BoxReport(words, len(overlaps), overlaps)


def extracted_images(pdf: Path, folder: Path) -> list[bytes]:
    """The PDF's images as stored (``pdfimages -all``: JPEGs as their original bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdfimages", "-all", str(pdf), str(folder / "img")], check=True)
    return [p.read_bytes() for p in sorted(folder.iterdir())]


def images_identical(source: Path, output: Path) -> bool:
    """Whether the output PDF's images are byte for byte the input's."""
    with tempfile.TemporaryDirectory() as tmp:
        return extracted_images(source, Path(tmp) / "in") == extracted_images(output, Path(tmp) / "out")


def alto_schema(xsd: Path = ALTO_XSD) -> Any:
    """The ALTO schema as an ``lxml.etree.XMLSchema``, its XLink import resolved to :data:`XLINK_XSD`."""
    from lxml import etree

    class LocalXlink(etree.Resolver):  # type: ignore[misc]
        def resolve(self, url: str, pubid: str, context: object) -> object:
            return self.resolve_filename(str(XLINK_XSD), context) if url == XLINK_XSD_URL else None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalXlink())
    return etree.XMLSchema(etree.parse(str(xsd), parser))


def alto_errors(data: bytes, schema: Any) -> list[str]:
    """What ``schema`` finds wrong in the ALTO file ``data`` ([] = valid), one ``line N: message`` each."""
    from lxml import etree

    try:
        tree = etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False))
    except etree.XMLSyntaxError as error:
        return [f"not well-formed: {error}"]
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def syllable_frequencies() -> tuple[list[str], list[int]]:
    """The shipped syllable list with its counts in the legal training text (the synthetic pages' words)."""
    from diacritics.resources import LEGAL_SYLLABLES, read_lines

    words, counts = [], []
    for line in read_lines(LEGAL_SYLLABLES):
        token, kind, count = line.split("\t")[:3]
        if kind == "s" and int(count) > 0:
            words.append(token)
            counts.append(int(count))
    return words, counts


def synthetic_catalog(path: Path, pages: int, seed: int = 7) -> None:
    """A catalog of ``pages`` synthetic pages (300 syllables each drawn by their frequency in legal text, 10
    pages a document) with its index."""
    from ocr_pipeline.outputs.catalog import connect
    from ocr_pipeline.outputs.search import index_document

    rng = random.Random(seed)
    words, counts = syllable_frequencies()
    conn = connect(path)
    with conn:
        for number in range(pages // 10):
            record = {
                "pages": [
                    {"number": p + 1, "text": " ".join(rng.choices(words, counts, k=300))} for p in range(10)
                ],
                "sections": [],
            }
            index_document(conn, f"doc{number:05d}.pdf", record)
    conn.close()


def search_timings(path: Path, queries: list[str], repeat: int = 5) -> dict[str, float]:
    """Median milliseconds of each query (first 20 results, snippets included)."""
    from ocr_pipeline.outputs.search import search

    conn = sqlite3.connect(path)
    out = {}
    for query in queries:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            search(conn, query, limit=20)
            times.append((time.perf_counter() - start) * 1000)
        out[query] = statistics.median(times)
    conn.close()
    return out


def processed(source: Path, cache: Path) -> object:
    """vnocr's document of ``source`` (cached by the source's fingerprint: OCR is slow)."""
    from ocr_pipeline.pipeline import file_fingerprint, process_document

    key = cache / (file_fingerprint(source).split(":")[1][:16] + ".pkl")
    if key.is_file():
        return pickle.loads(key.read_bytes())
    doc = process_document(source)
    cache.mkdir(parents=True, exist_ok=True)
    key.write_bytes(pickle.dumps(doc))
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scans", type=Path, default=ROOT / "samples" / "scans")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "BENCHMARKS_OUTPUTS.md")
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench_outputs")
    args = parser.parse_args()

    from ocr_pipeline.outputs.alto import write_alto
    from ocr_pipeline.outputs.pdf import write_pdf

    schema = alto_schema()
    rows = []
    alto_checked: list[tuple[str, list[str]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for source in sorted(args.scans.glob("*.pdf")):
            doc = processed(source, args.cache)
            pdf = Path(tmp) / source.name
            start = time.perf_counter()
            outcome = write_pdf(doc, source, pdf)  # type: ignore[arg-type]
            seconds = time.perf_counter() - start
            boxes = box_report(doc, pdf)
            alto = pdf.with_suffix(".alto.xml")
            if write_alto(doc, alto):  # type: ignore[arg-type]
                alto_checked.append((source.name, alto_errors(alto.read_bytes(), schema)))
            rows.append(
                (
                    source.name,
                    outcome.kind,
                    character_error_rate(doc.text, pdftotext(pdf)),  # type: ignore[attr-defined]
                    boxes,
                    images_identical(source, pdf),
                    pdf.stat().st_size / source.stat().st_size - 1,
                    seconds,
                )
            )
        catalog = Path(tmp) / "catalog.sqlite"
        start = time.perf_counter()
        synthetic_catalog(catalog, args.pages)
        build = time.perf_counter() - start
        queries = ["duoi nuoc", "đuối nước", "đuối nuoc", "cong tac", "ủy ban nhân dân", "ngan sach", "nhà"]
        timings = search_timings(catalog, queries)

    lines = [
        "# Archive outputs benchmark",
        "",
        "Made by `python -m tools.bench.outputs` (`make bench`). Targets of issue 21: CER ≤ 0.5 %, word boxes "
        "≥ 80 % overlap, images byte-identical, size growth ≤ 10 %, search ≤ 50 ms on 10,000 pages, ALTO valid.",
        "",
        "## Searchable PDF (`x.pdf`) of the sample scans",
        "",
        "| input | kind | CER pdftotext vs x.txt | words paired / placed | boxes ≥ 80 % overlap | min overlap "
        "| images identical | size growth | seconds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, kind, cer, boxes, same, growth, seconds in rows:
        lines.append(
            f"| {name} | {kind} | {cer:.2%} | {boxes.paired} / {boxes.words} | {boxes.share_at_least_80:.1%} "
            f"| {min(boxes.overlaps, default=0):.2f} | {'yes' if same else 'NO'} | {growth:+.1%} | {seconds:.1f} |"
        )
    valid = sum(not errors for _, errors in alto_checked)
    lines += [
        "",
        "## ALTO (`x.alto.xml`) of the sample scans",
        "",
        f"ALTO valid against alto-4-4.xsd: {valid}/{len(alto_checked)} documents "
        "(lxml, the schema in `tests/data/alto/`).",
    ]
    failures = [f"- {name}: {errors[0]}" for name, errors in alto_checked if errors]
    lines += ["", *failures] if failures else []
    lines += [
        "",
        f"## Search index: {args.pages:,} synthetic pages (300 syllables each, by their legal-text frequency)",
        "",
        f"Index built in {build:.1f} s. Median of 5 runs per query, 20 results with snippets:",
        "",
        "| query | ms |",
        "|---|---|",
        *[f"| `{q}` | {ms:.1f} |" for q, ms in timings.items()],
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
