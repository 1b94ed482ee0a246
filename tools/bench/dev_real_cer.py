"""Whole-page CER of the pipeline on the hand-transcribed real-scan pages (``../shared/real-scans``).

CER = Levenshtein distance / gold length over NFC text with every whitespace run folded to one space. Each
gold page is cut out of its PDF into a one-page PDF (annotations and signature kept) and run through
:func:`ocr_pipeline.pipeline.process_document`; Tesseract readings are cached on disk by the exact image and
settings, so a re-run after a change that leaves a page's images alone costs no OCR.

    .venv/bin/python -m tools.bench.dev_real_cer [--shared ../shared] [--only cv_3722] [--show]
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import pickle
import re
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz.distance import Levenshtein

from ocr_pipeline.imaging import engines
from ocr_pipeline.options import ProcessOptions

log = logging.getLogger("dev_real_cer")
GOLD_NAME = re.compile(r"^(?P<doc>.+)\.p(?P<page>\d+)\.gt\.txt$")


def fold(text: str) -> str:
    """NFC with whitespace runs folded to one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def cer(gold: str, text: str) -> float:
    """Levenshtein distance / gold length over folded texts."""
    reference = fold(gold)
    return Levenshtein.distance(reference, fold(text)) / max(1, len(reference))


def cache_tesseract(cache_dir: Path) -> None:
    """Wrap :func:`engines.ocr_page` in an on-disk cache keyed by image bytes and settings."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    original: Callable[..., Any] = engines.ocr_page

    def cached(image: np.ndarray, lang: str, **kwargs: Any) -> Any:
        key = hashlib.sha1(image.tobytes())
        key.update(repr((image.shape, lang, sorted(kwargs.items()))).encode())
        path = cache_dir / f"{key.hexdigest()}.pkl"
        if path.exists():
            return pickle.loads(path.read_bytes())
        result = original(image, lang, **kwargs)
        path.write_bytes(pickle.dumps(result))
        return result

    engines.ocr_page = cached  # type: ignore[assignment]


def one_page_pdf(source: Path, number: int, out: Path) -> Path:
    """The page ``number`` of ``source`` as its own PDF (annotations kept)."""
    import warnings

    import pikepdf

    with pikepdf.open(source) as pdf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # widgets outside /AcroForm: irrelevant to rendering and reading
        single = pikepdf.new()
        single.pages.append(pdf.pages[number - 1])
        single.save(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--cache", type=Path, default=Path(".cache/dev_real_cer"))
    parser.add_argument("--only", default="", help="Only gold pages whose name contains this.")
    parser.add_argument("--show", action="store_true", help="Print each page's text.")
    parser.add_argument("--no-restore", action="store_true")
    parser.add_argument("--dpi", type=int, default=300)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    cache_tesseract(args.cache)
    from ocr_pipeline.pipeline import process_document

    folder = args.shared / "real-scans"
    options = ProcessOptions(restore=not args.no_restore, segment=False, dpi=args.dpi)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for gold_path in sorted(folder.glob("*.gt.txt")):
            match = GOLD_NAME.match(gold_path.name)
            if not match or args.only not in gold_path.name:
                continue
            doc_id, number = match["doc"], int(match["page"])
            pdf = one_page_pdf(folder / f"{doc_id}.pdf", number, Path(tmp) / f"{doc_id}.p{number}.pdf")
            doc = process_document(pdf, options)
            gold = gold_path.read_text(encoding="utf-8")
            page = doc.pages[0]
            rows.append(
                (f"{doc_id} p{number}", len(fold(gold)), cer(gold, page.raw_text), cer(gold, page.text))
            )
            if args.show:
                marks = ", ".join(f"{m['kind']}@{m['box']}" for m in page.marks)
                zones = "\n".join(f"--- {z['kind']} {z['box']}\n{z['text']}" for z in page.zones)
                print(f"===== {doc_id} p{number}\n{page.text}\n")
                print(f"##ZONES {doc_id} p{number}: marks {marks}\n{zones}\n##END")
    print("| page | gold chars | raw CER | CER |\n|---|---:|---:|---:|")
    for name, size, raw, final in rows:
        print(f"| {name} | {size} | {raw:.2%} | {final:.2%} |")
    if rows:
        mean_raw = sum(r[2] for r in rows) / len(rows)
        mean = sum(r[3] for r in rows) / len(rows)
        print(f"| mean | | {mean_raw:.2%} | {mean:.2%} |")


if __name__ == "__main__":
    main()
