"""Place names printed in the địa danh line (``Hà Nội, ngày …``), and the repair of OCR near misses.

Sources: the 63 provinces and centrally-run cities of the Danh mục đơn vị hành chính Việt Nam (Tổng cục
Thống kê, in force until 30 June 2025); the 34 of Nghị quyết 202/2025/QH15 of the Quốc hội (12 June 2025,
the merger in force from 1 July 2025), all of whose names were already names of provinces or cities; and
the provincial cities and towns (thành phố, thị xã) most often printed as the địa danh of their bodies
(Nghị định 30/2020/NĐ-CP, Phụ lục I: the place is the name of the administrative unit where the body sits).

A place read with wrong or lost diacritics (``Hà Nói``, ``Ha Noi``) is snapped to the one name it matches
letter for letter; a place that matches no name, or several, is kept as read. A letter off is never
snapped: commune names lie one letter from province names (``Bình Lương``, ``Bình Dương``).
Tone marks placed the old or the new way (``Hoà``/``Hòa``) count as the same spelling and are kept.
"""

from __future__ import annotations

import functools
import unicodedata

import regex

from vntext.fold import fold_upper_nfc

#: Provinces and centrally-run cities before 1 July 2025 (63).
PROVINCES_63 = (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Dương",
    "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk",
    "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh",
    "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hồ Chí Minh", "Hưng Yên", "Khánh Hòa", "Kiên Giang",
    "Kon Tum", "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Long An", "Nam Định", "Nghệ An", "Ninh Bình",
    "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị",
    "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế",
    "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)  # fmt: skip

#: Provinces and centrally-run cities from 1 July 2025 (34, Nghị quyết 202/2025/QH15).
PROVINCES_34 = (
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
    "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên",
    "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng",
    "Đắk Lắk", "Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau",
    "An Giang",
)  # fmt: skip

#: Provincial cities and towns printed as a địa danh (those not already a province's name).
TOWNS = (
    "Biên Hòa", "Vũng Tàu", "Bà Rịa", "Nha Trang", "Cam Ranh", "Buôn Ma Thuột", "Pleiku", "Quy Nhơn",
    "Tuy Hòa", "Phan Thiết", "Phan Rang - Tháp Chàm", "Đà Lạt", "Bảo Lộc", "Thủ Dầu Một", "Dĩ An", "Thuận An",
    "Thủ Đức", "Đồng Xoài", "Tân An", "Mỹ Tho", "Gò Công", "Cao Lãnh", "Sa Đéc", "Hồng Ngự", "Long Xuyên",
    "Châu Đốc", "Rạch Giá", "Hà Tiên", "Phú Quốc", "Vị Thanh", "Ngã Bảy", "Việt Trì", "Vĩnh Yên", "Phúc Yên",
    "Từ Sơn", "Hạ Long", "Uông Bí", "Móng Cái", "Cẩm Phả", "Đông Triều", "Chí Linh", "Phủ Lý", "Tam Điệp",
    "Điện Biên Phủ", "Sa Pa", "Sông Công", "Phổ Yên", "Sầm Sơn", "Bỉm Sơn", "Vinh", "Cửa Lò", "Hoàng Mai",
    "Thái Hòa", "Hồng Lĩnh", "Đồng Hới", "Ba Đồn", "Đông Hà", "Tam Kỳ", "Hội An", "Điện Bàn", "Gia Nghĩa",
    "An Khê", "Ayun Pa", "Sơn Tây", "Bến Cát", "Tân Uyên", "Long Khánh", "Long Mỹ", "Tân Châu", "Ngã Năm",
    "Giá Rai",
)  # fmt: skip

#: Older or local spellings printed as they are (never snapped to the names above).
SPELLING_VARIANTS = ("Bắc Cạn", "Đăk Lăk", "Đăk Nông", "Kontum", "Thừa Thiên - Huế", "Pleiku", "Plei Ku")

#: Words of an administrative unit printed before its name (``TP. Hồ Chí Minh``), kept as read.
_UNIT_PREFIX = regex.compile(
    r"^(?:(?:Thành\s+phố|Thị\s+xã|Thị\s+trấn|Tỉnh|Huyện|Quận|Phường|Xã|Đặc\s+khu)\s+|(?:TP|Tp|TX|Tx)\s*\.\s*)",
    regex.IGNORECASE,
)
#: Tone marks (grave, acute, tilde, hook above, dot below) in NFD.
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def spelling_key(name: str) -> str:
    """``name`` lower-cased with each syllable's tone mark moved to its end (``Hoà`` and ``Hòa`` alike)."""
    words = []
    for word in unicodedata.normalize("NFD", name.lower()).replace("-", " ").split():
        tones = "".join(ch for ch in word if ch in _TONES)
        words.append("".join(ch for ch in word if ch not in _TONES) + tones)
    return " ".join(words)


def _plain_key(name: str) -> str:
    return " ".join(fold_upper_nfc(name).replace("-", " ").split())


@functools.cache
def _gazetteer() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    names = {
        unicodedata.normalize("NFC", n) for n in (*PROVINCES_63, *PROVINCES_34, *TOWNS, *SPELLING_VARIANTS)
    }
    by_plain: dict[str, set[str]] = {}
    for name in names:
        by_plain.setdefault(_plain_key(name), set()).add(name)
    return frozenset(spelling_key(n) for n in names), {k: frozenset(v) for k, v in by_plain.items()}


def known_place(name: str) -> bool:
    """Whether ``name`` (without its unit word) is a name of the gazetteer, spelled as printed there."""
    spellings, _ = _gazetteer()
    return spelling_key(name) in spellings


def snap_place(place: str) -> str:
    """``place`` with its name snapped to the gazetteer name it is an OCR near miss of (see the module
    docstring); as read when it is a known name or near none or several."""
    text = unicodedata.normalize("NFC", place).strip()
    prefix = _UNIT_PREFIX.match(text)
    head, name = (text[: prefix.end()], text[prefix.end() :]) if prefix else ("", text)
    if not name or known_place(name):
        return text
    _, by_plain = _gazetteer()
    candidates = by_plain.get(_plain_key(name), frozenset())
    if len(candidates) != 1:
        return text
    snapped = next(iter(candidates))
    letters = [ch for ch in name if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters):
        snapped = snapped.upper()
    return head + snapped
