"""The closing block of an administrative document: recipients (``Nơi nhận``) and the signature block.

Under Nghị định 30/2020/NĐ-CP the closing block has two columns. On the left the ``Nơi nhận:`` list; on
the right the signature block, top to bottom: the quyền hạn (``TM.``, ``KT.``, ``Q.``, ``TL.``, ``TUQ.``)
with the authority's title on one line (``KT. BỘ TRƯỞNG``, ``TM. ỦY BAN NHÂN DÂN``), possibly two such
lines (``TM. CHÍNH PHỦ`` / ``KT. THỦ TƯỚNG``), then the signer's own position (``THỨ TRƯỞNG``), then the
signature and seal, then the signer's name. OCR gives the two columns interleaved or one after the other;
:func:`parse_end_zone` splits them and reads each part. Positions and names are repaired only on near
misses (:mod:`.names`); a name that is not surely one is left empty, its line kept as unrecognised text.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from typing import Any

import regex

from vntext.fold import fold_upper as fold
from vntext.fold import fold_upper_nfc as _fold_norm

from .codes import ISSUER_CODES
from .layout import AUTHORITY, COLUMN_GAP, RECIPIENTS_START, TextLine, is_person_name, is_position_line
from .model import DocumentMetadata, Signer
from .names import (
    POSITION_TITLES,
    damaged_title,
    deputy_title,
    edit_distance,
    ends_with_title,
    is_syllable,
    name_after_marks,
    person_name,
    snap_position,
)
from .numbering import bullet, is_upper_heading

log = logging.getLogger(__name__)

_TRAILING_PUNCT = " \t;,.:"
#: A signer's own position, when OCR joined it to the authority line (``KT. CHỦ TỊCH PHÓ CHỦ TỊCH``).
_POSITION_SUFFIX = regex.compile(
    r"\s(?P<position>(?:PHO\s+)?(?:CHU TICH|GIAM DOC|TRUONG BAN|TRUONG PHONG|CHANH VAN PHONG|BI THU|"
    r"HIEU TRUONG|BO TRUONG|THU TRUONG|TONG GIAM DOC|CUC TRUONG|VU TRUONG|CHANH THANH TRA|THU TUONG|"
    r"CHU NHIEM))$"
)
#: Military and police ranks printed before a signer's name (``Thượng tướng Lương Tam Quang``).
_RANK = regex.compile(r"^(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy|uý)\s+", flags=regex.IGNORECASE)
#: The purpose notes after a recipient (a closed set): ``(để b/c)`` báo cáo, ``(để t/h)`` thực hiện,
#: ``(để p/h)`` phối hợp; the key is the first letter, the value the second.
PURPOSE_NOTES = {"b": "c", "t": "h", "p": "h"}
#: A purpose note as OCR reads it: ``để`` with any accent (``đề``, ``đê``, ``dể``), the second letter
#: slipped (``b/e``).
_PURPOSE_NOTE = regex.compile(
    r"\(\s*(?P<de>[đĐdD][eêếềểễệéèẻẽẹ])\s+(?P<first>[btp])\s*/\s*(?P<second>[a-zđ])\s*\)"
)
#: Letters OCR reads for the second letter of a purpose note (``c`` as ``e``, ``h`` as ``b``/``n``).
_PURPOSE_SLIPS = {"c": frozenset("ceéo"), "h": frozenset("hbn")}
#: The ``Lưu:`` item (copies kept): ``Lưu: VT, <unit code> (<copies>)`` and the drafter's initials.
_ARCHIVE_ITEM = regex.compile(r"^(?P<head>L[ưu]u\s*:?\s*)(?P<rest>.*)$", flags=regex.IGNORECASE)
#: A unit code of a Nơi nhận item: capitals (``Đ`` too) with at most a few lower-case letters inside
#: (``CTrTT``, ``TTg``), at least two letters.
_UNIT_CODE = regex.compile(r"(?<![\p{L}\d.])\p{Lu}[\p{Lu}\p{Ll}]*\p{Lu}[\p{Lu}\p{Ll}]*(?![\p{L}\d])")
#: The space between two unit codes of a ``Lưu:`` item (where OCR lost the comma, or one unit of two words).
_ARCHIVE_GAP = regex.compile(
    r"(?<=(?<![\p{L}\d])(?P<left>\p{Lu}[\p{Lu}\p{Ll}]*\p{Lu}))\s+"
    r"(?=(?P<right>\p{Lu}[\p{Lu}\p{Ll}]*\p{Lu})(?![\p{L}\d.]))"
)
#: Codes of an office that belongs to a body: followed by the body's code (:data:`.codes.ISSUER_CODES`)
#: they name one unit (``VP UBND``, ``VP HĐND``: Văn phòng).
OFFICE_CODES = frozenset({"VP"})
#: Names of the bodies met in Nơi nhận lists, repaired on a near miss (:func:`_snap_phrases`).
RECIPIENT_PHRASES = (
    "Ban Bí thư Trung ương Đảng",
    "Thủ tướng Chính phủ",
    "các Phó Thủ tướng Chính phủ",
    "cơ quan ngang Bộ",
    "cơ quan thuộc Chính phủ",
    "Văn phòng Trung ương Đảng",
    "Văn phòng Tổng Bí thư",
    "Văn phòng Chủ tịch nước",
    "Văn phòng Quốc hội",
    "Văn phòng Chính phủ",
    "Hội đồng Dân tộc",
    "các Ủy ban của Quốc hội",
    "Tòa án nhân dân tối cao",
    "Viện kiểm sát nhân dân tối cao",
    "Kiểm toán nhà nước",
    "Mặt trận Tổ quốc Việt Nam",
    "Cổng Thông tin điện tử",
    "Bộ Tư pháp",
    "Bộ Tài chính",
    "Bộ Nội vụ",
    "Công báo",
)
_INNER_HYPHEN = regex.compile(r"(?<=\p{Ll})-(?=\p{Ll})")
_PHRASE_TOKENS = [(p, p.split(), fold(p)) for p in RECIPIENT_PHRASES]


# --------------------------------------------------------------------------------------------- columns


def _split_end_piece(piece: str) -> list[str]:
    """Split a piece of an end-zone line where a signer column starts inside it."""
    folded = _fold_norm(piece)
    for match in AUTHORITY.finditer(folded):
        if match.start() > 0 and is_upper_heading(piece[match.start() :]):
            return [piece[: match.start()].strip(), piece[match.start() :].strip()]
    return [piece]


def _signer_piece(text: str) -> bool:
    folded = _fold_norm(text)
    return (
        (bool(AUTHORITY.match(folded)) and is_upper_heading(text))
        or is_position_line(text)
        or is_person_name(text)
        or bool(_RANK.match(text) and is_person_name(_RANK.sub("", text)))
    )


def _debris_tail(tail: str) -> bool:
    """Whether text printed after an item's ``;`` is stray marks (a seal's or signature's glyphs): at most
    two words, not closed by ``;`` or ``.`` as a following item would be."""
    words = tail.split()
    return 0 < len(words) <= 2 and not tail.rstrip().endswith((";", "."))


def _recipient_tail(item: str) -> tuple[str, str]:
    """Split text printed after an item's final ``;``/``.`` (another column, or stamp noise)."""
    stripped = item.rstrip()
    if stripped.endswith((";", ".")):
        return stripped, ""
    semicolon = stripped.rfind("; ")
    cut = max(semicolon, stripped.rfind(". "))
    if cut < 0:
        return stripped, ""
    tail = stripped[cut + 1 :].strip()
    if tail and (
        (cut == semicolon and _debris_tail(tail))
        or ((bullet(tail) is not None or not tail[:1].islower()) and not regex.search(r"[;:,(]", tail))
    ):
        return stripped[: cut + 1], tail
    return stripped, ""


