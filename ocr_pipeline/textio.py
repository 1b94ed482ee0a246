"""Text files in and out: reading already-OCR'd text, writing outputs atomically.

Kept apart from the pipeline (no OpenCV, no Tesseract) so that ``vnocr restore`` starts fast.
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .exceptions import BadArgumentsError, InputFileError

log = logging.getLogger(__name__)

#: The ``--encoding`` choices: ``auto`` reads UTF-8, or converts CP1258, TCVN3 and VNI when it finds them.
ENCODING_CHOICES = ("auto", "utf-8", "cp1258", "tcvn3", "vni")
#: Control characters other than these mark binary data.
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0b\x0c\x1a")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROLS) + b"\x7f"
#: Share of control bytes above which data is binary, not text.
MAX_CONTROL_SHARE = 0.01
#: How much of a stream is read first to check and identify it (encoding, binary data).
SNIFF_BYTES = 1 << 20
_NOT_UTF8_HINT = (
    "convert it to UTF-8 (e.g. iconv -f CP1258 -t UTF-8 in.txt > out.txt) "
    "or name its encoding with --encoding cp1258|tcvn3|vni"
)


@dataclass(frozen=True)
class DecodedText:
    """Text read from bytes, and the encoding it was in.

    Attributes:
        text: The text (Unicode, NFC where converted from a legacy encoding).
        encoding: One of :data:`ENCODING_CHOICES` but ``auto``.
    """

    text: str
    encoding: str = "utf-8"

    @property
    def note(self) -> str | None:
        """A note for the record when the text was converted, else None."""
        return encoding_note(self.encoding)


def encoding_note(encoding: str) -> str | None:
    """``input: converted from TCVN3 (ABC) to Unicode`` for a legacy encoding, None for UTF-8."""
    from .legacy_encodings import LEGACY_ENCODINGS

    name = LEGACY_ENCODINGS.get(encoding)
    return f"input: converted from {name} to Unicode" if name else None


def check_encoding_choice(encoding: str) -> str:
    """``encoding`` lowercased, when it is one of :data:`ENCODING_CHOICES`.

    Raises:
        BadArgumentsError: Another name.
    """
    name = encoding.lower().replace("_", "-")
    name = {"utf8": "utf-8", "windows-1258": "cp1258", "abc": "tcvn3"}.get(name, name)
    if name not in ENCODING_CHOICES:
        raise BadArgumentsError(f"--encoding must be one of {', '.join(ENCODING_CHOICES)}, not {encoding!r}")
    return name


def check_text_bytes(data: bytes, name: str, *, whole: bool = True) -> None:
    """Refuse bytes that are no text: empty (when ``whole``), NUL bytes, or many control characters.

    Raises:
        InputFileError: As above; ``name`` is the file's name in the message.
    """
    if whole and not data.strip():
        raise InputFileError(f"{name}: the file is empty" if name != "<stdin>" else "stdin is empty")
    if b"\x00" in data:
        raise InputFileError(f"{name}: binary data, not text (NUL bytes)")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > MAX_CONTROL_SHARE * len(data):
        raise InputFileError(f"{name}: binary data, not text ({controls} control characters)")


def identify_encoding(data: bytes, name: str, encoding: str = "auto", *, complete: bool = True) -> str:
    """The encoding to read ``data`` (a whole text, or its start when not ``complete``) with.

    ``auto``: UTF-8 when the bytes are UTF-8, else the legacy encoding they read best in (see
    :func:`ocr_pipeline.legacy_encodings.detect`). A named encoding is taken as given.

    Raises:
        InputFileError: ``auto`` and the bytes are neither UTF-8 nor a known legacy encoding; or
            ``utf-8`` and they are not UTF-8.
    """
    encoding = check_encoding_choice(encoding)
    if encoding not in ("auto", "utf-8"):
        return encoding
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # The start of a stream may end inside a character: only an error before its last bytes counts.
        if not complete and exc.reason == "unexpected end of data":
            return "utf-8"
        position = exc.start
    if encoding == "utf-8":
        raise InputFileError(f"{name}: not UTF-8 text (byte {position})", hint=_NOT_UTF8_HINT)
    from .legacy_encodings import LEGACY_ENCODINGS, detect

    found = detect(data)
    if found is None:
        raise InputFileError(
            f"{name}: not UTF-8 text (byte {position}), nor Vietnamese in CP1258, TCVN3 or VNI",
            hint=_NOT_UTF8_HINT,
        )
    log.warning(
        "%s: not UTF-8; read as %s (%d of %d accented words are Vietnamese syllables); "
        "use --encoding to choose another",
        name,
        LEGACY_ENCODINGS[found.encoding],
        found.syllables,
        found.words,
    )
    return found.encoding


def decode_bytes(data: bytes, encoding: str, name: str) -> str:
    """``data`` decoded from ``encoding`` (a BOM dropped), as identified by :func:`identify_encoding`.

    Raises:
        InputFileError: A byte the encoding cannot decode.
    """
    from . import legacy_encodings

    try:
        if encoding == "utf-8":
            return data.decode("utf-8-sig")
        return legacy_encodings.decode(data, encoding)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{name}: not {encoding.upper()} text (byte {exc.start})", hint=_NOT_UTF8_HINT
        ) from exc


def decode_text(data: bytes, name: str, encoding: str = "auto") -> DecodedText:
    """Check and decode an already-OCR'd text (a file's or stdin's bytes).

    Raises:
        InputFileError: The bytes are empty, binary, or in no encoding handled (see
            :func:`identify_encoding`).
    """
    check_text_bytes(data, name)
    chosen = identify_encoding(data, name, encoding)
    return DecodedText(decode_bytes(data, chosen, name), chosen)


def read_text(path: Path, encoding: str = "auto") -> DecodedText:
    """Read an already-OCR'd text file: UTF-8 (with or without BOM), or CP1258, TCVN3 or VNI (converted).

    Raises:
        InputFileError: The file is missing, empty, binary or in no encoding handled.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputFileError(f"{path}: no such file") from exc
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    return decode_text(data, path.name, encoding)


