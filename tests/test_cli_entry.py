"""`python -m dj_addin` is `dj`, and every command that reads a workbook
honours DJ_MAX_FILE_MB before opening it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from builders import clean_rows, make_book
from dj_addin.cli import main

REPO = Path(__file__).resolve().parents[1]
BOOK_COMMANDS = sorted(name for name, cmd in main.commands.items() if any(p.name in ("book", "inputs") for p in cmd.params))


def _module(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "dj_addin", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env=environ)


def _dj(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), prog_name="dj", env=env)


def _book_args(command: str, book: Path) -> list[str]:
    """BOOK and what else the command needs (dj import: a source and the sheet; the
    source is a copy of the book, so the limit applies to both)."""
    if command == "import":
        source = book.with_name("名单.xlsx")
        if not source.exists():
            source.write_bytes(book.read_bytes())
        return [str(book), str(source), "--sheet", "党员名册"]
    return [str(book)]


def _script(*args: str) -> subprocess.CompletedProcess:
    """The installed `dj` console script, or what it runs when it is not installed."""
    script = Path(sys.executable).parent / "dj"
    cmd = [str(script)] if script.exists() else [
        sys.executable, "-c", "import sys; from dj_addin.cli import main; sys.argv[0] = 'dj'; sys.exit(main())"]
    environ = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([*cmd, *args], cwd=REPO, capture_output=True, text=True, timeout=300, env=environ)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    return make_book(tmp_path_factory.mktemp("entry") / "支部.xlsx", rows=clean_rows())


@pytest.fixture(scope="module")
def units_book(tmp_path_factory) -> Path:
    """A college's book (下级单位 filled): what ``dj split`` needs to run at all."""
    rows = {**clean_rows(), "units": [{"unit_code": "D0101", "unit_name": "一支部", "unit_level": "党支部"}]}
    return make_book(tmp_path_factory.mktemp("entry_units") / "学院.xlsx", rows=rows,
                     meta={"unit_code": "C01", "unit_name": "学院党委", "unit_level": "学院党委"})


def _out_args(command: str, tmp_path: Path) -> tuple[list[str], Path]:
    """How each command is told where to write: -o OUT, or --out DIR for dj split."""
    if command == "split":
        return ["--out", str(tmp_path / "out")], tmp_path / "out"
    return ["-o", str(tmp_path / "out.xlsx")], tmp_path / "out.xlsx"


def test_commands_that_read_a_book_are_known():
    assert {"validate", "clear-marks", "rollup", "score", "run"} <= set(BOOK_COMMANDS)


@pytest.mark.parametrize("args", [["--help"], ["validate", "-h"], ["nope"], ["--version"]])
def test_python_m_dj_addin_says_what_dj_says(args):
    module, dj = _module(*args), _script(*args)
    assert (module.returncode, module.stdout, module.stderr) == (dj.returncode, dj.stdout, dj.stderr)
    assert module.stdout or module.stderr


def test_python_m_dj_addin_runs_a_command(book):
    module = _module("validate", str(book), "--as-of", "2026-12-31", "--json")
    dj = _script("validate", str(book), "--as-of", "2026-12-31", "--json")
    assert module.returncode == dj.returncode == 0, module.stderr
    assert module.stdout == dj.stdout and '"counts"' in module.stdout


@pytest.mark.parametrize("command", BOOK_COMMANDS)
def test_every_command_refuses_a_book_over_the_size_limit(command, book, tmp_path):
    before = hashlib.sha256(book.read_bytes()).digest()
    limit = f"{book.stat().st_size / 2 / 1024 / 1024:.4f}"  # half the file
    args, out = _out_args(command, tmp_path)
    result = _dj(command, *_book_args(command, book), *args, env={"DJ_MAX_FILE_MB": limit})
    assert result.exit_code == 2, (command, result.stdout, result.stderr)
    assert "超过上限" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    assert hashlib.sha256(book.read_bytes()).digest() == before


@pytest.mark.parametrize("command", BOOK_COMMANDS)
def test_every_command_reads_a_book_under_a_raised_limit(command, book, units_book, tmp_path):
    if command == "split":
        result = _dj(command, str(units_book), *_out_args(command, tmp_path)[0], env={"DJ_MAX_FILE_MB": "200"})
    else:
        result = _dj(command, *_book_args(command, book), env={"DJ_MAX_FILE_MB": "200"})
    assert result.exit_code in (0, 1), (command, result.stderr)


@pytest.mark.parametrize("command", BOOK_COMMANDS)
def test_a_limit_that_is_not_a_number_is_one_chinese_line(command, book):
    extra = _out_args(command, book.parent / "unused")[0] if command == "split" else []
    result = _dj(command, *_book_args(command, book), *extra, env={"DJ_MAX_FILE_MB": "很大"})
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("错误：环境变量 DJ_MAX_FILE_MB 的值「很大」不是数字")
