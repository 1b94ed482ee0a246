"""The TSV → lines parser of the OCR engine wrapper, replayed on recorded Tesseract output (no Tesseract)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ocr_pipeline.imaging import tesseract_tsv
from ocr_pipeline.imaging.engines import lines_from_tsv

RECORDED = Path(__file__).parents[1] / "data" / "tesseract" / "qd_729_top.vie.tsv"


def _word_rows() -> list[dict[str, str]]:
    with RECORDED.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r for r in rows if r["level"] == "5" and r["text"].strip()]


def test_every_recorded_word_is_kept_once_in_reading_order() -> None:
    lines = lines_from_tsv(RECORDED.read_text(encoding="utf-8"))
    words = [w for line in lines for w in line.words]
    rows = _word_rows()
    assert [w.text for w in words] == [r["text"].strip() for r in rows]
    first, last = words[0], words[-1]
    assert (first.left, first.top, first.width, first.height) == tuple(
        int(rows[0][k]) for k in ("left", "top", "width", "height")
    )
    assert last.confidence == pytest.approx(float(rows[-1]["conf"]))


def test_lines_follow_tesseract_line_keys_with_a_break_between_paragraphs() -> None:
    lines = lines_from_tsv(RECORDED.read_text(encoding="utf-8"))
    rows = _word_rows()
    keys = list(dict.fromkeys((r["block_num"], r["par_num"], r["line_num"]) for r in rows))
    paragraphs = list(dict.fromkeys(k[:2] for k in keys))
    text_lines = [line for line in lines if line.words]
    assert len(text_lines) == len(keys)
    assert len(lines) - len(text_lines) == len(paragraphs) - 1  # one empty line between paragraphs
    for line in text_lines:
        assert len({(w.block, w.paragraph, w.line) for w in line.words}) == 1


def test_the_recorded_page_shows_the_merged_header_columns() -> None:
    # what real pages do to plain page OCR (issue 20): left and right header blocks on one line
    lines = [line.text for line in lines_from_tsv(RECORDED.read_text(encoding="utf-8"))]
    assert "THỦ TƯỚNG CHÍNH PHỦ CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines


def test_a_header_only_tsv_gives_no_lines() -> None:
    header = RECORDED.read_text(encoding="utf-8").splitlines()[0]
    assert lines_from_tsv(header + "\n") == ()


def _variants() -> list[str]:
    """The recorded TSV, and as it might come: its last row without the empty text cell, a word row at the
    end, confidences with decimals, a row not as Tesseract writes it."""
    recorded = RECORDED.read_text(encoding="utf-8")
    header, *rows = recorded.rstrip("\n").split("\n")
    word = next(row for row in rows if row.startswith("5\t"))
    cells = word.split("\t")
    decimals = "\t".join([*cells[:10], "91.75", cells[11]])
    negative = "\t".join([*cells[:10], "-0.5", cells[11]])
    empty_last = "\t".join([*cells[:11]])
    return [
        recorded,
        "\n".join([header, *rows, empty_last]) + "\n",
        "\n".join([header, *rows, decimals, negative]),
        "\n".join([header, *rows[:5], "5\tx\t1", *rows[5:]]),
        header + "\n",
        "",
    ]


@pytest.mark.parametrize("index", range(len(_variants())))
def test_the_library_tsv_reader_makes_the_lines_pytesseract_makes(index: int) -> None:
    tsv = _variants()[index]
    data = tesseract_tsv.tsv_to_dict(tsv)
    assert tesseract_tsv.lines_from_library_tsv(tsv) == (tesseract_tsv.lines_from_data(data) if data else ())


def test_the_library_tsv_reader_reads_tesseracts_rows_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = tesseract_tsv.lines_the_long_way(RECORDED.read_text(encoding="utf-8"))

    def whole(tsv: str) -> None:
        raise AssertionError("read the long way")

    monkeypatch.setattr(tesseract_tsv, "tsv_to_dict", whole)
    assert tesseract_tsv.lines_from_library_tsv(RECORDED.read_text(encoding="utf-8")) == expected
