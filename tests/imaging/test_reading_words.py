"""Word-level reading rules of the zone OCR: doubled D-with-stroke, short words between confident ones."""

from __future__ import annotations

import pytest

from ocr_pipeline.imaging.page import OcrWord
from ocr_pipeline.imaging.reading import _flanked_words, filled_blanks, outsize_digits, printed_word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GD&ĐÐT", "GD&ĐT"),
        ("TGĐÐ", "TGĐ"),
        ("GD&ĐÐĐT", "GD&ĐT"),
        ("/2026/QĐÐ-UBND", "/2026/QĐ-UBND"),
        ("ĐĐBQH", "ĐĐBQH"),  # two real capitals Đ, no eth: kept
        ("Ðà", "Đà"),
    ],
)
def test_a_d_with_stroke_read_twice_is_one(text: str, expected: str) -> None:
    word = printed_word(OcrWord(text=text, confidence=90))
    assert word is not None and word.text == expected


def _line(*words: tuple[str, float]) -> list[OcrWord]:
    return [OcrWord(text=t, confidence=c) for t, c in words]


def test_a_short_abbreviation_between_confident_words_is_kept() -> None:
    words = _line(("Lưu:", 96), ("VT,", 14), ("QHĐP", 82))
    read = [printed_word(w) for w in words]
    assert read[1] is None
    assert [w.text if w else None for w in _flanked_words(words, read, "vie")] == ["Lưu:", "VT,", "QHĐP"]


@pytest.mark.parametrize(
    "line",
    [
        (("Lưu:", 96), ("VT,", 14), ("QHĐP", 50)),  # a neighbour read without confidence
        (("Như", 96), ("trên;", 96), ("XI", 10)),  # a seal's letters at the line's end
        (("Công", 96), ("T", 12), ("hương.", 80)),  # a single letter: a broken word's piece
        (("của", 96), (":!6ộ", 5), ("Nông", 90)),  # not an abbreviation's shape
    ],
)
def test_other_dropped_words_stay_dropped(line: tuple[tuple[str, float], ...]) -> None:
    words = _line(*line)
    read = [printed_word(w) for w in words]
    assert _flanked_words(words, read, "vie") == read


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Hà Nội, ngày23 tháng 4 năm 2026", "Hà Nội, ngày 23 tháng 4 năm 2026"),
        ("Hà Nội, ngày,24 tháng 4 năm 2026", "Hà Nội, ngày 24 tháng 4 năm 2026"),
        ("Hà Nội, ngày22tháng 4 năm 2026", "Hà Nội, ngày 22 tháng 4 năm 2026"),
        ("Số: 729 /QĐ-TTg", "Số: 729/QĐ-TTg"),
        ("Số: 2 1 /2026/TT-BCT", "Số: 21/2026/TT-BCT"),
        ("Số: /QĐ-TTg", "Số: /QĐ-TTg"),  # an empty blank stays empty
        ("Số: 115/NQ-CP", "Số: 115/NQ-CP"),
        ("Hà Nội, ngày 29 tháng 4 năm 2026", "Hà Nội, ngày 29 tháng 4 năm 2026"),
    ],
)
def test_digits_in_the_blanks_are_set_as_printed(line: str, expected: str) -> None:
    words = tuple(OcrWord(text=t, confidence=90, left=40 * i, width=30) for i, t in enumerate(line.split()))
    filled = filled_blanks(words)
    assert " ".join(w.text for w in filled) == expected
    assert all(w.width > 0 for w in filled)


def test_a_zone_is_marked_when_a_seal_or_a_signature_overlaps_it() -> None:
    from ocr_pipeline.imaging.page import Mark
    from ocr_pipeline.imaging.reading import _marked

    zone = (100, 100, 200, 100)
    assert _marked(zone, (Mark("seal", (250, 150, 100, 100)),))
    assert _marked(zone, (Mark("handwriting", (50, 50, 60, 60)),))
    assert not _marked(zone, (Mark("stamp", (150, 150, 50, 50)),))  # a stamp's box is painted whole
    assert not _marked(zone, (Mark("seal", (400, 100, 100, 100)),))


@pytest.mark.parametrize("note", ["(t/h);", "(th);", "(b/c)", "(p/h),"])
def test_a_purpose_note_at_a_line_end_after_a_confident_word_is_kept(note: str) -> None:
    words = _line(("6", 96), ("thôn", 96), (note, 3))
    read = [printed_word(w) for w in words]
    assert read[2] is None
    assert [w.text if w else None for w in _flanked_words(words, read, "vie")] == ["6", "thôn", note]


@pytest.mark.parametrize(
    "line",
    [
        (("6", 96), ("thôn", 40), ("(t/h);", 3)),  # after a word read without confidence
        (("trên;", 96), ("(XI", 3)),  # a seal's capitals
        (("(t/h);", 3),),  # alone on its line
    ],
)
def test_other_line_end_words_stay_dropped(line: tuple[tuple[str, float], ...]) -> None:
    words = _line(*line)
    read = [printed_word(w) for w in words]
    assert _flanked_words(words, read, "vie") == read


