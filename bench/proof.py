"""The proof benchmark: every everyday job against the plain pandas way, in one run.

Prints figures (not a test). Usage:
    python bench/proof.py [--quick] [--runs N] [--cases big,branch,demo,merge,scale] [--dir DIR]
    python bench/proof.py --profile [TOP]     (cProfile of the read and write paths instead)

Data: the big branch (2,000 members, 20,000 log rows), the ordinary branch (100
members, 3,000 log rows) and the scale cases come from ``bigbook.make_book``
(xlsxwriter, headers from the schema); the 300 branch books to merge (60
members, 1,500 log rows, every other sheet filled) and ``dj demo`` come from
the demo generator itself (``bench_aggregate.make_books``). Every measurement
runs in a fresh Python process
(``python bench/proof.py --child CASE ARGS``), so each peak memory (VmHWM of that
process) is the case's own and no cache carries over; the dj way and the plain
way alternate run by run, so both see the same load on a shared machine. Each
line prints medians over ``--runs`` runs and the ratio dj ÷ plain of the same run.

The plain ways are what a user could write with pandas alone: read every sheet
with ``pandas.read_excel(sheet_name=None)`` (default engine openpyxl, and
``engine="calamine"``), write with ``DataFrame.to_excel``, merge by reading every
book (default engine, and calamine) and concatenating sheet by sheet. They
check nothing, so a ratio near 1 means checking costs little beyond reading.

Jobs not yet in the package (aggregate, export, split) print "not available".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
AS_OF = dt.date(2026, 12, 31)


# --- what each child process measures: seconds per phase --------------------------------------

def _copy(path: Path) -> Path:
    """A fresh copy to write in place (outside the timing)."""
    dest = path.with_name(f"{path.stem}_w{os.getpid()}.xlsx")
    shutil.copyfile(path, dest)
    return dest


def dj_steps(path: str, steps: str, write: str = "in-place") -> dict[str, float]:
    """``dj validate`` / ``dj run --in-place`` split into read, check (compute) and write."""
    from dj_addin import pipeline
    from dj_addin.xlsx.reader import read_book

    src = Path(path)
    work = _copy(src) if write == "in-place" else src
    t0 = time.perf_counter()
    book = read_book(work)
    t1 = time.perf_counter()
    result = pipeline.compute(book, AS_OF, steps.split(","), file=work.name)
    t2 = time.perf_counter()
    out = {"read": t1 - t0, "check": t2 - t1}
    if write == "in-place":
        from dj_addin.xlsx.sink import FileSink

        pipeline.write_result(result, FileSink(work, None, in_place=True))
        out["write"] = time.perf_counter() - t2
    out["findings"] = len(result.report.findings)
    return out


def pandas_read(path: str, engine: str) -> dict[str, float]:
    """The plain way: every sheet with pandas.read_excel."""
    import pandas as pd

    t0 = time.perf_counter()
    frames = pd.read_excel(path, sheet_name=None, engine=None if engine == "default" else engine)
    return {"read": time.perf_counter() - t0, "rows": sum(len(f) for f in frames.values())}


def dj_demo(out_dir: str) -> dict[str, float]:
    from dj_addin.commands.demo import run_demo

    run = run_demo(Path(out_dir) / f"demo{os.getpid()}", year=2026, as_of=AS_OF)
    s = run.seconds
    return {"generate": s["generate"], "write": s["write"],
            "process": sum(v for k, v in s.items() if k not in ("generate", "write"))}


def plain_demo(out_dir: str) -> dict[str, float]:
    """The same university's rows written with DataFrame.to_excel, one workbook per unit."""
    import pandas as pd

    from dj_addin import schema
    from dj_addin.demo import generate as demo

    t0 = time.perf_counter()
    uni = demo.generate_university(demo.DEFAULT_SEED, 2026, AS_OF)
    t1 = time.perf_counter()
    folder = Path(out_dir) / f"plain{os.getpid()}"
    folder.mkdir()
    for book in uni.books():
        with pd.ExcelWriter(folder / book.file_name) as xw:
            pd.DataFrame(list(book.meta.items())).to_excel(xw, sheet_name=schema.META.name, index=False)
            for key, rows in book.rows.items():
                pd.DataFrame(rows).to_excel(xw, sheet_name=schema.sheet(key).name, index=False)
    return {"generate": t1 - t0, "write": time.perf_counter() - t1}