def clean_item(text: str) -> str:
    """An item without its bullet and trailing punctuation; empty when it holds no word (OCR's ``_``, a
    page number)."""
    text = regex.sub(r"\s+", " ", text).strip()
    marker = bullet(text)
    if marker is not None:
        text = marker.rest
    text = text.lstrip("~_¬•·*» ").rstrip(_TRAILING_PUNCT + "…").strip()
    return text if regex.search(r"\p{L}{2}", text) else ""


def parse_end_zone(
    lines: list[TextLine], signer_block: bool = False
) -> tuple[list[str], Signer | None, list[str]]:
    """Recipients, signer and unrecognised lines of the end zone.

    Args:
        lines: Lines from ``Nơi nhận`` (or the signature block) to the end of the document.
        signer_block: The lines are the signature block's own (its layout zone): every line is read as
            one of the block's, damaged ones too (:func:`_signer`).

    Returns:
        (recipients, signer or None, leftover texts that are neither).
    """
    left: list[str] = []
    right: list[str] = []
    leftovers: list[str] = []
    for line in lines:
        if line.blank or line.noise:
            continue
        for column in COLUMN_GAP.split(line.text):
            for piece in _split_end_piece(column.strip()):
                if not piece:
                    continue
                if signer_block and not RECIPIENTS_START.match(_fold_norm(piece)):
                    right.append(piece)
                    continue
                if (
                    bullet(piece) is None
                    and _signer_piece(piece)
                    and not RECIPIENTS_START.match(_fold_norm(piece))
                ):
                    right.append(piece)
                    continue
                kept, tail = _recipient_tail(piece)
                left.append(kept)
                if tail:
                    (right if _signer_piece(tail) else leftovers).append(tail)
    recipients = _recipients(left, leftovers)
    return recipients, _signer(right, leftovers), leftovers


