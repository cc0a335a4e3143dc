"""The reader at the edges of what a sheet can hold (issues 8/14): each case must
finish in seconds or be refused at once with a Chinese message.

Prints figures (not a test). Usage:
    python bench/bench_scale.py [--cases rows,touched,wide,findings,pickle,merged] [--rows 400000]
                                [--merged-rows 300000] [--dir DIR]

Cases (each generated once into a temporary folder, then read and validated in
a fresh process so that peak memory is the case's own):
- rows:     a branch workbook whose 联系记载 has 400,000 rows;
- touched:  a small branch whose 联系记载 has a formula filled down to row
            1,048,576 (its cached value is empty text), as users do;
- wide:     a 联系记载 header that runs to column XFD (16,384 headers), 200 rows;
- findings: 20,000 log rows, every one wrong (unknown member): building the findings;
- pickle:   the pickled Book before and after ``rows.compact_book`` for 20,000 log rows;
- merged:   the university's merged workbook of ``dj demo`` (来源单位编码 and 来源行 on every row,
            styled blanks, output sheets, charts) with its people and log copied under new IDs
            until 联系记载 has ``--merged-rows`` rows (default 300,000), as a university's merge has.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import pickle
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import xlsxwriter

from dj_addin import schema

from bigbook import make_book

AS_OF = dt.date(2026, 12, 31)
HERE = Path(__file__).resolve().parent


def touched_book(path: Path) -> None:
    """A small branch, then a formula in column L of 联系记载 down to row 1,048,576."""
    make_book(path, members=100, log_rows=3000)
    import re  # add the filled-down formula column the way Excel stores it (one shared formula)
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = "xl/worksheets/sheet4.xml"  # 联系记载 is the fourth sheet bigbook writes
    xml = parts[sheet].decode()
    first = '<row r="3002"><c r="L3002" t="str"><f t="shared" ref="L3002:L1048576" si="0">IF(A3002="","",1)</f><v></v></c></row>'
    rows = [first] + ['<row r="%d"><c r="L%d" t="str"><f t="shared" si="0"/><v></v></c></row>' % (r, r)
                      for r in range(3003, 1_048_577)]
    xml = xml.replace("</sheetData>", "".join(rows) + "</sheetData>")
    xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:L1048576"/>', xml)
    parts[sheet] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)


def wide_book(path: Path) -> None:
    """联系记载 with the schema's headers, then unknown headers up to column XFD; 200 rows."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet(schema.META.name)
    ws.write_row(0, 0, schema.META.kv_headers)
    for r, (key, value) in enumerate((("unit_code", "D0101"), ("year", 2026),
                                      ("template_version", schema.TEMPLATE_VERSION)), start=1):
        ws.write_row(r, 0, [schema.META.column(key).header, value])
    ws = wb.add_worksheet(schema.CONTACT_LOG.name)
    headers = list(schema.CONTACT_LOG.headers)
    headers += [f"备注{i}" for i in range(16_384 - len(headers))]
    ws.write_row(0, 0, headers)
    for r in range(1, 201):
        ws.write_row(r, 0, ["2026-03-05", "M1", "张三", "T1", "李四", "走访", "了解情况"])
        ws.write(r, 16_383, "x")
    wb.close()


def merged_book(path: Path, log_rows: int) -> None:
    """``dj demo``'s merged university workbook, scaled: the data rows of 党员名册, 联系对象,
    联系记载 and 评议 are copied (rows renumbered, every ID that is all digits given the copy's
    suffix, so the copies are new people, not duplicates) until the log has ``log_rows`` rows;
    every other part (output sheets, styles, charts) is kept as the merge wrote it."""
    import math
    import re
    import zipfile

    demo_dir = path.parent / f"{path.stem}_demo"
    if not demo_dir.exists():
        subprocess.run([sys.executable, "-m", "dj_addin", "demo", "--out", str(demo_dir), "--seed", "1",
                        "--as-of", "2026-12-31"], check=True, capture_output=True)
    source = next(demo_dir.glob("U_*_汇总.xlsx"))
    with zipfile.ZipFile(source) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
        workbook = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = dict(re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"', workbook))
    target = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
    part_of = {name: "xl/" + target[r] for name, r in rid.items()}
    row = re.compile(r'<row r="(\d+)"[^>]*>.*?</row>', re.DOTALL)
    log = parts[part_of[schema.CONTACT_LOG.name]].decode()
    copies = math.ceil(log_rows / max(len(row.findall(log)) - 1, 1))
    for sheet in (schema.ROSTER, schema.TARGETS, schema.CONTACT_LOG, schema.EVALUATION):
        xml = parts[part_of[sheet.name]].decode()
        start, end = xml.index("<sheetData>") + len("<sheetData>"), xml.index("</sheetData>")
        rows = [m.group(0) for m in row.finditer(xml, start, end)]
        n = len(rows) - 1  # data rows under the header
        wanted = min(n * copies, log_rows) if sheet is schema.CONTACT_LOG else n * copies
        out = [rows[0]]
        for i in range(wanted):
            k, number = i // n, i + 2
            text = re.sub(r'(<row r="|<c r="[A-Z]{1,3})\d+', lambda m: f"{m.group(1)}{number}", rows[1 + i % n])
            if k:
                text = re.sub(r"<t>(\d{5,})</t>", lambda m: f"<t>{m.group(1)}x{k}</t>", text)
            out.append(text)
        last = len(out)
        xml = xml[:start] + "".join(out) + xml[end:]
        xml = re.sub(r'(<dimension ref="[A-Z]+1:[A-Z]+)\d+', lambda m: f"{m.group(1)}{last}", xml)
        xml = re.sub(r'(<autoFilter ref="[A-Z]+1:[A-Z]+)\d+', lambda m: f"{m.group(1)}{last}", xml)
        parts[part_of[sheet.name]] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)


