"""What recognising non-standard packages costs (xlsx/flavours.py).

Prints figures (not a test). Usage:
    python bench/bench_flavours.py [--members 2000] [--log 20000] [--repeat 5]

For a standard workbook the check is one look at the zip directory and the
first 2 KB of workbook.xml; it is compared with the whole ``read_book``.
For the same workbook rewritten as Strict Open XML with backslash part
names, the rewrite into a temporary standard copy is timed too.
"""

from __future__ import annotations

import argparse
import tempfile
import zipfile
from pathlib import Path

from dj_addin.xlsx.flavours import standard_package
from dj_addin.xlsx.reader import read_book

from bigbook import make_book
from timing import median_seconds


def strict_backslash(src: Path, dst: Path) -> None:
    pairs = ((b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
             (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
              b"http://purl.oclc.org/ooxml/officeDocument/relationships"))
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            for a, b in pairs:
                data = data.replace(a, b)
            zout.writestr(name.replace("/", "\\"), data)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=2000)
    ap.add_argument("--log", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=5)
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.xlsx"
        make_book(path, members=ns.members, log_rows=ns.log)
        odd = Path(tmp) / "odd.xlsx"
        strict_backslash(path, odd)

        def check(p: Path) -> None:
            with standard_package(p):
                pass

        mb = path.stat().st_size / 1e6
        print(f"workbook: {ns.members} members, {ns.log} log rows, {mb:.1f} MB")
        std_check = median_seconds(lambda: check(path), ns.repeat)
        std_read = median_seconds(lambda: read_book(path), ns.repeat)
        print(f"standard package: flavour check {std_check * 1000:.2f} ms, whole read_book {std_read:.2f} s "
              f"({std_check / std_read * 100:.2f} %)")
        odd_check = median_seconds(lambda: check(odd), ns.repeat)
        odd_read = median_seconds(lambda: read_book(odd), ns.repeat)
        print(f"Strict + backslash parts: rewrite {odd_check:.2f} s, whole read_book {odd_read:.2f} s")


if __name__ == "__main__":
    main()
