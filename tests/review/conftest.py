"""Fixtures of the review app's tests: a small batch output folder (see :mod:`.batch_fixture`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.review.batch_fixture import make_batch


@pytest.fixture(scope="session")
def batch_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The batch made once per session (restoration takes a few seconds)."""
    return make_batch(tmp_path_factory.mktemp("review-template"))


@pytest.fixture
def batch(batch_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the batch's output folder (the source image stays where the record says)."""
    out = tmp_path / "out"
    out.mkdir()
    for path in batch_template.iterdir():
        if path.is_file():
            (out / path.name).write_bytes(path.read_bytes())
    return out
