"""The project's own scan generator: render Vietnamese text onto A4 pages and degrade them like a scan.

Used by the benchmarks, the sample builder and the channel-model tools (never by the product at run time).
Everything here is deterministic: rendering depends only on its arguments, degradation only on the
arguments and the ``numpy`` random generator passed in.

Typical use::

    paras = paragraphs_from_text(Path("plan.md").read_text())
    pages = render_pages(paras, dpi=300, font="dejavu-serif")
    rng = np.random.default_rng(7)
    spoil = Degradation(skew_degrees=1.5, blur_sigma=0.8, jpeg_quality=60)
    scans = [degrade(p.image, spoil, rng) for p in pages]
    write_pdf(scans, Path("plan.pdf"), dpi=300)
    ground_truth = "\\n".join(line for p in pages for line in p.lines)
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr_pipeline.exceptions import BadArgumentsError, MissingDependencyError
from ocr_pipeline.textio import atomic_write_bytes

log = logging.getLogger(__name__)

_LIBERATION = Path("/usr/share/fonts/truetype/liberation2")
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

#: Fonts the generator can render with (Debian packages fonts-liberation2 and fonts-dejavu-core).
FONTS: dict[str, Path] = {
    "liberation-serif": _LIBERATION / "LiberationSerif-Regular.ttf",
    "liberation-serif-bold": _LIBERATION / "LiberationSerif-Bold.ttf",
    "liberation-serif-italic": _LIBERATION / "LiberationSerif-Italic.ttf",
    "dejavu-serif": _DEJAVU / "DejaVuSerif.ttf",
    "dejavu-serif-bold": _DEJAVU / "DejaVuSerif-Bold.ttf",
    "dejavu-serif-italic": _DEJAVU / "DejaVuSerif-Italic.ttf",
}

A4_INCHES = (8.27, 11.69)
#: Page margins in millimetres: left, right, top, bottom (Vietnamese administrative layout, Decree 30/2020).
MARGINS_MM = (30.0, 20.0, 20.0, 20.0)
FIRST_LINE_INDENT_MM = 12.7


@dataclass(frozen=True)
class Degradation:
    """How to spoil a clean page so that it looks scanned. All defaults leave the page clean.

    Attributes:
        skew_degrees: Small rotation of the sheet on the glass (positive = counter-clockwise).
        rotation: The sheet was scanned turned clockwise by 0/90/180/270 degrees.
        blur_sigma: Gaussian blur of the optics, in pixels.
        noise_sigma: Additive Gaussian sensor noise (grey levels).
        speckle_density: Dust specks per pixel (e.g. 2e-4 is heavy), 1-3 px dark dots.
        jpeg_quality: JPEG compression quality (None = no JPEG round trip).
        contrast: Ink contrast (1 = black ink; 0.6 = faded grey ink).
        background: Paper grey level (255 = white).
        border: Dark scanner-lid shadows along some page edges.
    """

    skew_degrees: float = 0.0
    rotation: int = 0
    blur_sigma: float = 0.0
    noise_sigma: float = 0.0
    speckle_density: float = 0.0
    jpeg_quality: int | None = None
    contrast: float = 1.0
    background: int = 255
    border: bool = False

    def __post_init__(self) -> None:
        if self.rotation not in (0, 90, 180, 270):
            raise BadArgumentsError(f"rotation must be 0, 90, 180 or 270, not {self.rotation}")
        if self.jpeg_quality is not None and not 1 <= self.jpeg_quality <= 100:
            raise BadArgumentsError(f"jpeg_quality must be within 1..100, not {self.jpeg_quality}")
        if not 0.0 < self.contrast <= 1.0:
            raise BadArgumentsError(f"contrast must be within (0, 1], not {self.contrast}")


@dataclass(frozen=True, eq=False)
class RenderedPage:
    """A clean rendered page and its ground truth.

    Attributes:
        image: Grayscale ``uint8`` page image (white paper, black ink).
        lines: The text lines drawn on the page, in reading order (exactly as drawn).
    """

    image: np.ndarray
    lines: list[str]

    @property
    def text(self) -> str:
        """The page's lines joined by newlines."""
        return "\n".join(self.lines)


