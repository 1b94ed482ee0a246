"""The shipped regime-fit rows are exactly the live computation's, and only used when valid."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from diacritics.regime_scores import REGIME_INDEX, REGIME_SCORES, RegimeScoreTable, regime_fingerprint
from diacritics.resources import data_dir
from diacritics.restorer import Restorer, RestorerSettings, regime_constants, regime_names
from ocr_pipeline.exceptions import DataError


def _without_table(restorer: Restorer) -> Restorer:
    unbacked = restorer.with_settings()
    unbacked.regime_scores = None
    return unbacked


def test_shipped_rows_equal_the_live_computation() -> None:
    restorer = Restorer.default()
    table = restorer.regime_scores
    assert table is not None, "the shipped table was made from other data (make dictionaries rebuilds it)"
    tokens = list(table.observed)  # every row: keys, frequent syllables, known tokens
    observations = restorer.regime_observations(tokens)
    live = restorer.regime_mixture().token_scores(observations)
    assert all(cands for _, cands in observations)
    looked_up = table.lookup(tokens)
    assert all(row is not None for row in looked_up)
    # equal but for the last bit of a few sums: NumPy builds and CPUs order floating-point reductions as they
    # like (15 of 17,408 entries differ by 4e-15 on one machine); a stale table differs by far more
    assert np.allclose(np.array(looked_up), live, rtol=0.0, atol=1e-9), (
        "regime rows are stale: bump REGIME_FORMAT and rebuild"
    )
    assert table.lookup(["chirc"]) == [None]  # mangled OCR is computed as it comes


@pytest.mark.parametrize(
    "text",
    [
        "cong tac bao ve, cham soc tre em nam 2021 tai cac xa tren dia ban huyen",
        "Công tác bảo vệ, chăm sóc trẻ em năm 2021 tại các xã trên địa bàn huyện",
        "Cin cir Ké hoach sb 28/KH-SLDTBXH ngay 10/03/2021 cia S& Lao dong Thuong binh",
    ],
)
def test_the_fit_with_the_table_is_the_fit_without(text: str) -> None:
    restorer = Restorer.default()
    tokens = [w.lower() for w in text.split()]
    with_table = restorer.fit_mixture(tokens)
    without = _without_table(restorer).fit_mixture(tokens)
    assert with_table.weights == without.weights
    assert restorer.restore_text(text) == _without_table(restorer).restore_text(text)


def test_other_reading_settings_or_lm_drop_the_table() -> None:
    restorer = Restorer.default()
    assert restorer.with_settings(restorer.settings.with_tuning(rank_margin=9.0)).regime_scores is not None
    assert restorer.with_settings(restorer.settings.with_tuning(skeleton_top_k=3)).regime_scores is None
    assert restorer.with_settings(lm=restorer.lm).regime_scores is None  # an LM passed in may be another


def test_the_fingerprint_follows_the_data_and_the_settings(tmp_path: Path) -> None:
    restorer = Restorer.default()
    constants = regime_constants(restorer.channels, RestorerSettings())
    folder = data_dir()
    shipped = regime_fingerprint(folder, constants)
    assert regime_fingerprint(folder, {**constants, "skeleton_top_k": 5}) != shipped
    copy = tmp_path / "data"  # the data without the n-gram arrays (not fingerprinted) and the score tables
    shutil.copytree(
        folder, copy, ignore=shutil.ignore_patterns("__pycache__", "*.bi_*", "*.tri_*", "*scores.npy")
    )
    assert regime_fingerprint(copy, constants) == shipped
    with (copy / "syllables.tsv").open("a", encoding="utf-8") as fh:
        fh.write("xyz\ts\t1\n")
    assert regime_fingerprint(copy, constants) != shipped
    shutil.copy(folder / "syllables.tsv", copy / "syllables.tsv")
    index = json.loads((copy / "ocr_token_scores_index.json").read_text(encoding="utf-8"))
    index["observed"][:2] = index["observed"][1::-1]  # the rows' order
    (copy / "ocr_token_scores_index.json").write_text(json.dumps(index), encoding="utf-8")
    assert regime_fingerprint(copy, constants) != shipped
    (copy / "vi_wiki_3gram.uni_lp.npy").unlink()
    with pytest.raises(DataError, match="missing"):
        regime_fingerprint(copy, constants)


def test_saved_tables_load_back_only_when_valid(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    regimes = regime_names(Restorer.default().channels)
    observed = {"tre": 0, "em": 1}
    rows = np.array([[-1.0, -2.0, -3.0, -4.0], [np.nan] * 4])
    RegimeScoreTable.save(tmp_path, rows, regimes, "fp")
    table = RegimeScoreTable.load(tmp_path, observed, regimes, "fp")
    assert table is not None
    first, second, missing = table.lookup(["tre", "em", "trẻ"])
    assert first is not None and list(first) == [-1.0, -2.0, -3.0, -4.0]
    assert second is not None and np.isnan(second).all()  # a token without readings
    assert missing is None
    with caplog.at_level(logging.WARNING, logger="diacritics.regime_scores"):
        assert RegimeScoreTable.load(tmp_path, observed, regimes, "other") is None
        assert RegimeScoreTable.load(tmp_path, observed, regimes[::-1], "fp") is None
    assert "other data or settings" in caplog.text
    with pytest.raises(DataError, match="corrupt"):
        RegimeScoreTable.load(tmp_path, {"tre": 0}, regimes, "fp")  # rows for another index
    # a build stopped between the score index and these rows: another fingerprint, so computed, not corrupt
    assert RegimeScoreTable.load(tmp_path, {"tre": 0}, regimes, "new") is None
    RegimeScoreTable.save(tmp_path, np.array([[-1.0, np.nan, -3.0, -4.0], [np.nan] * 4]), regimes, "fp")
    with pytest.raises(DataError, match="partly missing"):
        RegimeScoreTable.load(tmp_path, observed, regimes, "fp")
    index = json.loads((tmp_path / REGIME_INDEX).read_text(encoding="utf-8"))
    (tmp_path / REGIME_INDEX).write_text(json.dumps({**index, "format": 1}), encoding="utf-8")
    assert RegimeScoreTable.load(tmp_path, observed, regimes, "fp") is None  # an older table: computed
    (tmp_path / REGIME_INDEX).write_text(json.dumps(["not", "an", "index"]), encoding="utf-8")
    with pytest.raises(DataError, match="not a regime score index"):
        RegimeScoreTable.load(tmp_path, observed, regimes, "fp")
    (tmp_path / REGIME_SCORES).unlink()
    with pytest.raises(DataError, match="missing"):
        RegimeScoreTable.load(tmp_path, observed, regimes, "fp")
