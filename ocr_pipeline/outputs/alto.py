"""ALTO 4.4 ``x.alto.xml``: pages, blocks, lines and words with their boxes and confidences.

A word's ``CONTENT`` is the restored word; where restoration changed it, the OCR's word follows as an
``ALTERNATIVE`` (``PURPOSE="ocr"``). Coordinates are pixels of the page as scanned (the PDF page rendered at
the page's ``dpi``, or the input image), the same page the searchable PDF shows. Blocks are Tesseract's.
Every page of the document is a ``Page`` (one without word boxes, e.g. a born-digital page, is empty). The
file is valid against the ALTO 4.4 schema (``tests/data/alto/alto-4-4.xsd``, checked by the tests).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .._version import __version__
from ..models import Document
from ..textio import atomic_write_bytes
from .words import PlacedLine, place_page

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
SCHEMA_LOCATION = f"{ALTO_NS} http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_VERSION = "4.4"
#: Characters XML 1.0 cannot carry (C0 controls but tab, newline and return; lone surrogates; U+FFFE/U+FFFF).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML cannot hold replaced by U+FFFD (an OCR'd control character, say)."""
    return XML_ILLEGAL.sub("\ufffd", text)


def _ratio(percent: float, decimals: int) -> str | None:
    """A 0-100 confidence as ALTO's 0-1 value (None when unknown: negative, as Tesseract's -1, or NaN)."""
    if math.isnan(percent) or percent < 0:
        return None
    return f"{min(100.0, percent) / 100:.{decimals}f}"


def _q(name: str) -> str:
    """The ALTO-qualified tag name."""
    return f"{{{ALTO_NS}}}{name}"


def _box(element: ET.Element, left: float, top: float, width: float, height: float) -> None:
    element.set("HPOS", str(int(left)))
    element.set("VPOS", str(int(top)))
    element.set("WIDTH", str(int(width)))
    element.set("HEIGHT", str(int(height)))


def _block(parent: ET.Element, ident: str, lines: list[tuple[str, PlacedLine]]) -> None:
    boxes = [line.box for _, line in lines]
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
    block = ET.SubElement(parent, _q("TextBlock"), ID=ident, LANG="vi")
    _box(block, left, top, right - left, bottom - top)
    for line_id, line in lines:
        l_left, l_top, l_right, l_bottom = line.box
        element = ET.SubElement(block, _q("TextLine"), ID=line_id)
        _box(element, l_left, l_top, l_right - l_left, l_bottom - l_top)
        for index, word in enumerate(line.words):
            if index:
                previous = line.words[index - 1].box
                gap_left = previous.left + previous.width
                space = ET.SubElement(element, _q("SP"))
                space.set("HPOS", str(gap_left))
                space.set("VPOS", str(l_top))
                space.set("WIDTH", str(max(0, word.box.left - gap_left)))
            string = ET.SubElement(
                element, _q("String"), ID=f"{line_id}_w{index + 1}", CONTENT=xml_text(word.text)
            )
            box = word.box
            _box(string, box.left, box.top, box.width, box.height)
            confidence = _ratio(box.confidence, 2)
            if confidence is not None:
                string.set("WC", confidence)
            if word.changed:
                alternative = ET.SubElement(string, _q("ALTERNATIVE"), PURPOSE="ocr")
                alternative.text = xml_text(word.ocr_text)


def alto_tree(doc: Document) -> ET.ElementTree:
    """The document as an ALTO 4.4 element tree (a ``Page`` for every page; see the module)."""
    ET.register_namespace("", ALTO_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(
        _q("alto"), {f"{{{XSI_NS}}}schemaLocation": SCHEMA_LOCATION, "SCHEMAVERSION": SCHEMA_VERSION}
    )
    description = ET.SubElement(root, _q("Description"))
    ET.SubElement(description, _q("MeasurementUnit")).text = "pixel"
    file_name = xml_text(Path(doc.source).name)
    if file_name:
        source = ET.SubElement(description, _q("sourceImageInformation"))
        ET.SubElement(source, _q("fileName")).text = file_name
    processing = ET.SubElement(description, _q("Processing"), ID="vnocr")
    ET.SubElement(processing, _q("processingCategory")).text = "contentGeneration"
    ET.SubElement(processing, _q("processingStepDescription")).text = (
        "Tesseract OCR, then Vietnamese diacritic restoration (CONTENT = restored word; "
        "ALTERNATIVE PURPOSE=ocr = the OCR's word where restoration changed it)"
    )
    software = ET.SubElement(processing, _q("processingSoftware"))
    ET.SubElement(software, _q("softwareName")).text = "vnocr"
    ET.SubElement(software, _q("softwareVersion")).text = __version__
    layout = ET.SubElement(root, _q("Layout"))
    for position, page in enumerate(doc.pages, start=1):
        page_id = f"p{position}"  # the position, not the number: xsd:ID values must be unique
        element = ET.SubElement(layout, _q("Page"), ID=page_id, PHYSICAL_IMG_NR=str(page.number))
        if page.image_size is not None:
            element.set("WIDTH", str(page.image_size[0]))
            element.set("HEIGHT", str(page.image_size[1]))
        confidence = _ratio(page.mean_confidence, 4) if page.mean_confidence is not None else None
        if confidence is not None:
            element.set("PC", confidence)
        placed = place_page(page)
        if not placed:
            continue  # no word boxes (a born-digital or text page): the page without a PrintSpace
        space = ET.SubElement(element, _q("PrintSpace"))
        if page.image_size is not None:
            _box(space, 0, 0, *page.image_size)
        blocks: list[list[tuple[str, PlacedLine]]] = []
        last_block: int | None = None
        for index, line in enumerate(placed):
            if line.block != last_block or not blocks:
                blocks.append([])
                last_block = line.block
            blocks[-1].append((f"{page_id}_l{index + 1}", line))
        for index, lines in enumerate(blocks):
            _block(space, f"{page_id}_b{index + 1}", lines)
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def alto_bytes(doc: Document) -> bytes:
    """The ALTO file's bytes (UTF-8, with the XML declaration)."""
    root = alto_tree(doc).getroot()
    assert root is not None
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_alto(doc: Document, out: Path) -> bool:
    """Write ``x.alto.xml`` atomically; False (nothing written) for a document without word boxes."""
    if not any(page.words for page in doc.pages):
        return False
    atomic_write_bytes(out, alto_bytes(doc))
    return True
