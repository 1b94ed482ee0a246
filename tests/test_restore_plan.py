"""Every change restoration makes is a recorded decision: replaying the decisions over the input gives the
output (ftfy's ``apply_plan`` invariant), on every golden case and on the shipped documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import diacritics
from diacritics import apply_plan
from diacritics.normalise import strip_diacritics
from diacritics.plan import Decision

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
#: The dev documents shipped in the repository (their held-out sibling lives outside it).
DOCUMENTS = [
    ROOT / "samples" / "scans" / "bang-mac-2024.gt.txt",
    ROOT / "samples" / "scans" / "binh-luong-2023.gt.txt",
    ROOT / "samples" / "text" / "district-2021.eng-ocr.txt",
    ROOT / "tests" / "data" / "district-2021.gt.txt",
]
#: Roman heading labels OCR slipped (``11.``, ``IH.``, ``I|.``), after leading space too.
HEADINGS = [
    "I. MUC DICH\n11. NHIEM VU\nIII. TO CHUC",
    "I. MỤC ĐÍCH, YÊU CẦU\nIH. NỘI DUNG HOẠT ĐỘNG\nHI. TỔ CHỨC THỰC HIỆN",
    "  I. MUC DICH\n I|. NHIEM VU",
    "I. MUC PIiCH, YEU CAU\n1. Trién khai déng b0\n11. NOI DUNG HOAT PONG\nI11. KINH PHI THU'C HIEN\n"
    "VIl. CHE PQ BAO CAO",
]


def _golden_inputs() -> list[object]:
    params: list[object] = []
    for path in sorted(GOLDEN.glob("restore_*.json")):
        cases = json.loads(path.read_text(encoding="utf-8"))
        params += [pytest.param(c["input"], id=c["id"]) for c in cases if isinstance(c, dict)]
    return params


def _check_replay(text: str, *, explain: bool = True) -> diacritics.Restoration:
    restored = diacritics.restore_explained(text, explain=explain)
    assert apply_plan(text, restored.tokens) == restored.text
    assert restored.text == diacritics.restore(text)
    return restored


@pytest.mark.parametrize("text", _golden_inputs())
def test_golden_case_replays(text: str) -> None:
    _check_replay(text)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
@pytest.mark.parametrize("stripped", [False, True], ids=["as-is", "stripped"])
def test_document_replays(path: Path, stripped: bool) -> None:
    text = path.read_text(encoding="utf-8")
    _check_replay(strip_diacritics(text) if stripped else text)


@pytest.mark.parametrize("text", HEADINGS)
@pytest.mark.parametrize("explain", [True, False])
def test_heading_labels_are_decisions(text: str, explain: bool) -> None:
    restored = _check_replay(text, explain=explain)
    labels = [t for t in restored.tokens if "heading label" in t.reason]
    assert labels and all(t.changed and not t.review for t in labels)
    # without them the plan does not give the text: the replay checks the heading decisions
    rest = [t for t in restored.tokens if t not in labels]
    assert apply_plan(text, rest) != restored.text


def test_heading_label_decision_names_its_tokens() -> None:
    restored = diacritics.restore_explained("I. MUC DICH\n11. NHIEM VU")
    label = next(t for t in restored.tokens if t.line == 2 and t.start == 0)
    assert (label.original, label.chosen) == ("11", "II")
    assert restored.text.split("\n")[1] == "II. NHIỆM VỤ"


def test_the_plan_starts_with_normalisation() -> None:
    decomposed = "Vie\u0302\u0323t Nam"  # NFD
    assert apply_plan(decomposed, []) == "Việt Nam"
    assert apply_plan("hoà bình", []) == "hoà bình"  # the tone placement as written


def test_a_decision_off_its_span_is_refused() -> None:
    with pytest.raises(ValueError, match="not in the text"):
        apply_plan("cong tac", [Decision(1, 0, "tac", "tác", 1.0, "", [])])
    with pytest.raises(ValueError, match="overlapping"):
        apply_plan(
            "cong tac", [Decision(1, 0, "cong", "công", 1.0, "", []), Decision(1, 2, "ng", "x", 1.0, "", [])]
        )
    assert apply_plan("cong tac\nx", [Decision(1, 5, "tac", "tác", 1.0, "", [])]) == "cong tác\nx"
