"""Restoration as a plan of recorded decisions, and its replay (:func:`apply_plan`, ftfy style).

Every change the restorer makes to a text is a :class:`Decision`: a span of a normalised input line
(``line``, ``start``, ``original``) and what it became (``chosen``). The only change that is no decision is
the normalisation itself (:func:`diacritics.normalise.nfc`: NFC and look-alike letters; the tone placement
stays as written), which is the plan's first step; :func:`apply_plan` replays both, so that for every input
``apply_plan(text, restore_explained(text).tokens) == restore_explained(text).text``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from .normalise import nfc


@dataclass
class Decision:
    """The outcome for one token (a span of a line), for the explain mode and the plan."""

    line: int
    start: int
    original: str
    chosen: str
    confidence: float
    reason: str
    alternatives: list[tuple[str, float]]


class PlanStep(Protocol):
    """What :func:`apply_plan` reads of a decision (:class:`Decision` and ``TokenDecision`` both are)."""

    @property
    def line(self) -> int: ...  # 1-based
    @property
    def start(self) -> int: ...  # offset in the normalised line
    @property
    def original(self) -> str: ...
    @property
    def chosen(self) -> str: ...


def normalise_lines(text: str) -> list[str]:
    """The plan's first step: the input in NFC with look-alike letters repaired (tone placement as
    written), cut into the lines decisions point into."""
    return nfc(text).split("\n")


def apply_plan(text: str, decisions: Iterable[PlanStep]) -> str:
    """Replay recorded decisions over ``text``: normalise it, then write each decision's ``chosen`` over its
    ``original`` span.

    Raises:
        ValueError: A decision's ``original`` is not at its place in the normalised text, or two
            decisions overlap.
    """
    lines = normalise_lines(text)
    by_line: dict[int, list[PlanStep]] = {}
    for d in decisions:
        by_line.setdefault(d.line - 1, []).append(d)
    for line_no, steps in by_line.items():
        if not 0 <= line_no < len(lines):
            raise ValueError(f"decision for line {line_no + 1}, the text has {len(lines)}")
        line = lines[line_no]
        parts: list[str] = []
        at = 0
        for d in sorted(steps, key=lambda s: s.start):
            if d.start < at:
                raise ValueError(f"overlapping decisions at line {d.line}, offset {d.start}")
            if line[d.start : d.start + len(d.original)] != d.original:
                raise ValueError(f"line {d.line}, offset {d.start}: {d.original!r} is not in the text")
            parts += [line[at : d.start], d.chosen]
            at = d.start + len(d.original)
        lines[line_no] = "".join(parts) + line[at:]
    return "\n".join(lines)


def worth_reporting(original: str, chosen: str, confidence: float, review_below: float | None) -> bool:
    """Whether a token's decision is reported when the caller does not ask to explain: it was changed, or
    kept as written with a confidence below ``review_below`` (None: only changes)."""
    return chosen != original or (review_below is not None and confidence < review_below)


def record_change(decisions: list[Decision], change: Decision, *, amend: bool) -> None:
    """Record a change made after decoding: update the decoder's decision for the token, or add ``change``.

    With ``amend`` the change refines the decoder's choice (its reason is added, its scores kept, unless the
    decoder kept the token as written: its scores were those of the reading the change replaces); otherwise
    the change's reason, confidence and alternatives replace the decoder's.
    """
    for d in decisions:
        if d.line == change.line and d.start == change.start:
            kept_as_written = d.chosen == d.original
            d.chosen = change.chosen
            if amend:
                d.reason = f"{d.reason}; {change.reason}"
            if not amend or kept_as_written:
                d.confidence, d.alternatives = change.confidence, change.alternatives
            if not amend:
                d.reason = change.reason
            return
    decisions.append(change)
