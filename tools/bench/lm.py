"""Benchmark of the language data (issue 4): perplexity, query speed, load time, memory, inventory coverage.

Run: ``python -m tools.bench --only lm`` (or ``python -m tools.bench.lm [--quick]``).

Perplexity is measured on the legal-snippets ``validation`` split (λ was tuned on it) and ``test`` split
(never used for training or tuning), with the shipped model and the canonical tokenizer. Speed and memory are
measured in a fresh subprocess so the figures do not depend on what the benchmark process loaded before.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from diacritics.lm import LanguageModel
from diacritics.resources import LM_SUMMARY, data_dir
from diacritics.syllables import SyllableInventory
from diacritics.tokens import iter_tokens, lm_sentences
from tools.bench.lib import BenchContext, BenchSection, markdown_table
from tools.builders.lm_corpus import clean_snippet, read_jsonl_xz

_PROBE = r"""
import json, sys, time
import numpy as np
t0 = time.perf_counter()
from diacritics.lm import LanguageModel
t1 = time.perf_counter()
lm = LanguageModel.load()
t2 = time.perf_counter()
def rss():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmRSS")) / 1024
rss_loaded = rss()
ids = np.load(sys.argv[1])
w, v, u = ids[2:], ids[1:-1], ids[:-2]
n = 100_000
lm.logprob(w[:n], v[:n], u[:n])
best = min(
    (lambda s: (lm.logprob(w[:n], v[:n], u[:n]), time.perf_counter() - s)[1])(time.perf_counter())
    for _ in range(5)
)
rng = np.random.default_rng(0)
calls = []
for k in range(300):
    pos = rng.integers(0, len(w) - 30)
    su, sv = u[pos : pos + 24], v[pos : pos + 24]
    cands = w[pos + 1 : pos + 13]
    calls.append((np.repeat(su, 12), np.repeat(sv, 12), np.tile(cands, 24)))
s = time.perf_counter()
for uu, vv, ww in calls:
    lm.logprob(ww, vv, uu)
small = (time.perf_counter() - s) / len(calls)
for comp in lm.components:  # touch every page: worst-case resident size
    for arr in (comp.uni_lp, comp.uni_bo, comp.bi_keys, comp.bi_lp, comp.bi_bo, comp.tri_keys, comp.tri_lp):
        float(np.asarray(arr).sum(dtype=np.float64))
rss_all = rss()
print(json.dumps({
    "import_s": t1 - t0, "load_s": t2 - t1,
    "rss_loaded_mb": rss_loaded, "rss_all_touched_mb": rss_all,
    "queries_100k_ms": best * 1000, "decoder_batch_288_us": small * 1e6,
}))
"""


def _snippets(shared: Path, split: str, limit: int | None) -> list[str]:
    texts = [
        clean_snippet(r["text"])
        for r in read_jsonl_xz(shared / "corpus" / "legal-snippets.jsonl.xz")
        if r.get("split") == split
    ]
    return texts[:limit] if limit else texts


def _arrays(lm: LanguageModel, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w_parts, v_parts, u_parts = [], [], []
    for text in texts:
        for sent in lm_sentences(text):
            seq = np.concatenate(([lm.bos, lm.bos], lm.ids(sent), [lm.eos]))
            w_parts.append(seq[2:])
            v_parts.append(seq[1:-1])
            u_parts.append(seq[:-2])
    return np.concatenate(w_parts), np.concatenate(v_parts), np.concatenate(u_parts)


def _ppl(lp: np.ndarray) -> float:
    return round(float(np.exp(-np.mean(lp))), 2)


def perplexities(lm: LanguageModel, shared: Path, limit: int | None) -> dict[str, Any]:
    """Perplexity per split, component and order."""
    out: dict[str, Any] = {}
    for split in ("validation", "test"):
        w, v, u = _arrays(lm, _snippets(shared, split, limit))
        entry: dict[str, Any] = {"tokens": int(w.size), "oov_rate": round(float(np.mean(w == lm.unk)), 4)}
        for order in (1, 2, 3):
            entry[f"order{order}"] = {
                "legal": _ppl(lm.component_logprob(0, w, v, u, order=order)),
                "wiki": _ppl(lm.component_logprob(1, w, v, u, order=order)),
                "interpolated": _ppl(lm.logprob(w, v, u, order=order)),
            }
        out[split] = entry
    return out


def document_perplexities(lm: LanguageModel, shared: Path) -> dict[str, Any]:
    """Perplexity on the clean dev documents (administrative plans, never trained on)."""
    out: dict[str, Any] = {}
    for path in sorted((shared / "documents").glob("*")):
        if "ocr" in path.name:
            continue  # OCR output, not clean text
        w, v, u = _arrays(lm, [path.read_text(encoding="utf-8")])
        out[path.name] = {
            "tokens": int(w.size),
            "oov_rate": round(float(np.mean(w == lm.unk)), 4),
            "legal": _ppl(lm.component_logprob(0, w, v, u)),
            "wiki": _ppl(lm.component_logprob(1, w, v, u)),
            "interpolated": _ppl(lm.logprob(w, v, u)),
        }
    return out


def coverage(inventory: SyllableInventory, texts: list[str]) -> dict[str, float]:
    """Share of word tokens of the texts that the inventory knows (as syllables / at all)."""
    words = [t for text in texts for t, _s, kind in iter_tokens(text) if kind == "word"]
    lower = [w.lower() for w in words]
    return {
        "word_tokens": len(words),
        "syllable_rate": round(sum(inventory.is_syllable(w) for w in lower) / max(1, len(words)), 4),
        "known_rate": round(sum(inventory.is_known(w) for w in lower) / max(1, len(words)), 4),
    }


def speed_probe(ids: np.ndarray, cache: Path) -> dict[str, float]:
    """Load time, memory and query speed measured in a fresh interpreter."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / "lm_probe_ids.npy"
    np.save(path, ids)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, cwd=root, check=True
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return {k: round(v, 4 if k.endswith("_s") else 1) for k, v in figures.items()}


