"""Corpus reading, LM tokenisation and decontamination for ``tools.builders.dictionaries``.

Every source becomes a :class:`TokenStream`: the LM tokens of its training sentences (see
:func:`diacritics.tokens.lm_sentences`) as integer ids of one shared raw-token table, with sentence lengths.

Decontamination: a training sentence is dropped when it shares a 10-syllable n-gram (over word tokens,
punctuation and numbers skipped, across sentence boundaries within a document) with a held-out text: the
legal-snippets ``test`` split, the ``validation`` split (used to tune the interpolation weight) and the dev
documents in ``../shared/documents`` (one of them is held out for the restoration benchmark).
"""

from __future__ import annotations

import hashlib
import json
import logging
import lzma
import pickle
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from diacritics.tokens import lm_sentences

log = logging.getLogger(__name__)

NGRAM = 10
_NONE_NOISE = re.compile(r"(?:\s*\bnone\b)+\s*")
_HASH_MUL = np.uint64(0x9E3779B97F4A7C15)
_HASH_ADD = np.uint64(0x632BE59BD9B4E019)


class RawVocab:
    """Maps every distinct LM token string to a raw integer id (0 is reserved as a document separator)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.tokens: list[str] = ["\x00"]

    def id(self, token: str) -> int:
        """The id of ``token``, allocated on first sight."""
        got = self.ids.get(token)
        if got is None:
            got = self.ids[token] = len(self.tokens)
            self.tokens.append(token)
        return got


@dataclass
class TokenStream:
    """LM token ids of one source: all sentences concatenated, with their lengths and document sizes."""

    name: str
    ids: np.ndarray  # int32 raw ids
    sent_len: np.ndarray  # int32, one per sentence
    doc_sents: np.ndarray  # int32, sentences per document
    keep: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # per sentence

    def __post_init__(self) -> None:
        if len(self.keep) != len(self.sent_len):
            self.keep = np.ones(len(self.sent_len), dtype=bool)

    @property
    def n_tokens(self) -> int:
        """Tokens in kept sentences."""
        return int(self.sent_len[self.keep].sum())

    def kept_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, sentence lengths) of the kept sentences."""
        token_keep = np.repeat(self.keep, self.sent_len)
        return self.ids[token_keep], self.sent_len[self.keep]


def read_jsonl_xz(path: Path) -> Iterator[dict[str, str]]:
    """Records of a ``.jsonl.xz`` corpus file."""
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def clean_snippet(text: str) -> str:
    """Legal snippets join title and body with a noise token ``none``: make it a sentence break."""
    return _NONE_NOISE.sub(" .\n", text).strip()


def stream_of(name: str, texts: Iterable[str], vocab: RawVocab) -> TokenStream:
    """Tokenise documents into a :class:`TokenStream`."""
    ids: list[int] = []
    sent_len: list[int] = []
    doc_sents: list[int] = []
    vid = vocab.id
    for text in texts:
        sentences = lm_sentences(text)
        for sent in sentences:
            ids.extend(vid(t) for t in sent)
            sent_len.append(len(sent))
        doc_sents.append(len(sentences))
    return TokenStream(
        name,
        np.asarray(ids, dtype=np.int32),
        np.asarray(sent_len, dtype=np.int32),
        np.asarray(doc_sents, dtype=np.int32),
    )


@dataclass
class Corpora:
    """Everything read from ``../shared``: training streams, evaluation texts, the raw token table."""

    vocab: RawVocab
    laws: TokenStream
    snippets_train: TokenStream
    wiki: TokenStream
    validation: TokenStream
    test: TokenStream
    dev_docs: TokenStream


