"""The edit-distance look-up of syllable skeletons (symspellpy) and its use in English-model OCR."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from diacritics.restorer import Restorer
from diacritics.spelling import SkeletonSpeller
from diacritics.syllables import SyllableInventory


@pytest.fixture(scope="module")
def speller() -> SkeletonSpeller:
    return SkeletonSpeller(SyllableInventory.load())


def test_finds_skeletons_within_two_edits_most_frequent_first(speller: SkeletonSpeller) -> None:
    keys = speller.keys("img", 10)
    assert "ung" in keys
    inventory = SyllableInventory.load()

    def frequency(key: str) -> float:  # of the key's syllables (the speller leaves other known tokens out)
        variants = inventory.variants(key)
        return sum(math.exp(prior) for token, prior in variants if token in inventory.syllables)

    shares = [frequency(k) for k in keys]
    assert shares == sorted(shares, reverse=True)
    assert len(speller.keys("img", 3)) == 3


def test_a_skeleton_finds_itself_first_when_it_is_frequent(speller: SkeletonSpeller) -> None:
    assert speller.keys("nguoi", 5)[0] == "nguoi"


@pytest.mark.parametrize("key", ["", "tr¢", "x4", "huyén", "ab cd"])
def test_anything_but_ascii_letters_finds_nothing(speller: SkeletonSpeller, key: str) -> None:
    assert speller.keys(key, 10) == []


def test_spelling_readings_are_syllables_with_their_reason() -> None:
    readings = Restorer.default().candidate_source.spelling_readings("img")
    assert readings.get("ứng") == "spelling (ung)"
    assert all(why.startswith("spelling (") for why in readings.values())


def test_english_ocr_token_outside_the_channel_search_is_read_by_spelling(
    eng_document: Callable[[str], str],
) -> None:
    restorer = Restorer.default()
    text = eng_document("kip thoi img phé véi tinh hinh")
    assert "ứng" not in restorer.readings("img")  # the learned channel's search alone misses it
    restored = restorer.restore(text, explain=True)
    assert restored.regime["eng"] >= restorer.settings.tuning.gate("spelling_lookup")
    assert restored.text.split("\n")[-1].split()[2] == "ứng"
    last = max(d.line for d in restored.decisions)
    decision = next(d for d in restored.decisions if d.line == last and d.original == "img")
    assert decision.reason == "spelling (ung)"


def test_correct_text_does_not_use_the_spelling_readings() -> None:
    """In correct text a name in capitals stays; the look-up would make ``ODIN`` a syllable (``ĐỘI``)."""
    line = (
        "CÔNG TY CỔ PHẦN PHÁT TRIỂN GIÁO DỤC VÀ ĐÀO TẠO ODIN, CÔNG TY TNHH UNIVERSITY ACCESS CENTRE VIỆT NAM"
    )
    restorer = Restorer.default()
    assert restorer.restore(line).text == line
    everywhere = restorer.with_settings(restorer.settings.with_tuning(gates={"spelling_lookup": 0.0}))
    assert "ĐỘI" in everywhere.restore(line).text  # what the regime gate prevents
