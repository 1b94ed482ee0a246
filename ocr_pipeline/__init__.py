"""vnocr: scanned Vietnamese administrative documents to correct, structured text.

Public API:
    process(path, **options) -> Document
    segment(text) -> Document
    restore_texts(texts) -> list[str]   (a batch's texts restored together)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
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
from .options import ProcessOptions

if TYPE_CHECKING:
    from .api import process, restore_texts, segment
    from .models import Document, PageResult

#: Imported on first use, so that ``vnocr restore`` and ``import diacritics`` do not load OpenCV and the OCR
#: pipeline (PEP 562).
_LAZY = {
    "process": "api",
    "segment": "api",
    "restore_texts": "api",
    "Document": "models",
    "PageResult": "models",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ocr_pipeline' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


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
    "restore_texts",
    "segment",
]
