"""The restorer's passes: a visible list, each a named step over one state."""

from __future__ import annotations

from diacritics import apply_plan
from diacritics.pipeline import PASSES, run_passes
from diacritics.restorer import Restorer
from diacritics.state import RestoreState

HEADINGS = "I. MUC DICH\n11. NHIEM VU"


def _run(text: str, skip: frozenset[str] = frozenset()) -> RestoreState:
    steps = tuple(p for p in PASSES if p.name not in skip)
    return run_passes(Restorer.default(), RestoreState(text, explain=True), steps)


def test_passes_are_named_once_and_end_with_the_rebuild() -> None:
    names = [p.name for p in PASSES]
    assert len(set(names)) == len(names)
    assert names[:4] == ["normalise", "tokenise", "English passages", "regime fit"]
    assert names[-1] == "rebuild"


def test_restore_runs_the_passes() -> None:
    state = _run(HEADINGS)
    restored = Restorer.default().restore(HEADINGS, explain=True)
    assert (restored.text, restored.decisions) == (state.output, state.decisions)


def test_a_pass_left_out_changes_only_its_part_and_the_plan_still_replays() -> None:
    without = _run(HEADINGS, skip=frozenset({"heading labels"}))
    assert without.output.split("\n")[1] == "11. NHIỆM VỤ"
    assert apply_plan(HEADINGS, without.decisions) == without.output
    assert _run(HEADINGS).output.split("\n")[1] == "II. NHIỆM VỤ"


def test_a_text_without_words_skips_the_word_passes() -> None:
    state = _run("12/2020 - 15%\n\u2014 3.")
    assert state.mixture is None and state.positions == [] and state.decisions == []
    assert state.output == "12/2020 - 15%\n\u2014 3."