# --------------------------------------------------------------------------------------------- recipients


def _recipients(left: list[str], leftovers: list[str]) -> list[str]:
    items: list[str] = []
    open_item = False
    started = False
    for piece in left:
        folded = _fold_norm(piece)
        match = RECIPIENTS_START.match(folded)
        if match:
            started = True
            rest = piece[match.end() :].lstrip(" :.")
            if rest:
                items.append(rest)
                open_item = not rest.rstrip().endswith((";", "."))
            continue
        if not started:
            leftovers.append(piece)
            continue
        if bullet(piece) is not None:
            items.append(piece)
            open_item = not piece.rstrip().endswith((";", "."))
        elif items and (open_item or piece[:1].islower()):
            items[-1] = f"{items[-1]} {piece}"
            open_item = not piece.rstrip().endswith((";", "."))
        else:
            items.append(piece)
            open_item = not piece.rstrip().endswith((";", "."))
    return [c for c in (repair_recipient(clean_item(i)) for i in items) if c]


def _case_like(model: str, word: str) -> str:
    """``word`` with the case of ``model``'s first letter (a phrase keeps the case it is printed in)."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if model[:1].isupper() else word[:1].lower() + word[1:]


def _phrase_tolerance(folded_phrase: str) -> int:
    """How many letter edits a phrase of this length may be read with and still be recognised."""
    return 0 if len(folded_phrase.replace(" ", "")) < 8 else 1


def _snap_phrases(text: str) -> str:
    """Repair the names of :data:`RECIPIENT_PHRASES` read with slipped accents or a letter or two wrong
    (``Công Thông tin điện tử`` → ``Cổng …``, ``Bộ đư pháp`` → ``Bộ Tư pháp``); each word keeps its case."""
    words = text.split(" ")
    folded_words = [_fold_norm(w.strip(",;:.()")) for w in words]
    for phrase, phrase_words, folded_phrase in _PHRASE_TOKENS:
        size = len(phrase_words)
        tolerance = _phrase_tolerance(folded_phrase)
        folded_first = _fold_norm(phrase_words[0])
        k = 0
        while k + size <= len(words):
            # an equal folded window has an equal first word too: any match starts with the phrase's word
            if folded_words[k] != folded_first:
                k += 1
                continue
            window = words[k : k + size]
            if any(
                w.endswith((",", ";")) or (w.endswith((":", ".")) and nxt[:1].isupper())
                for w, nxt in itertools.pairwise(window)
            ):
                k += 1  # a list's separator (``Các Bộ: Tài chính, …``): two items, not one phrase
                continue
            core = [w.strip(",;:.()") for w in window]
            folded = _fold_norm(" ".join(core))
            if abs(len(folded) - len(folded_phrase)) > tolerance:
                k += 1
                continue
            distance = edit_distance(folded, folded_phrase)
            slip = any(w.endswith((":", ".")) for w in window[:-1])  # a stop or colon inside the phrase
            if (" ".join(core) != phrase or slip) and distance <= tolerance:
                trailing = window[-1][len(window[-1].rstrip(",;:.()")) :]
                fixed = [
                    _case_like(c, p) if c and _fold_norm(c) == _fold_norm(p) else p
                    for c, p in zip(core, phrase_words, strict=True)
                ]
                fixed[-1] += trailing if not trailing.startswith(":") else ""
                fixed[0] = window[0][: len(window[0]) - len(window[0].lstrip(",;:.()"))] + fixed[0]
                words[k : k + size] = fixed
                folded_words[k : k + size] = [_fold_norm(w.strip(",;:.()")) for w in fixed]
            k += 1
    return " ".join(words)


def repair_recipient(item: str) -> str:
    """A cleaned Nơi nhận item with OCR slips repaired: ``(để b/e)`` → ``(để b/c)``, known bodies' names
    (:func:`_snap_phrases`), and a stray letter after the drafter's initials in the ``Lưu:`` item."""
    if not item:
        return item
    item = _PURPOSE_NOTE.sub(_purpose_note, item)
    item = _UNIT_CODE.sub(_unit_code, item)
    spaced = _INNER_HYPHEN.sub(" ", item)  # "Tòa án-nhân dân": a space read as a hyphen
    folded, folded_spaced = _fold_norm(item), _fold_norm(spaced)
    if spaced != item and any(f in folded_spaced and f not in folded for *_, f in _PHRASE_TOKENS):
        item = spaced
    item = _snap_phrases(item)
    if _fold_norm(item).startswith("LUU"):
        item = regex.sub(r"(?<=[^,\s])\s+\p{Lu}$", "", item)
        item = _archive_commas(item)
    return item


