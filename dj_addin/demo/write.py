"""Writing the demo's workbooks: through the template and ``template.fill``,
with fixed document and zip timestamps so that the same seed, year and as-of
date give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from dj_addin.demo.units import UnitBook, University


@dataclass
class WrittenBook:
    book: UnitBook
    path: Path


_CORE_XML = "docProps/core.xml"
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def fixed_timestamp(year: int) -> dt.datetime:
    """The creation/modification time written into every demo workbook."""
    return dt.datetime(year, 1, 1, 8, 0, 0)


def _reproducible_bytes(wb: Any, stamp: dt.datetime) -> bytes:
    """The saved workbook with fixed document and zip timestamps.

    openpyxl stamps ``dcterms:modified`` with the current time while saving
    and the zip entries with the clock, so both are rewritten afterwards.
    """
    wb.properties.created = stamp
    wb.properties.modified = stamp
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == _CORE_XML:
                data = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()


_STAMPS = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def restamp_file(path: Path, stamp: dt.datetime) -> None:
    """Rewrite a workbook written by another writer (an export, a merge) with
    fixed document and zip timestamps, in place and atomically: the demo's
    files are the same for the same seed, year and as-of date."""
    from dj_addin.xlsx.atomic import atomic_write

    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == _CORE_XML:
                data = _STAMPS.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    data = out.getvalue()
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def write_university(uni: University, out_dir: Path,
                     progress: Callable[[UnitBook], None] | None = None) -> list[WrittenBook]:
    """Write every unit's workbook under ``out_dir`` (college folders), atomically."""
    from dj_addin.template.build import build_template
    from dj_addin.xlsx.atomic import atomic_write
    from dj_addin.template.fill import fill_workbook

    out_dir = Path(out_dir)
    stamp = fixed_timestamp(uni.year)
    written = []
    for book in uni.books():
        if progress is not None:
            progress(book)
        path = out_dir / book.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = build_template()
        fill_workbook(wb, book.meta, book.rows)
        data = _reproducible_bytes(wb, stamp)
        atomic_write(path, lambda tmp, data=data: tmp.write_bytes(data))  # an ordinary file's permissions
        written.append(WrittenBook(book, path))
    return written
