"""The orientation stage on synthetic scans turned by known right angles (OSD only when faked).

Pages and conventions: :mod:`stage_pages`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stage_pages import (
    DPI,
    MILD,
    SKEW_TOLERANCE,
    clean_page,
    page_of,
    rendered,
    scan,
)

from ocr_pipeline.imaging import deskew, orientation
from tools.synthetic import blank_page

#: Tesseract OSD must not be needed here (tests that want it install a fake).
pytestmark = pytest.mark.usefixtures("no_osd")


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
    assert out.measured_skew is not None
    handed_over = out.measured_skew
    fresh = deskew.estimate(out.image, DPI).angle
    assert handed_over == pytest.approx(fresh, abs=0.05)
    assert handed_over == pytest.approx(2.0, abs=SKEW_TOLERANCE)
    level = deskew.deskew(out)
    assert level.skew_degrees == round(handed_over, 3)
    assert level.measured_skew is None  # rotated out: no longer the skew of the image
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
    images = rendered(DPI, "liberation-serif", "Bằng Mạc, ngày 20 tháng 5 năm 2024\n\nKính gửi: UBND huyện")
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
