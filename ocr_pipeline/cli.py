"""The ``vnocr`` command: a shell over the API that turns errors into one-line messages and exit codes.

Logs go to stderr; stdout carries only the command's output (or the batch's one-line summary).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import logging
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import click

from ._version import __version__
from .exceptions import ExitCode, PartialFailureError, VnocrError, as_vnocr_error, output_write_error
from .options import LANG_CHOICES, ProcessOptions
from .textio import ENCODING_CHOICES

log = logging.getLogger("vnocr")
F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = """\b
Exit codes:
  0  success             5  batch finished, some documents failed
  1  internal error      6  dictionary data missing or corrupt
  2  bad arguments       7  OCR page timeout
  3  missing dependency  8  output cannot be written
  4  input file problem  9  out of memory / process killed
  10 Tesseract crashed   130 interrupted
"""


def _fail(code: int, message: str) -> None:
    click.echo(f"vnocr: error: {message}", err=True)
    sys.exit(code)


class _OneLineErrorGroup(click.Group):
    """A command group whose usage errors are one line like every other error:
    ``vnocr: error: <what happened> (see `vnocr COMMAND --help`)``, exit code 2."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        run = functools.partial(super().main, args, prog_name, complete_var, standalone_mode=False, **extra)
        if not standalone_mode:
            return run()
        try:
            code: Any = run()
        except click.exceptions.UsageError as exc:
            where = " ".join(["vnocr", *(exc.ctx.command_path.split()[1:] if exc.ctx is not None else [])])
            _fail(exc.exit_code, f"{exc.format_message().rstrip('.')} (see `{where} --help`)")
        except click.exceptions.ClickException as exc:
            _fail(exc.exit_code, exc.format_message())
        except click.exceptions.Abort:
            _fail(int(ExitCode.interrupted), "interrupted")
        sys.exit(code if isinstance(code, int) else 0)


