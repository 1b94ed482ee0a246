"""Handwritten digits in empty number and date blanks (:mod:`ocr_pipeline.imaging.blanks`)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr_pipeline.imaging import blanks
from ocr_pipeline.imaging.page import OcrWord

WORD_HEIGHT = 50
GAP = 150


def date_line(
    digit: str | None = None, scribble: bool = False, rule: bool = False
) -> tuple[np.ndarray, tuple[OcrWord, ...]]:
    """A synthetic ``ngày … tháng … năm`` line, its words as OCR returned them (both blanks empty), and
    optionally a handwriting-like digit, a scribble or a rule drawn in the month blank."""
    image = np.full((200, 900), 255, np.uint8)
    words = []
    x = 40
    for drawn, text, width in (("ngay", "ngày", 110), ("thang", "tháng", 130), ("nam", "năm", 100)):
        cv2.putText(image, drawn, (x, 110), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 0, 3)
        words.append(OcrWord(text, 95.0, x, 75, width, WORD_HEIGHT))
        x += width + GAP
    gap_x = words[1].left + words[1].width
    if digit:
        cv2.putText(image, digit, (gap_x + 40, 115), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.8, 0, 4)
    if scribble:
        points = [(30, 110), (60, 80), (75, 115), (100, 78), (110, 112)]
        cv2.polylines(image, [np.array([(gap_x + dx, y) for dx, y in points], np.int32)], False, 0, 4)
    if rule:
        cv2.line(image, (gap_x + 10, 120), (gap_x + 140, 120), 0, 2)
    return image, tuple(words)


def test_gaps_are_found_between_consecutive_anchors() -> None:
    _, words = date_line()
    assert [(g.field, g.insert_at) for g in blanks.find_gaps(words)] == [("day", 1), ("month", 2)]
    number = (OcrWord("Số:", 96, 10, 10, 60, 50), OcrWord("/QĐ-TTg", 90, 200, 12, 200, 48))
    assert [(g.field, g.box[0], g.box[2]) for g in blanks.find_gaps(number)] == [("number", 70, 130)]


def test_a_blank_with_a_word_read_in_it_is_no_gap() -> None:
    words = (
        OcrWord("ngày", 96, 0, 0, 100, 50),
        OcrWord("29", 90, 120, 0, 50, 50),
        OcrWord("tháng", 96, 200, 0, 120, 50),
    )
    assert blanks.find_gaps(words) == []


@pytest.mark.parametrize(
    ("field", "text", "plausible"),
    [
        ("month", "4", True),
        ("month", "13", False),
        ("day", "31", True),
        ("day", "0", False),
        ("number", "12345", True),
        ("number", "123456", False),
    ],
)
def test_reads_must_fit_their_blank(field: str, text: str, plausible: bool) -> None:
    assert blanks._plausible(field, text) is plausible


def test_a_gap_without_ink_stays_as_it_is() -> None:
    image, words = date_line()
    assert blanks.fill_gaps(image, words, "header_right", 300, 0, []) == (words, [])


def test_a_rule_in_a_gap_is_not_handwriting() -> None:
    image, words = date_line(rule=True)
    assert blanks.fill_gaps(image, words, "header_right", 300, 0, []) == (words, [])


@pytest.mark.tesseract
@pytest.mark.parametrize("digit", ["4", "12"])
def test_a_handwritten_month_is_read_into_the_line(digit: str) -> None:
    image, words = date_line(digit=digit)
    filled, records = blanks.fill_gaps(image, words, "header_right", 300, 0, [])
    assert [w.text for w in filled] == ["ngày", "tháng", digit, "năm"]
    assert [(r["field"], r["read"]) for r in records] == [("month", digit)]
    x, _, w, _ = records[0]["box"]
    assert words[1].left + words[1].width < x and x + w < words[2].left


@pytest.mark.tesseract
def test_unreadable_ink_in_a_gap_is_flagged_not_guessed() -> None:
    image, words = date_line(scribble=True)
    filled, records = blanks.fill_gaps(image, words, "header_right", 300, 0, [])
    assert filled == words
    assert [(r["field"], r["read"], r["reason"]) for r in records] == [
        ("month", None, "unreadable: handwriting or a stamp")
    ]


@pytest.mark.tesseract
def test_a_blank_already_recorded_is_completed_not_repeated() -> None:
    image, words = date_line(scribble=True)
    gap = blanks.find_gaps(words)[1]
    noted = {"zone": "header_right", "line": "x", "box": list(gap.box), "reason": "unreadable", "read": None}
    _, records = blanks.fill_gaps(image, words, "header_right", 300, 0, [noted])
    assert records == [{**noted, "field": "month"}]


@pytest.mark.tesseract
def test_a_dropped_word_box_is_read_from_its_ink_only() -> None:
    image, words = date_line(digit="7")
    gap = blanks.find_gaps(words)[1]
    word = blanks.read_box(image, gap.box, "month", 300, 0)
    assert word is not None and word.text == "7"
    assert gap.box[0] < word.left and word.left + word.width < gap.box[0] + gap.box[2]
    empty, _ = date_line()
    assert blanks.read_box(empty, gap.box, "month", 300, 0) is None


def test_a_speck_in_a_dropped_word_box_is_no_handwriting_beside_printed_words() -> None:
    image = np.full((200, 600), 255, np.uint8)
    cv2.putText(image, "9", (200, 112), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1)  # ink ~10 px high
    box = (190, 96, 30, 18)  # the dropped word's box, about as small as its ink
    # judged against the box itself the speck passes as a digit's stroke; against the line's printed words
    # (50 px) it is too small to be handwriting, and nothing is read (no Tesseract call needed)
    speck = blanks.Gap("number", (box[0] - 2, box[1], box[2] + 4, box[3]), 0, box[3])
    assert blanks.gap_ink(image, speck, 128) is not None
    assert blanks.read_box(image, box, "number", 300, 0, line_height=WORD_HEIGHT) is None
