"""Alignment of OCR output with the truth (tools/builders/align.py) on crafted examples."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.builders.align import AlignedPair, align_page, char_alignment, fold, line_pairs


def _pairs(gt: list[str], ocr: list[str]) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return [(p.kind, p.observed, p.intended) for p in align_page(gt, ocr)]


def test_mangled_tokens_align_one_to_one() -> None:
    got = _pairs(["Căn cứ Kế hoạch số 28 của Sở Lao động"], ["Cin cir Ké hoach sb 28 cia S& Lao dong"])
    assert got == [
        ("1:1", ("Cin",), ("Căn",)),
        ("1:1", ("cir",), ("cứ",)),
        ("1:1", ("Ké",), ("Kế",)),
        ("1:1", ("hoach",), ("hoạch",)),
        ("1:1", ("sb",), ("số",)),
        ("1:1", ("28",), ("28",)),
        ("1:1", ("cia",), ("của",)),
        ("1:1", ("S&",), ("Sở",)),
        ("1:1", ("Lao",), ("Lao",)),
        ("1:1", ("dong",), ("động",)),
    ]


def test_insertion_inside_a_token_stays_with_it() -> None:
    assert _pairs(["tổ chức"], ["t6 chirc"]) == [("1:1", ("t6",), ("tổ",)), ("1:1", ("chirc",), ("chức",))]


def test_merge_one_observed_two_intended() -> None:
    got = _pairs(["đạt tỷ lệ và 100% số xã"], ["dat ty 1é val00% sb xa"])
    assert ("merge", ("val00%",), ("và", "100%")) in got
    assert ("1:1", ("1é",), ("lệ",)) in got
    assert len(got) == 6


def test_merge_of_two_syllables_without_space() -> None:
    assert _pairs(["Xã hội chủ nghĩa."], ["Xahdi chi nghia ."])[0] == ("merge", ("Xahdi",), ("Xã", "hội"))


def test_split_two_observed_one_intended() -> None:
    got = _pairs(["Xã hội chủ nghĩa"], ["Xa h di chu nghia"])
    assert got[1] == ("split", ("h", "di"), ("hội",))
    assert len(got) == 4


def test_insertions_and_deletions() -> None:
    got = _pairs(["Ủy ban nhân dân tỉnh"], ["' Uy ban dan tinh ~~"])
    assert ("deletion", (), ("nhân",)) in got
    assert ("insertion", ("~~",), ()) in got
    # a lone punctuation speck is not an insertion worth counting
    assert all(p[1] != ("'",) for p in got)
    assert next(p for p in got if p[0] == "1:1") == ("1:1", ("Uy",), ("Ủy",))


def test_edge_punctuation_is_trimmed_from_both_sides() -> None:
    got = _pairs(["như sau: (a) công tác;"], ["nhu sau; (a) cong tac:"])
    assert got == [
        ("1:1", ("nhu",), ("như",)),
        ("1:1", ("sau",), ("sau",)),
        ("1:1", ("a",), ("a",)),
        ("1:1", ("cong",), ("công",)),
        ("1:1", ("tac",), ("tác",)),
    ]


def test_alignment_crosses_lines_when_ocr_wraps_differently() -> None:
    got = align_page(["một hai", "ba bốn"], ["mot", "hai ba bon"])
    assert [(p.observed, p.intended, p.gt_line) for p in got] == [
        (("mot",), ("một",), 0),
        (("hai",), ("hai",), 0),
        (("ba",), ("ba",), 1),
        (("bon",), ("bốn",), 1),
    ]


def test_confidences_and_sentence_starts() -> None:
    got = align_page(["Kết quả tốt. Năm nay"], ["Ket qua t6t. Nam nay"], [90, 80, 40, 95, 60])
    assert [p.confidence for p in got] == [90, 80, 40, 95, 60]
    assert [p.sentence_initial for p in got] == [True, False, False, True, False]


def test_merge_takes_the_lowest_confidence() -> None:
    got = align_page(["và 100%"], ["val00%"], [33.0])
    assert got == [AlignedPair(("val00%",), ("và", "100%"), 33.0, 0, True)]


def test_confidence_count_must_match() -> None:
    with pytest.raises(ValueError):
        align_page(["a b"], ["a b"], [1.0])


def test_empty_ocr_gives_deletions_only() -> None:
    assert {p.kind for p in align_page(["hai ba"], [])} == {"deletion"}


def test_line_pairs_groups_ocr_lines_by_truth_line() -> None:
    got = line_pairs(
        ["Công tác bảo vệ", "trẻ em năm 2021", "xong"], ["Cong tac", "bao vé", "tré em nam 2021"]
    )
    assert got == [
        ("Công tác bảo vệ", "Cong tac bao vé"),
        ("trẻ em năm 2021", "tré em nam 2021"),
        ("xong", ""),
    ]


@given(st.text(max_size=40))
def test_fold_keeps_length(text: str) -> None:
    assert len(fold(text)) == len(text)


@given(st.text(alphabet="aăâbcdđeêoôơuưáàạảãỗ 6&", max_size=20), st.text(alphabet="abcdeou 6&1", max_size=20))
def test_char_alignment_is_monotone_and_in_range(ref: str, hyp: str) -> None:
    mapping = char_alignment(ref, hyp)
    assert len(mapping) == len(ref)
    aligned = [j for j in mapping if j >= 0]
    assert aligned == sorted(set(aligned))
    assert all(0 <= j < len(hyp) for j in aligned)