# ---------------------------------------------------------------------------------------- text to paragraphs
#: A line that starts a new paragraph: numbered/lettered items, list bullets, closing blocks.
_ITEM_START = re.compile(
    r"^(?:[IVXLC]+\.\s|\d+(?:\.\d+)*\.\s|\d+\.\d+(?:\.\d+)*\s|[a-zđ]\)\s|[-+•–]\s"
    r"|Nơi nhận|KT\.|TM\.|Số:|Căn cứ|Thực hiện)"
)
_SENTENCE_END = (".", ":", ";", "!", "?")


def _clean_markdown_line(line: str) -> str:
    line = unicodedata.normalize("NFC", line).replace("\u00a0", " ").replace("\t", " ")
    line = re.sub(r"^\s*#+\s*", "", line)  # headings
    line = re.sub(r"^\s*>\s?", "", line)  # quotes
    line = line.replace("***", "").replace("**", "").replace("__", "")
    line = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", line)  # *emphasis*
    line = re.sub(r"^\s*\*\s+", "- ", line)  # "* item" bullets
    line = re.sub(r"\s+", " ", line)
    return line.strip()


def _is_heading_like(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(line) <= 90


def paragraphs_from_text(text: str) -> list[str]:
    """Turn Markdown or hard-wrapped plain text into one string per paragraph.

    Markdown marks (``#``, ``**``, ``*``) are removed; hard-wrapped lines are joined with spaces. A new
    paragraph starts after a blank line (unless the next line is clearly a continuation: it starts with a
    lower-case letter and the paragraph so far has not ended a sentence), at numbered/lettered items and
    list bullets, after a line ending with ``:`` or ``;``, and around upper-case headings.

    Args:
        text: The document text.

    Returns:
        Paragraphs in order, each on one line, NFC, single spaces.
    """
    paragraphs: list[str] = []
    current: list[str] = []
    blank_before = False
    prev_was_heading = False  # a Markdown "#" heading always stands alone

    def flush() -> None:
        if current:
            paragraphs.append(" ".join(current))
            current.clear()

    for raw in text.splitlines():
        line = _clean_markdown_line(raw)
        if not line or re.fullmatch(r"[-*_=|]{3,}", line):
            blank_before = True
            continue
        md_heading = raw.lstrip().startswith("#")
        if current:
            prev = current[-1]
            open_sentence = not prev.endswith(_SENTENCE_END)
            item = _ITEM_START.match(line) is not None
            # a hard-wrapped line continues the paragraph, even across a stray blank line
            continuation = open_sentence and (
                line[0].islower() or (len(prev) >= 60 and not item and not _is_heading_like(line))
            )
            starts_new = (
                md_heading
                or prev_was_heading
                or (blank_before and not continuation)
                or (item and not line[0].islower())
                or prev.endswith((":", ";"))
                or _is_heading_like(line) != _is_heading_like(prev)
            )
            if starts_new:
                flush()
        current.append(line)
        blank_before = False
        prev_was_heading = md_heading
    flush()
    return paragraphs


# ------------------------------------------------------------------------------------------------- rendering
def _font_path(name: str) -> Path:
    try:
        path = FONTS[name]
    except KeyError:
        raise BadArgumentsError(f"unknown font {name!r}; choose one of {', '.join(sorted(FONTS))}") from None
    if not path.is_file():
        raise MissingDependencyError(
            f"font file {path} is missing",
            hint="install fonts-liberation2 and fonts-dejavu-core (apt-get)",
        )
    return path


@lru_cache(maxsize=32)
def _load_font(name: str, pixel_size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_font_path(name)), pixel_size)


def _mm(mm: float, dpi: int) -> int:
    return round(mm / 25.4 * dpi)


