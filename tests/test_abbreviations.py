"""Codes and abbreviations get their Đ back in proportion to the document's damage; the table's build."""

from __future__ import annotations

from pathlib import Path

import pytest

from diacritics import abbreviations
from diacritics.abbreviations import PARTY_CODES, AbbreviationTable, apply_fixes, is_vowelless
from diacritics.restorer import Restorer
from ocr_pipeline.exceptions import DataError
from tools.builders.abbreviations import count_runs, table_text

TABLE = AbbreviationTable({"NĐ": 330, "ND": 7, "QĐ": 176, "QD": 1, "HĐND": 185, "HDND": 1, "DH": 5, "ĐH": 2})
STRIPPED = 0.93  # share of a stripped document's words that lost their accents
CORRECT = 0.004


@pytest.mark.parametrize(
    ("run", "damaged", "expected"),
    [
        ("ND", STRIPPED, "NĐ"),
        ("QD", STRIPPED, "QĐ"),
        ("HDND", STRIPPED, "HĐND"),
        ("ND", CORRECT, None),  # correct text: written ND is meant as ND
        ("HDND", CORRECT, None),
        ("DH", STRIPPED, None),  # the plain form is the commoner one
        ("UBND", STRIPPED, None),  # a vowel: never an Đ abbreviation
        ("XYZD", STRIPPED, None),  # unheard of either way
        ("NĐ", STRIPPED, None),  # already barred
        ("DDDDD", STRIPPED, None),  # more Ds than weighed
    ],
)
def test_a_run_is_barred_only_when_counts_and_damage_say_so(
    run: str, damaged: float, expected: str | None
) -> None:
    fix = TABLE.best(run, damaged)
    assert (fix.replacement if fix else None) == expected
    if fix:
        assert 0.5 < fix.probability <= 1.0
        assert f"'{expected}'" in fix.reason


def test_codes_are_repaired_run_by_run() -> None:
    text = "100/2019/ND-CP"
    fixes = TABLE.repair(text, STRIPPED)
    assert [(f.start, f.original, f.replacement) for f in fixes] == [(9, "ND", "NĐ")]
    assert apply_fixes(text, fixes) == "100/2019/NĐ-CP"
    assert apply_fixes("12/QD-UBND", TABLE.repair("12/QD-UBND", STRIPPED)) == "12/QĐ-UBND"
    assert TABLE.repair("Nd-cp", STRIPPED) == []  # not capitals


def test_vowelless() -> None:
    assert is_vowelless("HĐND") and is_vowelless("LĐTBXH")
    assert not is_vowelless("UBND") and not is_vowelless("ĐỊA")


def test_restorer_fixes_codes_in_stripped_text_and_keeps_them_in_correct_text() -> None:
    shipped = Restorer.default()
    restorer = Restorer(
        shipped.lm, shipped.inventory, shipped.channels, case_slips=shipped.case_slips, abbreviations=TABLE
    )
    stripped = restorer.restore(
        "can cu nghi dinh so 100/2019/ND-CP cua chinh phu ve cong tac tre em nam 2021"
    )
    assert "100/2019/NĐ-CP" in stripped.text
    decision = next(d for d in stripped.decisions if d.original == "100/2019/ND-CP")
    assert decision.chosen == "100/2019/NĐ-CP" and "abbreviation" in decision.reason
    # a correct document (the hand transcription of the 2021 plan) citing a code written without its bar
    plan = (Path(__file__).parent / "data" / "district-2021.gt.txt").read_text(encoding="utf-8")
    correct = "\n".join(plan.split("\n")[10:40]) + "\nCăn cứ Nghị định số 100/2019/ND-CP của Chính phủ."
    assert "ND-CP" in restorer.restore(correct).text


def test_build_counts_barred_runs_and_their_plain_twins() -> None:
    texts = ["Nghị định 1/2019/NĐ-CP và NĐ 2, HĐND xã; ND ở đây", "UBND DH ĐỊA QĐ"]
    counts, endings = count_runs(texts)
    found = {run: n for run, n in counts.items() if run not in PARTY_CODES}
    assert found == {"NĐ": 2, "ND": 1, "HĐND": 1, "QĐ": 1}  # UBND, DH, ĐỊA: vowels or no barred twin
    assert all(counts[code] == 1 for code in PARTY_CODES)  # known codes, unseen here
    assert endings == {}  # "ĐND", "ND" in HĐND: shorter than an ending counted on its own