def dj_aggregate(folder: str, out: str, exact: str = "") -> dict[str, float]:
    """Merge with ``dj aggregate`` into ``out`` (``exact``) or a file of this process next to it."""
    from dj_addin.aggregate import aggregate

    dest = Path(out) if exact else Path(out).with_name(f"agg{os.getpid()}.xlsx")
    t0 = time.perf_counter()
    result = aggregate([Path(folder)], dest, as_of=AS_OF)
    return {"merge": time.perf_counter() - t0, "exit": result.exit_code}


def plain_merge(folder: str, out: str, engine: str = "default") -> dict[str, float]:
    """Read every sheet of every book (pandas' default engine, or ``engine``), concatenate sheet by
    sheet, write one workbook with pandas' default writer."""
    import pandas as pd

    t0 = time.perf_counter()
    sheets: dict[str, list] = {}
    for path in sorted(Path(folder).glob("*.xlsx")):
        for name, frame in pd.read_excel(path, sheet_name=None, engine=None if engine == "default" else engine).items():
            sheets.setdefault(name, []).append(frame)
    t1 = time.perf_counter()
    with pd.ExcelWriter(Path(out).with_name(f"plain{os.getpid()}.xlsx")) as xw:
        for name, frames in sheets.items():
            pd.concat(frames, ignore_index=True).to_excel(xw, sheet_name=name, index=False)
    return {"read": t1 - t0, "write": time.perf_counter() - t1}


def dj_export(path: str) -> dict[str, float]:
    from dj_addin.export import export_book

    t0 = time.perf_counter()
    export_book(path, Path(path).with_name(f"export{os.getpid()}.xlsx"), as_of=AS_OF, force=True)
    return {"export": time.perf_counter() - t0}


def plain_copy(path: str) -> dict[str, float]:
    """Read every sheet and write them all back (what an export amounts to without checks)."""
    import pandas as pd

    t0 = time.perf_counter()
    frames = pd.read_excel(path, sheet_name=None, engine="calamine")
    with pd.ExcelWriter(Path(path).with_name(f"copy{os.getpid()}.xlsx")) as xw:
        for name, frame in frames.items():
            frame.to_excel(xw, sheet_name=name, index=False)
    return {"copy": time.perf_counter() - t0}


def dj_split(path: str, out_dir: str) -> dict[str, float]:
    from dj_addin.split import split_book

    t0 = time.perf_counter()
    split_book(path, Path(out_dir) / f"split{os.getpid()}")
    return {"split": time.perf_counter() - t0}


def plain_split(path: str, out_dir: str) -> dict[str, float]:
    """Read the merged book and write one workbook per 所在支部编码 of 党员名册: rows naming a
    unit go to it, rows naming a member go to the member's unit, other input sheets to every
    file; output sheets (指标汇总, 考评结果 …) are not carried, as dj split does not carry them."""
    import pandas as pd

    from dj_addin import schema

    t0 = time.perf_counter()
    outputs = {s.name for s in schema.OUTPUT_SHEETS}
    frames = {name: frame for name, frame in pd.read_excel(path, sheet_name=None, engine="calamine").items()
              if name not in outputs}
    roster = frames.get("党员名册", pd.DataFrame(columns=["党员编号", "所在支部编码"]))
    unit_of = dict(zip(roster["党员编号"].astype(str), roster["所在支部编码"].astype(str)))
    keyed = {}
    for name, frame in frames.items():
        if "所在支部编码" in frame:
            keyed[name] = frame["所在支部编码"].astype(str)
        else:
            col = next((c for c in ("党员编号", "联系党员编号") if c in frame), None)
            if col is not None:
                keyed[name] = frame[col].astype(str).map(unit_of)
    folder = Path(out_dir) / f"plainsplit{os.getpid()}"
    folder.mkdir()
    for unit in sorted(set(unit_of.values())):
        with pd.ExcelWriter(folder / f"{unit}.xlsx") as xw:
            for name, frame in frames.items():
                part = frame[keyed[name] == unit] if name in keyed else frame
                part.to_excel(xw, sheet_name=name, index=False)
    return {"split": time.perf_counter() - t0}