@dataclass
class _Style:
    font: ImageFont.FreeTypeFont
    centred: bool
    indent: int
    justify: bool


def _wrap(words: list[str], font: ImageFont.FreeTypeFont, first_width: int, width: int) -> list[list[str]]:
    lines: list[list[str]] = []
    line: list[str] = []
    for word in words:
        avail = first_width if not lines else width
        if line and font.getlength(" ".join([*line, word])) > avail:
            lines.append(line)
            line = [word]
        else:
            line.append(word)
    if line:
        lines.append(line)
    return lines


def render_pages(
    paragraphs: Sequence[str],
    *,
    dpi: int = 300,
    font: str = "liberation-serif",
    size_pt: float = 13.0,
    line_spacing: float = 1.45,
    justify: bool = True,
    headings: bool = True,
) -> list[RenderedPage]:
    """Typeset paragraphs on A4 pages like a Vietnamese administrative document.

    Body paragraphs get a first-line indent and (by default) justified lines; short all-capitals
    paragraphs (``KẾ HOẠCH``, ``I. MỤC ĐÍCH, YÊU CẦU``) are set in bold, centred when unnumbered.

    Args:
        paragraphs: One string per paragraph (see :func:`paragraphs_from_text`).
        dpi: Resolution of the page images.
        font: A key of :data:`FONTS` (regular face; bold headings use its ``-bold`` sibling when present).
        size_pt: Font size in points.
        line_spacing: Baseline distance as a multiple of the font size.
        justify: Stretch the spaces of full lines to the right margin.
        headings: Set heading-like paragraphs bold (and centred when unnumbered).

    Returns:
        The pages, each with the exact lines drawn on it. No paragraphs gives no pages.

    Raises:
        BadArgumentsError: Unknown font name or nonsensical sizes.
        MissingDependencyError: The font file is not installed.
    """
    if not 50 <= dpi <= 1200 or size_pt <= 0 or line_spacing <= 0:
        raise BadArgumentsError(
            f"bad rendering parameters: dpi={dpi}, size={size_pt}, spacing={line_spacing}"
        )
    px = max(6, round(size_pt / 72 * dpi))
    regular = _load_font(font, px)
    bold_name = f"{font}-bold"
    bold = _load_font(bold_name, px) if bold_name in FONTS else regular
    width, height = round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)
    left, right, top, bottom = (_mm(m, dpi) for m in MARGINS_MM)
    text_width = width - left - right
    pitch = round(px * line_spacing)
    ascent = regular.getmetrics()[0]
    indent = _mm(FIRST_LINE_INDENT_MM, dpi)

    pages: list[RenderedPage] = []
    image: Image.Image | None = None
    draw: ImageDraw.ImageDraw | None = None
    drawn: list[str] = []
    y = 0

    def new_page() -> None:
        nonlocal image, draw, drawn, y
        if image is not None:
            pages.append(RenderedPage(np.asarray(image, dtype=np.uint8).copy(), drawn))
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        drawn = []
        y = top

    new_page()
    for paragraph in paragraphs:
        words = paragraph.split()
        if not words:
            continue
        heading = headings and _is_heading_like(paragraph)
        style = _Style(
            font=bold if heading else regular,
            centred=heading and _ITEM_START.match(paragraph) is None,
            indent=0 if heading else indent,
            justify=justify and not heading,
        )
        wrapped = _wrap(words, style.font, text_width - style.indent, text_width)
        for i, line_words in enumerate(wrapped):
            if y + pitch > height - bottom:
                new_page()
            assert draw is not None
            text = " ".join(line_words)
            baseline = y + ascent
            line_width = style.font.getlength(text)
            last = i == len(wrapped) - 1
            if style.centred:
                draw.text(
                    (left + (text_width - line_width) / 2, baseline), text, font=style.font, anchor="ls"
                )
            elif style.justify and not last and len(line_words) > 1:
                x0 = left + (style.indent if i == 0 else 0)
                avail = text_width - (style.indent if i == 0 else 0)
                glyphs = sum(style.font.getlength(w) for w in line_words)
                gap = (avail - glyphs) / (len(line_words) - 1)
                x = float(x0)
                for word in line_words:
                    draw.text((x, baseline), word, font=style.font, anchor="ls")
                    x += style.font.getlength(word) + gap
            else:
                x0 = left + (style.indent if i == 0 else 0)
                draw.text((x0, baseline), text, font=style.font, anchor="ls")
            drawn.append(text)
            y += pitch
        y += pitch // 3  # paragraph spacing
    if drawn:
        new_page()
    return pages


