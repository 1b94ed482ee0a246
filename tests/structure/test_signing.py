"""The date's unread month filled from the PDF's digital signatures (structure.signing)."""

from __future__ import annotations

from ocr_pipeline.structure.header import make_date, parse_number
from ocr_pipeline.structure.model import DocumentDate, Signer
from ocr_pipeline.structure.signing import date_from_signatures, signer_from_signatures, signing_month

PORTAL = {
    "signer": "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ",
    "signed_at": "2026-04-29T16:35:42+07:00",
    "box_text": "Người ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ\nThời gian ký: 29.04.2026 16:35:42 +07:00",
}


def unread(raw: str = "ngày¿Đ") -> DocumentDate:
    return DocumentDate(raw=raw, handwritten_unread=True)


def test_unread_month_is_the_signing_month_with_its_source() -> None:
    date = date_from_signatures(unread(), [PORTAL], parse_number("21/2026/TT-BCT"))
    assert date is not None
    assert (date.year, date.month, date.day, date.iso) == (2026, 4, None, None)
    assert date.date_source == "digital_signature"
    assert date.raw == "ngày¿Đ" and date.handwritten_unread


def test_a_printed_day_stays_and_completes_the_iso_date() -> None:
    date = date_from_signatures(make_date("ngày 28 tháng năm 2026", 28, None, 2026), [PORTAL])
    assert date is not None and date.iso == "2026-04-28" and date.date_source == "digital_signature"


def test_no_date_line_at_all_takes_the_signing_month() -> None:
    date = date_from_signatures(None, [PORTAL])
    assert date is not None and (date.year, date.month, date.raw) == (2026, 4, "")


def test_a_read_month_is_never_replaced() -> None:
    printed = make_date("ngày 28 tháng 3 năm 2026", 28, 3, 2026)
    assert date_from_signatures(printed, [PORTAL]) is printed


def test_parts_that_contradict_the_signature_fill_nothing() -> None:
    wrong_year = make_date("ngày tháng năm 2025", None, None, 2025)
    assert date_from_signatures(wrong_year, [PORTAL]) is wrong_year
    number_year = unread()
    assert date_from_signatures(number_year, [PORTAL], parse_number("21/2025/TT-BCT")) is number_year
    day_after = make_date("ngày 30 tháng năm 2026", 30, None, 2026)  # signed the 29th: dated in March
    assert date_from_signatures(day_after, [PORTAL]) is day_after


def test_early_in_the_month_the_document_may_be_of_the_month_before() -> None:
    early = {**PORTAL, "signed_at": "2026-05-03T09:00:00+07:00"}
    assert signing_month([early]) is None
    assert date_from_signatures(unread(), [early]).month is None  # type: ignore[union-attr]


def test_signatures_of_different_months_fill_nothing() -> None:
    later = {**PORTAL, "signed_at": "2026-05-12T09:00:00+07:00"}
    assert signing_month([PORTAL, later]) is None


def test_a_certified_copys_signature_is_left_out() -> None:
    copy = {"signer": "SAO Y; Ủy ban Nhân dân tỉnh", "signed_at": "2026-06-20T10:00:00+07:00"}
    assert signing_month([copy]) is None
    assert signing_month([copy, PORTAL]) is not None and signing_month([copy, PORTAL]).month == 4  # type: ignore[union-attr]


def test_no_signature_or_no_time_fills_nothing() -> None:
    assert date_from_signatures(unread(), []).month is None  # type: ignore[union-attr]
    assert date_from_signatures(unread(), [{"signer": "X", "signed_at": None}]).month is None  # type: ignore[union-attr]


def test_signer_name_from_the_one_person_the_signatures_name() -> None:
    office = {"signer": "ỦY BAN NHÂN DÂN TỈNH", "signed_at": "2026-04-29T10:00:00+07:00", "page": 1}
    leader = {"signer": "NGUYỄN VĂN AN", "signed_at": "2026-04-29T09:00:00+07:00", "page": None}
    signer = signer_from_signatures(Signer(authority="KT"), [office, leader])
    assert signer is not None and (signer.name, signer.name_source) == ("Nguyễn Văn An", "digital_signature")
    assert signer_from_signatures(None, [office, leader]) == Signer(
        name="Nguyễn Văn An", name_source="digital_signature"
    )


def test_signer_name_not_taken_when_printed_ambiguous_or_a_copy() -> None:
    leader = {"signer": "NGUYỄN VĂN AN", "page": None}
    printed = Signer(name="Trần Văn Bình")
    assert signer_from_signatures(printed, [leader]) is printed and printed.name == "Trần Văn Bình"
    other = {"signer": "Lê Thị Hoa", "page": None}
    assert signer_from_signatures(Signer(authority="KT"), [leader, other]) == Signer(authority="KT")
    copy = {"signer": "Lê Thị Hoa", "reason": "SAO Y bản chính", "page": None}
    assert signer_from_signatures(None, [copy]) is None
    shown = {"signer": "Lê Thị Hoa", "page": 1}  # the signature drawn on the page wins
    assert signer_from_signatures(None, [leader, shown]).name == "Lê Thị Hoa"  # type: ignore[union-attr]
