"""Benchmark: memory and throughput of ``vnocr restore`` on a large text (streamed restoration).

Usage: python -m tools.bench.stream [--shared ../shared] [--size-mb 50] [--cache .cache/bench]

Builds a text of the requested size from the dev documents (``documents/*``, each followed by a blank line,
repeated), runs ``vnocr restore FILE -o OUT`` on it in a subprocess, samples the memory of its process tree
(``vnocr`` and the child process that restores) from ``/proc`` (proportional set size), reads the largest
process's peak resident memory from ``getrusage`` (children), and checks that the output has the input's line
breaks. ``run(ctx)`` is the section of the benchmark suite (2 MB with ``--quick``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tools.bench.lib import BenchContext, BenchSection, markdown_table

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
#: Input size of the full run, and of a quick one.
FULL_MB = 50
QUICK_MB = 2
#: Peak memory the streamed restoration must stay under, whatever the input size (issue 25).
MEMORY_LIMIT_MB = 500


@dataclass
class StreamMeasure:
    """One run of ``vnocr restore`` on a large text.

    Attributes:
        input_mb: Input size (MB, 10^6 bytes).
        seconds: Wall time of the run.
        peak_rss_mb: Peak resident memory of the largest process of the run (``vnocr`` or the child process
            that restores), from getrusage.
        peak_tree_mb: Peak memory of the whole process tree, by proportional set size (shared pages counted
            once), sampled every ``interval`` seconds.
        rss_samples_mb: The tree's memory over the run (first, quarter, half, 3/4 and last sample).
        same_line_breaks: The output has exactly the input's line breaks.
        exit_code: The command's exit code.
    """

    input_mb: float
    seconds: float
    peak_rss_mb: float
    peak_tree_mb: float = 0.0
    rss_samples_mb: list[float] = field(default_factory=list)
    same_line_breaks: bool = False
    exit_code: int = 0

    @property
    def mb_per_minute(self) -> float:
        """Throughput: input megabytes restored per minute."""
        return self.input_mb / self.seconds * 60 if self.seconds else 0.0


def build_text(shared: Path, size_bytes: int, path: Path) -> Path:
    """Write a text of at least ``size_bytes`` bytes made of the dev documents, one after another, each
    followed by a blank line, repeated (reused when it exists with that size)."""
    documents = sorted((shared / "documents").glob("*.md")) + sorted((shared / "documents").glob("*.txt"))
    if not documents:
        raise FileNotFoundError(f"{shared}/documents: no dev documents")
    texts = [doc.read_bytes().rstrip(b"\n") + b"\n\n" for doc in documents]
    if path.is_file() and path.stat().st_size >= size_bytes:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("wb") as fh:
        while written < size_bytes:
            for text in texts:
                fh.write(text)
                written += len(text)
    return path


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from ``/proc/PID/task/PID/children``)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError, ValueError):
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
    return found


def _pss_kb(pid: int) -> int:
    """Proportional set size of a process (its own pages, plus its share of pages shared with others)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


def measure(text: Path, *, vnocr: list[str] | None = None, interval: float = 1.0) -> StreamMeasure:
    """Run ``vnocr restore`` on ``text`` in a subprocess and measure its memory and time."""
    command = vnocr or [sys.executable, "-m", "ocr_pipeline.cli"]
    out = text.with_suffix(".restored.txt")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    proc = subprocess.Popen([*command, "restore", str(text), "-o", str(out)], stderr=subprocess.PIPE)
    samples: list[int] = []
    while proc.poll() is None:
        pss = sum(_pss_kb(pid) for pid in _tree(proc.pid))
        if pss:
            samples.append(pss)
        time.sleep(interval)
    seconds = time.monotonic() - start
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kb <= before:  # an earlier child had a higher peak: the samples are the best figure left
        peak_kb = max(samples, default=0)
    same = False
    if proc.returncode == 0:
        same = _line_breaks(text) == _line_breaks(out)
    else:
        log.error("vnocr restore failed (%d): %s", proc.returncode, stderr.strip()[-500:])
    picks = [samples[round(q * (len(samples) - 1))] for q in (0, 0.25, 0.5, 0.75, 1)] if samples else []
    out.unlink(missing_ok=True)
    return StreamMeasure(
        input_mb=round(text.stat().st_size / 1e6, 2),
        seconds=round(seconds, 1),
        peak_rss_mb=round(peak_kb / 1024, 1),
        peak_tree_mb=round(max(samples, default=0) / 1024, 1),
        rss_samples_mb=[round(kb / 1024, 1) for kb in picks],
        same_line_breaks=same,
        exit_code=proc.returncode,
    )


def _line_breaks(path: Path) -> list[int]:
    """The file's count of line breaks and of blank lines (restoration changes neither)."""
    lines = blank = 0
    with path.open("rb") as fh:
        for line in fh:
            lines += line.endswith(b"\n")
            blank += not line.strip()
    return [lines, blank]


def _vnocr_command() -> list[str]:
    installed = ROOT / ".venv" / "bin" / "vnocr"
    if installed.exists():
        return [str(installed)]
    found = shutil.which("vnocr")
    return [found] if found else [sys.executable, "-m", "ocr_pipeline.cli"]


def run(ctx: BenchContext) -> BenchSection:
    """The benchmark section: streamed restoration of a 50 MB text (2 MB with ``--quick``)."""
    size_mb = QUICK_MB if ctx.quick else FULL_MB
    text = build_text(ctx.shared, size_mb * 1_000_000, ctx.cache / f"stream-{size_mb}mb.txt")
    result = measure(text, vnocr=_vnocr_command())
    rows = [
        [
            f"{result.input_mb:.1f} MB",
            f"{result.seconds:.0f} s",
            f"{result.mb_per_minute:.2f} MB/min",
            f"{result.peak_rss_mb:.0f} MB",
            f"{result.peak_tree_mb:.0f} MB",
            " → ".join(f"{v:.0f}" for v in result.rss_samples_mb),
            "yes" if result.same_line_breaks else "NO",
        ]
    ]
    markdown = (
        f"`vnocr restore` of a text built from the dev documents (repeated), streamed block by block; "
        f"the peak must stay under {MEMORY_LIMIT_MB} MB whatever the size.\n\n"
        + markdown_table(
            [
                "input",
                "time",
                "throughput",
                "peak RSS (largest process)",
                "peak PSS (all processes)",
                "PSS over the run (MB)",
                "same line breaks",
            ],
            rows,
        )
    )
    return BenchSection(
        title="Streamed restoration: memory and throughput",
        command=f"python -m tools.bench.stream --size-mb {size_mb}",
        markdown=markdown,
        results={**asdict(result), "mb_per_minute": round(result.mb_per_minute, 3)},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--size-mb", type=float, default=FULL_MB)
    parser.add_argument("--text", type=Path, help="restore this text instead of one built from the documents")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s", stream=sys.stderr)
    size = int(args.size_mb * 1_000_000)
    text = args.text or build_text(args.shared, size, args.cache / f"stream-{args.size_mb:g}mb.txt")
    result = measure(text, vnocr=_vnocr_command())
    print(json.dumps({**asdict(result), "mb_per_minute": round(result.mb_per_minute, 3)}, indent=1))
    ok = result.exit_code == 0 and result.same_line_breaks and result.peak_tree_mb < MEMORY_LIMIT_MB
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
