"""The restoration benchmark's scoring (tools/bench/restore.py) on crafted examples."""

from __future__ import annotations

import unicodedata

import pytest

from diacritics.api import Restoration, TokenDecision
from tools.bench.restore import (
    changes_by_reference_state,
    clean_reference_accuracy,
    damaged_reference_words,
    review_flag_counts,
    syllable_accuracy,
)


@pytest.mark.parametrize(
    ("line", "damaged"),
    [
        ("Thực hiện một số nhiệm vụ", []),
        ("thực hiện môt số việc", ["môt"]),  # stop coda with a level tone: no syllable
        ("tổ chưc các hoạt động", ["chưc"]),
        ("cac cơ quan", ["cac"]),
        ("tinh Bac Giang", ["Bac"]),  # "tinh" is a syllable as written, so only "Bac" shows
        ("phòng chống Covid và internet", []),  # no reading with other marks: foreign, not damaged
        ("QUYẾT ĐỊNH VỀ VIÊC", ["VIÊC"]),
        ("ban hành 15/2020/NĐ-CP", []),
    ],
)
def test_damaged_reference_words(line: str, damaged: list[str]) -> None:
    assert damaged_reference_words(line) == damaged


def test_clean_reference_accuracy_scores_only_clean_lines() -> None:
    reference = "thực hiện nhiệm vụ\ncac cơ quan\ncông tác bảo vệ"
    hypothesis = "thực hiện nhiệm vụ\ncác cơ quan\ncông tác bảo về"
    accuracy, kept, total = clean_reference_accuracy(reference, hypothesis)
    assert (kept, total) == (2, 3)
    assert accuracy == pytest.approx(1 - 1 / 8)
    assert syllable_accuracy(reference, hypothesis) == pytest.approx(1 - 2 / 11)


def test_clean_reference_accuracy_needs_paired_lines() -> None:
    with pytest.raises(ValueError, match="2 reference lines but 1 output lines"):
        clean_reference_accuracy("một\nhai", "một hai")


def test_changes_by_reference_state_counts_changes_in_damaged_lines_apart() -> None:
    reference = "thực hiện nhiệm vụ\ncac cơ quan\ncông tác bảo vệ"
    hypothesis = "thực hiện nhiệm vụ\ncác cơ quan\ncông tác bảo về"
    counts = changes_by_reference_state(reference, hypothesis)
    assert counts == {
        "words": 11,
        "lines": 3,
        "damaged_lines": 1,
        "changed": 2,
        "changed_in_damaged_lines": 1,
    }


def test_review_flag_counts_pair_flags_with_wrong_words() -> None:
    text = "cong tac bao ve\nthuc hien nhiem vu\nba tu"
    reference = "công tác bảo vệ\nthực hiện nhiệm vụ\nbà tư ba"  # line 3: the OCR lost a word

    def explained(given: str) -> Restoration:
        assert given == text
        out = "công tác bảo về\nthực hiện nhiệm vu\nbà tư"
        changes = [
            (1, 0, "cong", "công", False),
            (1, 5, "tac", "tác", False),
            (1, 9, "bao", "bảo", True),  # flagged, right
            (1, 13, "ve", "về", True),  # flagged, wrong
            (2, 0, "thuc", "thực", False),
            (2, 5, "hien", "hiện", False),
            (2, 10, "nhiem", "nhiệm", False),
            (2, 16, "vu", "vu", True),  # kept as written, wrong, flagged
            (3, 0, "ba", "bà", True),
            (3, 3, "tu", "tư", False),
        ]
        tokens = [
            TokenDecision(line, start, a, b, 0.4 if flag else 0.9, review=flag)
            for line, start, a, b, flag in changes
        ]
        return Restoration(out, tokens)

    counts = review_flag_counts([(text, reference)], explained)
    assert counts == {"words": 8, "words_skipped": 3, "errors": 2, "flagged": 3, "flagged_errors": 2}


def test_review_flags_point_at_words_by_normalised_offsets() -> None:
    # decisions carry offsets in the restorer's NFC line; a flagged digit points at no word
    reference = "Hội đồng nhân dân tỉnh quyết định 6 lần"
    text = unicodedata.normalize("NFD", reference)
    output = reference.replace("định", "đình")

    def explained(given: str) -> Restoration:
        tokens = [
            TokenDecision(1, reference.index("định"), "định", "đình", 0.5, review=True),
            TokenDecision(1, reference.index("6"), "6", "6", 0.5, review=True),
        ]
        return Restoration(output, tokens)

    counts = review_flag_counts([(text, reference)], explained)
    assert counts == {"words": 8, "words_skipped": 0, "errors": 1, "flagged": 1, "flagged_errors": 1}
