"""Batch-level adaptation (diacritics.batch_adapt): documents of an unknown engine restored together, in the
API (restore_together) and in ``vnocr batch`` (a second pass over the legacy-regime documents)."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from diacritics.adapt import generic_proposals, learn
from diacritics.batch_adapt import (
    CACHE_WEIGHT,
    BatchEvidence,
    NgramCache,
    better,
    pool,
    similarity,
)

#: Two pages of one legacy engine (a scanner's OCR without Vietnamese: digits and dropped letters).
LEGACY_PAGES = (
    "Thoc hien Cong van s6 2114/BGDDT ngay 16/5/2019 cua Bo GD&DT ve viec bao dam trat tu\n"
    "an toan giao thong cho h9c sinh, sinh vien trong dip nghi he va ky thi THPT quoc gia;\n"
    "Hieu truemg cac truemg THPT, truemg true thuOc, cac th8ng tin tuyen truy'en tai nan\n"
    "giao thong duemg bo, truemg hop h9c sinh vi pham; cac truemg tang cuong quan ly h9c sinh\n"
    "va ph6i hop v6i cac co quan; cac truemg bao cao ket qua v6 So truoc ngay 30/6/2019.",
    "Can cu Thong bao s6 496-TB/TU cua Thanh uy; cac truemg chu dong ph6i hop v6i cong an\n"
    "trong c6ng tac bao dam an toan giao th8ng; Hieu truemg cac truemg bao cao v6 S6 Giao duc\n"
    "va Dao tao; cac h9c sinh tham gia giao thong chap hanh nghiem quy dinh cua phap luat;\n"
    "cac truemg t6 chuc tuyen truyen cho h9c sinh ve an toan giao thong trong dip nghi he.",
)
CORRECT = "Các trường học tăng cường tuyên truyền về an toàn giao thông cho học sinh, sinh viên."


def _ids(words: dict[str, int]) -> tuple[NgramCache, dict[str, int]]:
    grams: Counter[tuple[str, ...]] = Counter(
        {("a",): 3, ("b",): 2, ("c",): 1, ("a", "b"): 2, ("a", "c"): 1, ("x", "a", "b"): 2}
    )
    cache = NgramCache.build(grams, lambda w: words.get(w, 0), vocab_size=10, unk=0)
    return cache, words


def test_the_cache_prefers_the_batch_s_continuations() -> None:
    cache, ids = _ids({"a": 1, "b": 2, "c": 3, "x": 4})
    w = np.array([ids["b"], ids["c"]])
    p = cache.probability(w, np.array([ids["a"]] * 2), np.array([ids["x"]] * 2))
    assert p[0] > p[1] > 0
    assert cache.probability(np.array([5]))[0] == 0  # a word the batch never read
    lm = np.array([-6.0, -6.0])
    mixed = cache.mixed(lm, p)
    assert mixed[0] > mixed[1] > lm[1]
    assert mixed[0] == pytest.approx(math.log(CACHE_WEIGHT * p[0]))
    # the cache only ever raises a score: an n-gram the LM likes more, or one the batch lacks, keeps its own
    assert cache.mixed(np.array([-0.5]), np.array([0.5]))[0] == -0.5
    assert cache.mixed(np.array([-2.0]), np.array([0.0]))[0] == -2.0


def test_pooling_weighs_documents_by_the_likeness_of_their_rewrites() -> None:
    a = BatchEvidence("legacy", [("th8ng", "thong"), ("h9c", "hoc")], ngrams=Counter({("học",): 1}))
    b = BatchEvidence("legacy", [("ng8i", "ngoi"), ("s6", "so")], ngrams=Counter({("sinh",): 2}))
    c = BatchEvidence("legacy", [("hin", "hien")])
    contexts = pool([a, None, b, c])
    assert contexts[1] is None
    context = contexts[0]
    assert context is not None
    weights = {id(e): w for e, w in context.pooled}
    assert weights[id(b)] > weights.get(id(c), 0.0)  # b also writes a digit for a vowel
    # others alike in every rewrite would weigh as much as its own pairs; these are only partly alike
    assert 0 < sum(w * len(e.pairs) for e, w in context.pooled) < len(a.pairs)
    assert context.ngrams[("học",)] == 1 and 0 < context.ngrams[("sinh",)] < 2  # b's by its likeness
    assert context.key == pool([a, b, c])[0].key != pool([a, b])[0].key  # type: ignore[union-attr]
    assert similarity(Counter(), a.rewrite_profile()) == 0.0


def test_evidence_survives_its_batch_state_file() -> None:
    e = BatchEvidence("legacy", [("h9c", "hoc")], ["ngay"], Counter({("<s>", "học"): 2}), score=-0.25)
    again = BatchEvidence.from_dict(json.loads(json.dumps(e.to_dict())))
    assert again == e
    assert better(e, BatchEvidence("legacy", score=-0.1))
    assert not better(e, BatchEvidence("legacy", score=-0.3))
    assert not better(e, None)


def test_the_generic_channel_reaches_letters_no_rule_explains() -> None:
    from diacritics.restorer import Restorer

    keys = Restorer.default().candidate_source.spelling_keys
    model = learn([("th8ng", "thong")])
    found = generic_proposals("chirc", model, keys)  # a substitution and a deletion
    assert "chuc" in found
    assert "nghiem" in generic_proposals("nghiern", model, keys)  # rn for m
    assert "hoc" in generic_proposals("h9c", model, keys)  # a digit for a vowel, then the speller
    learned = learn([("th8ng", "thong"), ("chirc", "chuc"), ("thirc", "thuc")])
    assert generic_proposals("chirc", learned, keys)["chuc"] > found["chuc"]  # EM: learned, then likelier


def test_restoring_together_leaves_other_regimes_alone_and_codes_as_written() -> None:
    from diacritics import restore_explained, restore_together

    english_ocr = "Ke hoach trien khai cong tac phong chong dich nim 2021 cia UBND huyen."
    texts = [CORRECT, *LEGACY_PAGES, english_ocr]
    together = restore_together(texts)
    assert len(together) == len(texts)
    assert together[0].text == CORRECT
    assert together[3].text == restore_explained(english_ocr, explain=False).text
    assert "496-TB/TU" in together[2].text
    alone_texts = [restore_explained(t, explain=False) for t in texts]
    for text, alone, joint in zip(texts, alone_texts, together, strict=True):
        assert joint.text.count("\n") == text.count("\n")
        assert len(joint.text.split()) == len(text.split())
        assert alone.text.count("trường") <= joint.text.count("trường") + 1


def _write_inputs(folder: Path) -> None:
    folder.mkdir()
    for k, page in enumerate(LEGACY_PAGES):
        (folder / f"legacy{k}.txt").write_text(page, encoding="utf-8")
    (folder / "correct.txt").write_text(CORRECT, encoding="utf-8")


def test_a_batch_restores_its_legacy_documents_again_and_resumes(tmp_path: Path) -> None:
    from ocr_pipeline.batch import read_manifest, run_batch
    from ocr_pipeline.jobs import BATCH_FOLDER
    from ocr_pipeline.options import ProcessOptions

    inputs, out = tmp_path / "in", tmp_path / "out"
    _write_inputs(inputs)
    summary = run_batch(inputs, out, ProcessOptions(), jobs=1, formats=("txt", "json"))
    assert summary.ok == 3 and summary.failed == 0
    states = sorted(p.name for p in (out / BATCH_FOLDER).iterdir())
    assert states == ["legacy0.json", "legacy1.json"]  # the correct text is in no legacy regime
    for name in states:
        state = json.loads((out / BATCH_FOLDER / name).read_text(encoding="utf-8"))
        assert state["second_pass"]["pool"] and isinstance(state["second_pass"]["applied"], bool)
        record = json.loads((out / name).read_text(encoding="utf-8"))
        assert ("batch_pass" in record["restoration"]) == state["second_pass"]["applied"]
    applied = [json.loads((out / BATCH_FOLDER / n).read_text("utf-8"))["second_pass"] for n in states]
    assert summary.readapted == sum(a["applied"] for a in applied)
    assert json.loads((out / "correct.json").read_text(encoding="utf-8"))["text"].strip() == CORRECT
    assert "496-TB/TU" in (out / "legacy1.txt").read_text(encoding="utf-8")
    assert set(read_manifest(out)) == {"legacy0.txt", "legacy1.txt", "correct.txt"}
    again = run_batch(inputs, out, ProcessOptions(), jobs=1, formats=("txt", "json"))
    assert again.skipped == 3 and again.readapted == 0  # nothing new: no second pass again
    (inputs / "correct2.txt").write_text(CORRECT, encoding="utf-8")
    more = run_batch(inputs, out, ProcessOptions(), jobs=1, formats=("txt", "json"))
    assert more.ok == 1 and more.readapted == 0  # a text in no legacy regime changes no pool


def test_the_second_pass_can_be_switched_off(tmp_path: Path) -> None:
    from ocr_pipeline.batch import run_batch
    from ocr_pipeline.jobs import BATCH_FOLDER
    from ocr_pipeline.options import ProcessOptions

    inputs, out = tmp_path / "in", tmp_path / "out"
    _write_inputs(inputs)
    summary = run_batch(inputs, out, ProcessOptions(), jobs=1, formats=("txt", "json"), batch_adapt=False)
    assert summary.ok == 3 and summary.readapted == 0
    assert not (out / BATCH_FOLDER).exists()
    record = json.loads((out / "legacy0.json").read_text(encoding="utf-8"))
    assert "batch_pass" not in record["restoration"]


def test_the_cli_flag_switches_the_second_pass_off(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ocr_pipeline.cli import main
    from ocr_pipeline.jobs import BATCH_FOLDER

    inputs, out = tmp_path / "in", tmp_path / "out"
    _write_inputs(inputs)
    off = CliRunner().invoke(main, ["batch", str(inputs), str(out), "-j", "1", "--no-batch-adapt"])
    assert off.exit_code == 0, off.output
    assert not (out / BATCH_FOLDER).exists() and "restored again" not in off.output
    args = ["batch", str(inputs), str(tmp_path / "on"), "-j", "1", "--formats", "txt,json"]
    on = CliRunner().invoke(main, args)
    assert on.exit_code == 0, on.output
    assert (tmp_path / "on" / BATCH_FOLDER / "legacy0.json").is_file()
