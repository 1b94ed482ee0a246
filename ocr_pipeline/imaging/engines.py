"""The one module that talks to external programs: Tesseract (in this process through
:mod:`.tesseract_api`, or the command through pytesseract) and poppler (pdftoppm, pdfinfo).

Everything else in vnocr works on numpy images and typed objects; when an external tool is missing or
fails, this module turns it into a :mod:`ocr_pipeline.exceptions` error with a one-line message.
"""

from __future__ import annotations

import functools
import logging
import os
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from ..exceptions import (
    EncryptedPdfError,
    InputFileError,
    MissingDependencyError,
    OcrEngineError,
    OcrTimeoutError,
)
from . import tesseract_api
from .page import PageOcr
from .tesseract_tsv import lines_from_data as _lines_from_data
from .tesseract_tsv import lines_from_library_tsv as _lines_from_library_tsv
from .tesseract_tsv import lines_from_tsv as lines_from_tsv

log = logging.getLogger(__name__)

#: Largest page we rasterise/OCR, in pixels per side; bigger pages are scaled down.
MAX_PAGE_PIXELS_SIDE = 12000
#: Largest page we rasterise/OCR, in pixels (an A1 sheet at 300 dpi is 70 million); bigger pages get a
#: lower resolution.
MAX_PAGE_PIXELS = 100_000_000


# --------------------------------------------------------------------------------------------- tesseract
@functools.lru_cache(maxsize=1)
def tesseract_version() -> str:
    """Tesseract's version string, e.g. ``"5.3.0"``.

    Raises:
        MissingDependencyError: Tesseract is not installed.
    """
    import pytesseract

    if shutil.which("tesseract") is None:
        raise MissingDependencyError("tesseract is not installed or not on PATH")
    try:
        return str(pytesseract.get_tesseract_version()).strip()
    except (pytesseract.TesseractNotFoundError, OSError) as exc:  # pragma: no cover - defensive
        raise MissingDependencyError(f"tesseract cannot be run: {exc}") from exc


@functools.lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    """The Tesseract language packs installed (e.g. ``{"eng", "vie", "osd"}``).

    Raises:
        MissingDependencyError: Tesseract is not installed.
    """
    import pytesseract

    tesseract_version()
    try:
        return frozenset(pytesseract.get_languages(config=""))
    except Exception as exc:  # pytesseract raises bare TesseractError subclasses
        raise MissingDependencyError(f"cannot list tesseract languages: {exc}") from exc


def choose_language(requested: str = "auto") -> str:
    """Resolve ``auto|vie|eng`` to an installed Tesseract language.

    ``auto`` means ``vie`` where installed, otherwise ``eng`` with a warning (restoration then rebuilds the
    accents). An explicit request for a language that is not installed raises.

    Raises:
        MissingDependencyError: The requested language (or, for auto, any usable one) is missing.
    """
    langs = installed_languages()
    if requested == "auto":
        if "vie" in langs:
            return "vie"
        if "eng" in langs:
            log.warning(
                "tesseract language 'vie' is not installed: using 'eng' and restoring accents "
                "(install tesseract-ocr-vie for better results)"
            )
            return "eng"
        raise MissingDependencyError("neither 'vie' nor 'eng' tesseract language data is installed")
    if requested not in langs:
        raise MissingDependencyError(f"tesseract language {requested!r} is not installed")
    return requested


def _handover_image(image: np.ndarray) -> Image.Image:
    """The image as pytesseract will write it for Tesseract: uncompressed PGM, not its default PNG.

    PNG-compressing a noisy 300-dpi page costs about as much as a third of its OCR; Tesseract reads the same
    pixels either way (identical output).
    """
    pil = Image.fromarray(image)
    pil.format = "PPM"  # Pillow's name for the PBM/PGM/PPM family: an 8-bit grey image is written as P5
    return pil