def case_in_child(case: str, path: Path) -> dict:
    """Read (and validate) ``path`` in a fresh process: seconds, peak memory, findings, warnings."""
    code = f"""
import json, sys, time, warnings, datetime as dt
sys.path.insert(0, {str(HERE)!r})
caught = []
warnings.simplefilter("always")
warnings.showwarning = lambda m, c, *a, **k: caught.append(c.__name__)
from dj_addin.xlsx.reader import read_book
from dj_addin.validate import validate_book
from dj_addin.errors import DjError
out = {{}}
t0 = time.perf_counter()
try:
    book = read_book({str(path)!r})
    out["read_s"] = round(time.perf_counter() - t0, 2)
    t1 = time.perf_counter()
    report = validate_book(book, dt.date(2026, 12, 31))
    out["validate_s"] = round(time.perf_counter() - t1, 2)
    out["findings"] = len(report.findings)
    out["log_rows"] = len(book.table("contact_log"))
except DjError as exc:
    out["refused_s"] = round(time.perf_counter() - t0, 2)
    out["message"] = exc.message
with open("/proc/self/status") as fh:
    out["peak_mb"] = round(int(next(l for l in fh if l.startswith("VmHWM")).split()[1]) / 1024)
out["warnings"] = sorted(set(caught))
print(json.dumps(out, ensure_ascii=False))
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900)
    if res.returncode:
        return {"crashed": res.stderr[-2000:]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def pickle_sizes(path: Path) -> dict:
    from dj_addin import rows
    from dj_addin.validate import validate_book
    from dj_addin.xlsx.reader import read_book

    book = read_book(path)
    validate_book(book, AS_OF)
    full = len(pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL))
    t0 = time.perf_counter()
    small = rows.compact_book(book)
    compact_s = time.perf_counter() - t0
    size = len(pickle.dumps(small, protocol=pickle.HIGHEST_PROTOCOL))
    return {"full_mb": round(full / 2**20, 2), "compact_mb": round(size / 2**20, 2),
            "compact_s": round(compact_s, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cases", default="rows,touched,wide,findings,pickle,merged")
    ap.add_argument("--rows", type=int, default=400_000)
    ap.add_argument("--merged-rows", type=int, default=300_000)
    ap.add_argument("--dir", default="", help="keep the generated files here (default: a temporary folder)")
    args = ap.parse_args()
    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="dj_scale_"))
    folder.mkdir(parents=True, exist_ok=True)
    makers = {
        "rows": (f"rows_{args.rows}.xlsx", lambda p: make_book(p, members=2000, log_rows=args.rows)),
        "touched": ("touched.xlsx", touched_book),
        "wide": ("wide.xlsx", wide_book),
        "findings": ("findings.xlsx", lambda p: make_book(p, members=2000, log_rows=20_000, spoil=1.0)),
        "pickle": ("pickle.xlsx", lambda p: make_book(p, members=2000, log_rows=20_000, spoil=0.01)),
        "merged": (f"merged_{args.merged_rows}.xlsx", lambda p: merged_book(p, args.merged_rows)),
    }
    for case in args.cases.split(","):
        name, make = makers[case]
        path = folder / name
        if not path.exists():
            t0 = time.perf_counter()
            make(path)
            print(f"# generated {name}: {path.stat().st_size / 2**20:.1f} MB in {time.perf_counter() - t0:.0f} s")
        figures = pickle_sizes(path) if case == "pickle" else case_in_child(case, path)
        print(case, json.dumps(figures, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
