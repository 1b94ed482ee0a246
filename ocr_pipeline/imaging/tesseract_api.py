"""Tesseract inside this process: libtesseract's C API through ``ctypes``.

Reads what the ``tesseract`` command reads for :mod:`.engines` (same settings, same TSV, same OSD
figures) without starting a process and loading a model for every call: an initialised engine is kept per
language and set of init variables, per process and thread, so each model loads once per worker. The
command stays the fallback when the library cannot be loaded; ``VNOCR_TESSERACT=cli`` forces it.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import functools
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from ..exceptions import OcrEngineError, OcrTimeoutError

log = logging.getLogger(__name__)

#: Environment variable choosing how Tesseract runs: ``cli`` = the ``tesseract`` command for every call;
#: unset, empty or ``library`` = libtesseract in the process where it loads, else the command.
ENGINE_ENV = "VNOCR_TESSERACT"
#: The shared library, as ``tesseract-ocr`` 5 installs it.
LIBRARY_NAME = "libtesseract.so.5"
#: The header row the ``tesseract`` command writes above a page's TSV rows.
TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
#: Tesseract's engine mode when none is asked for (``OEM_DEFAULT``), as the command uses it.
DEFAULT_ENGINE_MODE = 3
#: Page segmentation mode 0: orientation and script detection only.
PSM_OSD_ONLY = 0
#: Clockwise rotation that makes the page upright for each orientation OSD finds (0, 90, 180, 270 degrees
#: anticlockwise), as the command's ``Rotate:`` line gives it.
_ROTATE_FOR_ORIENTATION = {0: 0, 90: 270, 180: 180, 270: 90}


#: What is used when ``VNOCR_TESSERACT`` is not set, in this context (see :func:`prefer_command`).
_default_mode: contextvars.ContextVar[str] = contextvars.ContextVar("vnocr_tesseract_mode", default="library")


@contextlib.contextmanager
def prefer_command() -> Iterator[None]:
    """While in this context (this thread or task only), Tesseract runs as a command unless
    ``VNOCR_TESSERACT=library`` says otherwise: where an engine crash must stay an error of one call."""
    token = _default_mode.set("cli")
    try:
        yield
    finally:
        _default_mode.reset(token)


def forced_cli() -> bool:
    """Whether the ``tesseract`` command is to be used instead of the library: ``VNOCR_TESSERACT=cli``, or
    unset inside :func:`prefer_command`."""
    mode = os.environ.get(ENGINE_ENV, "").strip().lower() or _default_mode.get()
    if mode not in ("cli", "library"):
        _warn_unknown_mode(mode)
    return mode == "cli"


@functools.lru_cache(maxsize=8)
def _warn_unknown_mode(mode: str) -> None:
    log.warning("%s=%s is neither 'cli' nor 'library': the library is used where it loads", ENGINE_ENV, mode)


def usable() -> bool:
    """Whether Tesseract runs in this process: not forced to the command, and the library loads."""
    return not forced_cli() and _library() is not None


@functools.lru_cache(maxsize=1)
def _library() -> ctypes.CDLL | None:
    """libtesseract with the C functions' signatures declared, or None (logged once) when it cannot load.

    ``OMP_THREAD_LIMIT=1`` is put in the environment first (unless already set): OpenMP reads it when it
    loads with the library, and parallelism comes from vnocr's own worker processes.
    """
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        lib = ctypes.CDLL(LIBRARY_NAME)
        _declare(lib)
    except (OSError, AttributeError) as exc:
        log.warning("libtesseract cannot be loaded (%s): Tesseract runs as a command, a process a call", exc)
        return None
    _check_thread_limit()
    return lib


def _declare(lib: ctypes.CDLL) -> None:
    """Argument and result types of the C functions used."""
    handle, text, number = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    strings = ctypes.POINTER(ctypes.c_char_p)
    signatures: dict[str, tuple[list[object], object]] = {
        "TessVersion": ([], text),
        "TessBaseAPICreate": ([], handle),
        "TessBaseAPIDelete": ([handle], None),
        "TessBaseAPIEnd": ([handle], None),
        "TessBaseAPIClear": ([handle], None),
        "TessBaseAPIInit4": (
            [handle, text, text, number, strings, number, strings, strings, ctypes.c_size_t, number],
            number,
        ),
        "TessBaseAPISetVariable": ([handle, text, text], number),
        "TessBaseAPISetPageSegMode": ([handle, number], None),
        "TessBaseAPISetImage": ([handle, ctypes.c_void_p, number, number, number, number], None),
        "TessBaseAPIRecognize": ([handle, handle], number),
        "TessBaseAPIGetTsvText": ([handle, number], ctypes.c_void_p),
        "TessBaseAPIDetectOrientationScript": (
            [
                handle,
                ctypes.POINTER(ctypes.c_int),
                ctypes.POINTER(ctypes.c_float),
                ctypes.POINTER(ctypes.c_char_p),
                ctypes.POINTER(ctypes.c_float),
            ],
            number,
        ),
        "TessDeleteText": ([ctypes.c_void_p], None),
        "TessMonitorCreate": ([], handle),
        "TessMonitorDelete": ([handle], None),
        "TessMonitorSetDeadlineMSecs": ([handle, number], None),
    }
    for name, (arguments, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes = arguments
        function.restype = result


def _check_thread_limit() -> None:
    """Log when OpenMP was loaded before the thread limit was set (Tesseract may then use several threads)."""
    try:
        gomp = ctypes.CDLL("libgomp.so.1")
        limit = int(gomp.omp_get_thread_limit())
    except (OSError, AttributeError):
        return
    wanted = os.environ.get("OMP_THREAD_LIMIT", "")
    if wanted.isdigit() and limit != int(wanted):
        log.warning("OpenMP loaded before OMP_THREAD_LIMIT=%s was set: its thread limit is %d", wanted, limit)


def version() -> str | None:
    """The library's version string (e.g. ``"5.3.0"``), or None when it cannot be loaded."""
    lib = _library()
    return lib.TessVersion().decode() if lib is not None else None


