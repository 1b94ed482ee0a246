"""Legacy OCR benchmark (issue 23): restoration of text from engines other than Tesseract's ``vie``.

Three measures, each on text the restorer was not tuned on:

* **Real legacy layers**: the hidden text layer of real scans (a scanner's OCR without Vietnamese), page by
  page against the hand gold of the printed page (``*.pN.gt.txt`` in the gold folders: ``real-scans/``,
  ``../gold-extra/`` beside ``shared/`` when present, ``tools/real_gold/``, and ``legacy_gold/`` beside this
  module: pages never tuned on). Syllable accuracy of the layer
  as it is and restored; review flags (restored words that are wrong, words flagged, wrong words among them).
* **Engines**: Tesseract with Latin models that lack Vietnamese (``eng``, ``fra``, ``deu``, ``ita``, those
  installed) on rendered pages of the held-out document; the same figures per engine.
* **Batches**: the gold pages' layers restored as one batch with the other legacy layers of their folders'
  PDFs (unlabelled pages: the second pass of :mod:`diacritics.batch_adapt`), and each engine's rendered pages
  restored each alone and as a batch of documents.
* **Codes**: every document code (:mod:`diacritics.codes`) of the gold pages, kept through restoration of the
  correct page (unchanged) and given back from the page stripped of its marks.

Usage: ``python -m tools.bench --only legacy``.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from tools.bench.lib import BenchContext, BenchSection, markdown_table
from tools.bench.restore import HELD_OUT_DOC, strip_text, syllable_accuracy, words

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
#: Page gold of legacy layers never tuned on (made from the page images: see the notes beside them).
HELD_OUT_GOLD = Path(__file__).resolve().parent / "legacy_gold"
#: Tesseract models that lack Vietnamese, tried when installed.
LATIN_MODELS = ("eng", "fra", "deu", "ita")


@dataclass
class LegacyPage:
    """A page's text layer and its gold."""

    name: str
    layer: str
    gold: str


def gold_dirs(ctx: BenchContext) -> list[Path]:
    """The folders holding page gold (those present)."""
    found = [
        ctx.shared / "real-scans",
        ctx.shared.parent / "gold-extra",
        ROOT / "tools" / "real_gold",
        HELD_OUT_GOLD,
    ]
    return [d for d in found if d.is_dir()]


def _pdf_of(stem: str, ctx: BenchContext) -> Path | None:
    for folder in (
        ctx.shared / "real-scans",
        ctx.shared / "real-scans" / "extra",
        ROOT / "tools" / "real_gold",
    ):
        if (folder / f"{stem}.pdf").is_file():
            return folder / f"{stem}.pdf"
    return None


def text_layer(pdf: Path, page: int) -> str:
    """The PDF page's text layer (``pdftotext``, reading order), form feeds dropped."""
    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.replace("\f", "").strip("\n")


def legacy_pages(ctx: BenchContext, min_words: int = 50) -> list[LegacyPage]:
    """The gold pages whose PDF has a text layer of at least ``min_words`` words that is not the page's text
    already (a born-digital PDF: its layer scores 90% or more before restoration)."""
    pages: list[LegacyPage] = []
    seen: set[str] = set()
    for folder in gold_dirs(ctx):
        for gold_path in sorted(folder.glob("*.p*.gt.txt")):
            stem, _, rest = gold_path.name.partition(".p")
            number = rest.split(".", 1)[0]
            if not number.isdigit() or gold_path.name in seen:
                continue
            pdf = _pdf_of(stem, ctx)
            if pdf is None:
                continue
            layer = text_layer(pdf, int(number))
            gold = gold_path.read_text(encoding="utf-8")
            if len(words(layer)) < min_words or syllable_accuracy(gold, layer) >= 0.9:
                continue
            seen.add(gold_path.name)
            held_out = " (held out)" if folder == HELD_OUT_GOLD else ""
            pages.append(LegacyPage(f"{stem} p{number}{held_out}", layer, gold))
    return pages


def companion_layers(ctx: BenchContext, pages: list[LegacyPage], min_words: int = 50) -> list[str]:
    """The legacy text layers of the other pages of the gold folders' PDFs (no gold: a batch's unlabelled
    documents), those of at least ``min_words`` words with hardly a Vietnamese mark (not born-digital)."""
    from ocr_pipeline.imaging.pdf import marked_share

    have_gold = {p.name.removesuffix(" (held out)") for p in pages}
    stems = sorted({f.name.partition(".p")[0] for d in gold_dirs(ctx) for f in d.glob("*.p*.gt.txt")})
    found = []
    for stem in stems:
        pdf = _pdf_of(stem, ctx)
        if pdf is None:
            continue
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
        count = next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), 0)
        for number in range(1, count + 1):
            if f"{stem} p{number}" in have_gold:
                continue
            layer = text_layer(pdf, number)
            if len(words(layer)) >= min_words and marked_share(layer) < 0.3:
                found.append(layer)
    extra = ctx.shared / "real-scans" / "extra"
    for pdf in sorted(extra.glob("*.pdf")) if extra.is_dir() else []:
        if pdf.stem in stems:
            continue
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
        count = next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), 0)
        for number in range(1, count + 1):
            layer = text_layer(pdf, number)
            if len(words(layer)) >= min_words and marked_share(layer) < 0.3:
                found.append(layer)
    return found


