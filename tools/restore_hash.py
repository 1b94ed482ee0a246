"""A fingerprint of the restorer's behaviour: hashes of its output on fixed dev sets.

Prints, per set, a hash of the restored text and one of the decisions (``restore_explained``), then a total
of each. Byte-identical behaviour gives identical hashes, so a refactor or a change meant for one kind of
input can show what else it moved. Sets: the dev documents of ``../shared/documents`` as they are and
stripped of their marks, the legal-snippets validation split (both ways), the golden restoration cases and
two heading lines. Needs ``../shared`` (or ``$VNOCR_SHARED``); not used by the product.

    python -m tools.restore_hash [SNIPPETS]      # default 300 validation snippets
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

import diacritics
from tools.bench.lib import strip_marks
from tools.bench.restore import snippets

ROOT = Path(__file__).resolve().parents[1]
HEADINGS = ["I. MUC DICH\n11. NHIEM VU\nIII. TO CHUC", "Cin cir Ké hoach sb 28"]


def shared_folder() -> Path:
    """``$VNOCR_SHARED``, else ``../shared`` beside the checkout."""
    return Path(os.environ.get("VNOCR_SHARED", ROOT.parent / "shared"))


def golden_inputs() -> list[str]:
    """The inputs of the golden restoration cases (``tests/golden/*.json``)."""
    inputs: list[str] = []
    for path in sorted((ROOT / "tests" / "golden").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        cases = data if isinstance(data, list) else data.get("cases", [])
        for case in cases:
            for key in ("input", "text", "in"):
                if isinstance(case, dict) and key in case:
                    inputs.append(case[key])
                    break
    return inputs


def dev_sets(shared: Path, limit: int) -> dict[str, list[str]]:
    """The named sets of texts that are hashed."""
    sets: dict[str, list[str]] = {}
    for path in sorted((shared / "documents").iterdir()):
        text = path.read_text(encoding="utf-8")
        sets[f"doc:{path.name}"] = [text]
        sets[f"doc-stripped:{path.name}"] = [strip_marks(text)]
    validation = snippets(shared, "validation", limit)
    sets["snippets"] = validation
    sets["snippets-stripped"] = [strip_marks(t) for t in validation]
    sets["golden"] = golden_inputs()
    sets["headings"] = HEADINGS
    return sets


def explained(text: str) -> tuple[str, str]:
    """``restore_explained``'s text, and every decision it records as JSON (scores rounded)."""
    result = diacritics.restore_explained(text)
    rows = [
        [
            d.line,
            d.start,
            d.original,
            d.chosen,
            round(d.confidence, 6),
            d.reason,
            [[a, round(p, 6)] for a, p in d.alternatives],
            d.review,
        ]
        for d in result.tokens
    ]
    return result.text, json.dumps(rows, ensure_ascii=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snippets", nargs="?", type=int, default=300, help="validation snippets [300]")
    args = parser.parse_args(argv)
    total_text, total_decisions = hashlib.sha256(), hashlib.sha256()
    for name, texts in dev_sets(shared_folder(), args.snippets).items():
        text_hash, decision_hash = hashlib.sha256(), hashlib.sha256()
        for text in texts:
            restored_text, decisions = explained(text)
            text_hash.update(diacritics.restore(text).encode())
            text_hash.update(restored_text.encode())
            decision_hash.update(decisions.encode())
        digests = f"text {text_hash.hexdigest()[:16]} decisions {decision_hash.hexdigest()[:16]}"
        print(f"{name:40s} {len(texts):5d} {digests}")
        total_text.update(text_hash.digest())
        total_decisions.update(decision_hash.digest())
    print("TOTAL text", total_text.hexdigest())
    print("TOTAL decisions", total_decisions.hexdigest())


if __name__ == "__main__":
    main()
