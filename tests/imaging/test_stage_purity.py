"""Every image stage is pure: same input, same output; the input page and array are never touched.

Pages and conventions: :mod:`stage_pages`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from stage_pages import (
    DPI,
    MILD,
    SKEW_TOLERANCE,
    clean_page,
    page_of,
    scan,
)

from ocr_pipeline.imaging import cleanup, deskew, orientation
from ocr_pipeline.imaging.page import PageImage

#: Tesseract OSD must not be needed here (tests that want it install a fake).
pytestmark = pytest.mark.usefixtures("no_osd")


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