def read_text_file(path: Path, encoding: str = "auto") -> str:
    """The text of :func:`read_text` (without the encoding it was in)."""
    return read_text(path, encoding).text


_LAST_SPACE = re.compile(rb"[ \t]+(?=[^ \t]*\Z)")


class TextStream:
    """A text read piece by piece from a binary stream, with the checks :func:`decode_text` makes.

    The first :data:`SNIFF_BYTES` are checked (empty, binary) and identify the encoding before any piece is
    given; every later chunk is checked as it comes. Pieces are whole lines (with their line end) or, for a
    line longer than ``max_piece`` bytes, parts of it cut after a space or tab: the concatenation of the
    pieces is the whole text.
    """

    def __init__(self, source: BinaryIO, name: str, encoding: str = "auto", *, max_piece: int = 1 << 16):
        self.source = source
        self.name = name
        self.max_piece = max_piece
        self._head = source.read(SNIFF_BYTES)
        complete = len(self._head) < SNIFF_BYTES
        check_text_bytes(self._head, name, whole=complete or not self._head)
        self.encoding = identify_encoding(self._head, name, encoding, complete=complete)
        self._utf8 = codecs.getincrementaldecoder("utf-8-sig")() if self.encoding == "utf-8" else None

    @property
    def note(self) -> str | None:
        """A note for the record when the text is converted, else None."""
        return encoding_note(self.encoding)

    def _decode(self, data: bytes, final: bool = False) -> str:
        if self._utf8 is not None:
            try:
                return self._utf8.decode(data, final)
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    f"{self.name}: not UTF-8 text (a byte after the first {SNIFF_BYTES} bytes)",
                    hint=_NOT_UTF8_HINT,
                ) from exc
        return decode_bytes(data, self.encoding, self.name)

    def _chunks(self) -> Iterator[bytes]:
        yield self._head
        while chunk := self.source.read(SNIFF_BYTES):
            check_text_bytes(chunk, self.name, whole=False)
            yield chunk

    def __iter__(self) -> Iterator[str]:
        pending = b""
        for chunk in self._chunks():
            pending += chunk
            start = 0
            while True:
                end = pending.find(b"\n", start, start + self.max_piece)
                if end >= 0:
                    yield self._decode(pending[start : end + 1])
                    start = end + 1
                    continue
                if len(pending) - start < self.max_piece:
                    break
                window = pending[start : start + self.max_piece]  # a long line: cut after a space or tab
                space = _LAST_SPACE.search(window)
                cut = start + (space.end() if space and space.end() > 0 else self.max_piece)
                yield self._decode(pending[start:cut])
                start = cut
            pending = pending[start:]
        tail = self._decode(pending, final=True)
        if tail:
            yield tail


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through, atomically: a temporary file in the same folder, renamed to
    ``path`` (with the mode a newly created file gets) when the block ends without an error, removed when it
    ends with one. A symbolic link at ``path`` is replaced, never written through."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files; an output file gets the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path) as fh:
        fh.write(data)


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