def _purpose_note(match: regex.Match[str]) -> str:
    """A purpose note put in its closed form, or as read when its letters are not a slip of one."""
    second = PURPOSE_NOTES[match["first"]]
    if match["second"] not in _PURPOSE_SLIPS.get(second, frozenset(second)):
        return match.group(0)
    de = "Để" if match["de"][:1].isupper() else "để"
    return f"({de} {match['first']}/{second})"


def _unit_code(match: regex.Match[str]) -> str:
    """A unit code with ``Ọ`` read for ``Q`` put right (``QHỌT``): codes are written without marks, so a
    capital word that is no Vietnamese syllable and holds ``Ọ`` is a code with a ``Q``."""
    code = match.group(0)
    if "Ọ" not in code or not code.isupper() or is_syllable(code):
        return code
    return code.replace("Ọ", "Q")


def _archive_gap(gap: regex.Match[str]) -> str:
    """A comma for the space between two unit codes, unless they make one unit (``VP UBND``)."""
    if gap["left"] in OFFICE_CODES and gap["right"] in ISSUER_CODES:
        return gap.group(0)
    return ", "


def _archive_commas(item: str) -> str:
    """The ``Lưu:`` item with the comma between two unit codes that OCR lost put back (``VT NN``): the
    codes of the filing units are a comma-separated list. An office's code before its body's code
    (``VP UBND``: the Văn phòng of the UBND) is one unit and keeps its space."""
    match = _ARCHIVE_ITEM.match(item)
    if not match:
        return item
    return match["head"] + _ARCHIVE_GAP.sub(_archive_gap, match["rest"])


