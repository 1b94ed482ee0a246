"""The data registry: every shipped file registered, present, tagged and within its size; stale or corrupt
data refused with DataError (exit code 6)."""

from __future__ import annotations

import fnmatch
import json
import sys
from pathlib import Path

import pytest

from diacritics.errors import DataError
from diacritics.lm import LanguageModel
from diacritics.resources import (
    ENGLISH_WORDS,
    FILES,
    LM_MANIFEST,
    MAX_FILE_BYTES,
    StaleDataError,
    data_dir,
    locate,
    read_json,
    read_lines,
)
from diacritics.syllables import SyllableInventory

ROOT = Path(__file__).resolve().parent.parent
#: Files of the data package that are not data.
NOT_DATA = {"__init__.py", "README.md", "LICENSE-wikipedia-CC-BY-SA-3.0.md"}


def _shipped() -> set[str]:
    folder = data_dir()
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.name not in NOT_DATA
    }


def test_the_folder_holds_exactly_the_registered_files() -> None:
    assert _shipped() == set(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_registered_file_is_within_its_size(name: str) -> None:
    entry = FILES[name]
    size = locate(name).stat().st_size
    assert 0 < size <= entry.max_bytes <= MAX_FILE_BYTES
    assert entry.kind in ("lm", "lexicon", "channel", "precomputed")
    assert (entry.tag is None) != (entry.index is None)  # tagged, or a part of a tagged index


@pytest.mark.parametrize("name", sorted(n for n, f in FILES.items() if f.tag))
def test_every_tagged_file_carries_its_tag(name: str) -> None:
    if name.endswith(".json"):
        assert read_json(name)["format"] == FILES[name].tag
    else:
        assert read_lines(name)  # the tag line checked, and a body after it


def test_the_lm_manifest_lists_exactly_the_registered_lm_parts() -> None:
    manifest = read_json(LM_MANIFEST)
    listed = set(manifest["vocab_files"]) | {
        entry["file"] for component in manifest["components"] for entry in component["arrays"].values()
    }
    assert listed == {name for name, f in FILES.items() if f.index == LM_MANIFEST}
    assert set(manifest["inventory"]["files"]) <= set(FILES)


def test_the_readme_names_every_file() -> None:
    readme = (data_dir() / "README.md").read_text(encoding="utf-8")
    missing = [name for name in FILES if Path(name).name not in readme and not name.startswith("lm/vi_")]
    assert not missing
    assert "vi_legal_3gram.*.npy" in readme and "vi_wiki_3gram.*.npy" in readme


def test_package_data_globs_ship_every_registered_file_and_only_data() -> None:
    if sys.version_info < (3, 11):
        pytest.skip("tomllib needs Python 3.11")
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = project["tool"]["setuptools"]["package-data"]["dictionaries"]
    assert all("**" not in g for g in globs)
    shipped = {name for name in [*FILES, *NOT_DATA] if any(fnmatch.fnmatch(name, g) for g in globs)}
    assert shipped == set(FILES) | (NOT_DATA - {"__init__.py"})


def test_an_unregistered_name_is_refused() -> None:
    with pytest.raises(DataError, match="not a vnocr data file"):
        locate("lm/extra.npy")


# ------------------------------------------------------------------------------------ stale or corrupt data
def _copy_of_the_data(tmp_path: Path) -> Path:
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).symlink_to(data_dir() / name)
    return tmp_path


def _replace(path: Path, text: str) -> None:
    path.unlink()
    path.write_text(text, encoding="utf-8")


def test_a_stale_manifest_raises_data_error_with_exit_code_6(tmp_path: Path) -> None:
    folder = _copy_of_the_data(tmp_path)
    manifest = read_json(LM_MANIFEST)
    _replace(folder / LM_MANIFEST, json.dumps({**manifest, "format": "vnocr-lm/1"}))
    with pytest.raises(StaleDataError, match="has format vnocr-lm/1, this vnocr reads vnocr-lm/2") as caught:
        LanguageModel.load(folder)
    assert isinstance(caught.value, DataError) and caught.value.exit_code == 6
    with pytest.raises(StaleDataError):
        SyllableInventory.load(folder)  # the inventory reads the manifest's corpus sizes


@pytest.mark.parametrize(
    "text", ["{", "[1, 2]", json.dumps({"format": 1}), json.dumps({"format": "vnocr-case/1"})]
)
def test_a_corrupt_manifest_raises_data_error_with_exit_code_6(tmp_path: Path, text: str) -> None:
    folder = _copy_of_the_data(tmp_path)
    _replace(folder / LM_MANIFEST, text)
    with pytest.raises(DataError) as caught:
        LanguageModel.load(folder)
    assert not isinstance(caught.value, StaleDataError)
    assert caught.value.exit_code == 6


def test_text_files_are_checked_by_their_tag_line(tmp_path: Path) -> None:
    folder = _copy_of_the_data(tmp_path)
    body = "the\nof\n"
    _replace(folder / ENGLISH_WORDS, body)  # no tag line
    with pytest.raises(DataError, match="not a vnocr-english-words file"):
        read_lines(ENGLISH_WORDS, folder)
    _replace(folder / ENGLISH_WORDS, "# vnocr-english-words/0: older\n" + body)
    with pytest.raises(StaleDataError):
        read_lines(ENGLISH_WORDS, folder)
    _replace(folder / ENGLISH_WORDS, "# vnocr-english-words/1: current\n" + body)
    assert read_lines(ENGLISH_WORDS, folder) == ["the", "of"]
