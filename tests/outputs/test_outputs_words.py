"""Restored words onto OCR word boxes, and OCR boxes back onto the page as scanned."""

from __future__ import annotations

import numpy as np
import pytest

from ocr_pipeline.imaging.deskew import rotate_image
from ocr_pipeline.imaging.orientation import rotate_right_angle
from ocr_pipeline.imaging.page import OcrWord
from ocr_pipeline.models import PageResult
from ocr_pipeline.outputs.geometry import PageGeometry, WordBox
from ocr_pipeline.outputs.words import place_line, place_page


def boxes(*texts: str) -> list[WordBox]:
    return [WordBox(t, 90.0, 100 * i, 10, 80, 30) for i, t in enumerate(texts)]


def test_same_word_count_pairs_word_for_word() -> None:
    line = place_line("Đuối nước ở sông", boxes("Duoi", "nuoc", "ở", "song"))
    assert line is not None and not line.spread
    assert [(w.text, w.ocr_text, w.box.left) for w in line.words] == [
        ("Đuối", "Duoi", 0),
        ("nước", "nuoc", 100),
        ("ở", "ở", 200),
        ("sông", "song", 300),
    ]
    assert [w.changed for w in line.words] == [True, True, False, True]


def test_count_mismatch_spreads_words_over_the_line_box() -> None:
    line = place_line("thực hiện nhiệm vụ", boxes("thuchien", "nhiem", "vu"))  # OCR merged two words
    assert line is not None and line.spread
    lefts = [w.box.left for w in line.words]
    assert lefts == sorted(lefts) and lefts[0] == 0
    assert line.words[-1].box.left + line.words[-1].box.width <= 280
    assert not any(w.changed for w in line.words) and all(w.ocr_text == "" for w in line.words)


def test_empty_lines_are_left_out() -> None:
    page = PageResult(number=1, raw_text="a b\n\nc", text="á b\n\nc", words=[boxes("a", "b"), [], boxes("c")])
    assert [len(line.words) for line in place_page(page)] == [2, 1]


def ink_box(image: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(image < 128)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


@pytest.mark.parametrize(("turn", "skew"), [(0, 0.0), (0, 2.5), (90, -1.5), (180, -2.0), (270, 3.0)])
def test_box_maps_back_through_the_image_stages(turn: int, skew: float) -> None:
    source = np.full((400, 300), 255, np.uint8)
    source[120:150, 60:200] = 0  # a "word" on the page as scanned
    turned = rotate_right_angle(source, turn)
    processed = rotate_image(turned, -skew) if skew else turned  # what the deskew stage does
    left, top, right, bottom = ink_box(processed)
    geometry = PageGeometry((300, 400), (processed.shape[1], processed.shape[0]), turn, skew)
    box = geometry.word_box(OcrWord("w", 90, left, top, right - left, bottom - top))
    expected = (60, 120, 200, 150)
    slack = 3 + 140 * abs(np.sin(np.radians(skew)))  # the box around a rotated box is larger
    got = (box.left, box.top, box.left + box.width, box.top + box.height)
    assert all(abs(g - e) <= slack for g, e in zip(got, expected, strict=True)), got


def test_page_result_keeps_word_boxes_per_raw_text_line() -> None:
    from ocr_pipeline.imaging.page import OcrLine, PageImage, PageOcr

    def word(text: str, left: int) -> OcrWord:
        return OcrWord(text, 90, left, 10, 30, 20, block=1)

    lines = (OcrLine(()), OcrLine((word("a", 0), word("b", 50))), OcrLine(()), OcrLine((word("c", 0),)))
    page = PageImage(number=1, image=np.zeros((400, 300), np.uint8), rotation=180, ocr=PageOcr(lines, "vie"))
    result = PageResult.from_page(page, source_size=(300, 400))
    assert result.raw_text.split("\n") == ["a b", "", "c"]
    assert result.words is not None and [[w.text for w in line] for line in result.words] == [
        ["a", "b"],
        [],
        ["c"],
    ]
    assert result.image_size == (300, 400) and result.words[0][0].left == 300 - 30  # turned back
    record = result.to_dict()
    assert record["image_size"] == [300, 400]
    # the record holds the boxes on the page as scanned, one object a word, with its line of raw_text
    assert [(w["line"], w["text"]) for w in record["words"]] == [(1, "a"), (1, "b"), (3, "c")]
    assert record["words"][0]["box"][0] == result.words[0][0].left
