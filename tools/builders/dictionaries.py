"""Build the shipped language data in ``dictionaries/`` from ``../shared/corpus``.

Usage: python -m tools.builders.dictionaries --corpus ../shared/corpus --out dictionaries

Steps: tokenise every source with the canonical tokenizer (:mod:`diacritics.tokens`); drop from training every
sentence sharing a 10-syllable n-gram with a held-out text (legal-snippets test and validation splits, the dev
documents); choose the vocabulary; write the syllable inventory; estimate two interpolated modified Kneser-Ney
trigram models (legal, Wikipedia), prune and store them; tune the interpolation weight λ on the validation
split; report perplexities on validation and test. The output is deterministic for given inputs.

Files written (see dictionaries/README.md and :data:`diacritics.resources.FILES`): in ``lm/``
``lm_manifest.json``, ``vi_legal_vocab.txt``, ``vi_wiki_vocab.txt``, ``vi_legal_3gram.*.npy``,
``vi_wiki_3gram.*.npy``, ``build_summary.json``; in ``lexicon/`` ``vi_legal_syllables.tsv`` and
``vi_wiki_syllables.tsv``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import regex

from diacritics.lm import LanguageModel
from diacritics.normalise import nfc, normalise_syllable
from diacritics.resources import (
    LEGAL_SYLLABLES,
    LEGAL_VOCAB,
    LM_MANIFEST,
    LM_SUMMARY,
    WIKI_SYLLABLES,
    WIKI_VOCAB,
    lm_array,
    tag_of,
    text_header,
)
from diacritics.syllables import syllable_key, valid_syllables
from diacritics.tokens import SPECIALS
from ocr_pipeline.textio import atomic_write_npy, atomic_write_text
from tools.builders.lm_corpus import (
    Corpora,
    TokenStream,
    contaminated,
    held_out_hashes,
    read_corpora,
    word_mask,
)
from tools.builders.lm_kn import BackoffTrigram, estimate

log = logging.getLogger("build_dictionaries")
ROOT = Path(__file__).resolve().parents[2]

LEGAL = "vi_legal_3gram"
WIKI = "vi_wiki_3gram"
TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata/vie.traineddata")
_LETTERS = regex.compile(r"\p{L}+")


def tesseract_words(traineddata: Path = TESSDATA) -> list[str]:
    """Lowercase NFC words of Tesseract's Vietnamese word list (empty if the tools or data are missing)."""
    if not traineddata.is_file() or not shutil.which("combine_tessdata") or not shutil.which("dawg2wordlist"):
        log.warning("Tesseract vie word list unavailable (%s): skipped", traineddata)
        return []
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "vie."
        subprocess.run(
            ["combine_tessdata", "-u", str(traineddata), str(prefix)], check=True, capture_output=True
        )
        out = Path(tmp) / "words.txt"
        subprocess.run(
            ["dawg2wordlist", f"{prefix}lstm-unicharset", f"{prefix}lstm-word-dawg", str(out)],
            check=True,
            capture_output=True,
        )
        words = out.read_text(encoding="utf-8").split()
    return sorted({normalise_syllable(nfc(w)).lower() for w in words})


# ------------------------------------------------------------------------------------------ decontamination
def decontaminate(corpora: Corpora) -> dict[str, Any]:
    """Mark training sentences that share a 10-gram with held-out text; returns the report."""
    is_word = word_mask(corpora.vocab.tokens)
    held = {
        "legal-snippets test": held_out_hashes([corpora.test], is_word),
        "legal-snippets validation": held_out_hashes([corpora.validation], is_word),
        "dev documents": held_out_hashes([corpora.dev_docs], is_word),
    }
    report: dict[str, Any] = {}
    for stream in (corpora.laws, corpora.snippets_train, corpora.wiki):
        drop = np.zeros(len(stream.sent_len), dtype=bool)
        entry: dict[str, Any] = {"sentences": len(stream.sent_len), "tokens": int(stream.sent_len.sum())}
        for name, hashes in held.items():
            bad = contaminated(stream, hashes, is_word)
            entry[f"dropped for {name}"] = {
                "sentences": int(bad.sum()),
                "tokens": int(stream.sent_len[bad].sum()),
            }
            drop |= bad
        entry["dropped in all"] = {"sentences": int(drop.sum()), "tokens": int(stream.sent_len[drop].sum())}
        stream.keep = ~drop
        report[stream.name] = entry
    return report


