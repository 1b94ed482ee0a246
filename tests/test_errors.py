"""The diacritics package's errors and its independence from the application."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from diacritics.errors import DataError, VnocrError
from ocr_pipeline import exceptions

PACKAGE = Path(__file__).resolve().parent.parent / "diacritics"


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_diacritics_imports_neither_the_application_nor_build_writers(path: Path) -> None:
    imported = _imported_modules(path)
    assert not {m for m in imported if m.split(".")[0] in ("ocr_pipeline", "tools")}
    assert "tempfile" not in imported  # the atomic writers are build-time code (tools/builders/)
    assert "np.save(" not in path.read_text(encoding="utf-8")


def test_data_error_carries_exit_code_6_and_a_hint() -> None:
    error = DataError("lm/lm_manifest.json is missing")
    assert isinstance(error, VnocrError)
    assert error.exit_code == exceptions.ExitCode.data_error == 6
    assert error.one_line() == f"lm/lm_manifest.json is missing ({error.hint})"
    assert DataError("x", hint="do y").one_line() == "x (do y)"


def test_the_application_reexports_the_diacritics_errors() -> None:
    assert exceptions.DataError is DataError
    assert exceptions.VnocrError is VnocrError
    assert issubclass(exceptions.InputFileError, VnocrError)
