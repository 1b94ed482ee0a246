"""The restorer's settings: user settings, the tuned constants, and the tuning tool's ablations."""

from __future__ import annotations

import math

import pytest

from diacritics.settings import GATES, RULES, RestorerSettings, Tuning
from tools.tune_restorer import ABLATIONS, HISTORY_MARK, describe, with_changes, with_history


def test_gates_share_one_majority_unless_overridden() -> None:
    tuning = Tuning(majority=0.4, gates={"spelling_lookup": math.inf})
    assert tuning.gate("spelling_lookup") == math.inf
    assert {tuning.gate(name) for name in GATES if name != "spelling_lookup"} == {0.4}


def test_rules_are_on_unless_switched_off() -> None:
    tuning = Tuning(switched_off=frozenset({"roman_numerals_kept"}))
    assert [rule for rule in RULES if not tuning.uses(rule)] == ["roman_numerals_kept"]


@pytest.mark.parametrize("bad", [{"gates": {"spelling": 0.0}}, {"switched_off": frozenset({"roman"})}])
def test_unknown_gate_or_rule_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="unknown"):
        Tuning(**bad)  # type: ignore[arg-type]


def test_with_tuning_changes_only_the_tuning() -> None:
    settings = RestorerSettings(review_threshold=0.5)
    tuned = settings.with_tuning(rank_margin=8.0)
    assert (tuned.tuning.rank_margin, tuned.review_threshold) == (8.0, 0.5)
    assert settings.tuning.rank_margin == Tuning().rank_margin


@pytest.mark.parametrize(("name", "change"), ABLATIONS, ids=[name for name, _ in ABLATIONS])
def test_every_ablation_changes_what_it_names(name: str, change: dict[str, object]) -> None:
    settings = with_changes(RestorerSettings(), change)
    assert (settings == RestorerSettings()) == (not change)
    assert describe(change)


def test_ablation_of_a_user_setting() -> None:
    settings = with_changes(RestorerSettings(), {"cut_final_word_completed": True, "regime_sample": 150})
    assert settings.cut_final_word_completed and settings.tuning.regime_sample == 150


def test_the_history_after_the_table_is_kept() -> None:
    old = f"# old table\n\n{HISTORY_MARK}\n## Why\nhand-written\n"
    assert with_history("# new table\n", old) == f"# new table\n\n{HISTORY_MARK}\n## Why\nhand-written\n"
    assert with_history("# new table\n", "# no history\n") == "# new table\n"
