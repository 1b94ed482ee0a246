"""The legacy OCR bench area's scoring (tools.bench.legacy)."""

from __future__ import annotations

from tools.bench.legacy import code_figures, flag_figures


def test_flag_figures_count_errors_and_flags() -> None:
    gold = "Thực hiện công tác bảo vệ trẻ em năm 2021"
    figures = flag_figures("Thuc hien cong tac bao ve tre em nam 2021", gold)
    assert figures["words"] == 9
    assert figures["raw"] < figures["restored"] <= 1.0
    assert 0 <= figures["flagged_errors"] <= min(figures["flagged"], figures["errors"])


def test_code_figures_find_the_codes_of_a_page() -> None:
    page = "Thông báo số 496-TB/TU ngày 12/3/2023 của Thành ủy; Kế hoạch số 15/KH-UBND của UBND tỉnh."
    counts = code_figures([page])
    assert counts["codes"] == 2
    assert counts["kept_in_correct"] == 2


def test_restorations_of_pages_join_as_one_with_their_flags_moved() -> None:
    from diacritics import Restoration, TokenDecision
    from tools.bench.legacy import _joined

    first = Restoration("một\nhai", [TokenDecision(2, 0, "hai", "hai", 0.2, review=True)])
    second = Restoration("ba", [TokenDecision(1, 0, "ba", "bà", 0.9)])
    joined = _joined([first, second])
    assert joined.text == "một\nhai\nba"
    assert [(t.line, t.original) for t in joined.tokens] == [(2, "hai"), (3, "ba")]
    assert flag_figures("mot\nhai\nba", "một\nhai\nbà", joined)["flagged"] == 1
