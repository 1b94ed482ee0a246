"""Interpolated modified Kneser-Ney trigram estimation in numpy (Chen & Goodman 1999), pruned to backoff form.

Input: a corpus as LM ids (sentences concatenated) with sentence lengths. Steps:

1. Pad sentences as ``<s> w1 ... wn </s>``; count trigrams and bigrams as packed uint64 keys
   (``key = (u << 2B) | (v << B) | w``, ``B`` bits per id) with ``np.unique``.
2. Counts per order: raw counts for trigrams; continuation counts ``N1+(• v w)`` for bigrams (raw counts for
   bigrams starting with ``<s>``, which no history precedes); ``N1+(• w)`` for unigrams.
3. Three discounts per order (D1, D2, D3+) from the count-of-counts; interpolation weights
   ``gamma(h) = (D1 N1(h•) + D2 N2(h•) + D3+ N3+(h•)) / c(h•)``; the unigram level interpolates with the
   uniform distribution over the vocabulary (``<s>`` excluded, it is never predicted).
4. Count pruning: bigrams and trigrams whose raw count is below a threshold are dropped (a kept trigram's
   prefix and suffix bigrams are always kept, since their counts are at least as large).
5. Backoff form (as in an ARPA file): kept n-grams store the interpolated log-probability rounded to float16;
   the backoff weight of each history is then recomputed from the *stored* values so that every conditional
   distribution sums to one exactly (up to float32):
   ``bo(h) = (1 - sum_kept P(w|h)) / (1 - sum_kept P_lower(w|h'))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

EPS = 1e-12
LOG_ZERO = -99.0


@dataclass
class BackoffTrigram:
    """A trigram model in backoff form, ready to be saved (natural-log values).

    Attributes:
        bits: Bits per id in the packed keys.
        uni_lp: log P(w), float32 ``[V]`` (``<s>``: :data:`LOG_ZERO`).
        uni_bo: Backoff weight of each one-word history, float32 ``[V]``.
        bi_keys: Sorted packed bigram keys ``(v << B) | w``, uint32 when ``2 B <= 32``, else uint64.
        bi_lp: log P(w | v) of each kept bigram, float16.
        bi_bo: Backoff weight of each bigram as a history ``(u, v)``, float32 (0 when it has no trigram).
        tri_keys: Sorted packed trigram keys ``(u << 2B) | (v << B) | w``, uint64.
        tri_lp: log P(w | u v) of each kept trigram, float16.
        stats: Counts and discounts, for the manifest.
    """

    bits: int
    uni_lp: np.ndarray
    uni_bo: np.ndarray
    bi_keys: np.ndarray
    bi_lp: np.ndarray
    bi_bo: np.ndarray
    tri_keys: np.ndarray
    tri_lp: np.ndarray
    stats: dict[str, Any] = field(default_factory=dict)

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays by file suffix."""
        return {
            "uni_lp": self.uni_lp,
            "uni_bo": self.uni_bo,
            "bi_keys": self.bi_keys,
            "bi_lp": self.bi_lp,
            "bi_bo": self.bi_bo,
            "tri_keys": self.tri_keys,
            "tri_lp": self.tri_lp,
        }


def pad_sentences(ids: np.ndarray, sent_len: np.ndarray, bos: int, eos: int) -> np.ndarray:
    """``<s> w1 .. wn </s>`` for each sentence, concatenated (int64)."""
    sent_len = sent_len.astype(np.int64)
    total = int(sent_len.sum()) + 2 * len(sent_len)
    seq = np.empty(total, dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(sent_len + 2)[:-1])).astype(np.int64)
    ends = starts + sent_len + 1
    body = np.ones(total, dtype=bool)
    body[starts] = False
    body[ends] = False
    seq[starts] = bos
    seq[ends] = eos
    seq[body] = ids
    return seq


