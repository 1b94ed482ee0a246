"""The skeleton search (:mod:`diacritics.skeleton_search`) over the shipped channels: its answers, its
build-time memo, and its batched searches."""

from __future__ import annotations

import pytest

from diacritics import skeleton_search
from diacritics.channel_tables import load_table
from diacritics.char_channel import CharChannel


@pytest.fixture(scope="module")
def eng() -> CharChannel:
    return CharChannel.load("eng")


@pytest.mark.parametrize(
    ("observed", "skeleton"),
    [("chirc", "chuc"), ("t6", "to"), ("cia", "cua"), ("hoach", "hoach"), ("nguoi", "nguoi")],
)
def test_shipped_eng_skeleton_keys(eng: CharChannel, observed: str, skeleton: str) -> None:
    assert skeleton in eng.skeleton_keys(observed)[:3]


@pytest.mark.parametrize("engine", ["eng", "vie"])
def test_shipped_memo_matches_the_search(engine: str) -> None:
    # The memo is a cache of the skeleton search made at build time: it must give exactly what the search
    # gives now (a stale memo after a change of the search or the table would silently change results).
    channel = CharChannel.load(engine)
    memo = list(channel.search.memo.items())
    assert len(memo) > 1000
    for observed, keys in memo[:: max(1, len(memo) // 40)]:
        assert channel.search_skeleton_keys(observed, len(keys)) == keys, observed


@pytest.mark.parametrize("cells", [4_000_000, 5_000])
@pytest.mark.parametrize("engine", ["eng", "vie"])
def test_skeleton_searches_together_find_what_one_at_a_time_finds(
    engine: str, cells: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """:meth:`CharChannel.prefetch_skeleton_keys` runs many tokens' beam searches side by side; each token
    must get exactly the skeletons its own search gives (tokens of one length share a batch, or several when
    the batch would be too large: 5,000 cells make batches of one to a few tokens)."""
    monkeypatch.setattr(skeleton_search, "_SEARCH_CELLS", cells)
    tokens = ["chirc", "t6", "duogc", "vièc", "ngiròi", "hoat", "xãhội", "sldtbxh", "qé", "pang", "b1"]
    tokens += [f"{t}{t}" for t in tokens] + ["đ", "ươi", "x" * 14, "val00%"]
    alone = CharChannel(load_table(engine, "char_channel"))
    together = CharChannel(load_table(engine, "char_channel"))
    together.prefetch_skeleton_keys(tokens * 2)
    for token in tokens:
        assert token in together.search.searched or token in together.search.memo
        assert together.skeleton_keys(token) == alone.search_skeleton_keys(token, 10), token