def _single_thread_env() -> None:
    # One Tesseract thread per worker: parallelism comes from our own worker processes.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def ocr_page(
    image: np.ndarray,
    lang: str,
    *,
    dpi: int = 300,
    psm: int = 3,
    timeout: float = 0,
    extra_config: str = "",
) -> PageOcr:
    """Run Tesseract on a page image and return words with boxes and confidences, in reading order.

    Tesseract runs in this process (:mod:`.tesseract_api`) where libtesseract loads, else as a command;
    both give the same result.

    Args:
        image: Grayscale or binary ``uint8`` image.
        lang: Tesseract language(s), e.g. ``"vie"`` or ``"vie+eng"``.
        dpi: Resolution hint passed to Tesseract.
        psm: Tesseract page segmentation mode (3 = automatic, 6 = one block).
        timeout: Seconds before giving up on the page (0 = no limit).
        extra_config: Extra Tesseract ``-c`` options.

    Raises:
        OcrTimeoutError: Tesseract ran longer than ``timeout``.
        MissingDependencyError: Tesseract is missing.
    """
    variables = _init_variables(extra_config)
    if variables is not None and _in_process(image):
        tsv = _read_in_process(image, lang, psm, dpi, variables, _deadline(timeout), timeout, "the page")
        return PageOcr(lines=_lines_from_library_tsv(tsv), lang=lang, engine=_library_engine())
    import pytesseract

    _single_thread_env()
    config = f"--psm {psm} --dpi {dpi} -c preserve_interword_spaces=0 {extra_config}".strip()
    try:
        data = pytesseract.image_to_data(
            _handover_image(image),
            lang=lang,
            config=config,
            output_type=pytesseract.Output.DICT,
            timeout=timeout,
        )
    except RuntimeError as exc:  # pytesseract signals its timeout with RuntimeError
        if "timeout" in str(exc).lower():
            raise OcrTimeoutError(f"OCR of the page took longer than {timeout:g} s") from exc
        raise
    except pytesseract.TesseractNotFoundError as exc:
        raise MissingDependencyError("tesseract is not installed or not on PATH") from exc
    return PageOcr(lines=_lines_from_data(data), lang=lang, engine=f"tesseract {tesseract_version()}")


#: The ``-c`` variables every OCR call sets (the TSV output, single spaces between words), in the order the
#: command receives them.
_BASE_VARIABLES = (("tessedit_create_tsv", "1"), ("preserve_interword_spaces", "0"))


def _library_engine() -> str:
    """The engine a page read in this process records: the library's version (``TessVersion``), which may
    differ from the command's on PATH."""
    return f"tesseract {tesseract_api.version() or tesseract_version()}"


def _in_process(image: np.ndarray) -> bool:
    """Whether Tesseract reads this image in this process: the library is usable and the image is 2-D
    grey ``uint8`` (anything else goes to the command as pytesseract writes it)."""
    return image.dtype == np.uint8 and image.ndim == 2 and tesseract_api.usable()


def _init_variables(extra_config: str) -> tuple[tuple[str, str], ...] | None:
    """The ``-c`` variables of a call as the command receives them, or None when ``extra_config`` holds
    more than ``-c NAME=VALUE`` options (such a call goes to the command)."""
    tokens = shlex.split(extra_config)
    if len(tokens) % 2 or any(option != "-c" for option in tokens[::2]):
        return None
    settings = [setting.partition("=") for setting in tokens[1::2]]
    if any(not name or not equals for name, equals, _ in settings):
        return None
    return (*_BASE_VARIABLES, *((name, value) for name, _, value in settings))


def _deadline(timeout: float) -> float | None:
    return time.monotonic() + timeout if timeout > 0 else None


def _read_in_process(
    image: np.ndarray,
    lang: str,
    psm: int,
    dpi: int,
    variables: tuple[tuple[str, str], ...],
    deadline: float | None,
    timeout: float,
    what: str,
) -> str:
    """:func:`.tesseract_api.read_tsv`, its timeout told as the command's is."""
    try:
        return tesseract_api.read_tsv(image, lang, psm=psm, dpi=dpi, variables=variables, deadline=deadline)
    except OcrTimeoutError as exc:
        raise OcrTimeoutError(f"OCR of {what} took longer than {timeout:g} s") from exc