def flag_figures(text: str, gold: str, result: Any = None) -> dict[str, Any]:
    """Restore ``text`` (or take its restoration ``result``) and score it against ``gold``: syllable
    accuracy before and after, and the review flags against the errors (output words not matched to the
    gold by the word alignment)."""
    from diacritics import restore_explained
    from diacritics.normalise import normalise_text

    if result is None:
        result = restore_explained(text, explain=False)
    out_lines = result.text.split("\n")
    in_lines = normalise_text(text).split("\n")
    # each output word's index, and the flagged ones: the line rebuilt decision by decision, a flag
    # pointing at the words its decision wrote (a join or a cut writes fewer or more words than it read)
    flagged: set[int] = set()
    before = 0
    by_line: dict[int, list[Any]] = {}
    for d in result.tokens:
        by_line.setdefault(d.line, []).append(d)
    for number, out_line in enumerate(out_lines, start=1):
        in_line = in_lines[number - 1] if number <= len(in_lines) else ""
        written, at = "", 0
        for d in sorted(by_line.get(number, []), key=lambda d: d.start):
            written += in_line[at : d.start]
            if d.review:
                k = len(words(written))
                flagged.update(before + k + j for j in range(len(words(d.chosen))))
            written += d.chosen
            at = d.start + len(d.original)
        before += len(words(out_line))
    out_words, gold_words = words(result.text), words(gold)
    matched = {
        i
        for op in Levenshtein.opcodes(out_words, gold_words)
        if op.tag == "equal"
        for i in range(op.src_start, op.src_end)
    }
    errors = set(range(len(out_words))) - matched
    return {
        "words": len(gold_words),
        "raw": round(syllable_accuracy(gold, text), 4),
        "restored": round(syllable_accuracy(gold, result.text), 4),
        "errors": len(errors),
        "flagged": len(flagged),
        "flagged_errors": len(flagged & errors),
        "regime": result.regime,
    }


def _engine_pages(ctx: BenchContext, model: str) -> tuple[str, str] | None:
    """(truth, OCR) of rendered pages of the held-out document read by Tesseract ``model`` (cached)."""
    from tools.synthetic import paragraphs_from_text, render_pages

    source = ctx.shared / "documents" / HELD_OUT_DOC
    if not source.is_file():
        return None
    paragraphs = paragraphs_from_text(source.read_text(encoding="utf-8"))
    pages = render_pages(paragraphs[: 12 if ctx.quick else 40], dpi=300)[: 1 if ctx.quick else 3]
    cache = ctx.cache / "legacy"
    cache.mkdir(parents=True, exist_ok=True)
    truths, texts = [], []
    for k, page in enumerate(pages):
        image = cache / f"{Path(HELD_OUT_DOC).stem}-{k}.png"
        if not image.is_file():
            from PIL import Image

            Image.fromarray(page.image).save(image)
        cached = cache / f"{image.stem}.{model}.txt"
        if not cached.is_file():
            run = subprocess.run(
                ["tesseract", str(image), "-", "-l", model, "--dpi", "300"],
                capture_output=True,
                text=True,
                check=False,
            )
            if run.returncode != 0:
                return None
            cached.write_text(run.stdout, encoding="utf-8")
        truths.append("\n".join(page.lines))
        texts.append(cached.read_text(encoding="utf-8").replace("\f", "").strip("\n"))
    return "\n".join(truths), "\n".join(texts)


def _engine_page_texts(ctx: BenchContext, model: str) -> list[str]:
    """The OCR text of each rendered page :func:`_engine_pages` cached."""
    cache = ctx.cache / "legacy"
    stem = Path(HELD_OUT_DOC).stem
    texts = []
    for k in range(1 if ctx.quick else 3):
        cached = cache / f"{stem}-{k}.{model}.txt"
        if cached.is_file():
            texts.append(cached.read_text(encoding="utf-8").replace("\f", "").strip("\n"))
    return texts


def _joined(restorations: list[Any]) -> Any:
    """Restorations of consecutive texts as one of the texts joined by a line break (decisions' lines
    shifted)."""
    from dataclasses import replace

    from diacritics import Restoration

    tokens = []
    offset = 0
    for r in restorations:
        tokens += [replace(t, line=t.line + offset) for t in r.tokens]
        offset += r.text.count("\n") + 1
    return Restoration("\n".join(r.text for r in restorations), tokens)


