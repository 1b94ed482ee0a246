"""Which accent-stripped skeletons most likely produced an observed OCR token (``chirc`` → ``chuc``).

The decoder asks a character channel (:class:`diacritics.char_channel.CharChannel`) for the syllable
skeletons behind a token. :class:`SkeletonSearch` answers with a beam search over the trie of known skeletons
(the law corpus's, with their log-frequency as prior), extending the channel's forward columns one letter at a
time; the channel's table may carry a memo of the answers for frequent tokens, made by the same search at
build time.
"""

from __future__ import annotations

import heapq
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .normalise import skeleton

#: Log-probability standing for zero (a floor that keeps sums finite).
LOG_ZERO = -1e9
#: Beam width of the skeleton search. 12 finds the same restorations as 400 on the dev documents at a
#: fraction of the cost; a table's memo of search results is used only when it was made with this beam.
SEARCH_BEAM = 12
#: How many skeletons a memo entry holds (the most :meth:`SkeletonSearch.keys` is asked for).
MEMO_KEYS = 10
#: Tokens whose searched skeleton keys are kept, and bound on tokens × letters × (length + 1)² of one
#: batched search.
_MAX_SEARCHED = 50_000
_SEARCH_CELLS = 4_000_000
#: Per-character log-probability assumed for the unexplained rest of the observed string during the search.
_REST_PER_CHAR = math.log(0.5)
#: Deepest skeleton the search extends to.
_MAX_DEPTH = 12


class SkeletonScorer(Protocol):
    """What the search needs of a character channel: its forward steps over an observed string."""

    @property
    def stop_probability(self) -> float:
        """P(no further inserted character)."""
        ...

    def closure(self, obs: str) -> np.ndarray:
        """``closure[j, j2]`` = probability of inserting ``obs[j:j2]`` (1 on the diagonal)."""
        ...

    def skeleton_steps(
        self, obs: str, closure: np.ndarray, stop: float, letters: Sequence[str]
    ) -> np.ndarray:
        """One forward step matrix per skeleton letter."""
        ...

    def skeleton_logprob(self, observed: str, key: str) -> float:
        """Natural-log P(observed | a syllable with skeleton ``key``)."""
        ...


@dataclass
class _Node:
    children: dict[str, _Node]
    key: str | None = None
    prior: float = LOG_ZERO
    best_prior: float = LOG_ZERO  # best prior of any skeleton below (for the beam's optimistic score)


