"""Document types of Nghị định 30/2020/NĐ-CP: the names printed on a type line, the type codes of a ký hiệu
(Phụ lục III), and when a type read by OCR is a near miss of another."""

from __future__ import annotations

import regex

from vntext.fold import fold_upper as fold

from .names import edit_distance

#: Document types printed as the centred type line (the first line of the title block).
DOC_TYPES = (
    "NGHỊ QUYẾT",
    "QUYẾT ĐỊNH",
    "CHỈ THỊ",
    "QUY CHẾ",
    "QUY ĐỊNH",
    "THÔNG CÁO",
    "THÔNG BÁO",
    "HƯỚNG DẪN",
    "CHƯƠNG TRÌNH",
    "KẾ HOẠCH",
    "PHƯƠNG ÁN",
    "ĐỀ ÁN",
    "DỰ ÁN",
    "BÁO CÁO",
    "BIÊN BẢN",
    "TỜ TRÌNH",
    "HỢP ĐỒNG",
    "CÔNG ĐIỆN",
    "BẢN GHI NHỚ",
    "BẢN THỎA THUẬN",
    "GIẤY ỦY QUYỀN",
    "GIẤY MỜI",
    "GIẤY GIỚI THIỆU",
    "GIẤY NGHỈ PHÉP",
    "PHIẾU GỬI",
    "PHIẾU CHUYỂN",
    "PHIẾU BÁO",
    "THƯ CÔNG",
    "ĐỀ CƯƠNG",
    "THÔNG TƯ LIÊN TỊCH",
    "THÔNG TƯ",
    "NGHỊ QUYẾT LIÊN TỊCH",
    "NGHỊ ĐỊNH",
    "BỘ LUẬT",
    "LUẬT",
    "PHÁP LỆNH",
    "LỆNH",
    "LỊCH CÔNG TÁC",
)
#: Type codes of Phụ lục III, Nghị định 30/2020/NĐ-CP, folded, and the type each stands for.
TYPE_OF_CODE = {
    "NQ": "NGHỊ QUYẾT",
    "QD": "QUYẾT ĐỊNH",
    "CT": "CHỈ THỊ",
    "QC": "QUY CHẾ",
    "QYD": "QUY ĐỊNH",
    "TC": "THÔNG CÁO",
    "TB": "THÔNG BÁO",
    "HD": "HƯỚNG DẪN",
    "CTR": "CHƯƠNG TRÌNH",
    "KH": "KẾ HOẠCH",
    "PA": "PHƯƠNG ÁN",
    "DA": "ĐỀ ÁN",
    "BC": "BÁO CÁO",
    "BB": "BIÊN BẢN",
    "TTR": "TỜ TRÌNH",
    "CD": "CÔNG ĐIỆN",
    "BGN": "BẢN GHI NHỚ",
    "BTT": "BẢN THỎA THUẬN",
    "GUQ": "GIẤY ỦY QUYỀN",
    "GM": "GIẤY MỜI",
    "GGT": "GIẤY GIỚI THIỆU",
    "GNP": "GIẤY NGHỈ PHÉP",
    "PG": "PHIẾU GỬI",
    "PC": "PHIẾU CHUYỂN",
    "PB": "PHIẾU BÁO",
    "TT": "THÔNG TƯ",
    "TTLT": "THÔNG TƯ LIÊN TỊCH",
    "NQLT": "NGHỊ QUYẾT LIÊN TỊCH",
    "ND": "NGHỊ ĐỊNH",
}
#: Folded edit distance up to which a type read from the type line counts as an OCR slip of the type
#: its ký hiệu names (``QUY ĐỊNH`` for ``QUYẾT ĐỊNH``, ``THÔNG CÁO`` for ``THÔNG BÁO``).
NEAR_MISS = 2
#: The type code of a số/ký hiệu line (folded): ``SO: 12/QD-UBND``, ``SO: 21/2026/TT-BCT``.
_NUMBER_CODE = regex.compile(r"/\s*(?:(?:19|20)\d{2}\s*/\s*)?([A-Z]{1,5})\s*-")


def within_near_miss(read: str, expected: str) -> bool:
    """Whether the type text ``read`` (a type line as OCR gave it) is within :data:`NEAR_MISS` letters of
    ``expected``, both folded."""
    return edit_distance(fold(read).strip(" :."), fold(expected)) <= NEAR_MISS


def type_named_by(number_line: str) -> str | None:
    """The type a số/ký hiệu line's type code names (``Số: 12/QĐ-UBND`` → QUYẾT ĐỊNH), if any."""
    match = _NUMBER_CODE.search(fold(number_line))
    return TYPE_OF_CODE.get(match[1]) if match else None
