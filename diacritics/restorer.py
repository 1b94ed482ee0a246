"""The restoration engine: tokens → candidate lattice → channel mixture + LM decoding → text.

For each word of the input it proposes readings (the syllables whose accent-stripped skeleton matches the
token, or matches one of the skeletons the learned OCR channel says the token may come from), scores each
reading with the per-document channel mixture (:mod:`diacritics.channel`), and lets a trigram LM choose in
context (:mod:`diacritics.decoder`). Context flows across hard-wrapped lines; sentence punctuation resets it.
Line breaks, spacing, punctuation, numbers and codes are copied through; each word keeps its case pattern.
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import regex

from .abbreviations import AbbreviationTable, apply_fixes, is_vowelless
from .casing import BREAKS, CaseModel, token_case
from .channel import ChannelMixture, ExactChannel, LearnedChannel, StrippedChannel
from .decoder import Candidate, DecoderWeights, Position, batch_local_alternatives, decode
from .foreign import EnglishPassageModel, load_english_words
from .lm import LanguageModel, i_y_variants
from .normalise import (
    CasePattern,
    apply_case,
    case_pattern,
    normalise_syllable,
    normalise_text,
    strip_diacritics,
)
from .ocr_channel import CharChannel, case_slip_rate, score_index_tokens, search_settings
from .regime_scores import RegimeScoreTable, regime_fingerprint
from .resources import data_dir
from .spelling import SkeletonSpeller
from .syllables import SyllableInventory
from .tokens import EOS, SENTENCE_END, Token, lm_token, tokenize

log = logging.getLogger(__name__)

_WORD_SPAN = regex.compile(r"\S+")
_ROMAN = regex.compile(r"[IVXLCDM]+")
#: The OCR channels of the shipped restorer, in the order its readings expand their skeletons.
CHANNEL_ORDER = ("vie", "eng")
#: Tokens that are words to the decoder: letters (kind "word") and OCR-mangled mixes like ``t6``, ``S&``.
DECODABLE_KINDS = frozenset({"word", "other"})
#: Tokens that may hold a document code or an abbreviation (``100/2019/ND-CP``, ``HDND``).
_CODE_KINDS = frozenset({"word", "other", "number"})


@dataclass(frozen=True)
class RestorerSettings:
    """Tunable settings (LM weight and keep cost tuned on the dev split: see docs/TUNING.md).

    Attributes:
        weights: Decoder LM/channel weights and pruning. Beam 8, margin 10 and candidate margin 15 give the
            dev-split accuracy of a wide setting (beam 12, margin 20, no candidate margin) on every kind at
            half its time; tighter ones lose 0.04-0.07 points on eng OCR (docs/TUNING_PRUNING.md).
        max_candidates: Readings kept per token (ranked by channel score plus 0.3 × unigram log-prior).
        rank_margin: Readings ranked this much (nats) below a token's best are not kept. 12 halves the
            candidates of stripped text (rare same-letter variants) with the dev-split accuracy of no margin
            on every kind; 8 moves it (−0.05 eng OCR, +0.02 vie, +0.08 the 2021 plan's lines 1-120 in the
            last docs/TUNING_SETTINGS.md) but drops the right tone of 12 synthetic vie-slip golden cases,
            whose fix ranks more than 8 nats below the slip.
        keep_unknown_logprob: Channel log-probability of keeping a token that is no known syllable as is
            (names, foreign words, codes): the decoder may still pick a syllable that explains it better.
        keep_letter_cost: Nats taken from that keep score per letter beyond ``keep_free_letters``. The LM
            scores every kept token as the one unknown word, but a long string is a less likely unknown word
            than a short one, while the channel already charges a syllable reading for each letter it has to
            explain (``duogc`` kept vs ``được``). 0.5 after 3 letters on the dev split: stripped 98.95 →
            98.99%, eng OCR 97.59 → 97.66%, vie 99.60 → 99.62%, the 2021 plan's lines 1-120 98.08 → 98.37%,
            correct text unchanged (99.85%); 1.0 loses on correct text.
        keep_free_letters: The letters a kept token has free of ``keep_letter_cost``.
        rare_abbreviation_as_unknown: An abbreviation-shaped token kept as written (``Bc``, ``CT``) is
            scored by the LM as the unknown word when its own LM token is rarer than that: ``bc`` is in the
            vocabulary only as a rare Wikipedia token, so "(Bc)" in a list of recipients lost to "(Bốc)",
            while an unheard abbreviation would have kept. Dev split: eng OCR 97.67 → 97.74%, vie 99.62 →
            99.66%, the other kinds unchanged (applied to every kept token it loses 0.1 points on stripped
            and eng OCR).
        skeleton_top_k: How many learned-channel skeletons to expand for a mangled token.
        review_threshold: Tokens, changed or kept as written, whose confidence is below this are flagged for
            human review. On the dev split 0.9 flags 2.1% of the words of stripped text and 3.1% of
            English-model OCR and points at 71% and 61% of the output's wrong words (a third of the flags are
            errors); 0.6 flags 0.7-0.9% and points at a third, 0.95 flags 2.8-4.0% for 73% and 69%
            (docs/BENCHMARKS.md measures it on the held-out sets).
        confidence_weight: How much an OCR word confidence moves the score of reading the token as written:
            ``confidence_weight * (conf - 50) / 50`` nats (OCR confidences are 0-100).
        keep_unknown_by_regime: Per OCR regime, how likely an unknown token is meant as written, relative
            to correct text (1 when not listed); scales ``keep_unknown_logprob`` by the document's mixture.
        accented_unknown_by_regime: Overrides ``keep_unknown_by_regime`` for the regimes it lists, for an
            unknown token of letters only, some not ASCII (``riéng``, ``thudéc``, ``néng``; a word with an
            apostrophe, ``R'Lấp``, is not letters only and keeps the other rate). On the channel's training
            pages (set ``train``) 15 of 9,381 such tokens of English-model OCR are as written
            (``Napoléon``, ``José``), against 1,805 of 18,705 ASCII ones (codes, English, names): 0.16%
            against 9.6%, so the English-model regime's 0.01 becomes 0.0002. Dev split: eng OCR 97.905 →
            97.919% (0.003 to 0.0001 the same), the other kinds unchanged; the same for correct text or
            ``vie`` OCR (0.1) loses on correct text (99.913 → 99.905%).
        lowercase_unknown_in_stripped: The stripped regime's share of that for an unknown token in lower-case
            letters: stripped text's unknown words are mostly names, written with capitals, so English-model
            OCR the fit sees as partly stripped no longer keeps ``gidm``, ``tudn``, ``chttng`` for that
            reason. Dev split at 0.1: eng OCR 97.83 → 97.90%, the 2021 plan's lines 1-120 98.60 → 98.82%
            (with the exact and stripped channels' cost per dropped letter, without which stripped text lost
            ``billiards`` to ``bảo``), the other kinds unchanged.
        regime_prior_strength: Pseudo-counts of the prior over the document's OCR regimes. A short text's fit
            is mostly prior: at 2.0 a line of English-model OCR kept 3.6% each for correct text and ``vie``
            OCR, whose unknown words are as written, so ``riéng`` and ``thudéc`` stayed. Dev split at 0.5
            against 2.0: lines restored one by one (10-word snippet openings, OCR page lines) eng OCR 96.56 →
            96.87%, vie 99.52 → 99.55%, correct and stripped the same (100%, 99.12%); whole pages and
            snippets stripped 98.937 → 98.944%, eng OCR 97.919 → 97.926%, the other kinds the same (1.0,
            0.25 and 0.1 within 0.03 points of it). Seven synthetic one-line ``vie``-slip golden cases now
            fail (strict xfail): their tone swaps (``tật`` → ``tất``, ``bàn`` → ``bản``) score about
            e^-13 in the learned ``vie`` channel and were mended only by the English-model regime's prior
            weight; five lines of the real 2021 plan and one name (``Vi Văn Ổn``) now pass.
        exact_prior_share: The share of those pseudo-counts given to "the text is correct" (the others share
            the rest evenly): how much evidence a short text needs before it is treated as damaged.
        regime_sample: How many distinct tokens (the first ones) the regime mixture is fitted on.
        negligible_regime: Regimes weighing less than this in the fitted mixture are not scored: their
            channel is not run on the document's other tokens, its confusable forms are not expanded into
            the lattice (:meth:`Restorer.readings`), and its case slips are not looked for. 0.005 and 300
            tokens had the same dev-split accuracy as 0 and 600 on every kind (the 2021 plan's lines 1-120
            included). 0.02 against 0.005: stripped 98.930 → 98.937%, correct 99.862 → 99.905%, vie OCR
            99.668 → 99.659%, eng OCR and the 2021 plan's lines 1-120 the same (0.01 and 0.03 within 0.03
            points of it); stripped documents then leave out the English-model regime the fit gives them
            about 1.3% of, which took a third off their restore time (0.85 → 0.56 s for 3,000 syllables).
        short_word_case_regime: Documents whose English-model share is at least this get the case of their
            two-letter words from the line (``BO Lao`` → ``Bộ Lao``; dev split: eng OCR 97.19 → 97.32%, the
            other kinds unchanged).
        non_letters_rule_out_stripped: A token with accents, digits or symbols cannot be an unknown word of
            (ASCII, letters-only) stripped text, so that regime does not count when weighing whether such an
            unknown token is meant as written (``huyén``, ``tr¢``, ``c6``, ``x&`` in English-model OCR the
            fit sees as partly stripped: dev split eng OCR 97.32 → 97.48% for accents and non-ASCII symbols,
            97.81 → 97.83% with digits and ASCII symbols, other kinds unchanged).
        horn_mark_regime: Documents whose English-model share is at least this read an apostrophe closing a
            word as part of it (``SU’ DUNG``: Tesseract eng writes the horn of ``Ử`` as ``’``; see
            :func:`glue_horn_marks`).
        lone_digit_regime: Documents whose English-model share is at least this read a one-digit number
            standing alone between words as a possible syllable (Tesseract eng writes ``ở`` as ``6``/``0``:
            ``sinh sống 6 địa phương``; see :func:`lone_digits_as_words`). None: never.
        lone_digit_keep_logprob: Channel log-probability of such a digit being the number it shows (its
            syllable readings get the learned channel's score, the LM weighs ``<num>`` against them).
            Dev split, lone digits on against off: eng OCR 97.74 → 97.80%, the other kinds unchanged (a
            regime of 0.15 or 0.3: the same); keep log-probabilities from log(0.14) to log(0.5) the same,
            log(0.9) 0.01 points lower.
        spelling_regime: Documents whose English-model share is at least this also read a token that is no
            known reading through the edit-distance look-up of :mod:`diacritics.spelling` (symspellpy, at
            most 2 edits): ``img`` → ``ứng``, ``Thuye`` → ``Thực``, which the learned channel's beam search
            missed. None: never. Dev split: the 2021 plan's lines 1-120 98.37 → 98.60%, the other kinds
            unchanged; used in every regime it reads names in capitals in correct text as syllables
            (``ODIN`` → ``ĐỘI``, ``PET`` → ``MỘT``).
        spelling_keys: How many skeletons (most frequent first) the look-up adds (5, 10 and 20: the same).
        spelling_below: The look-up is made only for a token none of whose readings scores this well in the
            channel mixture (log-probability): symspellpy takes about 3 ms a look-up, and a token a reading
            explains gains nothing from it (about 7% of the unknown tokens of an English-model OCR page
            score below −8; ``img`` −16, ``Thuye`` −9). Dev split: −6 and 0 the same, −12 0.07 points lower
            on the 2021 plan's lines 1-120.
        english_passages_kept: Words of English passages (:mod:`diacritics.foreign`: translated titles,
            English articles, ``Key English Test``) and the codes between them are kept as written, and left
            out of the regime fit. Dev split: the English titles of the rendered dev pages come out as
            written; no word of the Vietnamese dev text (correct, stripped, ``vie`` or ``eng`` OCR, the 2021
            plan) is taken for English.
        names_left_out_of_fit: In a text the regime fit finds mostly marked (correct text and ``vie`` OCR
            weighing at least this), the fit is made again without its unmarked words in title case after a
            word (:func:`_unmarked_names`: ``Nhung`` in ``Hải Nhung``, ``Lua`` in ``Đắc Lua``). None: never.
            A name is written without marks in correct text as often as in stripped text, but the fit weighs
            the common word's unigram (``nhưng``, ``lửa``), so one such name in a short marked text gave
            stripped text 7% and the name was "restored". On 750 validation snippets of correct text
            changed words 153 → 148 (``Nhung``, ``Đắc Lua`` ×3, ``RUNG`` kept); every dev kind the same
            (one-line inputs too). Left out of every fit, the names cost the held-out lines of the real
            2021 plan 97.93 → 97.77% (English-model OCR writes mangled words in title case, ``Pang``, which
            are evidence of its regime). The gate is read on a fit the names are in: a marked line followed
            by a stripped one (``Ông Nguyễn Văn An`` / ``Nguyen Van Binh``) may fall short of it.
        cut_final_word_completed: Whether the text's last word (nothing but space or an ellipsis after it)
            may be read as a longer word its unmarked form begins (``tổ chứ`` → ``chức``, ``đầ`` → ``đầu``,
            ``Chính ph`` → ``phủ``). A
            syllable is never split across lines, so a text ends mid-word only where it was cut (an
            excerpt, a field of fixed length), and nothing after the cut tells what the word was; OCR does
            not drop a word's last letters (on the channel's 100 ``vie`` training pages, 0 of 49,160 word
            tokens). Off: dev split correct text 99.913 → 99.978%, stripped 98.944 → 98.951%, the other
            kinds the same; lines restored one by one vie OCR 99.546 → 99.599%, eng 96.866 → 96.888%; 750
            validation snippets of correct text, changed words 148 → 107.
        roman_numerals_kept: A roman numeral in capitals (``XI``, ``IV``) is never read as another one
            (``XII``, ``IV`` → ``IVI``): nothing but the LM's taste for the numerals its corpus mentions
            would choose between them. Its syllable readings (``XI`` → ``XÌ``) stay.
    """

    weights: DecoderWeights = field(
        default_factory=lambda: DecoderWeights(beam=8, margin=10.0, candidate_margin=15.0)
    )
    max_candidates: int = 24
    rank_margin: float = 12.0
    keep_unknown_logprob: float = math.log(0.05)
    skeleton_top_k: int = 6
    review_threshold: float = 0.9
    confidence_weight: float = 1.0
    keep_unknown_by_regime: dict[str, float] = field(default_factory=lambda: {"eng": 0.01})
    accented_unknown_by_regime: dict[str, float] = field(default_factory=lambda: {"eng": 0.0002})
    lowercase_unknown_in_stripped: float = 0.1
    regime_prior_strength: float = 0.5
    # uniform over the four regimes (0.5: the same on the dev cases at prior strength 2)
    exact_prior_share: float = 0.25
    regime_sample: int = 300
    short_word_case_regime: float = 0.5
    horn_mark_regime: float = 0.5
    non_letters_rule_out_stripped: bool = True
    negligible_regime: float = 0.02
    keep_letter_cost: float = 0.5
    keep_free_letters: int = 3
    rare_abbreviation_as_unknown: bool = True
    lone_digit_regime: float | None = 0.5
    lone_digit_keep_logprob: float = math.log(0.5)
    spelling_regime: float | None = 0.5
    spelling_keys: int = 10
    spelling_below: float = -8.0
    roman_numerals_kept: bool = True
    english_passages_kept: bool = True
    names_left_out_of_fit: float | None = 0.5
    cut_final_word_completed: bool = False


@dataclass
class TokenSlot:
    """A decodable token and its readings."""

    line: int
    token: Token
    observed: str
    position: Position

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """The token's readings, as the decoder sees them."""
        return self.position.candidates


