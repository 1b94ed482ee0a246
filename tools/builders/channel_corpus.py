"""Text for the OCR-channel parallel data: deterministic samples of the shared corpus, as documents.

Training text comes from the legal-snippets ``train`` split, the law corpus and a little Wikipedia; the
legal-snippets ``validation`` / ``test`` splits and the dev documents are only ever used for evaluation sets.
A "document" is a list of paragraphs that the scan generator typesets onto pages.
"""

from __future__ import annotations

import json
import lzma
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Share of training documents drawn from each source.
TRAIN_MIX = (("snippets", 0.5), ("laws", 0.4), ("wiki", 0.1))
#: Approximate characters of text per rendered A4 page at 13 pt (used to size documents).
CHARS_PER_PAGE = 2300


@dataclass(frozen=True)
class SourceDocument:
    """Paragraphs to typeset, with where they came from."""

    doc_id: str
    paragraphs: list[str]


def _read_jsonl_xz(path: Path, limit: int | None = None) -> Iterator[dict[str, str]]:
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                break
            yield json.loads(line)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def snippet_paragraphs(text: str) -> list[str]:
    """A legal snippet ``"TITLE none body"`` as paragraphs (title first)."""
    parts = [_clean(p) for p in re.split(r"\bnone\b", text)]
    return [p for p in parts if p]


def snippets(corpus: Path, split: str) -> list[tuple[str, list[str]]]:
    """``(id, paragraphs)`` of the legal snippets of one split, in corpus order."""
    out = []
    for rec in _read_jsonl_xz(corpus / "legal-snippets.jsonl.xz"):
        if rec.get("split") == split:
            out.append((str(rec["id"]), snippet_paragraphs(rec["text"])))
    return out


def law_paragraphs(corpus: Path) -> list[list[str]]:
    """The law corpus, one list of paragraphs (its lines) per law."""
    laws = []
    for rec in _read_jsonl_xz(corpus / "vlc-laws.jsonl.xz"):
        paras = [_clean(line) for line in rec["text"].splitlines()]
        laws.append([p for p in paras if p and not re.fullmatch(r"[-=_.* ]+", p)])
    return laws


def wiki_paragraphs(corpus: Path, articles: int = 400) -> list[list[str]]:
    """Prose paragraphs of the first ``articles`` Wikipedia articles (no section titles or lists)."""
    out = []
    for rec in _read_jsonl_xz(corpus / "viwiki-2017.jsonl.xz", limit=articles):
        paras = [_clean(p) for p in rec["text"].splitlines()]
        paras = [p for p in paras if len(p) >= 120 and not p.startswith("==")]
        if paras:
            out.append(paras)
    return out


def vary_case(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Make some short paragraphs ALL-CAPS headings or Title Case lines, as administrative plans have."""
    out = []
    for p in paragraphs:
        r = rng.random()
        if len(p) <= 80 and r < 0.12:
            out.append(p.upper())
        elif len(p) <= 80 and r < 0.18:
            out.append(" ".join(w[:1].upper() + w[1:] for w in p.split()))
        else:
            out.append(p)
    return out


def _take(paragraphs: list[str], start: int, chars: int) -> list[str]:
    out: list[str] = []
    total = 0
    for p in paragraphs[start:]:
        out.append(p)
        total += len(p)
        if total >= chars:
            break
    return out


def training_documents(corpus: Path, pages: int, seed: int = 20240521) -> list[SourceDocument]:
    """Deterministic training documents totalling about ``pages`` rendered pages.

    Each document is about two pages of text from one source, picked by ``TRAIN_MIX``.
    """
    rng = random.Random(seed)
    train = snippets(corpus, "train")
    rng.shuffle(train)
    laws = law_paragraphs(corpus)
    wiki = [p for article in wiki_paragraphs(corpus) for p in article]
    docs: list[SourceDocument] = []
    n_docs = max(1, round(pages / 2))
    snippet_pos = 0
    for k in range(n_docs):
        chars = 2 * CHARS_PER_PAGE
        r = rng.random()
        if r < TRAIN_MIX[0][1]:
            paras: list[str] = []
            ids = []
            while sum(len(p) for p in paras) < chars and snippet_pos < len(train):
                sid, sp = train[snippet_pos]
                snippet_pos += 1
                ids.append(sid)
                paras.extend(sp)
            doc_id = f"train-{k:03d}-snippets"
        elif r < TRAIN_MIX[0][1] + TRAIN_MIX[1][1]:
            law = rng.randrange(len(laws))
            start = rng.randrange(max(1, len(laws[law]) - 40))
            paras = _take(laws[law], start, chars)
            doc_id = f"train-{k:03d}-law{law}"
        else:
            start = rng.randrange(max(1, len(wiki) - 40))
            paras = _take(wiki, start, chars)
            doc_id = f"train-{k:03d}-wiki{start}"
        docs.append(SourceDocument(doc_id, vary_case(paras, rng)))
    return docs


def snippet_documents(corpus: Path, split: str, pages: int, seed: int = 7) -> list[SourceDocument]:
    """Documents of legal snippets of an evaluation split (``validation`` or ``test``), ~``pages`` pages."""
    if split == "train":
        raise ValueError("use training_documents for the train split")
    rng = random.Random(seed)
    items = snippets(corpus, split)
    rng.shuffle(items)
    docs = []
    pos = 0
    for k in range(max(1, round(pages / 2))):
        paras: list[str] = []
        while sum(len(p) for p in paras) < 2 * CHARS_PER_PAGE and pos < len(items):
            paras.extend(items[pos][1])
            pos += 1
        if paras:
            docs.append(SourceDocument(f"{split}-{k:03d}", paras))
    return docs


def legal_training_texts(corpus: Path, paragraph_separator: str = " ") -> Iterator[str]:
    """The law corpus and the legal-snippets ``train`` split, one text per document (no Wikipedia).

    Args:
        corpus: The corpus folder.
        paragraph_separator: What joins a snippet's title and body.
    """
    for rec in _read_jsonl_xz(corpus / "vlc-laws.jsonl.xz"):
        yield rec["text"]
    for rec in _read_jsonl_xz(corpus / "legal-snippets.jsonl.xz"):
        if rec.get("split") == "train":
            yield paragraph_separator.join(snippet_paragraphs(rec["text"]))
