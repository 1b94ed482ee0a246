"""Tune the restorer's decoder weights on the dev split (never on the benchmark's held-out text).

Dev material, all disjoint from what ``make bench`` reports as held out:

- **stripped**: legal-snippets ``validation`` snippets with every diacritic removed;
- **eng OCR**: the channel set ``dev`` (legal-snippets ``validation`` rendered, degraded, OCRed by Tesseract
  ``eng``) and the dev documents ``bang-mac-2024`` / ``binh-luong-2023`` OCRed the same way;
- **vie OCR**: the same pages OCRed by Tesseract ``vie``;
- **correct**: the validation snippets as they are (must not change);
- **real eng OCR**: lines 1-120 of the real 2021 district plan (English-model OCR of a real scan) against the
  project's transcription; lines 121-241 are the benchmark's held-out half.

The objective is the mean syllable error over the five kinds (each weighted equally), with the error on
correct text counted three times: leaving correct text alone matters more than one more repaired syllable.
The grid is small on purpose: only the ratio of the LM and channel weights matters (the channel weight
stays 1), plus the channel score of keeping an unknown token as written; each is varied around the default
with the other fixed (one run takes minutes); the dev split is small, so a finer search would fit noise.

Usage: ``python -m tools.tune_restorer [--shared ../shared] [--snippets 150]``; prints a table and the best
setting, and writes ``docs/TUNING.md``. With ``--pruning`` it compares the decoder's pruning settings instead
(accuracy and time per kind; a wide setting is the reference) and writes ``docs/TUNING_PRUNING.md``; with
``--ablate`` it switches the restorer's other dev-chosen settings off one at a time
(``docs/TUNING_SETTINGS.md``: its table is rewritten, the hand-written history after it kept).
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.bench_restore import snippets, strip_text, syllable_accuracy
from tools.benchlib import markdown_table

if TYPE_CHECKING:
    from diacritics.settings import RestorerSettings

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent

GRID: list[tuple[float, float]] = [
    (0.55, math.log(0.05)),
    (0.7, math.log(0.05)),
    (0.85, math.log(0.05)),
    (1.0, math.log(0.05)),
    (1.2, math.log(0.05)),
    (1.0, math.log(0.15)),
]


#: Decoder pruning settings compared by ``--pruning``: (beam, margin, candidate margin); the first is the
#: wide reference, the second the default.
PRUNING_GRID: list[tuple[int, float, float]] = [
    (12, 20.0, math.inf),
    (8, 10.0, 15.0),
    (6, 10.0, 12.0),
    (4, 8.0, 12.0),
]


def dev_sets(shared: Path, n_snippets: int) -> dict[str, list[tuple[str, str]]]:
    """``{kind: [(input, truth), ...]}`` of the dev split."""
    from tools.channel_sets import load_set

    valid = snippets(shared, "validation", n_snippets)
    sets: dict[str, list[tuple[str, str]]] = {
        "stripped": [(strip_text(t), t) for t in valid],
        "correct": [(t, t) for t in valid],
    }
    for lang in ("eng", "vie"):
        pairs = []
        for name in ("dev", "dev-bang-mac", "dev-binh-luong"):
            for page in load_set(name, lang, shared):
                pairs.append(("\n".join(page.ocr_lines), "\n".join(page.gt_lines)))
        sets[f"{lang} OCR"] = pairs
    gt = (ROOT / "tests" / "data" / "district-2021.gt.txt").read_text(encoding="utf-8").split("\n")
    ocr = (shared / "documents" / "district-2021.eng-ocr.txt").read_text(encoding="utf-8").split("\n")
    sets["real eng OCR"] = [("\n".join(ocr[:120]), "\n".join(gt[:120]))]
    return sets


def evaluate(restore: Callable[[str], str], pairs: list[tuple[str, str]]) -> float:
    """Syllable accuracy of ``restore`` over (input, truth) pairs, pooled."""
    hyp = "\n".join(restore(i) for i, _ in pairs)
    return syllable_accuracy("\n".join(t for _, t in pairs), hyp)


def tune(shared: Path, n_snippets: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run the grid; returns every row and the best one."""
    from diacritics.restorer import Restorer

    base = Restorer.default()
    sets = dev_sets(shared, n_snippets)
    rows: list[dict[str, Any]] = []
    for lm_w, keep in GRID:
        settings = replace(
            base.settings.with_tuning(keep_unknown_logprob=keep),
            weights=replace(base.settings.weights, lm=lm_w, channel=1.0),
        )
        restorer = base.with_settings(settings)
        start = time.monotonic()
        acc = {kind: evaluate(restorer.restore_text, pairs) for kind, pairs in sets.items()}
        errors = [1 - acc[k] for k in acc if k != "correct"] + [3 * (1 - acc["correct"])]
        row = {"lm": lm_w, "keep_unknown": round(math.exp(keep), 3), **acc}
        row["objective"] = sum(errors) / len(errors)
        rows.append(row)
        log.info("%s  (%.0f s)", row, time.monotonic() - start)
    best = min(rows, key=lambda r: r["objective"])
    return rows, best


