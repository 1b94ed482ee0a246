"""Properties of restoration on any input: no crash, line breaks kept, idempotent, explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import diacritics

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
OCR_JUNK = "0123456789&¢€§@#%/-.,;:()“”'\"!?"
words = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + OCR_JUNK, min_size=1, max_size=8)
lines = st.lists(words, min_size=0, max_size=8).map(" ".join)
documents = st.lists(lines, min_size=1, max_size=5).map("\n".join)

SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(st.text(max_size=80))
def test_never_crashes_on_arbitrary_unicode_and_keeps_lines(text: str) -> None:
    out = diacritics.restore(text)
    assert out.count("\n") == text.count("\n")


@SLOW
@given(documents)
def test_keeps_line_count_on_ocr_like_text(text: str) -> None:
    assert diacritics.restore(text).count("\n") == text.count("\n")


@pytest.mark.parametrize(
    "text",
    [
        "cong tac bao ve, cham soc tre em nam 2021",
        "Cin cir Ké hoach sb 28/KH-SLDTBXH ngay 10/03/2021 cia S& Lao",
        "Ủy ban nhân dân xã xây dựng kế hoach tố Chức Tháng hành động vì tré em năm 2022.",
        "Ủy ban nhân dân huyện giao Phòng Lao động - Thương binh và Xã hội chủ trì.",
    ],
)
def test_restoring_restored_text_changes_nothing(text: str) -> None:
    once = diacritics.restore(text)
    assert diacritics.restore(once) == once


def test_explain_reports_changed_tokens_with_alternatives() -> None:
    result = diacritics.restore_explained("cong tac bao ve, cham soc tre em nam 2021")
    assert result.text == "công tác bảo vệ, chăm sóc trẻ em năm 2021"
    changed = {t.original: t for t in result.tokens if t.changed}
    assert set(changed) >= {"cong", "tac", "bao", "ve", "cham", "soc", "tre", "nam"}
    tre = changed["tre"]
    assert tre.chosen == "trẻ" and 0 < tre.confidence <= 1
    assert tre.alternatives and tre.alternatives[0][0] == "trẻ"
    probs = [p for _, p in tre.alternatives]
    assert probs == sorted(probs, reverse=True) and sum(probs) <= 1.0001
    assert result.regime["stripped"] > 0.5


def test_correct_text_comes_out_unchanged() -> None:
    text = "Căn cứ Kế hoạch số 28/KH-SLĐTBXH ngày 10/03/2021 của Sở Lao động - Thương binh và Xã hội"
    assert diacritics.restore(text) == text


def test_restoring_a_restored_english_ocr_document_changes_nothing() -> None:
    """A whole English-model OCR document (its regime's own rules: lone digits, the spelling look-up, the
    case of two-letter words) restored twice is what it is restored once."""
    sample = Path(__file__).parent.parent / "samples" / "text" / "district-2021.eng-ocr.txt"
    once = diacritics.restore(sample.read_text(encoding="utf-8"))
    assert diacritics.restore(once) == once
