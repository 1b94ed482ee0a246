"""The n-gram LM: the Kneser-Ney estimator on toy corpora, and sanity of the shipped model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diacritics.lm import SORT_THRESHOLD, Component, LanguageModel
from diacritics.resources import FILES, data_dir, data_path
from diacritics.syllables import SyllableInventory
from diacritics.tokens import SPECIALS
from ocr_pipeline.exceptions import DataError
from tools.builders.lm_kn import estimate

BITS = 16


def toy_model(sentences: Sequence[Sequence[str]], min_bigram: int = 1, min_trigram: int = 1) -> LanguageModel:
    vocab = list(SPECIALS) + sorted({w for s in sentences for w in s})
    index = {w: i for i, w in enumerate(vocab)}
    ids = np.array([index[w] for s in sentences for w in s], dtype=np.int64)
    lens = np.array([len(s) for s in sentences], dtype=np.int64)
    model = estimate(ids, lens, len(vocab), index["<s>"], index["</s>"], BITS, min_bigram, min_trigram)
    comp = Component("toy", **model.arrays())
    return LanguageModel(vocab, [comp], [1.0], BITS)


def total_probability(lm: LanguageModel, u: int, v: int, order: int) -> float:
    w = np.arange(lm.vocab_size)
    p = np.exp(lm.logprob(w, np.full_like(w, v), np.full_like(w, u), order=order))
    return float(p.sum() - p[lm.bos])


TOY = [
    ["trẻ", "em", "được", "bảo", "vệ"],
    ["trẻ", "em", "được", "chăm", "sóc"],
    ["ủy", "ban", "nhân", "dân", "xã"],
    ["ủy", "ban", "nhân", "dân", "huyện"],
    ["bảo", "vệ", "trẻ", "em"],
    ["chăm", "sóc", "trẻ", "em"],
]


@pytest.mark.parametrize(("min_bigram", "min_trigram"), [(1, 1), (1, 2), (2, 2)])
def test_toy_model_normalises_in_every_context(min_bigram: int, min_trigram: int) -> None:
    lm = toy_model(TOY, min_bigram, min_trigram)
    for u in range(lm.vocab_size):
        for v in range(lm.vocab_size):
            for order in (1, 2, 3):
                assert total_probability(lm, u, v, order) == pytest.approx(1.0, abs=1e-3)


def test_toy_model_prefers_seen_continuations() -> None:
    lm = toy_model(TOY)
    ids = lm.ids
    seen = lm.logprob(ids(["em"]), ids(["trẻ"]), ids(["<s>"]))[0]
    unseen = lm.logprob(ids(["xã"]), ids(["trẻ"]), ids(["<s>"]))[0]
    assert seen > unseen + 1.0
    assert lm.sentence_logprob("trẻ em được bảo vệ") > lm.sentence_logprob("em trẻ bảo được vệ")


LETTERS = st.sampled_from(["a", "b", "c", "d", "e", "f"])
SENTENCES = st.lists(st.lists(LETTERS, min_size=1, max_size=8), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None)
@given(SENTENCES)
def test_random_corpora_normalise(sentences: list[list[str]]) -> None:
    lm = toy_model(sentences, 1, 2)
    rng = np.random.default_rng(len(sentences))
    for u, v in rng.integers(0, lm.vocab_size, size=(4, 2)):
        assert total_probability(lm, int(u), int(v), 3) == pytest.approx(1.0, abs=1e-3)


# ---------------------------------------------------------------- the shipped model


@pytest.fixture(scope="module")
def lm() -> LanguageModel:
    return LanguageModel.load()


@pytest.mark.parametrize(
    ("good", "bad"),
    [
        ("trẻ em", "tre em"),
        ("bảo vệ trẻ em", "bao vệ trẻ em"),
        ("ủy ban nhân dân", "ủy ban nhân đân"),
        ("kế hoạch thực hiện", "kê hoạch thực hiện"),
        ("trên địa bàn huyện", "trên địa bản huyện"),
    ],
)
def test_shipped_model_prefers_the_right_tones(lm: LanguageModel, good: str, bad: str) -> None:
    assert lm.sentence_logprob(good) > lm.sentence_logprob(bad) + 3.0


@pytest.mark.parametrize(
    "context", [("ủy", "ban"), ("trẻ", "em"), ("<s>", "<s>"), ("của", "các"), ("zzz", "<num>")]
)
def test_shipped_model_normalises(lm: LanguageModel, context: tuple[str, str]) -> None:
    u, v = (lm.token_id(t) for t in context)
    for order in (1, 2, 3):
        assert total_probability(lm, u, v, order) == pytest.approx(1.0, abs=1e-3)


def test_shipped_model_api(lm: LanguageModel) -> None:
    assert (lm.bos, lm.eos, lm.unk, lm.num) == tuple(
        lm.token_id(t) for t in ("<s>", "</s>", "<unk>", "<num>")
    )
    assert lm.token_id("không-có-từ-này") == lm.unk
    assert lm.token_id("“") == lm.token_id('"')  # raw token texts are mapped to LM tokens
    assert lm.token_id("Hoà") == lm.token_id("hòa")
    ids = lm.ids(["ủy", "ban", "nhân", "dân"])
    # Broadcasting: one context, many words.
    w = lm.ids(["dân", "đân", "dan"])
    lp = lm.logprob(w, ids[2], ids[1])
    assert lp.shape == (3,) and lp[0] > lp[1] and lp[0] > lp[2]
    # Out-of-range ids are read as <unk> instead of crashing.
    assert lm.logprob(np.array([-5, 10**7]), np.array([1, 1])).shape == (2,)
    # Orders: unigram, bigram and trigram views differ in context.
    uni, bi, tri = (lm.logprob(ids[3], ids[2], ids[1], order=k) for k in (1, 2, 3))
    assert tri > bi > uni
    assert lm.logprob(ids[3]) == uni
    assert lm.perplexity([["trẻ", "em"]]) > 1.0
    assert len(lm.components) == 2 and sum(lm.weights) == pytest.approx(1.0)


def test_large_batches_take_the_sorted_path_with_the_same_results(lm: LanguageModel) -> None:
    rng = np.random.default_rng(7)
    n = SORT_THRESHOLD * 2
    w, v, u = (rng.integers(0, 3000, n) for _ in range(3))
    together = lm.logprob(w, v, u)
    in_pieces = np.concatenate(
        [lm.logprob(w[i : i + 100], v[i : i + 100], u[i : i + 100]) for i in range(0, n, 100)]
    )
    np.testing.assert_array_equal(together, in_pieces)
    np.testing.assert_array_equal(
        lm.logprob(w, v, order=2),
        np.concatenate([lm.logprob(w[i : i + 100], v[i : i + 100]) for i in range(0, n, 100)]),
    )


def test_data_dir_override_and_missing_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VNOCR_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    with pytest.raises(DataError, match="missing"):
        data_path("lm/lm_manifest.json")
    with pytest.raises(DataError):
        LanguageModel.load()
    with pytest.raises(DataError):
        SyllableInventory.load()


def _linked_copy(tmp_path: Path) -> Path:
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).symlink_to(data_dir() / name)
    return tmp_path


def test_missing_file_raises_data_error(tmp_path: Path) -> None:
    folder = _linked_copy(tmp_path)
    (folder / "lm/vi_wiki_3gram.tri_keys.npy").unlink()
    with pytest.raises(DataError, match="tri_keys"):
        LanguageModel.load(folder)


def test_corrupt_file_raises_data_error(tmp_path: Path) -> None:
    folder = _linked_copy(tmp_path)
    target = folder / "lm/vi_legal_3gram.bi_lp.npy"
    target.unlink()
    target.write_bytes(b"not a numpy file")
    with pytest.raises(DataError, match="corrupt"):
        LanguageModel.load(folder)


def test_wrong_shape_raises_data_error(tmp_path: Path) -> None:
    folder = _linked_copy(tmp_path)
    target = folder / "lm/vi_legal_3gram.uni_lp.npy"
    target.unlink()
    np.save(target, np.zeros(3, dtype=np.float32))
    with pytest.raises(DataError):
        LanguageModel.load(folder)


def test_missing_manifest_and_bad_weights_raise_data_error(tmp_path: Path) -> None:
    folder = _linked_copy(tmp_path)
    manifest = json.loads((folder / "lm/lm_manifest.json").read_text(encoding="utf-8"))
    (folder / "lm/lm_manifest.json").unlink()
    with pytest.raises(DataError, match="manifest"):
        LanguageModel.load(folder)
    manifest["components"][0]["weight"] = 0.7
    manifest["components"][1]["weight"] = 0.7
    (folder / "lm/lm_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(DataError, match="sum to 1"):
        LanguageModel.load(folder)


def test_unigram_table_equals_unigram_scoring(lm: LanguageModel) -> None:
    ids = np.array([lm.token_id(t) for t in ("trẻ", "em", "<num>", "zzz", "</s>")] + [-3, lm.vocab_size + 5])
    assert np.array_equal(lm.unigram_logprob(ids), lm.logprob(ids, order=1))


def test_i_y_spellings_score_as_the_better_of_the_two() -> None:
    lm = LanguageModel.load()
    for written, other in [
        (["quản", "lí", "các"], ["quản", "lý", "các"]),
        (["công", "ti", "cổ"], ["công", "ty", "cổ"]),
        (["kĩ", "năng", "sống"], ["kỹ", "năng", "sống"]),
    ]:
        a, b = lm.ids(written), lm.ids(other)
        assert lm.spelling_logprob(a[2:], a[1:2], a[:1]) == lm.spelling_logprob(b[2:], b[1:2], b[:1])
        assert lm.spelling_logprob(a[1:2], a[:1]) == lm.spelling_logprob(b[1:2], b[:1])
    assert lm.spelling_unigram_logprob(lm.ids(["lí"])) == lm.spelling_unigram_logprob(lm.ids(["lý"]))
    assert lm.twin[lm.token_id("lí")] == lm.token_id("lý")
    assert lm.twin[lm.token_id("năng")] == lm.token_id("năng")
    plain = lm.ids(["ủy", "ban", "nhân"])  # other words are scored as they are
    assert lm.spelling_logprob(plain[2:], plain[1:2], plain[:1]) == lm.logprob(
        plain[2:], plain[1:2], plain[:1]
    )


def test_every_spelling_combination_of_an_n_gram_scores_alike() -> None:
    lm = LanguageModel.load()
    for trigram in [("quản", "lí", "kĩ"), ("kĩ", "sĩ", "quan"), ("tỉ", "mỉ", "của")]:
        ids = [lm.token_id(t) for t in trigram]
        spellings = [{i, int(lm.twin[i])} for i in ids]
        scores = {
            float(lm.spelling_logprob([w], [v], [u])[0])
            for u in spellings[0]
            for v in spellings[1]
            for w in spellings[2]
        }
        assert len(scores) == 1, trigram
        best = max(
            float(lm.logprob(w, v, u)) for u in spellings[0] for v in spellings[1] for w in spellings[2]
        )
        assert scores.pop() == pytest.approx(best)


def test_spelling_scores_broadcast_like_the_model() -> None:
    lm = LanguageModel.load()
    words = lm.ids(["lí", "kỹ", "nhân", "quý", "dân"]).reshape(5, 1)
    before = lm.ids(["quản", "kĩ", "ủy", "sĩ"]).reshape(1, 4)
    got = lm.spelling_logprob(words, before, lm.token_id("lí"))
    assert got.shape == (5, 4)
    for a in range(5):
        for b in range(4):
            w, v = int(words[a, 0]), int(before[0, b])
            assert got[a, b] == pytest.approx(
                max(
                    float(lm.logprob(x, y, z))
                    for x in {w, int(lm.twin[w])}
                    for y in {v, int(lm.twin[v])}
                    for z in {lm.token_id("lí"), lm.token_id("lý")}
                )
            )
    assert lm.spelling_logprob(words[:, 0], order=1).shape == (5,)  # unigram: no context