def _cache_key(corpus: Path, docs: Path | None) -> str:
    h = hashlib.sha256()
    for src in ("diacritics/normalise.py", "diacritics/tokens.py", "tools/builders/lm_corpus.py"):
        h.update((Path(__file__).resolve().parents[2] / src).read_bytes())
    files = sorted(corpus.glob("*.jsonl.xz")) + (sorted(docs.glob("*")) if docs else [])
    for f in files:
        st = f.stat()
        h.update(f"{f.name}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


def read_corpora(corpus: Path, docs: Path | None, cache: Path | None = None) -> Corpora:
    """Read and tokenise all sources (cached in ``cache`` keyed by the code and the input files)."""
    cache_file = None
    if cache is not None:
        cache_file = cache / f"corpora-{_cache_key(corpus, docs)}.pkl"
        if cache_file.exists():
            log.info("tokenised corpora from cache %s", cache_file)
            with cache_file.open("rb") as fh:
                cached: Corpora = pickle.load(fh)
                return cached
    vocab = RawVocab()
    snippets = list(read_jsonl_xz(corpus / "legal-snippets.jsonl.xz"))

    def split(name: str) -> list[str]:
        return [clean_snippet(r["text"]) for r in snippets if r.get("split") == name]

    log.info("tokenising legal snippets")
    snippets_train = stream_of("legal-snippets/train", split("train"), vocab)
    validation = stream_of("legal-snippets/validation", split("validation"), vocab)
    test = stream_of("legal-snippets/test", split("test"), vocab)
    log.info("tokenising vlc-laws")
    laws = stream_of("vlc-laws", (r["text"] for r in read_jsonl_xz(corpus / "vlc-laws.jsonl.xz")), vocab)
    log.info("tokenising viwiki-2017")
    wiki = stream_of(
        "viwiki-2017", (r["text"] for r in read_jsonl_xz(corpus / "viwiki-2017.jsonl.xz")), vocab
    )
    doc_texts = [p.read_text(encoding="utf-8") for p in sorted(docs.glob("*"))] if docs else []
    dev_docs = stream_of("dev documents", doc_texts, vocab)
    out = Corpora(vocab, laws, snippets_train, wiki, validation, test, dev_docs)
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(".tmp")
        with tmp.open("wb") as out_fh:
            pickle.dump(out, out_fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache_file)
    return out


def word_mask(tokens: list[str]) -> np.ndarray:
    """Per raw id: whether the token is a word (letters; not punctuation, ``<num>`` or the separator)."""
    return np.array([t[:1].isalpha() for t in tokens], dtype=bool)


def _word_sequence(stream: TokenStream, is_word: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Word ids with a separator (0) between documents, and the global sentence index of each."""
    sent_idx = np.repeat(np.arange(len(stream.sent_len)), stream.sent_len)
    doc_of_sent = np.repeat(np.arange(len(stream.doc_sents)), stream.doc_sents)
    words = is_word[stream.ids]
    ids = stream.ids[words].astype(np.uint64)
    sents = sent_idx[words]
    # Separator where the document changes, so no window spans two documents.
    docs = doc_of_sent[sents] if len(sents) else np.zeros(0, dtype=np.int64)
    change = np.flatnonzero(np.diff(docs) != 0) + 1
    ids = np.insert(ids, change, np.uint64(0))
    sents = np.insert(sents, change, -1)
    return ids, sents


def ngram_hashes(ids: np.ndarray, n: int = NGRAM) -> np.ndarray:
    """64-bit hashes of all windows of ``n`` ids (windows containing the separator 0 hash to 0)."""
    if len(ids) < n:
        return np.zeros(0, dtype=np.uint64)
    m = len(ids) - n + 1
    h = np.zeros(m, dtype=np.uint64)
    has_sep = np.zeros(m, dtype=bool)
    for k in range(n):
        window = ids[k : k + m]
        h = h * _HASH_MUL + window + _HASH_ADD
        has_sep |= window == 0
    h[has_sep] = 0
    return h


def contaminated(stream: TokenStream, held_out: np.ndarray, is_word: np.ndarray) -> np.ndarray:
    """Boolean per sentence: shares an n-gram with the ``held_out`` hash set (sorted, unique)."""
    ids, sents = _word_sequence(stream, is_word)
    h = ngram_hashes(ids)
    bad = np.zeros(len(stream.sent_len), dtype=bool)
    if len(h) == 0 or len(held_out) == 0:
        return bad
    pos = np.searchsorted(held_out, h)
    hit = (h != 0) & (held_out[np.minimum(pos, len(held_out) - 1)] == h)
    for start in np.flatnonzero(hit):
        window = sents[start : start + NGRAM]
        bad[window[window >= 0]] = True
    return bad


def held_out_hashes(streams: Iterable[TokenStream], is_word: np.ndarray) -> np.ndarray:
    """Sorted unique n-gram hashes of held-out streams."""
    parts = [ngram_hashes(_word_sequence(s, is_word)[0]) for s in streams]
    allh = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    return np.unique(allh[allh != 0])