def snap_archive_units(recipients: list[str], unit_code: str | None) -> list[str]:
    """Recipients with the ``Lưu:`` item's unit code snapped to the ký hiệu's drafting unit.

    Under Nghị định 30/2020/NĐ-CP the ký hiệu of a công văn ends with the drafting unit's code
    (``Số: 1535/SGDĐT-CTrTT``) and that unit keeps a copy (``Lưu: VT, CTrTT``): a code of the ``Lưu:``
    item one letter from it (``CTrTTT``) is that code. Codes of three letters or fewer are left as read.
    """
    if not unit_code or len(unit_code) < 3:
        return recipients

    def snap(match: regex.Match[str]) -> str:
        code = match.group(0)
        if code == unit_code or edit_distance(_fold_norm(code), _fold_norm(unit_code)) != 1:
            return code
        return unit_code

    return [
        (m["head"] + _UNIT_CODE.sub(snap, m["rest"])) if (m := _ARCHIVE_ITEM.match(r)) else r
        for r in recipients
    ]


def settle_recipients(meta: DocumentMetadata) -> None:
    """Final check of the record's recipients against its ký hiệu (:func:`snap_archive_units`)."""
    if meta.recipients and meta.number is not None:
        meta.recipients = snap_archive_units(meta.recipients, meta.number.unit_code)


# --------------------------------------------------------------------------------------------- signer


def _split_position(text: str) -> tuple[str, str | None]:
    """Split ``CHỦ TỊCH PHÓ CHỦ TỊCH`` into what the authority names and the signer's position.

    A title after a comma is part of the authority's title (``BỘ TRƯỞNG, CHỦ NHIỆM``), not a position;
    a title of the closed list is one title (``TỔNG CỤC TRƯỞNG`` holds no ``CỤC TRƯỞNG`` of its own).
    """
    if snap_position(text) in POSITION_TITLES:
        return text, None
    match = _POSITION_SUFFIX.search(_fold_norm(text))
    if not match or not text[: match.start()].strip() or text[: match.start()].rstrip().endswith(","):
        return text, None
    return text[: match.start()].strip(), text[match.start("position") :].strip()


def _snap_titles(text: str) -> str:
    """An authority's text with each comma-separated title snapped (``BO TRƯỞNG, CHỦ NHIỆM``)."""
    return ", ".join(snap_position(part) for part in text.split(","))


def _name_of(piece: str) -> str | None:
    """The signer's name a right-column line holds (a military or police rank before it dropped)."""
    text = _RANK.sub("", piece.strip())
    name = person_name(text)
    if name is None and "; " in text:  # stray marks before the name, cut off by a ";"
        name = person_name(text.rsplit("; ", 1)[1])
    return name or name_after_marks(text)


def _position_of(piece: str) -> str | None:
    """The position a right-column line holds: a position line snapped to the closed list
    (:func:`.names.snap_position`), else the title a line damaged by the seal reads as
    (:func:`.names.damaged_title`); a position line that is neither stays as printed."""
    if is_position_line(piece):
        snapped = snap_position(piece)
        return snapped if snapped in POSITION_TITLES else damaged_title(piece) or snapped
    return damaged_title(piece)


def _signer(right: list[str], leftovers: list[str]) -> Signer | None:
    if not right:
        return None
    signer = Signer()
    name_lines: list[str] = []
    for piece in right:
        folded = _fold_norm(piece)
        auth = AUTHORITY.match(folded)
        if auth and is_upper_heading(piece) and signer.position is None and not name_lines:
            code = (auth["auth"] or auth["auth2"] or "").upper()
            text = piece[auth.end() :].strip(" .,")
            text, position = _split_position(text)
            text = _snap_titles(text)
            signer.chain.append(f"{code}. {text}")
            signer.authority, signer.on_behalf_of = code, text or None
            signer.position = snap_position(position) if position else None
        elif is_position_line(piece) and not name_lines:
            signer.position = _position_of(piece)  # the last position line: the signer's own
        elif is_person_name(piece) or _name_of(piece):
            name_lines.append(piece)
        elif not name_lines and (position := _position_of(piece) or _expected_deputy(signer, piece)):
            signer.position = position  # a position line damaged by the seal or the signature
        else:
            leftovers.append(piece)
    if signer.authority == "KT" and signer.position and signer.on_behalf_of:
        # under KT. the signer is a deputy: a position read as the head's own title lost its PHÓ
        head = signer.on_behalf_of.split(",")[-1].strip()
        if snap_position(head) == signer.position:
            signer.position = deputy_title(head) or signer.position
    for line in reversed(name_lines):  # the name is the last line of the block
        signer.name = _name_of(line)
        if signer.name:
            break
    leftovers.extend(line for line in name_lines if _name_of(line) != signer.name or not signer.name)
    if signer.authority is None and signer.position is None and signer.name is None:
        return None
    return signer