def ocr_images(
    images: Iterable[np.ndarray],
    lang: str,
    *,
    dpi: int = 300,
    psm: int = 3,
    timeout: float = 0,
    extra_config: str = "",
) -> list[PageOcr]:
    """Run Tesseract once over several images (its model loaded once).

    Each image gets what :func:`ocr_page` with the same settings gives it. In this process (see
    :func:`ocr_page`) one engine reads the images one after the other; as a command, Tesseract reads a list
    of them, each as a page of its own, and an image is written to the scratch folder as it comes, so the
    list is not held in memory.

    Raises:
        OcrTimeoutError: Tesseract ran longer than ``timeout`` over all the images.
        MissingDependencyError: Tesseract is missing.
    """
    variables = _init_variables(extra_config)
    if variables is not None and tesseract_api.usable():
        return _ocr_images_in_process(images, lang, dpi, psm, timeout, variables, extra_config)
    import pytesseract

    _single_thread_env()
    config = f"--psm {psm} --dpi {dpi} -c preserve_interword_spaces=0 {extra_config}"
    with tempfile.TemporaryDirectory(prefix="tess_") as folder:
        names = []
        for index, image in enumerate(images):
            name = os.path.join(folder, f"{index:05d}.pgm")
            _handover_image(image).save(name, format="PPM")
            names.append(name)
        if not names:
            return []
        listing = os.path.join(folder, "images.txt")
        with open(listing, "w", encoding="utf-8") as fh:
            fh.write("\n".join(names) + "\n")
        output = os.path.join(folder, "out")
        command = [
            "tesseract",
            listing,
            output,
            "-l",
            lang,
            "-c",
            "tessedit_create_tsv=1",
            *shlex.split(config),
        ]
        try:
            proc = subprocess.run(command, capture_output=True, timeout=timeout or None)
        except subprocess.TimeoutExpired as exc:
            raise OcrTimeoutError(f"OCR of {len(names)} page parts took longer than {timeout:g} s") from exc
        except FileNotFoundError as exc:
            raise MissingDependencyError("tesseract is not installed or not on PATH") from exc
        if proc.returncode:
            raise pytesseract.TesseractError(proc.returncode, proc.stderr.decode("utf-8", "replace").strip())
        with open(output + ".tsv", "rb") as fh:
            tsv = fh.read().decode("utf-8")
    header, *rows = tsv.split("\n")
    by_image: list[list[str]] = [[] for _ in names]
    for row in rows:
        fields = row.split("\t", 2)
        if len(fields) > 1 and fields[1].isdigit() and 1 <= int(fields[1]) <= len(names):
            by_image[int(fields[1]) - 1].append(row)
    engine = f"tesseract {tesseract_version()}"
    results = []
    for part in by_image:  # each image's rows as pytesseract reads a TSV of its own
        data = pytesseract.pytesseract.file_to_dict("\n".join([header, *part]), "\t", -1)
        results.append(PageOcr(lines=_lines_from_data(data) if data else (), lang=lang, engine=engine))
    return results


def _ocr_images_in_process(
    images: Iterable[np.ndarray],
    lang: str,
    dpi: int,
    psm: int,
    timeout: float,
    variables: tuple[tuple[str, str], ...],
    extra_config: str,
) -> list[PageOcr]:
    """:func:`ocr_images` in this process: one engine reads the images one after the other, each image
    as the command reads it (an image that is not 2-D grey ``uint8`` goes to :func:`ocr_page`)."""
    deadline = _deadline(timeout)
    engine = _library_engine()
    results = []
    for image in images:
        if not _in_process(image):
            left = max(0.001, deadline - time.monotonic()) if deadline is not None else 0
            results.append(ocr_page(image, lang, dpi=dpi, psm=psm, timeout=left, extra_config=extra_config))
            continue
        tsv = _read_in_process(image, lang, psm, dpi, variables, deadline, timeout, "the page parts")
        results.append(PageOcr(lines=_lines_from_library_tsv(tsv), lang=lang, engine=engine))
    return results


