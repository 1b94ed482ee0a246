"""Locate the shipped language data (package ``dictionaries``) without ever touching ``../shared``.

Set ``VNOCR_DATA_DIR`` to read the data from another folder (used by tests and by the build's checks).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .errors import DataError

#: Environment variable naming a folder that replaces the packaged ``dictionaries/``.
DATA_DIR_ENV = "VNOCR_DATA_DIR"


def data_dir() -> Path:
    """The folder holding the shipped data files.

    Raises:
        DataError: The ``dictionaries`` package cannot be found.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    try:
        return Path(str(resources.files("dictionaries")))
    except (ModuleNotFoundError, TypeError) as exc:  # pragma: no cover - broken installation
        raise DataError(f"the vnocr data package 'dictionaries' is not installed: {exc}") from exc


def data_path(name: str) -> Path:
    """Path of one shipped data file.

    Args:
        name: File name inside ``dictionaries/`` (e.g. ``"lm_manifest.json"``).

    Returns:
        The path, which exists.

    Raises:
        DataError: The file is missing.
    """
    path = data_dir() / name
    if not path.is_file():
        raise DataError(f"language data file {name!r} is missing from {path.parent}")
    return path
