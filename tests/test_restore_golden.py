"""Golden restoration cases (ftfy style): in-the-wild, synthetic, negative; known failures are strict xfail.

The cases live in tests/golden/restore_*.json. A case listed in restore_known_failures.json is expected to
fail (strict: the day it passes, the test fails and the list must be updated).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

GOLDEN = Path(__file__).parent / "golden"


def _cases() -> list[Any]:
    known = set(json.loads((GOLDEN / "restore_known_failures.json").read_text(encoding="utf-8")))
    params = []
    for path in sorted(GOLDEN.glob("restore_*.json")):
        if path.name == "restore_known_failures.json":
            continue
        for case in json.loads(path.read_text(encoding="utf-8")):
            marks = [pytest.mark.xfail(strict=True, reason="known failure")] if case["id"] in known else []
            params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


@pytest.mark.parametrize("case", _cases())
def test_golden_case(case: dict[str, str]) -> None:
    from diacritics import restore

    got = restore(case["input"])
    assert got.strip() == case["expected"].strip()
    assert got.count("\n") == case["input"].count("\n")


def test_known_failures_exist() -> None:
    known = json.loads((GOLDEN / "restore_known_failures.json").read_text(encoding="utf-8"))
    ids = {
        c["id"]
        for p in GOLDEN.glob("restore_*.json")
        if p.name != "restore_known_failures.json"
        for c in json.loads(p.read_text(encoding="utf-8"))
    }
    assert set(known) <= ids, set(known) - ids
