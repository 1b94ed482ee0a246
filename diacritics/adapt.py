"""Adaptation to an unknown OCR engine: a generic channel whose rewrites are learned from the document.

Legacy text layers (a scanner's OCR without Vietnamese) mangle letters in ways the learned Tesseract
channels do not know: ``truemg`` for ``trường``, ``th8ng`` for ``thông``, ``hin`` for ``hiện`` (a marked
vowel dropped). After a first decoding, the document's confident readings that differ from their tokens
(``truemg`` → ``trường`` once in context) are aligned letter by letter with their unmarked forms; the
rewrites found (``em`` → ``o``, ``8`` → ``o``) are counted (hard EM with the language model as the prior:
the decoder's confident choices are the expected alignments). With a generic prior (a dropped vowel, a
digit for a vowel), the rewrites propose readings for the tokens the first decoding kept as unknown, scored
by the rewrites' estimated probabilities; the lattice is decoded again.

Only a document with many such tokens is adapted (:data:`MIN_UNRESOLVED_SHARE`): text the learned
channels explain is left as the first decoding has it.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from .decoder import Candidate, Position
from .lattice import TokenSlot
from .normalise import apply_case, case_pattern, strip_diacritics

log = logging.getLogger(__name__)

#: Share of the document's lower-case word slots kept as unknown from which it is adapted.
MIN_UNRESOLVED_SHARE = 0.05
#: Fewest unresolved tokens for an adaptation.
MIN_UNRESOLVED = 5
#: Unresolved tokens holding a letter no Vietnamese word has (``dî``, ``giîàa``, ``cüa``: an engine with
#: another language's letters) that adapt a document below :data:`MIN_UNRESOLVED_SHARE`.
FOREIGN_EVIDENCE = 5
#: Whether an adapted document's kept words in title or mixed case (``Cdn``, ``LuQt``) get readings too.
CASED_WORDS_ADAPTED = True
#: Confidence of a first-pass reading taken as an alignment to learn from.
LEARN_FROM = 0.8
#: Generic prior: vowels (and clusters) a legacy engine drops outright, with their pseudo-counts.
DROPPED_VOWELS = ("a", "e", "i", "o", "u", "y", "ie", "uo", "ye", "uy", "oa", "ua", "uye")
#: Generic prior: characters engines put for a vowel (a digit or a symbol).
VOWEL_LOOKALIKES = {"6": "o", "8": "o", "9": "o", "0": "o", "3": "e", "1": "i", "@": "a", "ø": "o", "ü": "u"}
#: Pseudo-count of each rewrite of the generic prior.
PRIOR_COUNT = 0.5
#: Most rewrites applied to one token.
MAX_REWRITES = 2
#: Readings proposed per token.
MAX_PROPOSED = 8
#: Channel log-probability given to a proposed reading beyond its rewrites' (nats).
PROPOSAL_BASE = math.log(0.2)
#: What keeping a token as written loses once the adapted channel explains it (log-probability): in the
#: output of an engine that mangles letters, a lower-case unknown word is far more often a mangled one.
KEPT_WHEN_EXPLAINED = math.log(0.1)
#: Marks a kept reading whose cost :data:`KEPT_WHEN_EXPLAINED` raised (once).
EXPLAINED = " (the adapted channel explains it)"
#: Generic channel: log-probability of an edit no rewrite of the model explains, per character it rewrites
#: (a substitution, a deleted or an inserted letter: ``chirc`` → ``chuc``, ``nghiern`` → ``nghiem``).
GENERIC_LOGPROB = math.log(0.03)
#: Generic channel: skeletons looked up within the speller's edit distance of a token, most frequent first.
GENERIC_KEYS = 24
#: Whether adjacent edits of different kinds make one chunk when a digit or a symbol is in it (``f3`` →
#: ``o``: a letter replaced and a digit deleted), the engine's glyph-for-letter substitutions (off; why:
#: docs/LEGACY_OCR.md).
MIXED_CHUNKS = False
#: Rounds of hard EM: each learns the rewrites again from the readings the previous decoding chose.
EM_ROUNDS = 2
#: Whether an adapted document's words read with low confidence (below :data:`LEARN_FROM`) get the adapted
#: channel's readings too, not only the words kept as unknown (``tnrong`` read ``trong``, ``teri``).
UNSURE_WIDENED = True
#: Case shapes of the unsure words widened (title case left out: names, ``Minh`` → ``Mình``).
UNSURE_CASES = ("lower", "mixed")
#: What reading a token with the marks its engine wrote taken off costs (log-probability): an engine
#: without Vietnamese writes marks of its own language for the marked letters it sees (``câc`` for ``các``,
#: ``viêc``, ``cûa``), so an unknown marked word is read from its letters.
MARKS_DROPPED_LOGPROB = math.log(0.1)
#: Delimiters an engine glues inside a word (``hi'en``, ``X*``), deleted by the generic prior.
STRAY_MARKS = ("'", "*", "`", "^")


_VIETNAMESE_LETTERS = frozenset(
    unicodedata.normalize("NFC", base + mark)
    for base in "aăâeêioôơuưy"
    for mark in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
) | frozenset("đ")


def foreign_letters(text: str) -> bool:
    """Whether ``text`` holds a letter outside ASCII that no Vietnamese word has (``î``, ``ü``, ``ç``)."""
    return any(c.isalpha() and not c.isascii() and c.lower() not in _VIETNAMESE_LETTERS for c in text)


@dataclass
class RewriteModel:
    """Counts of the rewrites ``observed chunk → intended chunk`` (unmarked, lower case) of a document, and
    of the chunks' occurrences in the observed tokens learned from (``""``: one chance per token)."""

    counts: dict[tuple[str, str], float]
    seen: dict[str, float]

    def logprob(self, rule: tuple[str, str]) -> float:
        """log P(the chunk ``rule[0]`` is written for ``rule[1]``): its rewrites over its occurrences."""
        src = rule[0]
        rewritten = sum(n for (a, _b), n in self.counts.items() if a == src)
        return math.log(self.counts.get(rule, 0.0) / (self.seen.get(src, 0.0) + rewritten + 1.0))


