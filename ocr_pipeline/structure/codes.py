"""The closed grammar of a ký hiệu (Nghị định 30/2020/NĐ-CP, Phụ lục III) and the repair of OCR near misses.

A ký hiệu is ``<type>-<issuer>[-<unit>]`` (``QĐ-TTg``, ``TT-BCT``, ``KH-UBND``) or, for a công văn,
``<issuer>-<unit>`` (``VPCP-CN``, ``UBND-VX``). Type codes are a closed list; issuer codes nearly so (the
bodies that issue documents). A part OCR read one slip away from exactly one known part of its position
(a doubled letter ``QĐĐ``, one of a pair dropped, a look-alike ``TTe`` for ``TTg``) is snapped to it; a
part that is known, or near none or several, is kept as read. Unit codes (a drafting unit's initials) are
an open set and never snapped. The tables are the structure layer's own: it may not import
:mod:`diacritics` (whose code tables serve the restoration of the text).
"""

from __future__ import annotations

from collections.abc import Collection

from vntext.fold import fold_upper as fold

#: Type codes of Phụ lục III, Nghị định 30/2020/NĐ-CP (plus the legal-document codes met in references).
TYPE_CODES = frozenset(
    {
        "NQ", "QĐ", "CT", "QC", "QYĐ", "QyĐ", "TC", "TB", "HD", "CTR", "CTr", "KH", "PA", "ĐA", "DA", "BC",
        "BB", "TTR", "TTr", "HĐ", "CĐ", "BGN", "BTT", "GUQ", "GM", "GGT", "GNP", "PG", "PC", "PB", "TT",
        "TTLT", "NĐ", "L", "PL", "KL",
    }
)  # fmt: skip

#: Codes of bodies that issue documents, as printed after the type code: the state's central bodies
#: (Quốc hội, Chủ tịch nước, Chính phủ, Thủ tướng, the ministries and ministerial agencies, their
#: abbreviations in Phụ lục III's examples and in the official gazette), the local governments and their
#: departments (Sở), and the party and mass organisations' codes.
ISSUER_CODES = frozenset(
    {
        # central state bodies
        "QH", "UBTVQH", "CTN", "CP", "TTg", "VPCP", "VPQH", "VPCTN", "TANDTC", "VKSNDTC", "KTNN", "TTCP",
        "NHNN", "UBDT",
        # ministries (names before and after the 2025 reorganisation)
        "BCA", "BQP", "BNG", "BNV", "BTP", "BTC", "BCT", "BXD", "BYT", "BGDĐT", "BKHĐT", "BKHCN", "BTTTT",
        "BGTVT", "BTNMT", "BNNPTNT", "BNNMT", "BLĐTBXH", "BVHTTDL", "BDTTG",
        # general departments and departments of ministries
        "TCT", "TCHQ", "TCTK", "TCDT", "CT", "CTHADS", "KBNN", "BHXH", "BHXHVN",
        # local governments and their offices
        "UBND", "HĐND", "VPUBND", "VP", "VPĐĐBQH", "BQL", "BCĐ", "BTV", "BCH",
        # provincial departments (Sở)
        "SGDĐT", "SYT", "STC", "SXD", "STP", "SNV", "SKHĐT", "SKHCN", "SCT", "STNMT", "SNNPTNT", "SNNMT",
        "SLĐTBXH", "SVHTTDL", "SVHTT", "SGTVT", "STTTT", "SNgV", "SDL", "TTr", "CAT", "CATP",
        "BCHQS", "BĐBP",
        # party and mass organisations
        "TW", "TU", "HU", "QU", "ĐU", "ĐUK", "BTG", "BDV", "BNC", "UBKT", "VPTU", "MTTQ", "ĐTN", "LĐLĐ",
        "HLHPN", "HND", "HCCB",
    }
)  # fmt: skip

#: Glyph pairs OCR confuses in small capitals and handwriting-crossed print (either way round).
_LOOKALIKES = frozenset(
    {
        frozenset(pair)
        for pair in (
            ("O", "Q"), ("O", "0"), ("Q", "0"), ("O", "D"), ("I", "1"), ("I", "L"), ("T", "I"), ("B", "8"),
            ("S", "5"), ("G", "C"), ("G", "6"), ("E", "F"), ("P", "F"), ("U", "V"), ("H", "N"), ("C", "E"),
            ("e", "g"), ("e", "c"), ("g", "q"), ("g", "y"), ("r", "t"), ("r", "n"),
        )
    }
)  # fmt: skip


def _near_miss(read: str, known: str) -> bool:
    """Whether ``read`` is an OCR near miss of ``known``: one letter doubled (``QĐĐ``), one of a pair
    dropped, or one letter replaced by its look-alike (``TTe`` for ``TTg``). A letter more or less is no
    miss otherwise: ``BCT`` (Bộ Công Thương) is not ``BC`` with a letter added."""
    if len(read) == len(known) + 1:
        return any(
            read[:k] + read[k + 1 :] == known and read[k] in read[k - 1 : k] + read[k + 1 : k + 2]
            for k in range(len(read))
        )
    if len(read) + 1 == len(known):
        return any(
            known[:k] + known[k + 1 :] == read and known[k] in known[k - 1 : k] + known[k + 1 : k + 2]
            for k in range(len(known))
        )
    if len(read) != len(known):
        return False
    diffs = [(a, b) for a, b in zip(read, known, strict=True) if a != b]
    return len(diffs) == 1 and frozenset(diffs[0]) in _LOOKALIKES


def snap_part(part: str, known: Collection[str]) -> str:
    """``part`` as the one known part it is an OCR near miss of; as read when known, or near none or
    several (parts of fewer than three letters, or holding a digit, are always kept)."""
    if len(part) < 3 or any(ch.isdigit() for ch in part) or fold(part) in {fold(k) for k in known}:
        return part
    folded = fold(part)
    candidates = {k for k in known if _near_miss(part, k) or _near_miss(folded, fold(k))}
    return next(iter(candidates)) if len(candidates) == 1 else part


def is_type_code(part: str) -> bool:
    """Whether ``part`` is a type code of Phụ lục III (accents and case aside: ``QD`` is ``QĐ``)."""
    return fold(part) in _FOLDED_TYPE_CODES


_FOLDED_TYPE_CODES = frozenset(fold(code) for code in TYPE_CODES)
_FOLDED_ISSUER_CODES = frozenset(fold(code) for code in ISSUER_CODES)


def snap_ky_hieu(codes: str) -> str:
    """A ký hiệu's parts snapped to the grammar (``QĐ-TTe`` → ``QĐ-TTg``, ``QĐĐ-TTg`` → ``QĐ-TTg``).

    The part after a type code is snapped to an issuer code. The first part is snapped to a type code
    only when an issuer code follows it (else it may be a công văn's issuer, ``BCT-KH``), or to an issuer
    code when it is followed by a unit; unit codes are kept as read."""
    parts = codes.split("-")
    head = parts[0]
    known_head = is_type_code(head) or fold(head) in _FOLDED_ISSUER_CODES
    if not known_head and len(parts) >= 2:
        as_type = snap_part(head, TYPE_CODES)
        issuer_follows = fold(snap_part(parts[1], ISSUER_CODES)) in _FOLDED_ISSUER_CODES
        parts[0] = as_type if as_type != head and issuer_follows else snap_part(head, ISSUER_CODES)
    if is_type_code(parts[0]) and len(parts) >= 2:
        parts[1] = snap_part(parts[1], ISSUER_CODES)
    return "-".join(parts)
