"""Syllable trigram language model: two Kneser-Ney components interpolated at run time.

Components (built by ``make dictionaries``, see tools/builders/dictionaries.py and dictionaries/README.md):

* ``vi_legal_3gram`` — laws (vlc-laws) + legal snippets (train split); project licence.
* ``vi_wiki_3gram`` — Vietnamese Wikipedia 2017; CC BY-SA 3.0 (its files are named ``vi_wiki_*``).

``P(w | u v) = λ P_legal(w | u v) + (1 − λ) P_wiki(w | u v)`` with λ from ``lm_manifest.json`` (tuned on the
legal-snippets validation split).

Storage (``lm/`` in the data folder, one ``.npy`` per array, memory-mapped, all listed by the manifest
``lm/lm_manifest.json`` by their paths in the data folder): the shared vocabulary is ``vi_legal_vocab.txt``
(ids 0..) followed by ``vi_wiki_vocab.txt`` (the tokens only Wikipedia has). Each component has, in backoff
(ARPA) form with natural-log values: ``uni_lp``/``uni_bo`` float32 per id; ``bi_keys`` (sorted
``(v << B) | w``, uint32 when ``2 B <= 32``, else uint64), ``bi_lp`` float16, ``bi_bo`` float32; ``tri_keys``
(sorted uint64 ``(u << 2B) | (v << B) | w``), ``tri_lp`` float16, where ``B`` (bits per id) is in the
manifest. Lookups are vectorised ``np.searchsorted`` calls; large batches are sorted first so the binary
searches stay in cache.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np

from .errors import DataError
from .resources import LM_ARRAYS, LM_MANIFEST, data_dir, load_array, read_json, read_text
from .tokens import BOS, EOS, NUM, UNK, lm_sentences, lm_token

log = logging.getLogger(__name__)

MANIFEST = LM_MANIFEST
ARRAYS = LM_ARRAYS
#: Batches at least this large are sorted before the binary searches (cache-friendly).
SORT_THRESHOLD = 4096

_cache: dict[str, LanguageModel] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Component:
    """One backoff trigram model (arrays memory-mapped)."""

    name: str
    uni_lp: np.ndarray
    uni_bo: np.ndarray
    bi_keys: np.ndarray
    bi_lp: np.ndarray
    bi_bo: np.ndarray
    tri_keys: np.ndarray
    tri_lp: np.ndarray


def _find(
    keys: np.ndarray, needles: np.ndarray, order: np.ndarray | None = None, ordered: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Position of each needle in sorted ``keys`` (clipped) and whether it is there.

    With ``order`` (a permutation sorting the needles; ``ordered`` = the sorted needles, if already at hand)
    the search runs on sorted needles, which keeps the binary searches in cache.
    """
    n = len(keys)
    if n == 0:
        return np.zeros(len(needles), dtype=np.intp), np.zeros(len(needles), dtype=bool)
    if order is None:
        idx = np.searchsorted(keys, needles)
        np.minimum(idx, n - 1, out=idx)
        return idx, keys[idx] == needles
    sorted_needles = needles[order] if ordered is None else ordered
    hit = np.searchsorted(keys, sorted_needles)
    np.minimum(hit, n - 1, out=hit)
    idx = np.empty(len(needles), dtype=np.intp)
    found = np.empty(len(needles), dtype=bool)
    idx[order] = hit
    found[order] = keys[hit] == sorted_needles
    return idx, found


