"""Precomputed regime-fit rows of common observed tokens (``dictionaries/precomputed/regime_scores.*``).

A document's regime mixture (:meth:`diacritics.restorer.Restorer.fit_mixture`) weighs, for each of its first
distinct tokens and each regime, ``log sum_s p(s) P_k(o | s)`` over the token's readings ``s``
(:meth:`diacritics.channel.ChannelMixture.token_scores`). That row depends only on the token and the shipped
data, not on the document, and most documents' tokens are the same few thousand (every accent-stripped
syllable key, the frequent syllables): ``tools/builders/channel_scores.py`` computes their rows once, for the
observed tokens of the OCR score index (:class:`diacritics.channel_tables.ScoreMemo`), so a process looks them
up instead of finding and scoring ~60 readings a token. The rows are exactly those the live computation
gives, and are used only with the data and settings they were made from (:func:`regime_fingerprint`).

On disk (``precomputed/``): ``regime_scores.npy`` (float64, one row per observed token of
``token_scores_index.json``, one column per regime; a token without readings has a row of NaN) and
``regime_scores.json`` (format, regimes, fingerprint).
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataError
from .resources import (
    LEGAL_SYLLABLES,
    LM_MANIFEST,
    REGIME_INDEX,
    REGIME_SCORES,
    SCORES_INDEX,
    WIKI_SYLLABLES,
    StaleDataError,
    load_array,
    locate,
    read_json,
    tag_of,
)

log = logging.getLogger(__name__)

#: Bump the version of the index's tag (:data:`diacritics.resources.FILES`) whenever the code the rows are
#: computed by changes (the readings, the fixed channels, the mixture's per-token sum): the fingerprint covers
#: data and constants, not code. ``tests/test_regime_scores.py`` recomputes every shipped row, so a forgotten
#: bump fails there.
REGIME_FORMAT = tag_of(REGIME_INDEX)

#: The shipped data files a token's readings and their priors are made from (besides the channel tables,
#: which :func:`diacritics.channel_tables.scores_fingerprint` covers): the LM's manifest, vocabulary and
#: unigram arrays, the syllable inventory, and the score index whose observed tokens the rows follow.
_DATA_FILES = (LM_MANIFEST, LEGAL_SYLLABLES, WIKI_SYLLABLES, SCORES_INDEX)


def regime_fingerprint(folder: Path, constants: dict[str, Any]) -> str:
    """What the rows depend on: the LM's vocabulary and unigrams, the inventory, the score index (the rows'
    order), :data:`REGIME_FORMAT` and ``constants`` (the regimes, the restorer's reading settings, the
    channels' fingerprints and search settings). CRC-32 and length of the files' bytes (not their names): it
    tells data apart, it guards against no adversary.

    Raises:
        DataError: A data file is missing or its manifest unreadable.
    """
    names = list(_DATA_FILES)
    manifest = read_json(LM_MANIFEST, folder)
    try:
        names += [name for name in manifest["vocab_files"]]
        for component in manifest["components"]:
            names += [component["arrays"][part]["file"] for part in ("uni_lp", "uni_bo")]
    except (KeyError, TypeError) as exc:  # not a manifest
        raise DataError(f"language data manifest {LM_MANIFEST} is unreadable: {exc!r}") from exc
    crc, size = 0, 0
    for name in names:
        try:
            data = locate(name, folder).read_bytes()
        except FileNotFoundError:
            raise DataError(f"language data file {name} is missing from {folder}") from None
        except OSError as exc:
            raise DataError(f"language data file {name} in {folder} cannot be read: {exc}") from exc
        crc, size = zlib.crc32(data, crc), size + len(data)
    tail = json.dumps({"format": REGIME_FORMAT, **constants}, sort_keys=True).encode("utf-8")
    return f"{zlib.crc32(tail, crc):08x}-{size + len(tail)}"


@dataclass(frozen=True)
class RegimeScoreTable:
    """Regime-fit rows of the observed tokens of the OCR score index.

    Attributes:
        observed: Observed token (lower case, NFC) → its row.
        regimes: The column order (the mixture's component names).
        rows: ``tokens × regimes`` (NaN: the token has no readings).
        fingerprint: What the rows were made from (:func:`regime_fingerprint`).
    """

    observed: dict[str, int]
    regimes: tuple[str, ...]
    rows: np.ndarray
    fingerprint: str

    def lookup(self, tokens: Sequence[str]) -> list[np.ndarray | None]:
        """Each token's row (a view), or None when the table lacks it."""
        where = self.observed
        rows = self.rows
        return [None if (i := where.get(t)) is None else rows[i] for t in tokens]

    @classmethod
    def load(
        cls, folder: Path, observed: dict[str, int], regimes: Sequence[str], fingerprint: str
    ) -> RegimeScoreTable | None:
        """The shipped table; None (the rows are then computed) when it was made from other data or settings.

        Args:
            folder: The data folder.
            observed: The score index's observed tokens (their rows).
            regimes: The mixture's component names, in order.
            fingerprint: :func:`regime_fingerprint` of the data and settings in use.

        Raises:
            DataError: A file is missing or corrupt.
        """
        rows = load_array(REGIME_SCORES, folder)
        try:
            index = read_json(REGIME_INDEX, folder)
        except StaleDataError:  # made by other code (an older table): not corrupt, computed instead
            index = None
        if (
            index is None
            or index.get("fingerprint") != fingerprint
            or tuple(index.get("regimes", ())) != tuple(regimes)
        ):  # made from other data or settings (a build stopped half-way, an older table): not corrupt
            log.warning(
                "%s was made from other data or settings: regime rows computed instead", REGIME_SCORES
            )
            return None
        if rows.dtype != np.float64 or rows.shape != (len(observed), len(regimes)):
            raise DataError(
                f"regime score table {REGIME_SCORES} is corrupt (it does not match the score index)"
            )
        missing = np.isnan(rows)
        if (missing.any(axis=1) != missing.all(axis=1)).any():
            raise DataError(f"regime score table {REGIME_SCORES} is corrupt (a row is partly missing)")
        return cls(observed, tuple(regimes), rows, fingerprint)
