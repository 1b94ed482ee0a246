"""Learning the OCR channel tables from aligned (observed, intended) pairs.

* :func:`collect` aligns the pages of a set and counts token pairs and case confusions.
* :func:`learn_char_channel` fits the character transducer of :mod:`diacritics.char_channel` by EM
  (forward-backward over every alignment of the observed string to the intended characters; each intended
  character emits 0-3 observed characters, with geometric insertions between characters), with Dirichlet
  smoothing towards the base measure the scorer uses for unlisted emissions.
* :func:`skeleton_prior` counts accent-stripped syllable skeletons in corpus text (the prior of
  ``skeleton_keys``).
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from diacritics.char_channel import FORMAT, MAX_EMIT, CharChannel
from diacritics.normalise import fold_char, skeleton

from .align import AlignedPair, align_page
from .channel_sets import PageRecord

log = logging.getLogger(__name__)

#: Base measure of the smoothing (see diacritics.char_channel._Backoff).
BACKOFF: dict[str, Any] = {
    "p_self": 0.55,
    "p_base": 0.25,
    "length_probs": [0.2, 0.55, 0.17, 0.08],
    "alphabet": 120,
}
ALPHA = 2.0
#: Longest intended token (in characters) used for the character channel (codes and URLs are skipped).
MAX_TOKEN = 16


def normalise_token(text: str) -> str:
    """Lower-case NFC, with the project's tone-placement convention when available."""
    text = unicodedata.normalize("NFC", text).lower()
    try:
        from diacritics.normalise import normalise_syllable
    except ImportError:  # pragma: no cover - the lead's module is optional here
        return text
    return normalise_syllable(text)