def handle_errors(func: F) -> F:
    """Turn vnocr errors (and unexpected ones) into a one-line message and an exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VnocrError as exc:
            _fail(int(exc.exit_code), exc.one_line())
        except KeyboardInterrupt:
            _fail(int(ExitCode.interrupted), "interrupted (run again: finished work is kept)")
        except BrokenPipeError:
            sys.exit(0)
        except Exception as exc:
            error = as_vnocr_error(exc)
            if error is not None:
                _fail(int(error.exit_code), error.one_line())
            if logging.getLogger().isEnabledFor(logging.DEBUG):
                raise
            _fail(
                int(ExitCode.internal_error),
                f"internal error: {type(exc).__name__}: {exc} (run with --debug and report it)",
            )

    return wrapper  # type: ignore[return-value]


def _setup_logging(verbose: int, quiet: bool, debug: bool) -> None:
    level = logging.WARNING
    if debug or verbose >= 2:
        level = logging.DEBUG
    elif verbose == 1:
        level = logging.INFO
    elif quiet:
        level = logging.ERROR
    logging.basicConfig(level=level, format="vnocr: %(levelname)s: %(message)s", stream=sys.stderr)


def _input_name(file: str) -> str:
    return "<stdin>" if file == "-" else Path(file).name


@contextlib.contextmanager
def _open_input(file: str) -> Iterator[BinaryIO]:
    """The bytes of FILE, or of stdin for ``-``.

    Raises:
        InputFileError: The file is missing or cannot be read.
    """
    from .exceptions import InputFileError

    if file == "-":
        yield sys.stdin.buffer
        return
    try:
        fh = Path(file).open("rb")  # noqa: SIM115 - closed below; opening errors get their own message
    except FileNotFoundError as exc:
        raise InputFileError(f"{file}: no such file") from exc
    except OSError as exc:
        raise InputFileError(f"{file}: cannot be read ({exc.strerror})") from exc
    with fh:
        yield fh


def _read_input(file: str, encoding: str = "auto") -> str:
    """The text of FILE or stdin, with the same checks either way (empty, binary, encoding)."""
    from .textio import decode_text, read_text_file

    if file != "-":
        return read_text_file(Path(file), encoding)
    with _open_input(file) as source:
        return decode_text(source.read(), "<stdin>", encoding).text


@contextlib.contextmanager
def _output_stream(out: str | None) -> Iterator[Callable[[str], object]]:
    """A function writing text (UTF-8) to ``out`` (atomically: all or nothing) or to stdout.

    Raises:
        OutputWriteError: ``out`` cannot be written.
    """
    if not out:
        stdout = sys.stdout.buffer
        yield lambda text: stdout.write(text.encode("utf-8"))
        stdout.flush()
        return
    from .textio import atomic_writer

    try:
        with atomic_writer(Path(out)) as fh:
            yield lambda text: fh.write(text.encode("utf-8"))
    except OSError as exc:
        raise output_write_error(out, exc) from exc


def _process_options(
    lang: str,
    dpi: int,
    page_timeout: float,
    encoding: str,
    no_restore: bool,
    force_ocr: bool,
    lexicon: tuple[Path, ...] = (),
) -> ProcessOptions:
    """The processing options that ``batch`` and ``ocr`` take from their shared flags."""
    return ProcessOptions(
        lang=lang,
        dpi=dpi,
        page_timeout=page_timeout,
        restore=not no_restore,
        force_ocr=force_ocr,
        lexicon=lexicon,
        encoding=encoding,
    )


def _write_output(text: str, out: str | None) -> None:
    """Write ``text`` as it is (no line end added) to ``out`` or stdout."""
    with _output_stream(out) as write:
        write(text)


@click.group(
    cls=_OneLineErrorGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP
)
@click.version_option(__version__, prog_name="vnocr")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def main(verbose: int, quiet: bool, debug: bool) -> None:
    """vnocr: scanned Vietnamese administrative documents to correct, structured text.

    \b
    Examples:
      vnocr batch scans/ out/              # OCR a folder of PDFs, resumable
      vnocr ocr plan.pdf --format md       # one document
      vnocr restore old-ocr.txt -o fixed.txt
      echo "cong tac bao ve tre em" | vnocr restore
      vnocr segment fixed.txt --format json
    """
    _setup_logging(verbose, quiet, debug)


_lang_option = click.option(
    "--lang",
    type=click.Choice(LANG_CHOICES),
    default="auto",
    show_default=True,
    help="Tesseract language: vie where installed (auto), or eng + accent restoration.",
)
_dpi_option = click.option(
    "--dpi", type=click.IntRange(50, 1200), default=300, show_default=True, help="PDF rasterisation DPI."
)
_force_ocr_option = click.option(
    "--force-ocr", is_flag=True, help="OCR every page image, even where a PDF has a usable text layer."
)
_lexicon_option = click.option(
    "--lexicon",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="Domain words and phrases to prefer, one a line with an optional count (repeatable).",
)
_encoding_option = click.option(
    "--encoding",
    type=click.Choice(ENCODING_CHOICES, case_sensitive=False),
    default="auto",
    show_default=True,
    help="Encoding of text input: UTF-8, or legacy CP1258, TCVN3 (ABC) or VNI (auto: detected, converted).",
)
_timeout_option = click.option(
    "--page-timeout",
    type=click.FloatRange(0),
    default=180.0,
    show_default=True,
    help="Seconds allowed for OCR of one page (0 = no limit).",
)


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("input_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("output_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None, help="Worker processes [CPU count].")
@_lang_option
@_dpi_option
@_timeout_option
@_encoding_option
@click.option("--force", is_flag=True, help="Redo documents whose outputs are already complete.")
@click.option("--no-restore", is_flag=True, help="Skip diacritic restoration.")
@_force_ocr_option
@_lexicon_option
@click.option(
    "--no-batch-adapt",
    is_flag=True,
    help="No second pass restoring legacy-OCR documents again with what the batch read confidently.",
)
@click.option("--wait", is_flag=True, help="Wait for another batch writing to OUTPUT_DIR [exit 2 at once].")
@click.option("--progress/--no-progress", default=None, help="Progress bar [on when stderr is a terminal].")
@click.option(
    "--formats",
    default="txt,md,json,pdf,alto",
    show_default=True,
    help="Outputs per document, comma-separated (json is always written).",
)
@click.option(
    "--scheduler",
    envvar="VNOCR_SCHEDULER",
    metavar="tcp://HOST:PORT",
    help="Run on a Dask cluster (folders on a disk all workers see: docs/CLUSTER.md) [$VNOCR_SCHEDULER].",
)
@handle_errors
def batch(
    input_dir: Path,
    output_dir: Path,
    jobs: int | None,
    lang: str,
    dpi: int,
    page_timeout: float,
    encoding: str,
    force: bool,
    no_restore: bool,
    force_ocr: bool,
    lexicon: tuple[Path, ...],
    no_batch_adapt: bool,
    wait: bool,
    progress: bool | None,
    formats: str,
    scheduler: str | None,
) -> None:
    """OCR, restore and structure every document in INPUT_DIR into OUTPUT_DIR.

    Inputs (recursively): PDFs, images (png jpg tif) and .txt files of already-OCR'd text. For
    a/b/x.pdf it writes OUTPUT_DIR/a/b/x.txt, x.md and x.json, and one line per document to
    OUTPUT_DIR/manifest.jsonl. A re-run skips finished documents (use --force to redo them).
    Inputs of one folder differing only by suffix (x.pdf, x.png) get x.pdf.txt, x.png.txt, ...
    OUTPUT_DIR may not be INPUT_DIR or hold it; one batch at a time writes to it.
    Pages are the unit of parallel work. Ctrl-C or SIGTERM stops within seconds (exit 130 or 143);
    every finished document is in the manifest and a re-run resumes.
    Scans also get x.pdf (searchable PDF/A with the restored text) and x.alto.xml (ALTO 4); every
    document gets a row in OUTPUT_DIR/register.csv and catalog.sqlite (see vnocr search).

    \b
    Examples:
      vnocr batch scans/ out/
      vnocr batch scans/ out/ --jobs 2 --lang eng --dpi 200
      vnocr batch /nfs/scans /nfs/out --scheduler tcp://10.0.0.5:8786
    """
    from .batch import JobResult, display_path, plan_jobs, run_batch
    from .outputs import parse_formats

    chosen = parse_formats(formats)
    reviewed = output_dir / "lexicon.txt"  # the review app's corrections, word TAB count
    lexicon = (*lexicon, reviewed) if reviewed.is_file() else lexicon
    options = _process_options(lang, dpi, page_timeout, encoding, no_restore, force_ocr, lexicon)
    inputs = [job.source for job in plan_jobs(input_dir, output_dir, options)]  # refuse bad folders first
    if any(p.suffix.lower() != ".txt" for p in inputs):
        from .imaging import engines

        engines.choose_language(lang)  # fail fast, once, when tesseract or the language is missing
    if not no_restore:
        from diacritics import check_data

        check_data()  # fail fast when the shipped language data is missing or corrupt (exit 6)
    show = progress if progress is not None else sys.stderr.isatty()
    bar: Any = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=len(inputs), unit="doc", file=sys.stderr)

    def on_result(result: JobResult) -> None:
        if result.status == "failed":
            message = f"vnocr: failed: {display_path(result.path)}: {display_path(result.error or '')}"
            if bar is not None:
                bar.write(message, file=sys.stderr)
            else:
                click.echo(message, err=True)
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{result.status}: {display_path(result.path)}"[-40:])

    try:
        summary = run_batch(
            input_dir,
            output_dir,
            options,
            jobs=jobs,
            force=force,
            wait=wait,
            on_result=on_result,
            scheduler=scheduler or None,
            formats=chosen,
            batch_adapt=not no_batch_adapt,
        )
        if summary.interrupted:
            for stop_signal in (signal.SIGINT, signal.SIGTERM):  # exiting: another Ctrl-C changes nothing
                signal.signal(stop_signal, signal.SIG_IGN)
    finally:
        if bar is not None:
            bar.close()
    click.echo(f"{summary.line()}; results in {output_dir}")
    if summary.interrupted:
        name = signal.Signals(summary.interrupted).name
        _fail(128 + summary.interrupted, f"interrupted by {name} (run again: finished work is kept)")
    if summary.stopped is not None:
        raise summary.stopped
    if summary.failed:
        raise PartialFailureError(f"{summary.failed} document(s) failed")


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write here [stdout].")
@click.option("--format", "fmt", type=click.Choice(["txt", "md", "json"]), default="txt", show_default=True)
@_lang_option
@_dpi_option
@_timeout_option
@_encoding_option
@click.option("--no-restore", is_flag=True, help="Skip diacritic restoration.")
@_force_ocr_option
@handle_errors
def ocr(
    file: Path,
    out: str | None,
    fmt: str,
    lang: str,
    dpi: int,
    page_timeout: float,
    encoding: str,
    no_restore: bool,
    force_ocr: bool,
) -> None:
    """OCR, restore and structure one document (PDF, image or .txt).

    \b
    Examples:
      vnocr ocr plan.pdf
      vnocr ocr plan.pdf --format json -o plan.json
    """
    from .batch import display_path
    from .imaging import tesseract_api
    from .pipeline import process_document

    options = _process_options(lang, dpi, page_timeout, encoding, no_restore, force_ocr)
    # One document in this very process: Tesseract runs as a command, so a crash of the engine on a bad
    # image is a one-line error, not the end of vnocr (batch workers load libtesseract; a pool survives it).
    with tesseract_api.prefer_command():
        doc = process_document(file, options)
    doc.source = display_path(doc.source)
    text = {"txt": lambda: doc.text, "md": doc.to_markdown, "json": doc.to_json}[fmt]()
    _write_output(text if text.endswith("\n") else text + "\n", out)


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("file", default="-")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write here [stdout].")
@click.option("--explain", is_flag=True, help="JSON: per token the choice, alternatives and scores.")
@_lexicon_option
@_encoding_option
@handle_errors
def restore(file: str, out: str | None, explain: bool, lexicon: tuple[Path, ...], encoding: str) -> None:
    """Restore Vietnamese diacritics in FILE (or stdin), keeping its line breaks exactly.

    The text is restored paragraph block by paragraph block and written as it goes, so memory stays
    bounded whatever its size (--explain reads it whole).

    \b
    Examples:
      echo "cong tac bao ve, cham soc tre em nam 2021" | vnocr restore
      vnocr restore old-ocr.txt -o fixed.txt
      vnocr restore old-ocr.txt --explain > report.json
      vnocr restore archive-tcvn3.txt --encoding tcvn3 -o fixed.txt
      vnocr restore old-ocr.txt --lexicon domain-words.txt
    """
    from diacritics import Lexicon

    words = Lexicon.load(*lexicon) if lexicon else None
    if explain:
        from diacritics import restore_explained

        text = _read_input(file, encoding)
        with _collector_paused():
            result = restore_explained(text, lexicon=words)
        _write_output(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n", out)
        return
    from diacritics import restore as restore_text
    from diacritics.stream import restore_stream

    from .textio import TextStream

    restore_block = restore_text if words is None else functools.partial(restore_text, lexicon=words)
    with _open_input(file) as source:
        stream = TextStream(source, _input_name(file), encoding)  # checks the input before any output
        with _output_stream(out) as write, _collector_paused():
            summary = restore_stream(stream, write, restore_block=restore_block)
    log.info("restored %d characters in %d blocks in %.1f s", summary.chars, summary.blocks, summary.seconds)


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("file", default="-")
@click.option("--format", "fmt", type=click.Choice(["json", "md"]), default="json", show_default=True)
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write here [stdout].")
@_encoding_option
@handle_errors
def segment(file: str, fmt: str, out: str | None, encoding: str) -> None:
    """Split restored text into its numbered sections and extract its metadata.

    \b
    Examples:
      vnocr segment plan.txt
      vnocr segment plan.txt --format md
    """
    from .render import render_markdown
    from .structure.segment import segment_text

    structure = segment_text(_read_input(file, encoding))
    if fmt == "md":
        markdown = render_markdown(structure)
        _write_output(markdown if markdown.endswith("\n") else markdown + "\n", out)
    else:
        _write_output(json.dumps(structure.to_dict(), ensure_ascii=False, indent=2) + "\n", out)


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("output_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@handle_errors
def report(output_dir: Path) -> None:
    """Summarise a batch output folder: status, pages, confidence and title of each document.

    \b
    Example:
      vnocr report out/demo
    """
    from .batch import report_lines

    click.echo("\n".join(report_lines(output_dir)))


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("output_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("query")
@click.option("--type", "doc_type", help="Only documents of this type (part of the name, marks ignored).")
@click.option("--year", type=click.IntRange(1900, 2200), help="Only documents of this year.")
@click.option("--issuer", help="Only documents of this issuer (part of the name, marks ignored).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Most results.")
@click.option("--json", "as_json", is_flag=True, help="Results as JSON.")
@handle_errors
def search(
    output_dir: Path,
    query: str,
    doc_type: str | None,
    year: int | None,
    issuer: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Search the documents of a batch output folder (a query without marks matches with or without them).

    \b
    Examples:
      vnocr search out/ "duoi nuoc"
      vnocr search out/ "đuối nước" --type "kế hoạch" --year 2024 --json
    """
    from .outputs.commands import search_lines

    lines = search_lines(
        output_dir, query, doc_type=doc_type, year=year, issuer=issuer, limit=limit, as_json=as_json
    )
    click.echo("\n".join(lines))


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("output_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--ndjson", is_flag=True, required=True, help="Bulk-load lines for OpenSearch/Elasticsearch.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write here [stdout].")
@handle_errors
def export(output_dir: Path, ndjson: bool, out: str | None) -> None:
    """Export a batch output folder's passages with their register fields (see docs/SEARCH.md).

    \b
    Example:
      vnocr export out/ --ndjson -o passages.ndjson
    """
    from .outputs.commands import export_lines

    _write_output("".join(line + "\n" for line in export_lines(output_dir)), out)


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("output_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option(
    "--sources",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The batch's INPUT_DIR, for the page images when a record's source path does not resolve here.",
)
@click.option("--reviewer", help="Name kept with each correction [your login name].")
@handle_errors
def review(output_dir: Path, host: str, port: int, sources: Path | None, reviewer: str | None) -> None:
    """Review the words a batch flagged, in a browser: page image, choice, alternatives, one key.

    Corrections go to OUTPUT_DIR/corrections.jsonl and into x.txt, x.md and x.json at once; a later
    `vnocr batch --force` applies them again (README: "vnocr review").

    \b
    Example:
      vnocr review out/   # then open http://127.0.0.1:8765/
    """
    from .review.app import serve

    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("review: listening on %s: anyone who reaches it can change the outputs", host)
    click.echo(f"vnocr review: http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    serve(output_dir, host=host, port=port, sources=sources, reviewer=reviewer)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one bounded piece of work (one text's restoration).

    Restoring a text builds hundreds of thousands of small objects (readings, scores, lattice positions)
    that its caches keep until the process ends: the collector's passes over them (some 370 young and two
    full ones for 3,000 syllables) free nothing and cost about 0.1 s. Reference counting still frees
    everything else; the collector runs again afterwards, over what is made after: the work's objects are
    frozen first (the process is about to write its result and exit), else the collection that the work's
    allocations have made due on re-enabling would walk them all once more (about 15 ms).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def run() -> None:
    """The ``vnocr`` program: :func:`main`, then exit without the interpreter's final garbage collection.

    A restoration leaves millions of small cached objects; the collection Python runs at exit would walk
    all of them (about 0.2 s, a tenth of restoring a 3,000-syllable text). Freezing them first skips that
    walk; exit handlers, flushing and closing files still run as usual.
    """
    try:
        main()
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    run()
