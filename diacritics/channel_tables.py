"""The shipped OCR channel tables on disk, and the scores precomputed from them.

* ``channel/<engine>_char_channel.json`` — a character channel (:class:`diacritics.char_channel.CharChannel`);
  :func:`load_channel` reads it once per process, with its precomputed scores.
* ``channel/<engine>_token_confusions.json`` — token confusion counts; :func:`case_slip_rate` reads its case
  statistics.
* ``precomputed/`` — the precomputed scores (:class:`ScoreMemo`): ``log P(observed | reading)`` of common
  observed tokens, made by ``tools/builders/channel_scores.py`` and valid only for the table they were made
  from (its fingerprint).

This module only reads; the builders in ``tools/builders/`` write.
"""

from __future__ import annotations

import functools
import json
import logging
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .char_channel import ENGINES, INSERTION_FLOOR, MAX_EMIT, VOWEL_CONFUSION, CharChannel
from .errors import DataError
from .resources import (
    SCORES_INDEX,
    SCORES_READINGS,
    channel_table,
    data_dir,
    engine_scores,
    load_array,
    locate,
    parse_json,
    read_json,
    read_text,
    tag_of,
)

log = logging.getLogger(__name__)

#: Format of the precomputed score tables (their index and its arrays, see :class:`ScoreMemo`).
SCORES_FORMAT = tag_of(SCORES_INDEX)


def table_path(engine: str, kind: str = "char_channel") -> Path:
    """Path of a shipped OCR table (``channel/eng_char_channel.json`` in the data folder, see
    :mod:`diacritics.resources`)."""
    return locate(channel_table(engine, kind))


def load_table(engine: str, kind: str) -> dict[str, Any]:
    """Read a shipped OCR table.

    Raises:
        DataError: The engine is unknown, or the table is missing, corrupt or of another format.
    """
    return parse_json(channel_table(engine, kind), read_table_text(engine, kind))


def read_table_text(engine: str, kind: str) -> str:
    """The text of a shipped OCR table (see :func:`load_table`).

    Raises:
        DataError: The engine is unknown, or the table is missing or unreadable.
    """
    if engine not in ENGINES:
        raise DataError(f"unknown OCR engine {engine!r}; tables exist for {', '.join(ENGINES)}")
    return read_text(channel_table(engine, kind))


@functools.cache
def load_channel(engine: str) -> CharChannel:
    """The shipped channel of ``engine`` with its precomputed scores (:class:`ScoreMemo`), loaded once per
    process.

    Raises:
        DataError: The table or its score tables are missing or corrupt.
    """
    text = read_table_text(engine, "char_channel")
    channel = CharChannel(parse_json(channel_table(engine), text))
    channel.table_fingerprint = scores_fingerprint(engine, text)
    channel.score_memo = ScoreMemo.load(engine, channel.table_fingerprint)
    return channel


def scores_fingerprint(engine: str, table_text: str) -> str:
    """What an engine's precomputed scores depend on: its channel table and the constants applied to it
    (CRC-32 and length: it tells a table apart from another, it guards against no adversary)."""
    constants = {
        "format": SCORES_FORMAT,
        "max_emit": MAX_EMIT,
        "vowel_confusion": VOWEL_CONFUSION.get(engine, 0.0),
        "insertion_floor": INSERTION_FLOOR.get(engine, 0.0),
    }
    data = table_text.encode("utf-8") + json.dumps(constants, sort_keys=True).encode("utf-8")
    return f"{zlib.crc32(data):08x}-{len(data)}"


