"""PDF-level facts of an input: its digital signature, its annotations and what each page's text layer is.

Read with pikepdf (structure) and poppler's ``pdftotext`` (text). A page's text layer is one of:

- ``none``: the page content draws no text (the text ``pdftotext`` shows, if any, is an annotation's, such
  as a digital-signature box);
- ``legacy``: text a scanner's OCR hid under the page image (invisible text, render mode 3), or text
  without Vietnamese marks in a Vietnamese document: it is kept in the record as ``legacy_text`` and the
  page image is OCR'd;
- ``real``: visible text of a born-digital page, used as the page text as it is (unless ``--force-ocr``).

Facts that cannot be read (a damaged or unusual PDF) give a logged warning and ``none`` layers: the
pages are then OCR'd as images, never lost.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .page import Zone

log = logging.getLogger(__name__)

#: Least characters of page-content text that make a text layer at all.
MIN_LAYER_CHARS = 40
#: Share of the shown text drawn invisibly (render mode 3) above which the layer is a hidden OCR layer.
INVISIBLE_SHARE = 0.5
#: Least share of words with a Vietnamese marked letter for a visible layer to count as Vietnamese text
#: (running Vietnamese text has 60-80%; OCR without Vietnamese language data has under 5%).
MIN_MARKED_SHARE = 0.2

_VIETNAMESE_MARKED = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_]{2,}")
_TEXT_SHOW = frozenset({"Tj", "TJ", "'", '"'})


@dataclass
class SignatureInfo:
    """A digital signature found in the PDF (a ``/Sig`` field's value and its widget's visible text).

    Attributes:
        signer: The signer's name (``/Name``, else the ``Người ký:`` line of the box, else ``/Reason``).
        signed_at: Signing time, ISO 8601 with offset (``/M``, else the box's ``Thời gian ký:``).
        organisation: The ``Cơ quan:`` line of the box, if any.
        email: The ``Email:`` line of the box, if any.
        reason, location, contact: The signature dictionary's own ``/Reason``, ``/Location``,
            ``/ContactInfo``.
        page: 1-based page that shows the signature box (None if it has no visible box).
        box_text: The visible text of the signature box as drawn.
    """

    signer: str | None = None
    signed_at: str | None = None
    organisation: str | None = None
    email: str | None = None
    reason: str | None = None
    location: str | None = None
    contact: str | None = None
    page: int | None = None
    box_text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


@dataclass
class PageLayer:
    """The measured facts of one page's text layer and the decision taken from them.

    Attributes:
        number: 1-based page number.
        kind: ``none``, ``legacy`` or ``real`` (see the module docstring).
        text: The page content's text (annotations excluded), as ``pdftotext`` reads it.
        chars: Non-space characters of ``text``.
        invisible_share: Share of the text-showing operators drawn in render mode 3 (invisible).
        marked_share: Share of words with a Vietnamese marked letter.
        annotations: Texts of the page's annotations (signature box, typed notes), hidden when rendering.
        zones: A real layer's layout zones (boxes in pixels at the ``dpi`` given to :func:`inspect_pdf`).
    """

    number: int
    kind: str = "none"
    text: str = ""
    chars: int = 0
    invisible_share: float = 0.0
    marked_share: float = 0.0
    annotations: list[str] = field(default_factory=list)
    zones: list[Zone] = field(default_factory=list)


@dataclass
class PdfFacts:
    """What the PDF itself says: signatures and the text layer of each page."""

    pages: list[PageLayer] = field(default_factory=list)
    signatures: list[SignatureInfo] = field(default_factory=list)
    #: ``(page, index in /Annots)`` of the annotations that are overlays, not the document.
    overlays: list[tuple[int, int]] = field(default_factory=list)

    def layer(self, number: int) -> PageLayer | None:
        """The layer facts of page ``number`` (None when unknown)."""
        return self.pages[number - 1] if 0 < number <= len(self.pages) else None


def marked_share(text: str) -> float:
    """Share of the words (two letters or more) that hold a Vietnamese marked letter."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    return sum(1 for w in words if _VIETNAMESE_MARKED.search(w)) / len(words)


def classify_layer(chars: int, invisible_share: float, marked: float, *, vietnamese: bool = True) -> str:
    """``none``, ``legacy`` or ``real`` from a page layer's measured facts (see the module docstring)."""
    if chars < MIN_LAYER_CHARS:
        return "none"
    if invisible_share >= INVISIBLE_SHARE:
        return "legacy"
    if vietnamese and marked < MIN_MARKED_SHARE:
        return "legacy"
    return "real"


def pdf_date(value: str) -> str | None:
    """A PDF date (``D:20260428154915+07'00'``) as ISO 8601, or None when it does not parse."""
    match = re.match(r"D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Z+-])?(\d{2})?'?(\d{2})?", value)
    if not match:
        return None
    year, month, day, hour, minute, second, sign, off_h, off_m = match.groups()
    try:
        stamp = datetime(
            int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None
    if sign in ("+", "-"):
        offset = timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
        stamp = stamp.replace(tzinfo=timezone(offset if sign == "+" else -offset))
    elif sign == "Z":
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.isoformat()


def _box_field(names: str) -> re.Pattern[str]:
    return re.compile(rf"(?:^|[;|])\s*(?:{names})\s*:\s*([^;|\n]+)", re.IGNORECASE | re.MULTILINE)


_BOX_FIELDS = {
    "signer": _box_field("Người ký|Ký bởi|Signed by|Signer"),
    "email": _box_field("Email|E-mail"),
    "organisation": _box_field("Cơ quan|Tổ chức|Đơn vị"),
    "time": _box_field("Thời gian ký|Ngày ký|Giờ ký|Signing time|Date"),
}


def box_time(value: str) -> str | None:
    """``28.04.2026 15:49:15 +07:00`` (the signature box's time) as ISO 8601, or None."""
    match = re.search(
        r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*([+-]\d{2})?:?(\d{2})?",
        value,
    )
    iso = re.search(
        r"(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{2})?:?(\d{2})?", value
    )
    if iso:
        year, month, day, hour, minute, second, off_h, off_m = iso.groups()
    elif match:
        day, month, year, hour, minute, second, off_h, off_m = match.groups()
    else:
        return None
    off_h = off_h or "+07"  # Vietnamese signing services stamp local time
    try:
        offset = timedelta(hours=abs(int(off_h)), minutes=int(off_m or 0))
        zone = timezone(-offset if off_h.startswith("-") else offset)
        stamp = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=zone
        )
    except ValueError:
        return None
    return stamp.isoformat()


def signature_from(fields: dict[str, str], box_text: str, page: int | None) -> SignatureInfo:
    """Combine a ``/Sig`` value's entries (``/Name``, ``/M``, ...) and its box's text into one record."""
    found = {
        key: (m.group(1).strip() if (m := rx.search(box_text)) else None) for key, rx in _BOX_FIELDS.items()
    }
    reason = fields.get("Reason") or None
    signer = fields.get("Name") or found["signer"]
    if not signer and reason:
        signer = re.sub(r"\s*<[^>]*>\s*$", "", reason).strip() or None
    signed_at = pdf_date(fields["M"]) if fields.get("M") else None
    if signed_at is None and found["time"]:
        signed_at = box_time(found["time"])
    return SignatureInfo(
        signer=signer,
        signed_at=signed_at,
        organisation=found["organisation"],
        email=found["email"],
        reason=reason,
        location=fields.get("Location") or None,
        contact=fields.get("ContactInfo") or None,
        page=page,
        box_text=box_text.strip(),
    )


#: Annotation kinds that are a reader's or a signing tool's marks on the page, never the document's text.
_MARKUP_SUBTYPES = frozenset(
    {
        "/FreeText",
        "/Text",
        "/Stamp",
        "/Square",
        "/Circle",
        "/Ink",
        "/Highlight",
        "/Underline",
        "/StrikeOut",
        "/Squiggly",
        "/Popup",
        "/FileAttachment",
        "/Caret",
        "/Polygon",
        "/PolyLine",
        "/Line",
        "/Sound",
    }
)


def is_signature_box(text: str) -> bool:
    """Whether an annotation's drawn text reads as a signature box (``Người ký:``, ``Thời gian ký:`` ...)."""
    return any(rx.search(text) for rx in _BOX_FIELDS.values())


def inspect_pdf(path: Path, *, vietnamese: bool = True, dpi: int = 300) -> PdfFacts:
    """Read the signatures, overlays and page text layers of a PDF (warns and returns less on failure).

    Overlays are the annotations that are not the document: markup (typed notes, stamps, ink) and widgets
    that draw a signature box or only a picture. A widget drawing other text (a number or a date filled in
    when the document was registered and signed) is part of the document and is kept.
    """
    try:
        import pikepdf
    except ImportError:  # pragma: no cover - a declared dependency
        log.warning("pikepdf is not installed: PDF text layers and signatures are not read")
        return PdfFacts()
    facts = PdfFacts()
    try:
        with pikepdf.open(path) as pdf:
            annotated: list[tuple[int, int, Any]] = []
            for number, page in enumerate(pdf.pages, start=1):
                facts.pages.append(PageLayer(number=number, invisible_share=_invisible_share(pikepdf, page)))
                for index, annot in enumerate(page.obj.get("/Annots", []) or []):
                    annotated.append((number, index, annot))
            drawn = _annotation_texts(path, annotated)
            for (number, index, annot), text in zip(annotated, drawn, strict=True):
                layer = facts.pages[number - 1]
                subtype = str(annot.get("/Subtype", ""))
                contents = str(annot.get("/Contents", "") or "").strip()
                value = annot.get("/V")
                signed = (
                    str(annot.get("/FT", "")) == "/Sig"
                    and isinstance(value, pikepdf.Dictionary)
                    and str(value.get("/Type", "/Sig")) == "/Sig"
                )
                overlay = subtype in _MARKUP_SUBTYPES or (
                    subtype == "/Widget" and (is_signature_box(text) or (signed and not text))
                )
                if overlay:
                    facts.overlays.append((number, index))
                    if text or contents:
                        layer.annotations.append(text or contents)
                if signed:
                    entries = {
                        key: str(value[f"/{key}"])
                        for key in ("Name", "M", "Reason", "Location", "ContactInfo")
                        if f"/{key}" in value
                    }
                    box = text if is_signature_box(text) else ""
                    facts.signatures.append(signature_from(entries, box, number if box else None))
    except Exception as exc:  # pikepdf raises its own and qpdf's errors; any of them only loses the facts
        log.warning("%s: PDF structure not read (%s); pages are OCR'd as images", path.name, exc)
        return PdfFacts()
    bare = _page_texts(path, len(facts.pages), keep_annotations=())
    for layer, text in zip(facts.pages, bare, strict=False):
        layer.chars = sum(1 for c in text if not c.isspace())
        layer.marked_share = round(marked_share(text), 3)
        layer.kind = classify_layer(
            layer.chars, layer.invisible_share, layer.marked_share, vietnamese=vietnamese
        )
        layer.text = text
    if any(layer.kind == "real" for layer in facts.pages):
        kept = {(n, i) for n, i, _ in annotated} - set(facts.overlays)
        _zone_layers(path, facts, kept, dpi)
    return facts


def _zone_layers(path: Path, facts: PdfFacts, kept: set[tuple[int, int]], dpi: int) -> None:
    """Give the real layers their zones and their text in zone reading order (the kept annotations'
    text, such as a signed number, included)."""
    from .layer_zones import parse_bbox_html, zones_of_words

    try:
        pages = parse_bbox_html(_page_texts(path, len(facts.pages), kept, "-bbox")[0])
    except Exception as exc:  # the layer's own reading order is kept
        log.warning("%s: text-layer layout not read (%s)", path.name, exc)
        return
    for layer, (width, height, words) in zip(facts.pages, pages, strict=False):
        if layer.kind != "real":
            continue
        try:
            layer.zones = zones_of_words(words, width, height, dpi)
        except Exception as exc:  # a layout failure keeps the page's plain text
            log.warning("%s page %d: text-layer layout failed (%s)", path.name, layer.number, exc)
            continue
        if layer.zones:
            layer.text = "\n\n".join(zone.text for zone in layer.zones)


def without_overlays(path: Path, facts: PdfFacts, out: Path) -> Path:
    """Write a copy of the PDF without its overlay annotations (see :func:`inspect_pdf`); returns ``out``."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        _drop_annotations(pdf, keep=None, drop=set(facts.overlays))
        _save(pdf, out)
    return out


def _drop_annotations(pdf: Any, keep: set[tuple[int, int]] | None, drop: set[tuple[int, int]]) -> None:
    """Remove annotations in place: those in ``drop``, or all but those in ``keep`` when it is given."""
    import pikepdf

    for number, page in enumerate(pdf.pages, start=1):
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        remaining = [
            a
            for i, a in enumerate(annots)
            if ((number, i) in keep if keep is not None else (number, i) not in drop)
        ]
        if remaining:
            page.obj["/Annots"] = pikepdf.Array(remaining)
        else:
            del page.obj["/Annots"]


def _invisible_share(pikepdf: Any, page: Any) -> float:
    """Share of the page content's text-showing operators drawn in render mode 3 (invisible)."""
    shown = invisible = 0
    mode = 0
    try:
        instructions = pikepdf.parse_content_stream(page)
    except Exception:  # a content stream pikepdf cannot parse: no facts from it
        return 0.0
    for instruction in instructions:
        operator = str(instruction.operator)
        if operator == "Tr" and instruction.operands:
            mode = int(instruction.operands[0])
        elif operator == "BT":
            pass
        elif operator in _TEXT_SHOW:
            shown += 1
            invisible += mode == 3
    return invisible / shown if shown else 0.0


def _run_pdftotext(path: Path, pages: int, *extra: str) -> list[str]:
    """``pdftotext`` of every page (empty texts when it is missing or fails)."""
    if shutil.which("pdftotext") is None:
        return [""] * pages
    proc = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *extra, str(path), "-"], capture_output=True, timeout=300, check=False
    )
    if proc.returncode != 0:
        log.warning("%s: pdftotext failed; its text is not used", path.name)
        return [""] * pages
    texts = proc.stdout.decode("utf-8", "replace").split("\f")
    return [_tidy(t) for t in (texts + [""] * pages)[:pages]]


