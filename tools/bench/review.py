"""Review benchmark (issue 24): how many flags a scripted reviewer clears per minute through the review
app's HTTP API, and the accuracy of the batch's text before and after the review.

The held-out batch: the two held-out documents of the scan benchmark (``lang-son-2023.md`` from shared/, the
2021 district plan's hand transcription from tests/data), typeset by the project's generator, lightly spoilt
as scans, written as image-only PDFs and digitised by ``vnocr batch --lang eng`` (English-model OCR: the
archive-repair case, where restoration flags the most words). The batch is cached; every run reviews a fresh
copy of it.

The scripted reviewer is an oracle: it knows the typeset text. It works as a person with the app does, over
real HTTP against ``vnocr review``'s server (uvicorn, one thread of requests): it reads the queue once, fetches
each page image once, and for each flag, least confident first, posts the word of the typeset text at that
place (an accept when it is the word shown, a correction otherwise); a flag whose place it cannot align is
skipped. So the rate is the app's ceiling, not a person's pace: reading the crop takes a person a second or
two.

Self-contained: ``python -m tools.bench.review --shared ../shared`` prints the section; ``run(ctx)`` is the
area entry of ``tools/bench.py``; ``--screenshots docs/img`` also takes the README's screenshots.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import sys
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import numpy as np
import regex
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[2]
WORD = regex.compile(r"\p{L}+")
SET_VERSION = "v1"


@dataclass(frozen=True)
class HeldOutDoc:
    """One document of the held-out batch and how it is typeset."""

    name: str
    path: str  # relative to shared/, or "repo:" + a path in this repository
    font: str
    dpi: int
    seed: int


DOCS = (
    HeldOutDoc("lang-son-2023", "documents/lang-son-2023.md", "dejavu-serif", 200, 13),
    HeldOutDoc("district-2021", "repo:tests/data/district-2021.gt.txt", "liberation-serif", 300, 14),
)


# ------------------------------------------------------------------------------------------------ the batch


def build_batch(shared: Path, cache: Path, quick: bool = False) -> tuple[Path, Path, dict[str, str]]:
    """Typeset, spoil and digitise the held-out documents (cached); returns (inputs, outputs, truths)."""
    from ocr_pipeline.batch import run_batch
    from ocr_pipeline.options import ProcessOptions
    from tools import synthetic

    folder = cache / "review" / (SET_VERSION + ("-quick" if quick else ""))
    inputs, outputs = folder / "in", folder / "out"
    inputs.mkdir(parents=True, exist_ok=True)
    truths: dict[str, str] = {}
    for doc in DOCS[:1] if quick else DOCS:
        source = ROOT / doc.path[5:] if doc.path.startswith("repo:") else shared / doc.path
        pages = synthetic.render_pages(
            synthetic.paragraphs_from_text(source.read_text(encoding="utf-8")), dpi=doc.dpi, font=doc.font
        )
        pages = pages[:2] if quick else pages
        truths[doc.name] = "\f".join(page.text for page in pages)
        pdf = inputs / f"{doc.name}.pdf"
        if not pdf.is_file():
            rng = np.random.default_rng(doc.seed)
            images = []
            for page in pages:
                spoil = synthetic.Degradation(
                    skew_degrees=round(float(rng.uniform(-2, 2)), 2),
                    blur_sigma=0.5 * doc.dpi / 300,
                    noise_sigma=6,
                    jpeg_quality=75,
                    contrast=0.9,
                    background=240,
                )
                images.append(synthetic.degrade(page.image, spoil, rng))
            synthetic.write_pdf(images, pdf, doc.dpi, jpeg_quality=75)
    summary = run_batch(inputs, outputs, ProcessOptions(lang="eng"), jobs=2)  # resumes: cached after one run
    if summary.failed:
        raise RuntimeError(f"the held-out batch failed: {summary.line()}")
    return inputs, outputs, truths


# ----------------------------------------------------------------------------------------------- the oracle


def tokens(text: str) -> list[str]:
    """Whitespace-separated words in NFC and one tone placement."""
    from diacritics.normalise import normalise_text

    return normalise_text(unicodedata.normalize("NFC", text)).split()


def syllable_accuracy(reference: str, hypothesis: str) -> float:
    """1 - syllable error rate over the letter words (case and accents included)."""
    ref = [w for t in tokens(reference) for w in WORD.findall(t)]
    hyp = [w for t in tokens(hypothesis) for w in WORD.findall(t)]
    return 1.0 - Levenshtein.distance(ref, hyp) / max(1, len(ref))


def aligned_truth(output: list[str], truth: list[str]) -> dict[int, str]:
    """For each output token index, the truth token at its place (1:1 stretches of the alignment only)."""
    mapping: dict[int, str] = {}
    for op in Levenshtein.opcodes(output, truth):
        if op.tag in ("equal", "replace") and op.src_end - op.src_start == op.dest_end - op.dest_start:
            for k in range(op.src_end - op.src_start):
                mapping[op.src_start + k] = truth[op.dest_start + k]
    return mapping


def token_index(record: dict[str, Any], page: int, line: int, offset: int) -> int:
    """Index among the record's whitespace tokens of the token at ``offset`` of ``line`` of ``page``."""
    count = 0
    for p in record["pages"]:
        lines = p["text"].split("\n")
        if p["number"] != page:
            count += sum(len(x.split()) for x in lines)
            continue
        count += sum(len(x.split()) for x in lines[: line - 1])
        head = lines[line - 1][:offset]
        return count + len(head.split()) - (1 if head and not head[-1].isspace() else 0)
    raise KeyError(page)


