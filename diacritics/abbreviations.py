"""The ``Đ`` of document codes and abbreviations: ``12/2019/ND-CP`` → ``12/2019/NĐ-CP``, ``HDND`` → ``HĐND``.

A run of capital letters without a vowel (``ND``, ``QD``, ``HDND``), in a document code or on its own, is an
abbreviation. Stripped text and English-model OCR write its ``Đ`` as ``D``; the decoder does not read codes,
so this is a separate noisy-channel decision per run. Each way of reading the run's ``D`` s (kept or barred)
is an intended form ``Y`` with prior ``count(Y) + 1``, counted in legal text
(``vi_legal_abbreviations.tsv``, built by ``tools/builders/abbreviations.py``), and
``P(written run | Y) = damaged ** bars``: each ``Đ`` of ``Y`` written ``D`` has the probability that the
document loses the bar (the weight of its stripped and English-model regimes). In correct text ``damaged``
is tiny and a run stays as written unless its plain form is unheard of; in stripped text ``ND`` (7 times in
the legal text) becomes ``NĐ`` (330 times).

A form's count is how often it is a whole run plus how often it ends a longer one (``LĐTBXH`` ends
``BLĐTBXH``, the ministry, 7 times). An office's code is often its field's abbreviation behind a letter for
the office (``S`` for *Sở*, ``P`` for *Phòng*): a run none of whose forms was ever seen backs off to its
longest ending of at least :data:`MIN_ENDING` letters that was (``SLDTBXH`` → ``LĐTBXH`` → ``SLĐTBXH``).
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
from dataclasses import dataclass

import regex

from .errors import DataError
from .normalise import strip_diacritics
from .resources import ABBREVIATIONS, read_lines, tag_of

log = logging.getLogger(__name__)

FORMAT = tag_of(ABBREVIATIONS)
#: The shipped table's path in the data folder.
TABLE = ABBREVIATIONS
#: Two or more capital letters, not inside a longer word.
CAPITAL_RUN = regex.compile(r"(?<!\p{L})\p{Lu}{2,}(?!\p{L})")
#: Runs with more ``D`` s than this are left alone (each adds a doubling of the forms to weigh).
MAX_BARS = 4
#: The shortest ending of a run counted on its own and backed off to (``ND`` in ``HĐND`` is not one).
MIN_ENDING = 4
_VOWELS = frozenset("aeiouy")
#: Party and mass-organisation codes of document codes (``496-TB/TU``: *Thành ủy*; ``NQ/ĐU``: *Đảng ủy*),
#: counted in the table whatever their vowels, each at least once: ``TU`` is the Thành ủy's, never ``TỪ``.
PARTY_CODES = (
    "TW", "TU", "HU", "QU", "ĐU", "ĐUK", "BCĐ", "BCH", "BTV", "BTG", "BDV", "BTC", "BNC", "UBKT", "VPTU",
    "MTTQ", "ĐTN", "ĐCS", "ĐCSVN", "ĐBQH", "LĐLĐ", "CĐ", "HLHPN", "HPN", "HND", "HCCB", "HCTĐ", "ĐTNCS",
)  # fmt: skip


def is_party_code(run: str) -> bool:
    """Whether a run is a party or mass-organisation code, or one written with ``D`` for ``Đ``."""
    return run in _PARTY_FORMS


_PARTY_FORMS = frozenset({*PARTY_CODES, *(code.replace("Đ", "D") for code in PARTY_CODES)})


def is_vowelless(run: str) -> bool:
    """Whether a run of letters has no vowel (``HĐND``: yes; ``UBND``: no), accents ignored."""
    return not any(ch in _VOWELS for ch in strip_diacritics(run.lower()))


@dataclass(frozen=True)
class AbbreviationFix:
    """One run given back its ``Đ``.

    Attributes:
        start: Offset of the run in the token.
        original: The run as written.
        replacement: The chosen form.
        probability: Posterior probability of the chosen form among the run's readings.
        reason: The counts and the document's regime behind the choice.
    """

    start: int
    original: str
    replacement: str
    probability: float
    reason: str


class AbbreviationTable:
    """Counts of vowelless capital runs with ``Đ`` and of their plain twins in legal text.

    Args:
        counts: Run → occurrences as a whole run (runs not listed count 0).
        endings: Run → occurrences as the ending (at least :data:`MIN_ENDING` letters) of a longer run.
    """

    def __init__(self, counts: dict[str, int], endings: dict[str, int] | None = None) -> None:
        self.counts = dict(counts)
        self.endings = dict(endings or {})

    def count(self, form: str) -> int:
        """How often ``form`` is written in legal text, as a whole run or as the ending of a longer one."""
        return self.counts.get(form, 0) + self.endings.get(form, 0)

    @classmethod
    def load(cls) -> AbbreviationTable:
        """The shipped table (loaded once per process).

        Raises:
            DataError: The table is missing or corrupt.
        """
        return _load_cached()

    def best(self, run: str, damaged: float, in_code: bool = False) -> AbbreviationFix | None:
        """The most likely intended form of a run, when it is not the run as written.

        Args:
            run: A run of capital letters.
            damaged: Probability that the document writes an ``Đ`` as ``D`` (0-1).
            in_code: The run is a part of a document code, where a party code with a vowel (``DU``) is one.
        """
        bars_at = [i for i, ch in enumerate(run) if ch == "D"]
        if not bars_at or len(bars_at) > MAX_BARS or damaged <= 0:
            return None
        if not is_vowelless(run) and not (in_code and is_party_code(run)):
            return None
        log_damaged = math.log(min(damaged, 1.0))
        forms = [
            _with_bars(run, bars_at, barred)
            for barred in itertools.product((False, True), repeat=len(bars_at))
        ]
        # the counts come from the run itself or, when none of its forms was seen, its longest seen ending
        evidence_start = next(
            (
                start
                for start in range(0, min(bars_at) + 1)
                if (start == 0 or len(run) - start >= MIN_ENDING)
                and any(self.count(f[start:]) for f in forms)
            ),
            None,
        )
        if evidence_start is None:
            return None
        scored = [
            (math.log(self.count(form[evidence_start:]) + 1) + form.count("Đ") * log_damaged, form)
            for form in forms
        ]
        top = max(score for score, _ in scored)
        total = sum(math.exp(score - top) for score, _ in scored)
        score, form = max(scored)
        if form == run:
            return None
        seen, plain = form[evidence_start:], run[evidence_start:]
        ending = f" (its ending '{seen}')" if evidence_start else ""
        reason = (
            f"abbreviation{ending}: '{seen}' {self.count(seen)}× in legal text, '{plain}' "
            f"{self.count(plain)}×; the document loses Đ on {damaged:.2f} of its words"
        )
        return AbbreviationFix(0, run, form, math.exp(score - top) / total, reason)

    def repair(self, text: str, damaged: float, in_code: bool = False) -> list[AbbreviationFix]:
        """The fixes of every capital run of a token (offsets in ``text``), in order (``in_code``: see
        :meth:`best`)."""
        fixes = []
        for match in CAPITAL_RUN.finditer(text):
            if "D" in match.group():
                fix = self.best(match.group(), damaged, in_code)
                if fix is not None:
                    fixes.append(
                        AbbreviationFix(
                            match.start(), fix.original, fix.replacement, fix.probability, fix.reason
                        )
                    )
        return fixes


def _with_bars(run: str, bars_at: list[int], barred: tuple[bool, ...]) -> str:
    letters = list(run)
    for i, bar in zip(bars_at, barred, strict=True):
        if bar:
            letters[i] = "Đ"
    return "".join(letters)


def apply_fixes(text: str, fixes: list[AbbreviationFix]) -> str:
    """``text`` with each fix's run replaced (the runs keep their length)."""
    out = list(text)
    for fix in fixes:
        out[fix.start : fix.start + len(fix.original)] = fix.replacement
    return "".join(out)


@functools.cache
def _load_cached() -> AbbreviationTable:
    lines = read_lines(TABLE)
    try:
        counts, endings = {}, {}
        for line in lines:
            run, whole, ending = line.split("\t")
            if int(whole):
                counts[run] = int(whole)
            if int(ending):
                endings[run] = int(ending)
    except ValueError as exc:
        raise DataError(f"abbreviation table {TABLE} cannot be read: {exc}") from exc
    log.debug("abbreviation table: %d runs, %d endings", len(counts), len(endings))
    return AbbreviationTable(counts, endings)