def rewrites(observed: str, intended: str) -> list[tuple[str, str]]:
    """The chunk rewrites turning ``observed`` into ``intended`` (both lower case, unmarked)."""
    # a minimal edit script (Levenshtein), its runs of one kind of edit merged into chunks
    rows, cols = len(observed) + 1, len(intended) + 1
    cost = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        cost[i][0] = i
    for j in range(cols):
        cost[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            same = observed[i - 1] == intended[j - 1]
            cost[i][j] = min(cost[i - 1][j - 1] + (0 if same else 1), cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    steps: list[tuple[str, str, str]] = []  # (kind, observed char, intended char), from the end
    i, j = rows - 1, cols - 1
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (0 if observed[i - 1] == intended[j - 1] else 1):
            kind = "equal" if observed[i - 1] == intended[j - 1] else "replace"
            steps.append((kind, observed[i - 1], intended[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            steps.append(("delete", observed[i - 1], ""))
            i -= 1
        else:
            steps.append(("insert", "", intended[j - 1]))
            j -= 1
    out: list[tuple[str, str]] = []
    previous = "equal"
    for kind, src, dst in reversed(steps):
        if kind == "equal":
            previous = kind
            continue
        glyphs = MIXED_CHUNKS and bool(out) and not (out[-1][0] + src).isalpha()
        if previous != "equal" and (kind == previous or glyphs) and out:
            out[-1] = (out[-1][0] + src, out[-1][1] + dst)
        else:
            out.append((src, dst))
        previous = kind
    return out


def learn(
    pairs: Iterable[tuple[str, str]],
    kept: Iterable[str] = (),
    pooled: Iterable[tuple[Iterable[tuple[str, str]], Iterable[str], float]] = (),
) -> RewriteModel:
    """The rewrite model of ``(observed, intended unmarked)`` pairs and of the tokens read as written
    (``kept``: their chunks were not rewritten), with the generic prior; ``pooled``: other documents'
    pairs and kept tokens, each with its weight (the batch-level channel, :mod:`diacritics.batch_adapt`)."""
    counts: dict[tuple[str, str], float] = {}
    seen: dict[str, float] = {}
    for vowel in DROPPED_VOWELS:
        counts[("", vowel)] = counts.get(("", vowel), 0.0) + PRIOR_COUNT
    for char, vowel in VOWEL_LOOKALIKES.items():
        counts[(char, vowel)] = counts.get((char, vowel), 0.0) + PRIOR_COUNT
    for mark in STRAY_MARKS:
        counts[(mark, "")] = counts.get((mark, ""), 0.0) + PRIOR_COUNT
    for source_pairs, source_kept, weight in ((pairs, kept, 1.0), *pooled):
        for observed in source_kept:
            seen[""] = seen.get("", 0.0) + weight
            for size in (1, 2, 3):
                for k in range(len(observed) - size + 1):
                    chunk = observed[k : k + size]
                    seen[chunk] = seen.get(chunk, 0.0) + weight
        for observed, intended in source_pairs:
            for rule in rewrites(observed, intended):
                if len(rule[0]) <= 3 and len(rule[1]) <= 3:
                    counts[rule] = counts.get(rule, 0.0) + weight
    return RewriteModel(counts, seen)


def proposals(observed: str, model: RewriteModel, is_key: Callable[[str], bool]) -> dict[str, float]:
    """Unmarked keys (known skeletons, ``is_key``) reachable from ``observed`` by at most
    :data:`MAX_REWRITES` of the model's rewrites, with the best log-probability of reaching each."""
    rules: dict[str, list[tuple[str, float]]] = {}
    for src, dst in model.counts:
        rules.setdefault(src, []).append((dst, model.logprob((src, dst))))
    frontier: dict[str, float] = {observed: 0.0}
    found: dict[str, float] = {}
    for _ in range(MAX_REWRITES):
        grown: dict[str, float] = {}
        for text, score in frontier.items():
            for at in range(len(text) + 1):
                for size in range(0, 4):
                    src = text[at : at + size]
                    if len(src) < size:
                        break
                    for dst, lp in rules.get(src, ()):
                        new = text[:at] + dst + text[at + size :]
                        if new == text or not new:
                            continue
                        value = score + lp
                        if value > grown.get(new, -math.inf):
                            grown[new] = value
        for key, value in grown.items():
            if is_key(key) and value > found.get(key, -math.inf):
                found[key] = value
        # keep the best partial rewrites only
        frontier = dict(sorted(grown.items(), key=lambda kv: kv[1], reverse=True)[:200])
    return found


def rule_logprob(model: RewriteModel, rule: tuple[str, str]) -> float:
    """log P of one chunk rewrite: the model's estimate, or the generic channel's floor for a rewrite the
    model has not seen (per character rewritten), whichever is larger."""
    generic = GENERIC_LOGPROB * max(len(rule[0]), len(rule[1]), 1)
    if model.counts.get(rule, 0.0) <= 0:
        return generic
    return max(model.logprob(rule), generic)


def generic_proposals(
    observed: str, model: RewriteModel, keys: Callable[[str, int], list[str]]
) -> dict[str, float]:
    """Known skeletons within edit distance of ``observed`` (``keys``: the speller's look-up), each scored
    by the chunk rewrites aligning the token with it (:func:`rule_logprob`): the generic channel of
    substitutions, deletions and insertions, sharpened by what the model learned."""
    found: dict[str, float] = {}
    spelled = observed
    for char, vowel in VOWEL_LOOKALIKES.items():  # a digit for a vowel first: the speller takes letters
        spelled = spelled.replace(char, vowel)
    for mark in STRAY_MARKS:
        spelled = spelled.replace(mark, "")
    for key in keys(spelled, GENERIC_KEYS):
        if key == observed:
            continue
        found[key] = sum(rule_logprob(model, rule) for rule in rewrites(observed, key))
    return found


def adapted_keys(
    observed: str,
    model: RewriteModel,
    is_key: Callable[[str], bool],
    keys: Callable[[str, int], list[str]] | None,
) -> dict[str, float]:
    """Known skeletons the adapted channel reads ``observed`` as, each with its best log-probability: the
    model's rewrites (:func:`proposals`) and, with the speller's look-up ``keys``, the generic channel
    (:func:`generic_proposals`); for a token with marks, the same from its letters, the marks dropped at
    :data:`MARKS_DROPPED_LOGPROB`."""
    found: dict[str, float] = {}
    bare = strip_diacritics(observed)
    sources = [(observed, 0.0)] + ([(bare, MARKS_DROPPED_LOGPROB)] if bare != observed else [])
    for text, base in sources:
        scored = proposals(text, model, is_key)
        if keys is not None:
            for key, score in generic_proposals(text, model, keys).items():
                scored[key] = max(score, scored.get(key, -math.inf))
        if text != observed and is_key(text):
            scored[text] = 0.0
        for key, score in scored.items():
            if base + score > found.get(key, -math.inf):
                found[key] = base + score
    return found


#: Characters that glue a word into an identifier (``chitiet.aspx``, ``gov.vn/Pages``, ``a_b``).
IDENTIFIER_GLUE = "./:@_\\=?&#"


def glued(line: str, start: int, end: int) -> bool:
    """Whether the word at ``line[start:end]`` is glued to another by an identifier character (a URL, a
    path, an e-mail address): such words are no mangled syllables."""
    before = line[start - 2 : start] if start >= 2 else ""
    after = line[end : end + 2]
    return (len(before) == 2 and before[1] in IDENTIFIER_GLUE and before[0].isalnum()) or (
        len(after) == 2 and after[0] in IDENTIFIER_GLUE and after[1].isalnum()
    )


def unresolved(slots: Sequence[TokenSlot | None], choice: Sequence[int], cased: bool = False) -> list[int]:
    """Indices of the slots of tokens in lower case (or, with ``cased``, in title or mixed case: ``Cdn``,
    ``LuQt``) the decoding kept as unknown words; never capitals (abbreviations, codes)."""
    found = []
    for index, slot in enumerate(slots):
        if slot is None:
            continue
        chosen = slot.candidates[choice[index]]
        text = slot.token.text
        shape = case_pattern(text)
        if (
            chosen.reason.startswith("kept: not a known")
            and len(text) > 1
            and (shape == "lower" or (cased and shape in ("title", "mixed") and not text.isupper()))
        ):
            found.append(index)
    return found


def unsure(
    slots: Sequence[TokenSlot | None], choice: Sequence[int], confidence: Sequence[float]
) -> list[int]:
    """Indices of the slots of words in :data:`UNSURE_CASES` read as a known word
    with a confidence below :data:`LEARN_FROM`, that have more than one reading (a code has one)."""
    found = []
    for index, slot in enumerate(slots):
        if slot is None or confidence[index] >= LEARN_FROM or len(slot.candidates) < 2:
            continue
        text = slot.token.text
        chosen = slot.candidates[choice[index]]
        if chosen.reason.startswith("kept") or len(text) < 2 or not text.isalpha():
            continue
        if case_pattern(text) not in UNSURE_CASES:
            continue
        found.append(index)
    return found


def confident_pairs(
    slots: Sequence[TokenSlot | None], choice: Sequence[int], confidence: Sequence[float]
) -> tuple[list[tuple[str, str]], list[str]]:
    """``(observed, chosen unmarked)`` of the readings the decoding chose confidently other than as written,
    and the tokens it read confidently with their own letters."""
    pairs, same = [], []
    for index, slot in enumerate(slots):
        if slot is None or confidence[index] < LEARN_FROM:
            continue
        chosen = slot.candidates[choice[index]]
        intended = strip_diacritics(chosen.text.lower())
        observed = slot.observed
        if chosen.reason.startswith("kept") or " " in intended:  # a token cut in two: no rewrite
            continue
        if intended == strip_diacritics(observed):
            same.append(observed)
        else:
            pairs.append((observed, intended))
    return pairs, same


def widened(
    slot: TokenSlot,
    found: dict[str, float],
    variants: Callable[[str], list[tuple[str, float]]],
    lm_id: Callable[[str], int],
) -> Position:
    """The slot's position with the readings of the proposed keys, scored by the adapted channel (added, or
    raised to it where the slot has them with a lower score)."""
    scored: dict[str, float] = {}
    for key, score in sorted(found.items(), key=lambda kv: kv[1], reverse=True)[:MAX_PROPOSED]:
        for syllable, _prior in variants(key)[:4]:
            scored.setdefault(syllable, PROPOSAL_BASE + score)
    if not scored:
        return slot.position
    candidates = []
    for c in slot.candidates:
        new = scored.pop(c.text.lower(), None)
        if c.reason.startswith("kept: not a known") and not c.reason.endswith(EXPLAINED):
            c = replace(c, channel=c.channel + KEPT_WHEN_EXPLAINED, reason=c.reason + EXPLAINED)
        elif new is not None and new > c.channel:
            c = replace(c, channel=new, reason=_why(slot, c.text))
        candidates.append(c)
    text = slot.token.text
    shape = case_pattern(text)
    if shape == "mixed":  # OCR noise in a word's case (LuQt): the reading takes its main case
        shape = "title" if text[:1].isupper() else "lower"
    candidates += [
        Candidate(lm_id(s), score, apply_case(shape, s, text), _why(slot, s)) for s, score in scored.items()
    ]
    return replace(slot.position, candidates=tuple(candidates))


def _why(slot: TokenSlot, reading: str) -> str:
    return f"adapted channel ({slot.observed} → {strip_diacritics(reading.lower())})"