def decide(item: dict[str, Any], truth_token: str | None) -> str | None:
    """The word the oracle posts for a flag: the truth's word at its place, the token's punctuation kept
    off; None when the place does not line up."""
    if truth_token is None or not item.get("span"):
        return None
    a, b = item["span"]
    line = item["line_text"]
    start = line.rfind(" ", 0, a) + 1
    end = line.find(" ", b)
    word = line[start : end if end >= 0 else len(line)]
    prefix, suffix = word[: a - start], word[b - start :]
    truth_token = unicodedata.normalize("NFC", truth_token)
    if not (truth_token.startswith(prefix) and truth_token.endswith(suffix)):
        return None
    inner = truth_token[len(prefix) : len(truth_token) - len(suffix)]
    return inner or None


# --------------------------------------------------------------------------------------------- the reviewer


class Api:
    """The review app's HTTP API, over real HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, path: str, **params: Any) -> Any:
        url = self.base + path + ("?" + urlencode(params) if params else "")
        with urlopen(url, timeout=60) as response:
            data = response.read()
        return json.loads(data) if response.headers.get_content_type() == "application/json" else data

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        request = Request(
            self.base + path,
            data=json.dumps(body).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except Exception as exc:  # HTTPError: the status and the app's message
            return getattr(exc, "code", 0), {"error": str(exc)}


def start_server(output_dir: Path) -> tuple[str, Any, threading.Thread]:
    """``vnocr review``'s app under uvicorn on a free local port, in a thread."""
    import uvicorn

    from ocr_pipeline.review.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(output_dir, reviewer="bench"), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def review(output_dir: Path, truths: dict[str, str]) -> dict[str, Any]:
    """Run the scripted reviewer over a copy of the batch; returns its figures."""
    records = {doc: json.loads((output_dir / f"{doc}.json").read_text(encoding="utf-8")) for doc in truths}
    before = {doc: (output_dir / f"{doc}.txt").read_text(encoding="utf-8") for doc in truths}
    mappings = {doc: aligned_truth(tokens(before[doc]), tokens(truths[doc])) for doc in truths}
    base, server, thread = start_server(output_dir)
    api = Api(base)
    counts = {"accepted": 0, "corrected": 0, "skipped": 0, "refused": 0}
    try:
        started = time.perf_counter()
        queue = api.get("/api/queue", limit=100000)
        seen_images: set[str] = set()
        image_seconds, post_seconds = 0.0, []
        for item in queue["items"]:
            if item.get("image") and item["image"] not in seen_images:
                seen_images.add(item["image"])
                fetch_started = time.perf_counter()
                api.get(item["image"])  # rendered on this first request, then cached
                image_seconds += time.perf_counter() - fetch_started
            record = records[item["document"]]
            index = (
                token_index(record, item["page"], item["line"], item["span"][0]) if item.get("span") else -1
            )
            word = decide(item, mappings[item["document"]].get(index))
            if word is None:
                counts["skipped"] += 1
                continue
            body = {k: item[k] for k in ("document", "page", "line", "start", "original", "chosen")}
            post_started = time.perf_counter()
            status, _ = api.post("/api/corrections", {**body, "corrected": word})
            post_seconds.append(time.perf_counter() - post_started)
            if status != 200:
                counts["refused"] += 1
            else:
                counts["accepted" if word == item["chosen"] else "corrected"] += 1
        seconds = time.perf_counter() - started
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    after = {doc: (output_dir / f"{doc}.txt").read_text(encoding="utf-8") for doc in truths}
    words = sum(len(tokens(t)) for t in before.values())
    cleared = counts["accepted"] + counts["corrected"]
    return {
        "documents": len(truths),
        "pages": sum(len(r["pages"]) for r in records.values()),
        "words": words,
        "flags": queue["total"],
        "flag_share": round(queue["total"] / max(1, words), 4),
        **counts,
        "seconds": round(seconds, 2),
        "flags_per_minute": round(cleared / seconds * 60, 1) if seconds else None,
        "page_images": len(seen_images),
        "page_image_seconds": round(image_seconds, 2),
        "post_ms_median": round(float(np.median(post_seconds)) * 1000) if post_seconds else None,
        "accuracy_before": {d: round(syllable_accuracy(truths[d], before[d]), 4) for d in truths},
        "accuracy_after": {d: round(syllable_accuracy(truths[d], after[d]), 4) for d in truths},
        "corrections_kept": len((output_dir / "corrections.jsonl").read_text(encoding="utf-8").splitlines())
        if (output_dir / "corrections.jsonl").is_file()
        else 0,
    }


