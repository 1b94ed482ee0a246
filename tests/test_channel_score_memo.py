"""The shipped OCR channels' precomputed scores are exactly the channels' own, and only used when valid."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from diacritics.normalise import strip_diacritics
from diacritics.ocr_channel import CharChannel, ScoreMemo, load_table, scores_fingerprint
from diacritics.restorer import Restorer
from ocr_pipeline.exceptions import DataError


@pytest.mark.parametrize("engine", ["eng", "vie"])
def test_precomputed_scores_equal_the_channels_own(engine: str) -> None:
    shipped = CharChannel.load(engine)
    memo = shipped.score_memo
    assert memo is not None
    fresh = CharChannel(load_table(engine, "char_channel"))  # no memo: every score computed
    restorer = Restorer.default()
    tokens = ["cong", "nguoi", "truong", "công", "người", "huyện", "ubnd"]
    for token in tokens:
        scores = memo.scores(token)
        assert scores is not None, token
        assert set(restorer.readings(token)) <= set(scores)  # every reading the lattice asks about
        names = list(scores)
        assert fresh.logprobs(token, names) == [scores[n] for n in names]
    assert memo.scores("chirc") is None  # mangled OCR is computed as it comes
    assert shipped.logprobs("chirc", ["chức"]) == fresh.logprobs("chirc", ["chức"])


def test_every_stripped_syllable_key_is_precomputed() -> None:
    memo = CharChannel.load("eng").score_memo
    assert memo is not None
    keys = {strip_diacritics(s) for s in Restorer.default().inventory.syllables}
    assert all(memo.scores(k) is not None for k in keys)


def _small_memo() -> tuple[CharChannel, ScoreMemo]:
    channel = CharChannel(load_table("vie", "char_channel"))
    return channel, ScoreMemo.build(channel, [("tre", ["trẻ", "tre", "tré"]), ("em", ["em", "êm"])])


def test_a_saved_table_loads_back_for_its_channel_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    channel, memo = _small_memo()
    path = tmp_path / "ocr_vie_token_scores.npz"
    memo.save(path, "fingerprint-a")
    loaded = ScoreMemo.load(path, "fingerprint-a")
    assert loaded is not None and len(loaded) == 5
    assert loaded.scores("em") == dict(zip(["em", "êm"], channel.logprobs("em", ["em", "êm"]), strict=True))
    assert loaded.scores("trẻ") is None
    with caplog.at_level(logging.WARNING, logger="diacritics.ocr_channel"):
        assert ScoreMemo.load(path, "fingerprint-b") is None  # made for another table: computed instead
    assert "another channel table" in caplog.text


def test_missing_or_corrupt_tables_raise(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="missing"):
        ScoreMemo.load(tmp_path / "ocr_eng_token_scores.npz", "x")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(DataError, match="cannot be read"):
        ScoreMemo.load(bad, "x")
    _, memo = _small_memo()
    short = tmp_path / "short.npz"
    np.savez(
        short,
        format=np.array("vnocr-ocr-token-scores/1"),
        fingerprint=np.array("x"),
        observed=np.array(list(memo.observed)),
        offsets=memo.offsets[:-1],
        readings=np.array(memo.readings),
        reading_ids=memo.reading_ids,
        logprobs=memo.logprobs,
    )
    with pytest.raises(DataError, match="corrupt"):
        ScoreMemo.load(short, "x")


def test_the_fingerprint_follows_the_table_and_the_engine() -> None:
    text = '{"format": "x"}'
    assert scores_fingerprint("eng", text) == scores_fingerprint("eng", text)
    assert scores_fingerprint("eng", text) != scores_fingerprint("eng", text + " ")
    assert scores_fingerprint("eng", text) != scores_fingerprint("vie", text)  # vowel confusion differs