def detect_orientation(image: np.ndarray, *, timeout: float = 30) -> tuple[int, float] | None:
    """Tesseract OSD: the clockwise rotation (0/90/180/270) that makes the page upright.

    Returns:
        ``(rotate, confidence)``, or None when OSD is not installed or finds too little text.
    """
    import pytesseract

    if "osd" not in installed_languages():
        return None
    if _in_process(image):  # OSD cannot be stopped in the process: ``timeout`` holds for the command only
        try:
            return tesseract_api.detect_orientation(image)
        except OcrEngineError as exc:
            log.debug("OSD failed: %s", exc)
            return None
    _single_thread_env()
    try:
        osd = pytesseract.image_to_osd(
            _handover_image(image), config="--psm 0", output_type=pytesseract.Output.DICT, timeout=timeout
        )
    except (pytesseract.TesseractError, RuntimeError) as exc:
        log.debug("OSD failed: %s", exc)
        return None
    return int(osd.get("rotate", 0)) % 360, float(osd.get("orientation_conf", 0.0))


# ----------------------------------------------------------------------------------------------- poppler
def _check_poppler() -> None:
    if shutil.which("pdftoppm") is None or shutil.which("pdfinfo") is None:
        raise MissingDependencyError("poppler-utils (pdftoppm, pdfinfo) is not installed")


def pdf_page_count(path: Path) -> int:
    """Number of pages of a PDF.

    Raises:
        InputFileError: The file is not a readable PDF (empty, truncated, not a PDF).
        EncryptedPdfError: The PDF is password protected.
        MissingDependencyError: poppler is not installed.
    """
    _check_poppler()
    _sniff_pdf(path)
    proc = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise _pdf_error(path, proc.stderr)
    for line in proc.stdout.splitlines():
        if line.startswith("Encrypted:") and "yes" in line and "print:yes" not in line:
            raise EncryptedPdfError(f"{path.name}: the PDF is encrypted")
        if line.startswith("Pages:"):
            pages = int(line.split(":", 1)[1].strip() or 0)
            if pages <= 0:
                raise InputFileError(f"{path.name}: the PDF has no pages")
            return pages
    raise InputFileError(f"{path.name}: pdfinfo could not read the page count")


def pdf_page_size(path: Path, page_number: int) -> tuple[float, float] | None:
    """Width and height of a PDF page in points (1/72 inch), or None when pdfinfo does not say."""
    _check_poppler()
    proc = subprocess.run(
        ["pdfinfo", "-f", str(page_number), "-l", str(page_number), str(path)],
        capture_output=True,
        text=True,
        errors="replace",
    )
    for line in proc.stdout.splitlines():
        if line.startswith("Page") and " size:" in line:
            try:
                dims = line.split("size:", 1)[1].split("pts", 1)[0].split("x")
                return float(dims[0]), float(dims[1])
            except (IndexError, ValueError):
                return None
    return None


def fitting_dpi(width_inches: float, height_inches: float, dpi: int) -> int:
    """``dpi``, or the highest lower resolution at which the page stays within the pixel limits.

    The limits are :data:`MAX_PAGE_PIXELS_SIDE` per side and :data:`MAX_PAGE_PIXELS` in all.
    """
    longest = max(width_inches, height_inches, 1e-6)
    area = max(width_inches * height_inches, 1e-6)
    limit = min(MAX_PAGE_PIXELS_SIDE / longest, (MAX_PAGE_PIXELS / area) ** 0.5)
    return dpi if dpi <= limit else max(1, int(limit))