#: Engines kept per thread (the least recently used is freed beyond it): the pipeline uses four (``vie``,
#: ``eng``, ``eng`` with the blank-digit whitelist, ``osd``), and each holds its model (20-100 MB).
MAX_ENGINES_PER_THREAD = 4


@dataclass
class _Engine:
    """One initialised ``TessBaseAPI`` (a language loaded with its init variables); ``handle`` is None once
    freed, or where the engine is a forked child's copy of its parent's (left alone, not freed)."""

    handle: int | None
    lib: ctypes.CDLL = field(repr=False)

    def free(self) -> None:
        """End the engine and delete it (the C API's ``End`` and ``Delete``); once."""
        handle, self.handle = self.handle, None
        if handle is not None:
            self.lib.TessBaseAPIEnd(handle)
            self.lib.TessBaseAPIDelete(handle)

    def __del__(self) -> None:
        self.free()


EngineKey = tuple[str, tuple[tuple[str, str], ...]]


class _Engines(threading.local):
    """The engines of this thread, by language and init variables, least recently used first, and the
    process they were made in."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.by_key: OrderedDict[EngineKey, _Engine] = OrderedDict()


_engines = _Engines()


def _engine(lang: str, variables: tuple[tuple[str, str], ...]) -> _Engine:
    """The engine for ``lang`` initialised with ``variables`` (as the command's ``-c`` options), made once
    per process and thread; at most :data:`MAX_ENGINES_PER_THREAD` are kept."""
    lib = _library()
    if lib is None:
        raise OcrEngineError("libtesseract cannot be loaded")
    if _engines.pid != os.getpid():  # a forked child: its parent's engines are not its own to use or free
        for inherited in _engines.by_key.values():
            inherited.handle = None
        _engines.pid, _engines.by_key = os.getpid(), OrderedDict()
    key = (lang, variables)
    engine = _engines.by_key.get(key)
    if engine is not None:
        _engines.by_key.move_to_end(key)
        return engine
    while len(_engines.by_key) >= max(1, MAX_ENGINES_PER_THREAD):
        _, oldest = _engines.by_key.popitem(last=False)
        log.debug("libtesseract: engine for %s freed (%d kept a thread)", oldest, MAX_ENGINES_PER_THREAD)
        oldest.free()
    # Tesseract's messages (warnings, "Empty page!!") go to a file rather than the worker's stderr, as the
    # command's went to a pipe nobody read
    names = [b"debug_file", *(name.encode() for name, _ in variables)]
    values = [os.devnull.encode(), *(value.encode() for _, value in variables)]
    name_array = (ctypes.c_char_p * len(names))(*names)
    value_array = (ctypes.c_char_p * len(values))(*values)
    handle = lib.TessBaseAPICreate()
    failed = lib.TessBaseAPIInit4(
        handle, None, lang.encode(), DEFAULT_ENGINE_MODE, None, 0, name_array, value_array, len(names), 0
    )
    engine = _Engine(handle, lib)
    if failed:
        raise OcrEngineError(f"tesseract could not load language {lang!r}")
    log.debug("libtesseract: %s loaded with %s", lang, dict(variables))
    _engines.by_key[key] = engine
    return engine


def _set_image(engine: _Engine, image: np.ndarray) -> np.ndarray:
    """Hand a grey ``uint8`` image to the engine (it copies the pixels); the array passed, kept alive. A
    crop of a page (rows apart in memory, each row's pixels together) is passed as it is, rows by stride."""
    rows_together = image.dtype == np.uint8 and image.ndim == 2 and image.strides[1] == 1
    pixels = (
        image
        if rows_together and image.strides[0] >= image.shape[1]
        else np.ascontiguousarray(image, np.uint8)
    )
    if pixels.ndim != 2 or not pixels.size:
        raise OcrEngineError(f"tesseract cannot read an image of shape {image.shape}")
    height, width = pixels.shape
    engine.lib.TessBaseAPISetImage(engine.handle, pixels.ctypes.data, width, height, 1, pixels.strides[0])
    return pixels


def read_tsv(
    image: np.ndarray,
    lang: str,
    *,
    psm: int,
    dpi: int,
    variables: tuple[tuple[str, str], ...],
    deadline: float | None = None,
) -> str:
    """Tesseract's TSV (header and rows) of a grey image, as ``tesseract IMAGE out -l LANG --psm PSM --dpi
    DPI -c NAME=VALUE … `` with ``tessedit_create_tsv=1`` writes it.

    Args:
        deadline: ``time.monotonic()`` by which recognition must end (None = no limit).

    Raises:
        OcrTimeoutError: Recognition was stopped at the deadline.
        OcrEngineError: The library is missing, the language cannot be loaded, or recognition failed.
    """
    engine = _engine(lang, variables)
    lib = engine.lib
    lib.TessBaseAPISetPageSegMode(engine.handle, psm)
    lib.TessBaseAPISetVariable(engine.handle, b"user_defined_dpi", str(dpi).encode())
    pixels = _set_image(engine, image)
    monitor = None
    try:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise OcrTimeoutError("OCR deadline passed before recognition")
            monitor = lib.TessMonitorCreate()
            lib.TessMonitorSetDeadlineMSecs(monitor, max(1, min(2**31 - 1, round(1000 * left))))
        status = lib.TessBaseAPIRecognize(engine.handle, monitor)
        if status < 0:
            if deadline is not None and time.monotonic() >= deadline:
                raise OcrTimeoutError("OCR stopped at its deadline")
            raise OcrEngineError(f"tesseract recognition failed (status {status})")
        pointer = lib.TessBaseAPIGetTsvText(engine.handle, 0)
        if not pointer:
            raise OcrEngineError("tesseract returned no TSV")
        try:
            rows = ctypes.string_at(pointer).decode("utf-8")
        finally:
            lib.TessDeleteText(pointer)
    finally:
        if monitor is not None:
            lib.TessMonitorDelete(monitor)
        lib.TessBaseAPIClear(engine.handle)
        del pixels
    return TSV_HEADER + rows


def detect_orientation(image: np.ndarray) -> tuple[int, float] | None:
    """Tesseract OSD on a grey image, as ``tesseract IMAGE out -l osd --psm 0`` reports it: the clockwise
    rotation that makes the page upright and the orientation confidence (to two decimals, as printed), or
    None where OSD finds too little text.

    Raises:
        OcrEngineError: The library is missing or the ``osd`` data cannot be loaded.
    """
    engine = _engine("osd", ())
    lib = engine.lib
    lib.TessBaseAPISetPageSegMode(engine.handle, PSM_OSD_ONLY)
    pixels = _set_image(engine, image)
    degrees, confidence = ctypes.c_int(0), ctypes.c_float(0.0)
    script, script_confidence = ctypes.c_char_p(), ctypes.c_float(0.0)
    try:
        found = lib.TessBaseAPIDetectOrientationScript(
            engine.handle,
            ctypes.byref(degrees),
            ctypes.byref(confidence),
            ctypes.byref(script),
            ctypes.byref(script_confidence),
        )
    finally:
        lib.TessBaseAPIClear(engine.handle)
        del pixels
    if not found:
        return None
    rotate = _ROTATE_FOR_ORIENTATION.get(degrees.value % 360, 0)
    return rotate, float(f"{confidence.value:.2f}")