def discounts(counts: np.ndarray) -> np.ndarray:
    """Modified-KN discounts ``[0, D1, D2, D3+]`` from positive counts (Chen & Goodman's estimates)."""
    n = [float(np.count_nonzero(counts == i)) for i in range(1, 5)]
    n1, n2, n3, n4 = (max(x, 1.0) for x in n)
    y = n1 / (n1 + 2.0 * n2)
    d = np.array([0.0, 1.0 - 2.0 * y * n2 / n1, 2.0 - 3.0 * y * n3 / n2, 3.0 - 4.0 * y * n4 / n3])
    for i in (1, 2, 3):
        d[i] = min(max(d[i], 0.05), float(i) - 0.05 if i < 3 else 2.95)
    return d


def _groups(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index of each run of equal keys, and the run number of every element."""
    flags = np.empty(len(sorted_keys), dtype=bool)
    if len(sorted_keys):
        flags[0] = True
        flags[1:] = sorted_keys[1:] != sorted_keys[:-1]
    starts = np.flatnonzero(flags)
    return starts, np.cumsum(flags) - 1


def _gamma(counts: np.ndarray, starts: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per history: total count and interpolation weight gamma."""
    total = np.add.reduceat(counts.astype(np.float64), starts)
    n1 = np.add.reduceat((counts == 1).astype(np.float64), starts)
    n2 = np.add.reduceat((counts == 2).astype(np.float64), starts)
    n3 = np.add.reduceat((counts >= 3).astype(np.float64), starts)
    gamma = (d[1] * n1 + d[2] * n2 + d[3] * n3) / total
    return total, gamma


def _discounted(counts: np.ndarray, d: np.ndarray) -> np.ndarray:
    c = counts.astype(np.int64)
    return np.maximum(c - d[np.minimum(c, 3)], 0.0)


def _log_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(num, EPS)) - np.log(np.maximum(den, EPS))