def screenshots(output_dir: Path, folder: Path) -> list[Path]:
    """The README's screenshots of the queue and the document view (headless Debian chromium)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("chromium is not installed (make browser)")
    folder.mkdir(parents=True, exist_ok=True)
    base, server, thread = start_server(output_dir)
    shots = [folder / "review-queue.png", folder / "review-document.png"]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            # the app's CSP forbids the waits' own scripts; the screenshots' context lifts it
            page = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True).new_page()
            page.goto(f"{base}/#/queue")
            page.wait_for_selector("#crop .box[style]")
            page.screenshot(path=str(shots[0]))
            document = page.get_attribute("#item a", "href") or "#/docs"
            page.goto(base + "/" + document)
            page.wait_for_function("document.querySelector('.page img')?.complete", timeout=120_000)
            page.wait_for_timeout(300)
            page.screenshot(path=str(shots[1]))
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return shots


# ---------------------------------------------------------------------------------------------- the report


def markdown(results: dict[str, Any]) -> str:
    """The section's text."""
    rows = [
        f"| {doc} | {results['accuracy_before'][doc]:.2%} | {results['accuracy_after'][doc]:.2%} |"
        for doc in results["accuracy_before"]
    ]
    return "\n".join(
        [
            "A scripted reviewer (an oracle that knows the typeset text) clears the flags of a held-out batch "
            "through `vnocr review`'s HTTP API, least confident first: it reads the queue once, fetches each page "
            "image once, and posts the right word for each flag (accept or correction); see `tools/bench/review.py`. "
            "The rate is the app's ceiling (server, corrections applied to x.txt/x.md/x.json and kept in "
            "corrections.jsonl), not a person's pace.",
            "",
            f"Batch: {results['documents']} documents, {results['pages']} pages, English-model OCR (`--lang eng`), "
            f"{results['words']:,} words; {results['flags']} flagged ({results['flag_share']:.1%}).",
            "",
            "| flags | accepted | corrected | skipped (no aligned truth) | refused | seconds | flags cleared per minute |",
            "|---|---|---|---|---|---|---|",
            f"| {results['flags']} | {results['accepted']} | {results['corrected']} | {results['skipped']} | "
            f"{results['refused']} | {results['seconds']} | {results['flags_per_minute']} |",
            "",
            f"Of the {results['seconds']} s, {results['page_image_seconds']} s went to rendering the "
            f"{results['page_images']} page images on their first request (cached after); a correction's POST "
            f"(applied to the outputs, the document segmented again, x.json rewritten) took "
            f"{results['post_ms_median']} ms (median).",
            "",
            "Syllable accuracy (1 − syllable error rate over letter words, case and accents included) against the typeset text:",
            "",
            "| document | before review | after review |",
            "|---|---|---|",
            *rows,
        ]
    )


def run_bench(shared: Path, cache: Path, quick: bool = False, shots: Path | None = None) -> dict[str, Any]:
    """Build (or reuse) the batch, review a copy, optionally take the screenshots; returns the figures."""
    _, outputs, truths = build_batch(shared, cache, quick)
    work = cache / "review" / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(
        outputs, work, ignore=shutil.ignore_patterns(".review", "corrections.jsonl", "lexicon.txt")
    )
    if shots is not None:
        screenshots(work, shots)
    return review(work, truths)


def run(ctx: Any) -> Any:
    """The ``review`` area of ``tools/bench.py``."""
    from tools.bench.lib import BenchSection

    results = run_bench(ctx.shared, ctx.cache, ctx.quick)
    return BenchSection(
        title="Review: flags cleared per minute and accuracy after review",
        command="python -m tools.bench --only review",
        markdown=markdown(results),
        results=results,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--quick", action="store_true", help="two pages of one document")
    parser.add_argument("--screenshots", type=Path, help="also write the README's screenshots here")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    results = run_bench(args.shared.resolve(), args.cache.resolve(), args.quick, args.screenshots)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
