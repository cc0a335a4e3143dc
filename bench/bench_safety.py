"""Scale without surprises, and crash safety (issue 8, items 5 and 7).

Prints figures (not a test). Usage:
    python bench/bench_safety.py [--log 20000] [--big 400000] [--kills 20] [--timeout 300] [--only A,B,C,D]

Each case runs the real ``dj`` command in a subprocess, with a time limit,
and reports seconds, peak memory (resident set, sampled) and the exit code:

A. a contact log where every one of ``--log`` rows is wrong: ``dj run -o``;
B. a ``--big``-row contact log: ``dj validate`` (report only);
C. a sheet whose rows reach row 1,048,576 (a styled blank cell on every row): ``dj validate``;
D. ``dj run --in-place`` killed at ``--kills`` random moments: what was left
   (tests/test_cli_crash.py runs a few of these trials on every test run);
E. the workbook of A again: ``dj run --in-place`` (output sheets and a mark on every row);
F. an everyday branch (100 members, 3,000 log rows): ``dj run -o`` and ``dj run --in-place``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from bigbook import make_book  # noqa: E402

DJ = [sys.executable, "-c", "from dj_addin.cli import main; main()"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def measured(args: list[str], timeout: float) -> tuple[float, float, int | str]:
    """Seconds, peak resident memory in MB and the exit code ('timeout' when killed)."""
    started = time.perf_counter()
    proc = subprocess.Popen(DJ + args, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        if time.perf_counter() - started > timeout:
            proc.kill()
            proc.wait()
            return time.perf_counter() - started, peak / 1024, "timeout"
        time.sleep(0.1)
    return time.perf_counter() - started, peak / 1024, proc.returncode


def far_rows_book(path: Path, rows: int = 1_048_576) -> None:
    """A small workbook whose 联系记载 has a styled blank cell on every row down to ``rows``."""
    import xlsxwriter

    from dj_addin import schema

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    fmt = wb.add_format({"bg_color": "#FFFFCC"})
    meta = wb.add_worksheet(schema.META.name)
    meta.write_row(0, 0, schema.META.kv_headers)
    meta.write_row(1, 0, [schema.META.column("year").header, 2026])
    ws = wb.add_worksheet(schema.CONTACT_LOG.name)
    ws.write_row(0, 0, schema.CONTACT_LOG.headers)
    for r in range(1, rows):
        ws.write_blank(r, 11, None, fmt)
    wb.close()


def line(label: str, figures: tuple[float, float, int | str], size: int) -> None:
    seconds, mb, code = figures
    print(f"{label:<58} {size / 1024 / 1024:6.1f} MB file  {seconds:7.1f} s  peak {mb:7.0f} MB  exit {code}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", type=int, default=20_000)
    ap.add_argument("--big", type=int, default=400_000)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--only", default="A,B,C,D,E,F")
    a = ap.parse_args()
    only = set(a.only.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if "A" in only:
            book = tmp / "全错.xlsx"
            make_book(book, members=2000, log_rows=a.log, spoil=1.0)
            line(f"A. every one of {a.log:,} log rows wrong, run -o", measured(
                ["run", str(book), "--as-of", "2026-12-31", "-o", str(tmp / "全错_结果.xlsx")], a.timeout),
                book.stat().st_size)
        if "E" in only:
            book = tmp / "全错_原地.xlsx"
            make_book(book, members=2000, log_rows=a.log, spoil=1.0)
            size = book.stat().st_size  # before the run adds its sheets and marks
            line(f"E. every one of {a.log:,} log rows wrong, run --in-place", measured(
                ["run", str(book), "--as-of", "2026-12-31", "--in-place"], a.timeout), size)
        if "F" in only:
            book = tmp / "支部.xlsx"
            make_book(book, members=100, log_rows=3000, spoil=0.01)
            line("F. branch of 100 members, 3,000 log rows, run -o", measured(
                ["run", str(book), "--as-of", "2026-12-31", "-o", str(tmp / "支部_结果.xlsx")], a.timeout),
                book.stat().st_size)
            size = book.stat().st_size
            line("F. the same branch, run --in-place", measured(
                ["run", str(book), "--as-of", "2026-12-31", "--in-place"], a.timeout), size)
        if "B" in only:
            book = tmp / "大.xlsx"
            make_book(book, members=2000, log_rows=a.big)
            line(f"B. {a.big:,}-row contact log, validate", measured(
                ["validate", str(book), "--as-of", "2026-12-31"], a.timeout), book.stat().st_size)
        if "C" in only:
            book = tmp / "到底.xlsx"
            far_rows_book(book)
            line("C. rows reaching 1,048,576 (styled blanks), validate", measured(
                ["validate", str(book), "--as-of", "2026-12-31"], a.timeout), book.stat().st_size)
        if "D" in only:
            from test_cli_crash import kill_trials

            folder = tmp / "kill"
            folder.mkdir()
            f = kill_trials(folder, trials=a.kills, seed=int(time.time()))
            print(f"D. run --in-place killed at random moments: {f.trials} trials; book still the original "
                  f"{f.before_rename}, complete new version {f.after_rename}, damaged {f.damaged}; backups damaged "
                  f"{f.backup_damaged}; temporary file left right after the kill {f.temp_left}, after the next run "
                  f"{f.temp_after_next_run}")


if __name__ == "__main__":
    main()
