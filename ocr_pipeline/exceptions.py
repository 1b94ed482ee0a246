"""Errors raised by vnocr, each carrying the process exit code the CLI uses for it.

The Python API raises these; only :mod:`ocr_pipeline.cli` turns them into exit codes. Every message
tells the user what to do next, in one line.

Exit codes (part of the public interface, documented in the README):

====  ==========================  ============================================================
code  class                       meaning
====  ==========================  ============================================================
0     --                          success
1     --                          unexpected internal error (a bug: please report it)
2     BadArgumentsError           bad command-line arguments or options
3     MissingDependencyError      tesseract / poppler / a language pack is not installed
4     InputFileError              an input file is missing, unreadable, encrypted or not a document
5     PartialFailureError         a batch finished but some documents failed (see the manifest)
6     DataError                   shipped dictionary / model data is missing or corrupt
7     OcrTimeoutError             OCR of a page took longer than the per-page timeout
130   --                          interrupted (Ctrl-C)
====  ==========================  ============================================================
"""

from __future__ import annotations

from enum import IntEnum

from diacritics.errors import DataError, VnocrError

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