@pytest.mark.parametrize("text", ["ˆ", "˜", "ˆ,"])
def test_an_accent_read_alone_is_soup(text: str) -> None:
    # tt_21 p1 and p2: specks read as a lone circumflex (U+02C6) at 50 and 72
    assert printed_word(OcrWord(text=text, confidence=72)) is None


def test_a_spacing_accent_inside_a_word_is_cut_off() -> None:
    word = printed_word(OcrWord(text="Tânˆ", confidence=80))
    assert word is not None and word.text == "Tân"


@pytest.mark.parametrize(
    ("text", "confidence", "height", "outsize"),
    [
        ("4", 62, 95, True),  # nq_115 p1: a dotted stamp over `QUYẾT NGHỊ` read as `4`
        ("4", 62, 70, True),  # qd_707 p1: a stroke in the title read as `4`
        ("4", 37, 57, True),
        ("26", 90, 66, False),  # printed digits with a speck above: read surely
        ("4", 62, 41, False),  # a printed digit's height
        ("4.", 40, 90, False),  # a label, not a bare number
        ("445", 40, 90, False),
    ],
)
def test_outsize_digits(text: str, confidence: float, height: int, outsize: bool) -> None:
    word = OcrWord(text=text, confidence=confidence, width=30, height=height)
    assert outsize_digits(word, 300) is outsize


def test_the_semicolon_reread_takes_the_word_where_the_crop_s_word_lies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # qd_729 p1: `eng` read the crop of `Nẵng,` as `a Nang;` and the next line's tails in its margin as
    # `N. cac P` (recorded reading, boxes as on the strip); the row's last word was `P`
    import numpy as np

    from ocr_pipeline.imaging import engines, reading
    from ocr_pipeline.imaging.page import OcrLine, PageOcr

    strip_reading = PageOcr(
        (
            OcrLine(
                (
                    OcrWord("a", 40, left=12, top=30, width=10, height=20),
                    OcrWord("Nang;", 80, left=30, top=18, width=80, height=45),
                )
            ),
            OcrLine(
                tuple(
                    OcrWord(t, 10, left=60 + 30 * k, top=64, width=25, height=12)
                    for k, t in enumerate(["N.", "cac", "P"])
                )
            ),
            OcrLine((OcrWord("dan,", 85, left=30, top=132, width=80, height=45),)),
        ),
        "eng",
    )
    monkeypatch.setattr(engines, "installed_languages", lambda: ("eng", "vie"))
    monkeypatch.setattr(engines, "ocr_page", lambda *args, **kwargs: strip_reading)
    image = np.full((400, 600), 255, dtype=np.uint8)
    lines = [
        OcrLine(
            (
                OcrWord("Thành", 90, left=100, top=100, width=100, height=50),
                OcrWord("Nẵng,", 90, left=220, top=100, width=80, height=50),
            )
        ),
        OcrLine((OcrWord("dán,", 90, left=220, top=200, width=80, height=50),)),
    ]
    fixed = reading._semicolons(image, lines, 300, 0)
    assert [ln.text for ln in fixed] == ["Thành Nẵng;", "dán,"]


def _placed(*words: tuple[str, float, int, int]) -> list[OcrWord]:
    return [OcrWord(text=t, confidence=c, left=x, width=w, height=30) for t, c, x, w in words]


@pytest.mark.parametrize("marker", ["-", "–", "+"])
def test_a_list_dash_opening_a_line_before_a_confident_capital_is_kept(marker: str) -> None:
    # lang-son p12 (synthetic): `- Phòng …` in the Nơi nhận list, the dash read at confidence 0
    words = _placed((marker, 0, 100, 12), ("Phòng", 93, 130, 90), ("GD&ĐT;", 91, 230, 100))
    read = [printed_word(w) for w in words]
    assert read[0] is None
    assert [w.text if w else None for w in _flanked_words(words, read, "vie")] == [marker, "Phòng", "GD&ĐT;"]


@pytest.mark.parametrize(
    "line",
    [
        (("-", 0, 100, 12), ("Phòng", 40, 130, 90)),  # the next word not confident
        (("-", 0, 100, 12), ("phòng", 93, 130, 90)),  # not a capital: a broken word, not an item
        (("-", 0, 100, 12), ("Phòng", 93, 400, 90)),  # far from it: a stroke of a mark
        (("~", 0, 100, 12), ("Phòng", 93, 130, 90)),  # not a list marker
    ],
)
def test_other_line_opening_marks_stay_dropped(line: tuple[tuple[str, float, int, int], ...]) -> None:
    words = _placed(*line)
    read = [printed_word(w) for w in words]
    assert _flanked_words(words, read, "vie") == read
