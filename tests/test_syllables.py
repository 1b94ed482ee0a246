"""Syllable rules and the shipped syllable inventory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from diacritics.normalise import normalise_syllable, split_tone
from diacritics.resources import LEGAL_SYLLABLES, LM_MANIFEST, WIKI_SYLLABLES, data_dir
from diacritics.syllables import SyllableInventory, is_valid_syllable, syllable_key, valid_syllables
from ocr_pipeline.exceptions import DataError


def _words(text: str) -> list[str]:
    return text.split()


VALID = _words(
    "người của hòa thủy ủy quý quốc quên quanh già gì gìn giếng giữa nghiêng nghe ghi kỹ kỳ ký kiếm yên yêu "
    "uyên khuya khuỷu thuở hoạch hoặc xoong ước ấy ạ ở nghĩa khuếch tuyết thuế huệ chuyện được trẻ em"
)
INVALID = _words("ka ce ghá ngé nghá cuy coa qa tềp tèc hoạk ngừơ abc xyz nguoii tre¢ đđ café kạn")


@pytest.mark.parametrize("word", VALID)
def test_valid_syllables(word: str) -> None:
    assert is_valid_syllable(word)
    assert is_valid_syllable(word.upper())


@pytest.mark.parametrize("word", INVALID)
def test_invalid_syllables(word: str) -> None:
    assert not is_valid_syllable(word)


def test_old_tone_placement_is_accepted() -> None:
    assert is_valid_syllable("hoà") and is_valid_syllable("thuỷ") and is_valid_syllable("qúy")


def test_stop_finals_take_only_sac_and_nang() -> None:
    assert {s for s in valid_syllables() if split_tone(s)[0] == "tac"} == {"tác", "tạc"}
    assert {s for s in valid_syllables() if split_tone(s)[0] == "thich"} == {"thích", "thịch"}


def test_generated_syllables_are_normalised_lowercase() -> None:
    sample = sorted(valid_syllables())[::97]
    for s in sample:
        assert s == s.lower() == normalise_syllable(s)


def test_keys() -> None:
    assert syllable_key("Người") == "nguoi"
    assert syllable_key("HĐND") == "hdnd"


# ---------------------------------------------------------------- the shipped inventory


@pytest.fixture(scope="module")
def inventory() -> SyllableInventory:
    return SyllableInventory.load()


def test_variants_sorted_by_frequency(inventory: SyllableInventory) -> None:
    nguoi = inventory.variants("nguoi")
    assert nguoi[0][0] == "người"
    assert "ngươi" in [s for s, _ in nguoi]
    for key in ("nguoi", "cua", "tre", "hoa", "thuy", "quy", "dan"):
        priors = [p for _, p in inventory.variants(key)]
        assert priors == sorted(priors, reverse=True)
        assert all(syllable_key(s) == key for s, _ in inventory.variants(key))
    assert inventory.variants("Người") == nguoi  # keys are stripped and lowercased first
    assert inventory.variants("qxzv") == []


def test_known_abbreviations(inventory: SyllableInventory) -> None:
    assert inventory.is_known("ubnd") and inventory.is_known("UBND")
    assert ("hđnd", inventory.known["hđnd"]) in inventory.variants("hdnd")
    assert not inventory.is_syllable("ubnd")
    assert inventory.is_syllable("hoà") and inventory.is_syllable("người")
    assert not inventory.is_known("cac")  # a misspelling of "các", not an abbreviation


def test_every_inventory_syllable_follows_the_rules(inventory: SyllableInventory) -> None:
    valid = valid_syllables()
    assert all(s in valid for s in inventory.syllables)
    assert len(inventory.syllables) > 5000


def test_missing_inventory_file_raises_data_error(tmp_path: Path) -> None:
    for name in (LM_MANIFEST, LEGAL_SYLLABLES):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(data_dir() / name, tmp_path / name)
    with pytest.raises(DataError, match=r"vi_wiki_syllables\.tsv"):
        SyllableInventory.load(tmp_path)


def test_malformed_inventory_file_raises_data_error(tmp_path: Path) -> None:
    for name in (LM_MANIFEST, WIKI_SYLLABLES):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(data_dir() / name, tmp_path / name)
    (tmp_path / LEGAL_SYLLABLES).write_text("# vnocr-syllables/1: header\nno tabs here\n", encoding="utf-8")
    with pytest.raises(DataError):
        SyllableInventory.load(tmp_path)
