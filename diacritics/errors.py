"""Errors raised by the diacritics package, each carrying the process exit code the CLI uses for it.

:class:`VnocrError` is the base of every vnocr error; the application (:mod:`ocr_pipeline.exceptions`)
re-exports it and :class:`DataError` and derives its own errors from it, so the restorer needs nothing from
the application. Every message tells the user what to do next, in one line.
"""

from __future__ import annotations

#: Exit code of an unexpected internal error (a bug), and of missing or corrupt shipped data.
INTERNAL_ERROR_EXIT = 1
DATA_ERROR_EXIT = 6
#: Exit code of running out of memory (or a process killed, as the out-of-memory killer does).
OUT_OF_MEMORY_EXIT = 9


class VnocrError(Exception):
    """Base class of all vnocr errors.

    Attributes:
        exit_code: The exit code the CLI returns for this error.
        hint: What the user should do about it.
    """

    exit_code: int = INTERNAL_ERROR_EXIT
    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        """The error message without the hint."""
        return str(self.args[0]) if self.args else self.__class__.__name__

    def one_line(self) -> str:
        """The message and the hint on one line, as printed by the CLI."""
        text = self.message.replace("\n", " ").strip()
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class DataError(VnocrError):
    """Shipped dictionary or model data is missing, corrupt or of another format version."""

    exit_code = DATA_ERROR_EXIT
    hint = "reinstall vnocr, or rebuild the data with `make dictionaries`"


class OutOfMemoryError(VnocrError):
    """The process, Tesseract or a worker ran out of memory (or was killed, as the out-of-memory killer
    does)."""

    exit_code = OUT_OF_MEMORY_EXIT
    hint = "free memory, or use fewer --jobs or a lower --dpi, and run again"
