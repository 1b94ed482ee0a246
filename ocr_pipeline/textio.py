"""Text files in and out: reading already-OCR'd text, writing outputs atomically.

Kept apart from the pipeline (no OpenCV, no Tesseract) so that ``vnocr restore`` starts fast.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .exceptions import InputFileError


def read_text_file(path: Path) -> str:
    """Read an already-OCR'd text file (UTF-8, with or without BOM).

    Raises:
        InputFileError: The file is missing, empty, binary or not UTF-8.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputFileError(f"{path}: no such file") from exc
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not data.strip():
        raise InputFileError(f"{path.name}: the file is empty")
    if b"\x00" in data:
        raise InputFileError(f"{path.name}: binary data in a .txt file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path.name}: not UTF-8 text (byte {exc.start})", hint="convert it with iconv -t UTF-8"
        ) from exc


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file in the same folder, then a rename), with the
    mode a newly created file gets."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files; an output file gets the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_npy(path: Path, array: Any) -> None:
    """Write a NumPy array to ``path`` as ``.npy`` (C order, no pickles), atomically as
    :func:`atomic_write_bytes`."""
    import io

    import numpy as np  # data builds only: keeps numpy out of the modules that do not need it

    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    atomic_write_bytes(path, buffer.getvalue())


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, line ends as given) to ``path`` atomically, as :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))