def installed_models() -> list[str]:
    """The Latin models of :data:`LATIN_MODELS` Tesseract has."""
    try:
        out = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return []
    have = set(out.split())
    return [m for m in LATIN_MODELS if m in have]


def code_figures(golds: Iterable[str]) -> dict[str, int]:
    """Codes of the gold pages kept through restoration of the correct page and of the stripped page."""
    from diacritics import restore
    from diacritics.codes import CODE_SPAN, is_code
    from diacritics.restorer import Restorer

    inventory = Restorer.default().inventory
    counts = dict.fromkeys(("codes", "kept_in_correct", "restored_from_stripped"), 0)
    for gold in golds:
        codes = [m.group() for m in CODE_SPAN.finditer(gold) if is_code(m.group(), inventory.is_syllable)]
        if not codes:
            continue
        correct, stripped = restore(gold), restore(strip_text(gold))
        for code in codes:
            counts["codes"] += 1
            counts["kept_in_correct"] += code in correct
            counts["restored_from_stripped"] += code in stripped
    return counts


def _row(name: str, figures: dict[str, Any]) -> list[Any]:
    flagged = figures["flagged"]
    return [
        name,
        figures["words"],
        f"{figures['raw']:.1%}",
        f"{figures['restored']:.1%}",
        figures["errors"],
        flagged,
        figures["flagged_errors"],
        f"{figures['flagged_errors'] / max(1, figures['errors']):.0%}",
    ]


HEADER = [
    "text",
    "gold words",
    "as given",
    "restored",
    "errors",
    "flagged",
    "flagged errors",
    "errors flagged",
]


def run(ctx: BenchContext) -> BenchSection:
    from diacritics import restore_explained, restore_together

    results: dict[str, Any] = {
        "layers": {},
        "engines": {},
        "batch_layers": {},
        "page_engines": {},
        "batch_engines": {},
    }
    rows: list[list[Any]] = []
    pages = legacy_pages(ctx)
    for page in pages:
        figures = flag_figures(page.layer, page.gold)
        results["layers"][page.name] = figures
        rows.append(_row(f"layer: {page.name}", figures))
    # the batch: the gold pages' layers restored together with the other legacy layers of their folders
    companions = [] if ctx.quick else companion_layers(ctx, pages)
    together = restore_together([p.layer for p in pages] + companions)
    results["batch_documents"] = len(pages) + len(companions)
    for page, restored in zip(pages, together, strict=False):
        figures = flag_figures(page.layer, page.gold, restored)
        results["batch_layers"][page.name] = figures
        rows.append(_row(f"layer, batch of {len(pages) + len(companions)}: {page.name}", figures))
    for model in installed_models():
        pair = _engine_pages(ctx, model)
        if pair is None:
            continue
        figures = flag_figures(pair[1], pair[0])
        results["engines"][model] = figures
        rows.append(_row(f"tesseract -l {model} (rendered {HELD_OUT_DOC})", figures))
        # its pages as documents: each alone, then as a batch (the second pass's own effect)
        texts = _engine_page_texts(ctx, model)
        separately = _joined([restore_explained(t, explain=False) for t in texts])
        figures = flag_figures(pair[1], pair[0], separately)
        results["page_engines"][model] = figures
        rows.append(_row(f"tesseract -l {model}, its {len(texts)} pages each alone", figures))
        joined = _joined(restore_together(texts))
        figures = flag_figures(pair[1], pair[0], joined)
        results["batch_engines"][model] = figures
        rows.append(_row(f"tesseract -l {model}, its {len(texts)} pages as a batch", figures))
    golds = [
        p.read_text(encoding="utf-8") for folder in gold_dirs(ctx) for p in sorted(folder.glob("*.p*.gt.txt"))
    ]
    codes = code_figures(golds)
    results["codes"] = codes
    markdown = "\n".join(
        [
            "Syllable accuracy (case and marks) of legacy text layers and of Tesseract with models without "
            "Vietnamese, as given and restored by `vnocr restore`; review flags: restored words that are wrong "
            "(by word alignment with the gold), words flagged, and the wrong ones among them.",
            "",
            markdown_table(HEADER, rows),
            "",
            f"Document codes of the gold pages: {codes['codes']}; kept unchanged in the correct page: "
            f"{codes['kept_in_correct']}; restored exactly from the page stripped of its marks: "
            f"{codes['restored_from_stripped']}.",
        ]
    )
    return BenchSection(
        title="Legacy OCR layers and other engines (issue 23)",
        command="python -m tools.bench --only legacy",
        markdown=markdown,
        results=results,
    )
