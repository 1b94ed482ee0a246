"""Errors raised by vnocr, each carrying the process exit code the CLI uses for it.

The Python API raises these; only :mod:`ocr_pipeline.cli` turns them into exit codes. Every message
tells the user what to do next, in one line.

Exit codes (part of the public interface, documented in the README):

====  ==========================  ============================================================
code  class                       meaning
====  ==========================  ============================================================
0     --                          success
1     --                          unexpected internal error (a bug: please report it)
2     BadArgumentsError           bad arguments or options; an OUTPUT_DIR that would overwrite inputs
                                  or is locked by another batch
3     MissingDependencyError      tesseract / poppler / a language pack is not installed
4     InputFileError              an input file is missing, unreadable, encrypted, not a document,
                                  too large to decode, or text in an unknown encoding
5     PartialFailureError         a batch finished but some documents failed (see the manifest)
6     DataError                   shipped dictionary / model data is missing or corrupt
7     OcrTimeoutError             OCR of a page took longer than the per-page timeout
8     OutputWriteError            an output cannot be written: read-only, full disk, no permission,
                                  or a symbolic link leading out of OUTPUT_DIR
9     OutOfMemoryError            out of memory, or a process (Tesseract, a worker) killed by SIGKILL
10    OcrEngineError              Tesseract crashed or failed on a page
130   --                          interrupted (Ctrl-C)
====  ==========================  ============================================================
"""

from __future__ import annotations

import errno
import signal
import sys
from enum import IntEnum
from pathlib import Path

from diacritics.errors import DataError, OutOfMemoryError, VnocrError

__all__ = [
    "BadArgumentsError",
    "DataError",
    "EncryptedPdfError",
    "ExitCode",
    "InputFileError",
    "MissingDependencyError",
    "OcrTimeoutError",
    "PartialFailureError",
    "VnocrError",
]


class ExitCode(IntEnum):
    """Process exit codes of the ``vnocr`` command."""

    ok = 0
    internal_error = 1
    bad_arguments = 2
    missing_dependency = 3
    input_file = 4
    partial_failure = 5
    data_error = 6
    ocr_timeout = 7
    output_write = 8
    out_of_memory = 9
    ocr_engine = 10
    interrupted = 130


class BadArgumentsError(VnocrError):
    """The caller passed options that make no sense together or are out of range."""

    exit_code = ExitCode.bad_arguments
    hint = "see `vnocr --help`"


class MissingDependencyError(VnocrError):
    """A required external program or language pack is not installed."""

    exit_code = ExitCode.missing_dependency
    hint = (
        "run `make install` (Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-vie "
        "tesseract-ocr-eng poppler-utils; macOS: brew install tesseract tesseract-lang poppler)"
    )


class InputFileError(VnocrError):
    """An input document cannot be read: missing, empty, truncated, encrypted or not a document."""

    exit_code = ExitCode.input_file
    hint = "check the file, or re-scan / re-export it"


class EncryptedPdfError(InputFileError):
    """The PDF is password protected."""

    hint = "remove the password (e.g. `qpdf --decrypt in.pdf out.pdf`) and run again"


class OcrTimeoutError(VnocrError):
    """Tesseract did not finish a page within the per-page timeout."""

    exit_code = ExitCode.ocr_timeout
    hint = "raise --page-timeout, or lower --dpi for very large pages"


class PartialFailureError(VnocrError):
    """A batch finished, but at least one document failed."""

    exit_code = ExitCode.partial_failure
    hint = "see manifest.jsonl in the output folder for the reason of each failure"


class OutputWriteError(VnocrError):
    """An output file or folder cannot be written.

    Attributes:
        stops_batch: The fault concerns the whole output folder (full disk, read-only file system), so a
            batch stops rather than fail every remaining document the same way.
    """

    exit_code = ExitCode.output_write
    hint = "check that the output folder is writable"
    stops_batch: bool = False


class OcrEngineError(VnocrError):
    """Tesseract crashed or exited with an error on a page."""

    exit_code = ExitCode.ocr_engine
    hint = "run again; if the page fails again, re-scan it or try --lang eng"


#: ``errno`` values that concern a whole file system rather than one path.
_FILE_SYSTEM_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def output_write_error(path: Path | str, exc: OSError) -> OutputWriteError:
    """The :class:`OutputWriteError` for an ``OSError`` met while writing ``path``, with its advice."""
    reason = exc.strerror or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        error = OutputWriteError(
            f"{path}: cannot be written: disk full ({reason})",
            hint="free some space and run again: finished documents are skipped",
        )
    elif exc.errno == errno.EROFS:
        error = OutputWriteError(
            f"{path}: cannot be written: read-only file system",
            hint="choose an output folder on a writable disk",
        )
    elif exc.errno in (errno.EACCES, errno.EPERM):
        error = OutputWriteError(
            f"{path}: cannot be written: permission denied",
            hint="choose an output folder you may write to, or change its permissions",
        )
    else:
        error = OutputWriteError(f"{path}: cannot be written ({reason})")
    error.stops_batch = exc.errno in _FILE_SYSTEM_ERRNOS
    return error


def as_vnocr_error(exc: BaseException) -> VnocrError | None:
    """The vnocr error an unexpected exception stands for (a fault of the machine, not a bug), or None.

    Recognised: ``MemoryError``, and Tesseract failures (``pytesseract.TesseractError``): killed by SIGKILL
    (the out-of-memory killer's signal) → :class:`OutOfMemoryError`; any other crash or error exit →
    :class:`OcrEngineError`.
    """
    if isinstance(exc, VnocrError):
        return exc
    if isinstance(exc, MemoryError):
        return OutOfMemoryError("out of memory")
    tesseract = sys.modules.get("pytesseract")
    if tesseract is not None and isinstance(exc, tesseract.TesseractError):
        status = getattr(exc, "status", None)
        detail = str(getattr(exc, "message", "") or "").strip().replace("\n", " ")
        if status == -signal.SIGKILL:
            return OutOfMemoryError("tesseract was killed (SIGKILL, as the out-of-memory killer does)")
        if isinstance(status, int) and status < 0:
            try:
                name = signal.Signals(-status).name
            except ValueError:
                name = f"signal {-status}"
            return OcrEngineError(f"tesseract crashed ({name})" + (f": {detail}" if detail else ""))
        return OcrEngineError(f"tesseract failed (exit status {status})" + (f": {detail}" if detail else ""))
    return None