@dataclass(frozen=True)
class _FlatTrie:
    """The skeleton trie as arrays: node ``i``'s children are ``child_ids[child_start[i]:child_start[i + 1]]``
    (in the order the trie has them; node 0 is the root), with per node the number of the letter leading to
    it, whether a skeleton ends there, its prior and the best prior below it."""

    child_start: np.ndarray
    child_ids: np.ndarray
    codes: np.ndarray
    is_key: np.ndarray
    priors: list[float]
    best_priors: np.ndarray
    keys: list[str]

    @staticmethod
    def of(root: _Node, letters: dict[str, int]) -> _FlatTrie:
        """Number the nodes of a trie breadth first and lay them out."""
        order = [root]
        codes = [-1]
        child_start, child_ids = [0], []
        for node in order:  # grows as it goes: breadth first
            for letter, child in node.children.items():
                child_ids.append(len(order))
                order.append(child)
                codes.append(letters[letter])
            child_start.append(len(child_ids))
        return _FlatTrie(
            np.array(child_start, dtype=np.intp),
            np.array(child_ids, dtype=np.intp),
            np.array(codes, dtype=np.intp),
            np.array([node.key is not None for node in order]),
            [node.prior for node in order],
            np.array([node.best_prior for node in order]),
            [node.key or "" for node in order],
        )

    def children(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The children of ``nodes`` (each node's in order, node after node) and which of ``nodes`` is each
        one's parent (its position in ``nodes``)."""
        starts = self.child_start[nodes]
        counts = self.child_start[nodes + 1] - starts
        parents = np.repeat(np.arange(len(nodes)), counts)
        first = np.cumsum(counts) - counts
        return self.child_ids[starts[parents] + np.arange(len(parents)) - first[parents]], parents


def _build_trie(priors: dict[str, float]) -> _Node:
    root = _Node({})
    for key, prior in priors.items():
        node = root
        node.best_prior = max(node.best_prior, prior)
        for letter in key:
            node = node.children.setdefault(letter, _Node({}))
            node.best_prior = max(node.best_prior, prior)
        node.key = key
        node.prior = prior
    return root


class SkeletonSearch:
    """The skeletons behind observed tokens, for one channel.

    Args:
        scorer: The channel whose forward steps score a skeleton.
        priors: Known skeleton → log prior.
        prior_weight: Weight of the prior against the channel's log-probability.
        unknown_prior: Log prior of a token's own skeleton when it is not a known one.
        memo: Answers precomputed for frequent tokens (observed token → best :data:`MEMO_KEYS` skeletons).

    Attributes:
        memo: The precomputed answers.
        searched: Answers found by :meth:`prefetch` (emptied past :data:`_MAX_SEARCHED` tokens).
    """

    def __init__(
        self,
        scorer: SkeletonScorer,
        priors: dict[str, float],
        prior_weight: float,
        unknown_prior: float,
        memo: dict[str, list[str]],
    ) -> None:
        self._scorer = scorer
        self._priors = priors
        self._prior_weight = prior_weight
        self._unknown_prior = unknown_prior
        self.memo = memo
        self.searched: dict[str, list[str]] = {}
        self._trie_root: _Node | None = None  # built on the first search (most tokens are in the memo)
        self._trie_letters: dict[str, int] | None = None
        self._flat: _FlatTrie | None = None

    def keys(self, observed: str, k: int = MEMO_KEYS) -> list[str]:
        """The ``k`` most likely skeletons of the syllable behind ``observed``, from the memo when it has
        them, else searched."""
        obs = unicodedata.normalize("NFC", observed.lower())
        if not obs:
            return []
        memo = self.memo.get(obs)
        if memo is None:
            memo = self.searched.get(obs)
        if memo is not None and k <= MEMO_KEYS:
            return memo[:k]
        return self.search(obs, k)

    def prefetch(self, observed: Iterable[str]) -> None:
        """Search the skeleton keys of many tokens together (those neither in the memo nor searched before),
        for :meth:`keys`: the tokens of one length advance through the trie side by side, one batched step per
        depth for all of them instead of one per token."""
        by_length: dict[int, list[str]] = {}
        for token in observed:
            obs = unicodedata.normalize("NFC", token.lower())
            if obs and obs not in self.memo and obs not in self.searched:
                by_length.setdefault(len(obs), []).append(obs)
        if len(self.searched) > _MAX_SEARCHED:
            self.searched.clear()
        letters = len(self._skeleton_letters()) if by_length else 0
        for m, group in by_length.items():
            tokens = list(dict.fromkeys(group))
            size = max(1, _SEARCH_CELLS // (letters * (m + 1) ** 2))
            for start in range(0, len(tokens), size):
                chunk = tokens[start : start + size]
                for obs, scored in zip(chunk, self._search_batch(chunk, MEMO_KEYS), strict=True):
                    self.searched[obs] = self._ranked_keys(obs, scored, MEMO_KEYS)

    def search(self, observed: str, k: int = MEMO_KEYS) -> list[str]:
        """:meth:`keys` computed by the search, never from the memo (used to build it)."""
        obs = unicodedata.normalize("NFC", observed.lower())
        if not obs:
            return []
        return self._ranked_keys(obs, self._search_batch([obs], max(k, 10))[0], k)

    def _ranked_keys(self, obs: str, scored: list[tuple[float, str]], k: int) -> list[str]:
        """The search's skeletons with the token's own added when the search missed it, best ``k`` first."""
        own = skeleton(obs)
        if own.isalpha() and own.isascii() and own not in {s for _, s in scored}:
            own_score = self._scorer.skeleton_logprob(obs, own) + self._prior_weight * self._unknown_prior
            scored = [*scored, (own_score, own)]
        scored = sorted(scored, key=lambda t: (-t[0], t[1]))
        return [s for _, s in scored[:k]]

    def _search_batch(
        self, tokens: Sequence[str], k: int, beam: int = SEARCH_BEAM
    ) -> list[list[tuple[float, str]]]:
        """Beam search over the skeleton trie for tokens of one length, extending the forward columns one
        letter at a time; the ``k`` best ``(score, skeleton)`` of each token.

        Every token keeps its own beam; their frontiers advance together: one batched matrix product per
        depth over every child of every frontier node of every token, which gives each token what searching
        it alone gives.
        """
        scorer = self._scorer
        m = len(tokens[0])
        stop = scorer.stop_probability
        letters = list(self._skeleton_letters())
        closures = [scorer.closure(obs) for obs in tokens]
        steps = np.stack(
            [scorer.skeleton_steps(obs, c, stop, letters) for obs, c in zip(tokens, closures, strict=True)]
        )
        rest = (m - np.arange(m + 1)) * _REST_PER_CHAR
        weight = self._prior_weight
        trie = self._flat_trie()
        owner = np.arange(len(tokens))  # the token of each frontier node
        nodes = np.zeros(len(tokens), dtype=np.intp)  # every token starts at the root
        cols = np.stack([c[0] for c in closures])
        done: list[list[tuple[float, str]]] = [[] for _ in tokens]
        depth = 0
        while len(nodes) and depth < _MAX_DEPTH:
            depth += 1
            kids, parents = trie.children(nodes)
            if not len(kids):
                break
            kid_owner = owner[parents]
            nxt = np.einsum("cj,cjk->ck", cols[parents], steps[kid_owner, trie.codes[kids]])
            with np.errstate(divide="ignore"):
                # Optimistic score of each prefix: it may still explain the rest of the observed string.
                best = (np.log(nxt) + rest).max(axis=1)
            alive = np.flatnonzero(best > LOG_ZERO)
            finals = nxt[:, m]
            ending = alive[trie.is_key[kids[alive]] & (finals[alive] > 0)]
            for i, kid, t in zip(
                ending.tolist(), kids[ending].tolist(), kid_owner[ending].tolist(), strict=True
            ):
                done[t].append((math.log(finals[i] * stop) + weight * trie.priors[kid], trie.keys[kid]))
            scores = best[alive] + weight * trie.best_priors[kids[alive]]
            # each token's best `beam` children, best first (ties in the order the trie has them)
            alive_owner = kid_owner[alive]
            order = np.lexsort((np.arange(len(alive)), -scores, alive_owner))
            ranked_owner = alive_owner[order]
            rank = np.arange(len(order)) - np.searchsorted(ranked_owner, ranked_owner, side="left")
            top = alive[order[rank < beam]]
            owner, nodes, cols = kid_owner[top], kids[top], nxt[top]
        return [heapq.nlargest(k, found) for found in done]

    def _trie(self) -> _Node:
        """The skeleton trie (built once, on first use)."""
        if self._trie_root is None:
            self._trie_root = _build_trie(self._priors)
        return self._trie_root

    def _flat_trie(self) -> _FlatTrie:
        """The skeleton trie as arrays for the batched search (built once, on first use)."""
        if self._flat is None:
            self._flat = _FlatTrie.of(self._trie(), self._skeleton_letters())
        return self._flat

    def _skeleton_letters(self) -> dict[str, int]:
        """The letters of the skeleton trie, numbered."""
        if self._trie_letters is None:
            letters: dict[str, int] = {}
            stack = [self._trie()]
            while stack:
                node = stack.pop()
                for letter, child in node.children.items():
                    letters.setdefault(letter, len(letters))
                    stack.append(child)
            self._trie_letters = letters
        return self._trie_letters
