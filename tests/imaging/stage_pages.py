"""Synthetic pages and fixtures shared by the tests of the image stages (orientation, deskew, cleanup).

Pages are rendered by the project's own generator (:mod:`tools.synthetic`) from a Vietnamese
"Kế hoạch" written below, and spoiled with known skew, rotation, blur, noise, JPEG, dust and borders, so
every expectation is exact ground truth. Conventions (from :class:`Degradation` and the stages):

- skew: positive = the text baselines are rotated counter-clockwise (``Degradation.skew_degrees``,
  ``SkewEstimate.angle``, ``PageImage.skew_degrees`` and ``deskew.rotate_image(image, +deg)`` all agree);
- rotation: ``Degradation.rotation = r`` means the sheet was scanned turned clockwise by ``r``; the
  orientation stage answers with the clockwise turn that makes it upright, ``(360 - r) % 360``.

Tesseract's OSD is never called here: an autouse fixture makes ``engines.detect_orientation`` fail the test.
Pages are rendered at 150-200 dpi (the stages work at ~150 dpi anyway); cleanup, whose sizes follow the
letter height, is also checked at the product's 300 dpi on a crop of the page.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from ocr_pipeline.imaging.page import PageImage
from tools.synthetic import Degradation, degrade, paragraphs_from_text, render_pages

# A few paragraphs of a commune People's Committee plan (copied from a real Kế hoạch; never read at run time).
TEXT = """\
ỦY BAN NHÂN DÂN XÃ BẰNG MẠC

Số: 12/KH-UBND

Bằng Mạc, ngày 20 tháng 5 năm 2024

## KẾ HOẠCH

### Thực hiện công tác bảo vệ, chăm sóc trẻ em trên địa bàn xã Bằng Mạc năm 2024

Thực hiện Kế hoạch số 169/KH-UBND ngày 14/5/2024 của UBND huyện Chi Lăng thực hiện công tác bảo vệ,
chăm sóc trẻ em năm 2024. Ủy ban nhân dân xã Bằng Mạc xây dựng kế hoạch thực hiện công tác bảo vệ, chăm
sóc trẻ em trên địa bàn xã năm 2024, cụ thể như sau:

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Tăng cường sự quan tâm, lãnh đạo, chỉ đạo của cấp ủy, chính quyền địa phương; sự phối hợp của các cơ
quan, ban, ngành, đoàn thể. Hạn chế tình trạng trẻ em có nguy cơ rơi vào hoàn cảnh đặc biệt. Bảo vệ trẻ
em trước nguy cơ bị bạo lực, xâm hại, bị tai nạn, thương tích, bóc lột lao động bảo đảm sự an toàn cho mọi
trẻ em; loại bỏ các nguy cơ gây tổn hại cho trẻ em.

- Huy động sự tham gia tích cực của gia đình, cộng đồng, trường học và toàn xã hội thực hiện Luật trẻ em,
các chương trình, kế hoạch liên quan đến công tác bảo vệ, chăm sóc, giáo dục trẻ em.

- Tạo môi trường an toàn, thân thiện và bình đẳng với mọi trẻ em để trẻ em có cơ hội phát triển toàn diện
về thể chất, nhân cách, trí tuệ. Thực hiện hiệu quả các quyền cơ bản của trẻ em; tăng cường sự tham gia
của trẻ em vào các vấn đề phát triển kinh tế, văn hóa, xã hội.

2. Yêu cầu

Các đơn vị trường học, các thôn, các tổ chức đoàn thể triển khai thực hiện hiệu quả Kế hoạch và các Chương
trình, Đề án bảo vệ, chăm sóc trẻ em năm 2024. Chủ động đưa các chỉ tiêu bảo vệ, chăm sóc trẻ em vào
chương trình công tác đảm bảo hoàn thành các mục tiêu, chỉ tiêu trong Kế hoạch của xã đề ra.

II. MỤC TIÊU, CHỈ TIÊU

- Phấn đấu 100% trẻ em có hoàn cảnh đặc biệt được bảo vệ, chăm sóc dưới các hình thức như: được hưởng trợ
cấp xã hội; được trợ giúp về khám chữa bệnh, chỉnh hình phục hồi chức năng; được hỗ trợ về giáo dục.

