"""The passes after decoding: case slips, document codes' ``Đ``, two-letter words' case, heading labels.

Each rewrites tokens of :class:`diacritics.state.RestoreState` (its ``replacement``) and records every
rewrite as a decision (:func:`diacritics.plan.record_change`). The later passes leave English passages
alone.
"""

from __future__ import annotations

from .abbreviations import apply_fixes, is_vowelless
from .casing import BREAKS, token_case
from .channel import ChannelMixture
from .headings import find_label_repairs
from .lattice import ROMAN, is_abbreviation
from .normalise import case_pattern, normalise_syllable
from .ocr_tokens import CODE_KINDS
from .plan import Decision, record_change
from .state import Models, RestoreState
from .tokens import Token


def case_slip_probability(models: Models, mixture: ChannelMixture) -> float:
    """P(the OCR capitalises a lower-case word mid-sentence) for this document's regime mixture."""
    return sum(w * models.case_slips.get(name, 0.0) for name, w in mixture.weighing.items())


def fix_case_slips(models: Models, state: RestoreState) -> None:
    """Lower-case capitalised words inside sentences that the case table says are slips.

    A word's previous word is the one before it in its sentence; an English passage breaks the run like a
    sentence end.
    """
    if not models.has_case_model or state.mixture is None:
        return
    slip = case_slip_probability(models, state.mixture)
    if slip <= 0:
        return
    english = state.english
    replacement = state.replacement
    by_start = {
        (s.line, s.token.start): s
        for s in state.slots
        if s is not None and (s.line, s.token.start) not in english
    }
    flat = [
        (line_no, tok) for line_no, toks in enumerate(state.tokenised) for tok in toks if tok.kind != "space"
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
            model = models.case_model
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
                record_change(state.decisions, change, amend=True)
                text, kind = new_text, "lower"
        prev = normalise_syllable(text) if kind == "lower" else None


def fix_abbreviations(models: Models, state: RestoreState) -> None:
    """Give document codes and abbreviations kept as written back their ``Đ`` (``ND-CP`` → ``NĐ-CP``).

    See :mod:`diacritics.abbreviations`; the document loses the bar in its stripped and English-model
    regimes. Tokens of English passages keep theirs (``DECREE NO. 222006ND-CP``).
    """
    if state.mixture is None:
        return
    weights = state.mixture.by_name
    damaged = weights.get("stripped", 0.0) + weights.get("eng", 0.0)
    english = state.english
    for line_no, toks in enumerate(state.tokenised):
        for tok in toks:
            if "D" not in tok.text or tok.kind not in CODE_KINDS:
                continue
            if english and (line_no, tok.start) in english:
                continue
            if state.restored(line_no, tok) != tok.text:
                continue  # the decoder read it as something else
            fixes = models.abbreviations.repair(tok.text, damaged, (line_no, tok.start) in state.codes)
            if not fixes:
                continue
            confidence = round(min(f.probability for f in fixes), 4)
            reason = "; ".join(f.reason for f in fixes)
            _apply_change(state, line_no, tok, apply_fixes(tok.text, fixes), confidence, reason, amend=False)


def fix_short_word_case(models: Models, state: RestoreState) -> None:
    """Give two-letter syllables the case of their line in English-model OCR (``BO Lao`` → ``Bộ Lao``).

    Tesseract's English model reads a marked vowel as a letter of the other case (``Bộ`` → ``BO``,
    ``Sở`` → ``SO``, ``SĨ`` → ``Si``, ``VÌ`` → ``Vi``): in a two-letter word the vowel alone decides the
    word's case pattern, so there the pattern is taken from the neighbouring words on the line instead
    (roman numerals and abbreviations kept as written keep theirs; ``BG`` read as ``BỘ`` is a word). A
    lone digit read as a syllable (``TỔ CHỨC 0`` → ``ở``, see
    :func:`diacritics.ocr_tokens.lone_digits_as_words`) has no case of its own: between words in capitals
    it is written in capitals. Only in documents mostly in that regime. A word of an English passage keeps
    its case and is no evidence for its neighbours (nor are the words beyond it).
    """
    share = state.share.get("eng", 0.0)
    if share < models.settings.tuning.gate("short_word_case"):
        return
    decodable = {(s.line, s.token.start) for s in state.slots if s is not None}
    english = state.english
    for line_no, toks in enumerate(state.tokenised):
        words = [t for t in toks if (line_no, t.start) in decodable]
        texts = [state.restored(line_no, t) for t in words]
        passage = [(line_no, t.start) in english for t in words]
        # an abbreviation (LĐTBXH, UBND) is in capitals whatever its line's case: no evidence of it; nor
        # is an English word (a title in capitals next to a Vietnamese sentence)
        patterns = [
            case_pattern(text)
            if len(text) > 1 and not in_passage and not _always_capitals(models, tok.text, text)
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
            elif is_abbreviation(tok.text) and is_vowelless(text):
                continue  # kept as an abbreviation ("VT"); one read as a syllable ("BG" → "BỘ") is a word
            elif pattern == "upper" and ROMAN.fullmatch(tok.text):
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
            _apply_change(state, line_no, tok, new_text, round(share, 4), reason, amend=True)


def repair_heading_labels(models: Models, state: RestoreState) -> None:
    """Repair the Roman heading labels OCR read as digits, ``l`` or ``H`` (``11. NHIEM VU`` → ``II.``; see
    :mod:`diacritics.headings`), found on the restored lines.

    The tokens a label covers (``I`` and ``|`` of ``I|.``) become one decision at the first one; a decision
    the decoder made there keeps its confidence, a new one is certain (the rule needs the document's
    numbering to agree).
    """
    restored = [[state.restored(line_no, t) for t in toks] for line_no, toks in enumerate(state.tokenised)]
    for repair in find_label_repairs(["".join(texts) for texts in restored]):
        toks, texts = state.tokenised[repair.line], restored[repair.line]
        covered: list[int] = []
        at = first_at = 0
        for k, text in enumerate(texts):
            if at < repair.end and at + len(text) > repair.start:
                first_at = first_at if covered else at
                covered.append(k)
            at += len(text)
        span = "".join(texts[k] for k in covered)
        new_text = span[: repair.start - first_at] + repair.label + span[repair.end - first_at :]
        first = toks[covered[0]]
        for k in covered:
            state.replacement[(repair.line, toks[k].start)] = new_text if k == covered[0] else ""
        original = "".join(toks[k].text for k in covered)
        reason = f"Roman heading label ({span} read as {new_text} in the document's numbering)"
        line, starts = repair.line + 1, {toks[k].start for k in covered[1:]}
        state.decisions[:] = [d for d in state.decisions if not (d.line == line and d.start in starts)]
        decoded = next((d for d in state.decisions if d.line == line and d.start == first.start), None)
        if decoded is None:
            change = Decision(
                line, first.start, original, new_text, 1.0, reason, [(new_text, 1.0), (original, 0.0)]
            )
            state.decisions.append(change)
        else:
            decoded.original, decoded.chosen, decoded.reason = (
                original,
                new_text,
                f"{decoded.reason}; {reason}",
            )


def _always_capitals(models: Models, token: str, restored: str) -> bool:
    """Whether a token is written in capitals whatever its line's case: an abbreviation (``LĐTBXH``) or
    a word in capitals that is no syllable even as restored (``UBND``, ``HIV``)."""
    if is_abbreviation(token):
        return True
    return restored.isupper() and not models.inventory.is_syllable(normalise_syllable(restored.lower()))


def _apply_change(
    state: RestoreState,
    line_no: int,
    token: Token,
    new_text: str,
    confidence: float,
    reason: str,
    *,
    amend: bool,
) -> None:
    """Write a pass's rewrite of ``token`` (0-based ``line_no``) and record it with :func:`record_change`;
    its alternatives are the new text and the token as written. A token of a document code takes no change
    but ``D`` → ``Đ`` (:mod:`diacritics.codes`)."""
    if (line_no, token.start) in state.codes and new_text.replace("Đ", "D") != token.text:
        return
    state.replacement[(line_no, token.start)] = new_text
    alternatives = [(new_text, confidence), (token.text, round(1 - confidence, 4))]
    change = Decision(line_no + 1, token.start, token.text, new_text, confidence, reason, alternatives)
    record_change(state.decisions, change, amend=amend)
