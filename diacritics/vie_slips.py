"""The mark slips of Tesseract's ``vie`` model on real scans, and the pass that mends them.

On real pages ``vie`` reads a word with one wrong or missing mark far more often than on rendered text: the
hook over a circumflex is lost (``Cổng`` → ``Công``, ``đổi`` → ``đôi``) or read as another tone (``để`` →
``đề``), a circumflex is dropped under a tone (``ĐỐC`` → ``ĐÓC``). The learned ``vie`` channel, made from
rendered text, gives these slips almost no weight, so the decoder keeps them (both readings are words).

:class:`MarkSlipModel` is P(observed marks | intended marks) of one word of the same letters: its tone given
the intended tone and whether the toned vowel carries a quality mark (``â ê ô ă ơ ư``), and each vowel's
quality mark (and ``d``/``đ``) given the intended one; counted on rendered pages read by ``vie`` and on the
dev real pages (``dictionaries/channel/vie_mark_slips.json``, built by ``tools/builders/vie_slips.py``), with
how OCR word confidences differ between slipped and right readings.

:func:`mend` rereads a marked word kept as written in ``vie`` OCR with word confidences: the
word's readings of the same letters are scored with the LM between its neighbours, the slip model and its
OCR confidence, and the word becomes the best one only when its posterior reaches
:attr:`diacritics.settings.Tuning.vie_slip_posterior`. Text without word confidences is left alone.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .decoder import Candidate, Position, TrigramScorer, batch_local_alternatives
from .errors import DataError
from .lattice import _token_confidences
from .normalise import apply_case, case_pattern, normalise_syllable, skeleton, split_tone
from .plan import Decision, record_change
from .resources import VIE_MARK_SLIPS, data_dir, read_json
from .state import Models, RestoreState

#: Each letter with a quality mark → (its base letter, the mark): circumflex ``^``, breve ``(``, horn ``+``,
#: the stroke of ``đ`` ``-``.
QUALITY_MARKS: dict[str, tuple[str, str]] = {
    "â": ("a", "^"),
    "ê": ("e", "^"),
    "ô": ("o", "^"),
    "ă": ("a", "("),
    "ơ": ("o", "+"),
    "ư": ("u", "+"),
    "đ": ("d", "-"),
}
#: The base letters a quality mark can sit on, with the marks each may carry ("" = none).
MARKABLE: dict[str, tuple[str, ...]] = {
    "a": ("", "(", "^"),
    "e": ("", "^"),
    "o": ("", "^", "+"),
    "u": ("", "+"),
    "d": ("", "-"),
}
#: Classes of the toned vowel: with a quality mark (``ẩ``, ``ổ``, ``ử``) or plain.
TONE_CLASSES = ("hat", "plain")
#: What the decision of a mended word gives as its reason.
REASON = "vie mark slip"


@dataclass(frozen=True)
class Marks:
    """A word's letters without marks, the quality mark of each, its tone and its tone class."""

    letters: str
    qualities: tuple[str, ...]
    tone: int
    tone_class: str


@functools.lru_cache(maxsize=65536)
def marks_of(word: str) -> Marks:
    """The :class:`Marks` of a word (any case, either tone placement)."""
    toneless, tone = split_tone(normalise_syllable(word.lower()))
    letters, qualities = [], []
    for ch in toneless:
        base, mark = QUALITY_MARKS.get(ch, (ch, ""))
        letters.append(base)
        qualities.append(mark)
    hat = any(mark in ("^", "(", "+") for mark in qualities)
    return Marks("".join(letters), tuple(qualities), int(tone), "hat" if hat else "plain")