def estimate(
    ids: np.ndarray,
    sent_len: np.ndarray,
    vocab_size: int,
    bos: int,
    eos: int,
    bits: int,
    min_bigram: int = 1,
    min_trigram: int = 2,
) -> BackoffTrigram:
    """Estimate an interpolated modified-KN trigram model and prune it to backoff form.

    Args:
        ids: LM ids of all sentences, concatenated (no ``<s>``/``</s>``).
        sent_len: Length of each sentence.
        vocab_size: Size of the (shared) vocabulary.
        bos: Id of ``<s>``.
        eos: Id of ``</s>``.
        bits: Bits per id in packed keys (``vocab_size <= 2**bits``, ``3 * bits <= 64``).
        min_bigram: Keep bigrams with at least this raw count.
        min_trigram: Keep trigrams with at least this raw count (``>= min_bigram``).

    Returns:
        The model in backoff form.
    """
    if vocab_size > (1 << bits) or 3 * bits > 64 or min_trigram < min_bigram:
        raise ValueError("bad key packing or pruning thresholds")
    b = np.uint64(bits)
    mask1 = np.uint64((1 << bits) - 1)
    mask2 = np.uint64((1 << (2 * bits)) - 1)
    seq = pad_sentences(ids, sent_len, bos, eos).astype(np.uint64)
    ue, ve, we = seq[:-2], seq[1:-1], seq[2:]
    ok3 = (ue != eos) & (ve != eos)
    tri_keys, tri_c = np.unique((ue[ok3] << (b + b)) | (ve[ok3] << b) | we[ok3], return_counts=True)
    ok2 = seq[:-1] != eos
    bi_keys, bi_c = np.unique((seq[:-1][ok2] << b) | seq[1:][ok2], return_counts=True)
    del seq, ue, ve, we, ok3, ok2

    # ---- unigrams: continuation counts N1+(. w), interpolated with the uniform distribution
    bi_v = (bi_keys >> b).astype(np.int64)
    bi_w = (bi_keys & mask1).astype(np.int64)
    c1 = np.bincount(bi_w, minlength=vocab_size).astype(np.int64)
    c1[bos] = 0
    d1 = discounts(c1[c1 > 0])
    total1 = float(c1.sum())
    gamma1 = float((d1[1] * np.sum(c1 == 1) + d1[2] * np.sum(c1 == 2) + d1[3] * np.sum(c1 >= 3)) / total1)
    p1 = _discounted(c1, d1) / total1 + gamma1 / (vocab_size - 1)
    p1[bos] = 0.0

    # ---- bigrams: continuation counts (raw counts after <s>)
    suffix_keys, suffix_n = np.unique(tri_keys & mask2, return_counts=True)
    pos = np.minimum(np.searchsorted(suffix_keys, bi_keys), len(suffix_keys) - 1)
    cont = np.where(suffix_keys[pos] == bi_keys, suffix_n[pos], 0)
    c2 = np.where(bi_v == bos, bi_c, cont).astype(np.int64)
    d2 = discounts(c2)
    starts2, group2 = _groups(bi_v)
    total2, gamma2 = _gamma(c2, starts2, d2)
    p2 = _discounted(c2, d2) / total2[group2] + gamma2[group2] * p1[bi_w]

    # ---- trigrams: raw counts
    tri_ctx = tri_keys >> b
    d3 = discounts(tri_c)
    starts3, group3 = _groups(tri_ctx)
    total3, gamma3 = _gamma(tri_c.astype(np.int64), starts3, d3)
    suffix_pos = np.searchsorted(bi_keys, tri_keys & mask2)
    p3 = _discounted(tri_c, d3) / total3[group3] + gamma3[group3] * p2[suffix_pos]

    # ---- prune, round, recompute backoff weights so every distribution normalises
    uni_lp = np.where(p1 > 0, np.log(np.maximum(p1, EPS)), LOG_ZERO).astype(np.float32)
    keep2 = bi_c >= min_bigram
    k2 = bi_keys[keep2]
    lp2 = np.log(p2[keep2]).astype(np.float16)
    v_k, w_k = bi_v[keep2], bi_w[keep2]
    num = 1.0 - np.bincount(v_k, weights=np.exp(lp2.astype(np.float64)), minlength=vocab_size)
    den = 1.0 - np.bincount(v_k, weights=np.exp(uni_lp[w_k].astype(np.float64)), minlength=vocab_size)
    has = np.bincount(v_k, minlength=vocab_size) > 0
    uni_bo = np.where(has, _log_ratio(num, den), 0.0).astype(np.float32)

    keep3 = tri_c >= min_trigram
    k3 = tri_keys[keep3]
    lp3 = np.log(p3[keep3]).astype(np.float16)
    ctx_pos = np.searchsorted(k2, k3 >> b)
    suf_pos = np.searchsorted(k2, k3 & mask2)
    if len(k3) and not (np.all(k2[ctx_pos] == (k3 >> b)) and np.all(k2[suf_pos] == (k3 & mask2))):
        raise AssertionError("a kept trigram lacks its prefix or suffix bigram")
    num3 = 1.0 - np.bincount(ctx_pos, weights=np.exp(lp3.astype(np.float64)), minlength=len(k2))
    den3 = 1.0 - np.bincount(ctx_pos, weights=np.exp(lp2[suf_pos].astype(np.float64)), minlength=len(k2))
    has3 = np.bincount(ctx_pos, minlength=len(k2)) > 0
    bi_bo = np.where(has3, _log_ratio(num3, den3), 0.0).astype(np.float32)

    stats = {
        "tokens": len(ids),
        "sentences": len(sent_len),
        "unigram_types": int(np.count_nonzero(c1)),
        "bigram_types": len(bi_keys),
        "trigram_types": len(tri_keys),
        "bigrams_kept": len(k2),
        "trigrams_kept": len(k3),
        "min_bigram_count": int(min_bigram),
        "min_trigram_count": int(min_trigram),
        "discounts": {
            "1": d1[1:].round(4).tolist(),
            "2": d2[1:].round(4).tolist(),
            "3": d3[1:].round(4).tolist(),
        },
    }
    bi_store = k2.astype(np.uint32) if 2 * bits <= 32 else k2
    return BackoffTrigram(bits, uni_lp, uni_bo, bi_store, lp2, bi_bo, k3, lp3, stats)
