"""Run the reader over workbooks and print one Markdown table row per file.

``python tests/corpus/run_corpus.py FILE_OR_FOLDER… [--timeout S] [--label REPO]``

Each file is read in a child process with a time limit, so a hang or a
crash of a parser shows up as an outcome instead of stopping the run.
Outcomes: ``read`` (with the sheets the reader knew), ``S001`` (the Chinese
line), ``CRASH`` (anything else: a bug) or ``TIMEOUT``. Used to fill
OUTCOMES.md; third-party fixtures are run from a local checkout and never
committed.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time
from pathlib import Path

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xltx", ".xltm", ".xlsb", ".ods")
TIMEOUT = 30.0


def _child(path: str, queue: mp.Queue) -> None:
    from dj_addin.errors import UnreadableFile
    from dj_addin.xlsx.reader import read_book

    try:
        book = read_book(path)
        known = [t.name for t in book.tables.values() if t.found] + [k.name for k in book.kv.values() if k.found]
        queue.put(("read", f"{len(book.sheet_names)} 张表" + (f"，识别 {'、'.join(known)}" if known else "")))
    except UnreadableFile as exc:
        queue.put(("S001", exc.message))
    except BaseException as exc:  # a bug: report it, do not stop the run
        queue.put(("CRASH", f"{type(exc).__name__}: {exc}"[:200]))


def outcome(path: Path, timeout: float = TIMEOUT) -> tuple[str, str, float]:
    """(kind, detail, seconds) for one file, read in a child process."""
    ctx = mp.get_context("fork")
    queue: mp.Queue = ctx.Queue()
    start = time.perf_counter()
    proc = ctx.Process(target=_child, args=(str(path), queue))
    proc.start()
    proc.join(timeout)
    seconds = time.perf_counter() - start
    if proc.is_alive():
        proc.kill()
        proc.join()
        return "TIMEOUT", f"more than {timeout:g} s", seconds
    if queue.empty():
        return "CRASH", f"child exited with {proc.exitcode}", seconds
    kind, detail = queue.get()
    return kind, detail, seconds


def files(args: list[str]) -> list[Path]:
    out: list[Path] = []
    for a in args:
        p = Path(a)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        elif p.is_file():
            out.append(p)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--timeout", type=float, default=TIMEOUT)
    ap.add_argument("--label", default="")
    ap.add_argument("--root", default="", help="print names relative to this folder")
    ns = ap.parse_args()
    import dj_addin.xlsx.reader  # noqa: F401 - imported once; forked children share it

    for f in files(ns.paths):
        kind, detail, seconds = outcome(f, ns.timeout)
        name = str(f.relative_to(ns.root)) if ns.root else f.name
        detail = detail.replace("|", "\\|").replace("\n", " ")
        print(f"| {name} | {ns.label} | {kind} | {detail} | {seconds:.2f} |", flush=True)


if __name__ == "__main__":
    main()