#: Settings compared by ``--ablate``: the default, then each restorer setting chosen on the dev split
#: switched off (or moved), one at a time. A change names fields of ``RestorerSettings`` or of its
#: ``Tuning`` (``diacritics/settings.py``): ``gates`` moves one gated pass off the shared majority share
#: (``math.inf``: never, 0: always), ``switched_off`` turns rules off.
ABLATIONS: list[tuple[str, dict[str, Any]]] = [
    ("default", {}),
    ("no rank margin (every reading up to max_candidates)", {"rank_margin": math.inf}),
    ("rank margin 8", {"rank_margin": 8.0}),
    ("no two-letter case from the line", {"gates": {"short_word_case": math.inf}}),
    ("no word-final apostrophe as horn", {"gates": {"horn_marks": math.inf}}),
    (
        "tokens with accents, digits or symbols may come from stripped text",
        {"switched_off": frozenset({"non_letters_rule_out_stripped"})},
    ),
    ("regime fit on 150 tokens", {"regime_sample": 150}),
    ("no per-letter cost of keeping an unknown token", {"keep_letter_cost": 0.0}),
    ("per-letter keep cost 1.0", {"keep_letter_cost": 1.0}),
    (
        "a kept abbreviation scored as its own (rare) LM token",
        {"switched_off": frozenset({"rare_abbreviation_as_unknown"})},
    ),
    ("no lone digit read as a syllable", {"gates": {"lone_digits": math.inf}}),
    ("no edit-distance look-up (symspellpy) in English-model OCR", {"gates": {"spelling_lookup": math.inf}}),
    ("edit-distance look-up in every regime", {"gates": {"spelling_lookup": 0.0}}),
    ("regimes under 0.5% left out (the earlier threshold)", {"negligible_regime": 0.005}),
    ("a roman numeral may be read as another", {"switched_off": frozenset({"roman_numerals_kept"})}),
    ("a lower-case unknown word as likely a stripped-text name", {"lowercase_unknown_in_stripped": 1.0}),
    ("lower-case unknown words 0.03 of the stripped share", {"lowercase_unknown_in_stripped": 0.03}),
    ("unmarked names kept in the regime fit", {"gates": {"names_left_out_of_fit": math.inf}}),
    ("a cut final word may be completed", {"cut_final_word_completed": True}),
]

#: Where the hand-written part of docs/TUNING_SETTINGS.md starts: ``--ablate`` rewrites the table above it
#: and keeps the rest.
HISTORY_MARK = "<!-- tools/tune_restorer.py --ablate keeps what follows -->"


def with_changes(settings: RestorerSettings, change: dict[str, Any]) -> RestorerSettings:
    """``settings`` with an :data:`ABLATIONS` change: fields of ``RestorerSettings`` replaced, the others
    those of its ``Tuning``."""
    own = {f.name for f in fields(settings)}
    mine = {k: v for k, v in change.items() if k in own}
    return replace(settings, **mine).with_tuning(**{k: v for k, v in change.items() if k not in own})


def with_history(table: str, old: str) -> str:
    """The new ``--ablate`` report followed by the hand-written part of the old one (after
    :data:`HISTORY_MARK`; none if it has no mark)."""
    if HISTORY_MARK not in old:
        return table
    return table + "\n" + HISTORY_MARK + old.split(HISTORY_MARK, 1)[1]


def describe(change: dict[str, Any]) -> str:
    """An :data:`ABLATIONS` change as a table cell."""
    cells = []
    for key, value in change.items():
        if isinstance(value, dict):
            cells += [f"gate {k}={v}" for k, v in value.items()]
        elif isinstance(value, frozenset):
            cells += [f"{k} off" for k in sorted(value)]
        else:
            cells.append(f"{key}={value}")
    return ", ".join(cells) or "—"