@dataclass(frozen=True)
class MarkSlipModel:
    """log P(observed marks | intended marks) of a word read with the same letters, and the log-ratio of a
    slipped to a right reading's OCR confidence band.

    Attributes:
        tone: ``(intended tone, tone class)`` → log P(observed tone) for each of the six tones.
        quality: ``(base letter, intended mark)`` → observed mark → log-probability.
        bands: Lower bounds of the confidence bands, ascending (the first is 0).
        band_logratio: Per band, log P(band | slipped) − log P(band | right).
    """

    tone: dict[tuple[int, str], tuple[float, ...]]
    quality: dict[tuple[str, str], dict[str, float]]
    bands: tuple[float, ...]
    band_logratio: tuple[float, ...]

    def logprob(self, observed: str, intended: str) -> float | None:
        """log P(``observed`` | ``intended``) for two words of the same letters (None: other letters)."""
        seen, meant = marks_of(observed), marks_of(intended)
        if seen.letters != meant.letters:
            return None
        total = self.tone[(meant.tone, meant.tone_class)][seen.tone]
        for letter, was, got in zip(meant.letters, meant.qualities, seen.qualities, strict=True):
            if letter in MARKABLE:
                total += self.quality[(letter, was)].get(got, -math.inf)
        return total

    def confidence_logratio(self, confidence: float) -> float:
        """log P(confidence | slipped reading) − log P(confidence | right reading)."""
        band = max(i for i, low in enumerate(self.bands) if confidence >= low or i == 0)
        return self.band_logratio[band]

    @classmethod
    def from_counts(cls, data: dict[str, Any], prior_strength: float) -> MarkSlipModel:
        """The model from the counts of the data file: each real-page distribution smoothed towards the
        rendered-page one with ``prior_strength`` pseudo-counts (the rendered one add-half smoothed)."""
        try:
            tone = {
                (intended, tone_class): _smoothed(
                    range(6),
                    _outcomes(data["tone"]["rendered"], [intended, tone_class]),
                    _outcomes(data["tone"]["real"], [intended, tone_class]),
                    prior_strength,
                )
                for intended in range(6)
                for tone_class in TONE_CLASSES
            }
            quality = {}
            for letter, marks in MARKABLE.items():
                for was in marks:
                    probs = _smoothed(
                        marks,
                        _outcomes(data["quality"]["rendered"], [letter, was]),
                        _outcomes(data["quality"]["real"], [letter, was]),
                        prior_strength,
                    )
                    quality[(letter, was)] = dict(zip(marks, probs, strict=True))
            confidence = data["confidence"]
            bands = tuple(float(b) for b in confidence["bands"])
            slipped, right = confidence["slipped"], confidence["right"]
            if not (len(bands) == len(slipped) == len(right)) or bands[0] != 0:
                raise ValueError("confidence bands and counts disagree")
            n_slipped, n_right = sum(slipped) + len(bands), sum(right) + len(bands)
            ratio = tuple(
                math.log((s + 1) / n_slipped) - math.log((r + 1) / n_right)
                for s, r in zip(slipped, right, strict=True)
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"{VIE_MARK_SLIPS} is malformed: {exc}") from exc
        return cls({k: tuple(v) for k, v in tone.items()}, quality, bands, ratio)

    @classmethod
    def load(cls, directory: Path | None = None, prior_strength: float = 200.0) -> MarkSlipModel:
        """The shipped model.

        Raises:
            DataError: The data file is missing or malformed.
        """
        folder = Path(directory) if directory is not None else data_dir()
        return cls.from_counts(read_json(VIE_MARK_SLIPS, folder), prior_strength)


def _outcomes(rows: Iterable[Sequence[Any]], key: Sequence[Any]) -> dict[Any, int]:
    """Counts of the outcomes (the row's last but one item) of the rows starting with ``key``."""
    found: dict[Any, int] = {}
    for row in rows:
        if list(row[: len(key)]) == list(key):
            found[row[len(key)]] = found.get(row[len(key)], 0) + int(row[-1])
    return found


