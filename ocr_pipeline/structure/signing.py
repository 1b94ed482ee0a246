"""The record completed from the PDF's digital signatures: the signer's name, the unread month.

The signer's name comes from a certificate that names a person (:func:`signer_from_signatures`).

A document is signed on or after the date printed on it: the signer's own signature the day it is
dated, a publishing service's (the government portal's) the same day or a few days later. When the
printed month is empty or unreadable (a handwritten month OCR cannot read, a received stamp over the date
line), the signing month is the document's month provided that every part read agrees with it; the
date's ``date_source`` then says ``"digital_signature"``. The conditions are in :func:`date_from_signatures`
and docs/REAL_SCANS_HEADER.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from vntext.fold import fold_upper as fold

from .closing import signature_person, signer_from_signature
from .model import DocumentDate, DocumentNumber, Signer

log = logging.getLogger(__name__)

#: Days a signing service may sign after the date printed on the document: a signature made later than
#: this day of its month could belong to a document dated in the month before, and fills nothing.
MAX_SIGNING_LAG_DAYS = 7
#: Words of a certified copy's signature (Nghị định 30/2020/NĐ-CP, Phụ lục I: ``SAO Y``, ``SAO LỤC``,
#: ``TRÍCH SAO``): a copy is signed when it is made, any time after the document.
_COPY_WORDS = ("SAO Y", "SAO LUC", "TRICH SAO", "BAN SAO")
#: Where the signature's own words are (a copy's ``SAO Y`` stands in the signer or the box text).
_SIGNATURE_TEXTS = ("signer", "reason", "organisation", "box_text")


def _signing_day(signature: Mapping[str, Any]) -> dt.date | None:
    """The local day of a signature's ``signed_at`` (ISO 8601 in the signer's time zone), or None."""
    stamp = str(signature.get("signed_at") or "")
    try:
        return dt.date.fromisoformat(stamp[:10])
    except ValueError:
        return None


def _is_copy(signature: Mapping[str, Any]) -> bool:
    """Whether a signature certifies a copy (``SAO Y; Ủy ban …``) rather than the document."""
    text = " ".join(fold(str(signature.get(key) or "")) for key in _SIGNATURE_TEXTS)
    return any(word in " ".join(text.replace(";", " ").split()) for word in _COPY_WORDS)


def signing_month(signatures: Sequence[Mapping[str, Any]]) -> dt.date | None:
    """The earliest day the document was signed, when its signatures (copies left out) all fall within
    one calendar month on or after its :data:`MAX_SIGNING_LAG_DAYS`-th day; else None."""
    days = [d for s in signatures if not _is_copy(s) and (d := _signing_day(s)) is not None]
    if not days or len({(d.year, d.month) for d in days}) != 1:
        return None
    earliest = min(days)
    return earliest if earliest.day > MAX_SIGNING_LAG_DAYS else None


def _year_of(number: DocumentNumber | None) -> int | None:
    year = number.year if number is not None else None
    return int(year) if year and year.isdigit() else None


def date_from_signatures(
    date: DocumentDate | None,
    signatures: Sequence[Mapping[str, Any]] | None,
    number: DocumentNumber | None = None,
) -> DocumentDate | None:
    """The document's date with an unread month (and year) filled from its digital signatures.

    Filled only when all of these hold: the printed month is not read (the date line not found, its
    month blank empty or unreadable); :func:`signing_month` gives a day; the printed year, when read, and
    the year of the số/ký hiệu (``21/2026/TT-BCT``), when it has one, are that day's year; the printed
    day, when read, is not after that day (else the document would be dated in an earlier month). The
    day is never filled.

    Args:
        date: The date read from the page, or None.
        signatures: The PDF's signatures (``SignatureInfo`` dictionaries: ``signed_at``, ``signer`` ...).
        number: The số/ký hiệu read from the page.

    Returns:
        ``date`` unchanged, or a copy (a new date when None) with ``year``/``month`` filled and
        ``date_source`` ``"digital_signature"``.
    """
    if date is not None and date.month is not None:
        return date
    signed = signing_month(signatures or [])
    if signed is None:
        return date
    number_year = _year_of(number)
    if (date is not None and date.year not in (None, signed.year)) or number_year not in (None, signed.year):
        log.debug("signing date %s contradicts the printed year: date left as read", signed)
        return date
    if date is not None and date.day is not None and date.day > signed.day:
        log.debug("printed day %s after the signing day %s: date left as read", date.day, signed)
        return date
    base = date or DocumentDate(raw="")
    iso = None
    if base.day is not None:
        try:
            iso = dt.date(signed.year, signed.month, base.day).isoformat()
        except ValueError:
            iso = None
    log.debug("month %d/%d taken from the PDF's digital signature", signed.month, signed.year)
    return replace(base, year=signed.year, month=signed.month, iso=iso, date_source="digital_signature")


def signer_from_signatures(
    signer: Signer | None, signatures: Sequence[Mapping[str, Any]] | None
) -> Signer | None:
    """The signer with an empty name filled from the PDF's digital signatures, when one names a person.

    The signature shown on the page is tried first (:func:`.closing.signer_from_signature`); else the
    person named by the PDF's other signatures (a leader's own certificate beside the office's and the
    portal's), copies left out, when they name exactly one person.
    """
    signatures = list(signatures or [])
    shown = [s for s in signatures if s.get("page") is not None]
    if shown:
        signer = signer_from_signature(signer, shown[0])
    if signer is not None and signer.name:
        return signer
    names = {name for s in signatures if not _is_copy(s) and (name := signature_person(s))}
    if len(names) != 1:
        return signer
    signer = signer or Signer()
    signer.name, signer.name_source = names.pop(), "digital_signature"
    log.debug("signer name %r taken from one of the PDF's digital signatures", signer.name)
    return signer
