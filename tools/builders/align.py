"""Align OCR output with the ground truth: lines, then tokens, through one character-level alignment.

The page's ground-truth text and OCR text are each joined with newlines and aligned character by character
(Levenshtein, on a lower-cased, accent-stripped copy of each string so that ``ô``/``o``/``6`` differences do
not pull the alignment apart; folding keeps one character per character, so positions map back exactly).
Tokens are then grouped: a ground-truth token and an OCR token belong together when any of their characters
are aligned to each other. A group is

* 1 observed : 1 intended — ``t6`` ↔ ``tổ``, ``chirc`` ↔ ``chức`` (even when the letters differ a lot),
* 1 observed : n intended — a merge, ``val00%`` ↔ ``và 100%``,
* m observed : 1 intended — a split, ``h di`` ↔ ``hội``,
* observed only — an insertion (a speck read as ``'``), intended only — a deletion (a word OCR dropped).

Ground-truth tokens are compared without their edge punctuation (``sau:`` → ``sau``) and the observed side
is the part of the OCR token aligned with those letters, so the pairs are syllable-level.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

#: Characters trimmed from the edges of ground-truth tokens (and of the projected observed text).
EDGE_PUNCT = frozenset(".,;:!?\"'“”‘’«»()[]{}…-–—/")
#: Ground-truth token endings after which the next token starts a sentence.
SENTENCE_END = (".", "!", "?", ":")


@dataclass(frozen=True)
class AlignedPair:
    """Observed OCR token(s) aligned with the intended (ground-truth) token(s).

    Attributes:
        observed: The observed OCR token(s), trimmed to the part aligned with the intended letters;
            empty for a deletion.
        intended: The intended ground-truth token(s) without edge punctuation; empty for an insertion.
        confidence: The lowest OCR word confidence (0-100) of the observed tokens, None when unknown.
        gt_line: Index of the ground-truth line of the first intended token (-1 for an insertion).
        sentence_initial: The first intended token starts a sentence (first of the page, or after
            ``. ! ? :``).
    """

    observed: tuple[str, ...]
    intended: tuple[str, ...]
    confidence: float | None = None
    gt_line: int = -1
    sentence_initial: bool = False

    @property
    def kind(self) -> str:
        """``"1:1"``, ``"merge"``, ``"split"``, ``"m:n"``, ``"insertion"`` or ``"deletion"``."""
        n_obs, n_int = len(self.observed), len(self.intended)
        if n_int == 0:
            return "insertion"
        if n_obs == 0:
            return "deletion"
        if n_obs == 1 and n_int == 1:
            return "1:1"
        if n_obs == 1:
            return "merge"
        if n_int == 1:
            return "split"
        return "m:n"


@dataclass(frozen=True)
class _Token:
    start: int  # character span in the joined text
    end: int
    line: int
    index: int  # position among the whitespace tokens of the text


def fold_char(ch: str) -> str:
    """Lower-case, accent-stripped form of one character, always exactly one character long."""
    low = ch.lower()
    if len(low) != 1:
        return ch
    if low == "đ":
        return "d"
    base = unicodedata.normalize("NFD", low)[0]
    return base if base.isascii() or base.isalpha() else low


def fold(text: str) -> str:
    """:func:`fold_char` applied to every character (same length as ``text``)."""
    return "".join(fold_char(c) for c in text)


def char_alignment(reference: str, hypothesis: str) -> list[int]:
    """For each character of ``reference``, the position of the hypothesis character aligned with it.

    Matches and substitutions are aligned; a deleted reference character gets -1. The alignment is a
    minimum-edit-distance alignment of the folded strings (see :func:`fold`).
    """
    ref_f, hyp_f = fold(reference), fold(hypothesis)
    mapping = [-1] * len(reference)
    i = j = 0
    for op in Levenshtein.editops(ref_f, hyp_f):
        # Characters between the previous edit and this one are matches.
        while i < op.src_pos and j < op.dest_pos:
            mapping[i] = j
            i += 1
            j += 1
        if op.tag == "replace":
            mapping[op.src_pos] = op.dest_pos
            i, j = op.src_pos + 1, op.dest_pos + 1
        elif op.tag == "delete":
            i, j = op.src_pos + 1, op.dest_pos
        else:  # insert
            i, j = op.src_pos, op.dest_pos + 1
    while i < len(reference) and j < len(hypothesis):
        mapping[i] = j
        i += 1
        j += 1
    return mapping


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    line = 0
    start = -1
    for pos, ch in enumerate(text + "\n"):
        if ch.isspace():
            if start >= 0:
                out.append(_Token(start, pos, line, len(out)))
                start = -1
            if ch == "\n":
                line += 1
        elif start < 0:
            start = pos
    return out


def _core(text: str, tok: _Token) -> tuple[int, int]:
    """The span of ``tok`` without edge punctuation (empty span when it is all punctuation)."""
    start, end = tok.start, tok.end
    while start < end and text[start] in EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in EDGE_PUNCT:
        end -= 1
    return start, end


def normalise(text: str) -> str:
    """NFC with non-breaking spaces made plain."""
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ")


def align_page(
    gt_lines: Sequence[str],
    ocr_lines: Sequence[str],
    confidences: Sequence[float] | None = None,
) -> list[AlignedPair]:
    """Align a page's OCR lines with its ground-truth lines, token by token.

    Args:
        gt_lines: The ground-truth lines (the text drawn on the page).
        ocr_lines: The OCR output lines, in reading order.
        confidences: OCR word confidences, one per whitespace token of ``ocr_lines`` in order.

    Returns:
        The aligned groups in ground-truth order (insertions where they occur in the OCR text).
    """
    gt = "\n".join(normalise(line) for line in gt_lines)
    ocr = "\n".join(normalise(line) for line in ocr_lines)
    mapping = char_alignment(gt, ocr)
    gt_toks, ocr_toks = _tokens(gt), _tokens(ocr)
    if confidences is not None and len(confidences) != len(ocr_toks):
        raise ValueError(f"{len(confidences)} confidences for {len(ocr_toks)} OCR tokens")
    ocr_of_pos = [-1] * (len(ocr) + 1)
    for t in ocr_toks:
        for p in range(t.start, t.end):
            ocr_of_pos[p] = t.index

    # For each GT token with letters: the OCR positions aligned with its core characters.
    cores: dict[int, tuple[int, int]] = {}
    links: dict[int, set[int]] = {}
    for t in gt_toks:
        cs, ce = _core(gt, t)
        if cs == ce:
            continue
        cores[t.index] = (cs, ce)
        linked = {ocr_of_pos[mapping[p]] for p in range(cs, ce) if mapping[p] >= 0}
        links[t.index] = {k for k in linked if k >= 0}

    targeted = [False] * (len(ocr) + 1)
    for j in mapping:
        if j >= 0:
            targeted[j] = True

    # Group GT tokens that share an OCR token (alignment is monotone, so groups are contiguous).
    groups: list[tuple[list[int], set[int]]] = []
    for gi in sorted(cores):
        if groups and links[gi] & groups[-1][1]:
            groups[-1][0].append(gi)
            groups[-1][1].update(links[gi])
        else:
            groups.append(([gi], set(links[gi])))

    pairs: list[tuple[int, AlignedPair]] = []  # (sort key in OCR order, pair)
    used_ocr: set[int] = set()
    last_key = -1
    for gis, ois in groups:
        first = gt_toks[gis[0]]
        prev = gt_toks[first.index - 1] if first.index > 0 else None
        initial = prev is None or gt[prev.start : prev.end].endswith(SENTENCE_END)
        intended = tuple(gt[cores[g][0] : cores[g][1]] for g in gis)
        obs_sorted = sorted(ois)
        observed = tuple(_project(ocr, ocr_toks[o], gis, cores, mapping, targeted) for o in obs_sorted)
        observed = tuple(o for o in observed if o)
        conf = min(confidences[o] for o in obs_sorted) if confidences is not None and obs_sorted else None
        key = obs_sorted[0] if obs_sorted else last_key
        last_key = max(last_key, obs_sorted[-1] if obs_sorted else last_key)
        used_ocr.update(obs_sorted)
        pairs.append((key, AlignedPair(observed, intended, conf, first.line, initial)))

    for t in ocr_toks:
        if t.index in used_ocr:
            continue
        text = ocr[t.start : t.end]
        if all(c in EDGE_PUNCT for c in text):
            continue
        conf = confidences[t.index] if confidences is not None else None
        pairs.append((t.index, AlignedPair((text,), (), conf)))
    pairs.sort(key=lambda kp: kp[0])
    return [p for _, p in pairs]


def _project(
    ocr: str,
    tok: _Token,
    gis: list[int],
    cores: dict[int, tuple[int, int]],
    mapping: list[int],
    targeted: list[bool],
) -> str:
    """The part of OCR token ``tok`` aligned with the core characters of GT tokens ``gis``.

    Characters of the token that are aligned with nothing (insertions) are kept when they lie inside the
    aligned part, or at its edges when they are not punctuation (``chirc`` keeps its inserted ``r``).
    """
    aligned = [
        mapping[p]
        for g in gis
        for p in range(*cores[g])
        if mapping[p] >= 0 and tok.start <= mapping[p] < tok.end
    ]
    if not aligned:
        return ""
    lo, hi = min(aligned), max(aligned) + 1
    while lo > tok.start and ocr[lo - 1] not in EDGE_PUNCT and not targeted[lo - 1]:
        lo -= 1
    while hi < tok.end and ocr[hi] not in EDGE_PUNCT and not targeted[hi]:
        hi += 1
    return ocr[lo:hi]


def line_pairs(gt_lines: Sequence[str], ocr_lines: Sequence[str]) -> list[tuple[str, str]]:
    """Each ground-truth line with the OCR text aligned to it.

    Every OCR line goes to the ground-truth line that most of its aligned characters belong to (OCR lines
    that align with nothing are dropped); a ground-truth line OCR missed gets an empty string.
    """
    gt = "\n".join(normalise(line) for line in gt_lines)
    ocr_norm = [normalise(line) for line in ocr_lines]
    ocr = "\n".join(ocr_norm)
    mapping = char_alignment(gt, ocr)
    line_of_ocr_pos: list[int] = []
    for k, line in enumerate(ocr_norm):
        line_of_ocr_pos.extend([k] * (len(line) + 1))
    votes: dict[int, dict[int, int]] = {}
    gt_line = 0
    for pos, ch in enumerate(gt):
        if ch == "\n":
            gt_line += 1
            continue
        j = mapping[pos]
        if j >= 0 and not ch.isspace():
            counts = votes.setdefault(line_of_ocr_pos[j], {})
            counts[gt_line] = counts.get(gt_line, 0) + 1
    assigned: dict[int, list[str]] = {}
    for k, counts in sorted(votes.items()):
        best = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0]
        assigned.setdefault(best, []).append(ocr_norm[k])
    return [(line, " ".join(assigned.get(i, []))) for i, line in enumerate(gt_lines)]
