"""The pure image stages without Tesseract: orientation, deskew and cleanup on synthetic scans.

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

from collections.abc import Callable, Iterator
from functools import lru_cache

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocr_pipeline import cleanup, deskew, engines, orientation
from ocr_pipeline.models import PageImage
from tools.synthetic import Degradation, blank_page, degrade, paragraphs_from_text, render_pages

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
def _rendered(dpi: int, font: str = "liberation-serif", text: str = TEXT) -> tuple[np.ndarray, ...]:
    """Clean page images of ``text`` (read-only, so no test can spoil the cache)."""
    paragraphs = paragraphs_from_text(text)
    images = tuple(page.image for page in render_pages(paragraphs, dpi=dpi, font=font))
    for image in images:
        image.flags.writeable = False
    return images


def clean_page(dpi: int = DPI, index: int = 0, font: str = "liberation-serif") -> np.ndarray:
    """Page ``index`` of the rendered plan (page 0 is full; page 1 has 1-7 lines, by font and dpi)."""
    return _rendered(dpi, font)[index]


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


@pytest.fixture(autouse=True)
def no_osd(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tesseract OSD must not be needed by anything in this file (tests that want it install a fake)."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("Tesseract OSD was called")

    monkeypatch.setattr(engines, "detect_orientation", forbidden)


@pytest.fixture
def fake_osd(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[tuple[int, float] | None], list[int]]]:
    """Install a fake OSD returning a fixed answer; gives the list its calls are recorded in."""

    def install(answer: tuple[int, float] | None) -> list[int]:
        calls: list[int] = []

        def fake(image: np.ndarray, **kwargs: object) -> tuple[int, float] | None:
            calls.append(image.shape[0])
            return answer

        monkeypatch.setattr(engines, "detect_orientation", fake)
        return calls

    yield install


# ------------------------------------------------------------------------------------------------- deskew
SKEWS = [-14.5, -5.0, -2.3, -0.4, 0.0, 0.7, 3.1, 9.0, 15.0]


@pytest.mark.parametrize("angle", SKEWS)
def test_estimate_finds_known_skew(angle: float) -> None:
    image = scan(clean_page(), seed=int(abs(angle) * 10), skew_degrees=angle, **MILD)
    found = deskew.estimate(image, DPI)
    assert abs(found.angle - angle) < SKEW_TOLERANCE, f"skew {angle}: estimated {found.angle:.3f}"
    assert deskew.estimate_skew(image, DPI) == pytest.approx(found.angle)


@pytest.mark.parametrize(
    ("angle", "index", "font"),
    [
        (-9.0, 0, "dejavu-serif"),
        (-1.2, 1, "liberation-serif"),  # a page with a few lines only
        (0.4, 0, "dejavu-serif"),
        (12.0, 1, "dejavu-serif"),
    ],
)
def test_estimate_finds_known_skew_at_200_dpi(angle: float, index: int, font: str) -> None:
    image = scan(clean_page(200, index, font), seed=7, skew_degrees=angle, **MILD)
    found = deskew.estimate(image, 200)
    assert abs(found.angle - angle) < SKEW_TOLERANCE, f"skew {angle}: estimated {found.angle:.3f}"


@settings(max_examples=10, deadline=None, derandomize=True)
@given(angle=st.floats(min_value=-15.0, max_value=15.0, allow_nan=False), seed=st.integers(0, 2**16))
def test_estimate_finds_any_skew_within_range(angle: float, seed: int) -> None:
    image = scan(clean_page(DPI, 1), seed=seed, skew_degrees=angle, **MILD)
    assert abs(deskew.estimate(image, DPI).angle - angle) < SKEW_TOLERANCE


def test_positive_skew_means_counter_clockwise() -> None:
    # a horizontal bar turned by +10 degrees with rotate_image rises to the right (image rows grow downwards)
    bar = np.full((200, 400), 255, np.uint8)
    bar[98:102, 50:350] = 0
    turned = deskew.rotate_image(bar, 10.0)
    ys, xs = np.nonzero(turned < 128)
    assert ys[xs.argmax()] < ys[xs.argmin()]
    # ... and the generator, rotate_image and the estimate agree on the sign
    level = clean_page()
    assert deskew.estimate(deskew.rotate_image(level, 3.0), DPI).angle == pytest.approx(3.0, abs=0.2)
    assert deskew.estimate(scan(level, skew_degrees=3.0), DPI).angle == pytest.approx(3.0, abs=0.2)


@pytest.mark.parametrize(
    "spoil",
    [{}, {"noise_sigma": 8.0, "jpeg_quality": 50}, {"background": 225, "blur_sigma": 1.0}, {"border": True}],
    ids=["white", "noise-jpeg", "grey-paper", "scanner-border"],
)
def test_blank_page_has_no_skew(spoil: dict[str, object]) -> None:
    image = scan(blank_page(DPI), seed=3, **spoil)
    found = deskew.estimate(image, DPI)
    assert found.angle == 0.0
    page = page_of(image)
    out = deskew.deskew(page)
    assert out.skew_degrees == 0.0
    assert np.array_equal(out.image, image)
    assert out.log[-1].startswith("deskew: none")


def test_dust_on_a_blank_page_has_no_skew() -> None:
    image = scan(blank_page(DPI), seed=4, speckle_density=2e-4, noise_sigma=4.0)
    assert deskew.estimate(image, DPI).angle == 0.0


#: A poor scan: faded ink on grey paper, blurred, noisy, strong JPEG.
FADED = {"contrast": 0.6, "background": 230, "blur_sigma": 1.2, "noise_sigma": 12.0, "jpeg_quality": 40}


def test_estimate_finds_the_skew_of_a_short_faded_page() -> None:
    image = scan(clean_page(DPI, 1), seed=0, skew_degrees=3.0, **FADED)
    assert deskew.estimate(image, DPI).angle == pytest.approx(3.0, abs=SKEW_TOLERANCE)


@pytest.mark.xfail(
    strict=True,
    reason="deskew.ink_mask: on a page with little, faded text a dark scanner border takes Otsu's threshold "
    "(~137-145) between the border and everything else; the text (grey ~200-220) becomes 'paper', the inner "
    "page looks blank, so the skew is 0 and orientation says 'no text to go by' (without asking OSD)",
)
def test_a_scanner_border_does_not_hide_a_short_faded_page() -> None:
    image = scan(clean_page(DPI, 1), seed=0, skew_degrees=3.0, border=True, **FADED)
    assert deskew.estimate(image, DPI).angle == pytest.approx(3.0, abs=SKEW_TOLERANCE)
    assert orientation.analyse(image, DPI).method == "profile"


@pytest.mark.parametrize("angle", [-7.5, -0.8, 2.3, 14.0])
def test_deskew_records_the_angle_and_levels_the_page(angle: float) -> None:
    image = scan(clean_page(), seed=11, skew_degrees=angle, **MILD)
    before = image.copy()
    page = page_of(image, rotation=90, log=("orientation: rotated 90",))
    out = deskew.deskew(page)
    assert out is not page
    assert out.skew_degrees == pytest.approx(angle, abs=SKEW_TOLERANCE)
    assert (out.number, out.dpi, out.rotation, out.ocr) == (3, DPI, 90, None)
    assert out.log[0] == "orientation: rotated 90" and out.log[-1].startswith("deskew: ")
    assert page.skew_degrees == 0.0 and len(page.log) == 1  # the input page is untouched
    assert np.array_equal(image, before)
    # the canvas grew to keep the corners, and the text lines are level now
    assert out.image.dtype == np.uint8
    assert out.image.shape[0] >= image.shape[0] and out.image.shape[1] >= image.shape[1]
    assert abs(deskew.estimate(out.image.copy(), DPI).angle) < SKEW_TOLERANCE


def test_deskew_leaves_a_level_page_alone() -> None:
    image = scan(clean_page(), seed=2, **MILD)
    out = deskew.deskew(page_of(image))
    assert abs(out.skew_degrees) < deskew.MIN_CORRECTION
    assert np.array_equal(out.image, image)


def test_deskew_fills_the_new_corners_with_the_paper_colour() -> None:
    image = scan(clean_page(), seed=5, skew_degrees=6.0, background=215)
    out = deskew.deskew(page_of(image))
    corners = [out.image[:5, :5], out.image[:5, -5:], out.image[-5:, :5], out.image[-5:, -5:]]
    for corner in corners:
        assert abs(float(corner.mean()) - 215) < 8  # no black wedges for cleanup/OCR to trip over


def _corner_blocks(h: int, w: int, corner: int, size: int = 3) -> np.ndarray:
    image = np.full((h, w), 255, np.uint8)
    ys = slice(0, size) if corner < 2 else slice(h - size, h)
    xs = slice(0, size) if corner % 2 == 0 else slice(w - size, w)
    image[ys, xs] = 0
    return image


def _corner_kept(h: int, w: int, degrees: float) -> float:
    """Least fraction of the ink of a corner block that is still on the canvas after rotate_image."""
    kept = []
    for corner in range(4):
        image = _corner_blocks(h, w, corner)
        out = deskew.rotate_image(image, degrees)
        kept.append(float((255 - out.astype(np.float64)).sum() / (255 - image.astype(np.float64)).sum()))
    return min(kept)


@settings(max_examples=10, deadline=None, derandomize=True)
@given(
    h=st.integers(20, 120),
    w=st.integers(20, 120),
    degrees=st.floats(min_value=-15.0, max_value=15.0, allow_nan=False),
)
def test_rotate_image_grows_the_canvas_and_keeps_every_corner(h: int, w: int, degrees: float) -> None:
    out = deskew.rotate_image(_corner_blocks(h, w, 0), degrees, fill=255)
    rad = np.radians(degrees)
    assert out.shape[1] >= w * abs(np.cos(rad)) + h * abs(np.sin(rad)) - 1e-6
    assert out.shape[0] >= w * abs(np.sin(rad)) + h * abs(np.cos(rad)) - 1e-6
    assert _corner_kept(h, w, degrees) > 0.97


def test_rotate_image_fills_with_the_given_colour_and_zero_is_identity() -> None:
    image = np.full((60, 90), 30, np.uint8)
    out = deskew.rotate_image(image, 8.0, fill=200)
    assert out[0, 0] == out[-1, -1] == 200
    assert np.array_equal(deskew.rotate_image(image, 0.0), image)


@pytest.mark.xfail(
    strict=True,
    reason="rotate_image turns about (w/2, h/2) instead of the pixel-centre ((w-1)/2, (h-1)/2) and the "
    "canvas size carries float error (90 deg gives w+1 columns): at 90/180 degrees a corner row and column "
    "fall off the canvas (only ~55-67% of a 3x3 corner block is kept); harmless within deskew's +-15 deg",
)
@pytest.mark.parametrize("degrees", [90.0, 180.0])
def test_rotate_image_keeps_corners_at_right_angles(degrees: float) -> None:
    assert _corner_kept(41, 97, degrees) > 0.97


# -------------------------------------------------------------------------------------------- orientation
def upright_turn(scanned_clockwise: int) -> int:
    """The clockwise turn that undoes a sheet scanned turned clockwise by ``scanned_clockwise``."""
    return (360 - scanned_clockwise) % 360


def test_rotate_right_angle_turns_clockwise() -> None:
    image = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    assert orientation.rotate_right_angle(image, 90).tolist() == [[4, 1], [5, 2], [6, 3]]
    assert orientation.rotate_right_angle(image, 180).tolist() == [[6, 5, 4], [3, 2, 1]]
    assert orientation.rotate_right_angle(image, 270).tolist() == [[3, 6], [2, 5], [1, 4]]
    assert orientation.rotate_right_angle(image, 0) is image
    for turn in (90, 180, 270):
        back = orientation.rotate_right_angle(orientation.rotate_right_angle(image, turn), 360 - turn)
        assert np.array_equal(back, image)
    # the generator's "scanned turned clockwise" is the same turn
    page = clean_page()
    assert np.array_equal(scan(page, rotation=90), orientation.rotate_right_angle(page, 90))


@pytest.mark.parametrize("skew", [0.0, 2.0, -1.5])
@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_analyse_finds_the_upright_turn(rotation: int, skew: float) -> None:
    image = scan(clean_page(), seed=rotation + 1, rotation=rotation, skew_degrees=skew, **MILD)
    found = orientation.analyse(image, DPI)
    assert found.rotate == upright_turn(rotation), found
    assert found.method == "profile"
    assert found.confident, found


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_analyse_finds_the_upright_turn_of_a_short_page_at_200_dpi(rotation: int) -> None:
    image = scan(clean_page(200, 1, "dejavu-serif"), seed=9, rotation=rotation, skew_degrees=-2.0, **MILD)
    found = orientation.analyse(image, 200)
    assert found.rotate == upright_turn(rotation), found
    assert found.confident, found


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_fix_orientation_turns_the_page_upright_without_osd(turn: int) -> None:
    upright = scan(clean_page(), seed=21, skew_degrees=2.0, **MILD)
    turned = orientation.rotate_right_angle(upright, turn)  # the very same pixels, turned
    page = page_of(turned, skew_degrees=0.0)
    out = orientation.fix_orientation(page)  # OSD would fail the test (autouse fixture no_osd)
    assert np.array_equal(out.image, upright)
    assert out.rotation == upright_turn(turn)
    assert out.log[-1].startswith("orientation: rotated" if turn else "orientation: upright")
    assert (out.number, out.dpi) == (3, DPI)
    assert page.rotation == 0 and page.log == ()


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_skew_handed_over_by_orientation_matches_a_fresh_search(turn: int) -> None:
    upright = scan(clean_page(), seed=22, skew_degrees=2.0, **MILD)
    out = orientation.fix_orientation(page_of(orientation.rotate_right_angle(upright, turn)))
    handed_over = deskew.estimate(out.image, DPI).angle  # may come from deskew.remember
    fresh = deskew.estimate(out.image.copy(), DPI).angle  # a new array: always searched again
    assert handed_over == pytest.approx(fresh, abs=0.05)
    assert handed_over == pytest.approx(2.0, abs=SKEW_TOLERANCE)
    level = deskew.deskew(out)
    assert level.skew_degrees == pytest.approx(2.0, abs=SKEW_TOLERANCE)
    assert level.rotation == out.rotation


@settings(max_examples=10, deadline=None, derandomize=True)
@given(
    rotation=st.sampled_from([0, 90, 180, 270]),
    skew=st.floats(min_value=-5.0, max_value=5.0, allow_nan=False),
    seed=st.integers(0, 2**16),
)
def test_analyse_is_right_under_any_small_skew(rotation: int, skew: float, seed: int) -> None:
    image = scan(clean_page(), seed=seed, rotation=rotation, skew_degrees=skew, **MILD)
    found = orientation.analyse(image, DPI)
    assert found.rotate == upright_turn(rotation)
    assert found.confident


@pytest.mark.parametrize(
    "spoil",
    [{}, {"noise_sigma": 8.0, "jpeg_quality": 50}, {"border": True}],
    ids=["white", "noise", "border"],
)
def test_blank_page_is_not_turned(spoil: dict[str, object]) -> None:
    image = scan(blank_page(DPI), seed=6, **spoil)
    found = orientation.analyse(image, DPI)
    assert found.rotate == 0 and found.method == "none"
    out = orientation.fix_orientation(page_of(image))  # no OSD for a page without ink either
    assert out.rotation == 0
    assert np.array_equal(out.image, image)
    assert out.log == ("orientation: no text to go by",)


def test_dust_on_a_blank_page_is_not_turned(
    fake_osd: Callable[[tuple[int, float] | None], list[int]],
) -> None:
    fake_osd(None)  # as when OSD is not installed
    image = scan(blank_page(DPI), seed=8, speckle_density=2e-4, noise_sigma=4.0)
    out = orientation.fix_orientation(page_of(image))
    assert out.rotation == 0
    assert np.array_equal(out.image, image)


def _two_lines() -> np.ndarray:
    """A page with two short lines: too little for the own up/down statistic."""
    images = _rendered(DPI, "liberation-serif", "Bằng Mạc, ngày 20 tháng 5 năm 2024\n\nKính gửi: UBND huyện")
    return images[0]


def test_weak_evidence_asks_osd_and_follows_a_confident_answer(
    fake_osd: Callable[[tuple[int, float] | None], list[int]],
) -> None:
    image = _two_lines()
    assert not orientation.analyse(image, DPI).confident
    calls = fake_osd((180, 9.5))
    out = orientation.fix_orientation(page_of(image))
    assert calls, "OSD was not asked"
    assert out.rotation == 180
    assert np.array_equal(out.image, orientation.rotate_right_angle(image, 180))
    assert "osd" in out.log[-1]


@pytest.mark.parametrize("answer", [None, (90, 0.4)], ids=["no-osd", "unsure-osd"])
def test_weak_evidence_and_no_confident_osd_keeps_the_own_answer(
    fake_osd: Callable[[tuple[int, float] | None], list[int]], answer: tuple[int, float] | None
) -> None:
    image = _two_lines()
    own = orientation.analyse(image, DPI)
    calls = fake_osd(answer)
    found = orientation.detect(image, DPI)
    assert calls
    assert found.rotate == own.rotate and found.method == "profile"
    assert orientation.detect(image, DPI, use_osd=False).rotate == own.rotate


# ------------------------------------------------------------------------------------------------ cleanup
CLEAN_DPI = 300


@lru_cache(maxsize=8)
def _marks_page(dpi: int, font: str, text: str) -> np.ndarray:
    image = _rendered(dpi, font, text)[0]
    rows = np.flatnonzero(ink(image).any(axis=1))
    crop = image[max(0, rows[0] - dpi // 4) : rows[-1] + dpi // 4]  # the text block, with some paper
    crop.flags.writeable = False
    return crop


_DOTS_LOST_AT_150 = pytest.mark.xfail(
    strict=True,
    reason="at 150 dpi cleanup loses a dot in DejaVu Serif (by dust removal); none at 200 and 300 dpi",
)


def _marks_cases(xfail: dict[tuple[int, str], pytest.MarkDecorator]) -> list:
    cases = []
    for dpi in (150, 200, CLEAN_DPI):
        for font in ("liberation-serif", "dejavu-serif"):
            marks = [xfail[(dpi, font)]] if (dpi, font) in xfail else []
            cases.append(pytest.param(dpi, font, marks=marks, id=f"{dpi}-{font}"))
    return cases


@pytest.mark.parametrize(("dpi", "font"), _marks_cases({(150, "dejavu-serif"): _DOTS_LOST_AT_150}))
def test_cleanup_keeps_full_stops_and_the_dots_of_i_and_of_the_dot_below(dpi: int, font: str) -> None:
    image = _marks_page(dpi, font, DOT_TEXT)
    out = cleanup.clean(page_of(image, dpi)).image
    assert lost_components(image, out) == []


@pytest.mark.parametrize(("dpi", "font"), _marks_cases({}))
def test_cleanup_keeps_the_tone_marks(dpi: int, font: str) -> None:
    image = _marks_page(dpi, font, TONE_TEXT)
    out = cleanup.clean(page_of(image, dpi)).image
    assert lost_components(image, out) == []


def _speckled(image: np.ndarray, dpi: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """``image`` with dark dust specks (radius 0-3 px, as synthetic._speckles) far from any text."""
    away = cv2.dilate(ink(image).astype(np.uint8), np.ones((dpi // 3, dpi // 3), np.uint8)) == 0
    out = image.copy()
    step = dpi // 5
    centres: list[tuple[int, int]] = []
    h, w = image.shape
    for y in range(step, h - step, step):
        for x in range(step, w - step, step):
            if away[y, x]:
                radius = len(centres) % 4
                cv2.circle(out, (x, y), radius, 38, -1)
                centres.append((x, y))
    return out, centres


@pytest.mark.parametrize("dpi", [200, CLEAN_DPI])
def test_cleanup_removes_isolated_specks_and_keeps_the_text(dpi: int) -> None:
    text = _marks_page(dpi, "dejavu-serif", DOT_TEXT)
    dusty, specks = _speckled(text, dpi)
    assert len(specks) >= 40
    out = cleanup.clean(page_of(dusty, dpi)).image
    # radius 3 (29 px) is bigger than a full stop at 200 dpi: only 0-2 px specks must go there
    removable = [c for i, c in enumerate(specks) if dpi >= 300 or i % 4 < 3]
    left = [(x, y) for x, y in removable if ink(out[y - 4 : y + 5, x - 4 : x + 5]).any()]
    assert left == []
    assert lost_components(text, out) == []


def test_cleanup_removes_most_generated_dust_far_from_text() -> None:
    text = _marks_page(CLEAN_DPI, "dejavu-serif", DOT_TEXT)
    dusty = scan(text, seed=12, speckle_density=1e-4, noise_sigma=4.0)
    out = cleanup.clean(page_of(dusty, CLEAN_DPI)).image
    far = cv2.dilate(ink(text).astype(np.uint8), np.ones((60, 60), np.uint8)) == 0
    before, after = int((ink(dusty) & far).sum()), int((ink(out) & far).sum())
    assert before > 200
    assert after <= 0.05 * before
    assert lost_components(text, out) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cleanup_removes_scanner_borders(seed: int) -> None:
    text = clean_page(200, 1, "dejavu-serif")
    bordered = scan(text, seed=seed, border=True, noise_sigma=3.0)
    h, w = text.shape
    strip = round(0.025 * min(h, w))
    edges = np.zeros((h, w), dtype=bool)
    edges[:strip], edges[-strip:], edges[:, :strip], edges[:, -strip:] = True, True, True, True
    assert ink(bordered)[edges].sum() > 1000  # the generator did draw a border
    out = cleanup.clean(page_of(bordered, 200)).image
    assert ink(out)[edges].sum() == 0
    assert lost_components(text, out) == []


def test_cleanup_removes_a_painted_band_along_an_edge() -> None:
    text = np.array(clean_page(200, 1, "dejavu-serif"))
    banded = text.copy()
    ragged = 12 + (6 * np.sin(np.arange(banded.shape[0]) / 40)).astype(int)
    for y, width in enumerate(ragged.tolist()):
        banded[y, :width] = 45  # a scanner-lid shadow down the left edge
    banded[-9:, :] = 60  # and a thin one along the bottom
    out = cleanup.clean(page_of(banded, 200)).image
    assert ink(out[:, :25]).sum() == 0 and ink(out[-12:]).sum() == 0
    assert lost_components(text, out) == []


@pytest.mark.parametrize(
    ("dpi", "font"),
    [
        (150, "liberation-serif"),
        (150, "dejavu-serif"),
        (200, "liberation-serif"),
        (200, "dejavu-serif"),
        (CLEAN_DPI, "liberation-serif"),
        (CLEAN_DPI, "dejavu-serif"),
    ],
)
def test_cleanup_keeps_the_text_ink(dpi: int, font: str) -> None:
    text = clean_page(dpi, 0, font)
    mild = scan(text, seed=13, **MILD)
    for image in (text, mild):
        out = cleanup.clean(page_of(image, dpi)).image
        assert out.shape == image.shape and out.dtype == np.uint8
        before, after = int(ink(image).sum()), int(ink(out).sum())
        assert abs(after - before) <= 0.05 * before, f"ink {before} -> {after}"


_DUST = {"speckle_density": 2e-4, "noise_sigma": 4.0}


@pytest.mark.parametrize(
    ("dpi", "spoil"),
    [
        (DPI, {}),
        (DPI, {"noise_sigma": 6.0}),
        (DPI, {"border": True}),
        (200, _DUST),
        pytest.param(
            DPI,
            _DUST,
            marks=pytest.mark.xfail(
                strict=True,
                reason="at 150 dpi the generator's 1-3 px radius specks (up to 7 px across) count as "
                "letter-sized, so the page is not painted blank, and x_height() is then measured on the dust "
                "(5 px), which shrinks the dust thresholds: 2803 of 4815 dust pixels stay",
            ),
        ),
    ],
    ids=["white", "noise", "border", "dust-200dpi", "dust-150dpi"],
)
def test_cleanup_of_a_blank_page_leaves_no_ink(dpi: int, spoil: dict[str, object]) -> None:
    image = scan(blank_page(dpi), seed=1, **spoil)
    out = cleanup.clean(page_of(image, dpi)).image
    assert out.shape == image.shape and out.dtype == np.uint8
    assert ink(out).sum() == 0


@pytest.mark.xfail(
    strict=True,
    reason="cleanup paints a page with fewer than min_letters=5 letter-sized components blank: a page "
    "holding only a short word ('Hết', 3 letters) or './.' loses all its text (at 200 and 300 dpi)",
)
def test_cleanup_keeps_a_page_with_one_short_word() -> None:
    image = _rendered(200, "liberation-serif", "Hết")[0]
    out = cleanup.clean(page_of(image, 200)).image
    assert lost_components(image, out) == []


# ------------------------------------------------------------------------------------------------- purity
def _turned_skewed() -> np.ndarray:
    return scan(clean_page(), seed=31, rotation=90, skew_degrees=2.5, speckle_density=5e-5, **MILD)


def _skewed() -> np.ndarray:
    return scan(clean_page(), seed=32, skew_degrees=-4.0, **MILD)


def _dusty_bordered() -> np.ndarray:
    return scan(clean_page(200, 1), seed=33, speckle_density=1e-4, border=True, **MILD)


STAGES: dict[str, tuple[Callable[[PageImage], PageImage], Callable[[], np.ndarray], int]] = {
    "orientation": (orientation.fix_orientation, _turned_skewed, DPI),
    "deskew": (deskew.deskew, _skewed, DPI),
    "cleanup": (cleanup.clean, _dusty_bordered, 200),
}


@pytest.mark.parametrize("writeable", [True, False], ids=["writeable", "read-only"])
@pytest.mark.parametrize("name", list(STAGES))
def test_stage_is_pure(name: str, writeable: bool) -> None:
    stage, make, dpi = STAGES[name]
    image = make()
    image.flags.writeable = writeable
    before = image.copy()
    page = page_of(image, dpi, log=("rasterise",))
    first, second = stage(page), stage(page)
    assert not np.array_equal(first.image, image), "the stage should have had work to do"
    assert np.array_equal(first.image, second.image)
    assert (first.rotation, first.skew_degrees, first.log) == (
        second.rotation,
        second.skew_degrees,
        second.log,
    )
    assert np.array_equal(image, before) and image.flags.writeable == writeable
    assert page.image is image and page.log == ("rasterise",) and page.rotation == 0
    assert page.skew_degrees == 0.0
    # a copy of the input (a different array object) gives the same result
    again = stage(page_of(before.copy(), dpi, log=("rasterise",)))
    assert np.array_equal(again.image, first.image)


def test_the_stages_chain_on_a_read_only_page() -> None:
    image = _turned_skewed()
    image.flags.writeable = False
    before = image.copy()
    page = page_of(image)
    out = cleanup.clean(deskew.deskew(orientation.fix_orientation(page)))
    assert out.rotation == 270
    assert out.skew_degrees == pytest.approx(2.5, abs=SKEW_TOLERANCE)
    assert [note.split(":")[0] for note in out.log] == ["orientation", "deskew", "cleanup"]
    assert abs(deskew.estimate(out.image.copy(), DPI).angle) < SKEW_TOLERANCE
    assert np.array_equal(image, before)
