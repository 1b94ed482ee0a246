"""Case slips: the capitalisation table and the decision rule (diacritics.casing), and the shipped table."""

from __future__ import annotations

import pytest

from diacritics.casing import CaseModel, token_case

PAIRS = {"tổ chức": [20000, 0], "tại điều": [3500, 3466], "xã hội": [900, 30], "nhiệm vụ": [5000, 0]}
PREV = {"tổ": [20000, 0], "xã": [9000, 90], "tại": [8000, 4000], "của": [70000, 24000], "nhiệm": [9000, 0]}
CUR = {"chức": [24000, 2], "bằng": [4900, 90], "điều": [19000, 6000], "vụ": [25000, 60], "hội": [9000, 400]}


@pytest.fixture
def model() -> CaseModel:
    return CaseModel(PAIRS, PREV, CUR)


@pytest.mark.parametrize(
    ("token", "kind"),
    [("chức", "lower"), ("Chức", "title"), ("CHỨC", "other"), ("ChỨC", "other"), ("Đ", "title")],
)
def test_token_case(token: str, kind: str) -> None:
    assert token_case(token) == kind


def test_pair_evidence_decides_a_slip(model: CaseModel) -> None:
    found = model.decide("tổ", "chức", slip=0.03, in_run=False)
    assert found is not None and found.lower
    assert "0/20000" in found.evidence


def test_frequent_capital_is_kept(model: CaseModel) -> None:
    found = model.decide("tại", "điều", slip=0.03, in_run=False)
    assert found is not None and not found.lower


def test_no_slips_in_correct_text(model: CaseModel) -> None:
    assert model.decide("tổ", "chức", slip=0.0, in_run=False) is None


def test_names_in_runs_need_pair_evidence(model: CaseModel) -> None:
    # "xã Bằng Mạc": the pair is unseen; the single words would say "rarely capitalised", but the next word is
    # capitalised too, so it is probably a name and stays.
    assert model.decide("xã", "bằng", slip=0.05, in_run=True) is None
    # Direct pair evidence still counts inside a run ("tổ Chức Tháng hành động").
    found = model.decide("tổ", "chức", slip=0.05, in_run=True)
    assert found is not None and found.lower


def test_unknown_word_is_never_lowered(model: CaseModel) -> None:
    assert model.decide("xã", "mạc", slip=0.05, in_run=False) is None


def test_shipped_table_loads_and_knows_common_pairs() -> None:
    model = CaseModel.load()
    low = model.p_title("tổ", "chức")
    high = model.p_title("tại", "điều")
    assert low is not None and high is not None
    assert low[0] < 0.01 < 0.5 < high[0]
