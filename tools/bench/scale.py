"""Scale benchmark (issue 22): where a page's time goes, workers' speed-up, memory of a page task.

Self-contained (synthetic pages typeset from ``tests/data/district-2021.gt.txt``; no ../shared):

    python -m tools.bench.scale all                     # the three below, about 15 min on 2 idle cores
    python -m tools.bench.scale profile --pages 100     # stage times, raw tesseract, CER, pages/core-minute
    python -m tools.bench.scale workers --pages 20      # one 20-page PDF: -j 1 vs -j 2 (and Dask 1 vs 2)
    python -m tools.bench.scale workers --trace         # the same, with each run's task trace read
    python -m tools.bench.scale memory                  # peak memory of an A3 page at 600 dpi, by stage

Times are CPU seconds (user + system of the process and its finished children: Tesseract, pdftoppm) where
the machine is shared: they grow little with other people's load. Pages per core-minute are 60 / CPU seconds
per page. Speed-ups are wall-clock and printed with the load average and what two processes gain on the
machine at the time. Targets: 2 workers >= 1.85x one on a 20-page PDF (Dask: 1.8x); pipeline >= 1.0x raw
``tesseract -l vie`` pages per core-minute on >= 100 pages, CER unchanged; <= 400 MB per worker on A3 at
600 dpi.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[2]
GROUND_TRUTH = ROOT / "tests" / "data" / "district-2021.gt.txt"


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract, pdftoppm)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def synthetic_pdf(path: Path, pages: int, dpi: int = 300) -> list[str]:
    """A scanned-looking PDF of ``pages`` typeset pages (JPEG); the ground truth text of each page."""
    from tools.synthetic import paragraphs_from_text, render_pages, write_pdf

    paragraphs = paragraphs_from_text(GROUND_TRUTH.read_text(encoding="utf-8"))
    rendered = render_pages(paragraphs, dpi=dpi)
    chosen = [rendered[i % len(rendered)] for i in range(pages)]
    write_pdf([page.image for page in chosen], path, dpi, jpeg_quality=85)
    return ["\n".join(page.lines) for page in chosen]


def cer(text: str, truth: str) -> float:
    a, b = " ".join(text.split()), " ".join(truth.split())
    return Levenshtein.distance(a, b) / max(1, len(b))


@contextmanager
def timed(totals: dict[str, float], name: str) -> Iterator[None]:
    start = cpu_seconds()
    yield
    totals[name] = totals.get(name, 0.0) + cpu_seconds() - start


def tesseract_text(image_file: Path, dpi: int) -> str:
    """``tesseract IMAGE stdout -l vie --dpi DPI``, one thread, as a user would run it on a page image."""
    proc = subprocess.run(
        ["tesseract", str(image_file), "stdout", "-l", "vie", "--dpi", str(dpi)],
        capture_output=True,
        text=True,
        env=dict(os.environ, OMP_THREAD_LIMIT="1"),
        check=True,
    )
    return proc.stdout


def render_grey(pdf: Path, number: int, dpi: int, folder: Path) -> Path:
    """``pdftoppm -r DPI -gray`` of one page (what a user with a PDF runs before Tesseract): its PGM file."""
    base = folder / f"page-{number}"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-f", str(number), "-l", str(number), str(pdf), str(base)],
        capture_output=True,
        check=True,
    )
    return next(folder.glob(f"page-{number}-*.pgm"))


#: The raw Tesseract row of the target (an image already rendered: only Tesseract's own run is timed).
RAW = "raw tesseract -l vie (rendered image)"
#: Writing the page image raw Tesseract reads: the bench's own work, in neither the pipeline nor raw Tesseract
#: (the figures before 2026-12-07 counted it in raw Tesseract).
PNG_WRITE = "raw: writing its PNG (not counted)"
#: Raw Tesseract with the PDF page's rasterisation a user must run first (``pdftoppm -r 300 -gray``).
RAW_FROM_PDF = "raw pdftoppm -gray + tesseract -l vie (from the PDF)"
#: The part of the stages' time spent inside libtesseract (reads and OSD in the process): a breakdown, not
#: added to the pipeline's time (the stages' rows hold it).
IN_TESSERACT = "of the stages: inside libtesseract (reads, OSD)"


@contextmanager
def tesseract_timed(totals: dict[str, float]) -> Iterator[None]:
    """Add the CPU time of every in-process Tesseract call (``tesseract_api.read_tsv`` and
    ``detect_orientation``) to ``totals[IN_TESSERACT]`` while in this context."""
    from ocr_pipeline.imaging import tesseract_api

    originals = {name: getattr(tesseract_api, name) for name in ("read_tsv", "detect_orientation")}

    def timing(call: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            with timed(totals, IN_TESSERACT):
                return call(*args, **kwargs)

        return timed_call

    for name, call in originals.items():
        setattr(tesseract_api, name, timing(call))
    try:
        yield
    finally:
        for name, call in originals.items():
            setattr(tesseract_api, name, call)


def profile(pages: int, dpi: int) -> dict[str, Any]:
    """CPU seconds per stage of the pipeline and of raw Tesseract per page (on the page image the pipeline
    rendered, PNG written untimed; and from the PDF with ``pdftoppm -gray`` first)."""
    from ocr_pipeline import pipeline
    from ocr_pipeline.imaging import engines, tesseract_api
    from ocr_pipeline.options import ProcessOptions

    os.environ["OMP_THREAD_LIMIT"] = "1"
    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        truths = synthetic_pdf(folder / "doc.pdf", pages, dpi)
        options = ProcessOptions(dpi=dpi)
        lang = engines.choose_language("vie")
        stages = pipeline.page_stages(options, lang)
        totals: dict[str, float] = {}
        ocr_texts: list[str] = []
        raw_texts: list[str] = []
        results = []
        for number in range(1, pages + 1):
            with timed(totals, "rasterise"):
                page = pipeline.rasterise_pdf_page(folder / "doc.pdf", number, dpi)
            original = page.image
            for stage in stages:
                name = getattr(stage, "func", stage).__module__.rsplit(".", 1)[-1]
                with timed(totals, name), tesseract_timed(totals):
                    page = stage(page)
            results.append(pipeline.PageResult.from_page(page))
            ocr_texts.append(results[-1].raw_text)
            image_file = folder / "page.png"
            with timed(totals, PNG_WRITE):
                Image.fromarray(original).save(image_file, dpi=(dpi, dpi))
            with timed(totals, RAW):
                raw_texts.append(tesseract_text(image_file, dpi))
            with timed(totals, RAW_FROM_PDF):
                grey = render_grey(folder / "doc.pdf", number, dpi, folder)
                tesseract_text(grey, dpi)
            grey.unlink()
        with timed(totals, "finishing (restoration, structure)"):
            doc = pipeline.document_from_pages(folder / "doc.pdf", results, options)
        restored = doc.text.split("\f")
        truth = "\n".join(truths)
        pipeline_cpu = sum(v for k, v in totals.items() if not k.startswith(("raw", IN_TESSERACT)))
        pipeline_rate = 60 * pages / pipeline_cpu
        raw_rate, from_pdf_rate = 60 * pages / totals[RAW], 60 * pages / totals[RAW_FROM_PDF]
        report = {
            "pages": pages,
            "dpi": dpi,
            "tesseract": "in the process (libtesseract)" if tesseract_api.usable() else "a command per call",
            "cpu_seconds_per_page": {k: round(v / pages, 3) for k, v in totals.items()},
            "pages_per_core_minute (CPU time)": {
                "pipeline": round(pipeline_rate, 2),
                RAW: round(raw_rate, 2),
                RAW_FROM_PDF: round(from_pdf_rate, 2),
                "pipeline / raw (the target, >= 1.0)": round(pipeline_rate / raw_rate, 3),
                "pipeline / raw from the PDF": round(pipeline_rate / from_pdf_rate, 3),
            },
            "cer": {
                "pipeline OCR (before restoration)": round(cer("\n".join(ocr_texts), truth), 4),
                "pipeline (restored)": round(cer("\n".join(restored), truth), 4),
                "raw tesseract": round(cer("\n".join(raw_texts), truth), 4),
            },
            "load": load(),
        }
        return report
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _batch_seconds(source: Path, out: Path, *args: str, trace: Path | None = None) -> float:
    """Wall seconds of ``vnocr batch`` over ``source``; with ``trace``, its task trace is kept there."""
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ)
    if trace is not None:
        trace.unlink(missing_ok=True)
        env["VNOCR_TRACE"] = str(trace)
    start = time.time()
    subprocess.run(
        [sys.executable, "-m", "ocr_pipeline.cli", "batch", str(source), str(out), "--no-progress", *args],
        check=True,
        capture_output=True,
        env=env,
    )
    seconds = time.time() - start
    if trace is not None:
        with trace.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"event": "bench", "start": start, "end": start + seconds}) + "\n")
    return seconds


def _greedy_span(durations: list[float], workers: int) -> float:
    """When the last of ``durations`` ends, each task going in order to the first worker free."""
    free = [0.0] * workers
    for duration in durations:
        free[free.index(min(free))] += duration
    return max(free)


def read_trace(path: Path) -> dict[str, Any]:
    """What a batch's trace (``VNOCR_TRACE``, with the bench's start and end) says about its wall time:
    the serial parts (start-up, planning, the finishing task, the parent's recording, exit), each worker's
    busy and idle time, the tail where one worker works alone, the parent's CPU, and every task."""
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    bench = next(e for e in events if e["event"] == "bench")
    batch = next(e for e in events if e["event"] == "batch")
    end = next((e for e in events if e["event"] == "batch end"), None)
    done = [e for e in events if e["event"] == "done" and e.get("start")]
    t0 = bench["start"]

    def at(value: float) -> float:
        return round(value - t0, 2)

    workers: dict[str, list[dict[str, Any]]] = {}
    for event in sorted(done, key=lambda e: e["start"]):
        workers.setdefault(event["worker"], []).append(event)
    first = min(e["start"] for e in done)
    last = max(e["end"] for e in done)
    names = {worker: f"w{index}" for index, worker in enumerate(workers)}
    busy = {
        names[w]: {
            "tasks": len(tasks),
            "busy s": round(sum(t["end"] - t["start"] for t in tasks), 2),
            "CPU s": round(sum(t["cpu"] for t in tasks), 2),
            "idle s (first task start to last task end of the run)": round(
                last - first - sum(t["end"] - t["start"] for t in tasks), 2
            ),
            "last task ends at s": at(max(t["end"] for t in tasks)),
        }
        for w, tasks in workers.items()
    }
    pages = [e for e in done if e["kind"] == "pages"]
    finishing = [e for e in done if e["kind"] != "pages"]
    ends = sorted(max(t["end"] for t in tasks) for tasks in workers.values())
    report: dict[str, Any] = {
        "wall s": round(bench["end"] - bench["start"], 2),
        "serial parts s": {
            "command to the batch (python, imports)": at(batch["time"]),
            "command to the first task (also discovery, pdfinfo, worker start)": at(first),
            "planning (pdfinfo) in the parent": round(
                sum(e["seconds"] for e in events if e["event"] == "planned"), 3
            ),
            "finishing tasks (wall)": round(sum(e["end"] - e["start"] for e in finishing), 2),
            "last task end to the batch's end (recording, catalog, workers' exit)": (
                round(end["time"] - last, 2) if end else None
            ),
            "batch's end to the process's exit": round(bench["end"] - end["time"], 2) if end else None,
        },
        "tail s (one worker alone at the end)": round(ends[-1] - ends[-2], 2) if len(ends) > 1 else None,
        "page tasks": {
            "count": len(pages),
            "wall s": round(sum(e["end"] - e["start"] for e in pages), 2),
            "CPU s": round(sum(e["cpu"] for e in pages), 2),
            "CPU s of the task threads alone": round(sum(e.get("thread_cpu", 0.0) for e in pages), 2),
            "shortest / longest wall s": [
                round(min((e["end"] - e["start"] for e in pages), default=0), 2),
                round(max((e["end"] - e["start"] for e in pages), default=0), 2),
            ],
        },
        "workers": busy,
        "parent CPU s": end["cpu"] if end else None,
    }
    sent = [e["key"] for e in events if e["event"] == "sent"]
    cpu = {e["key"]: e["cpu"] for e in done}
    page_cpu = [cpu[key] for key in sent if key in cpu and not key.endswith(("-finish", "-refine"))]
    finish_cpu = sum(e["cpu"] for e in finishing)
    report["idle-machine estimate s (task CPU as wall, tasks in their order, 1 / 2 workers)"] = [
        round(at(first) + sum(page_cpu) + finish_cpu, 1),
        round(at(first) + _greedy_span(page_cpu, 2) + finish_cpu, 1),
    ]
    phases: dict[str, list[float]] = {}
    for event in done:
        for name, (wall, cpu) in (event.get("phases") or {}).items():
            key = f"{'page' if event['kind'] == 'pages' else event['kind']}: {name}"
            spent = phases.setdefault(key, [0.0, 0.0])
            spent[0], spent[1] = round(spent[0] + wall, 2), round(spent[1] + cpu, 2)
    report["phases [wall s, CPU s]"] = phases
    report["tasks (worker, start s, end s, CPU s)"] = [
        f"{e['key']}: {names[e['worker']]} {at(e['start'])}-{at(e['end'])} cpu {e['cpu']:.2f}"
        for e in sorted(done, key=lambda e: e["start"])
    ]
    return report


@contextmanager
def dask_cluster(workers: int) -> Iterator[str]:
    """A Dask scheduler and ``workers`` single-threaded workers on 127.0.0.1."""
    from distributed import Client

    dask = str(Path(sys.executable).with_name("dask"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen([dask, "scheduler", "--port", str(port), *common], **quiet)]
    try:
        for _ in range(workers):
            command = [dask, "worker", address, "--nthreads", "1", "--no-nanny", *common]
            procs.append(subprocess.Popen(command, **quiet))
        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def machine_speed_up(image: Path, runs: int = 4) -> float:
    """What two processes gain on this machine now: ``runs`` raw Tesseracts of one page one after the other,
    over the same run two at a time (2.0 on two idle cores; less when other jobs hold the cores)."""
    command = ["tesseract", str(image), "stdout", "-l", "vie"]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    start = time.monotonic()
    for _ in range(runs):
        subprocess.run(command, capture_output=True, env=env, check=True)
    serial = time.monotonic() - start
    start = time.monotonic()
    for _ in range(runs // 2):
        pair = [subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env) for _ in range(2)]
        for proc in pair:
            proc.wait()
    return serial / (time.monotonic() - start)


def workers(pages: int, dask: bool, trace: bool = False) -> dict[str, Any]:
    """Wall seconds of one ``pages``-page PDF with 1 and 2 local workers (and Dask workers), with what two
    processes gain on the machine at the time (:func:`machine_speed_up`) before and after; with ``trace``,
    what each run's task trace says (:func:`read_trace`)."""
    from tools.synthetic import paragraphs_from_text, render_pages

    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    traces: dict[str, Any] = {}

    def run(name: str, *args: str) -> float:
        path = folder / f"{name}.trace.jsonl" if trace else None
        seconds = _batch_seconds(source, folder / name, *args, trace=path)
        if path is not None:
            traces[name] = read_trace(path)
        return seconds

    try:
        source = folder / "in"
        source.mkdir()
        synthetic_pdf(source / "box.pdf", pages)
        page = folder / "page.png"
        paragraphs = paragraphs_from_text(GROUND_TRUTH.read_text(encoding="utf-8"))
        Image.fromarray(render_pages(paragraphs, dpi=300)[0].image).save(page, dpi=(300, 300))
        report: dict[str, Any] = {"pages": pages, "load before": load()}
        report["machine speed-up of 2 processes, before"] = round(machine_speed_up(page), 2)
        one = run("local-1", "-j", "1")
        two = run("local-2", "-j", "2")
        report["local"] = {
            "1 worker s": round(one, 1),
            "2 workers s": round(two, 1),
            "speed-up": round(one / two, 2),
        }
        if dask:
            seconds = {}
            for count in (1, 2):
                with dask_cluster(count) as address:
                    seconds[count] = run(f"dask-{count}", "--scheduler", address)
            report["dask"] = {
                "1 worker s": round(seconds[1], 1),
                "2 workers s": round(seconds[2], 1),
                "speed-up": round(seconds[1] / seconds[2], 2),
            }
        report["machine speed-up of 2 processes, after"] = round(machine_speed_up(page), 2)
        report["load after"] = load()
        if traces:
            report["traces"] = traces
        return report
    finally:
        shutil.rmtree(folder, ignore_errors=True)


#: The page task of :func:`memory`, stage by stage in a process of its own; the peak RSS (VmHWM) is reset
#: before each stage (``/proc/self/clear_refs``), so each stage's own peak is read. The reading stage is read in
#: two parts: its layout analysis (marks, tables, zones: ``reading._analyse``) and the rest (the Tesseract
#: runs of its zones: the crops written for Tesseract, the words read back).
MEMORY_PROBE = """
import json, os
from pathlib import Path
from ocr_pipeline import pipeline
from ocr_pipeline.imaging import engines, reading
from ocr_pipeline.options import ProcessOptions

def status(key):
    with open("/proc/self/status") as fh:
        return next(round(int(line.split()[1]) / 1024) for line in fh if line.startswith(key))

def reset():
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass

analyse, layout = reading._analyse, {{}}

def measured_analyse(image, dpi):
    reset()
    result = analyse(image, dpi)
    layout["reading: layout (marks, tables, zones)"] = status("VmHWM")
    reset()
    return result

reading._analyse = measured_analyse
options = ProcessOptions(dpi={dpi})
stages = pipeline.page_stages(options, engines.choose_language(options.lang))
peaks = {{"imports": status("VmHWM")}}
reset()
page = pipeline.rasterise_pdf_page(Path({pdf!r}), 1, {dpi})
peaks["rasterise"] = status("VmHWM")
for stage in stages:
    reset()
    page = stage(page)
    name = getattr(stage, "func", stage).__module__.rsplit(".", 1)[-1]
    if name == "reading" and layout:
        peaks.update(layout)
        name = "reading: OCR of the zones"
    peaks[name] = status("VmHWM")
from ocr_pipeline.imaging import tesseract_api
print(json.dumps({{"worker MB": max(peaks.values()), "worker MB by stage": peaks,
                  "tesseract": "in the worker" if tesseract_api.usable() else "its own process",
                  "words": len(page.ocr.words) if page.ocr else 0}}))
"""


def tesseract_peak_mb(pdf: Path, dpi: int) -> int:
    """Peak RSS (MB) of ``tesseract -l vie`` on the rendered page, run from a small process of its own."""
    from ocr_pipeline.imaging import engines

    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "page.pgm"
        Image.fromarray(engines.rasterise_pdf_page(pdf, 1, dpi)).save(image)
        code = (
            "import resource, subprocess, sys\n"
            f"subprocess.run(['tesseract', {str(image)!r}, 'stdout', '-l', 'vie', '--dpi', '{dpi}'],"
            " capture_output=True, check=True)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        )
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        return round(int(proc.stdout.strip()) / 1024)


def memory(dpi: int = 600) -> dict[str, Any]:
    """Peak memory of one page task on an A3 page at ``dpi`` (the worker, and its Tesseract), measured in a
    process of its own."""
    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        from tools.synthetic import paragraphs_from_text, render_pages, write_pdf

        paragraphs = paragraphs_from_text(GROUND_TRUTH.read_text(encoding="utf-8"))
        a4 = render_pages(paragraphs, dpi=dpi)[0].image
        width, height = round(297 / 25.4 * dpi), round(420 / 25.4 * dpi)  # A3
        a3 = np.full((height, width), 255, dtype=np.uint8)
        tile = np.vstack([a4, a4])[:height, :width]  # two A4 pages of text one above the other
        a3[: tile.shape[0], : tile.shape[1]] = tile
        write_pdf([a3], folder / "a3.pdf", dpi, jpeg_quality=85)
        code = MEMORY_PROBE.format(pdf=str(folder / "a3.pdf"), dpi=dpi)
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        report: dict[str, Any] = json.loads(proc.stdout)
        # Tesseract's own peak as a command, from a small process that only runs it (a child's peak as the
        # worker reads it counts the worker's own pages mapped at the fork); in the worker, it is in its peaks
        report["tesseract as a command on the whole page MB"] = tesseract_peak_mb(folder / "a3.pdf", dpi)
        report.update({"page": f"A3 at {dpi} dpi, {width} x {height} pixels", "load": load()})
        return report
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("profile")
    p.add_argument("--pages", type=int, default=100)
    p.add_argument("--dpi", type=int, default=300)
    w = sub.add_parser("workers")
    w.add_argument("--pages", type=int, default=20)
    w.add_argument("--no-dask", action="store_true")
    w.add_argument("--trace", action="store_true", help="trace each run's tasks (serial parts, idle, tail)")
    m = sub.add_parser("memory")
    m.add_argument("--dpi", type=int, default=600)
    a = sub.add_parser("all", help="workers (20 pages), profile (100 pages), memory (A3 at 600 dpi)")
    a.add_argument("--no-dask", action="store_true")
    args = parser.parse_args(argv)
    run: Callable[[], dict[str, Any]]
    if args.command == "all":
        run = lambda: {  # noqa: E731
            "workers": workers(20, not args.no_dask),
            "profile": profile(100, 300),
            "memory": memory(600),
        }
    elif args.command == "profile":
        run = lambda: profile(args.pages, args.dpi)  # noqa: E731
    elif args.command == "workers":
        run = lambda: workers(args.pages, not args.no_dask, args.trace)  # noqa: E731
    else:
        run = lambda: memory(args.dpi)  # noqa: E731
    print(json.dumps(run(), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
