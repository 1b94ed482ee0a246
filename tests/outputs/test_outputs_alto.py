"""ALTO 4.4 output, validated against the ALTO 4.4 schema (``tests/data/alto/alto-4-4.xsd``, the ALTO
Editorial Board's file as published; see the README beside it), and its content: restored words, the OCR's
word as ALTERNATIVE, boxes and confidences.

The records are a drawn two-page scan (``conftest.py``), a recorded Tesseract page of a real scan
(``tests/data/tesseract/qd_729_top.vie.tsv``), a born-digital page without word boxes, an English-model OCR
page whose accents restoration puts back, and words with characters XML must escape or cannot hold.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ocr_pipeline.imaging.engines import lines_from_tsv
from ocr_pipeline.imaging.page import Mark, PageImage, PageLayout, PageOcr
from ocr_pipeline.models import Document, PageResult
from ocr_pipeline.options import ProcessOptions
from ocr_pipeline.outputs.alto import ALTO_NS, SCHEMA_VERSION, alto_bytes, write_alto
from ocr_pipeline.outputs.geometry import WordBox
from ocr_pipeline.pipeline import finish_document
from tools.bench.outputs import ALTO_XSD, alto_errors, alto_schema

NS = {"a": ALTO_NS}
Q = f"{{{ALTO_NS}}}"
DATA = Path(__file__).parents[1] / "data"
RECORDED_TSV = DATA / "tesseract" / "qd_729_top.vie.tsv"
SAMPLES = Path(__file__).parents[2] / "samples"


@pytest.fixture(scope="module")
def schema() -> Any:
    return alto_schema()


def assert_valid(data: bytes, schema: Any) -> None:
    errors = alto_errors(data, schema)
    assert errors == [], "\n".join(errors[:10])


def parse(doc: Document) -> ET.Element:
    return ET.fromstring(alto_bytes(doc))


def children(element: ET.Element) -> list[str]:
    return [c.tag.removeprefix(Q) for c in element]


def recorded_page(number: int) -> PageResult:
    """The recorded Tesseract page (2505×1060 px, 300 dpi) as the OCR stage hands it on, with a stamp."""
    ocr = PageOcr(lines=lines_from_tsv(RECORDED_TSV.read_text(encoding="utf-8")), lang="vie")
    image = PageImage(
        number=number,
        image=np.full((1060, 2505), 255, np.uint8),
        dpi=300,
        ocr=ocr,
        layout=PageLayout(marks=(Mark("stamp", (1700, 300, 400, 400)),)),
    )
    return PageResult.from_page(image)


def born_digital_page(number: int) -> PageResult:
    """A page whose text came from the PDF's text layer: no word boxes."""
    text = "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\nNơi nhận:\n- Như Điều 3;"
    return PageResult(number=number, raw_text=text, source="text_layer", dpi=150, image_size=(1240, 1754))