def test_party_codes_with_a_vowel_are_counted_inside_codes_only() -> None:
    counts, _ = count_runs(["DU LỊCH, DU LỊCH", "Nghị quyết 05-NQ/ĐU, 06-NQ/ĐU và 07-NQ/DU"])
    assert counts["ĐU"] == 2 and counts["DU"] == 1


def test_build_counts_the_endings_of_longer_runs() -> None:
    counts, endings = count_runs(["Bộ LĐTBXH: 5/2020/TT-BLĐTBXH", "BLĐTBXH; SGDĐT và BGDĐT"])
    assert {run: n for run, n in counts.items() if run not in PARTY_CODES} == {
        "BLĐTBXH": 2,
        "LĐTBXH": 1,
        "SGDĐT": 1,
        "BGDĐT": 1,
    }
    # ĐTBXH ends BLĐTBXH twice and LĐTBXH once; TBXH has no Đ, DĐT is too short
    assert endings == {"LĐTBXH": 2, "ĐTBXH": 3, "GDĐT": 2}


TABLE_WITH_ENDINGS = AbbreviationTable({"BLĐTBXH": 7, "LĐ": 6}, {"LĐTBXH": 7, "ĐTBXH": 7})


@pytest.mark.parametrize(
    ("run", "damaged", "expected"),
    [
        ("LDTBXH", STRIPPED, "LĐTBXH"),  # seen only as the ending of BLĐTBXH
        ("SLDTBXH", STRIPPED, "SLĐTBXH"),  # never seen: backs off to its ending LDTBXH
        ("PLDTBXH", STRIPPED, "PLĐTBXH"),
        ("SLDTBXH", CORRECT, None),  # correct text: as written
        ("DSTBXH", STRIPPED, None),  # the D is outside every seen ending
        ("SLD", STRIPPED, None),  # "LD" is too short an ending to back off to
    ],
)
def test_an_unseen_run_backs_off_to_its_longest_seen_ending(
    run: str, damaged: float, expected: str | None
) -> None:
    fix = TABLE_WITH_ENDINGS.best(run, damaged)
    assert (fix.replacement if fix else None) == expected
    if fix and run != "LDTBXH":
        assert "its ending 'LĐTBXH'" in fix.reason


def test_built_table_loads_and_a_corrupt_one_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VNOCR_DATA_DIR", str(tmp_path))
    abbreviations._load_cached.cache_clear()
    try:
        (tmp_path / abbreviations.TABLE).parent.mkdir()
        (tmp_path / abbreviations.TABLE).write_text(
            table_text(*count_runs(["NĐ NĐ ND BLĐTBXH"])), encoding="utf-8"
        )
        table = AbbreviationTable.load()
        assert table.counts == {"NĐ": 2, "ND": 1, "BLĐTBXH": 1, **dict.fromkeys(PARTY_CODES, 1)}
        assert table.endings == {"LĐTBXH": 1, "ĐTBXH": 1}
        abbreviations._load_cached.cache_clear()
        (tmp_path / abbreviations.TABLE).write_text("NĐ\t2\n", encoding="utf-8")
        with pytest.raises(DataError, match="not a vnocr-abbreviations file"):
            AbbreviationTable.load()
        abbreviations._load_cached.cache_clear()
        (tmp_path / abbreviations.TABLE).unlink()
        with pytest.raises(DataError, match="missing"):
            AbbreviationTable.load()
    finally:
        abbreviations._load_cached.cache_clear()


def test_shipped_table_holds_the_common_codes() -> None:
    counts = AbbreviationTable.load().counts
    assert counts["NĐ"] > 10 * counts.get("ND", 0)
    assert counts["QĐ"] > 10 * counts.get("QD", 0)
    assert AbbreviationTable.load().count("LĐTBXH") > 0  # the labour ministry's field, inside BLĐTBXH
