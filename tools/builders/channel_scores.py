"""Precompute the OCR channels' scores of common observed tokens (``dictionaries/precomputed/``).

Every document's regime fit scores each of its first distinct tokens against all their readings with both
OCR channels (the forward algorithm over ~60 readings a token), even in stripped or correct text, where the
fit then leaves the OCR regimes out. Most of those tokens are the same few thousand: the accent-stripped
syllable keys (all of stripped text) and the frequent syllables (correct text, ``vie`` OCR). This build scores
them once, with the readings the shipped restorer asks about, so a process looks them up instead
(:class:`diacritics.channel_tables.ScoreMemo`); anything else is computed as before. The scores are exactly
the channel's, and are used only with the channel table they were made from (a fingerprint checks it).

Reads only the shipped data in ``--out`` (the syllable inventory and the channel tables, so run it after
``tools.builders.dictionaries`` and ``tools.builders.channel``; ``make dictionaries`` and ``make channel``
do).

Usage: ``python -m tools.builders.channel_scores [--out dictionaries]``
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ocr_pipeline.textio import atomic_write_bytes, atomic_write_npy

if TYPE_CHECKING:
    from diacritics.channel_tables import ScoreMemo
    from diacritics.char_channel import CharChannel

log = logging.getLogger(__name__)

#: Syllables covered, most frequent first, besides every syllable key: 3,000 are 99.96% of the syllables
#: of the inventory's corpus frequencies.
FREQUENT_SYLLABLES = 3000


def observed_tokens(out: Path) -> list[str]:
    """The observed tokens to precompute: every syllable key, the frequent syllables, the known tokens."""
    from diacritics.normalise import strip_diacritics
    from diacritics.syllables import SyllableInventory

    inventory = SyllableInventory.load(out)
    ranked = sorted(inventory.syllables.items(), key=lambda kv: (-kv[1], kv[0]))
    keys = sorted({strip_diacritics(s) for s, _ in ranked})
    frequent = [s for s, _ in ranked[:FREQUENT_SYLLABLES]]
    known = sorted(inventory.known)
    return list(dict.fromkeys(keys + frequent + known))


def score_memos(
    channels: dict[str, CharChannel], requests: Sequence[tuple[str, Sequence[str]]]
) -> dict[str, ScoreMemo]:
    """Score ``(observed, readings)`` with each channel (observed tokens lower case, NFC, distinct); the
    tables share their index."""
    from diacritics.channel_tables import ScoreMemo

    names: dict[str, int] = {}
    numbers = [names.setdefault(r, len(names)) for _, refs in requests for r in refs]
    ids = np.array(numbers, dtype=np.int32)
    offsets = [0]
    for _, refs in requests:
        offsets.append(offsets[-1] + len(refs))
    observed = {obs: i for i, (obs, _) in enumerate(requests)}
    return {
        engine: ScoreMemo(
            observed,
            offsets,
            list(names),
            ids,
            np.array([lp for row in channel.logprobs_many(requests) for lp in row], dtype=np.float64),
        )
        for engine, channel in channels.items()
    }


def save_score_memos(folder: Path, memos: dict[str, ScoreMemo], fingerprints: dict[str, str]) -> None:
    """Write tables made by :func:`score_memos` into ``folder`` (each file atomically; byte-identical for the
    same scores)."""
    from diacritics.channel_tables import SCORES_FORMAT
    from diacritics.resources import SCORES_INDEX, SCORES_READINGS, engine_scores

    first = next(iter(memos.values()))
    index = {
        "format": SCORES_FORMAT,
        "fingerprints": {engine: fingerprints[engine] for engine in memos},
        "observed": list(first.observed),
        "offsets": first.offsets,
        "readings": first.readings,
    }
    atomic_write_npy(folder / SCORES_READINGS, first.reading_ids)
    for engine, memo in memos.items():
        atomic_write_npy(folder / engine_scores(engine), memo.logprobs)
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":")) + "\n"
    atomic_write_bytes(folder / SCORES_INDEX, text.encode("utf-8"))


def save_regime_rows(folder: Path, rows: np.ndarray, regimes: Sequence[str], fingerprint: str) -> None:
    """Write the regime rows (aligned with the score index's observed tokens) atomically; byte-identical for
    the same rows."""
    from diacritics.regime_scores import REGIME_FORMAT
    from diacritics.resources import REGIME_INDEX, REGIME_SCORES

    atomic_write_npy(folder / REGIME_SCORES, np.asarray(rows, dtype=np.float64))
    index = {"format": REGIME_FORMAT, "regimes": list(regimes), "fingerprint": fingerprint}
    atomic_write_bytes(folder / REGIME_INDEX, (json.dumps(index, indent=1) + "\n").encode("utf-8"))


def build(out: Path) -> dict[str, int]:
    """Write the score tables (their shared index, one array per engine) into ``out``; returns the number of
    scores of each engine."""
    os.environ["VNOCR_DATA_DIR"] = str(out.resolve())  # the restorer and channels read the data being built
    from diacritics.channel_tables import load_table, read_table_text, scores_fingerprint
    from diacritics.char_channel import ENGINES, CharChannel
    from diacritics.lm import LanguageModel
    from diacritics.restorer import CHANNEL_ORDER, Restorer
    from diacritics.syllables import SyllableInventory

    # the shipped restorer's readings, from channels without score tables (these are what is being built)
    channels = {engine: CharChannel(load_table(engine, "char_channel")) for engine in CHANNEL_ORDER}
    restorer = Restorer(LanguageModel.load(out), SyllableInventory.load(out), channels)
    tokens = observed_tokens(out)
    requests = [(tok, list(restorer.readings(tok))) for tok in tokens]
    start = time.monotonic()
    memos = score_memos({engine: channels[engine] for engine in ENGINES}, requests)
    fingerprints = {e: scores_fingerprint(e, read_table_text(e, "char_channel")) for e in ENGINES}
    save_score_memos(out, memos, fingerprints)
    report = {engine: len(memo) for engine, memo in memos.items()}
    seconds = time.monotonic() - start
    log.info("%d observed tokens, %d scores per engine, %.1f s", len(tokens), len(memos["eng"]), seconds)
    report["regime rows"] = build_regime_rows(out, tokens)
    return report


def build_regime_rows(out: Path, tokens: Sequence[str]) -> int:
    """Write the regime-fit rows (:mod:`diacritics.regime_scores`) of ``tokens``, the score index's observed
    tokens in its order, computed by the shipped restorer as a document's fit would; returns their number."""
    os.environ["VNOCR_DATA_DIR"] = str(out.resolve())  # the channels and score tables just written
    from diacritics.char_channel import CharChannel
    from diacritics.lm import LanguageModel
    from diacritics.regime_scores import regime_fingerprint
    from diacritics.restorer import CHANNEL_ORDER, Restorer, RestorerSettings, regime_constants, regime_names
    from diacritics.syllables import SyllableInventory

    # the shipped channels with the score tables just written (the fit's scores, looked up)
    channels = {engine: CharChannel.load(engine) for engine in CHANNEL_ORDER}
    settings = RestorerSettings()
    restorer = Restorer(LanguageModel.load(out), SyllableInventory.load(out), channels, settings)
    rows = restorer.regime_mixture().token_scores(restorer.regime_observations(tokens))  # NaN: no readings
    regimes = regime_names(channels)
    fingerprint = regime_fingerprint(out, regime_constants(channels, settings))
    save_regime_rows(out, rows, regimes, fingerprint)
    log.info("%d regime rows (%d tokens without readings)", len(tokens), int(np.isnan(rows[:, 0]).sum()))
    return len(tokens)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: precompute the score tables into ``--out``."""
    parser = argparse.ArgumentParser(description="Precompute the OCR channels' scores of common tokens.")
    parser.add_argument("--out", type=Path, default=Path("dictionaries"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr)
    if not (args.out / "lm" / "lm_manifest.json").is_file():
        print(
            f"build_channel_scores: no language data in {args.out} (run make dictionaries)", file=sys.stderr
        )
        return 2
    build(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
