"""Fixtures of the image-stage tests: OSD forbidden (``no_osd``) or faked (``fake_osd``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest

from ocr_pipeline.imaging import engines


@pytest.fixture
def no_osd(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any call of Tesseract OSD fail the test (the stage tests use it: ``pytestmark``)."""

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