- Công chức làm công tác bảo vệ, chăm sóc, giáo dục trẻ em được tập huấn kiến thức, kỹ năng phòng, chống
đuối nước, tai nạn thương tích, bảo vệ trẻ em.
"""

#: Marks that are dots: the dot below (ạ ệ ộ ...), the dot of i and j, full stops, colons, ellipses.
DOT_TEXT = (
    "Muc dich: tang cuong su phoi hop cua cac co quan, ban, nganh, doan the. "
    "Mạnh, lịch, tịch, bị, đội, một, cộng, lệ, hiệu, nội, mục, lực, chịu, vị, kịp, tập, đặc, hợp, kỵ, "
    "vẹn, học, lạc, bậc, việc, dịch, tục. Ngày 14/5/2024; i j ị ạ ọ ụ ỵ ẹ ệ ộ ặ ậ ợ ự... Nơi nhận: ./."
)
#: Tone marks above the letter (grave, acute, hook, tilde), alone and over a breve, circumflex or horn.
TONE_TEXT = (
    "Muc dich: tang cuong su phoi hop cua cac co quan, ban, nganh, doan the. "
    "Bằng, quyền, cồn, thường, trẻ, hỗ, về, chỉ, đảm, những, ắt, ấy, ở, ừ, ỳ, ẵ, ẫ, ễ, ỗ, ỡ, ữ, ỹ, "
    "ẳ, ẩ, ể, ổ, ở, ử, ỷ, à, á, ả, ã, è, é, ẻ, ẽ, ì, í, ỉ, ĩ, ò, ó, ỏ, õ, ù, ú, ủ, ũ, ầ, ề, ồ, ờ, ằ."
)

DPI = 150
#: A mild scan: the optics blur a little, some sensor noise, JPEG at a typical office-scanner quality.
MILD = {"blur_sigma": 0.7, "noise_sigma": 6.0, "jpeg_quality": 70}
#: The issue's target for the skew estimate.
SKEW_TOLERANCE = 0.2


# ------------------------------------------------------------------------------------------------ helpers
@lru_cache(maxsize=16)
def rendered(dpi: int, font: str = "liberation-serif", text: str = TEXT) -> tuple[np.ndarray, ...]:
    """Clean page images of ``text`` (read-only, so no test can spoil the cache)."""
    paragraphs = paragraphs_from_text(text)
    images = tuple(page.image for page in render_pages(paragraphs, dpi=dpi, font=font))
    for image in images:
        image.flags.writeable = False
    return images


def clean_page(dpi: int = DPI, index: int = 0, font: str = "liberation-serif") -> np.ndarray:
    """Page ``index`` of the rendered plan (page 0 is full; page 1 has 1-7 lines, by font and dpi)."""
    return rendered(dpi, font)[index]


def scan(image: np.ndarray, seed: int = 0, **spoil: object) -> np.ndarray:
    """``image`` spoiled by ``Degradation(**spoil)`` with a seeded generator."""
    return degrade(image, Degradation(**spoil), np.random.default_rng(seed))  # type: ignore[arg-type]


def page_of(image: np.ndarray, dpi: int = DPI, **fields: object) -> PageImage:
    return PageImage(number=3, image=image, dpi=dpi, **fields)  # type: ignore[arg-type]


def ink(image: np.ndarray) -> np.ndarray:
    """Ink mask at a fixed mid-grey threshold (independent of the stages' own binarisation)."""
    return np.asarray(image < 128)


def lost_components(before: np.ndarray, after: np.ndarray, keep: float = 0.5) -> list[tuple[int, ...]]:
    """Ink components of ``before`` mostly gone in ``after`` (kept < ``keep``), as (x, y, w, h, area)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink(before).astype(np.uint8), connectivity=8)
    total = np.bincount(labels.ravel(), minlength=count)
    kept = np.bincount(labels.ravel(), weights=ink(after).ravel(), minlength=count)
    lost = np.flatnonzero(kept[1:] < keep * total[1:]) + 1
    return [tuple(int(v) for v in stats[label]) for label in lost]
