"""dj aggregate against the plain pandas script a user would write.

Prints figures (not a test). Usage:
    python bench/bench_aggregate.py [--books 300] [--members 60] [--log 1500] [--workers N] [--dir DIR]
    python bench/bench_aggregate.py --profile [--books 20]     # cProfile of ours, top entries

Branch workbooks come from the demo generator (``dj_addin.demo``): branches
of several generated universities, each scaled to ``--members`` members (a
branch's members cloned with new IDs, with their contacts and 评议 rows) and
``--log`` rows of 联系记载, every other sheet as generated; each gets its own
单位编码. They are written once into ``--dir`` (default a folder under the
system's temp directory, kept for the next run).

Both contestants run in a fresh subprocess, one after the other, so the peak
memory of each is its own (ru_maxrss; ours also reports its worker processes):
- ours: ``dj_addin.aggregate.aggregate`` (read, validate, mask, compact in
  workers; merge with provenance; recompute; streaming write).
- plain: ``pandas.read_excel(f, sheet_name=None)`` for every file one after
  another, ``pd.concat`` per sheet, ``DataFrame.to_excel`` of every sheet into
  one workbook with pandas' default engine.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

AS_OF = dt.date(2026, 12, 31)


def _scaled(branch, code: str, members: int, log: int):
    b = copy.deepcopy(branch)
    rows = b.rows
    roster, targets, contacts, ev = rows["roster"], rows["targets"], rows["contact_log"], rows["evaluation"]
    base = list(roster)
    k = 0
    while len(roster) < members:
        src = base[k % len(base)]
        k += 1
        suffix = f"{k:02d}"
        new_id = f"{src['member_id']}{suffix}"
        roster.append(dict(src, member_id=new_id, branch_post="无", cadre_level="无"))
        for e in [e for e in ev if e["member_id"] == src["member_id"]][:1]:
            ev.append(dict(e, member_id=new_id))
        mine = [t for t in targets if t["member_id"] == src["member_id"]]
        ids = {}
        for t in mine:
            ids[t["target_id"]] = f"{t['target_id']}{suffix}"
            targets.append(dict(t, target_id=ids[t["target_id"]], member_id=new_id))
        for c in [c for c in contacts if c["member_id"] == src["member_id"]]:
            contacts.append(dict(c, member_id=new_id, target_id=ids.get(c["target_id"], c["target_id"])))
    pool = list(contacts)
    i = 0
    while len(contacts) < log:
        contacts.append(dict(pool[i % len(pool)]))
        i += 1
    del contacts[log:]
    b.meta = dict(b.meta, unit_code=code, unit_name=f"第{code}党支部")
    for r in roster:
        r["branch_code"] = code
    return b


def _write_one(args) -> str:
    book, path = args
    from dj_addin.template.build import build_template
    from dj_addin.template.fill import fill_workbook

    wb = build_template()
    fill_workbook(wb, book.meta, book.rows)
    tmp = Path(path).with_suffix(".tmp")
    wb.save(tmp)
    os.replace(tmp, path)
    return path


def make_books(folder: Path, books: int, members: int, log: int, workers: int) -> list[Path]:
    from dj_addin.demo.generate import generate_university

    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"B{i:04d}_{members}_{log}.xlsx" for i in range(books)]
    todo = []
    branches = []
    seed = 1
    while len(branches) < books:
        uni = generate_university(seed, 2026, AS_OF)
        branches += [b for c in uni.colleges for b in c.branches]
        seed += 1
    for i, p in enumerate(paths):
        if not p.exists():
            todo.append((_scaled(branches[i], f"B{i:04d}", members, log), str(p)))
    if todo:
        print(f"writing {len(todo)} branch workbooks into {folder} …", flush=True)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_write_one, todo, chunksize=4))
    return paths


def run_ours(paths: list[Path], out: Path, workers: int | None) -> dict:
    from dj_addin.aggregate import aggregate

    r = aggregate(paths, out, as_of=AS_OF, workers=workers, force=True)
    return {"included": len(r.included), "returned": len(r.returned), "conflicts": len(r.conflicts),
            "log_rows": int(sum(len(d.loaded.book.tables["contact_log"]) for d in r.included))}


def run_plain(paths: list[Path], out: Path) -> dict:
    import warnings

    import pandas as pd

    warnings.filterwarnings("ignore", message="The default engine")  # pandas' default engine, as users run it

    frames: dict[str, list] = {}
    for f in paths:
        for name, df in pd.read_excel(f, sheet_name=None).items():
            frames.setdefault(name, []).append(df)
    with pd.ExcelWriter(out) as writer:
        for name, parts in frames.items():
            pd.concat(parts, ignore_index=True).to_excel(writer, sheet_name=name, index=False)
    return {"sheets": len(frames)}


def child(kind: str, paths: list[Path], out: Path, workers: int | None) -> None:
    t0 = time.perf_counter()
    info = run_ours(paths, out, workers) if kind == "ours" else run_plain(paths, out)
    seconds = time.perf_counter() - t0
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"kind": kind, "seconds": seconds, "peak_mb": own, "worker_peak_mb": kids, **info}))


def profile(paths: list[Path], out: Path) -> None:
    import cProfile
    import pstats

    pr = cProfile.Profile()
    pr.enable()
    run_ours(paths, out, 1)
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
    pstats.Stats(pr).sort_stats("tottime").print_stats(15)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--books", type=int, default=300)
    ap.add_argument("--members", type=int, default=60)
    ap.add_argument("--log", type=int, default=1500)
    ap.add_argument("--workers", type=int, default=None, help="ours: worker processes (default all cores)")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "dj_bench_aggregate")
    ap.add_argument("--skip-plain", action="store_true")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--child", choices=["ours", "plain"])
    args = ap.parse_args()
    paths = make_books(args.dir / "books", args.books, args.members, args.log, os.cpu_count() or 1)
    out_dir = args.dir / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.child:
        child(args.child, paths, out_dir / f"{args.child}.xlsx", args.workers)
        return
    if args.profile:
        profile(paths, out_dir / "profile.xlsx")
        return
    results = {}
    for kind in ("ours",) + (() if args.skip_plain else ("plain",)):
        cmd = [sys.executable, __file__, "--child", kind, "--books", str(args.books), "--members",
               str(args.members), "--log", str(args.log), "--dir", str(args.dir)]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ)
        if done.returncode:
            sys.exit(done.stderr[-2000:])
        results[kind] = json.loads(done.stdout.strip().splitlines()[-1])
    ours = results["ours"]
    print(f"{args.books} branch workbooks × ({args.members} members, {args.log} log rows); "
          f"{ours['included']} merged, {ours['returned']} returned, {ours['log_rows']:,} log rows merged, "
          f"{os.cpu_count()} cores")
    print("| run | time | peak memory |")
    print("|---|---|---|")
    print(f"| dj aggregate | {ours['seconds']:.1f} s | {ours['peak_mb']:.0f} MB (workers {ours['worker_peak_mb']:.0f} MB each at most) |")
    if "plain" in results:
        plain = results["plain"]
        print(f"| plain pandas script | {plain['seconds']:.1f} s | {plain['peak_mb']:.0f} MB |")
        print(f"ratio ours / plain: {ours['seconds'] / plain['seconds']:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