# ---------------------------------------------------------------------------------------------- vocabulary
def _counts(streams: Sequence[TokenStream], size: int) -> np.ndarray:
    parts = [s.kept_ids()[0] for s in streams]
    return np.bincount(np.concatenate(parts), minlength=size).astype(np.int64)


def _order(tokens: list[str], ids: np.ndarray, counts: np.ndarray) -> list[int]:
    return sorted((int(i) for i in ids), key=lambda i: (-int(counts[i]), tokens[i]))


def build_vocabulary(
    corpora: Corpora, tess: list[str], wiki_min: int, known_min: int
) -> tuple[list[str], int, dict[str, Any]]:
    """Choose the LM vocabulary and write nothing; returns (vocab, legal part size, inventory tables)."""
    tokens = corpora.vocab.tokens
    size = len(tokens)
    legal_c = _counts([corpora.laws, corpora.snippets_train], size)
    wiki_c = _counts([corpora.wiki], size)
    valid = valid_syllables()
    is_syl = np.array([t in valid for t in tokens], dtype=bool)
    letters = np.array([bool(_LETTERS.fullmatch(t)) for t in tokens], dtype=bool)
    tess_ids = [corpora.vocab.id(w) for w in tess if w in valid]
    # The raw table may have grown with Tesseract words.
    tokens = corpora.vocab.tokens
    grow = len(tokens) - size
    if grow:
        legal_c, wiki_c = np.pad(legal_c, (0, grow)), np.pad(wiki_c, (0, grow))
        is_syl = np.pad(is_syl, (0, grow), constant_values=True)
        letters = np.pad(letters, (0, grow), constant_values=True)
        size = len(tokens)
    in_tess = np.zeros(size, dtype=bool)
    in_tess[tess_ids] = True
    special = np.zeros(size, dtype=bool)
    special[0] = True  # document separator
    for tok in SPECIALS:
        if tok in corpora.vocab.ids:
            special[corpora.vocab.ids[tok]] = True

    legal_syl = is_syl & ((legal_c > 0) | in_tess) & ~special
    known = letters & ~is_syl & ~special & _abbreviation_like(tokens, legal_c, known_min, valid)
    wiki_syl = is_syl & ((wiki_c >= 2) | (legal_syl & (wiki_c > 0))) & ~special
    legal_part = ((legal_c >= 2) | legal_syl | known) & ~special
    wiki_part = ((wiki_c >= wiki_min) | wiki_syl) & ~legal_part & ~special

    vocab = list(SPECIALS)
    vocab += [tokens[i] for i in _order(tokens, np.flatnonzero(legal_part), legal_c)]
    legal_size = len(vocab)
    vocab += [tokens[i] for i in _order(tokens, np.flatnonzero(wiki_part), wiki_c)]
    tables = {
        "syllables": sorted((tokens[i], "s", int(legal_c[i])) for i in np.flatnonzero(legal_syl)),
        "known": sorted((tokens[i], "a", int(legal_c[i])) for i in np.flatnonzero(known)),
        "wiki_syllables": sorted((tokens[i], "s", int(wiki_c[i])) for i in np.flatnonzero(wiki_syl)),
        "legal_tokens": int(legal_c[~special].sum()),
        "wiki_tokens": int(wiki_c[~special].sum()),
        "tesseract_words": len(tess),
        "tesseract_syllables": len(tess_ids),
        "tesseract_only": int(np.count_nonzero(in_tess & (legal_c == 0) & (wiki_c == 0))),
    }
    return vocab, legal_size, tables


