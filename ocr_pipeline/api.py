"""The Python API: a thin shell over the pipeline.

Example:
    >>> import ocr_pipeline
    >>> doc = ocr_pipeline.segment("I. MỤC ĐÍCH\\n1. Mục đích\\n- Bảo vệ trẻ em.")
    >>> doc.sections[0].label
    'I'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .models import Document
from .options import ProcessOptions
from .pipeline import process_document, process_text


def process(path: str | Path, **options: Any) -> Document:
    """OCR, restore and segment one document (PDF, image, or already-OCR'd ``.txt``).

    Args:
        path: The input file.
        **options: Fields of :class:`ProcessOptions` (``lang``, ``dpi``, ``page_timeout``, ``restore``...).

    Returns:
        The processed :class:`Document`; use ``to_json()`` / ``to_markdown()`` / ``.text``.

    Raises:
        InputFileError: The file cannot be read.
        MissingDependencyError: Tesseract, poppler or language data is missing.
        BadArgumentsError: An option is out of range.
    """
    return process_document(Path(path), ProcessOptions(**options))


def segment(text: str, *, restore: bool = False) -> Document:
    """Segment already-OCR'd text into sections and metadata (optionally restoring accents first).

    Args:
        text: The document's text (pages may be separated by form feeds).
        restore: Run diacritic restoration before segmenting.

    Returns:
        A :class:`Document` whose ``sections``, ``preamble`` and ``metadata`` are filled in.
    """
    return process_text(text, options=ProcessOptions(restore=restore))
