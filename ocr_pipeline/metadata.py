"""Administrative metadata of a Vietnamese document (Nghị định 30/2020/NĐ-CP layout).

Contract: :func:`extract_metadata` takes restored text and returns a :class:`DocumentMetadata`; fields
that cannot be found are None (never guessed).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class DocumentNumber:
    """Số/ký hiệu, e.g. ``Số: 28/KH-UBND`` -> number "28", type_code "KH", issuer_code "UBND"."""

    raw: str
    number: str | None = None
    year: str | None = None
    type_code: str | None = None
    issuer_code: str | None = None


@dataclass
class DocumentDate:
    """A date as printed, with its parts (any of which may be blank in a draft) and ISO form."""

    raw: str
    day: int | None = None
    month: int | None = None
    year: int | None = None
    iso: str | None = None


@dataclass
class Reference:
    """A document referred to in the text, e.g. ``Kế hoạch số 169/KH-UBND ngày 14/5/2024``."""

    raw: str
    doc_type: str | None = None
    number: str | None = None
    date: DocumentDate | None = None
    issuer: str | None = None


@dataclass
class Signer:
    """The signature block: authority (TM./KT./TL./TUQ.), position and name."""

    authority: str | None = None
    on_behalf_of: str | None = None
    position: str | None = None
    name: str | None = None


@dataclass
class DocumentMetadata:
    """Metadata fields of an administrative document; None where not found."""

    issuer: str | None = None
    parent_body: str | None = None
    number: DocumentNumber | None = None
    place: str | None = None
    date: DocumentDate | None = None
    doc_type: str | None = None
    title: str | None = None
    references: list[Reference] = field(default_factory=list)
    signer: Signer | None = None
    recipients: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def extract_metadata(text: str) -> DocumentMetadata:
    """Extract the metadata of a document from its (restored) text.

    Args:
        text: Plain text of the whole document.

    Returns:
        The metadata found; missing fields are None.
    """
    return DocumentMetadata()
