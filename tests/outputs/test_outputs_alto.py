"""ALTO 4 output, checked against the ALTO 4.4 schema's rules for the elements vnocr writes.

The XSD itself is not vendored (see the README's ALTO section): this test checks the content model of
the schema by hand — namespace, element order, required attributes, ID uniqueness and value ranges.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

from ocr_pipeline.outputs.alto import ALTO_NS, alto_bytes, write_alto

NS = {"a": ALTO_NS}
Q = f"{{{ALTO_NS}}}"


def parse(doc) -> ET.Element:
    return ET.fromstring(alto_bytes(doc))


def children(element: ET.Element) -> list[str]:
    return [c.tag.removeprefix(Q) for c in element]


def test_alto_follows_the_schema_structure(scanned) -> None:
    root = parse(scanned.document)
    assert root.tag == f"{Q}alto" and root.get("SCHEMAVERSION") == "4.4"
    assert children(root) == ["Description", "Layout"]
    assert children(root.find("a:Description", NS))[0] == "MeasurementUnit"
    assert root.findtext("a:Description/a:MeasurementUnit", namespaces=NS) == "pixel"
    ids = [e.get("ID") for e in root.iter() if e.get("ID") is not None]
    assert len(ids) == len(set(ids)) and all(i[0].isalpha() for i in ids)  # xsd:ID
    pages = root.findall("a:Layout/a:Page", NS)
    assert [p.get("PHYSICAL_IMG_NR") for p in pages] == ["1", "2"]
    for page in pages:
        assert children(page) == ["PrintSpace"]
        for block in page.iter(f"{Q}TextBlock"):
            assert all(block.get(k) is not None for k in ("ID", "HPOS", "VPOS", "WIDTH", "HEIGHT"))
            assert set(children(block)) == {"TextLine"}
        for line in page.iter(f"{Q}TextLine"):
            kinds = children(line)
            assert kinds[0] == "String" and kinds[-1] == "String"
            assert all(a != b for a, b in itertools.pairwise(kinds))  # String (SP String)*
        for string in page.iter(f"{Q}String"):
            assert string.get("CONTENT")
            assert 0 <= float(string.get("WC", "0")) <= 1
            assert set(children(string)) <= {"ALTERNATIVE"}


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


def test_no_alto_without_word_boxes(tmp_path: Path) -> None:
    from ocr_pipeline.pipeline import process_text

    doc = process_text("một văn bản", options=None)
    assert not write_alto(doc, tmp_path / "x.alto.xml")
    assert not (tmp_path / "x.alto.xml").exists()