def _smoothed(
    outcomes: Iterable[Any], rendered: dict[Any, int], real: dict[Any, int], prior_strength: float
) -> list[float]:
    """Log-probabilities of ``outcomes``: the real counts with ``prior_strength`` pseudo-counts spread as
    the rendered distribution (add-half smoothed)."""
    keys = list(outcomes)
    n_rendered = sum(rendered.get(k, 0) for k in keys) + 0.5 * len(keys)
    prior = [(rendered.get(k, 0) + 0.5) / n_rendered for k in keys]
    n_real = sum(real.get(k, 0) for k in keys) + prior_strength
    return [
        math.log((real.get(k, 0) + prior_strength * p) / n_real) for k, p in zip(keys, prior, strict=True)
    ]


def is_marked_word(text: str) -> bool:
    """Whether a token is a word of letters carrying at least one Vietnamese mark."""
    return text.isalpha() and not text.isascii() and skeleton(text).isascii()


def mend(models: Models, state: RestoreState, scorer: TrigramScorer) -> None:
    """Reread the marked words the decoder kept as written in ``vie`` OCR with word confidences: a word
    becomes a reading of the same letters when the LM between its neighbours, the slip model and its OCR
    confidence give that reading a posterior of at least ``vie_slip_posterior``."""
    tuning = models.settings.tuning
    if state.confidences is None or state.decoded is None or state.mixture is None:
        return
    if state.share.get("vie", 0.0) < tuning.vie_slip_share:
        return
    model = models.vie_slips
    lm, inventory = models.lm, models.inventory
    choice = list(state.decoded.choice)
    positions = list(state.positions)
    asked: list[int] = []
    confidences: dict[int, dict[int, float]] = {}
    for index, slot in enumerate(state.slots):
        if (
            slot is None
            or (slot.line, slot.token.start) in state.english
            or (slot.line, slot.token.start) in state.codes
        ):
            continue
        text = slot.token.text
        if slot.candidates[choice[index]].text != text or not is_marked_word(text):
            continue
        if slot.line not in confidences:
            confidences[slot.line] = _token_confidences(
                state.lines[slot.line], state.tokenised[slot.line], state.confidences, slot.line
            )
        confidence = confidences[slot.line].get(slot.token.start)
        if confidence is None or confidence < 0:
            continue
        observed = normalise_syllable(text.lower())
        as_written = model.logprob(observed, observed)
        if as_written is None:
            continue
        slip_bonus = model.confidence_logratio(confidence)
        readings = [Candidate(lm.token_id(observed), as_written, text, "as written")]
        pattern = case_pattern(text)
        for reading, _prior in inventory.variants(skeleton(observed)):
            if reading == observed or reading not in inventory.syllables:
                continue
            channel = model.logprob(observed, reading)
            lm_id = lm.token_id(reading)
            if channel is None or math.isinf(channel) or lm_id == lm.unk:
                continue
            readings.append(
                Candidate(lm_id, channel + slip_bonus, apply_case(pattern, reading, text), REASON)
            )
        if len(readings) > 1:
            positions[index] = Position(tuple(readings))
            choice[index] = 0
            asked.append(index)
    if not asked:
        return
    alternatives = batch_local_alternatives(
        positions, choice, asked, scorer, lm.bos, lm.eos, models.settings.weights
    )
    for index in asked:
        alts = alternatives.get(index, [])
        if not alts or alts[0][0] == 0 or alts[0][1] < tuning.vie_slip_posterior:
            continue
        slot = state.slots[index]
        assert slot is not None
        options = positions[index].candidates
        chosen = options[alts[0][0]].text
        state.replacement[(slot.line, slot.token.start)] = chosen
        record_change(
            state.decisions,
            Decision(
                line=slot.line + 1,
                start=slot.token.start,
                original=slot.token.text,
                chosen=chosen,
                confidence=round(alts[0][1], 4),
                reason=REASON,
                alternatives=[(options[k].text, round(p, 4)) for k, p in alts[:5]],
            ),
            amend=False,
        )