CHILD: dict[str, Callable[..., dict[str, float]]] = {
    f.__name__: f for f in (dj_steps, pandas_read, dj_demo, plain_demo, dj_aggregate, plain_merge,
                            dj_export, plain_copy, dj_split, plain_split)}


def child_main(name: str, args: list[str]) -> None:
    import warnings

    warnings.simplefilter("ignore")
    try:
        out: dict[str, Any] = CHILD[name](*args)
    except ImportError as exc:
        out = {"missing": str(exc)}
    with open("/proc/self/status") as fh:
        out["peak_mb"] = int(next(line for line in fh if line.startswith("VmHWM")).split()[1]) / 1024
    print(json.dumps(out))


# --- the parent: generate, alternate, take medians --------------------------------------------

def measure(name: str, *args: str, timeout: float = 3600) -> dict[str, Any]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", name, *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])})
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall"] = time.perf_counter() - t0
    return out


class Line:
    """One table line: the dj way and its plain ways, measured alternately ``runs`` times."""

    def __init__(self, label: str, dj: tuple, plains: dict[str, tuple], phases: tuple[str, ...],
                 total: tuple[str, ...] | None = None):
        self.label, self.dj, self.plains, self.phases = label, dj, plains, phases
        self.total = total or phases  # the phases compared with the plain way
        self.samples: dict[str, list[dict]] = {"dj": [], **{k: [] for k in plains}}

    def run_once(self) -> None:
        self.samples["dj"].append(measure(*self.dj))
        if "missing" in self.samples["dj"][-1]:
            return  # the job is not in the package yet: no comparison to make
        for key, call in self.plains.items():
            self.samples[key].append(measure(*call))

    def row(self) -> list[str]:
        dj = [s for s in self.samples["dj"] if "error" not in s and "missing" not in s]
        if not dj:
            first = self.samples["dj"][0]
            return [self.label, "not available" if "missing" in first else f"failed: {first.get('error')}",
                    "", "", "", ""]
        med = {p: statistics.median(s[p] for s in dj) for p in self.phases}
        total = sum(med[p] for p in self.total)
        detail = " / ".join(f"{med[p]:.2f}" for p in self.phases)
        peak = max(s["peak_mb"] for s in dj)
        plain_cells, ratio_cells, plain_peaks = [], [], []
        for key in self.plains:
            ok = [s for s in self.samples[key] if "error" not in s]
            if not ok:
                plain_cells.append(f"{key}: failed")
                continue
            tot = statistics.median(sum(v for k, v in s.items() if k not in ("peak_mb", "wall", "rows")) for s in ok)
            plain_cells.append(f"{key} {tot:.2f} s")
            ratio_cells.append(f"{total / tot:.2f}× {key}")
            plain_peaks.append(f"{max(s['peak_mb'] for s in ok):.0f}")
        return [self.label, f"{detail} s" + (f" (Σ {total:.2f})" if len(self.phases) > 1 else ""),
                ", ".join(plain_cells), ", ".join(ratio_cells), f"{peak:.0f}", "/".join(plain_peaks)]