def compare_settings(shared: Path, n_snippets: int) -> str:
    """Accuracy per kind of each :data:`ABLATIONS` row on the dev split (markdown)."""
    from diacritics.restorer import Restorer

    base = Restorer.default()
    sets = dev_sets(shared, n_snippets)
    rows = []
    for name, change in ABLATIONS:
        restorer = base.with_settings(with_changes(base.settings, change))
        cells = [f"{100 * evaluate(restorer.restore_text, pairs):.2f}%" for pairs in sets.values()]
        rows.append([name, describe(change), *cells])
        log.info("%s", rows[-1])
    table = markdown_table(["setting", "change", *sets], rows)
    return "\n".join(
        [
            "# Restorer settings, one at a time (dev split)",
            "",
            f"Made with `python -m tools.tune_restorer --ablate --snippets {n_snippets}` on "
            f"{time.strftime('%Y-%m-%d', time.gmtime())}: syllable accuracy per kind of the dev split of "
            "docs/TUNING.md for the default `RestorerSettings` and for each setting chosen on this split "
            "switched off or moved (the held-out text is never used here). Why each value was chosen, with "
            "the figures of its own run: below the table.",
            "",
            table,
            "",
        ]
    )


def compare_pruning(shared: Path, n_snippets: int) -> str:
    """Accuracy and decoding time of each :data:`PRUNING_GRID` setting on the dev split (markdown)."""
    from diacritics.restorer import Restorer

    base = Restorer.default()
    sets = dev_sets(shared, n_snippets)
    rows = []
    for beam, margin, candidate_margin in PRUNING_GRID:
        weights = replace(base.settings.weights, beam=beam, margin=margin, candidate_margin=candidate_margin)
        restorer = base.with_settings(replace(base.settings, weights=weights))
        evaluate(restorer.restore_text, sets["stripped"][:5])  # warm the shared channel caches
        cells = []
        for pairs in sets.values():
            start = time.process_time()
            acc = evaluate(restorer.restore_text, pairs)
            cells.append(f"{100 * acc:.2f}% ({time.process_time() - start:.1f} s)")
        rows.append([beam, margin, candidate_margin, *cells])
        log.info("%s", rows[-1])
    table = markdown_table(["beam", "margin", "candidate margin", *sets], rows)
    return "\n".join(
        [
            "# Decoder pruning (dev split)",
            "",
            f"Made with `python -m tools.tune_restorer --pruning --snippets {n_snippets}` on "
            f"{time.strftime('%Y-%m-%d', time.gmtime())}: syllable accuracy (and CPU seconds) per kind "
            "of the dev split of docs/TUNING.md, for the decoder's pruning settings (`DecoderWeights`: "
            "candidates per position carried into the trigram pass, bigram-pass margin, channel margin; "
            "nats). The first row is a wide reference, the second the default in `RestorerSettings`. Times "
            "include the first scoring of every distinct token by the OCR channels, shared between rows, so "
            "later rows look slightly faster.",
            "",
            table,
            "",
        ]
    )


def compare_grid(shared: Path, n_snippets: int) -> str:
    """The :data:`GRID` rows on the dev split, best first, and the best setting (markdown)."""
    rows, best = tune(shared, n_snippets)
    kinds = [k for k in rows[0] if k not in ("lm", "keep_unknown", "objective")]
    table = markdown_table(
        ["lm weight", "keep unknown", *kinds, "objective"],
        [
            [r["lm"], r["keep_unknown"], *(f"{100 * r[k]:.2f}%" for k in kinds), f"{r['objective']:.4f}"]
            for r in sorted(rows, key=lambda r: r["objective"])
        ],
    )
    return "\n".join(
        [
            "# Restorer tuning (dev split)",
            "",
            f"Generated by `python -m tools.tune_restorer --snippets {n_snippets}` on "
            f"{time.strftime('%Y-%m-%d', time.gmtime())}. Syllable accuracy on the dev split only "
            "(legal-snippets `validation`, channel set `dev`, dev documents bang-mac-2024 and "
            "binh-luong-2023, lines 1-120 of the real 2021 plan); the held-out text is never used "
            "here. Objective: mean syllable "
            "error over the kinds, "
            "the error on correct text counted three times. Rows best first.",
            "",
            table,
            "",
            f"Best: lm weight = {best['lm']} (channel weight 1), keep unknown = {best['keep_unknown']} "
            "(the defaults: `Tuning` and `RestorerSettings` in `diacritics/settings.py`).",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--snippets", type=int, default=150)
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="default: docs/TUNING.md, TUNING_PRUNING.md or TUNING_SETTINGS.md",
    )
    parser.add_argument("--pruning", action="store_true", help="compare the decoder's pruning settings")
    parser.add_argument("--ablate", action="store_true", help="switch the restorer's settings off one by one")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="tune: %(message)s", stream=sys.stderr)
    if args.ablate:
        report, name = compare_settings, "TUNING_SETTINGS.md"
    elif args.pruning:
        report, name = compare_pruning, "TUNING_PRUNING.md"
    else:
        report, name = compare_grid, "TUNING.md"
    text = report(args.shared, args.snippets)
    out = args.out or ROOT / "docs" / name
    if args.ablate and out.exists():
        text = with_history(text, out.read_text(encoding="utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