def _sniff_pdf(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not head:
        raise InputFileError(f"{path.name}: the file is empty")
    if b"%PDF-" not in head:
        raise InputFileError(f"{path.name}: not a PDF (no %PDF header)")


def _pdf_error(path: Path, stderr: str) -> InputFileError:
    first = next((ln.strip() for ln in stderr.splitlines() if ln.strip()), "unknown error")
    if "ncrypt" in stderr or "password" in stderr.lower():
        return EncryptedPdfError(f"{path.name}: the PDF is encrypted")
    return InputFileError(f"{path.name}: the PDF cannot be read ({first})")


#: Bytes of rendered page read at a time: a page is converted to grey strip by strip as ``pdftoppm`` sends
#: it, so that an A3 page at 600 dpi (200 MB in RGB) never sits whole in memory in colour.
RENDER_STRIP_BYTES = 8 << 20


def rasterise_pdf_page(
    path: Path, page_number: int, dpi: int, *, timeout: float = 300, grey: bool | None = None
) -> np.ndarray:
    """Render one PDF page to a grayscale image (one page at a time keeps memory bounded).

    ``pdftoppm`` renders the page in colour (colour marks are dropped before the grey conversion, see
    :mod:`.colour`); its output is read and converted strip by strip. A page that can only render grey
    (:func:`.colour.pdf_page_is_grey`, unless ``grey`` says) is rendered grey (``pdftoppm -gray``): the same
    pixels without the colour work. Callers choose ``dpi`` with
    :func:`fitting_dpi` so that the page stays within the pixel limits (see
    :func:`ocr_pipeline.imaging.rasterise.iter_pages`); as a last resort a page still bigger than
    :data:`MAX_PAGE_PIXELS_SIDE` on a side is scaled down after rendering.

    Raises:
        InputFileError: The page cannot be rendered (or not within ``timeout`` seconds).
        PIL.Image.DecompressionBombError: The page is bigger than Pillow would open.
    """
    from . import colour

    _check_poppler()
    if grey is None:
        grey = colour.pdf_page_is_grey(path, page_number)
    command = ["pdftoppm", "-r", str(dpi), *(["-gray"] if grey else []), "-f", str(page_number)]
    command += ["-l", str(page_number), str(path)]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        expired = threading.Event()

        def stop() -> None:
            expired.set()
            proc.kill()

        timer = threading.Timer(timeout, stop) if timeout > 0 else None
        if timer is not None:
            timer.start()
        try:
            assert proc.stdout is not None
            image = _read_pgm(proc.stdout) if grey else _read_ppm_grey(proc.stdout, page_number)
        finally:
            if timer is not None:
                timer.cancel()
            proc.kill()  # a page we stopped reading (an error) or a finished process: both end here
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if image is None:
            if expired.is_set():
                raise InputFileError(
                    f"{path.name}: page {page_number} took longer than {timeout:g} s to render"
                )
            errors.seek(0)
            raise _pdf_error(path, errors.read().decode("utf-8", "replace"))
    return image


def _read_exactly(stream: Any, buffer: memoryview) -> bool:
    """Fill ``buffer`` from ``stream``; False when the stream ends first."""
    filled = 0
    while filled < len(buffer):
        count = stream.readinto(buffer[filled:])
        if not count:
            return False
        filled += count
    return True


def _ppm_header(stream: Any, magic: bytes = b"P6") -> tuple[int, int] | None:
    """Width and height from the header of a binary PPM (``P6``, or ``magic``: ``P5`` for a PGM; 8 bits)
    on ``stream``; None at its end."""
    fields: list[bytes] = []
    token = b""
    while len(fields) < 4:
        char = stream.read(1)
        if not char:
            return None
        if char == b"#" and not token:
            while char not in (b"\n", b""):
                char = stream.read(1)
            continue
        if char.isspace():
            if token:
                fields.append(token)
                token = b""
            continue
        token += char
    if fields[0] != magic or fields[3] != b"255":
        raise InputFileError(
            f"pdftoppm wrote an unexpected image ({b' '.join(fields).decode(errors='replace')})"
        )
    return int(fields[1]), int(fields[2])


def _checked_size(size: tuple[int, int]) -> tuple[int, int]:
    """``size`` (width, height) of a rendered page, refused as Pillow would refuse to open it."""
    width, height = size
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and width * height > 2 * limit:  # as Pillow would refuse it
        raise Image.DecompressionBombError(
            f"Image size ({width * height} pixels) exceeds limit of {2 * limit} pixels, could be "
            "decompression bomb DOS attack."
        )
    return width, height


def _within_side_limit(img: Image.Image) -> Image.Image:
    """A rendered page bigger than :data:`MAX_PAGE_PIXELS_SIDE` on a side, scaled down whole to it."""
    scale = MAX_PAGE_PIXELS_SIDE / max(img.size)
    return img.resize((int(img.width * scale), int(img.height * scale)), Image.Resampling.LANCZOS)


def _read_pgm(stream: Any) -> np.ndarray | None:
    """The grey page of the PGM that ``pdftoppm -gray`` writes on ``stream``, read straight into the page
    array; None when the stream ends early (``pdftoppm`` failed or was stopped)."""
    size = _ppm_header(stream, b"P5")
    if size is None:
        return None
    width, height = _checked_size(size)
    grey = np.empty((height, width), dtype=np.uint8)
    if not _read_exactly(stream, grey.data.cast("B")):
        return None
    if max(width, height) > MAX_PAGE_PIXELS_SIDE:  # rare: scaled down whole (see rasterise_pdf_page)
        return np.asarray(_within_side_limit(Image.fromarray(grey)), dtype=np.uint8)
    return grey


def _read_ppm_grey(stream: Any, page_number: int) -> np.ndarray | None:
    """The grey page (colour marks dropped) of the PPM that ``pdftoppm`` writes on ``stream``, read and
    converted strip by strip; None when the stream ends early (``pdftoppm`` failed or was stopped)."""
    from . import colour

    size = _ppm_header(stream)
    if size is None:
        return None
    width, height = _checked_size(size)
    if max(width, height) > MAX_PAGE_PIXELS_SIDE:  # rare: scaled down whole (see rasterise_pdf_page)
        rgb = np.empty((height, width, 3), dtype=np.uint8)
        if not _read_exactly(stream, rgb.data.cast("B")):
            return None
        return grey_page(_within_side_limit(Image.fromarray(rgb)))
    grey = np.empty((height, width), dtype=np.uint8)
    drop = np.empty((height, width), dtype=bool)
    rows = max(1, RENDER_STRIP_BYTES // (3 * width))
    strip = np.empty((rows, width, 3), dtype=np.uint8)
    for y in range(0, height, rows):
        part = strip[: min(rows, height - y)]
        if not _read_exactly(stream, part.data.cast("B")):
            return None
        grey[y : y + len(part)] = cv2.cvtColor(part, cv2.COLOR_RGB2GRAY)
        drop[y : y + len(part)] = colour.coloured_marks(part)
    return _drop_colour_marks(grey, drop, page_number)


def _drop_colour_marks(grey: np.ndarray, drop: np.ndarray, page_number: int) -> np.ndarray:
    """``grey`` with the ``drop`` pixels (and a 1-pixel rim) painted paper, as :func:`.colour.to_grey` does
    on a whole page, when they are enough for a colour page; strip by strip."""
    from . import colour

    share = np.count_nonzero(drop) / max(1, drop.size)
    if share < colour.MIN_COLOUR_SHARE:
        return grey
    log.debug("page %d: colour marks dropped: %.2f%% of the page", page_number, 100 * share)
    paper = np.uint8(int(np.percentile(grey[::4, ::4], 90)))
    kernel = np.ones((3, 3), np.uint8)
    height = grey.shape[0]
    rows = max(1, RENDER_STRIP_BYTES // max(1, grey.shape[1]))
    for y0 in range(0, height, rows):
        y1 = min(height, y0 + rows)
        top, bottom = max(0, y0 - 1), min(height, y1 + 1)
        grown = cv2.dilate(drop[top:bottom].view(np.uint8), kernel)[y0 - top : y0 - top + (y1 - y0)]
        np.copyto(grey[y0:y1], paper, where=grown.view(bool))
    return grey


def grey_page(img: Image.Image) -> np.ndarray:
    """A rendered or scanned page as a grey ``uint8`` array, colour marks dropped (see :mod:`.colour`)."""
    from .colour import to_grey

    if img.mode in ("1", "L", "LA", "I", "I;16", "F"):
        return np.asarray(img.convert("L"), dtype=np.uint8)
    grey, share = to_grey(np.asarray(img.convert("RGB"), dtype=np.uint8))
    if share:
        log.debug("colour marks dropped: %.2f%% of the page", 100 * share)
    return grey