def _sort_with_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(argsort, sorted keys); for 32-bit keys one sort of ``key << 32 | position`` does both."""
    if keys.dtype == np.uint32 and len(keys) < (1 << 32):
        packed = (keys.astype(np.uint64) << np.uint64(32)) | np.arange(len(keys), dtype=np.uint64)
        packed.sort()
        return (packed & np.uint64(0xFFFFFFFF)).astype(np.intp), (packed >> np.uint64(32)).astype(np.uint32)
    order = np.argsort(keys)
    return order, keys[order]


@dataclass
class _Query:
    """Packed lookup keys of one batch (in the order the lookups run)."""

    w: np.ndarray
    v: np.ndarray | None = None
    k2: np.ndarray | None = None
    o2: np.ndarray | None = None
    k2_sorted: np.ndarray | None = None
    ctx: np.ndarray | None = None
    k3: np.ndarray | None = None


#: Token ids as the scoring methods take them: an array, a sequence or one id (arrays broadcast).
Ids: TypeAlias = "np.ndarray | Sequence[int] | int"

#: Onsets after which a lone ``i`` and ``y`` spell the same rhyme (``hi``/``hy``, ``quí``/``quý``)
_I_Y_ONSETS = ("h", "k", "l", "m", "s", "t", "qu")
_I_TONES = "iíìỉĩị"
_Y_TONES = "yýỳỷỹỵ"


def i_y_variants() -> list[tuple[str, str]]:
    """The syllables spelt either way, as ``(i form, y form)`` pairs (lower case, NFC)."""
    return [(onset + i, onset + y) for onset in _I_Y_ONSETS for i, y in zip(_I_TONES, _Y_TONES, strict=True)]


class LanguageModel:
    """Interpolated trigram LM over LM tokens (see :func:`diacritics.tokens.lm_token`).

    Attributes:
        vocab_size: Number of ids.
        bos: Id of ``<s>``.
        eos: Id of ``</s>``.
        unk: Id of ``<unk>``.
        num: Id of ``<num>``.
        weights: Interpolation weight of each component (sum to 1).
    """

    def __init__(
        self, vocab: Sequence[str], components: Sequence[Component], weights: Sequence[float], bits: int
    ):
        self.vocab = list(vocab)
        self._ids = dict(zip(self.vocab, range(len(self.vocab)), strict=True))
        self.vocab_size = len(self.vocab)
        self.unk = self._ids[UNK]
        self.bos = self._ids[BOS]
        self.eos = self._ids[EOS]
        self.num = self._ids[NUM]
        self.components = list(components)
        self.weights = [float(w) for w in weights]
        self._log_weights = [float(np.log(w)) if w > 0 else -np.inf for w in self.weights]
        self._unigram_table: np.ndarray | None = None
        self._spelling_unigram_table: np.ndarray | None = None
        self.bits = bits
        self._b = np.uint64(bits)
        self._bi_dtype = np.dtype(np.uint32) if 2 * bits <= 32 else np.dtype(np.uint64)
        for comp in self.components:
            if comp.bi_keys.dtype != self._bi_dtype or comp.tri_keys.dtype != np.uint64:
                raise DataError(f"language model component {comp.name} has keys of the wrong type")
        #: Each id's other spelling (``lí`` ↔ ``lý``, see :func:`i_y_variants`), or the id itself.
        self.twin = self._spelling_twins()
        self._has_twin = self.twin != np.arange(self.vocab_size)

    def _spelling_twins(self) -> np.ndarray:
        """Each id's i/y spelling twin (itself when it has none).

        Both spellings are correct Vietnamese (the 1984 and 2018 rules prefer ``i``, most legal text writes
        ``y``) and the corpus splits a word's contexts between them by habit: ``công ty`` but ``ti vi``,
        ``quản lý`` far more than ``quản lí``. Scoring an n-gram as the better of its two spellings
        (:meth:`spelling_logprob`) keeps the LM from preferring either, so the channel keeps what is written
        and the correct ``quản lí`` is not rewritten as ``quản lý``.
        """
        twin = np.arange(self.vocab_size)
        ids = self._ids
        for i_form, y_form in i_y_variants():
            if i_form in ids and y_form in ids:
                twin[ids[i_form]], twin[ids[y_form]] = ids[y_form], ids[i_form]
        return twin

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, directory: Path | None = None) -> LanguageModel:
        """The shipped model (cached per data folder).

        Args:
            directory: Data folder; the packaged ``dictionaries/`` (or ``$VNOCR_DATA_DIR``) when None.

        Raises:
            DataError: A file is missing, truncated or inconsistent with the manifest.
        """
        folder = Path(directory) if directory is not None else data_dir()
        key = str(folder.resolve())
        with _lock:
            got = _cache.get(key)
            if got is None:
                got = _cache[key] = cls._load(folder)
            return got

    @classmethod
    def _load(cls, folder: Path) -> LanguageModel:
        manifest = _read_manifest(folder)
        try:
            bits = int(manifest["bits"])
            vocab: list[str] = []
            for name in manifest["vocab_files"]:
                vocab.extend(_read_vocab(folder, name))
            if len(vocab) != int(manifest["vocab_size"]):
                raise DataError(
                    f"LM vocabulary has {len(vocab)} tokens, the manifest says {manifest['vocab_size']}"
                )
            components = []
            weights = []
            for spec in manifest["components"]:
                components.append(_load_component(folder, spec, len(vocab)))
                weights.append(float(spec["weight"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"LM manifest in {folder} is inconsistent: {exc}") from exc
        if abs(sum(weights) - 1.0) > 1e-6:
            raise DataError(f"LM interpolation weights {weights} do not sum to 1")
        log.debug("language model: %d tokens, components %s", len(vocab), [c.name for c in components])
        return cls(vocab, components, weights, bits)

    # ------------------------------------------------------------------ vocabulary
    def token_id(self, token: str) -> int:
        """Id of an LM token string (a raw token text is mapped with :func:`lm_token` first); else ``unk``."""
        got = self._ids.get(token)
        if got is None:
            mapped = lm_token(token)
            got = self._ids.get(mapped, self.unk) if mapped else self.unk
        return got

    def ids(self, tokens: Sequence[str]) -> np.ndarray:
        """Ids of LM tokens as an int64 array."""
        known = self._ids.get
        found = [known(t) for t in tokens]
        if None in found:
            found = [i if i is not None else self.token_id(t) for i, t in zip(found, tokens, strict=True)]
        return np.array(found, dtype=np.int64).reshape(len(found))

    # ------------------------------------------------------------------ scoring
    def logprob(
        self,
        w: Ids,
        v: Ids | None = None,
        u: Ids | None = None,
        order: int = 3,
    ) -> np.ndarray:
        """Natural-log ``P(w | u v)`` under the interpolated model; arrays broadcast.

        Args:
            w: Predicted ids.
            v: Previous ids (None: unigram).
            u: Ids before ``v`` (None: bigram).
            order: 1, 2 or 3: use at most this much context (1/2 give the unigram/bigram baselines).

        Returns:
            Log-probabilities with the broadcast shape of the inputs.
        """
        return self._score(None, w, v, u, order)

    def spelling_logprob(
        self,
        w: Ids,
        v: Ids | None = None,
        u: Ids | None = None,
        order: int = 3,
    ) -> np.ndarray:
        """:meth:`logprob` with each n-gram holding an i/y word (``lí``, ``kỹ``) scored as the better of its
        two spellings (:attr:`twin`): what the restorer decodes with. No longer a distribution (a word and its
        twin may both take the larger share), but it prefers no correct spelling of an n-gram to another.
        """
        base = self._score(None, w, v, u, order)
        if not self._has_twin.any():
            return base
        return self._best_spelling(base, w, v, u, order)

    def _best_spelling(self, base: np.ndarray, w: Any, v: Any, u: Any, order: int) -> np.ndarray:
        """``base`` where each n-gram holding i/y words scores as the best of their spellings: every
        combination of each such word as written or swapped (one more :meth:`_score` call for all of them)."""
        used = 1 if v is None else min(order, 2) if u is None else max(1, min(order, 3))
        slots = [np.asarray(x, dtype=np.int64) for x in (w, v, u)[:used]]
        shape = np.broadcast_shapes(*(x.shape for x in slots))
        slots = [self._clip(np.broadcast_to(x, shape)).ravel() for x in slots]
        has = [self._has_twin[x] for x in slots]
        mask = np.logical_or.reduce(has)
        if not mask.any():
            return base
        written = [x[mask] for x in slots]
        swapped = [self.twin[x] for x in written]
        # the combinations swapping at least one slot; a slot without a twin swaps to itself (a repeat)
        combos = [
            c for c in range(1, 1 << used) if any(h[mask].any() for k, h in enumerate(has) if c >> k & 1)
        ]
        queries = [
            np.concatenate([swapped[k] if c >> k & 1 else written[k] for c in combos]) for k in range(used)
        ]
        padded = [*queries, None, None][:3]
        alt = np.asarray(self._score(None, padded[0], padded[1], padded[2], order))
        best = alt.reshape(len(combos), -1).max(axis=0)
        out = np.array(base, dtype=np.float64, copy=True).reshape(-1)
        out[mask] = np.maximum(out[mask], best)
        return out.reshape(shape)

    def unigram_logprob(self, ids: np.ndarray) -> np.ndarray:
        """``logprob(ids, order=1)`` as one look-up in a table of every id's unigram (built on first use)."""
        return self._unigrams()[self._clip(np.asarray(ids, dtype=np.int64))]

    def spelling_unigram_logprob(self, ids: np.ndarray) -> np.ndarray:
        """:meth:`unigram_logprob` as :meth:`spelling_logprob` scores it (i/y words: the better spelling)."""
        table = self._spelling_unigram_table
        if table is None:
            own = self._unigrams()
            table = self._spelling_unigram_table = np.maximum(own, own[self.twin])
        return table[self._clip(np.asarray(ids, dtype=np.int64))]

    def _unigrams(self) -> np.ndarray:
        """Every id's unigram log-probability (computed on first use)."""
        if self._unigram_table is None:
            every = np.arange(self.vocab_size)
            self._unigram_table = np.asarray(self._score(None, every, None, None, 1))
        return self._unigram_table

    def component_logprob(
        self,
        index: int,
        w: Ids,
        v: Ids | None = None,
        u: Ids | None = None,
        order: int = 3,
    ) -> np.ndarray:
        """Like :meth:`logprob` for one component only (``index`` into :attr:`components`)."""
        return self._score(index, w, v, u, order)

    def _score(self, only: int | None, w: Any, v: Any, u: Any, order: int) -> np.ndarray:
        if v is None:
            order = 1
        elif u is None:
            order = min(order, 2)
        order = max(1, min(order, 3))
        given = [np.asarray(x, dtype=np.int64) for x in (w, v, u)[:order]]
        arrays = np.broadcast_arrays(*given)
        shape = arrays[0].shape
        flat = [self._clip(a.ravel()) for a in arrays]
        big = flat[0].size >= SORT_THRESHOLD
        perm = None
        q = _Query(flat[0])
        if order >= 2:
            wk = flat[0].astype(np.uint64)
            vk = flat[1].astype(np.uint64)
            if order == 3:
                ctx = (flat[2].astype(np.uint64) << self._b) | vk
                k3 = (ctx << self._b) | wk
                if big:  # work in trigram-key order: tri and history lookups become sorted searches
                    perm = np.argsort(k3)
                    k3, ctx, wk, vk = k3[perm], ctx[perm], wk[perm], vk[perm]
                    q.w, flat = flat[0][perm], [f[perm] for f in flat]
                q.k3, q.ctx = k3, ctx.astype(self._bi_dtype)
            q.k2 = ((vk << self._b) | wk).astype(self._bi_dtype)
            if big and order == 2:  # (trigram queries sort the bigrams they back off to, per component)
                q.o2, q.k2_sorted = _sort_with_order(q.k2)
            q.v = flat[1]
        parts = []
        indices = range(len(self.components)) if only is None else [only]
        for i in indices:
            lp = self._component(self.components[i], q)
            parts.append(lp if only is not None else lp + self._log_weights[i])
        out = (
            parts[0]
            if len(parts) == 1
            else np.logaddexp(parts[0], parts[1])
            if len(parts) == 2
            else (np.logaddexp.reduce(np.stack(parts), axis=0))
        )
        if perm is not None:
            unsorted = np.empty_like(out)
            unsorted[perm] = out
            out = unsorted
        return out.reshape(shape)

    def _clip(self, ids: np.ndarray) -> np.ndarray:
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            ids = np.where((ids < 0) | (ids >= self.vocab_size), self.unk, ids)
        return ids

    @staticmethod
    def _component(c: Component, q: _Query) -> np.ndarray:
        if q.k2 is None or q.v is None:
            return c.uni_lp[q.w].astype(np.float64)
        if not len(c.bi_keys):
            return c.uni_bo[q.v] + c.uni_lp[q.w].astype(np.float64)
        if q.k3 is None or q.ctx is None:
            return LanguageModel._bigram(c, q.w, q.v, q.k2, q.o2, q.k2_sorted)
        if not len(c.tri_keys):
            return LanguageModel._trigram_backoff(c, q.w, q.v, q.k2, q.ctx)
        # the trigrams first: only the queries whose trigram is missing back off (most are found in text)
        i3, f3 = _find(c.tri_keys, q.k3, None)
        out = c.tri_lp[i3].astype(np.float64)
        miss = np.flatnonzero(~f3)
        if len(miss):
            out[miss] = LanguageModel._trigram_backoff(c, q.w[miss], q.v[miss], q.k2[miss], q.ctx[miss])
        return out

    @staticmethod
    def _bigram(
        c: Component,
        w: np.ndarray,
        v: np.ndarray,
        k2: np.ndarray,
        order: np.ndarray | None = None,
        ordered: np.ndarray | None = None,
    ) -> np.ndarray:
        """Backoff ``P(w | v)`` of one component (``k2``: the packed bigram keys; see :func:`_find`)."""
        i2, f2 = _find(c.bi_keys, k2, order, ordered)
        return np.where(f2, c.bi_lp[i2], c.uni_bo[v] + c.uni_lp[w].astype(np.float64))

    @staticmethod
    def _trigram_backoff(
        c: Component, w: np.ndarray, v: np.ndarray, k2: np.ndarray, ctx: np.ndarray
    ) -> np.ndarray:
        """``P(w | u v)`` of one component for trigrams it lacks: history backoff weight + ``P(w | v)``."""
        if len(k2) >= SORT_THRESHOLD:
            lp = LanguageModel._bigram(c, w, v, k2, *_sort_with_order(k2))
        else:
            lp = LanguageModel._bigram(c, w, v, k2)
        if not len(c.bi_bo):
            return lp
        ic, fc = _find(c.bi_keys, ctx, None)
        return np.where(fc, c.bi_bo[ic], 0.0) + lp

    def sentence_logprob(self, tokens: Sequence[str] | str) -> float:
        """Natural-log probability of a sentence, ``</s>`` included.

        Args:
            tokens: LM tokens of one sentence (without ``<s>``/``</s>``), or a raw text (all its sentences).
        """
        sentences = lm_sentences(tokens) if isinstance(tokens, str) else [list(tokens)]
        total, _ = self._corpus_logprob(sentences)
        return total

    def perplexity(self, sentences: Sequence[Sequence[str]]) -> float:
        """Per-token perplexity (``</s>`` counted) of LM-token sentences."""
        total, count = self._corpus_logprob(sentences)
        return float(np.exp(-total / max(count, 1)))

    def _corpus_logprob(self, sentences: Sequence[Sequence[str]]) -> tuple[float, int]:
        w_parts, v_parts, u_parts = [], [], []
        for sent in sentences:
            ids = self.ids(list(sent))
            seq = np.concatenate(([self.bos, self.bos], ids, [self.eos]))
            w_parts.append(seq[2:])
            v_parts.append(seq[1:-1])
            u_parts.append(seq[:-2])
        if not w_parts:
            return 0.0, 0
        w, v, u = (np.concatenate(p) for p in (w_parts, v_parts, u_parts))
        return float(self.logprob(w, v, u).sum()), int(w.size)


def _read_manifest(folder: Path) -> dict[str, Any]:
    return read_json(MANIFEST, folder)


def _read_vocab(folder: Path, name: str) -> list[str]:
    text = read_text(name, folder)
    return text.split("\n")[:-1] if text.endswith("\n") else text.split("\n")


def _load_component(folder: Path, spec: dict[str, Any], vocab_size: int) -> Component:
    arrays: dict[str, np.ndarray] = {}
    for key in ARRAYS:
        entry = spec["arrays"][key]
        arr = load_array(entry["file"], folder)
        if str(arr.dtype) != entry["dtype"] or list(arr.shape) != list(entry["shape"]):
            raise DataError(
                f"language model file {entry['file']} has {arr.dtype}{list(arr.shape)}, "
                f"expected {entry['dtype']}{entry['shape']}"
            )
        arrays[key] = arr.view(np.ndarray)  # plain view of the mapping: no np.memmap per-call overhead
    if len(arrays["uni_lp"]) != vocab_size or len(arrays["bi_keys"]) != len(arrays["bi_lp"]):
        raise DataError(f"language model component {spec['name']} does not match the vocabulary")
    return Component(name=str(spec["name"]), **arrays)