def build_lines(args: argparse.Namespace, folder: Path) -> list[Line]:
    from bigbook import make_book

    quick, cases, lines = args.quick, set(args.cases.split(",")), []

    def book(name: str, **kw: Any) -> Path:
        path = folder / name
        if not path.exists():
            t0 = time.perf_counter()
            make_book(path, **kw)
            print(f"# generated {name}: {path.stat().st_size / 2**20:.1f} MB in {time.perf_counter() - t0:.1f} s",
                  flush=True)
        return path

    pandas_ways = lambda p: {"openpyxl": ("pandas_read", p, "default"), "calamine": ("pandas_read", p, "calamine")}
    if "big" in cases:
        big = book("big.xlsx", members=2000, log_rows=20_000, spoil=0.01)
        lines.append(Line("dj validate, 20,000 log rows (read / check)", ("dj_steps", big, "validate", "none"),
                          pandas_ways(big), ("read", "check")))
        lines.append(Line("dj validate --in-place, same (read / check / write)", ("dj_steps", big, "validate"),
                          pandas_ways(big), ("read", "check", "write")))
        lines.append(Line("dj run --in-place, same (read / check / write)",
                          ("dj_steps", big, "validate,rollup,score"), pandas_ways(big), ("read", "check", "write")))
    if "branch" in cases:
        branch = book("branch.xlsx", members=100, log_rows=3000, spoil=0.01)
        lines.append(Line("dj run --in-place, branch of 100 / 3,000 (read / check / write)",
                          ("dj_steps", branch, "validate,rollup,score"), pandas_ways(branch),
                          ("read", "check", "write")))
    if "demo" in cases:
        lines.append(Line("dj demo (generate / write / 一键处理)", ("dj_demo", folder), {"to_excel": ("plain_demo", folder)},
                          ("generate", "write", "process")))
    if "merge" in cases:
        from bench_aggregate import make_books  # the demo generator's branches, 60 members and 1,500 log rows

        n = 30 if quick else 300
        books = folder / f"branches{n}"
        make_books(books, n, 60, 1500, os.cpu_count() or 1)  # kept in --dir; says so when it writes them
        merged = folder / "merged.xlsx"
        lines.append(Line(f"dj aggregate of {n} branch books", ("dj_aggregate", books, merged),
                          {"pandas merge": ("plain_merge", books, merged, "default"),
                           "calamine merge": ("plain_merge", books, merged, "calamine")}, ("merge",)))
        big = book("big.xlsx", members=2000, log_rows=20_000, spoil=0.01)
        lines.append(Line("dj export of the big branch", ("dj_export", big),
                          {"pandas copy": ("plain_copy", big)}, ("export",)))
        lines.append(Line(f"dj split of the merge into {n}", ("dj_split", folder / f"agg_for_split.xlsx", folder),
                          {"pandas split": ("plain_split", folder / "agg_for_split.xlsx", folder)}, ("split",)))
    if "scale" in cases:
        wrong = book("all_wrong.xlsx", members=2000, log_rows=20_000, spoil=1.0)
        lines.append(Line("every log row wrong, 20,000 rows (read / check)", ("dj_steps", wrong, "validate", "none"),
                          {"calamine": ("pandas_read", wrong, "calamine")}, ("read", "check")))
        for rows in ((50_000,) if quick else (250_000, 400_000)):
            p = book(f"rows_{rows}.xlsx", members=2000, log_rows=rows)
            lines.append(Line(f"{rows:,} log rows (read / check)", ("dj_steps", p, "validate", "none"),
                              {"calamine": ("pandas_read", p, "calamine")}, ("read", "check")))
        touched = folder / "touched.xlsx"
        if not touched.exists():
            from bench_scale import touched_book

            touched_book(touched)
        lines.append(Line("a sheet touching row 1,048,576 (read / check)", ("dj_steps", touched, "validate", "none"),
                          {"calamine": ("pandas_read", touched, "calamine")}, ("read", "check")))
    return lines


def prepare_split_input(folder: Path) -> None:
    """The split line splits what aggregate made; without aggregate it has nothing to split."""
    books = next(folder.glob("branches*"), None)
    target = folder / "agg_for_split.xlsx"
    if books is None or target.exists():
        return
    out = measure("dj_aggregate", books, target, "exact")
    if "missing" in out or "error" in out:
        target.unlink(missing_ok=True)