def _abbreviation_like(
    tokens: list[str], counts: np.ndarray, known_min: int, valid: frozenset[str]
) -> np.ndarray:
    """Known non-syllable tokens: frequent ones, or rarer ones shaped like abbreviations (few vowels).

    Misspelled syllables (``cac``, ``chưc``: their accent-stripped key is a real syllable's) never count.
    """
    syllable_keys = {syllable_key(s) for s in valid}
    out = np.zeros(len(tokens), dtype=bool)
    for i in np.flatnonzero(counts >= min(3, known_min)):
        tok = tokens[i]
        key = syllable_key(tok)
        if key in syllable_keys:
            continue
        vowels = sum(1 for ch in key if ch in "aeiou")
        shaped = (len(key) >= 3 or "đ" in tok) and 4 * vowels < len(key)  # "ubnd", "bhxh", "qđ", "nđ"
        out[i] = counts[i] >= known_min or shaped
    return out


def _write_tsv(out: Path, name: str, rows: list[tuple[str, str, int]], description: str) -> None:
    body = "".join(f"{tok}\t{kind}\t{count}\n" for tok, kind, count in rows)
    atomic_write_text(out / name, text_header(tag_of(name), description) + "\n" + body)


# ---------------------------------------------------------------------------------------------- models
def lm_ids(corpora: Corpora, vocab: list[str]) -> np.ndarray:
    """Raw id → LM id table (OOV → ``<unk>``)."""
    index = {tok: i for i, tok in enumerate(vocab)}
    unk = index["<unk>"]
    return np.array([index.get(t, unk) for t in corpora.vocab.tokens], dtype=np.int64)