# ----------------------------------------------------------------------------------------- counting pairs
@dataclass
class CaseStats:
    """How OCR case relates to the intended case, for tokens with letters.

    Mid-sentence means: not the first token of a sentence, and the intended token is not all capitals.
    """

    mid_title_intended_lower: int = 0  # observed "Chức" mid-sentence, intended "chức"
    mid_title_intended_title: int = 0  # observed "Hà", intended "Hà"
    mid_lower_intended_title: int = 0  # the OCR lost a capital
    mid_lower_total: int = 0
    mixed_case_observed: int = 0  # "ChỨC", "nhiệM"
    mixed_case_intended_lower: int = 0
    upper_intended_upper: int = 0  # all-caps observed, all-caps intended
    upper_intended_other: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Counts plus the derived rates."""
        title = self.mid_title_intended_lower + self.mid_title_intended_title
        upper = self.upper_intended_upper + self.upper_intended_other
        return {
            **{k: v for k, v in vars(self).items()},
            "p_lower_given_mid_sentence_title": round(self.mid_title_intended_lower / title, 4)
            if title
            else None,
            "p_title_given_mid_sentence_lower": (
                round(self.mid_lower_intended_title / self.mid_lower_total, 4)
                if self.mid_lower_total
                else None
            ),
            "p_upper_given_upper": round(self.upper_intended_upper / upper, 4) if upper else None,
        }


def _case(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "none"
    if all(c.isupper() for c in letters):
        return "upper" if len(letters) > 1 else "title"
    if all(c.islower() for c in letters):
        return "lower"
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return "title"
    return "mixed"


def update_case(stats: CaseStats, pair: AlignedPair) -> None:
    """Count the case relation of one 1:1 pair."""
    obs, ref = pair.observed[0], pair.intended[0]
    oc, rc = _case(obs), _case(ref)
    if "none" in (oc, rc):
        return
    if oc == "upper" and len(obs) > 1:
        if rc == "upper":
            stats.upper_intended_upper += 1
        else:
            stats.upper_intended_other += 1
    if pair.sentence_initial or rc == "upper":
        return
    if oc == "title":
        if rc == "lower":
            stats.mid_title_intended_lower += 1
        elif rc == "title":
            stats.mid_title_intended_title += 1
    elif oc == "lower":
        stats.mid_lower_total += 1
        if rc == "title":
            stats.mid_lower_intended_title += 1
    elif oc == "mixed":
        stats.mixed_case_observed += 1
        if rc == "lower":
            stats.mixed_case_intended_lower += 1


@dataclass
class Collected:
    """Aligned pairs of a set, counted."""

    pages: int = 0
    ocr_words: int = 0
    gt_tokens: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    #: (observed, intended) lowercase pairs -> count (merges and splits joined with spaces)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    case: CaseStats = field(default_factory=CaseStats)
    one_to_one: list[AlignedPair] = field(default_factory=list)


def collect(records: Iterable[PageRecord], keep_pairs: bool = False) -> Collected:
    """Align every page and count the pairs.

    Args:
        records: Pages of a set.
        keep_pairs: Also keep the 1:1 aligned pairs themselves (for statistics).
    """
    out = Collected()
    for rec in records:
        out.pages += 1
        out.ocr_words += len(rec.ocr_words)
        aligned = align_page(rec.gt_lines, rec.ocr_lines, rec.confidences)
        for pair in aligned:
            out.kinds[pair.kind] += 1
            out.gt_tokens += len(pair.intended)
            if not pair.observed or not pair.intended:
                continue
            obs = " ".join(normalise_token(t) for t in pair.observed)
            ref = " ".join(normalise_token(t) for t in pair.intended)
            out.pairs[(obs, ref)] += 1
            if pair.kind == "1:1":
                update_case(out.case, pair)
                if keep_pairs:
                    out.one_to_one.append(pair)
    return out


def token_table(collected: Collected, engine: str, min_count: int = 2) -> dict[str, Any]:
    """The ``ocr_<engine>_token_confusions`` table: observed -> intended -> count (pruned), and case stats."""
    confusions: dict[str, dict[str, int]] = defaultdict(dict)
    intended_totals: Counter[str] = Counter()
    for (obs, ref), n in collected.pairs.items():
        intended_totals[ref] += n
        if n >= min_count:
            confusions[obs][ref] = n
    kept_refs = {ref for table in confusions.values() for ref in table}
    return {
        "format": "vnocr-ocr-token-confusions/1",
        "engine": engine,
        "description": (
            "Observed OCR token (lowercase NFC; a split is its parts joined by a space) -> intended "
            "syllable(s) (lowercase; a merge is the syllables joined by a space) -> count, from Tesseract "
            f"'{engine}' output on rendered corpus text; pairs seen fewer than {min_count} times are pruned. "
            "intended_totals counts every intended form kept, so count / intended_totals estimates "
            "P(observed | intended)."
        ),
        "pages": collected.pages,
        "aligned_tokens": sum(collected.pairs.values()),
        "kinds": dict(collected.kinds),
        "min_count": min_count,
        "case": collected.case.as_dict(),
        "intended_totals": {r: intended_totals[r] for r in sorted(kept_refs)},
        "confusions": {
            o: dict(sorted(t.items(), key=lambda kv: -kv[1])) for o, t in sorted(confusions.items())
        },
    }


# ------------------------------------------------------------------------------------------------ EM
@dataclass
class _Params:
    emit: dict[str, dict[str, float]]
    totals: dict[str, float]
    p_ins: float
    ins_chars: dict[str, float]
    ins_other: float

    def base(self, c: str, w: str) -> float:
        b = BACKOFF
        p = (1.0 - b["p_self"] - b["p_base"]) * b["length_probs"][len(w)] * b["alphabet"] ** -len(w)
        if w == c:
            p += b["p_self"]
        if w == fold_char(c):
            p += b["p_base"]
        return float(p)

    def emission(self, c: str, w: str) -> float:
        table = self.emit.get(c)
        if table is not None and w in table:
            return table[w]
        return ALPHA * self.base(c, w) / (self.totals.get(c, 0.0) + ALPHA)


def _e_step(
    obs: str,
    ref: str,
    weight: float,
    params: _Params,
    emit_counts: dict[str, dict[str, float]],
    ins_counts: dict[str, float],
) -> float:
    """Forward-backward for one pair; adds expected counts; returns the pair's log-likelihood × weight."""
    n, m = len(ref), len(obs)
    stop = 1.0 - params.p_ins
    ins = [params.p_ins * params.ins_chars.get(ch, params.ins_other) for ch in obs]
    # E[i][j][k]: emission of ref[i] as obs[j:j+k]
    em = [
        [
            [params.emission(ref[i], obs[j : j + k]) for k in range(min(MAX_EMIT, m - j) + 1)]
            for j in range(m + 1)
        ]
        for i in range(n)
    ]
    alpha = [[0.0] * (m + 1) for _ in range(n + 1)]
    alpha[0][0] = 1.0
    for i in range(n + 1):
        row = alpha[i]
        for j in range(m):
            row[j + 1] += row[j] * ins[j]
        if i == n:
            break
        nxt = alpha[i + 1]
        for j in range(m + 1):
            a = row[j]
            if a == 0.0:
                continue
            a *= stop
            for k, e in enumerate(em[i][j]):
                nxt[j + k] += a * e
    total = alpha[n][m] * stop
    if total <= 0.0:
        return 0.0
    beta = [[0.0] * (m + 1) for _ in range(n + 1)]
    beta[n][m] = stop
    for j in range(m - 1, -1, -1):
        beta[n][j] = ins[j] * beta[n][j + 1]
    for i in range(n - 1, -1, -1):
        row, nxt_b = beta[i], beta[i + 1]
        for j in range(m, -1, -1):
            v = sum(stop * e * nxt_b[j + k] for k, e in enumerate(em[i][j]))
            if j < m:
                v += ins[j] * row[j + 1]
            row[j] = v
    scale = weight / total
    for i in range(n):
        c = ref[i]
        counts = emit_counts[c]
        for j in range(m + 1):
            a = alpha[i][j]
            if a == 0.0:
                continue
            for k, e in enumerate(em[i][j]):
                post = a * stop * e * beta[i + 1][j + k] * scale
                if post > 1e-9:
                    counts[obs[j : j + k]] += post
    for i in range(n + 1):
        for j in range(m):
            post = alpha[i][j] * ins[j] * beta[i][j + 1] * scale
            if post > 1e-9:
                ins_counts[obs[j]] += post
    return weight * math.log(total)


