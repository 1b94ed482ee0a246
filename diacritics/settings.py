"""The restorer's settings."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .decoder import DecoderWeights


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