def run(ctx: BenchContext) -> BenchSection:
    """Measure the shipped LM and inventory."""
    started = time.monotonic()
    lm = LanguageModel.load()
    inventory = SyllableInventory.load()
    limit = 100 if ctx.quick else None
    ppl = perplexities(lm, ctx.shared, limit)
    docs = document_perplexities(lm, ctx.shared)
    w = _arrays(lm, _snippets(ctx.shared, "test", limit))[0]
    probe_ids = np.concatenate(([lm.bos, lm.bos], w))
    while probe_ids.size < 100_002:
        probe_ids = np.concatenate((probe_ids, probe_ids))
    speed = speed_probe(probe_ids, ctx.cache)
    cov = coverage(inventory, _snippets(ctx.shared, "test", limit))
    summary = json.loads((data_dir() / LM_SUMMARY).read_text(encoding="utf-8"))
    files = {p.name: p.stat().st_size for p in sorted((data_dir() / "lm").iterdir()) if p.suffix == ".npy"}
    results: dict[str, Any] = {
        "perplexity": ppl,
        "document_perplexity": docs,
        "speed": speed,
        "inventory": {"syllables": len(inventory.syllables), "known_tokens": len(inventory.known), **cov},
        "lambda": lm.weights[0],
        "vocab_size": lm.vocab_size,
        "ngrams": summary.get("ngrams", {}),
        "npy_bytes": sum(files.values()),
        "largest_npy_bytes": max(files.values()) if files else 0,
        "decontamination": summary.get("decontamination", {}),
        "seconds": round(time.monotonic() - started, 1),
    }
    return BenchSection(
        title="Language model and syllable inventory (issue 4)",
        command="python -m tools.bench --only lm",
        markdown=_markdown(results, ctx.quick),
        results=results,
    )


def _markdown(r: dict[str, Any], quick: bool) -> str:
    ppl = r["perplexity"]
    rows = []
    for order in (3, 2, 1):
        for comp in ("legal", "wiki", "interpolated"):
            rows.append(
                [
                    f"{comp} {('unigram', 'bigram', 'trigram')[order - 1]}",
                    ppl["validation"][f"order{order}"][comp],
                    ppl["test"][f"order{order}"][comp],
                ]
            )
    s = r["speed"]
    speed_rows = [
        ["load (manifest, vocabulary, memory-mapped arrays)", f"{s['load_s'] * 1000:.0f} ms", "≤ 500 ms"],
        [
            "100,000 trigram queries (one call, test-split contexts)",
            f"{s['queries_100k_ms']:.1f} ms",
            "< 50 ms",
        ],
        ["decoder-sized call (24 states × 12 candidates)", f"{s['decoder_batch_288_us']:.0f} µs", "—"],
        ["resident memory after load", f"{s['rss_loaded_mb']:.0f} MB", "≤ 300 MB"],
        ["resident memory with every array page touched", f"{s['rss_all_touched_mb']:.0f} MB", "≤ 300 MB"],
    ]
    inv = r["inventory"]
    scope = "first 100 snippets of each split (quick run)" if quick else "all 750 snippets of each split"
    return "\n\n".join(
        [
            f"Per-token perplexity (`</s>` included) on the legal-snippets splits, {scope}: validation "
            f"({ppl['validation']['tokens']:,} tokens) was used to tune λ = {r['lambda']:.2f}; test "
            f"({ppl['test']['tokens']:,} tokens) was never used for training or tuning. Training text "
            "sharing a 10-syllable n-gram with either split was removed before training. OOV rate on test: "
            f"{ppl['test']['oov_rate']:.2%}.",
            markdown_table(["model", "validation", "test"], rows),
            "Trigram perplexity on the clean dev documents (local-government plans, the target domain; "
            "removed from training like the splits; `lang-son-2023.md` is the restoration benchmark's "
            "held-out document):",
            markdown_table(
                ["document", "tokens", "OOV", "legal", "wiki", "interpolated"],
                [
                    [name, d["tokens"], f"{d['oov_rate']:.2%}", d["legal"], d["wiki"], d["interpolated"]]
                    for name, d in r["document_perplexity"].items()
                ],
            ),
            "Speed and memory, measured in a fresh Python process:",
            markdown_table(["what", "measured", "target"], speed_rows),
            f"Vocabulary {r['vocab_size']:,} tokens; n-grams kept: "
            + ", ".join(
                f"{k}: {v['bigrams_kept']:,} bigrams, {v['trigrams_kept']:,} trigrams"
                for k, v in r["ngrams"].items()
            )
            + f". Arrays on disk: {r['npy_bytes'] / 1e6:.1f} MB "
            f"(largest file {r['largest_npy_bytes'] / 1e6:.1f} MB).",
            f"Syllable inventory: {inv['syllables']:,} syllables, {inv['known_tokens']} other known tokens; "
            f"on the test split {inv['syllable_rate']:.2%} of word tokens are inventory syllables and "
            f"{inv['known_rate']:.2%} are known tokens.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parents[2]
    parser.add_argument("--shared", type=Path, default=root.parent / "shared")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    section = run(BenchContext(shared=args.shared, cache=root / ".cache" / "bench", quick=args.quick))
    print(section.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
