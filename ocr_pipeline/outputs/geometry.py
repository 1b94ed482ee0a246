"""Word boxes from the OCR'd image back onto the page as it was scanned.

Tesseract reads the page after the image stages turned it upright (a right-angle turn) and rotated its skew
out (a small rotation about the centre on an enlarged canvas, see ``imaging.deskew.rotate_image``). The
searchable PDF and the ALTO file describe the page image as it is in the input, so every box is mapped back:
the four corners of the word's box go through the inverse of both rotations, and the word gets the
axis-aligned box around them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..imaging.page import OcrWord


@dataclass(frozen=True)
class WordBox:
    """One OCR word on the page as scanned.

    Attributes:
        text: The characters Tesseract read.
        confidence: Tesseract's word confidence, 0-100.
        left, top, width, height: The box in pixels of the source page raster (the input image, or the PDF
            page rendered at the page's ``dpi``), top-left origin.
        block: Tesseract's block index (ALTO's TextBlock).
    """

    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int
    block: int = 0

    def to_list(self) -> list[object]:
        """A compact JSON form: ``[text, confidence, left, top, width, height, block]``."""
        return [self.text, self.confidence, self.left, self.top, self.width, self.height, self.block]


@dataclass(frozen=True)
class PageGeometry:
    """How the OCR'd image relates to the source page raster.

    Attributes:
        source_size: (width, height) of the source page raster.
        ocr_size: (width, height) of the image Tesseract read.
        rotation: Clockwise right-angle turn applied first (0/90/180/270).
        skew_degrees: Skew measured on the turned page (positive = baselines counter-clockwise); rotated out
            only when the OCR'd image is larger than the turned page (the deskew stage enlarges the canvas).
    """

    source_size: tuple[int, int]
    ocr_size: tuple[int, int]
    rotation: int = 0
    skew_degrees: float = 0.0

    @property
    def turned_size(self) -> tuple[int, int]:
        """(width, height) after the right-angle turn."""
        w, h = self.source_size
        return (h, w) if self.rotation % 180 else (w, h)

    @property
    def deskewed(self) -> bool:
        """Whether the skew was rotated out (the canvas grew)."""
        return self.ocr_size != self.turned_size and self.skew_degrees != 0

    def to_source(self, x: float, y: float) -> tuple[float, float]:
        """A point of the OCR'd image in source raster coordinates."""
        tw, th = self.turned_size
        if self.deskewed:
            # the deskew stage applied cv2.getRotationMatrix2D((tw/2, th/2), -skew) then shifted by the
            # canvas growth; undo the shift, then rotate back by +skew about the turned page's centre
            ow, oh = self.ocr_size
            x -= (ow - tw) / 2
            y -= (oh - th) / 2
            rad = math.radians(-self.skew_degrees)
            a, b = math.cos(rad), math.sin(rad)
            cx, cy = tw / 2, th / 2
            dx, dy = x - cx, y - cy
            # forward: x' = a*dx + b*dy + cx, y' = -b*dx + a*dy + cy  (inverse = transpose)
            x, y = a * dx - b * dy + cx, b * dx + a * dy + cy
        sw, sh = self.source_size
        turn = self.rotation % 360
        if turn == 90:  # clockwise turn: (x, y) -> (sh - y, x); inverse:
            return y, sh - x
        if turn == 180:
            return sw - x, sh - y
        if turn == 270:  # (x, y) -> (y, sw - x); inverse:
            return sw - y, x
        return x, y

    def word_box(self, word: OcrWord) -> WordBox:
        """The word's box on the source page (clipped to the page)."""
        corners = [
            self.to_source(x, y)
            for x in (word.left, word.left + word.width)
            for y in (word.top, word.top + word.height)
        ]
        sw, sh = self.source_size
        left = max(0, math.floor(min(c[0] for c in corners)))
        top = max(0, math.floor(min(c[1] for c in corners)))
        right = min(sw, math.ceil(max(c[0] for c in corners)))
        bottom = min(sh, math.ceil(max(c[1] for c in corners)))
        return WordBox(
            text=word.text,
            confidence=round(float(word.confidence), 2),
            left=left,
            top=top,
            width=max(1, right - left),
            height=max(1, bottom - top),
            block=word.block,
        )