def english_ocr_page(number: int) -> PageResult:
    """A page of the English-model OCR of the 2021 plan (accents mangled), words on a plain grid of boxes."""
    lines = (SAMPLES / "text" / "district-2021.eng-ocr.txt").read_text(encoding="utf-8").split("\n")[20:32]
    words = [
        [
            WordBox(w, 80.0 + i % 7, 100 + 140 * i, 120 + 40 * n, 120, 30, block=1 + n // 6)
            for i, w in enumerate(ln.split())
        ]
        for n, ln in enumerate(lines)
    ]
    return PageResult(
        number=number,
        mean_confidence=82.5,
        lang="eng",
        raw_text="\n".join(lines),
        line_confidences=[[w.confidence for w in line] for line in words],
        dpi=150,
        image_size=(1240, 1754),
        words=words,
    )


@pytest.fixture(scope="module")
def multi_page() -> Document:
    """Three pages through the document stages (restoration, segmentation): recorded, born-digital,
    English."""
    pages = [recorded_page(1), born_digital_page(2), english_ocr_page(3)]
    return finish_document("qd_729_ttg.pdf", pages, ProcessOptions())


def test_the_drawn_scan_is_valid_alto(scanned, schema) -> None:
    data = alto_bytes(scanned.document)
    assert_valid(data, schema)
    root = ET.fromstring(data)
    assert root.get("SCHEMAVERSION") == SCHEMA_VERSION == "4.4"
    location = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", "").split()
    assert location == [ALTO_NS, "http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"]
    assert [p.get("PHYSICAL_IMG_NR") for p in root.iterfind("a:Layout/a:Page", NS)] == ["1", "2"]


def test_a_multi_page_record_is_valid_alto(multi_page, schema) -> None:
    data = alto_bytes(multi_page)
    assert_valid(data, schema)
    pages = ET.fromstring(data).findall("a:Layout/a:Page", NS)
    assert [p.get("PHYSICAL_IMG_NR") for p in pages] == ["1", "2", "3"]
    # every restored word of the scanned pages is a String, in reading order, with its box and confidence
    for page, element in zip(multi_page.pages, pages, strict=True):
        strings = list(element.iter(f"{Q}String"))
        assert [s.get("CONTENT") for s in strings] == (page.text.split() if page.words else [])
        assert all(0 <= float(s.get("WC", "nan")) <= 1 for s in strings)
        assert (element.get("WIDTH"), element.get("HEIGHT")) == tuple(str(v) for v in page.image_size or ())


def test_a_page_without_word_boxes_is_an_empty_page(multi_page) -> None:
    born_digital = parse(multi_page).findall("a:Layout/a:Page", NS)[1]
    assert born_digital.get("ID") == "p2" and children(born_digital) == []
    assert "PC" not in born_digital.attrib


def test_the_recorded_real_page_keeps_tesseracts_blocks_and_confidences(multi_page) -> None:
    page = parse(multi_page).find("a:Layout/a:Page", NS)
    assert page is not None and children(page) == ["PrintSpace"]
    blocks = page.findall("a:PrintSpace/a:TextBlock", NS)
    # a TextBlock per run of lines in one Tesseract block, in reading order
    runs = [
        key for key, _ in itertools.groupby(line[0].block for line in multi_page.pages[0].words or [] if line)
    ]
    assert len(runs) > 1 and len(blocks) == len(runs)
    assert page.get("PC") == f"{(multi_page.pages[0].mean_confidence or 0) / 100:.4f}"
    first = (multi_page.pages[0].words or [[]])[0][0]
    string = page.find(".//a:String", NS)
    assert string is not None
    assert [string.get(k) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT", "WC")] == [
        str(first.left),
        str(first.top),
        str(first.width),
        str(first.height),
        f"{first.confidence / 100:.2f}",
    ]


def test_restored_words_carry_the_ocr_word_as_alternative(multi_page) -> None:
    english = parse(multi_page).findall("a:Layout/a:Page", NS)[2]
    strings = list(english.iter(f"{Q}String"))
    changed = [s for s in strings if s.find("a:ALTERNATIVE", NS) is not None]
    assert len(changed) >= len(strings) // 4  # the English model dropped most accents
    ocr_words = multi_page.pages[2].raw_text.split()
    for string, ocr_word in zip(strings, ocr_words, strict=True):
        alternatives = string.findall("a:ALTERNATIVE", NS)
        if string.get("CONTENT") == ocr_word:
            assert alternatives == []
        else:
            assert [(a.get("PURPOSE"), a.text) for a in alternatives] == [("ocr", ocr_word)]


def test_content_is_restored_with_the_ocr_word_as_alternative(scanned) -> None:
    root = parse(scanned.document)
    strings = list(root.iter(f"{Q}String"))
    words = [w for page in scanned.document.pages for line in page.text.split("\n") for w in line.split()]
    assert [s.get("CONTENT") for s in strings] == words
    by_content = {s.get("CONTENT"): s for s in strings}
    assert by_content["đuối"].findtext("a:ALTERNATIVE", namespaces=NS) == "duoi"
    assert by_content["đuối"].find("a:ALTERNATIVE", NS).get("PURPOSE") == "ocr"
    assert by_content["em"].find("a:ALTERNATIVE", NS) is None  # unchanged word
    first = scanned.document.pages[0].words[0][0]
    kế = strings[0]
    assert (int(kế.get("HPOS")), int(kế.get("VPOS")), int(kế.get("WIDTH"))) == (
        first.left,
        first.top,
        first.width,
    )


#: (restored line, OCR line): markup characters, quotes, NFD Vietnamese, and characters XML cannot hold
ODD_LINES = [
    ('Công văn số 12/UBND-VP & "khẩn" <ghi chú> it\'s', 'Cong van so 12/UBND-VP & "khan" <ghi chu> it\'s'),
    ("]]> --> <!-- Vie\u0302\u0323t a\x01b", "]]> --> <!-- Viet a\x01b"),
    ("\ud800x Điều\x0c 5 \ufeffđ", "\ud800x Dieu\x0c 5 \ufeffd"),
]


def odd_document() -> Document:
    words = []
    for n, (restored, ocr) in enumerate(ODD_LINES):
        words.append([WordBox(w, 90.0, 50 + 100 * i, 60 * n, 90, 40) for i, w in enumerate(ocr.split())])
        assert len(restored.split()) == len(ocr.split())
    page = PageResult(
        number=1,
        mean_confidence=90.0,
        raw_text="\n".join(o for _, o in ODD_LINES),
        text="\n".join(r for r, _ in ODD_LINES),
        image_size=(800, 300),
        words=words,
    )
    return Document(source="/in/a&b <c>\x07.pdf", pages=[page], text=page.text)


def test_odd_characters_are_escaped_or_replaced_and_the_file_stays_valid(schema) -> None:
    data = alto_bytes(odd_document())
    assert_valid(data, schema)
    root = ET.fromstring(data)
    assert root.findtext(".//a:fileName", namespaces=NS) == "a&b <c>\ufffd.pdf"

    def xml_safe(text: str) -> str:
        return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", "\ufffd", text)

    strings = list(root.iter(f"{Q}String"))
    restored = [xml_safe(w) for line, _ in ODD_LINES for w in line.split()]
    ocr = [xml_safe(w) for _, line in ODD_LINES for w in line.split()]
    assert [s.get("CONTENT") for s in strings] == restored
    assert [
        s.findtext("a:ALTERNATIVE", default=c, namespaces=NS) for s, c in zip(strings, restored, strict=True)
    ] == ocr
    assert "&amp;" in data.decode() and "&lt;ghi" in data.decode() and "&quot;khẩn&quot;" in data.decode()


def test_confidences_outside_tesseracts_range_stay_within_the_schemas(schema) -> None:
    boxes = [
        WordBox(w, c, 10 + 60 * i, 10, 50, 20)
        for i, (w, c) in enumerate(zip("abcd", (-1.0, 0.0, 100.0, 100.5), strict=True))
    ]
    page = PageResult(number=7, mean_confidence=100.5, raw_text="a b c d", text="a b c d", words=[boxes])
    doc = Document(source="", pages=[page], text=page.text)
    data = alto_bytes(doc)
    assert_valid(data, schema)
    root = ET.fromstring(data)
    assert [s.get("WC") for s in root.iter(f"{Q}String")] == [None, "0.00", "1.00", "1.00"]
    assert root.find("a:Layout/a:Page", NS).get("PC") == "1.0000"  # type: ignore[union-attr]
    assert root.find("a:Description/a:sourceImageInformation", NS) is None  # no file name to give


def _drop_content(root: ET.Element) -> None:
    del next(root.iter(f"{Q}String")).attrib["CONTENT"]


def _space_first(root: ET.Element) -> None:
    line = next(root.iter(f"{Q}TextLine"))
    space = line.find("a:SP", NS)
    assert space is not None
    line.remove(space)
    line.insert(0, space)


def _alternative_as_attribute(root: ET.Element) -> None:
    next(root.iter(f"{Q}String")).set("ALTERNATIVE", "KE")


def _confidence_as_percent(root: ET.Element) -> None:
    next(root.iter(f"{Q}String")).set("WC", "91")


def _page_without_number(root: ET.Element) -> None:
    del next(root.iter(f"{Q}Page")).attrib["PHYSICAL_IMG_NR"]


def _duplicate_id(root: ET.Element) -> None:
    lines = list(root.iter(f"{Q}TextLine"))
    lines[1].set("ID", lines[0].get("ID", ""))


def _layout_before_description(root: ET.Element) -> None:
    description = root.find("a:Description", NS)
    assert description is not None
    root.remove(description)
    root.append(description)


def _no_measurement_unit(root: ET.Element) -> None:
    description = root.find("a:Description", NS)
    assert description is not None
    description.remove(description.find("a:MeasurementUnit", NS))  # type: ignore[arg-type]


def _bad_xlink_type(root: ET.Element) -> None:
    next(root.iter(f"{Q}TextBlock")).set("{http://www.w3.org/1999/xlink}type", "extended")


@pytest.mark.parametrize(
    ("breaking", "reported"),
    [
        (_drop_content, "'CONTENT' is required"),
        (_space_first, "'{ns}SP': This element is not expected"),
        (_alternative_as_attribute, "attribute 'ALTERNATIVE' is not allowed"),
        (_confidence_as_percent, "attribute 'WC'"),
        (_page_without_number, "'PHYSICAL_IMG_NR' is required"),
        (_duplicate_id, "'p1_l1' is not a valid value"),
        (_layout_before_description, "'{ns}Description': This element is not expected"),
        (_no_measurement_unit, "Expected is ( {ns}MeasurementUnit )"),
        # the local XLink schema is in force: simpleLink fixes xlink:type to "simple"
        (_bad_xlink_type, "fixed value constraint 'simple'"),
    ],
)
def test_the_validator_rejects_broken_alto(
    scanned, schema, breaking: Callable[[ET.Element], None], reported: str
) -> None:
    root = ET.fromstring(alto_bytes(scanned.document))
    assert alto_errors(ET.tostring(root, encoding="utf-8"), schema) == []
    breaking(root)
    errors = alto_errors(ET.tostring(root, encoding="utf-8"), schema)
    assert errors, f"{breaking.__name__} was accepted"
    assert reported.format(ns=Q) in errors[0]


def test_the_validator_accepts_a_simple_xlink_and_rejects_ill_formed_xml(scanned, schema) -> None:
    root = ET.fromstring(alto_bytes(scanned.document))
    next(root.iter(f"{Q}TextBlock")).set("{http://www.w3.org/1999/xlink}type", "simple")
    assert alto_errors(ET.tostring(root, encoding="utf-8"), schema) == []
    assert alto_errors(alto_bytes(scanned.document)[:-40], schema)[0].startswith("not well-formed")


def test_the_schema_is_kept_as_published() -> None:
    readme = (ALTO_XSD.parent / "README.md").read_text(encoding="utf-8")
    recorded = re.search(r"SHA-256[^`]*`([0-9a-f]{64})`", readme)
    assert recorded is not None
    assert hashlib.sha256(ALTO_XSD.read_bytes()).hexdigest() == recorded.group(1)


def test_no_alto_without_word_boxes(tmp_path: Path) -> None:
    from ocr_pipeline.pipeline import process_text

    doc = process_text("một văn bản", options=None)
    assert not write_alto(doc, tmp_path / "x.alto.xml")
    assert not (tmp_path / "x.alto.xml").exists()
