"""Colour pages to grey, with coloured marks dropped: red seals, red or violet stamps, blue ink.

Printed text is black; what is printed or written in colour on an administrative page is a seal, a
signature stamp or handwriting (the signature, a received stamp's entries). On a colour page, pixels that
are clearly coloured (saturated, not dark) and red, violet or blue become paper before the grey
conversion, so that binarising and OCR never see them. Black text under a seal keeps its dark pixels. A
page with (nearly) no coloured pixels - a grey or bilevel scan rendered in RGB - is converted as it is.
A PDF page whose content can only paint grey (:func:`pdf_page_is_grey`) is rendered grey from the start.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import cv2
import numpy as np

log = logging.getLogger(__name__)

#: Least HSV saturation (0-255) of a coloured pixel.
MIN_SATURATION = 80
#: Least HSV value (0-255) of a coloured pixel (darker pixels are ink whatever their hue).
MIN_VALUE = 60
#: Least share of coloured pixels for the page to count as colour.
MIN_COLOUR_SHARE = 0.0005
#: Hue ranges (OpenCV's 0-180 scale) dropped: red (both ends), blue to violet.
DROPPED_HUES = ((0, 14), (95, 180))


def coloured_marks(rgb: np.ndarray) -> np.ndarray:
    """The mask of clearly coloured red, violet and blue pixels of an RGB page (True = drop)."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    hue, saturation, value = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    coloured = (saturation >= MIN_SATURATION) & (value >= MIN_VALUE)
    hues = np.zeros(hue.shape, dtype=bool)
    for low, high in DROPPED_HUES:
        hues |= (hue >= low) & (hue <= high)
    return coloured & hues


def to_grey(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """The grey page (``uint8``) and the share of its pixels dropped as coloured marks."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        return grey, 0.0
    drop = coloured_marks(rgb)
    share = float(drop.mean())
    if share < MIN_COLOUR_SHARE:
        return grey, 0.0
    paper = int(np.percentile(grey[::4, ::4], 90))
    grey = grey.copy()
    grey[cv2.dilate(drop.view(np.uint8), np.ones((3, 3), np.uint8)) > 0] = paper
    return grey, share


#: Colour space names that paint only grey.
GREY_SPACE_NAMES = frozenset({"/DeviceGray", "/G", "/CalGray"})
#: Content-stream operators that paint in a colour space other than grey, or with colours not seen here
#: (CMYK is rendered to unequal RGB by poppler even for pure black; shadings; PostScript).
_NOT_GREY_OPERATORS = frozenset({"k", "K", "sh", "PS"})
#: Nesting of form XObjects and appearance streams followed before a page counts as possibly coloured.
MAX_FORM_DEPTH = 8


def pdf_page_is_grey(path: Path, number: int) -> bool:
    """Whether page ``number`` of the PDF at ``path`` can only render grey: its content (forms and
    annotation appearances included) sets only grey colours, paints only grey or stencil images and uses
    no colour spaces, shadings, CMYK, transfer functions or Type 3 fonts. False when unsure or unreadable.

    Such a page rendered in colour has R = G = B everywhere and no colour marks, so rendering it grey
    gives the same grey pixels without the colour work.
    """
    try:
        import pikepdf
    except ImportError:
        return False
    try:
        with pikepdf.open(path) as pdf:
            page = pdf.pages[number - 1].obj
            if not _stream_is_grey(pikepdf, page, _inherited_resources(page), 0, set()):
                return False
            for annotation in page.get("/Annots", []):
                appearance = annotation.get("/AP", {}).get("/N") if hasattr(annotation, "get") else None
                if appearance is None:
                    continue
                streams = (
                    [appearance] if isinstance(appearance, pikepdf.Stream) else list(appearance.values())
                )
                for stream in streams:
                    if not _stream_is_grey(pikepdf, stream, stream.get("/Resources"), 1, set()):
                        return False
            return True
    except Exception as exc:  # pikepdf and qpdf raise their own errors: only the fast path is lost
        log.debug("%s page %d: colour content not ruled out (%s)", path.name, number, exc)
        return False


def _inherited_resources(page: Any) -> Any:
    """A page's resources, from the page tree above it where the page has none of its own."""
    node, depth = page, 0
    while node is not None and depth < 32:
        if "/Resources" in node:
            return node.Resources
        node, depth = node.get("/Parent"), depth + 1
    return None


def _stream_is_grey(pikepdf: Any, owner: Any, resources: Any, depth: int, seen: set[tuple[int, int]]) -> bool:
    """Whether the content of ``owner`` (a page or a form) with ``resources`` paints only grey."""
    if depth > MAX_FORM_DEPTH:
        return False
    if owner.is_indirect:
        if owner.objgen in seen:
            return True
        seen.add(owner.objgen)
    resources = resources if resources is not None else pikepdf.Dictionary()
    if not _resources_are_grey(pikepdf, resources):
        return False
    for operands, operator in pikepdf.parse_content_stream(owner):
        name = str(operator)
        if name in _NOT_GREY_OPERATORS:
            return False
        if name in ("rg", "RG") and len({float(value) for value in operands}) != 1:
            return False
        if name in ("cs", "CS") and not _space_is_grey(pikepdf, operands[0], resources):
            return False
        if name in ("scn", "SCN") and operands and isinstance(operands[-1], pikepdf.Name):
            return False  # a pattern
        if name == "INLINE IMAGE":
            image = operands[0]
            if not (bool(image.obj.get("/IM", False)) or bool(image.obj.get("/ImageMask", False))):
                space = image.obj.get("/CS", image.obj.get("/ColorSpace"))
                if space is None or not _space_is_grey(pikepdf, space, resources):
                    return False
        if name == "Do":
            xobject = resources.get("/XObject", {}).get(operands[0])
            if xobject is None or not _xobject_is_grey(pikepdf, xobject, resources, depth, seen):
                return False
    return True


def _xobject_is_grey(
    pikepdf: Any, xobject: Any, resources: Any, depth: int, seen: set[tuple[int, int]]
) -> bool:
    subtype = xobject.get("/Subtype")
    if subtype == "/Image":
        if bool(xobject.get("/ImageMask", False)):
            return True
        space = xobject.get("/ColorSpace")
        return space is not None and _space_is_grey(pikepdf, space, resources)
    if subtype == "/Form":
        return _stream_is_grey(pikepdf, xobject, xobject.get("/Resources", resources), depth + 1, seen)
    return False


def _resources_are_grey(pikepdf: Any, resources: Any) -> bool:
    """No Type 3 font (its glyphs may set colours) and no transfer function among the resources."""
    for font in resources.get("/Font", {}).values():
        if font.get("/Subtype") == "/Type3":
            return False
    for state in resources.get("/ExtGState", {}).values():
        if "/TR" in state or "/TR2" in state:
            return False
        mask = state.get("/SMask")
        if mask is not None and str(mask) != "/None":
            return False
    return True


def _space_is_grey(pikepdf: Any, space: Any, resources: Any, depth: int = 0) -> bool:
    """Whether a colour space (a name, a named resource or an array) is grey."""
    if depth > 4:
        return False
    if isinstance(space, pikepdf.Name):
        if str(space) in GREY_SPACE_NAMES:
            return True
        named = resources.get("/ColorSpace", {}).get(space)
        return named is not None and _space_is_grey(pikepdf, named, resources, depth + 1)
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family == "/CalGray":
            return True
        if family == "/ICCBased":
            return int(space[1].get("/N", 0)) == 1
        if family in ("/Indexed", "/I") and len(space) > 1:
            return _space_is_grey(pikepdf, space[1], resources, depth + 1)
    return False
