"""vnocr: scanned Vietnamese administrative documents to correct, structured text.

Public API:
    process(path, **options) -> Document
    segment(text) -> Document
"""

from __future__ import annotations

from ._version import __version__
from .api import process, segment
from .exceptions import (
    BadArgumentsError,
    DataError,
    EncryptedPdfError,
    ExitCode,
    InputFileError,
    MissingDependencyError,
    OcrTimeoutError,
    PartialFailureError,
    VnocrError,
)
from .models import Document, PageResult
from .options import ProcessOptions

__all__ = [
    "BadArgumentsError",
    "DataError",
    "Document",
    "EncryptedPdfError",
    "ExitCode",
    "InputFileError",
    "MissingDependencyError",
    "OcrTimeoutError",
    "PageResult",
    "PartialFailureError",
    "ProcessOptions",
    "VnocrError",
    "__version__",
    "process",
    "segment",
]
