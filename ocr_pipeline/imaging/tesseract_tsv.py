"""Tesseract's TSV output read into OCR lines: as pytesseract reads it (``image_to_data``), and, for the TSV
the library gives in the process, by its word rows alone with the same result."""

from __future__ import annotations

from typing import Any

from .page import OcrLine, OcrWord
from .tesseract_api import TSV_HEADER


def lines_from_tsv(tsv: str) -> tuple[OcrLine, ...]:
    """Lines of a Tesseract TSV output (``tesseract IMAGE out tsv``), as ``engines.ocr_page`` makes them."""
    rows = [row.split("\t") for row in tsv.splitlines() if row]
    header, body = rows[0], rows[1:]
    data: dict[str, list[Any]] = {name: [] for name in header}
    for row in body:
        row = (row + [""] * len(header))[: len(header)]  # a trailing empty text column may be cut
        for name, value in zip(header, row, strict=True):
            data[name].append(value)
    return lines_from_data(data)


def lines_from_data(data: dict[str, list[Any]]) -> tuple[OcrLine, ...]:
    """Group ``image_to_data`` rows into lines, with an empty line between paragraphs."""
    lines: list[OcrLine] = []
    current: list[OcrWord] = []
    current_key: tuple[int, int, int] | None = None
    last_par: tuple[int, int] | None = None
    for i, text in enumerate(data["text"]):
        if int(data["level"][i]) != 5:
            continue
        text = str(text).strip()
        if not text:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        if key != current_key:
            if current:
                lines.append(OcrLine(tuple(current)))
            current = []
            par = key[:2]
            if last_par is not None and par != last_par:
                lines.append(OcrLine(()))  # paragraph break
            last_par = par
            current_key = key
        current.append(
            OcrWord(
                text=text,
                confidence=float(data["conf"][i]),
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
                block=key[0],
                paragraph=key[1],
                line=key[2],
            )
        )
    if current:
        lines.append(OcrLine(tuple(current)))
    return tuple(lines)


def tsv_to_dict(tsv: str) -> dict[str, list[Any]]:
    """A TSV's columns as pytesseract's ``image_to_data`` gives them (``Output.DICT``)."""
    import pytesseract

    data: dict[str, list[Any]] = pytesseract.pytesseract.file_to_dict(tsv, "\t", -1)
    return data


#: Columns of a TSV row as Tesseract writes them (:data:`.TSV_HEADER`).
_TSV_COLUMNS = TSV_HEADER.rstrip("\n").split("\t")


def lines_from_library_tsv(tsv: str) -> tuple[OcrLine, ...]:
    """The lines of a TSV from :func:`.tesseract_api.read_tsv`, as :func:`tsv_to_dict` and
    :func:`lines_from_data` make them, reading only the rows of words with text (other rows, most of a
    page's, are skipped unparsed). Any row not as Tesseract writes it sends the whole TSV the long way."""
    rows = tsv.strip().split("\n")
    if len(rows) < 2:
        return ()
    if rows[0].split("\t") != _TSV_COLUMNS:
        return lines_the_long_way(tsv)
    columns = len(_TSV_COLUMNS)
    words: dict[str, list[Any]] = {name: [] for name in _TSV_COLUMNS}
    try:
        for number, row in enumerate(rows[1:], start=2):
            cells = row.split("\t")
            if len(cells) != columns:
                if number == len(rows) and len(cells) == columns - 1:
                    continue  # the last row without its empty text cell: no word (as pytesseract mends it)
                return lines_the_long_way(tsv)
            if cells[0] != "5" or not cells[-1].strip():
                continue
            for name, cell in zip(_TSV_COLUMNS[:-1], cells, strict=False):
                words[name].append(int(float(cell)))  # as pytesseract reads a number cell
            words["text"].append(cells[-1])
    except ValueError:
        return lines_the_long_way(tsv)
    return lines_from_data(words)


def lines_the_long_way(tsv: str) -> tuple[OcrLine, ...]:
    """The lines of a TSV read whole as pytesseract reads it (every row, every column)."""
    data = tsv_to_dict(tsv)
    return lines_from_data(data) if data else ()
