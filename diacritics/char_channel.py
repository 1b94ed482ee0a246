"""A learned character-level OCR channel: P(observed token | intended syllable) for one Tesseract model.

The tables are learned by ``make channel`` (tools/builders/channel.py) from corpus text rendered to scans,
OCRed and aligned with the truth; this module only scores with them. The model is a memoryless transducer:
every intended character emits an observed string of 0-3 characters (``ư`` → ``ir``, ``ủ`` → ``ii``,
``đ`` → ``p``, ``ô`` → ``6``), and between characters the OCR may insert extra characters (a geometric number
of them).
``logprob`` sums over all the ways the observed string can be produced (a small dynamic programme).

Emissions the tables do not list get a smoothed back-off probability
``alpha * P0(w | c) / (N_c + alpha)``, where ``P0`` prefers the character itself and its accent-stripped
form, so nothing is ever impossible.

:meth:`CharChannel.skeleton_keys` answers the inverse question the decoder needs (which accent-stripped
skeletons most likely produced an observed token) with :class:`diacritics.skeleton_search.SkeletonSearch`.
The shipped tables and their precomputed scores are read by :mod:`diacritics.channel_tables`.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import DataError
from .normalise import fold_char
from .resources import ENGINES, channel_table, tag_of
from .skeleton_search import LOG_ZERO, MEMO_KEYS, SEARCH_BEAM, SkeletonSearch

if TYPE_CHECKING:
    from .channel_tables import ScoreMemo

FORMAT = tag_of(channel_table(ENGINES[0]))
#: Bound on readings × (observed length + 1)² of one batched forward pass (its arrays' size).
_FORWARD_CELLS = 1_000_000
#: Longest observed string one intended character may emit.
MAX_EMIT = 3
#: Scores kept per channel before its cache is emptied, and readings spelled before its spelling table is.
_MAX_SCORES = 400_000
_MAX_SPELLINGS = 200_000
#: Letters of the spelling table's rows (a longer reading widens it).
_MAX_SPELLED = 8

#: Share of every vowel's emissions spread evenly over all single vowel letters (any base, any tone). The
#: rendered training scans are cleaner than real archive scans, where Tesseract ``eng`` reads a toned vowel as
#: almost any other vowel (``năm`` → ``nim``, ``trấn`` → ``trin``); without this the learned table calls such
#: readings near-impossible. 0.05 was chosen on lines 1-120 of the real 2021 plan (0.01: -0.4 points,
#: 0.2: no better); its lines 121-241 are reported separately by the benchmark. Not for ``vie``: its output is
#: mostly correct text, where such slack lets the LM "correct" right words (``kiểm`` → ``kiếm``).
VOWEL_CONFUSION = {"eng": 0.05, "vie": 0.0}
_VOWEL_LETTERS = frozenset(
    unicodedata.normalize("NFC", base + mark)
    for base in "aăâeêioôơuưy"
    for mark in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
)

#: Least probability of an inserted character between two intended ones. The rendered training scans almost
#: never make Tesseract ``eng`` insert anything (EM drives it to ~1e-5), real scans do (``duogc`` = ``được``,
#: ``tré¢`` = ``trẻ``, ``bé1`` = ``bởi``). Chosen with :data:`VOWEL_CONFUSION`, on the same lines.
INSERTION_FLOOR = {"eng": 0.02, "vie": 0.0}


@functools.lru_cache(maxsize=65536)
def _nfc_lower(text: str) -> str:
    return unicodedata.normalize("NFC", text.lower())


@dataclass(frozen=True)
class _Backoff:
    """Parameters of the base measure ``P0(w | c)``."""

    p_self: float
    p_base: float
    length_probs: tuple[float, ...]  # P(len(w) = k), k = 0..MAX_EMIT, for the "anything" part
    alphabet: int

    def prob(self, intended: str, observed: str) -> float:
        p = (
            (1.0 - self.p_self - self.p_base)
            * self.length_probs[len(observed)]
            * self.alphabet ** -len(observed)
        )
        if observed == intended:
            p += self.p_self
        if observed == fold_char(intended):
            p += self.p_base
        return p


class CharChannel:
    """P(observed | intended) for one OCR engine, learned from aligned OCR output.

    Use :meth:`load` for the shipped tables. Both strings are lower-cased and NFC-normalised before scoring.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        """Build from a table dictionary (as written by tools/builders/channel.py).

        Raises:
            DataError: The dictionary is not a channel table of the expected format.
        """
        if data.get("format") != FORMAT:
            raise DataError(f"not an OCR channel table (format {data.get('format')!r}, expected {FORMAT})")
        try:
            self.engine: str = str(data["engine"])
            b = data["backoff"]
            self._backoff = _Backoff(
                float(b["p_self"]),
                float(b["p_base"]),
                tuple(float(x) for x in b["length_probs"]),
                int(b["alphabet"]),
            )
            self._alpha = float(data["alpha"])
            self._totals: dict[str, float] = {c: float(n) for c, n in data["totals"].items()}
            self._emit: dict[str, dict[str, float]] = {
                c: {w: math.exp(float(lp)) for w, lp in table.items()}
                for c, table in data["emissions"].items()
            }
            ins = data["insertion"]
            self._p_ins = max(math.exp(float(ins["logprob"])), INSERTION_FLOOR.get(self.engine, 0.0))
            self._ins_chars = {ch: math.exp(float(lp)) for ch, lp in ins["chars"].items()}
            self._ins_other = math.exp(float(ins["other"]))
            self._char_given_base = {
                b_: {c: math.exp(float(lp)) for c, lp in table.items()}
                for b_, table in data["char_given_base"].items()
            }
            skeleton_prior: dict[str, float] = {s: float(lp) for s, lp in data["skeletons"].items()}
            unknown_skeleton = float(data["unknown_skeleton_logprob"])
            self.prior_weight = float(data.get("prior_weight", 1.0))
            self._vowel_confusion = VOWEL_CONFUSION.get(self.engine, 0.0)
            memo = data.get("skeleton_memo") or {}
            valid = memo.get("settings") == search_settings(str(data.get("engine")))
            memo_keys: dict[str, list[str]] = memo.get("keys", {}) if valid else {}
            if not all(isinstance(k, list) for k in memo_keys.values()):
                raise TypeError("skeleton memo entries are not lists")
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"OCR channel table is corrupt: {exc!r}") from exc
        #: The skeleton search over this channel (its memo: the table's, when made with today's settings).
        self.search = SkeletonSearch(self, skeleton_prior, self.prior_weight, unknown_skeleton, memo_keys)
        #: Per observed token, each reading's log-probability (cleared when it grows past _MAX_SCORES).
        self._scores: dict[str, dict[str, float]] = {}
        self._n_scores = 0
        #: Scores precomputed for common observed tokens (the shipped channel's; see :meth:`load`).
        self.score_memo: ScoreMemo | None = None
        #: :func:`diacritics.channel_tables.scores_fingerprint` of the shipped table it was loaded from
        #: (None: made otherwise).
        self.table_fingerprint: str | None = None
        #: Intended letters in the order of the emission vectors' entries, and the vectors by observed string.
        self._alphabet: dict[str, int] = {
            c: i for i, c in enumerate(sorted(set(self._emit) | set(self._totals) | _VOWEL_LETTERS))
        }
        self._vectors: dict[str, np.ndarray] = {}
        #: Each reading spelled once: its row in a table of alphabet columns + 1 (0 after its last letter).
        self._spelling_rows: dict[str, int] = {}
        self._spelling_table = np.zeros((1024, _MAX_SPELLED), dtype=np.intp)
        self._spelling_lengths = np.zeros(1024, dtype=np.intp)
        self._vector_model: _VectorModel | None = None
        self.emission = functools.lru_cache(maxsize=200_000)(self._emission)  # type: ignore[method-assign]
        self.skeleton_keys = functools.lru_cache(maxsize=50_000)(self.search.keys)  # type: ignore[method-assign]

    @classmethod
    def load(cls, engine: str) -> CharChannel:
        """The shipped channel of ``engine`` (``"eng"`` or ``"vie"``) with its precomputed scores
        (:class:`diacritics.channel_tables.ScoreMemo`), loaded once per process.

        Raises:
            DataError: The table or its score tables are missing or corrupt.
        """
        from .channel_tables import load_channel  # the tables' reader builds channels: imported on use

        return load_channel(engine)

    # ------------------------------------------------------------------ emissions
    def emission(self, intended: str, observed: str) -> float:
        """P(intended character ``intended`` is read as ``observed``), 0-3 characters (cached)."""
        return self._emission(intended, observed)  # replaced by a cached version in __init__

    def _emission(self, intended: str, observed: str) -> float:
        p = self._learned_emission(intended, observed)
        if self._vowel_confusion and intended in _VOWEL_LETTERS:
            spread = self._vowel_confusion / len(_VOWEL_LETTERS) if observed in _VOWEL_LETTERS else 0.0
            p = (1.0 - self._vowel_confusion) * p + spread
        return p

    def _learned_emission(self, intended: str, observed: str) -> float:
        table = self._emit.get(intended)
        if table is not None:
            hit = table.get(observed)
            if hit is not None:
                return hit
        n = self._totals.get(intended, 0.0)
        return self._alpha * self._backoff.prob(intended, observed) / (n + self._alpha)

    def insertion(self, observed_char: str) -> float:
        """P(one inserted character is ``observed_char``)."""
        return self._ins_chars.get(observed_char, self._ins_other)

    def logprob(self, observed: str, intended: str) -> float:
        """Natural-log P(observed | intended), summed over all alignments (cached)."""
        return self.logprobs(observed, (intended,))[0]

    def logprobs(self, observed: str, intended: Sequence[str]) -> list[float]:
        """:meth:`logprob` of one observed token against many readings, computed together (cached)."""
        return self.logprobs_many([(observed, intended)])[0]

    def logprobs_many(self, requests: Sequence[tuple[str, Sequence[str]]]) -> list[list[float]]:
        """:meth:`logprobs` of many observed tokens, each against its readings (cached).

        All the readings of the observed tokens of one length run side by side: the forward algorithm's
        columns are vectors over the observed string's positions, so one batched matrix product per character
        position advances every reading of every such token, instead of one Python loop per reading.
        """
        cache = self._scores
        normal = [(_nfc_lower(o), [_nfc_lower(r) for r in refs]) for o, refs in requests]
        by_length: dict[int, dict[str, list[str]]] = {}
        memo = self.score_memo
        for obs, refs in normal:
            known = cache.get(obs)
            if known is None and memo is not None:
                known = memo.scores(obs)
                if known is not None:
                    cache[obs] = known
                    self._n_scores += len(known)
            missing = refs if known is None else [r for r in refs if r not in known]
            if missing:
                group = by_length.setdefault(len(obs), {})
                group[obs] = list(dict.fromkeys(group.get(obs, []) + missing))
        if by_length and self._n_scores > _MAX_SCORES:
            cache.clear()
            self._n_scores = 0
            return self.logprobs_many(requests)
        for m, group in by_length.items():
            for chunk in _chunks(list(group.items()), _FORWARD_CELLS // (m + 1) ** 2):
                with np.errstate(divide="ignore"):
                    logs = np.maximum(np.log(self._forward_batch(chunk)), LOG_ZERO).tolist()
                at = 0
                for obs, refs in chunk:
                    cache.setdefault(obs, {}).update(zip(refs, logs[at : at + len(refs)], strict=True))
                    at += len(refs)
                self._n_scores += at
        return [[cache[obs][r] for r in refs] for obs, refs in normal]

    def _forward_batch(self, tokens: Sequence[tuple[str, Sequence[str]]]) -> np.ndarray:
        """P(obs | ref) for every ref of every ``(obs, refs)`` (observed strings of one length), summed over
        all alignments (the forward algorithm), all at once, in the order of the tokens and their refs.

        The forward column after each intended character is a row vector over the observed string's
        positions; one character's step is a matrix (emit ``obs[j:j+k]`` from position ``j``, then insert
        characters), so all readings advance together, one batched matrix product per character position.
        """
        m = len(tokens[0][0])
        refs = [r for _, rs in tokens for r in rs]
        token_of = np.repeat(np.arange(len(tokens)), [len(rs) for _, rs in tokens])
        # the readings' letters as alphabet columns (first: a new letter renews the emission vectors), then as
        # indices 1.. of the letters they use
        rows = self._spelled_rows(refs)
        lengths = self._spelling_lengths[rows]
        width = int(lengths.max(initial=0))
        spelled = self._spelling_table[rows, :width]  # alphabet column + 1, 0 after the last letter
        used = np.zeros(len(self._alphabet) + 1, dtype=bool)
        used[spelled] = True
        used[0] = False
        columns = np.flatnonzero(used) - 1
        local = np.cumsum(used)  # alphabet column + 1 -> 1.. among the used letters
        codes = np.where(spelled > 0, local[spelled], 0)  # 0 = identity: a shorter reading has ended
        closures = np.stack([self.closure(obs) for obs, _ in tokens])
        stop = 1.0 - self._p_ins
        # steps[g, l, j, j + k] = stop * P(letter l emits obs_g[j:j+k])
        emissions = [self._substring_emissions(obs) for obs, _ in tokens]
        starts, ends = emissions[0][0], emissions[0][1]
        emitted = np.stack([e[2][:, columns] for e in emissions])  # tokens × substrings × letters
        steps = np.empty((len(tokens), len(columns) + 1, m + 1, m + 1))
        steps[:, 1:] = _step_matrices(emitted.transpose(0, 2, 1), starts, ends, closures[:, None], stop)
        steps[:, 0] = np.eye(m + 1)
        alpha = closures[token_of, 0]
        for t in range(width):
            alpha = np.einsum("nj,njk->nk", alpha, steps[token_of, codes[:, t]])
        result: np.ndarray = alpha[:, m] * stop
        return result

    def _substring_emissions(self, obs: str) -> tuple[list[int], list[int], np.ndarray]:
        """Every substring ``obs[j:j+k]`` one character may emit (k = 0..MAX_EMIT): its start, its end, and
        (one row per substring) the probability that each letter of the alphabet emits it."""
        m = len(obs)
        starts, ends, vectors = [], [], []
        for j in range(m + 1):
            for k in range(min(MAX_EMIT, m - j) + 1):
                starts.append(j)
                ends.append(j + k)
                vectors.append(self._emission_vector(obs[j : j + k]))
        return starts, ends, np.stack(vectors)

    def closure(self, obs: str) -> np.ndarray:
        """``closure[j, j2]`` = probability of inserting ``obs[j:j2]`` (1 on the diagonal)."""
        m = len(obs)
        ins = [self._p_ins * self.insertion(ch) for ch in obs]
        closure = np.eye(m + 1)
        for j in range(m):
            p = 1.0
            for j2 in range(j + 1, m + 1):
                p *= ins[j2 - 1]
                closure[j, j2] = p
        return closure

    def _spelled_rows(self, readings: Sequence[str]) -> np.ndarray:
        """Each reading's row in the spelling table (readings spelled for the first time are added)."""
        index = self._spelling_rows
        rows = [index.get(r) for r in readings]
        if None in rows:
            new = list(dict.fromkeys(r for r, row in zip(readings, rows, strict=True) if row is None))
            if len(index) + len(new) > _MAX_SPELLINGS:
                index.clear()  # rows are then reused from the top
                new = list(dict.fromkeys(readings))
            self._add_spellings(new)
            rows = [index[r] for r in readings]
        return np.array(rows, dtype=np.intp)

    def _add_spellings(self, readings: Sequence[str]) -> None:
        """Spell new ``readings`` into new rows of the spelling table."""
        index = self._spelling_rows
        first = len(index)
        spelled = [self._alphabet_columns(r) for r in readings]
        lengths = np.fromiter((len(s) for s in spelled), dtype=np.intp, count=len(spelled))
        width = max(self._spelling_table.shape[1], int(lengths.max(initial=0)))
        rows = max(len(self._spelling_lengths), 1)
        while rows < first + len(readings):
            rows *= 2
        if (rows, width) != self._spelling_table.shape:
            table = np.zeros((rows, width), dtype=np.intp)
            table[:first, : self._spelling_table.shape[1]] = self._spelling_table[:first]
            self._spelling_table = table
            self._spelling_lengths = np.concatenate(
                [self._spelling_lengths[:first], np.zeros(rows - first, dtype=np.intp)]
            )
        block = np.zeros((len(readings), width), dtype=np.intp)
        block[np.arange(width) < lengths[:, None]] = np.fromiter(
            (c + 1 for s in spelled for c in s), dtype=np.intp, count=int(lengths.sum())
        )
        self._spelling_table[first : first + len(readings)] = block
        self._spelling_lengths[first : first + len(readings)] = lengths
        index.update(zip(readings, range(first, first + len(readings)), strict=True))

    def _alphabet_columns(self, letters: Sequence[str]) -> list[int]:
        """Column of each intended letter in the emission vectors (the alphabet grows on a new letter)."""
        index = self._alphabet
        new = list(dict.fromkeys(c for c in letters if c not in index))  # a new letter may repeat
        if new:
            for c in new:
                index[c] = len(index)
            self._vectors.clear()
            self._vector_model = None
        return [index[c] for c in letters]

    def _emission_vector(self, observed: str) -> np.ndarray:
        """:meth:`emission` of ``observed`` from every intended letter of the alphabet, as one vector."""
        hit = self._vectors.get(observed)
        if hit is not None:
            return hit
        model = self._vector_model
        if model is None:
            model = self._vector_model = _VectorModel(self)
        if len(self._vectors) > 50_000:
            self._vectors.clear()
        hit = self._vectors[observed] = model.vector(observed)
        return hit

    # ------------------------------------------------------------------ skeletons
    def skeleton_logprob(self, observed: str, key: str) -> float:
        """Natural-log P(observed | some syllable whose accent-stripped skeleton is ``key``)."""
        obs = unicodedata.normalize("NFC", observed.lower())
        closure = self.closure(obs)
        stop = 1.0 - self._p_ins
        letters = list(dict.fromkeys(key))
        steps = self.skeleton_steps(obs, closure, stop, letters)
        index = {c: i for i, c in enumerate(letters)}
        alpha = closure[0]
        for c in key:
            alpha = alpha @ steps[index[c]]
        p = float(alpha[-1]) * stop
        return math.log(p) if p > 0 else LOG_ZERO

    def skeleton_keys(self, observed: str, k: int = 10) -> list[str]:
        """The ``k`` most likely accent-stripped skeletons of the syllable behind an observed token.

        Ranked by ``log P(observed | skeleton) + prior_weight * log P(skeleton)``, over the skeletons of
        known syllables (from the corpus) plus the token's own skeleton. ``"chirc"`` → ``["chuc", ...]``,
        ``"t6"`` → ``["to", ...]``. The table may carry a memo of these answers for frequent tokens
        (made by the same search at build time); other tokens are searched.
        """
        return self.search.keys(observed, k)  # replaced by a cached version in __init__

    def prefetch_skeleton_keys(self, observed: Iterable[str]) -> None:
        """Search the skeleton keys of many tokens together, for :meth:`skeleton_keys`
        (:meth:`SkeletonSearch.prefetch`)."""
        self.search.prefetch(observed)

    def search_skeleton_keys(self, observed: str, k: int = MEMO_KEYS) -> list[str]:
        """:meth:`skeleton_keys` computed by the search, never from the table's memo (used to build it)."""
        return self.search.search(observed, k)

    @property
    def stop_probability(self) -> float:
        """P(no further inserted character): the forward algorithm's end of an insertion run."""
        return 1.0 - self._p_ins

    def skeleton_steps(
        self, obs: str, closure: np.ndarray, stop: float, letters: Sequence[str]
    ) -> np.ndarray:
        """Step matrices of skeleton letters: emissions averaged over the intended letters with that base."""
        mixing = [self._char_given_base.get(b) or {b: 1.0} for b in letters]
        intended = list(dict.fromkeys(c for dist in mixing for c in dist))
        columns = dict(zip(intended, self._alphabet_columns(intended), strict=True))  # before the emissions
        weights = np.zeros((len(letters), len(self._alphabet)))
        for row, dist in enumerate(mixing):
            for c, p in dist.items():
                weights[row, columns[c]] += p
        starts, ends, emitted = self._substring_emissions(obs)
        by_skeleton = emitted @ weights.T  # (substrings, skeleton letters)
        return _step_matrices(by_skeleton.T, starts, ends, closure, stop)


def _step_matrices(
    emitted: np.ndarray, starts: list[int], ends: list[int], closure: np.ndarray, stop: float
) -> np.ndarray:
    """One forward step per letter: ``step[..., l, j, j2]`` = P(no more insertion) × P(letter ``l`` emits
    ``obs[j:j+k]``) × P(then inserting ``obs[j+k:j2]``).

    Args:
        emitted: ``emitted[..., l, s]`` = P(letter ``l`` emits substring ``s``) (``_substring_emissions``).
        starts: Start of each substring in the observed string.
        ends: End of each substring.
        closure: The insertion closure of the observed string (broadcast against the letters' axis).
        stop: P(no more insertion).
    """
    m = closure.shape[-1] - 1
    steps = np.zeros((*emitted.shape[:-1], m + 1, m + 1))
    steps[..., starts, ends] = stop * emitted
    result: np.ndarray = steps @ closure
    return result


def _chunks(tokens: list[tuple[str, list[str]]], max_readings: int) -> Iterator[list[tuple[str, list[str]]]]:
    """Consecutive runs of ``tokens`` holding at most ``max_readings`` readings (at least one token each)."""
    chunk: list[tuple[str, list[str]]] = []
    count = 0
    for token in tokens:
        if chunk and count + len(token[1]) > max_readings:
            yield chunk
            chunk, count = [], 0
        chunk.append(token)
        count += len(token[1])
    if chunk:
        yield chunk


class _VectorModel:
    """:meth:`CharChannel.emission` for all letters of the channel's alphabet at once (numpy arrays)."""

    def __init__(self, channel: CharChannel) -> None:
        letters = list(channel._alphabet)
        self._index = dict(channel._alphabet)
        b = channel._backoff
        alpha = channel._alpha
        #: weight of the back-off measure of each letter: alpha / (N_c + alpha)
        self._share = np.array([alpha / (channel._totals.get(c, 0.0) + alpha) for c in letters])
        self._backoff = b
        self._by_fold: dict[str, list[int]] = {}
        for i, c in enumerate(letters):
            self._by_fold.setdefault(fold_char(c), []).append(i)
        inverse: dict[str, tuple[list[int], list[float]]] = {}
        for c, table in channel._emit.items():
            column = self._index.get(c)
            if column is None:
                continue
            for w, p in table.items():
                pair = inverse.setdefault(w, ([], []))
                pair[0].append(column)
                pair[1].append(p)
        self._listed: dict[str, tuple[np.ndarray, np.ndarray]] = {
            w: (np.array(ix, dtype=np.intp), np.array(ps)) for w, (ix, ps) in inverse.items()
        }
        self._confusion = channel._vowel_confusion
        self._vowels = np.array([c in _VOWEL_LETTERS for c in letters])

    def vector(self, observed: str) -> np.ndarray:
        """P(letter emits ``observed``) for every letter, in alphabet order."""
        b = self._backoff
        n = len(observed)
        share = self._share
        vec = share * ((1.0 - b.p_self - b.p_base) * b.length_probs[n] * b.alphabet**-n)
        own = self._index.get(observed)
        if own is not None:
            vec[own] += share[own] * b.p_self
        for i in self._by_fold.get(observed, ()):
            vec[i] += share[i] * b.p_base
        listed = self._listed.get(observed)
        if listed is not None:
            vec[listed[0]] = listed[1]
        if self._confusion:
            spread = self._confusion / len(_VOWEL_LETTERS) if observed in _VOWEL_LETTERS else 0.0
            vec[self._vowels] = (1.0 - self._confusion) * vec[self._vowels] + spread
        return vec


def search_settings(engine: str) -> dict[str, float]:
    """Everything besides the table that the skeleton search's answers depend on (a memo's validity key)."""
    return {
        "beam": SEARCH_BEAM,
        "k": MEMO_KEYS,
        "vowel_confusion": VOWEL_CONFUSION.get(engine, 0.0),
        "insertion_floor": INSERTION_FLOOR.get(engine, 0.0),
    }
