"""The synthetic bench's page-by-page, edit-by-edit comparison of two runs."""

from __future__ import annotations

from tools.bench.ocr_edits import Edit, compare, edits


def test_nearby_edits_are_one() -> None:
    assert edits("môi trường sống", "môit g sống") == [Edit(3, 9, "t ")]
    assert edits("a b", "a b") == []


def test_compare_lists_the_edits_one_run_makes_and_the_other_not() -> None:
    truth = "Ngày toàn dân đưa trẻ đến trường. + Củng cố"
    before = {"p1.png": {"pipe": "Ngày toàn dân đưa trẻ đến trường. + Củng cố"}}
    after = {
        "p1.png": {"pipe": "Ngày toàn dân đưa trẻ đếnt g. Củng cố", "truth": truth, "split": "held-out"},
    }
    report = compare(before, after, "pipe", "")
    assert "p1.png [held-out] edits 0 -> 7 (+7)" in report
    assert "  new  @25: …Ngày toàn dân đưa trẻ đến[' trường. +'→'t g.'] Củng cố…" in report
    assert "held-out: edits 0 -> 7 (+7)" in report
    assert "gone" not in report
