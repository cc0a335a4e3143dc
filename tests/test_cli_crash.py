"""Crash safety (issue 8, item 7): a failure mid-save, a run killed at a random
moment, and two runs on one book at once never damage the book or its
backup, and leave nothing behind that the next run does not remove."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builders import clean_rows, make_book
from dj_addin import schema
from dj_addin.cli import main

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
DJ = [sys.executable, "-c", "from dj_addin.cli import main; main()"]


def busy_book(path: Path, n_bad: int = 300) -> Path:
    """A book with enough findings that writing marks takes a noticeable time."""
    rows = clean_rows()
    first = dict(rows["contact_log"][0])
    rows["contact_log"] = rows["contact_log"] + [dict(first, date="2026-13-05") for _ in range(n_bad)]
    return make_book(path, rows=rows)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~dj-"))


def complete(path: Path) -> bool:
    """The package is whole and openpyxl opens it with the data sheets."""
    try:
        with zipfile.ZipFile(path) as zf:
            if zf.testzip() is not None:
                return False
        names = openpyxl.load_workbook(path, read_only=True).sheetnames
        return schema.ROSTER.name in names and schema.CONTACT_LOG.name in names
    except Exception:  # noqa: BLE001 - any failure to open is "not complete"
        return False


# -- an exception in the middle of saving ------------------------------------------------

@pytest.mark.parametrize("fail_at", [1, 3, 6, 12])
def test_exception_mid_save_leaves_book_and_backup_intact(tmp_path, monkeypatch, fail_at):
    book = busy_book(tmp_path / "支部A.xlsx", n_bad=20)
    assert CliRunner().invoke(main, ["validate", str(book), "--in-place"]).exit_code == 1  # a backup exists now
    backup = tmp_path / "支部A.bak-原始.xlsx"
    before, backup_before = book.read_bytes(), backup.read_bytes()
    real = zipfile.ZipFile.writestr
    calls = {"n": 0}

    def flaky(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise OSError(5, "Input/output error")
        return real(self, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", flaky)
    result = CliRunner().invoke(main, ["run", str(book), "--in-place", "--as-of", "2026-12-31"])
    assert calls["n"] >= fail_at, "the writer never reached the failure point"
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert book.read_bytes() == before and backup.read_bytes() == backup_before
    assert leftovers(tmp_path) == []


# -- killed at random moments ---------------------------------------------------------------

@dataclass
class KillFigures:
    trials: int = 0
    before_rename: int = 0  # the book was still the original
    after_rename: int = 0  # the book was a complete new version
    damaged: int = 0  # neither (must stay 0)
    temp_left: int = 0  # temporary files found right after the kill
    temp_after_next_run: int = 0  # … and after the next run (must stay 0)
    backup_damaged: int = 0  # must stay 0
    delays: list[float] = field(default_factory=list)


def kill_trials(folder: Path, trials: int, seed: int = 8) -> KillFigures:
    """Kill ``dj run --in-place`` at random moments; check the book, its backups and the folder."""
    rng = random.Random(seed)
    book = busy_book(folder / "支部A.xlsx")
    subprocess.run(DJ + ["validate", str(book), "--in-place", "--as-of", "2026-12-31"], env=ENV,
                   capture_output=True, timeout=300)  # the original backup exists from here on
    original_backup = (folder / "支部A.bak-原始.xlsx").read_bytes()
    started = time.monotonic()
    subprocess.run(DJ + ["run", str(book), "--in-place", "--as-of", "2026-12-31"], env=ENV, capture_output=True,
                   timeout=300)
    duration = time.monotonic() - started
    figures = KillFigures()
    for _ in range(trials):
        before = book.read_bytes()
        delay = rng.uniform(0.3, 1.3 * duration)  # some kills land after the rename
        proc = subprocess.Popen(DJ + ["run", str(book), "--in-place", "--as-of", "2026-12-31"], env=ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        figures.trials += 1
        figures.delays.append(round(delay, 2))
        now = book.read_bytes()
        if now == before:
            figures.before_rename += 1
        elif complete(book):
            figures.after_rename += 1
        else:
            figures.damaged += 1
        if (folder / "支部A.bak-原始.xlsx").read_bytes() != original_backup:
            figures.backup_damaged += 1
        figures.backup_damaged += sum(not complete(p) for p in folder.glob("支部A.bak-2*.xlsx"))
        figures.temp_left += bool(leftovers(folder))
        subprocess.run(DJ + ["validate", str(book), "--as-of", "2026-12-31", "-o", str(folder / "检查.xlsx"),
                             "--force"], env=ENV, capture_output=True, timeout=300)  # the next run cleans up
        figures.temp_after_next_run += bool(leftovers(folder))
    return figures


def test_killed_at_random_moments(tmp_path):
    figures = kill_trials(tmp_path, trials=6)
    print(figures)
    assert figures.trials == 6 and figures.damaged == 0 and figures.backup_damaged == 0
    assert figures.temp_after_next_run == 0


# -- two runs on one book at once -------------------------------------------------------------

def test_two_concurrent_in_place_runs_end_with_one_complete_file(tmp_path):
    book = busy_book(tmp_path / "支部A.xlsx", n_bad=100)
    procs = [subprocess.Popen(DJ + [cmd, str(book), "--in-place", "--as-of", "2026-12-31"], env=ENV,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for cmd in ("run", "validate")]
    codes = [p.wait(timeout=300) for p in procs]
    errs = [p.stderr.read().decode() for p in procs]
    assert codes == [1, 1], errs
    assert complete(book)
    names = openpyxl.load_workbook(book, read_only=True).sheetnames
    assert schema.FINDINGS.name in names
    backups = sorted(p.name for p in tmp_path.glob("支部A.bak-*.xlsx"))
    assert len(backups) == 2 and "支部A.bak-原始.xlsx" in backups  # one backup per run, in turn
    assert leftovers(tmp_path) == []


def test_a_lock_of_a_dead_run_is_taken_over(tmp_path):
    from dj_addin.xlsx.atomic import LOCK_PREFIX, book_lock

    book = busy_book(tmp_path / "支部A.xlsx", n_bad=1)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"{LOCK_PREFIX}{int(dead.stdout)}-0123abcd-{book.name}"
    stale.write_text(dead.stdout)
    os.utime(stale, (0, 0))  # older than any new claim
    started = time.monotonic()
    with book_lock(book, wait_s=30):
        assert time.monotonic() - started < 10  # taken over at once, not after waiting the 30 s
    assert leftovers(tmp_path) == []


def test_a_temporary_file_of_a_killed_run_is_removed_by_the_next(tmp_path):
    from dj_addin.xlsx.atomic import TEMP_PREFIX

    book = busy_book(tmp_path / "支部A.xlsx", n_bad=1)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"{TEMP_PREFIX}{int(dead.stdout)}-deadbeef.xlsx"
    stale.write_bytes(b"half a workbook")
    alive = tmp_path / f"{TEMP_PREFIX}{os.getppid()}-cafebabe.xlsx"  # a live process's file is left alone
    alive.write_bytes(b"being written")
    assert CliRunner().invoke(main, ["validate", str(book), "-o", str(tmp_path / "结果.xlsx")]).exit_code == 1
    assert not stale.exists() and alive.exists()