def _m_step(
    emit_counts: dict[str, dict[str, float]], ins_counts: dict[str, float], stops: float, params: _Params
) -> _Params:
    emit: dict[str, dict[str, float]] = {}
    totals: dict[str, float] = {}
    for c, counts in emit_counts.items():
        n = sum(counts.values())
        totals[c] = n
        emit[c] = {w: (x + ALPHA * params.base(c, w)) / (n + ALPHA) for w, x in counts.items()}
    ins_total = sum(ins_counts.values())
    v = float(BACKOFF["alphabet"])
    return _Params(
        emit=emit,
        totals=totals,
        p_ins=max(1e-6, ins_total / (ins_total + stops)),
        ins_chars={ch: (x + 1.0 / v) / (ins_total + 1.0) for ch, x in ins_counts.items()},
        ins_other=(1.0 / v) / (ins_total + 1.0),
    )


def training_pairs(pairs: Counter[tuple[str, str]]) -> list[tuple[str, str, float]]:
    """The pairs the character channel learns from: not too long, not absurdly different in length."""
    out = []
    for (obs, ref), n in pairs.items():
        if not obs or not ref or len(ref) > MAX_TOKEN or len(obs) > 3 * len(ref) + 2:
            continue
        out.append((obs, ref, float(n)))
    return out


def fit_em(pairs: Sequence[tuple[str, str, float]], iterations: int = 6) -> _Params:
    """Fit the transducer's parameters by EM."""
    params = _Params(emit={}, totals={}, p_ins=0.02, ins_chars={}, ins_other=1.0 / float(BACKOFF["alphabet"]))
    for it in range(iterations):
        emit_counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        ins_counts: dict[str, float] = defaultdict(float)
        loglik = 0.0
        stops = 0.0
        for obs, ref, weight in pairs:
            loglik += _e_step(obs, ref, weight, params, emit_counts, ins_counts)
            stops += weight * (len(ref) + 1)
        params = _m_step(emit_counts, ins_counts, stops, params)
        log.info("EM iteration %d: log-likelihood %.1f, p_ins %.4f", it + 1, loglik, params.p_ins)
    return params


