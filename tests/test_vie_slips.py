"""The ``vie`` mark slips and the written tone placement (diacritics.vie_slips, placed_as_written).

Golden cases in tests/data/restore_vie_slips.json: slips mended in ``vie`` OCR with word confidences, right
text left alone (negatives), and the tone placement of the input kept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import diacritics
from diacritics.normalise import placed_as_written
from diacritics.vie_slips import REASON, MarkSlipModel, marks_of

CASES = json.loads((Path(__file__).parent / "data" / "restore_vie_slips.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    restored = diacritics.restore_explained(case["input"], case.get("confidences"), explain=False)
    assert restored.text == case["expected"]
    assert diacritics.apply_plan(case["input"], restored.tokens) == restored.text


def test_the_golden_cases_hold_slips_negatives_and_placements() -> None:
    kinds = [c["kind"] for c in CASES]
    assert kinds.count("vie-slip") >= 5 and kinds.count("negative") >= 5 and kinds.count("placement") >= 3
    assert all(c["input"] != c["expected"] for c in CASES if c["kind"] == "vie-slip")


def test_a_mended_slip_is_a_decision_with_its_reason() -> None:
    case = next(c for c in CASES if c["id"] == "slip-hook-001")
    restored = diacritics.restore_explained(case["input"], case["confidences"], explain=False)
    (decision,) = restored.changed
    assert (decision.original, decision.chosen, decision.reason) == ("Công", "Cổng", REASON)
    assert decision.confidence >= 0.95 and decision.alternatives[0][0] == "Cổng"


@pytest.mark.parametrize(
    ("chosen", "written", "expected"),
    [
        ("hòa", "hoà", "hoà"),
        ("HÒA", "HOÀ", "HOÀ"),
        ("Hòa", "HOÀ", "Hoà"),  # the case is the restorer's, the placement the input's
        ("hóa", "hoà", "hoá"),  # another tone, on the vowel the input marks
        ("thủy", "thuỷ", "thuỷ"),
        ("khỏe", "khoẻ", "khoẻ"),
        ("hòa", "hoa", "hòa"),  # unmarked input: the modern placement
        ("hòa", "hòa", "hòa"),
        ("hoa", "hoà", "hoa"),
        ("quý", "qúy", "quý"),  # a misplaced mark is no old convention
        ("Tháng", "Théang", "Tháng"),  # other letters
    ],
)
def test_placed_as_written(chosen: str, written: str, expected: str) -> None:
    assert placed_as_written(chosen, written) == expected


def test_both_placements_are_one_word_for_the_lm() -> None:
    from diacritics.lm import LanguageModel

    lm = LanguageModel.load()
    old, new = lm.ids(["hoà", "thuỷ"]), lm.ids(["hòa", "thủy"])
    assert (old == new).all() and lm.unk not in new
    context = lm.ids(["cộng", "hòa"])
    assert np.allclose(
        lm.logprob(lm.ids(["xã"]), context[1:], context[:1]), lm.logprob(lm.ids(["xã"]), new[:1], context[:1])
    )


def test_old_placement_restores_as_the_modern_one_apart_from_the_placement() -> None:
    from diacritics.normalise import normalise_text

    old = "Uỷ ban nhân dân tỉnh Hoà Bình; công tác thuỷ lợi, chăm sóc sức khoẻ."
    assert normalise_text(diacritics.restore(old)) == diacritics.restore(normalise_text(old))


def test_the_slip_model_drops_marks_more_often_than_it_adds_them() -> None:
    model = MarkSlipModel.load()
    dropped, added = model.logprob("công", "cổng"), model.logprob("cổng", "công")
    assert dropped is not None and added is not None and dropped > added
    assert model.logprob("công", "công") > dropped  # a right reading is the likeliest
    assert model.logprob("công", "cũng") is None  # other letters: not a mark slip
    assert model.confidence_logratio(40) > model.confidence_logratio(92) > model.confidence_logratio(96)


def test_marks_of_a_word() -> None:
    marks = marks_of("Người")
    assert (marks.letters, marks.qualities, marks.tone, marks.tone_class) == (
        "nguoi",
        ("", "", "+", "+", ""),
        1,
        "hat",
    )
    assert marks_of("HOÀ") == marks_of("hòa")