@dataclass
class Decision:
    """The outcome for one token, for the explain mode."""

    line: int
    start: int
    original: str
    chosen: str
    confidence: float
    reason: str
    alternatives: list[tuple[str, float]]


@dataclass
class RestoredText:
    """Output of :meth:`Restorer.restore`."""

    text: str
    decisions: list[Decision]
    regime: dict[str, float]


class Restorer:
    """Restores Vietnamese diacritics with an LM, a syllable inventory and a learned OCR channel."""

    def __init__(
        self,
        lm: LanguageModel,
        inventory: SyllableInventory,
        channels: dict[str, CharChannel],
        settings: RestorerSettings | None = None,
        case_model: CaseModel | Callable[[], CaseModel] | None = None,
        case_slips: dict[str, float] | None = None,
        abbreviations: AbbreviationTable | None = None,
        regime_scores: RegimeScoreTable | None = None,
    ) -> None:
        self.lm = lm
        self.inventory = inventory
        self.channels = channels
        self.settings = settings or RestorerSettings()
        #: The capitalisation model, or a function loading it on first use (see :attr:`case_model`).
        self._case_model = case_model
        #: Per OCR regime: P(a lower-case word comes out capitalised mid-sentence).
        self.case_slips = case_slips or {}
        self._readings_memo: dict[tuple[str, ...], dict[str, dict[str, str]]] = {}
        self._spelling_memo: dict[str, dict[str, str]] = {}
        self._speller: SkeletonSpeller | None = None
        self._abbreviations = abbreviations
        #: Precomputed regime-fit rows of common tokens (:mod:`diacritics.regime_scores`), valid for this
        #: restorer's data and reading settings; None: every row is computed.
        self.regime_scores = regime_scores
        self._english: EnglishPassageModel | None = None

    @classmethod
    @functools.cache
    def default(cls) -> Restorer:
        """The restorer built from the shipped data (loaded once per process)."""
        channels = {name: CharChannel.load(name) for name in CHANNEL_ORDER}
        settings = RestorerSettings()
        folder = data_dir()
        regimes = regime_names(channels)
        regime_scores = RegimeScoreTable.load(
            folder,
            score_index_tokens(folder),
            regimes,
            regime_fingerprint(folder, regime_constants(channels, settings)),
        )
        return cls(
            LanguageModel.load(),
            SyllableInventory.load(),
            channels,
            settings,
            case_model=CaseModel.load,  # 1 MB of JSON: loaded when a capitalised word needs it
            case_slips={name: case_slip_rate(name) for name in CHANNEL_ORDER},
            regime_scores=regime_scores,
        )

    @property
    def case_model(self) -> CaseModel | None:
        """The capitalisation model for case slips (None: case slips are left alone)."""
        if callable(self._case_model) and not isinstance(self._case_model, CaseModel):
            self._case_model = self._case_model()
        return self._case_model

    @property
    def english(self) -> EnglishPassageModel:
        """The model telling English passages from Vietnamese (its word list is loaded on first use)."""
        if self._english is None:
            syllables = self.inventory.syllables

            def is_vietnamese_key(key: str) -> bool:
                return any(v in syllables for v, _ in self.inventory.variants(key))

            self._english = EnglishPassageModel(load_english_words(), is_vietnamese_key)
        return self._english

    def english_passages(self, tokenised: Sequence[Sequence[Token]]) -> set[tuple[int, int]]:
        """``(line, start)`` of the tokens inside English passages.

        A passage holds its words but those with marks (see also :meth:`vietnamese_words_in_passages`),
        whatever lies between two of its words (numbers,
        codes, punctuation; across line breaks), and the numbers, punctuation and level codes (``A2``)
        between its first or last word and the word before or after it on the same line (``A2 Key English
        Test``, ``DECREE NO. 15/2020/ND-CP``); then the signer's name under an English signature title
        (:meth:`_add_signature_names`).

        Empty when :attr:`RestorerSettings.english_passages_kept` is off.
        """
        if not self.settings.english_passages_kept:
            return set()
        flat = [(line_no, tok) for line_no, toks in enumerate(tokenised) for tok in toks]
        word_at = [i for i, (_, tok) in enumerate(flat) if tok.kind == "word"]
        if not word_at:
            return set()
        # a passage does not widen across a line break or a sentence end
        breaks = [
            k > 0
            and (
                flat[word_at[k]][0] != flat[word_at[k - 1]][0]
                or any(_SENTENCE_BREAK.search(t.text) for _, t in flat[word_at[k - 1] + 1 : word_at[k]])
            )
            for k in range(len(word_at))
        ]
        mask = self.english.english_mask([flat[i][1].text for i in word_at], breaks)
        inside: set[tuple[int, int]] = set()
        k = 0
        while k < len(word_at):
            if not mask[k]:
                k += 1
                continue
            first = k
            while k + 1 < len(word_at) and mask[k + 1]:
                k += 1
            begin, end = word_at[first], word_at[k]
            line_first, line_last = flat[begin][0], flat[end][0]
            while begin > 0 and _edge_token(flat[begin - 1][1]) and flat[begin - 1][0] == line_first:
                begin -= 1
            while end + 1 < len(flat) and _edge_token(flat[end + 1][1]) and flat[end + 1][0] == line_last:
                end += 1
            inside.update(
                (line_no, tok.start)
                for line_no, tok in flat[begin : end + 1]
                if tok.kind != "word" or self.english.word_class(tok.text) != "marked"
            )
            k += 1
        self._add_signature_names(tokenised, inside)
        return inside

    def vietnamese_words_in_passages(
        self, tokenised: Sequence[Sequence[Token]], english: set[tuple[int, int]]
    ) -> set[tuple[int, int]]:
        """The words of English passages made of Vietnamese letters in lower case (``va``, ``tai`` in
        ``Key English Test (KET) va Preliminary English Test``; ``hoc`` in ``ad hoc``): in a stripped or
        English-model OCR document they are restored (:meth:`restore` takes them out of the passages), in
        other text they are English or Latin and stay. Title-case ones are names and stay everywhere."""
        return {
            (line_no, tok.start)
            for line_no, toks in enumerate(tokenised)
            for tok in toks
            if tok.kind == "word"
            and (line_no, tok.start) in english
            and tok.text.islower()
            and self.english.word_class(tok.text) == "vietnamese"
        }

    #: Words in a signer's name line (``Vuong Dinh Hue``, ``Nguyen Thi Kim Ngan``).
    _NAME_WORDS = range(2, 6)
    #: Words in the English signature title above it (``CHAIRMAN``, ``DEPUTY PRIME MINISTER``).
    _TITLE_WORDS = range(1, 5)
    #: ... and on the line the name closes, where two title lines may have run together (``FOR THE PRIME
    #: MINISTER DEPUTY PRIME MINISTER Truong Hoa Binh``).
    _RUN_TITLE_WORDS = range(1, 9)

    def _add_signature_names(
        self, tokenised: Sequence[Sequence[Token]], inside: set[tuple[int, int]]
    ) -> None:
        """Add to ``inside`` the signer's name under an English signature title (``CHAIRMAN`` /
        ``Vuong Dinh Hue``): a line of two to five words in title case, without marks, none an English word
        that is no Vietnamese syllable (``Hue`` may be English too), right under a line of one to four
        words in capitals that are all in a passage. Its words are Vietnamese letters, so the passage model
        alone ends the passage before them; an English text writes names unmarked. Only the passages found
        by the model count as titles: a name line never makes the next line one. The same title and name
        closing one line count too (:meth:`_signature_ending_line`)."""
        passages = set(inside)
        previous: Sequence[Token] = ()
        previous_no = -1
        for line_no, toks in enumerate(tokenised):
            visible = [t for t in toks if t.kind != "space"]
            if not visible:
                continue
            words = [t for t in visible if t.kind == "word"]
            title = [t for t in previous if t.kind == "word"]
            if (
                len(title) in self._TITLE_WORDS
                and all(t.text.isupper() and (previous_no, t.start) in passages for t in title)
                and len(words) == len(visible)
                and len(words) in self._NAME_WORDS
                and all(self._signer_name_word(t) for t in words)
            ):
                inside.update((line_no, t.start) for t in toks)
            else:
                inside.update(
                    (line_no, t.start) for t in self._signature_ending_line(line_no, visible, passages)
                )
            previous, previous_no = visible, line_no

    def _signer_name_word(self, token: Token) -> bool:
        """A word a signer's name may be written with in an English text: unmarked title case, and no English
        word that is no Vietnamese syllable (``Hue`` may be English too)."""
        return _unmarked_title_case(token.text) and self.english.word_class(token.text) != "english"

    def _signature_ending_line(
        self, line_no: int, visible: Sequence[Token], passages: set[tuple[int, int]]
    ) -> list[Token]:
        """The signer's name closing a line after its English title (``... on July 28, 2021. CHAIRMAN Vuong
        Dinh Hue``, a signature block run into one line): two to five name words ending the line, right after
        one to eight words in capitals of a passage that start the line or follow a sentence end."""
        names = list(
            itertools.takewhile(lambda t: t.kind == "word" and self._signer_name_word(t), visible[::-1])
        )
        if len(names) not in self._NAME_WORDS:
            return []
        before = visible[: len(visible) - len(names)]
        title = list(
            itertools.takewhile(
                lambda t: t.kind == "word" and t.text.isupper() and (line_no, t.start) in passages,
                before[::-1],
            )
        )
        rest = before[: len(before) - len(title)]
        if len(title) not in self._RUN_TITLE_WORDS or (rest and rest[-1].text[-1:] not in SENTENCE_END):
            return []
        return names

    # ------------------------------------------------------------------ candidates
    def _unigram(self, readings: Sequence[str]) -> np.ndarray:
        return np.asarray(self.lm.spelling_unigram_logprob(self.lm.ids(readings)), dtype=np.float64)

    @staticmethod
    def is_abbreviation(token: str) -> bool:
        """Whether a token looks like an abbreviation rather than a (mangled) syllable.

        Letters without a vowel, in capitals (``VT``, ``PCT``, ``LĐTBXH``) or two letters in title case
        (``Bc``, ``Tw``). Lower-case vowelless runs (``hd``, ``chtrc``) are mangled syllables instead.
        """
        if len(token) < 2 or not token.isalpha() or not is_vowelless(token):
            return False
        return token.isupper() or (len(token) == 2 and token[0].isupper() and token[1].islower())

    def readings(self, observed: str, engines: Sequence[str] | None = None) -> dict[str, str]:
        """Candidate readings (lowercase syllables or known tokens) of a lowercase token, with the reason.

        Args:
            observed: The token, lower case.
            engines: The OCR channels whose confusable forms (skeletons) are expanded (default: all of
                them). A document's lattice asks only for the OCR regimes its fitted mixture weighs: a
                reading that only a left-out channel proposes has other letters than the token, which the
                correct-text and stripped regimes give next to nothing, and a weighed OCR regime proposes
                the readings it explains itself.

        Memoised per restorer and set of engines (the regime fit and the lattice both ask for them); the
        result is shared, so callers must not change it.
        """
        chosen = tuple(name for name in self.channels if engines is None or name in engines)
        memo = self._readings_memo.setdefault(chosen, {})
        return _memoised(memo, observed, functools.partial(self._find_readings, engines=chosen))

    def spelling_readings(self, observed: str) -> dict[str, str]:
        """Readings of a lowercase token by edit distance (:mod:`diacritics.spelling`), with the reason.

        Memoised per restorer, like :meth:`readings`; callers must not change the result.
        """
        return _memoised(self._spelling_memo, observed, self._find_spelling_readings)

    def _find_spelling_readings(self, observed: str) -> dict[str, str]:
        if self._speller is None:
            self._speller = SkeletonSpeller(self.inventory)
        found: dict[str, str] = {}
        for key in self._speller.keys(strip_diacritics(observed), self.settings.spelling_keys):
            self._add_variants(found, key, f"spelling ({key})")
        return found

    def _document_readings(
        self, observed: str, abbreviation: bool, mixture: ChannelMixture
    ) -> dict[str, str]:
        """:meth:`readings`, and in English-model OCR (``spelling_regime``) those of
        :meth:`spelling_readings` when the token is no known reading, no abbreviation, and none of its
        readings explains it well (``spelling_below``)."""
        found = self.readings(observed, self._weighing_engines(mixture))
        regime = self.settings.spelling_regime
        if regime is None or abbreviation or observed in found or mixture.by_name.get("eng", 0.0) < regime:
            return found
        if found and max(mixture.logprobs(observed, list(found))) >= self.settings.spelling_below:
            return found  # a reading explains it well enough
        extra = {s: why for s, why in self.spelling_readings(observed).items() if s not in found}
        return {**found, **extra} if extra else found

    def _weighing_engines(self, mixture: ChannelMixture) -> tuple[str, ...]:
        """The OCR channels the document's fitted mixture weighs (see :meth:`readings`)."""
        weighing = mixture.weighing
        return tuple(name for name in self.channels if name in weighing)

    def _find_readings(self, observed: str, engines: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.inventory.is_known(observed):
            found[observed] = "as written"
        self._add_variants(found, strip_diacritics(observed), "same letters")
        for name in engines:
            for key in self.channels[name].skeleton_keys(observed)[: self.settings.skeleton_top_k]:
                self._add_variants(found, key, f"OCR confusion ({key})")
        return found

    def _add_variants(self, found: dict[str, str], key: str, reason: str) -> None:
        """Add the known tokens of skeleton ``key`` to ``found`` with ``reason`` (earlier reasons stay)."""
        for syllable, _prior in self.inventory.variants(key):
            found.setdefault(syllable, reason)

    def _scored_readings(
        self, observed: str, abbreviation: bool, mixture: ChannelMixture, lowercase: bool = False
    ) -> tuple[list[tuple[str, float, str, int]], float | None]:
        """The best readings of an observed token with their channel scores and reasons, and the channel score
        of keeping it as written when it is no known reading (None when it is). Depends only on the token,
        whether it is written in lower case (``lowercase``, see :meth:`_keep_share`) and the document's
        mixture, so :meth:`restore` computes it once per distinct written word."""
        found = self._document_readings(observed, abbreviation, mixture)
        scored: list[tuple[str, float, str, int]] = []
        if found:
            names = list(found)
            ids = self.lm.ids(names)
            unigram = self.lm.spelling_unigram_logprob(ids).tolist()
            channel = mixture.logprobs(observed, names)
            rank = [ch + 0.3 * uni for ch, uni in zip(channel, unigram, strict=True)]
            ranked = sorted(
                zip(rank, names, channel, ids.tolist(), strict=True), key=lambda t: t[0], reverse=True
            )
            floor = ranked[0][0] - self.settings.rank_margin
            scored = [
                (r, ch, found[r], lm_id)
                for score, r, ch, lm_id in ranked[: self.settings.max_candidates]
                if score >= floor
            ]
        keep: float | None = None
        if observed.isdigit():  # a lone digit the document's regime may have made of a letter
            return scored, self.settings.lone_digit_keep_logprob
        if observed not in found or abbreviation:
            # Keep what is written (a name, a foreign word, a code) when nothing explains it better. An
            # abbreviation-shaped token (VT, PCT, Bc) costs as little as the text is likely undamaged:
            # in correct text it stays, in English-model OCR "PQ" may still be read as "ĐỘ".
            keep = self.settings.keep_unknown_logprob + self._keep_share(mixture, observed, lowercase)
            keep -= self.settings.keep_letter_cost * max(0, len(observed) - self.settings.keep_free_letters)
            if abbreviation:
                weights = mixture.by_name
                keep = max(
                    keep, math.log(max(1e-9, weights.get("exact", 0.0) + weights.get("stripped", 0.0)))
                )
                # its other readings are its own letters with bars (HDND: hđnd) or syllables the OCR stripped
                # of a vowel ("PQ" for "ĐỘ"), never other vowelless tokens ("KT" for "k" needs an inserted T)
                key = strip_diacritics(observed)
                scored = [
                    t
                    for t in scored
                    if t[0] != observed and (strip_diacritics(t[0]) == key or not is_vowelless(t[0]))
                ]
        return scored, keep

    def _keep_share(self, mixture: ChannelMixture, observed: str, lowercase: bool = False) -> float:
        """log of how likely an unknown token is to be meant as written, given the document's regimes.

        In correct, stripped or ``vie`` text an unknown token is mostly a name, code or foreign word; in
        English-model OCR it is mostly a mangled syllable (``duogc``, ``thirc``), so keeping it costs more.
        An unknown word of stripped text is letters only (a name, a foreign word), so a token with accents,
        digits or symbols (``huyén``, ``tr¢``, ``c6``) cannot be one: that regime does not count for such a
        token (the others are weighed in their proportions); and its names have capitals, so a word written
        in lower case (``lowercase``) is less likely one (``lowercase_unknown_in_stripped``). A token of
        letters with accents takes the rates of ``accented_unknown_by_regime`` where it lists a regime:
        English-model OCR writes accents only by mangling a letter.
        """
        kappa = dict(self.settings.keep_unknown_by_regime)
        if observed.isalpha() and not observed.isascii():  # accented letters (see accented_unknown_by_regime)
            kappa.update(self.settings.accented_unknown_by_regime)
        if lowercase:
            kappa["stripped"] = kappa.get("stripped", 1.0) * self.settings.lowercase_unknown_in_stripped
        weights = mixture.by_name
        if self.settings.non_letters_rule_out_stripped and not (observed.isascii() and observed.isalpha()):
            weights.pop("stripped", None)
        total = sum(weights.values())
        share = sum(w * kappa.get(name, 1.0) for name, w in weights.items()) / total if total > 0 else 1.0
        return math.log(max(share, 1e-9))

    def _slot(
        self,
        line: int,
        token: Token,
        mixture: ChannelMixture,
        ocr_confidence: float | None = None,
        cache: dict[tuple[str, float], Position] | None = None,
    ) -> TokenSlot:
        """The token's lattice position (one object for every occurrence of a word with the same OCR
        confidence, so the decoder's arrays of its candidates are built once)."""
        observed = normalise_syllable(token.text.lower())
        bonus = 0.0
        if ocr_confidence is not None and ocr_confidence >= 0:
            bonus = self.settings.confidence_weight * (min(ocr_confidence, 100.0) - 50.0) / 50.0
        key = (token.text, bonus)
        position = cache.get(key) if cache is not None else None
        if position is None:
            position = Position(tuple(self._candidates(token.text, observed, mixture, bonus)))
            if cache is not None:
                cache[key] = position
        return TokenSlot(line, token, observed, position)

    def _english_slot(
        self, line: int, token: Token, mixture: ChannelMixture, cache: dict[str, Position]
    ) -> TokenSlot:
        """The lattice position of a token of an English passage: the token as written, and for a word that
        is no common English word and no name (an OCR slip such as ``OE`` for ``OF``) its readings that are
        common English words. English words, names and codes stay (``the`` never becomes ``thể``, ``Thy``
        never ``The``)."""
        observed = normalise_syllable(token.text.lower())
        position = cache.get(token.text)
        if position is None:
            kept = Candidate(self.lm.token_id(observed), 0.0, token.text, "kept: English passage")
            readings: list[Candidate] = []
            name = token.text[:1].isupper() and not token.text.isupper()
            if (
                token.kind == "word"
                and not name
                and self.english.word_class(token.text) in ("vietnamese", "unknown")
            ):
                english_words = self.english.english_words
                candidates = self._candidates(token.text, observed, mixture, 0.0)
                readings = [c for c in candidates if c.text != token.text and c.text.lower() in english_words]
                if readings:
                    own = next((c for c in candidates if c.text == token.text), None)
                    kept = replace(kept, channel=own.channel) if own is not None else kept
            position = cache[token.text] = Position((*readings, kept))
        return TokenSlot(line, token, observed, position)

    def _candidates(self, text: str, observed: str, mixture: ChannelMixture, bonus: float) -> list[Candidate]:
        abbreviation = self.is_abbreviation(text)
        lowercase = text.isalpha() and text.islower()
        scored, keep = self._scored_readings(observed, abbreviation, mixture, lowercase)
        if self.settings.roman_numerals_kept and len(text) > 1 and _ROMAN.fullmatch(text):
            # "KHÓA XI" is no slip for "KHÓA XII": the LM's preference between numerals is only which ones
            # its corpus happened to mention (as with digits, kept as <num>); syllable readings stay
            scored = [t for t in scored if t[0] == observed or not _ROMAN.fullmatch(t[0].upper())]
        pattern = case_pattern(text)
        as_written = text
        if pattern == "mixed":
            # "cÓ", "tÂm", "ChỨC": OCR noise in the case of a word (no Vietnamese syllable is written so); a
            # syllable reading gets the word's main case, even when its letters are kept as written
            pattern = _main_case(text)
            if self.inventory.is_syllable(observed):
                as_written = apply_case(pattern, observed, text)
        cands = [
            Candidate(
                lm_id=lm_id,
                channel=channel + (bonus if reading == observed else 0.0),
                text=as_written if reading == observed else apply_case(pattern, reading, text),
                reason=reason,
            )
            for reading, channel, reason, lm_id in scored
        ]
        if keep is not None:
            what = (
                "abbreviation" if abbreviation else "number" if observed.isdigit() else "not a known syllable"
            )
            cands.append(
                Candidate(
                    lm_id=self._kept_lm_id(observed, abbreviation),
                    channel=keep,
                    text=text,
                    reason=f"kept: {what}",
                )
            )
        return cands

    def _kept_lm_id(self, observed: str, abbreviation: bool) -> int:
        """The LM id a token kept as written is scored with (see ``rare_abbreviation_as_unknown``)."""
        lm_id = self.lm.token_id(observed)
        if self.settings.rare_abbreviation_as_unknown and abbreviation and lm_id != self.lm.unk:
            ids = np.array([lm_id, self.lm.unk])
            own, unknown = self.lm.unigram_logprob(ids).tolist()
            if own < unknown:
                return self.lm.unk
        return lm_id

    # ------------------------------------------------------------------ regime
    def regime_mixture(self) -> ChannelMixture:
        """A mixture of the regimes (correct text, stripped text, each OCR channel), weights unfitted."""
        return ChannelMixture(
            [
                ExactChannel(),
                StrippedChannel(),
                *(LearnedChannel(name, ch.logprobs_many) for name, ch in self.channels.items()),
            ]
        )

    def regime_observations(self, tokens: Sequence[str]) -> list[tuple[str, list[tuple[str, float]]]]:
        """What the regime fit weighs of each (lowercase) token: its readings through every channel, each
        with its unigram log prior (an empty list for a token without readings)."""
        # the skeleton searches the memos lack, done together
        for channel in self.channels.values():
            channel.prefetch_skeleton_keys(tokens)
        observations: list[tuple[str, list[tuple[str, float]]]] = []
        for observed in tokens:
            readings = list(self.readings(observed))
            prior = self._unigram(readings).tolist() if readings else []
            observations.append((observed, list(zip(readings, prior, strict=True))))
        return observations

    def _fit_sample(self, observed_tokens: Sequence[str]) -> list[str]:
        """The tokens the regime fit weighs: distinct tokens are enough to tell regimes (the first ones)."""
        return list(dict.fromkeys(observed_tokens))[: self.settings.regime_sample]

    def fit_mixture(self, observed_tokens: Sequence[str]) -> ChannelMixture:
        """Estimate the document's OCR regime mixture from its tokens by EM.

        The rows the fit weighs (:meth:`ChannelMixture.token_scores`) of the tokens in the shipped table
        (:attr:`regime_scores`) are looked up; the others' are computed.
        """
        mixture = self.regime_mixture()
        sample = self._fit_sample(observed_tokens)
        table = self.regime_scores
        found = table.lookup(sample) if table is not None else [None] * len(sample)
        live = [observed for observed, row in zip(sample, found, strict=True) if row is None]
        live_rows = iter(mixture.token_scores(self.regime_observations(live)))
        # in the sample's order; a token without readings has a row of NaN either way, and is left out
        rows = [next(live_rows) if row is None else row for row in found]
        n = len(mixture.components)
        shares = [self.settings.exact_prior_share] + [(1 - self.settings.exact_prior_share) / (n - 1)] * (
            n - 1
        )
        per_token = np.array(rows, dtype=np.float64).reshape(len(rows), n)
        mixture.fit_token_scores(
            per_token, prior_strength=self.settings.regime_prior_strength, prior_shares=shares
        )
        mixture.negligible = self.settings.negligible_regime
        log.debug("regime mixture: %s", mixture.by_name)
        return mixture

    # ------------------------------------------------------------------ main
    def restore(
        self,
        text: str,
        explain: bool = False,
        confidences: Sequence[Sequence[float]] | None = None,
        decisions: bool = True,
        review_below: float | None = None,
    ) -> RestoredText:
        """Restore ``text``, keeping its line breaks exactly.

        Args:
            text: Input text (any regime).
            explain: Also compute per-token alternatives and confidences.
            confidences: OCR word confidences (0-100) per line, one per whitespace-separated word.
            decisions: Report the changed tokens with their confidences (False: just the text, faster).
            review_below: With ``decisions``, also report the tokens kept as written whose confidence is below
                this (what a reviewer should check besides the changes; None: only the changed tokens).
        """
        lines = normalise_text(text).split("\n")
        tokenised = [tokenize(line) for line in lines]
        english = self.english_passages(tokenised)
        word_tokens = _observed_words(tokenised, english)
        if not word_tokens:
            word_tokens = _observed_words(tokenised)  # all English: the fit still needs tokens
        if not word_tokens:
            return RestoredText("\n".join(lines), [], {})
        mixture = self.fit_mixture(word_tokens)
        marked = self.settings.names_left_out_of_fit
        weights = mixture.by_name
        if marked is not None and weights.get("exact", 0.0) + weights.get("vie", 0.0) >= marked:
            # a marked text: its unmarked names say nothing of whether it is stripped
            without_names = _observed_words(tokenised, english | _unmarked_names(tokenised))
            if without_names and self._fit_sample(without_names) != self._fit_sample(word_tokens):
                mixture = self.fit_mixture(without_names)
        eng_share = mixture.by_name.get("eng", 0.0)
        if english and eng_share + mixture.by_name.get("stripped", 0.0) >= 0.5:
            english -= self.vietnamese_words_in_passages(tokenised, english)
        if eng_share >= self.settings.horn_mark_regime:
            tokenised = [glue_horn_marks(toks) for toks in tokenised]
        digit_regime = self.settings.lone_digit_regime
        if digit_regime is not None and eng_share >= digit_regime:
            tokenised = [lone_digits_as_words(toks) for toks in tokenised]
        word_tokens = _observed_words(tokenised, english)
        # every distinct word's readings scored by the OCR channels in a few batched passes; then those the
        # spelling look-up adds for the tokens they leave unexplained (an abbreviation's, unused, are few)
        distinct = list(dict.fromkeys(word_tokens))
        engines = self._weighing_engines(mixture)
        for name in engines:  # the lattice's readings come through the regimes the fit weighs
            self.channels[name].prefetch_skeleton_keys(distinct)
        mixture.prefetch([(o, list(self.readings(o, engines))) for o in distinct])
        mixture.prefetch([(o, list(self._document_readings(o, False, mixture))) for o in distinct])

        positions: list[Position] = []
        slots: list[TokenSlot | None] = []
        slot_cache: dict[tuple[str, float], Position] = {}
        english_cache: dict[str, Position] = {}
        for line_no, toks in enumerate(tokenised):
            word_conf = _token_confidences(lines[line_no], toks, confidences, line_no)
            for tok in toks:
                if tok.kind in DECODABLE_KINDS and (line_no, tok.start) in english:
                    new_slot = self._english_slot(line_no, tok, mixture, english_cache)
                    positions.append(new_slot.position)
                    slots.append(new_slot)
                elif tok.kind in DECODABLE_KINDS:
                    new_slot = self._slot(line_no, tok, mixture, word_conf.get(tok.start), slot_cache)
                    positions.append(new_slot.position)
                    slots.append(new_slot)
                else:
                    lm_tok = lm_token(tok.text, tok.kind)
                    if lm_tok == EOS:
                        positions.append(Position(sentence_end=True))
                        slots.append(None)
                    elif lm_tok:
                        positions.append(
                            Position((Candidate(self.lm.token_id(lm_tok), 0.0, tok.text, "copied"),))
                        )
                        slots.append(None)
        if not self.settings.cut_final_word_completed:
            self._no_completion_of_a_cut_final_word(tokenised, slots, positions, english)
        result = decode(
            positions, self._scorer, self.lm.bos, self.lm.eos, self.settings.weights, self._bigram_scorer
        )

        # Rebuild each line, replacing decodable tokens by their chosen reading.
        replacement: dict[tuple[int, int], str] = {}
        reports: list[Decision] = []
        reported: list[int] = []
        for index, slot in enumerate(slots):
            if slot is None:
                continue
            chosen = slot.candidates[result.choice[index]]
            replacement[(slot.line, slot.token.start)] = chosen.text
            if explain or (decisions and (review_below is not None or chosen.text != slot.token.text)):
                reported.append(index)
        # Cheap (three batched trigram look-ups per candidate), so done for every changed token (and with
        # review_below for every token): it gives the confidence used to flag tokens for review even when the
        # caller did not ask to explain.
        alternatives = batch_local_alternatives(
            positions, result.choice, reported, self._scorer, self.lm.bos, self.lm.eos, self.settings.weights
        )
        for index in reported:
            slot = slots[index]
            assert slot is not None
            chosen = slot.candidates[result.choice[index]]
            alts = alternatives.get(index, [])
            confidence = next((p for k, p in alts if k == result.choice[index]), 1.0) if alts else 1.0
            if not explain and not _worth_reporting(slot.token.text, chosen.text, confidence, review_below):
                continue
            reports.append(
                Decision(
                    line=slot.line + 1,
                    start=slot.token.start,
                    original=slot.token.text,
                    chosen=chosen.text,
                    confidence=round(confidence, 4),
                    reason=chosen.reason,
                    alternatives=[(slot.candidates[k].text, round(p, 4)) for k, p in alts[:5]],
                )
            )
        # the later passes leave English passages alone
        restored_slots = [s if s is None or (s.line, s.token.start) not in english else None for s in slots]
        self._fix_case_slips(tokenised, restored_slots, replacement, reports, mixture, english)
        self._fix_abbreviations(tokenised, replacement, reports, mixture, english)
        self._fix_short_word_case(tokenised, slots, replacement, reports, mixture, english)
        reports.sort(key=lambda d: (d.line, d.start))
        if not decisions and not explain:
            reports.clear()
        elif not explain:  # the changed tokens, and those kept as written that a reviewer should check
            reports[:] = [
                d for d in reports if _worth_reporting(d.original, d.chosen, d.confidence, review_below)
            ]
        out_lines = []
        for line_no, toks in enumerate(tokenised):
            out_lines.append("".join(replacement.get((line_no, t.start), t.text) for t in toks))
        return RestoredText("\n".join(out_lines), reports, mixture.by_name)

    @staticmethod
    def _no_completion_of_a_cut_final_word(
        tokenised: Sequence[Sequence[Token]],
        slots: list[TokenSlot | None],
        positions: list[Position],
        english: set[tuple[int, int]],
    ) -> None:
        """Take from the text's last word, when only space or an ellipsis follows it, the readings whose
        unmarked form extends its own (``tổ chứ`` → ``chức`` or ``chứa``, ``đầ`` → ``đầu``): a text cut off
        mid-word (an excerpt, a database field) ends so, and nothing after it tells what the word was. A word
        of an English passage, and a word all of whose readings extend it, keep them. See
        :attr:`RestorerSettings.cut_final_word_completed`; changes ``slots`` and ``positions`` in place."""
        index = next((k for k in range(len(slots) - 1, -1, -1) if slots[k] is not None), None)
        if index is None:
            return
        slot = slots[index]
        assert slot is not None
        after = [t for t in tokenised[slot.line] if t.start > slot.token.start]
        after += [t for toks in tokenised[slot.line + 1 :] for t in toks]
        cut_off = all(t.kind == "space" or t.text in _ELLIPSES for t in after)
        if not cut_off or (slot.line, slot.token.start) in english:
            return
        written = strip_diacritics(slot.observed)
        kept = tuple(
            c
            for c in slot.candidates
            if not (
                len(reading := strip_diacritics(c.text.lower())) > len(written)
                and reading.startswith(written)
            )
        )
        if kept and len(kept) < len(slot.candidates):
            position = Position(kept)
            slots[index] = replace(slot, position=position)
            positions[index] = position

    def case_slip_probability(self, mixture: ChannelMixture) -> float:
        """P(the OCR capitalises a lower-case word mid-sentence) for this document's regime mixture."""
        return sum(w * self.case_slips.get(name, 0.0) for name, w in mixture.weighing.items())

    def _fix_case_slips(
        self,
        tokenised: Sequence[Sequence[Token]],
        slots: Sequence[TokenSlot | None],
        replacement: dict[tuple[int, int], str],
        decisions: list[Decision],
        mixture: ChannelMixture,
        english: set[tuple[int, int]] | None = None,
    ) -> None:
        """Lower-case capitalised words inside sentences that the case table says are slips (in place).

        A word's previous word is the one before it in its sentence; an English passage (``english``:
        ``(line, start)`` of its tokens) breaks the run like a sentence end.
        """
        if self._case_model is None:
            return
        slip = self.case_slip_probability(mixture)
        if slip <= 0:
            return
        by_start = {(s.line, s.token.start): s for s in slots if s is not None}
        flat = [
            (line_no, tok) for line_no, toks in enumerate(tokenised) for tok in toks if tok.kind != "space"
        ]
        words = [
            (i, replacement.get((line_no, tok.start), tok.text))
            for i, (line_no, tok) in enumerate(flat)
            if (line_no, tok.start) in by_start
        ]
        next_word = {words[k][0]: words[k + 1][1] for k in range(len(words) - 1)}
        prev: str | None = None
        for i, (line_no, tok) in enumerate(flat):
            slot = by_start.get((line_no, tok.start))
            if slot is None:
                if BREAKS.search(tok.text) or (english and (line_no, tok.start) in english):
                    prev = None
                continue
            text = replacement.get((line_no, tok.start), tok.text)
            kind = token_case(text)
            if kind == "title" and prev is not None and token_case(tok.text) == "title":
                nxt = next_word.get(i)
                in_run = nxt is not None and token_case(nxt) == "title"
                model = self.case_model
                assert model is not None
                found = model.decide(prev, text.lower(), slip, in_run=in_run)
                if found is not None and found.lower:
                    new_text = text.lower()
                    replacement[(line_no, tok.start)] = new_text
                    reason = f"case slip: {found.evidence}; OCR capitalises {slip:.3f} of words"
                    p_lower = round(1 - found.p_title, 4)
                    change = Decision(
                        line_no + 1, tok.start, tok.text, new_text, p_lower, reason, [(new_text, p_lower)]
                    )
                    _record_change(decisions, change, amend=True)
                    text, kind = new_text, "lower"
            prev = normalise_syllable(text) if kind == "lower" else None

    def _fix_abbreviations(
        self,
        tokenised: Sequence[Sequence[Token]],
        replacement: dict[tuple[int, int], str],
        decisions: list[Decision],
        mixture: ChannelMixture,
        english: set[tuple[int, int]] | None = None,
    ) -> None:
        """Give document codes and abbreviations kept as written back their ``Đ`` (``ND-CP`` → ``NĐ-CP``).

        See :mod:`diacritics.abbreviations`; the document loses the bar in its stripped and English-model
        regimes. Tokens of English passages (``english``: ``(line, start)``) keep theirs (``DECREE NO.
        222006ND-CP``). Changes ``replacement`` and ``decisions`` in place.
        """
        weights = mixture.by_name
        damaged = weights.get("stripped", 0.0) + weights.get("eng", 0.0)
        for line_no, toks in enumerate(tokenised):
            for tok in toks:
                if "D" not in tok.text or tok.kind not in _CODE_KINDS:
                    continue
                if english and (line_no, tok.start) in english:
                    continue
                if replacement.get((line_no, tok.start), tok.text) != tok.text:
                    continue  # the decoder read it as something else
                fixes = self.abbreviations.repair(tok.text, damaged)
                if not fixes:
                    continue
                confidence = round(min(f.probability for f in fixes), 4)
                reason = "; ".join(f.reason for f in fixes)
                _apply_change(
                    replacement,
                    decisions,
                    line_no,
                    tok,
                    apply_fixes(tok.text, fixes),
                    confidence,
                    reason,
                    amend=False,
                )

    def _fix_short_word_case(
        self,
        tokenised: Sequence[Sequence[Token]],
        slots: Sequence[TokenSlot | None],
        replacement: dict[tuple[int, int], str],
        decisions: list[Decision],
        mixture: ChannelMixture,
        english: set[tuple[int, int]] | None = None,
    ) -> None:
        """Give two-letter syllables the case of their line in English-model OCR (``BO Lao`` → ``Bộ Lao``).

        Tesseract's English model reads a marked vowel as a letter of the other case (``Bộ`` → ``BO``,
        ``Sở`` → ``SO``, ``SĨ`` → ``Si``, ``VÌ`` → ``Vi``): in a two-letter word the vowel alone decides the
        word's case pattern, so there the pattern is taken from the neighbouring words on the line instead
        (roman numerals and abbreviations kept as written keep theirs; ``BG`` read as ``BỘ`` is a word). A
        lone digit read as a syllable (``TỔ CHỨC 0`` → ``ở``, see :func:`lone_digits_as_words`) has no case
        of its own: between words in capitals it is written in capitals. Only in documents mostly in that
        regime (:attr:`RestorerSettings.short_word_case_regime`); changes
        ``replacement`` and ``decisions`` in place. A word of an English passage (``english``: ``(line,
        start)``) keeps its case and is no evidence for its neighbours (nor are the words beyond it).
        """
        share = mixture.by_name.get("eng", 0.0)
        if share < self.settings.short_word_case_regime:
            return
        decodable = {(s.line, s.token.start) for s in slots if s is not None}
        english = english or set()
        for line_no, toks in enumerate(tokenised):
            words = [t for t in toks if (line_no, t.start) in decodable]
            texts = [replacement.get((line_no, t.start), t.text) for t in words]
            passage = [(line_no, t.start) in english for t in words]
            # an abbreviation (LĐTBXH, UBND) is in capitals whatever its line's case: no evidence of it; nor
            # is an English word (a title in capitals next to a Vietnamese sentence)
            patterns = [
                case_pattern(text)
                if len(text) > 1 and not in_passage and not self._always_capitals(tok.text, text)
                else None
                for tok, text, in_passage in zip(words, texts, passage, strict=True)
            ]
            for k, (tok, text) in enumerate(zip(words, texts, strict=True)):
                if passage[k]:
                    continue
                around = (patterns[k - 1] if k else None, patterns[k + 1] if k + 1 < len(words) else None)
                known = [p for p in around if p is not None]
                pattern = case_pattern(tok.text)
                if tok.text.isdigit():
                    # a lone digit read as a syllable has no case of its own: "TỔ CHỨC 0" → "TỔ CHỨC Ở"
                    if text == tok.text or not known or set(known) != {"upper"}:
                        continue
                    new_text = text.upper()
                elif len(text) != 2 or pattern not in ("upper", "title"):
                    continue
                elif self.is_abbreviation(tok.text) and is_vowelless(text):
                    continue  # kept as an abbreviation ("VT"); one read as a syllable ("BG" → "BỘ") is a word
                elif pattern == "upper" and _ROMAN.fullmatch(tok.text):
                    continue  # "VI", "XI": a numeral, not "Vì" misread
                elif is_vowelless(text[1]) or not is_vowelless(text[0]) or not known:
                    continue
                elif pattern == "upper" and "upper" not in known:
                    new_text = text[0] + text[1:].lower()
                elif pattern == "title" and "upper" in known and not {"lower", "title"} & set(known):
                    new_text = text.upper()
                else:
                    continue
                if new_text == text:
                    continue
                what = "a digit read as a syllable" if tok.text.isdigit() else "a two-letter word"
                reason = f"case of {what} from its neighbours ({'/'.join(known)}) in English-model OCR"
                _apply_change(
                    replacement, decisions, line_no, tok, new_text, round(share, 4), reason, amend=True
                )

    def _always_capitals(self, token: str, restored: str) -> bool:
        """Whether a token is written in capitals whatever its line's case: an abbreviation (``LĐTBXH``) or
        a word in capitals that is no syllable even as restored (``UBND``, ``HIV``)."""
        if self.is_abbreviation(token):
            return True
        return restored.isupper() and not self.inventory.is_syllable(normalise_syllable(restored.lower()))

    @property
    def abbreviations(self) -> AbbreviationTable:
        """The abbreviation table (the shipped one unless given; loaded on first use)."""
        if self._abbreviations is None:
            self._abbreviations = AbbreviationTable.load()
        return self._abbreviations

    def with_settings(
        self, settings: RestorerSettings | None = None, lm: LanguageModel | None = None
    ) -> Restorer:
        """A restorer sharing this one's data, with other settings (or another LM, for baselines)."""
        settings = settings or self.settings
        same_readings = lm is None and settings.skeleton_top_k == self.settings.skeleton_top_k
        return Restorer(
            lm or self.lm,
            self.inventory,
            self.channels,
            settings,
            case_model=self._case_model,
            case_slips=self.case_slips,
            abbreviations=self._abbreviations,
            regime_scores=self.regime_scores if same_readings else None,
        )

    def restore_text(self, text: str) -> str:
        """Just the restored text of :meth:`restore`."""
        return self.restore(text).text

    def _scorer(self, w: np.ndarray, v: np.ndarray, u: np.ndarray) -> np.ndarray:
        return np.asarray(self.lm.spelling_logprob(w, v, u), dtype=np.float64)

    def _bigram_scorer(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.asarray(self.lm.spelling_logprob(w, v), dtype=np.float64)


def regime_names(channels: dict[str, CharChannel]) -> tuple[str, ...]:
    """The regime mixture's component names, in order (see :meth:`Restorer.regime_mixture`)."""
    return (ExactChannel.name, StrippedChannel.name, *channels)


def regime_constants(channels: dict[str, CharChannel], settings: RestorerSettings) -> dict[str, object]:
    """Besides the LM and inventory files, what the regime-fit rows of a token depend on (see
    :func:`diacritics.regime_scores.regime_fingerprint`): the regimes, the channels' tables and search
    settings, the reading settings and the fixed channels' constants."""
    return {
        "regimes": list(regime_names(channels)),
        "channels": {
            name: {"table": ch.table_fingerprint, "search": search_settings(name)}
            for name, ch in channels.items()
        },
        "skeleton_top_k": settings.skeleton_top_k,
        "lm_spelling_twins": [list(pair) for pair in i_y_variants()],
        "exact_channel": [ExactChannel.slack, ExactChannel.slack_per_dropped_letter],
        "stripped_channel": [StrippedChannel.slack, StrippedChannel.slack_per_dropped_letter],
        "learned_floor": LearnedChannel.floor,
    }


#: How a cut excerpt may end after its last word.
_ELLIPSES = frozenset({"...", "…"})
#: Punctuation a passage does not widen across: a sentence end (:data:`SENTENCE_END`) or a colon.
_SENTENCE_BREAK = regex.compile(f"[{regex.escape(''.join(sorted(SENTENCE_END)))}:]")
#: A level or grade code (``A2``, ``B1``, ``C1``) next to an English passage.
_LEVEL_CODE = regex.compile(r"[A-Z]{1,2}\d{1,2}")


def _edge_token(token: Token) -> bool:
    """Whether a token between an English passage's edge word and the next word on its line goes with the
    passage: punctuation, space, a number or code, a level code (``A2``); not a glued OCR token (``d6i``)."""
    return token.kind in ("punct", "space", "number") or bool(_LEVEL_CODE.fullmatch(token.text))


def _memoised(
    memo: dict[str, dict[str, str]], key: str, compute: Callable[[str], dict[str, str]]
) -> dict[str, str]:
    """``memo[key]``, computed by ``compute`` on a miss; the memo is emptied once it holds 100,000 entries."""
    hit = memo.get(key)
    if hit is None:
        if len(memo) > 100_000:
            memo.clear()
        hit = memo[key] = compute(key)
    return hit


def _worth_reporting(original: str, chosen: str, confidence: float, review_below: float | None) -> bool:
    """Whether a token's decision is reported when the caller does not ask to explain: it was changed, or
    kept as written with a confidence below ``review_below`` (None: only changes)."""
    return chosen != original or (review_below is not None and confidence < review_below)


def _unmarked_title_case(text: str) -> bool:
    """Whether a word is written in title case without marks (``Nhung``, ``Vuong``), as a name may be."""
    return len(text) > 1 and text.isascii() and text[0].isupper() and text[1:].islower()


def _unmarked_names(tokenised: Sequence[Sequence[Token]]) -> set[tuple[int, int]]:
    """``(line, start)`` of the unmarked words in title case (``Nhung`` in ``bà Nguyễn Thị Hải Nhung``,
    ``Lua`` in ``xã Đắc Lua``) that follow a word in lower or title case with nothing but space between, on
    their line or at the end of the line before (lines are hard-wrapped): names inside a sentence, which
    correct text writes without marks as often as stripped text does, or case slips. Not after a word in
    capitals (``HOẠT ĐỘNG Dieu 1``: a heading ends there) nor after punctuation or a number."""
    names: set[tuple[int, int]] = set()
    previous: Token | None = None
    for line_no, toks in enumerate(tokenised):
        for t in toks:
            if t.kind == "space":
                continue
            if (
                t.kind == "word"
                and previous is not None
                and previous.kind == "word"
                and case_pattern(previous.text) in ("lower", "title")
                and _unmarked_title_case(t.text)
            ):
                names.add((line_no, t.start))
            previous = t
    return names


def _observed_words(
    tokenised: Sequence[Sequence[Token]], left_out: set[tuple[int, int]] | None = None
) -> list[str]:
    """The decodable tokens of the lines, as the channels see them (lower case, normalised), but those at
    ``left_out`` (``(line, start)``)."""
    return [
        normalise_syllable(t.text.lower())
        for line_no, toks in enumerate(tokenised)
        for t in toks
        if t.kind in DECODABLE_KINDS and not (left_out and (line_no, t.start) in left_out)
    ]


def _record_change(decisions: list[Decision], change: Decision, *, amend: bool) -> None:
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


def _apply_change(
    replacement: dict[tuple[int, int], str],
    decisions: list[Decision],
    line_no: int,
    token: Token,
    new_text: str,
    confidence: float,
    reason: str,
    *,
    amend: bool,
) -> None:
    """Write a post-decoding pass's rewrite of ``token`` (0-based ``line_no``) and record it with
    :func:`_record_change`; its alternatives are the new text and the token as written."""
    replacement[(line_no, token.start)] = new_text
    alternatives = [(new_text, confidence), (token.text, round(1 - confidence, 4))]
    change = Decision(line_no + 1, token.start, token.text, new_text, confidence, reason, alternatives)
    _record_change(decisions, change, amend=amend)


#: What Tesseract's English model writes for the horn of ``ư``/``ơ`` when it ends a word (``SU’``, ``tu'``).
_HORN_MARKS = frozenset("’'")


def glue_horn_marks(tokens: Sequence[Token]) -> list[Token]:
    """Join a word and the apostrophe right after it into one ``other`` token (``SU’`` → one token).

    Inside a word the tokenizer already keeps an apostrophe (``nu’éc``); at its end the apostrophe would be a
    quote that cuts the word off from the next one (``SU’ DUNG`` read as ``SU`` + ``"`` + ``DUNG`` loses the
    ``sử dụng`` context). Only for English-model OCR, where the apostrophe is the horn of ``ư``/``ơ``.
    """
    out: list[Token] = []
    for tok in tokens:
        prev = out[-1] if out else None
        if (
            tok.kind == "punct"
            and tok.text in _HORN_MARKS
            and prev is not None
            and prev.kind in DECODABLE_KINDS
            and prev.start + len(prev.text) == tok.start
        ):
            out[-1] = Token(prev.text + tok.text, prev.start, "other")
        else:
            out.append(tok)
    return out


def lone_digits_as_words(tokens: Sequence[Token]) -> list[Token]:
    """Make a one-digit number whose neighbours on the line are words an ``other`` token the decoder reads.

    Tesseract's English model writes ``ở`` as ``6`` or ``0`` (``sinh sống 6 địa phương``). Such a digit is
    decoded like a mangled syllable, keeping the number as one reading (the LM weighs ``<num>`` against the
    syllables); digits next to punctuation or other numbers (``Điều 6.``, ``6/2021``) stay numbers. Only for
    English-model OCR.
    """
    out = list(tokens)
    visible = [i for i, t in enumerate(out) if t.kind != "space"]
    for n, i in enumerate(visible):
        tok = out[i]
        if tok.kind != "number" or len(tok.text) != 1:
            continue
        neighbours = [out[visible[k]] for k in (n - 1, n + 1) if 0 <= k < len(visible)]
        if neighbours and all(t.kind in DECODABLE_KINDS for t in neighbours):
            out[i] = Token(tok.text, tok.start, "other")
    return out


def _main_case(token: str) -> CasePattern:
    """The case a mixed-case token mostly has: upper, title (first letter only) or lower."""
    uppers = sum(1 for ch in token if ch.isupper())
    lowers = sum(1 for ch in token if ch.islower())
    if uppers > lowers:
        return "upper"
    return "title" if token[:1].isupper() else "lower"


def _token_confidences(
    line: str, tokens: Sequence[Token], confidences: Sequence[Sequence[float]] | None, line_no: int
) -> dict[int, float]:
    """Map each token (by start offset) to the OCR confidence of the whitespace-separated word holding it."""
    if confidences is None or line_no >= len(confidences):
        return {}
    line_conf = confidences[line_no]
    spans = [(m.start(), m.end()) for m in _WORD_SPAN.finditer(line)]
    if len(spans) != len(line_conf):
        return {}  # the text was edited after OCR: don't guess
    out: dict[int, float] = {}
    k = 0
    for tok in tokens:
        while k < len(spans) and spans[k][1] <= tok.start:
            k += 1
        if k < len(spans) and spans[k][0] <= tok.start < spans[k][1]:
            out[tok.start] = float(line_conf[k])
    return out