def learn_char_channel(
    pairs: Counter[tuple[str, str]],
    engine: str,
    skeletons: dict[str, float],
    *,
    iterations: int = 6,
    min_expected: float = 0.5,
    prior_weight: float = 1.0,
) -> dict[str, Any]:
    """Fit the character channel and return the ``ocr_<engine>_char_channel`` table.

    Args:
        pairs: ``(observed, intended) -> count`` (lowercase).
        engine: ``"eng"`` or ``"vie"``.
        skeletons: Skeleton -> log prior (see :func:`skeleton_prior`).
        iterations: EM iterations.
        min_expected: Emissions with a smaller expected count are left to the back-off.
        prior_weight: Weight of the skeleton prior in ``skeleton_keys``.
    """
    train = training_pairs(pairs)
    params = fit_em(train, iterations)
    # Which accented letter a skeleton letter stands for, from the intended text.
    by_base: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for _obs, ref, n in train:
        for c in ref:
            b = fold_char(c)
            if len(b) == 1 and "a" <= b <= "z":
                by_base[b][c] += n
    emissions: dict[str, dict[str, float]] = {}
    totals: dict[str, float] = {}
    for c, table in params.emit.items():
        n = params.totals[c]
        kept = {
            w: round(math.log(p), 4)
            for w, p in table.items()
            if p * (n + ALPHA) - ALPHA * params.base(c, w) >= min_expected
        }
        if kept:
            emissions[c] = dict(sorted(kept.items(), key=lambda kv: -kv[1]))
            totals[c] = round(n, 2)
    min_prior = min(skeletons.values()) if skeletons else 0.0
    return {
        "format": FORMAT,
        "engine": engine,
        "description": (
            "Character OCR channel of Tesseract '" + engine + "': intended character -> {observed string "
            "(0-3 chars): natural-log probability}, learned by EM from OCR of rendered corpus text aligned "
            "with the truth. Unlisted emissions: alpha * P0(w|c) / (totals[c] + alpha). See "
            "diacritics/char_channel.py and dictionaries/README.md."
        ),
        "training_pairs": len(train),
        "training_tokens": round(sum(n for _, _, n in train)),
        "alpha": ALPHA,
        "backoff": BACKOFF,
        "totals": totals,
        "emissions": emissions,
        "insertion": {
            "logprob": round(math.log(params.p_ins), 4),
            "chars": {
                ch: round(math.log(p), 4)
                for ch, p in sorted(params.ins_chars.items(), key=lambda kv: -kv[1])
                if p > 5 * params.ins_other
            },
            "other": round(math.log(params.ins_other), 4),
        },
        "char_given_base": {b: _distribution(cnt) for b, cnt in sorted(by_base.items())},
        "prior_weight": prior_weight,
        "unknown_skeleton_logprob": round(min_prior - math.log(10), 4),
        "skeletons": skeletons,
    }


def _distribution(counts: dict[str, float], floor: float = 1e-3) -> dict[str, float]:
    """Log relative frequencies above ``floor``, most frequent first."""
    total = sum(counts.values())
    return {
        c: round(math.log(n / total), 4)
        for c, n in sorted(counts.items(), key=lambda kv: -kv[1])
        if n / total > floor
    }


# ----------------------------------------------------------------------------------------- skeleton prior
def skeleton_prior(texts: Iterable[str], min_count: int = 5) -> dict[str, float]:
    """Log relative frequency of the accent-stripped skeletons of alphabetic tokens in ``texts``."""
    counts: Counter[str] = Counter()
    for text in texts:
        for tok in text.split():
            tok = tok.strip(".,;:!?\"'“”‘’()[]{}…-–—/")
            if tok and tok.isalpha():
                key = skeleton(tok)
                if key.isascii():
                    counts[key] += 1
    kept = {k: n for k, n in counts.items() if n >= min_count and len(k) <= 10}
    total = sum(kept.values())
    return {k: round(math.log(n / total), 4) for k, n in sorted(kept.items(), key=lambda kv: -kv[1])}


# --------------------------------------------------------------------------------------------- statistics
def channel_statistics(
    pairs: Sequence[AlignedPair], channel: CharChannel, ks: Sequence[int] = (1, 3, 5, 10)
) -> dict[str, Any]:
    """How observed tokens relate to the intended syllables (1:1 pairs whose intended token is all letters).

    Returns the share identical, identical after stripping accents and case, and with the intended skeleton
    among the top-k ``skeleton_keys`` of the observed token; also over the tokens that differ.
    """
    n = same = same_lower = same_skel = 0
    in_top = Counter[int]()
    diff_n = 0
    diff_top = Counter[int]()
    kmax = max(ks)
    for pair in pairs:
        obs, ref = pair.observed[0], pair.intended[0]
        if not ref.isalpha():
            continue
        n += 1
        same += obs == ref
        same_lower += obs.lower() == ref.lower()
        target = skeleton(ref)
        ok_skel = skeleton(obs) == target
        same_skel += ok_skel
        keys = channel.skeleton_keys(normalise_token(obs), kmax)
        rank = keys.index(target) + 1 if target in keys else None
        for k in ks:
            if rank is not None and rank <= k:
                in_top[k] += 1
                if not ok_skel:
                    diff_top[k] += 1
        diff_n += not ok_skel
    pct = lambda x, d: round(100.0 * x / d, 2) if d else None  # noqa: E731
    return {
        "tokens": n,
        "identical_pct": pct(same, n),
        "identical_ignoring_case_pct": pct(same_lower, n),
        "same_skeleton_pct": pct(same_skel, n),
        **{f"skeleton_top{k}_pct": pct(in_top[k], n) for k in ks},
        "mangled_tokens": diff_n,
        **{f"mangled_skeleton_top{k}_pct": pct(diff_top[k], diff_n) for k in ks},
    }