def profile_paths(folder: Path, top: int) -> None:
    """cProfile the read path and the write paths; print the top entries by own time."""
    import cProfile
    import pstats

    from bigbook import make_book
    from dj_addin import pipeline
    from dj_addin.demo import generate as demo
    from dj_addin.xlsx.reader import read_book
    from dj_addin.xlsx.sink import FileSink

    big = folder / "big.xlsx"
    if not big.exists():
        make_book(big, members=2000, log_rows=20_000, spoil=0.01)
    scoring = folder / "scoring.xlsx"
    if not scoring.exists():
        from bench_scoring import make_book as scoring_book  # 2,000 members in 20 branches

        scoring_book(scoring, 2000, 50_000)
    state: dict[str, Any] = {}

    def read() -> None:
        state["book"] = read_book(_copy(big))

    def write_validated() -> None:
        book = state["book"]
        result = pipeline.compute(book, AS_OF, (pipeline.VALIDATE,), file=book.path.name)
        pipeline.write_result(result, FileSink(book.path, None, in_place=True))

    def demo_write() -> None:
        uni = demo.generate_university(demo.DEFAULT_SEED, 2026, AS_OF)
        out = folder / f"profile_demo{os.getpid()}"
        shutil.rmtree(out, ignore_errors=True)
        demo.write_university(uni, out)

    def write_rollup() -> None:
        work = _copy(scoring)
        result = pipeline.compute(read_book(work), AS_OF, (pipeline.ROLLUP, pipeline.SCORE), file=work.name)
        state["rollup_rows"] = len(result.rollup.rows)
        t0 = time.perf_counter()
        prof = cProfile.Profile()
        prof.enable()
        pipeline.write_result(result, FileSink(work, None, in_place=True))
        prof.disable()
        state["rollup_profile"] = (prof, time.perf_counter() - t0)

    for title, fn in (("read_book, 20,000 log rows", read),
                      ("validate --in-place write (问题清单 + marks), 20,000 log rows", write_validated),
                      ("dj demo writing (write_university, 13 books)", demo_write),
                      ("writing 指标汇总 + 考评结果 (2,000 members, 50,000 log rows)", write_rollup)):
        t0 = time.perf_counter()
        prof = cProfile.Profile()
        prof.enable()
        fn()
        prof.disable()
        seconds = time.perf_counter() - t0
        if "rollup_profile" in state:  # only the write, not the read and compute before it
            prof, seconds = state.pop("rollup_profile")
            title += f", {state['rollup_rows']:,} rows"
        print(f"\n## {title}: {seconds:.2f} s (under the profiler)")
        stats = pstats.Stats(prof)
        stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child_main(sys.argv[2], sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer books (30), 50,000 rows instead of 250,000/400,000")
    ap.add_argument("--runs", type=int, default=None, help="runs per line (default 3, 1 with --quick)")
    ap.add_argument("--cases", default="big,branch,demo,merge,scale")
    ap.add_argument("--dir", default="", help="keep generated files here (reused when present)")
    ap.add_argument("--profile", type=int, nargs="?", const=15, metavar="TOP",
                    help="instead of timing: cProfile the read and write paths, print the TOP entries")
    args = ap.parse_args()
    if args.profile:
        folder = Path(args.dir or tempfile.mkdtemp(prefix="dj_profile_"))
        folder.mkdir(parents=True, exist_ok=True)
        profile_paths(folder, args.profile)
        return
    runs = args.runs or (1 if args.quick else 3)
    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="dj_proof_"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"# {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, nproc {os.cpu_count()}, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}, {runs} run(s) per line, files in {folder}",
          flush=True)
    lines = build_lines(args, folder)
    if "merge" in args.cases:
        prepare_split_input(folder)
    header = ["case", "dj (median)", "plain way (median)", "ratio dj ÷ plain", "dj peak MB", "plain peak MB"]
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header), flush=True)
    for line in lines:
        for _ in range(runs):
            line.run_once()
        print("| " + " | ".join(line.row()) + " |", flush=True)
    print(f"# done, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    if not args.dir:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
