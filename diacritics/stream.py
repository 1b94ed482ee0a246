"""Restoration of a text of any size, block by block, in bounded memory.

A text arrives as pieces (its lines with their line ends, or parts of a very long line) and leaves as
restored blocks, written as soon as each is done: the output has exactly the input's line breaks and
whitespace, and memory holds one block at a time, whatever the text's size. A block ends at a paragraph
break (a blank line) once it holds ``block_chars`` characters, or else at a line end once it holds twice
that, or else (one very long line) after a space once it holds four times that: a line longer than
``block_chars`` is cut after a space first. Each block is restored on its own with :func:`diacritics.restore`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: Characters of a block before it may end at a paragraph break (a few pages of text).
DEFAULT_BLOCK_CHARS = 20_000

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


@dataclass
class StreamSummary:
    """What a streamed restoration did.

    Attributes:
        blocks: Blocks restored.
        chars: Characters read (and written).
        seconds: Wall time.
    """

    blocks: int = 0
    chars: int = 0
    seconds: float = 0.0


def restore_stream(
    pieces: Iterable[str],
    write: Callable[[str], object],
    *,
    block_chars: int | None = None,
    restore_block: Callable[[str], str] | None = None,
) -> StreamSummary:
    """Restore a text given piece by piece, writing each restored block as soon as it is done.

    Args:
        pieces: The text in pieces (e.g. its lines); any cut is fine.
        write: Called with each restored block, in order.
        block_chars: Characters of a block before it may end (default :data:`DEFAULT_BLOCK_CHARS`).
        restore_block: The restoration of one block (default :func:`diacritics.restore`).

    Returns:
        Counts and time.
    """
    if restore_block is None:
        import diacritics

        restore_block = diacritics.restore
    size = block_chars or DEFAULT_BLOCK_CHARS
    summary = StreamSummary()
    start = time.monotonic()
    for block in iter_blocks(pieces, size):
        restored = restore_block(block)
        if restored.count("\n") != block.count("\n"):  # pragma: no cover - restoration keeps line breaks
            raise AssertionError("restoration changed the line breaks of a block")
        write(restored)
        summary.blocks += 1
        summary.chars += len(block)
        log.debug("block %d restored (%d characters so far)", summary.blocks, summary.chars)
    summary.seconds = round(time.monotonic() - start, 3)
    return summary
