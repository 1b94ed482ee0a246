"""The shipped channel tables (:mod:`diacritics.channel_tables`): missing, corrupt or stale tables raise
DataError; the precomputed scores are exactly the channels' own, and only used when valid."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from diacritics import channel_tables
from diacritics.channel_tables import ScoreMemo, load_table, scores_fingerprint
from diacritics.char_channel import FORMAT, CharChannel
from diacritics.normalise import strip_diacritics
from diacritics.resources import SCORES_INDEX, StaleDataError, engine_scores
from diacritics.restorer import Restorer
from ocr_pipeline.exceptions import DataError
from tools.builders.channel_scores import save_score_memos, score_memos


def test_missing_table_raises_data_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VNOCR_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError, match="missing"):
        load_table("eng", "char_channel")


def test_corrupt_table_raises_data_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VNOCR_DATA_DIR", str(tmp_path))
    bad = channel_tables.table_path("vie")
    bad.parent.mkdir()
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError):
        load_table("vie", "char_channel")
    bad.write_text(json.dumps({"format": FORMAT, "engine": "eng"}), encoding="utf-8")
    with pytest.raises(DataError, match="corrupt"):
        CharChannel(load_table("vie", "char_channel"))
    bad.write_text(json.dumps({"format": "vnocr-ocr-char-channel/0"}), encoding="utf-8")
    with pytest.raises(StaleDataError, match="format vnocr-ocr-char-channel/0"):
        load_table("vie", "char_channel")


def test_unknown_engine_and_format() -> None:
    with pytest.raises(DataError):
        CharChannel.load("fra")
    with pytest.raises(DataError):
        CharChannel({"format": "something else"})


# ------------------------------------------------------------------------------------ precomputed scores
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


def _small_tables(folder: Path, fingerprints: dict[str, str]) -> dict[str, CharChannel]:
    channels = {e: CharChannel(load_table(e, "char_channel")) for e in ("eng", "vie")}
    memos = score_memos(channels, [("tre", ["trẻ", "tre", "tré"]), ("em", ["em", "êm"])])
    save_score_memos(folder, memos, fingerprints)
    return channels


def test_saved_tables_load_back_for_their_channel_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    channels = _small_tables(tmp_path, {"eng": "fingerprint-eng", "vie": "fingerprint-vie"})
    monkeypatch.setenv("VNOCR_DATA_DIR", str(tmp_path))
    for engine, channel in channels.items():
        loaded = ScoreMemo.load(engine, f"fingerprint-{engine}")
        assert loaded is not None and len(loaded) == 5
        assert loaded.scores("em") == dict(
            zip(["em", "êm"], channel.logprobs("em", ["em", "êm"]), strict=True)
        )
        assert loaded.scores("trẻ") is None
    eng, vie = ScoreMemo.load("eng", "fingerprint-eng"), ScoreMemo.load("vie", "fingerprint-vie")
    assert eng is not None and vie is not None and eng.scores("tre") != vie.scores("tre")  # each its own
    with caplog.at_level(logging.WARNING, logger="diacritics.channel_tables"):
        assert ScoreMemo.load("eng", "fingerprint-vie") is None  # made for another table: computed instead
    assert "another channel table" in caplog.text


def test_missing_or_corrupt_tables_raise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good"
    good.mkdir()
    _small_tables(good, {"eng": "x", "vie": "x"})
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("VNOCR_DATA_DIR", str(tmp_path / "empty"))
    with pytest.raises(DataError, match="missing"):
        ScoreMemo.load("eng", "x")
    for broken, damage in [
        ("missing-array", lambda d: (d / engine_scores("eng")).unlink()),
        ("short-array", lambda d: np.save(d / engine_scores("eng"), np.zeros(3))),
        ("bad-index", lambda d: (d / SCORES_INDEX).write_text("{", encoding="utf-8")),
        ("bad-offsets", lambda d: _drop_an_offset(d / SCORES_INDEX)),
    ]:
        folder = tmp_path / broken
        shutil.copytree(good, folder)
        damage(folder)
        monkeypatch.setenv("VNOCR_DATA_DIR", str(folder))
        with pytest.raises(DataError, match=r"missing|corrupt|cannot be read"):
            ScoreMemo.load("eng", "x")


def _drop_an_offset(path: Path) -> None:
    index = json.loads(path.read_text(encoding="utf-8"))
    index["offsets"] = index["offsets"][:-1]
    path.write_text(json.dumps(index), encoding="utf-8")


def test_the_fingerprint_follows_the_table_and_the_engine() -> None:
    text = '{"format": "x"}'
    assert scores_fingerprint("eng", text) == scores_fingerprint("eng", text)
    assert scores_fingerprint("eng", text) != scores_fingerprint("eng", text + " ")
    assert scores_fingerprint("eng", text) != scores_fingerprint("vie", text)  # vowel confusion differs