def _expected_deputy(signer: Signer, piece: str) -> str | None:
    """Under ``KT. <head>``, the deputy's title (:func:`.names.deputy_title`) when a damaged line ends
    with it (:func:`.names.ends_with_title`: ``zZZoPHÖXHỦUNHIÊM`` under ``KT. BỘ TRƯỞNG, CHỦ NHIỆM``)."""
    if signer.authority != "KT" or not signer.on_behalf_of:
        return None
    deputy = deputy_title(signer.on_behalf_of.split(",")[-1].strip())
    return deputy if deputy and ends_with_title(piece, deputy) else None


def signature_person(signature: Mapping[str, Any] | None) -> str | None:
    """The person a digital signature's certificate names (:func:`.names.person_name`; capitals as a
    certificate prints them are accepted), or None (an organisation, nothing)."""
    raw = str((signature or {}).get("signer") or "").strip()
    if raw.isupper():  # certificates often print the name in capitals
        raw = " ".join(w.capitalize() for w in raw.split())
    return person_name(raw) if raw else None


def signer_from_signature(signer: Signer | None, signature: Mapping[str, Any] | None) -> Signer | None:
    """The signer with an empty name filled from the PDF's digital signature, when that names a person.

    The certificate of a signed PDF often names an organisation (``CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ``,
    ``UBND tỉnh …``); only a name :func:`.names.person_name` accepts is taken, and ``name_source`` says
    where it came from.
    """
    if signer is not None and signer.name:
        return signer
    name = signature_person(signature)
    if name is None:
        return signer
    signer = signer or Signer()
    signer.name, signer.name_source = name, "digital_signature"
    log.debug("signer name %r taken from the PDF's digital signature", name)
    return signer


#: A word glued to the next one by OCR (``PhanfMạnh``): split before an upper-case letter after a lower one.
_GLUED = regex.compile(r"(?<=\p{Ll})(?=\p{Lu})")
_NAME_WORDS = regex.compile(r"\p{Lu}\p{Ll}*(?:\s+\p{Lu}\p{Ll}*){1,4}")


def name_from_mentions(line: str, texts: list[str]) -> str | None:
    """The signer's name from a damaged name line, when the document names the same person elsewhere.

    The line's last words that read cleanly (at least two, ``Mạnh Cường`` in ``NL.PhanfMạnh Cường``) must
    end exactly one full name printed in ``texts`` (``PCN Phạm Mạnh Cường`` in the Nơi nhận), and that
    name's surname must be at most two letters away from the damaged word before them (``Phanf``).

    Args:
        line: The last unrecognised line of the signature block.
        texts: Other texts of the document (recipients, body).

    Returns:
        The name as printed elsewhere, or None.
    """
    words = _GLUED.sub(" ", line).split()
    tail: list[str] = []
    while words and words[-1].isalpha() and words[-1][:1].isupper() and is_syllable(words[-1]):
        tail.insert(0, words.pop())
    if len(tail) < 2 or not words:
        return None
    damaged = regex.sub(r"^.*[^\p{L}]", "", words[-1])
    if len(damaged) < 2:
        return None
    found: set[str] = set()
    for text in texts:
        for match in _NAME_WORDS.finditer(text, overlapped=True):
            candidate = match.group(0).split()
            if candidate[-len(tail) :] != tail or len(candidate) <= len(tail):
                continue
            name = person_name(" ".join(candidate[-len(tail) - 1 :]))
            if name and edit_distance(_fold_norm(damaged), _fold_norm(name.split()[0])) <= 2:
                found.add(name)
    return found.pop() if len(found) == 1 else None
