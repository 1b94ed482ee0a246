"""A document's pages are restored as one text and get their own lines back (no Tesseract needed)."""

from __future__ import annotations

from dataclasses import replace

import pytest

import diacritics
from diacritics.restorer import Restorer
from ocr_pipeline import ProcessOptions
from ocr_pipeline.models import PageResult
from ocr_pipeline.pipeline import finish_document

PAGE_1 = (
    "KE HOACH\nThuc hien cong tac bao ve, cham soc tre em nam 2021 tren dia ban\nhuyen; tang cuong cong tac"
)
PAGE_2 = (
    "truyen thong, giao duc ve quyen tre em cho cac ban nganh\nva cac xa, thi tran; cac ban co lien quan."
)


def _pages() -> list[PageResult]:
    return [PageResult(number=1, raw_text=PAGE_1), PageResult(number=2, raw_text=PAGE_2)]


def test_pages_are_restored_together_and_keep_their_lines() -> None:
    pages = _pages()
    doc = finish_document("plan.txt", pages, ProcessOptions())
    whole = diacritics.restore(PAGE_1 + "\n" + PAGE_2)  # the page break does not cut the sentence
    assert [p.text for p in pages] == [
        "\n".join(whole.split("\n")[:3]),
        "\n".join(whole.split("\n")[3:]),
    ]
    assert pages[1].text.startswith("truyền thông, giáo dục")
    assert doc.text == pages[0].text + "\f" + pages[1].text
    assert doc.restoration["regime"]["stripped"] > 0.5  # one regime, fitted on the whole document
    assert doc.restoration["changed_tokens"] > 20


def test_flagged_tokens_point_at_their_page_and_line(monkeypatch: pytest.MonkeyPatch) -> None:
    restorer = Restorer.default()
    monkeypatch.setattr(restorer, "settings", replace(restorer.settings, review_threshold=1.01))  # flag all
    pages = _pages()
    doc = finish_document("plan.txt", pages, ProcessOptions())
    flagged = doc.restoration["flagged_for_review"]
    assert {item["page"] for item in flagged} == {1, 2}
    for item in flagged:
        page = pages[item["page"] - 1]
        line = page.raw_text.split("\n")[item["line"] - 1]
        assert any(item["original"] in word for word in line.split()), item
        assert item["chosen"] in page.text.split("\n")[item["line"] - 1]


def test_without_restoration_the_pages_keep_their_text() -> None:
    pages = _pages()
    doc = finish_document("plan.txt", pages, ProcessOptions(restore=False))
    assert [p.text for p in pages] == [PAGE_1, PAGE_2]
    assert doc.restoration == {"enabled": False}


def test_tokens_kept_as_written_are_flagged_below_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Báo cáo về các lô hàng đã thông quan cho Bộ Công Thương."  # correct text: nothing changes
    restorer = Restorer.default()
    monkeypatch.setattr(restorer, "settings", replace(restorer.settings, review_threshold=1.01))  # flag all
    flagged = diacritics.restore_explained(text, explain=False)
    assert flagged.text == text
    assert flagged.changed == []
    assert [t.original for t in flagged.flagged] == text.rstrip(".").split()
    assert all(t.chosen == t.original and t.review for t in flagged.tokens)
    monkeypatch.setattr(restorer, "settings", replace(restorer.settings, review_threshold=0.0))  # flag none
    assert diacritics.restore_explained(text, explain=False).tokens == []


def test_a_later_pass_rewriting_a_kept_token_gives_its_own_confidence() -> None:
    from diacritics.plan import Decision, record_change

    kept = Decision(1, 0, "Vụ", "Vụ", 0.55, "as written", [("Vụ", 0.55), ("Vũ", 0.45)])
    changed = Decision(1, 5, "nhiem", "nhiệm", 0.8, "same letters", [("nhiệm", 0.8)])
    decisions = [kept, changed]
    record_change(decisions, Decision(1, 0, "Vụ", "vụ", 0.97, "case slip", [("vụ", 0.97)]), amend=True)
    record_change(decisions, Decision(1, 5, "nhiem", "Nhiệm", 0.6, "case", [("Nhiệm", 0.6)]), amend=True)
    assert (kept.chosen, kept.confidence, kept.reason) == ("vụ", 0.97, "as written; case slip")
    assert kept.alternatives == [("vụ", 0.97)]
    # a token the decoder changed keeps the decoder's scores (the pass refines its choice)
    assert (changed.chosen, changed.confidence, changed.reason) == ("Nhiệm", 0.8, "same letters; case")
