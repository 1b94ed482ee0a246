"""The command-line contract: exit codes, one-line errors, stdout discipline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ocr_pipeline import ExitCode, __version__
from ocr_pipeline.cli import main


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out


def test_every_command_has_help_with_examples() -> None:
    for command in ("batch", "ocr", "restore", "segment", "report"):
        code, out, _ = run(command, "--help")
        assert code == 0, command
        assert "Example" in out, command
        assert "Exit codes" in out, command


def test_restore_reads_stdin_and_keeps_line_count() -> None:
    text = "dong 1\n\ndong 3\n"
    code, out, _ = run("restore", input=text)
    assert code == 0
    assert out.count("\n") == text.count("\n")


def test_restore_explain_is_json() -> None:
    code, out, _ = run("restore", "--explain", input="bao ve tre em\n")
    assert code == 0
    payload = json.loads(out)
    assert set(payload) >= {"text", "tokens"}


def test_missing_input_file_is_one_line_input_error(tmp_path: Path) -> None:
    code, out, err = run("restore", str(tmp_path / "nope.txt"))
    assert code == ExitCode.input_file
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err


def test_binary_text_input_is_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02garbage")
    code, _, err = run("segment", str(bad))
    assert code == ExitCode.input_file
    assert "binary" in err


def test_bad_option_is_usage_error(tmp_path: Path) -> None:
    code, _, _ = run("batch", str(tmp_path), str(tmp_path / "out"), "--dpi", "5")
    assert code == ExitCode.bad_arguments


def test_ocr_unsupported_suffix(tmp_path: Path) -> None:
    doc = tmp_path / "x.docx"
    doc.write_bytes(b"PK\x03\x04")
    code, _, err = run("ocr", str(doc))
    assert code == ExitCode.input_file
    assert "unsupported" in err


def test_restore_pauses_the_garbage_collector_only_while_it_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import diacritics

    seen: list[bool] = []

    def spy(text: str) -> str:
        seen.append(gc.isenabled())
        return text

    monkeypatch.setattr(diacritics, "restore", spy)
    assert gc.isenabled()
    code, out, _ = run("restore", input="bao ve tre em\n")
    assert code == 0 and out == "bao ve tre em\n"
    assert seen == [False]
    assert gc.isenabled()
    # a failure inside gives the collector back too
    monkeypatch.setattr(diacritics, "restore", lambda text: 1 / 0)
    code, _, _ = run("restore", input="x\n")
    assert code != 0
    assert gc.isenabled()