@dataclass(frozen=True)
class ScoreMemo:
    """``log P(observed | reading)`` of a shipped channel, computed at build time for common observed tokens.

    Covers what most documents are made of (every accent-stripped syllable key and the frequent syllables,
    each with the readings the restorer asks about; see ``tools/builders/channel_scores.py``), so a process
    need not run the forward algorithm on them; a reading it lacks is computed as usual. The scores are
    exactly those of :meth:`CharChannel.logprobs_many`, valid only for the channel table and constants they
    were made with (:func:`scores_fingerprint`).

    On disk (written by ``tools/builders/channel_scores.py``): an index shared by the engines
    (``precomputed/token_scores_index.json``: the observed
    tokens, where their readings start, the distinct readings, each engine's fingerprint), the readings of
    every token as numbers (``token_scores_readings.npy``, int32) and per engine the log-probabilities
    aligned with them (``<engine>_token_scores.npy``, float64); the arrays are memory-mapped.

    Attributes:
        observed: Observed token (lower case, NFC) → its row.
        offsets: Row ``i``'s readings are ``reading_ids[offsets[i]:offsets[i + 1]]``.
        readings: The distinct readings, indexed by ``reading_ids``.
        reading_ids: Each row's readings.
        logprobs: ``log P(observed | reading)``, aligned with ``reading_ids``.
    """

    observed: dict[str, int]
    offsets: list[int]
    readings: list[str]
    reading_ids: np.ndarray
    logprobs: np.ndarray

    def scores(self, observed: str) -> dict[str, float] | None:
        """The precomputed scores of ``observed`` (reading → log-probability; a new dict), or None."""
        row = self.observed.get(observed)
        if row is None:
            return None
        start, end = self.offsets[row], self.offsets[row + 1]
        names = self.readings
        return dict(
            zip(
                [names[i] for i in self.reading_ids[start:end].tolist()],
                self.logprobs[start:end].tolist(),
                strict=True,
            )
        )

    def __len__(self) -> int:
        return len(self.reading_ids)

    @classmethod
    def load(cls, engine: str, fingerprint: str) -> ScoreMemo | None:
        """An engine's shipped table; None (its scores are then computed) when it was made for another
        channel table.

        Raises:
            DataError: A file is missing or corrupt.
        """
        name = engine_scores(engine)
        index = _scores_index(data_dir())
        if index.fingerprints.get(engine) != fingerprint:
            log.warning("%s was made for another channel table: scores computed instead", name)
            return None
        logprobs = load_array(name)
        if logprobs.dtype != np.float64 or logprobs.shape != index.reading_ids.shape:
            raise DataError(f"OCR score table {name} is corrupt (it does not match {SCORES_INDEX})")
        return cls(index.observed, index.offsets, index.readings, index.reading_ids, logprobs)


@dataclass(frozen=True)
class _ScoresIndex:
    fingerprints: dict[str, str]
    observed: dict[str, int]
    offsets: list[int]
    readings: list[str]
    reading_ids: np.ndarray


@functools.cache
def _scores_index(folder: Path) -> _ScoresIndex:
    """The score tables' shared index and reading numbers in ``folder`` (read once per folder and process).

    Raises:
        DataError: A file is missing or corrupt.
    """
    data = read_json(SCORES_INDEX, folder)
    try:
        index = _ScoresIndex(
            dict(data["fingerprints"]),
            {o: i for i, o in enumerate(data["observed"])},
            list(data["offsets"]),
            list(data["readings"]),
            load_array(SCORES_READINGS, folder),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(f"OCR score index {SCORES_INDEX} cannot be read: {exc}") from exc
    rows, n = len(index.observed), len(index.reading_ids)
    if len(index.offsets) != rows + 1 or index.offsets[-1] != n or index.reading_ids.dtype != np.int32:
        raise DataError(f"OCR score index {SCORES_INDEX} is corrupt (its parts disagree)")
    return index


def score_index_tokens(folder: Path) -> dict[str, int]:
    """The observed tokens of the score tables' shared index in ``folder`` (token → row; shared, do not
    change).

    Raises:
        DataError: The index is missing or corrupt.
    """
    return _scores_index(folder).observed


@functools.cache
def case_slip_rate(engine: str) -> float:
    """P(``engine`` capitalises a lower-case word mid-sentence), from its token-confusion table.

    Raises:
        DataError: The table is missing or corrupt.
    """
    table = load_table(engine, "token_confusions")
    try:
        case = table["case"]
        slips = float(case["mid_title_intended_lower"])  # read capitalised, meant lower case
        # words meant lower case mid-sentence: read lower (less those meant capitalised) plus the slips
        meant_lower = float(case["mid_lower_total"]) - float(case["mid_lower_intended_title"]) + slips
        return slips / meant_lower if meant_lower > 0 else 0.0
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"OCR token table of {engine!r} has no case statistics: {exc!r}") from exc
