"""The layering of the code, checked on its source: which package may import which.

- ``ocr_pipeline`` (the application: api, cli, batch, pipeline, options, exceptions, the document model,
  rendering) sits on three independent layers: ``ocr_pipeline.imaging`` (page images and OCR),
  ``ocr_pipeline.structure`` (text → sections and record) and ``diacritics`` (restoration);
- the layers never import the application or each other; ``ocr_pipeline.exceptions`` is the one shared
  module of the ocr_pipeline layers (the errors and their exit codes);
- ``diacritics`` imports nothing from ``ocr_pipeline`` (its own errors are re-exported by the application);
- ``vntext`` (accent folding, Roman numerals) is a leaf every layer may use; it imports nothing of ours.

Imports inside functions count as much as those at the top of a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("ocr_pipeline", "diacritics", "vntext")
MAX_LINES = 700

#: layer -> module prefixes it may import from the project besides its own modules
LAYERS: dict[str, tuple[str, ...]] = {
    "ocr_pipeline.imaging": ("ocr_pipeline.exceptions", "vntext"),
    "ocr_pipeline.structure": ("ocr_pipeline.exceptions", "vntext"),
    "diacritics": ("vntext",),
    "vntext": (),
}
PROJECT = ("ocr_pipeline", "diacritics", "dictionaries", "vntext", "tools", "tests")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield module_name(path), path


def imported_modules(name: str, path: Path) -> Iterator[tuple[int, str]]:
    """Every module ``path`` imports (relative imports resolved), with its line number."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from . import engines` imports a module
                if _is_module(f"{target}.{alias.name}"):
                    yield node.lineno, f"{target}.{alias.name}"


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> str | None:
    return next((layer for layer in LAYERS if within(module, layer)), None)


def violations(modules: list[tuple[str, Path]]) -> list[str]:
    found = []
    for name, path in modules:
        layer = layer_of(name)
        if layer is None:
            continue
        for line, target in imported_modules(name, path):
            if not any(within(target, p) for p in PROJECT):
                continue  # the standard library or a third-party package
            if within(target, layer) or any(within(target, allowed) for allowed in LAYERS[layer]):
                continue
            found.append(f"{path.relative_to(ROOT)}:{line}: {name} ({layer}) imports {target}")
    return sorted(set(found))


def test_the_layers_import_neither_the_application_nor_each_other() -> None:
    assert violations(list(project_modules())) == []


def test_the_check_finds_a_layer_importing_the_application(tmp_path: Path) -> None:
    # the check itself must be able to fail: a structure module that imports the pipeline
    fake = ROOT / "ocr_pipeline" / "structure" / "_probe_for_test.py"
    fake.write_text("from ..pipeline import process_document\nfrom . import segment\n", encoding="utf-8")
    try:
        found = violations([(module_name(fake), fake)])
    finally:
        fake.unlink()
    assert len(found) == 1 and "imports ocr_pipeline.pipeline" in found[0]


@pytest.mark.parametrize("name,path", list(project_modules()), ids=lambda v: str(v))
def test_no_module_is_longer_than_the_limit(name: str, path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines (limit {MAX_LINES}): split it by responsibility"


def test_the_shared_exit_codes_agree() -> None:
    # errors defined in diacritics carry the codes of the application's table
    from diacritics.errors import DATA_ERROR_EXIT, OUT_OF_MEMORY_EXIT
    from ocr_pipeline.exceptions import ExitCode

    assert (ExitCode.data_error, ExitCode.out_of_memory) == (DATA_ERROR_EXIT, OUT_OF_MEMORY_EXIT)
