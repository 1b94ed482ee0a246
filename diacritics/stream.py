"""Restoration of a text of any size, block by block, in bounded memory.

A text arrives as pieces (its lines with their line ends, or parts of a very long line) and leaves as
restored blocks, written as soon as each is done: the output has exactly the input's line breaks and
whitespace, and memory holds one block at a time, whatever the text's size. A block ends at a paragraph
break (a blank line) once it holds ``block_chars`` characters, or else at a line end once it holds twice
that, or else (one very long line) after a space once it holds four times that: a line longer than
``block_chars`` is cut after a space first. Each block is restored on its own with :func:`diacritics.restore`.

The restorer's caches grow with the distinct tokens it meets (bounded for natural text, not for pages of OCR
garbage), so a text of more than one block is restored in a child process that is replaced by a fresh one
whenever its resident memory passes :data:`RECYCLE_ABOVE_MB` (on Linux, where it can be forked).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import re
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)

#: Characters of a block before it may end at a paragraph break (a few pages of text).
DEFAULT_BLOCK_CHARS = 10_000
#: Resident memory (MB) of the restoring process past which it is replaced by a fresh one.
RECYCLE_ABOVE_MB = 320

_LAST_SPACE = re.compile(r"\s+(?=\S*\Z)")


def bounded_lines(pieces: Iterable[str], limit: int) -> Iterator[str]:
    """The text of the pieces as its lines (with their line ends), a line longer than ``limit`` characters
    cut after its last whitespace within ``limit`` (or at ``limit`` where it has none): the concatenation is
    the text."""
    pending = ""
    for piece in pieces:
        pending += piece
        start = 0
        while True:
            end = pending.find("\n", start, start + limit)
            if end >= 0:
                yield pending[start : end + 1]
                start = end + 1
            elif len(pending) - start > limit:
                space = _LAST_SPACE.search(pending, start, start + limit)
                cut = space.end() if space else start + limit
                yield pending[start:cut]
                start = cut
            else:
                break
        pending = pending[start:]
    if pending:
        yield pending


def iter_blocks(pieces: Iterable[str], block_chars: int = DEFAULT_BLOCK_CHARS) -> Iterator[str]:
    """Group the pieces of a text into blocks (see the module docstring); their concatenation is the text."""
    block: list[str] = []
    size = 0
    for piece in bounded_lines(pieces, block_chars):
        block.append(piece)
        size += len(piece)
        line_end = piece.endswith("\n")
        if (
            (size >= block_chars and line_end and not piece.strip())
            or (size >= 2 * block_chars and line_end)
            or size >= 4 * block_chars
        ):
            yield "".join(block)
            block, size = [], 0
    if block:
        yield "".join(block)


def resident_mb() -> float:
    """This process's resident memory in MB (its peak where the current figure is not available)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def _serve(connection: Connection, restore_block: Callable[[str], str]) -> None:
    """The child's loop: restore each block received, send back (ok, text or exception, resident MB)."""
    while True:
        try:
            block = connection.recv()
        except (EOFError, KeyboardInterrupt):
            break
        if block is None:
            break
        try:
            connection.send((True, restore_block(block), resident_mb()))
        except BaseException as exc:
            try:
                connection.send((False, exc, resident_mb()))
            except Exception:  # an exception that cannot be pickled: its text
                connection.send((False, RuntimeError(f"{type(exc).__name__}: {exc}"), resident_mb()))


class RecyclingRestorer:
    """``restore_block`` run in a forked child process, replaced by a fresh one after a block that leaves it
    over ``limit_mb`` of resident memory (its caches are then dropped with it)."""

    def __init__(self, restore_block: Callable[[str], str], limit_mb: float = RECYCLE_ABOVE_MB) -> None:
        self.restore_block = restore_block
        self.limit_mb = limit_mb
        self.recycled = 0
        self._context = multiprocessing.get_context("fork")
        self._child: Any = None
        self._connection: Connection | None = None

    def _start(self) -> Connection:
        for stream in (sys.stdout, sys.stderr):  # a child must not inherit (and flush again) buffered output
            stream.flush()
        parent, child = self._context.Pipe()
        self._child = self._context.Process(target=_serve, args=(child, self.restore_block), daemon=True)
        self._child.start()
        child.close()
        self._connection = parent
        return parent

    def __call__(self, block: str) -> str:
        connection = self._connection or self._start()
        connection.send(block)
        try:
            ok, payload, memory = connection.recv()
        except EOFError:
            from .errors import OutOfMemoryError

            code = self._child.exitcode if self._child is not None else None
            self.close()
            raise OutOfMemoryError(f"the restoring process died (exit status {code})") from None
        if memory > self.limit_mb:
            log.info("restoring process at %.0f MB: replaced by a fresh one", memory)
            self.close()
            self.recycled += 1
        if not ok:
            raise payload
        return str(payload)

    def close(self) -> None:
        """Stop the child process."""
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.send(None)
            self._connection.close()
            self._connection = None
        if self._child is not None:
            self._child.join(timeout=5)
            if self._child.is_alive():
                self._child.kill()
                self._child.join()
            self._child = None


def can_recycle() -> bool:
    """Whether restoration can run in a forked child process here."""
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


@dataclass
class StreamSummary:
    """What a streamed restoration did.

    Attributes:
        blocks: Blocks restored.
        chars: Characters read (and written).
        seconds: Wall time.
        recycled: Times the restoring process was replaced to free its memory.
    """

    blocks: int = 0
    chars: int = 0
    seconds: float = 0.0
    recycled: int = 0


def restore_stream(
    pieces: Iterable[str],
    write: Callable[[str], object],
    *,
    block_chars: int | None = None,
    restore_block: Callable[[str], str] | None = None,
    recycle_above_mb: float | None = None,
    in_process: bool = False,
) -> StreamSummary:
    """Restore a text given piece by piece, writing each restored block as soon as it is done.

    Args:
        pieces: The text in pieces (e.g. its lines); any cut is fine.
        write: Called with each restored block, in order.
        block_chars: Characters of a block before it may end (default :data:`DEFAULT_BLOCK_CHARS`).
        restore_block: The restoration of one block (default :func:`diacritics.restore`).
        recycle_above_mb: A text of more than one block is restored in a child process replaced whenever
            its resident memory passes this many MB (default :data:`RECYCLE_ABOVE_MB`).
        in_process: Restore every block in this process (no memory bound).

    Returns:
        Counts and time.
    """
    if restore_block is None:
        import diacritics

        restore_block = diacritics.restore
    size = block_chars or DEFAULT_BLOCK_CHARS
    summary = StreamSummary()
    start = time.monotonic()
    blocks = iter_blocks(pieces, size)
    first = list(itertools.islice(blocks, 2))
    recycler: RecyclingRestorer | None = None
    if len(first) > 1 and not in_process and can_recycle():
        limit = RECYCLE_ABOVE_MB if recycle_above_mb is None else recycle_above_mb
        recycler = RecyclingRestorer(restore_block, limit)
    try:
        for block in itertools.chain(first, blocks):
            restored = (recycler or restore_block)(block)
            if restored.count("\n") != block.count("\n"):  # pragma: no cover - restoration keeps line breaks
                raise AssertionError("restoration changed the line breaks of a block")
            write(restored)
            summary.blocks += 1
            summary.chars += len(block)
            log.debug("block %d restored (%d characters so far)", summary.blocks, summary.chars)
    finally:
        if recycler is not None:
            recycler.close()
            summary.recycled = recycler.recycled
    summary.seconds = round(time.monotonic() - start, 3)
    return summary
