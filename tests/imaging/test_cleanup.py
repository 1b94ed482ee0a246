"""The cleanup stage on synthetic scans with dust, borders and bands: text ink and marks kept.

Pages and conventions: :mod:`stage_pages`.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
import pytest
from stage_pages import (
    DOT_TEXT,
    DPI,
    MILD,
    TONE_TEXT,
    clean_page,
    ink,
    lost_components,
    page_of,
    rendered,
    scan,
)

from ocr_pipeline.imaging import cleanup, labelling
from tools.synthetic import blank_page

#: Tesseract OSD must not be needed here (tests that want it install a fake).
pytestmark = pytest.mark.usefixtures("no_osd")

CLEAN_DPI = 300


@lru_cache(maxsize=8)
def _marks_page(dpi: int, font: str, text: str) -> np.ndarray:
    image = rendered(dpi, font, text)[0]
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
    image = rendered(200, "liberation-serif", "Hết")[0]
    out = cleanup.clean(page_of(image, 200)).image
    assert lost_components(image, out) == []


def _dusty_bordered_scan() -> np.ndarray:
    """A degraded page with dust and a dark border on two sides (ink crossing every strip edge)."""
    text = _marks_page(200, "dejavu-serif", DOT_TEXT)
    dusty, _ = _speckled(text, 200)
    page = scan(dusty, seed=3)
    page[:, :9] = 20  # a scanner's edge down the whole left side
    page[-7:, :] = 25
    return page


def test_components_found_strip_by_strip_are_the_whole_page_components(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image = _dusty_bordered_scan()
    _, binary = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, _, whole, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    monkeypatch.setattr(labelling, "STRIP_PIXELS", 9 * image.shape[1])  # strips of 8 rows
    comps = cleanup.components(image)
    assert len(comps.strips) > 20
    assert comps.stats.tolist() == whole.tolist()  # the same components, in the same order


@pytest.mark.parametrize("rows", [1, 7, 64])
def test_cleanup_in_strips_paints_what_it_paints_on_the_whole_page(
    monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    image = _dusty_bordered_scan()
    whole, whole_note = cleanup.clean_image(image, 200)
    assert "borders 0" not in whole_note and not np.array_equal(whole, image)
    monkeypatch.setattr(labelling, "STRIP_PIXELS", rows * image.shape[1])
    strips, note = cleanup.clean_image(image, 200)
    assert note == whole_note
    assert np.array_equal(strips, whole)


def test_painting_into_the_class_image_paints_what_a_copy_of_the_page_gets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (50, 40)).astype(np.uint8)
    remove = (rng.random(image.shape) < 0.04).astype(np.uint8)
    classes = remove * cleanup._REMOVE | (rng.random(image.shape) < 0.3).astype(np.uint8) * cleanup._SOLID
    expected = image.copy()
    expected[cv2.dilate(remove, np.ones((3, 3), np.uint8)) > 0] = 200
    for rows in (2, 6, 50):
        monkeypatch.setattr(labelling, "STRIP_PIXELS", rows * image.shape[1])
        assert np.array_equal(cleanup.paint_removed(image, classes.copy(), 200), expected)