def _run_pdftotext_raw(path: Path, *extra: str) -> list[str]:
    """pdftotext's whole output with ``extra`` options, as one item (empty when it fails)."""
    if shutil.which("pdftotext") is None:
        return [""]
    proc = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *extra, str(path), "-"], capture_output=True, timeout=300, check=False
    )
    return [proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else ""]


def _page_texts(path: Path, pages: int, keep_annotations: Any, *extra: str) -> list[str]:
    """Each page's text with only the annotations in ``keep_annotations`` (``(page, index)`` pairs).

    With ``extra`` options (``-bbox``), pdftotext's whole output is the one item returned.
    """
    import pikepdf

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.pdf"
        with pikepdf.open(path) as pdf:
            _drop_annotations(pdf, keep=set(keep_annotations), drop=set())
            if "/AcroForm" in pdf.Root and not keep_annotations:
                del pdf.Root["/AcroForm"]
            _save(pdf, copy)
        if extra:
            return _run_pdftotext_raw(copy, *extra)
        return _run_pdftotext(copy, pages)


def _annotation_texts(path: Path, annotated: list[tuple[int, int, Any]]) -> list[str]:
    """The text each annotation draws (pdftotext inside its rectangle on a copy with empty page contents)."""
    if not annotated or shutil.which("pdftotext") is None:
        return [""] * len(annotated)
    import pikepdf

    texts = []
    with tempfile.TemporaryDirectory() as tmp:
        only = Path(tmp) / "annotations.pdf"
        heights = {}
        with pikepdf.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                page.obj["/Contents"] = pdf.make_stream(b"")
                heights[number] = float(page.mediabox[3])
            _save(pdf, only)
        for number, _, annot in annotated:
            rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
            left, right = sorted((rect[0], rect[2]))
            bottom, top = sorted((rect[1], rect[3]))
            if right - left < 1 or top - bottom < 1:
                texts.append("")
                continue
            crop = ["-r", "72", "-f", str(number), "-l", str(number), "-x", str(int(left) - 1)]
            crop += ["-y", str(int(heights[number] - top) - 1), "-W", str(int(right - left) + 3)]
            crop += ["-H", str(int(top - bottom) + 3)]
            texts.append(_run_pdftotext(only, 1, *crop)[0])
    return texts


def _save(pdf: Any, path: Path) -> None:
    """Save a working copy (pikepdf's warning about widgets outside /AcroForm does not concern it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pdf.save(path)


def _tidy(text: str) -> str:
    """Text with trailing spaces and runs of blank lines removed."""
    lines = [line.rstrip() for line in text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
