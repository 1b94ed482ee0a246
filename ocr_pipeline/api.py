"""The Python API: a thin shell over the pipeline.

Example:
    >>> import ocr_pipeline
    >>> doc = ocr_pipeline.segment("I. MỤC ĐÍCH\\n1. Mục đích\\n- Bảo vệ trẻ em.")
    >>> doc.sections[0].label
    'I'
"""

from __future__ import annotations

from collections.abc import Sequence
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


def restore_texts(texts: Sequence[str], *, lexicon: Sequence[str | Path] = ()) -> list[str]:
    """Restore the diacritics of several texts as one batch (as ``vnocr batch`` does): texts from an OCR
    engine restoration does not know (a scanner's legacy text layer) are restored again with what the
    others of their kind read confidently; the rest are restored as alone.

    Args:
        texts: The texts, one a document.
        lexicon: Lexicon files of domain words and phrases to prefer (as ``--lexicon``).

    Returns:
        The restored texts, in order.
    """
    from diacritics import Lexicon, restore_together

    words = Lexicon.load(*lexicon) if lexicon else None
    return [r.text for r in restore_together(texts, lexicon=words)]