def blank_page(dpi: int = 300) -> np.ndarray:
    """A white A4 page at ``dpi``."""
    return np.full((round(A4_INCHES[1] * dpi), round(A4_INCHES[0] * dpi)), 255, dtype=np.uint8)


# ------------------------------------------------------------------------------------------------ degradation
def _rotate_small(image: np.ndarray, degrees: float, fill: int) -> np.ndarray:
    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=int(fill))


def _speckles(shape: tuple[int, int], density: float, rng: np.random.Generator) -> np.ndarray:
    """A mask of small dark dots (dust), radius 1-3 px (scaled to ~300 dpi)."""
    h, w = shape
    mask = np.zeros(shape, dtype=np.uint8)
    count = int(rng.poisson(density * h * w))
    if count == 0:
        return mask.astype(bool)
    ys = rng.integers(0, h, count)
    xs = rng.integers(0, w, count)
    radii = rng.choice([0, 1, 1, 2, 2, 3], count)
    for y, x, r in zip(ys.tolist(), xs.tolist(), radii.tolist(), strict=True):
        if r == 0:
            mask[y, x] = 1
        else:
            cv2.circle(mask, (x, y), r, 1, -1)
    return mask.astype(bool)


def _borders(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dark scanner-lid shadows of random width along one to three page edges."""
    out = image.astype(np.float32)
    h, w = image.shape
    sides = rng.choice(4, size=int(rng.integers(1, 4)), replace=False)
    for side in sides.tolist():
        length = h if side in (0, 1) else w
        depth = int(rng.uniform(0.006, 0.02) * min(h, w)) + 2
        # ragged inner edge: a smooth random profile along the side
        knots = rng.uniform(0.5, 1.0, size=8)
        profile = np.interp(np.linspace(0, 7, length), np.arange(8), knots)
        widths = np.maximum(1, (profile * depth).astype(int))
        level = float(rng.uniform(20, 70))
        idx = np.arange(depth)
        band = idx[None, :] < widths[:, None]  # (length, depth)
        if side == 0:  # left
            out[:, :depth][band] = level
        elif side == 1:  # right
            out[:, w - depth :][band[:, ::-1]] = level
        elif side == 2:  # top
            out[:depth, :][band.T] = level
        else:  # bottom
            out[h - depth :, :][band.T[::-1, :]] = level
    return out


def degrade(image: np.ndarray, degradation: Degradation, rng: np.random.Generator) -> np.ndarray:
    """Make a clean page look scanned.

    Order of the effects (as in a flatbed scan): faded ink and paper tone, dust specks, skew of the sheet,
    scanner-lid borders, 90/180/270 rotation, optical blur, sensor noise, JPEG compression.

    Args:
        image: Clean grayscale ``uint8`` page (not modified).
        degradation: The effects to apply.
        rng: Source of randomness (noise, specks, borders); pass a seeded generator for reproducibility.

    Returns:
        A new grayscale ``uint8`` image (its shape is transposed for 90/270 rotations).
    """
    d = degradation
    page = image.astype(np.float32)
    background = float(d.background)
    ink = background * (1.0 - d.contrast)
    page = ink + (page / 255.0) * (background - ink)
    if d.speckle_density > 0:
        page[_speckles(image.shape, d.speckle_density, rng)] = ink + 0.15 * (background - ink)
    out: np.ndarray = np.clip(page, 0, 255).astype(np.uint8)
    if d.skew_degrees:
        out = _rotate_small(out, d.skew_degrees, fill=int(background))
    if d.border:
        out = np.clip(_borders(out, rng), 0, 255).astype(np.uint8)
    if d.rotation:
        out = np.ascontiguousarray(np.rot90(out, k=-(d.rotation // 90)))
    if d.blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), d.blur_sigma)
    if d.noise_sigma > 0:
        noisy = out.astype(np.float32) + rng.normal(0.0, d.noise_sigma, out.shape).astype(np.float32)
        out = np.clip(noisy, 0, 255).astype(np.uint8)
    if d.jpeg_quality is not None:
        out = _jpeg_round_trip(out, d.jpeg_quality)
    return out


def _jpeg_round_trip(image: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=int(quality))
    buf.seek(0)
    with Image.open(buf) as decoded:
        return np.asarray(decoded.convert("L"), dtype=np.uint8).copy()


# ------------------------------------------------------------------------------------------------------ PDF
def _pdf_image_stream(image: np.ndarray, jpeg_quality: int | None) -> tuple[bytes, str]:
    if jpeg_quality is None:
        return zlib.compress(np.ascontiguousarray(image).tobytes(), 6), "/FlateDecode"
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=int(jpeg_quality))
    return buf.getvalue(), "/DCTDecode"


def write_pdf(
    images: Sequence[np.ndarray],
    path: Path,
    dpi: int | Sequence[int],
    *,
    jpeg_quality: int | None = None,
) -> None:
    """Write grayscale page images as an image-only PDF (one image per page), atomically.

    Args:
        images: Grayscale ``uint8`` pages.
        path: Output file; written to a temporary file in the same folder and renamed.
        dpi: Resolution of the images (one value, or one per page): sets the physical page size.
        jpeg_quality: Store pages as JPEG at this quality (small files); None stores them losslessly.

    Raises:
        BadArgumentsError: No images, or not 2-D ``uint8`` arrays.
    """
    if not images:
        raise BadArgumentsError("write_pdf needs at least one page image")
    dpis = [int(dpi)] * len(images) if isinstance(dpi, int) else [int(v) for v in dpi]
    if len(dpis) != len(images):
        raise BadArgumentsError("write_pdf: one dpi per image is needed")
    n = len(images)
    # object numbers: 1 catalog, 2 pages, then per page: page, contents, image
    objects: dict[int, bytes] = {}
    kids = []
    for i, (img, res) in enumerate(zip(images, dpis, strict=True)):
        if img.ndim != 2 or img.dtype != np.uint8:
            raise BadArgumentsError("write_pdf expects 2-D uint8 grayscale images")
        page_no, content_no, image_no = 3 + 3 * i, 4 + 3 * i, 5 + 3 * i
        kids.append(f"{page_no} 0 R")
        h, w = img.shape
        pw, ph = w * 72.0 / res, h * 72.0 / res
        data, filt = _pdf_image_stream(img, jpeg_quality)
        objects[image_no] = (
            f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray "
            f"/BitsPerComponent 8 /Filter {filt} /Length {len(data)} >>\nstream\n".encode()
            + data
            + b"\nendstream"
        )
        content = f"q {pw:.4f} 0 0 {ph:.4f} 0 0 cm /Im0 Do Q".encode()
        objects[content_no] = f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"
        objects[page_no] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.4f} {ph:.4f}] "
            f"/Resources << /XObject << /Im0 {image_no} 0 R >> >> /Contents {content_no} 0 R >>"
        ).encode()
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {n} >>".encode()

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n"
    xref = len(out)
    count = max(objects) + 1
    out += f"xref\n0 {count}\n0000000000 65535 f \n".encode()
    for number in range(1, count):
        out += f"{offsets[number]:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {count} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    atomic_write_bytes(Path(path), bytes(out))
