"""Two runs of the synthetic OCR bench compared page by page and edit by edit against the truth.

``dump`` writes the scan set's page texts at this tree's code (the ``pipeline-vie`` OCR text, and the
restored text as the bench makes it), read from the OCR bench's cache (pages not cached are OCR'd and
cached as ``python -m tools.bench --only ocr`` would). ``compare A B`` lists, for every page whose text
differs between two dumps, the edits against the truth that one run makes and the other does not, and
sums the edits per split. To compare with an older commit, make the dump there (a worktree of that
commit, this file copied in) or write ``{image: {"pipe": text, "restored": text}}`` by other means.

    python -m tools.bench.ocr_edits dump runs/main.json
    python -m tools.bench.ocr_edits compare runs/old.json runs/main.json [--text restored] [--page lang-son]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from tools.bench.lib import BenchContext, normalise_for_scoring

ROOT = Path(__file__).resolve().parents[2]
#: Edits of the truth this close (characters) are reported as one.
JOIN_GAP = 2
#: Characters of the truth shown either side of an edit.
CONTEXT = 25


@dataclass(frozen=True)
class Edit:
    """One difference from the truth: ``truth[start:end]`` read as ``read``."""

    start: int
    end: int
    read: str

    def show(self, truth: str) -> str:
        """The edit in its context of the truth, on one line."""
        before = truth[max(0, self.start - CONTEXT) : self.start]
        after = truth[self.end : self.end + CONTEXT]
        return f"@{self.start}: …{before}[{truth[self.start : self.end]!r}→{self.read!r}]{after}…"


def edits(truth: str, text: str) -> list[Edit]:
    """The edits that turn ``truth`` into ``text`` (both normalised for scoring), nearby ones joined."""
    spans: list[list[int]] = []
    for op in Levenshtein.opcodes(truth, text):
        if op.tag == "equal":
            continue
        if spans and op.src_start - spans[-1][1] <= JOIN_GAP:
            spans[-1][1], spans[-1][3] = op.src_end, op.dest_end
        else:
            spans.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    return [Edit(s, e, text[ds:de]) for s, e, ds, de in spans]


def dump(ctx: BenchContext, out: Path) -> None:
    """Write the scan set's truth, split, OCR and restored texts at this tree's code to ``out``."""
    from tools.bench import ocr

    pages = ocr.build_scan_set(ctx)
    results = ocr.ocr_results(ctx, pages, (ocr.PIPE_VIE,))
    records = {p.image: results[(p.image, ocr.PIPE_VIE.name)] for p in pages}
    restored, note, _ = ocr.restore_texts(pages, records)
    rows = {
        p.image: {
            "split": p.split,
            "truth": p.truth,
            "pipe": records[p.image]["text"],
            "restored": restored[p.image] if restored else None,
            "log": records[p.image]["log"],
        }
        for p in pages
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(rows)} pages written to {out} (restoration: {note})")


def compare(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]], key: str, page: str) -> str:
    """The report of the edits that differ between two dumps (truth and split taken from ``after``)."""
    lines: list[str] = []
    totals: dict[str, list[int]] = {}
    for image, row in sorted(after.items()):
        if page not in image or image not in before:
            continue
        truth = normalise_for_scoring(row["truth"])
        old, new = (normalise_for_scoring(run[image][key] or "") for run in (before, after))
        counts = totals.setdefault(row["split"], [0, 0])
        old_count, new_count = Levenshtein.distance(truth, old), Levenshtein.distance(truth, new)
        counts[0] += old_count
        counts[1] += new_count
        if old == new:
            continue
        old_edits, new_edits = set(edits(truth, old)), set(edits(truth, new))
        lines.append(
            f"{image} [{row['split']}] edits {old_count} -> {new_count} ({new_count - old_count:+d})"
        )
        lines += [f"  gone {e.show(truth)}" for e in sorted(old_edits - new_edits, key=lambda e: e.start)]
        lines += [f"  new  {e.show(truth)}" for e in sorted(new_edits - old_edits, key=lambda e: e.start)]
    for split, (old_count, new_count) in sorted(totals.items()):
        lines.append(f"{split}: edits {old_count} -> {new_count} ({new_count - old_count:+d})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dumping = sub.add_parser("dump", help="write this tree's page texts")
    dumping.add_argument("out", type=Path)
    dumping.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    dumping.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    comparing = sub.add_parser("compare", help="edits that differ between two dumps")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    comparing.add_argument("--text", choices=("pipe", "restored"), default="pipe")
    comparing.add_argument("--page", default="", help="only the pages whose image name holds this")
    args = parser.parse_args(argv)
    if args.command == "dump":
        dump(BenchContext(shared=args.shared.resolve(), cache=args.cache.resolve()), args.out)
        return 0
    before, after = (json.loads(p.read_text(encoding="utf-8")) for p in (args.before, args.after))
    print(compare(before, after, args.text, args.page))
    return 0


if __name__ == "__main__":
    sys.exit(main())
