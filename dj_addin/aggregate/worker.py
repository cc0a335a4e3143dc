"""One input, read once: read → validate → mask → compact, in a worker process.

A worker hands back a ``Loaded``: what 汇总来源 needs about the file (unit,
报送日期, version, SHA-256, rows per sheet, counts of findings) and the book
itself in compact form (cheap to pickle), or the reasons it cannot be merged.
It never raises: one bad input never stops the run.

Merged inputs (a college's workbook at the university) hold the rows of many
units, and the same 党员编号 in two of them is a merge conflict (listed in
汇总来源 one level up), not a 编号重复 错误 of the file: R001 is kept only for
keys repeated inside one source unit (``cross_unit_duplicates``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from dj_addin import schema
from dj_addin.aggregate.inputs import Source
from dj_addin.errors import DjError
from dj_addin.masking import mask_book
from dj_addin.model import Book, Finding
from dj_addin.rows import compact_book

ERROR, WARNING, _ = schema.LEVELS


@dataclass
class Loaded:
    """What a worker found in one input."""

    name: str
    container: dict[str, str]
    where: str
    mtime: float
    sha256: str = ""
    book: Book | None = None  # compact, masked; None when unreadable
    unit_code: str | None = None
    unit_name: str | None = None
    unit_level: str | None = None
    parent_code: str | None = None
    parent_name: str | None = None
    year: int | None = None
    report_date: dt.date | None = None
    template_version: str | None = None
    row_counts: dict[str, int] = field(default_factory=dict)  # sheet name → rows
    errors: int = 0
    warnings: int = 0
    first_errors: list[str] = field(default_factory=list)  # the first 错误 findings, in words
    unreadable: str = ""  # why the file could not be read


def load(source: Source, as_of: dt.date | None) -> Loaded:
    """Read, validate, mask and compact one input (never raises)."""
    out = Loaded(source.name, dict(source.container), source.where, source.mtime)
    try:
        data = source.data if source.data is not None else Path(source.path).read_bytes()
        out.sha256 = hashlib.sha256(data).hexdigest()
        if source.data is None:
            _load_path(out, Path(source.path), as_of)
        else:
            with tempfile.TemporaryDirectory(prefix="dj-aggregate-") as tmp:
                path = Path(tmp) / Path(source.name).name
                path.write_bytes(data)
                _load_path(out, path, as_of)
    except DjError as exc:
        out.book, out.unreadable = None, exc.message
    except Exception as exc:  # a defect must not stop the other inputs
        out.book, out.unreadable = None, f"读取时出现意外问题（{type(exc).__name__}），请用 Excel 打开检查后重新保存"
    return out


def _load_path(out: Loaded, path: Path, as_of: dt.date | None) -> None:
    from dj_addin.pipeline import VALIDATE, compute
    from dj_addin.xlsx.reader import read_book

    book = read_book(path)
    meta = book.meta
    out.unit_code, out.unit_name = meta.get("unit_code"), meta.get("unit_name")
    out.unit_level, out.year = meta.get("unit_level"), book.year
    out.parent_code, out.parent_name = meta.get("parent_code"), meta.get("parent_name")
    rd = meta.get("report_date")
    out.report_date = rd.date() if isinstance(rd, (dt.datetime, pd.Timestamp)) else rd
    tv = meta.get("template_version")
    out.template_version = None if tv is None else str(tv)
    out.row_counts = {t.spec.name: len(t) for t in book.tables.values() if t.found}
    findings = compute(book, as_of, (VALIDATE,), file=path.name).report.findings
    if book.merged:
        findings = cross_unit_duplicates(book, findings)
    errors = [f for f in findings if f.level == ERROR]
    out.errors, out.warnings = len(errors), sum(f.level == WARNING for f in findings)
    out.first_errors = [describe(f) for f in errors[:3]]
    out.book = compact_book(mask_book(book))
    out.book.path = None


def describe(f: Finding) -> str:
    where = f"「{f.sheet}」" if f.sheet else ""
    return f"{where}{f.message}".strip()


def cross_unit_duplicates(book: Book, findings: list[Finding]) -> list[Finding]:
    """Drop R001 findings whose key repeats only across source units (a merge
    conflict listed by the merge); keep those repeated inside one unit."""
    inside: set[tuple[str, int]] = set()
    for t in book.tables.values():
        for col in t.spec.columns:
            if not col.unique or col.key not in t.data.columns or not len(t):
                continue
            frame = pd.DataFrame({"u": t.origin["source_unit"].to_numpy(dtype=object),
                                  "v": t.data[col.key].to_numpy(dtype=object)})
            dup = frame["v"].notna() & frame.duplicated(["u", "v"], keep="first")
            inside.update((t.spec.name, int(r)) for r in t.origin["row"].to_numpy()[dup.to_numpy()])
    return [f for f in findings if f.rule != "R001" or (f.sheet, f.row) in inside]


def load_all(sources: list[Source], as_of: dt.date | None, workers: int | None,
             progress: Any = None, keep: Callable[[], None] | None = None) -> list[Loaded]:
    """Every input through ``load``, in parallel processes (``workers``; 1: in this process);
    results in the order of ``sources``; ``progress(done, total, name)`` after each; ``keep()``
    after each book is received (``collector.kept``: the books stay to the end of the job)."""
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed

    total = len(sources)
    n = workers or os.cpu_count() or 1
    results: list[Loaded | None] = [None] * total
    if n <= 1 or total <= 1:
        for i, s in enumerate(sources):
            if progress is not None:
                progress(i, total, s.name)
            results[i] = load(s, as_of)
            if keep is not None:
                keep()
        if progress is not None and total:
            progress(total, total, "")
        return [r for r in results if r is not None]
    with ProcessPoolExecutor(max_workers=min(n, total)) as pool:
        futures = {pool.submit(load, s, as_of): i for i, s in enumerate(sources)}
        done = 0
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except Exception as exc:  # a worker that died (memory): the input is returned
                s = sources[i]
                results[i] = Loaded(s.name, dict(s.container), s.where, s.mtime,
                                    unreadable=f"读取进程意外退出（{type(exc).__name__}）")
            if keep is not None:
                keep()
            done += 1
            if progress is not None:
                progress(done, total, sources[i].name)
    return [r for r in results if r is not None]