def _training(streams: Sequence[TokenStream], remap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ids, lens = zip(*(s.kept_ids() for s in streams), strict=True)
    return remap[np.concatenate(ids)], np.concatenate(lens)


def _save_model(out: Path, name: str, model: BackoffTrigram) -> dict[str, Any]:
    arrays = {}
    for key, arr in model.arrays().items():
        fname = lm_array(name, key)
        atomic_write_npy(out / fname, arr)
        arrays[key] = {"file": fname, "dtype": str(arr.dtype), "shape": list(arr.shape)}
    return {"name": name, "arrays": arrays, "stats": model.stats}


def _eval_arrays(stream: TokenStream, remap: np.ndarray, bos: int, eos: int) -> tuple[np.ndarray, ...]:
    ids, lens = stream.kept_ids()
    ids = remap[ids]
    w_parts, v_parts, u_parts = [], [], []
    offset = 0
    for n in lens:
        seq = np.concatenate(([bos, bos], ids[offset : offset + n], [eos]))
        offset += n
        w_parts.append(seq[2:])
        v_parts.append(seq[1:-1])
        u_parts.append(seq[:-2])
    return np.concatenate(w_parts), np.concatenate(v_parts), np.concatenate(u_parts)


def _ppl(lp: np.ndarray) -> float:
    return float(np.exp(-lp.mean()))


def tune_lambda(lp_legal: np.ndarray, lp_wiki: np.ndarray) -> tuple[float, float]:
    """λ minimising perplexity of ``λ P_legal + (1 − λ) P_wiki`` (grid of 0.01), and that perplexity."""
    best = (1.0, _ppl(lp_legal))
    for lam in np.round(np.arange(0.01, 1.0, 0.01), 2):
        ppl = _ppl(np.logaddexp(math.log(lam) + lp_legal, math.log(1 - lam) + lp_wiki))
        if ppl < best[1]:
            best = (float(lam), ppl)
    return best


def evaluate(lm: LanguageModel, sets: dict[str, tuple[np.ndarray, ...]], unk: int) -> dict[str, Any]:
    """Perplexities per set: components and interpolation, orders 1-3, and the OOV rate."""
    out: dict[str, Any] = {}
    for name, (w, v, u) in sets.items():
        entry: dict[str, Any] = {"tokens": int(w.size), "oov_rate": round(float(np.mean(w == unk)), 5)}
        for order in (1, 2, 3):
            entry[f"order{order}"] = {
                "legal": round(_ppl(lm.component_logprob(0, w, v, u, order=order)), 2),
                "wiki": round(_ppl(lm.component_logprob(1, w, v, u, order=order)), 2),
                "interpolated": round(_ppl(lm.logprob(w, v, u, order=order)), 2),
            }
        out[name] = entry
    return out


def _manifest(
    vocab: list[str],
    legal_size: int,
    bits: int,
    components: list[dict[str, Any]],
    lam: float,
    inv: dict[str, Any],
) -> dict[str, Any]:
    components[0]["weight"] = lam
    components[1]["weight"] = round(1.0 - lam, 6)
    return {
        "format": tag_of(LM_MANIFEST),
        "order": 3,
        "bits": bits,
        "key_packing": "sorted; bigram (v << bits) | w as uint32 if 2*bits <= 32 else uint64; "
        "trigram (u << 2*bits) | (v << bits) | w as uint64",
        "values": "natural log; uni_lp/uni_bo/bi_bo float32, bi_lp/tri_lp float16",
        "vocab_size": len(vocab),
        "legal_vocab_size": legal_size,
        "vocab_files": [LEGAL_VOCAB, WIKI_VOCAB],
        "specials": {tok: vocab.index(tok) for tok in SPECIALS},
        "lambda": lam,
        "components": components,
        "inventory": {
            "legal_tokens": inv["legal_tokens"],
            "wiki_tokens": inv["wiki_tokens"],
            "floor_probability": 1e-9,
            "files": [LEGAL_SYLLABLES, WIKI_SYLLABLES],
        },
    }


def build(args: argparse.Namespace) -> dict[str, Any]:
    """Run every step; returns the summary."""
    started = time.monotonic()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    docs = args.documents if args.documents and args.documents.is_dir() else None
    corpora = read_corpora(args.corpus, docs, None if args.no_cache else args.cache)
    summary: dict[str, Any] = {"decontamination": decontaminate(corpora)}
    tess = [] if args.no_tesseract_words else tesseract_words()
    vocab, legal_size, inv = build_vocabulary(corpora, tess, args.wiki_vocab_min, args.known_min)
    bits = max(16, math.ceil(math.log2(len(vocab))))

    atomic_write_text(out / LEGAL_VOCAB, "".join(t + "\n" for t in vocab[:legal_size]))
    atomic_write_text(out / WIKI_VOCAB, "".join(t + "\n" for t in vocab[legal_size:]))
    _write_tsv(
        out,
        LEGAL_SYLLABLES,
        inv["syllables"] + inv["known"],
        "token\tkind (s = syllable, a = other known token)\tcount in the legal training text "
        "(vlc-laws + legal-snippets train); syllables also from Tesseract's vie word list (Apache-2.0)",
    )
    _write_tsv(
        out,
        WIKI_SYLLABLES,
        inv["wiki_syllables"],
        "token\tkind\tcount in Vietnamese Wikipedia 2017 "
        "(CC BY-SA 3.0, see LICENSE-wikipedia-CC-BY-SA-3.0.md)",
    )

    remap = lm_ids(corpora, vocab)
    bos, eos, unk = vocab.index("<s>"), vocab.index("</s>"), vocab.index("<unk>")
    components = []
    token_counts = {}
    for name, streams, (min2, min3) in (
        (LEGAL, [corpora.laws, corpora.snippets_train], (args.legal_min_bigram, args.legal_min_trigram)),
        (WIKI, [corpora.wiki], (args.wiki_min_bigram, args.wiki_min_trigram)),
    ):
        ids, lens = _training(streams, remap)
        token_counts[name] = int(ids.size)
        log.info("estimating %s on %d tokens", name, ids.size)
        model = estimate(ids, lens, len(vocab), bos, eos, bits, min2, min3)
        components.append(_save_model(out, name, model))
        del model

    # Provisional manifest, then tune λ on the validation split with the stored (rounded) model.
    atomic_write_text(out / LM_MANIFEST, json.dumps(_manifest(vocab, legal_size, bits, components, 0.5, inv)))
    lm = LanguageModel.load(out)
    sets = {
        "validation": _eval_arrays(corpora.validation, remap, bos, eos),
        "test": _eval_arrays(corpora.test, remap, bos, eos),
    }
    w, v, u = sets["validation"]
    lam, _ = tune_lambda(lm.component_logprob(0, w, v, u), lm.component_logprob(1, w, v, u))
    manifest = _manifest(vocab, legal_size, bits, components, lam, inv)
    atomic_write_text(out / LM_MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    from diacritics import lm as lm_module

    lm_module._cache.clear()
    lm = LanguageModel.load(out)
    summary.update(
        {
            "tokens": {**token_counts, "by source": {s.name: s.n_tokens for s in _streams(corpora)}},
            "vocab_size": len(vocab),
            "legal_vocab_size": legal_size,
            "inventory": {k: (len(v) if isinstance(v, list) else v) for k, v in inv.items()},
            "ngrams": {
                c["name"]: {k: c["stats"][k] for k in ("bigrams_kept", "trigrams_kept")} for c in components
            },
            "lambda": lam,
            "perplexity": evaluate(lm, sets, unk),
            "files": {name: (out / name).stat().st_size for name in _built_files(out)},
            "seconds": round(time.monotonic() - started, 1),
        }
    )
    return summary


def _built_files(out: Path) -> list[str]:
    """The data files this build writes (the summary aside), by their paths in ``out``."""
    lm_files = [p.relative_to(out).as_posix() for p in (out / LM_MANIFEST).parent.glob("*.*")]
    return sorted({*lm_files, LEGAL_SYLLABLES, WIKI_SYLLABLES} - {LM_SUMMARY})


def _streams(corpora: Corpora) -> list[TokenStream]:
    return [corpora.laws, corpora.snippets_train, corpora.wiki]


def _print_summary(summary: dict[str, Any]) -> None:
    print(json.dumps(summary, ensure_ascii=False, indent=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=ROOT / "dictionaries")
    parser.add_argument(
        "--documents", type=Path, default=None, help="dev documents (default: CORPUS/../documents)"
    )
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "dictionaries")
    parser.add_argument("--no-cache", action="store_true", help="re-tokenise the corpora")
    parser.add_argument("--no-tesseract-words", action="store_true")
    parser.add_argument("--wiki-vocab-min", type=int, default=3)
    parser.add_argument("--known-min", type=int, default=10)
    parser.add_argument("--legal-min-bigram", type=int, default=1)
    parser.add_argument("--legal-min-trigram", type=int, default=1)
    parser.add_argument("--wiki-min-bigram", type=int, default=2)
    parser.add_argument("--wiki-min-trigram", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="build_dictionaries: %(message)s", stream=sys.stderr)
    if args.documents is None:
        args.documents = args.corpus.parent / "documents"
    if not (args.corpus / "vlc-laws.jsonl.xz").is_file():
        print(f"build_dictionaries: no corpus at {args.corpus} (pass --corpus PATH)", file=sys.stderr)
        return 2
    summary = build(args)
    # keep the committed file deterministic
    stable = {"format": tag_of(LM_SUMMARY), **{k: v for k, v in summary.items() if k != "seconds"}}
    atomic_write_text(args.out / LM_SUMMARY, json.dumps(stable, ensure_ascii=False, indent=1) + "\n")
    _print_summary(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
