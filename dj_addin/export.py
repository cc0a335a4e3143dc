"""导出上报: the copy of a unit's workbook that is attached to the e-mail upward.

``export_book`` validates the book, refuses while 错误 remain (unless forced:
then the copy's 基本信息 gets a row 报送说明 that says so, in words the level
above reads; the reader keeps it as an item outside the template's, see
``report_note``), recomputes 指标汇总 and 考评结果, sets 报送日期, masks the
sensitive columns (unless kept), removes the validation marks and the
问题清单 that described them, and writes
``<单位编码>_<单位名称>_<考核年度>_报送.xlsx`` next to the book (or ``out``).
The original is only read: its bytes and modification time never change.

Why the copy is the user's own workbook rewritten, not the template refilled:
a secretary's column widths, fills, extra columns, notes and print setup are
part of what the level above reads, and nothing the user typed may be lost.
So the copy is made by loading the workbook once with openpyxl (macros are
not loaded, so an ``.xlsm`` becomes a plain ``.xlsx``), restoring the marked
cells, writing the masked values and 基本信息 items into their cells, and
rendering the output sheets from their plans. The cost is one openpyxl load
and save (README: about a second for a branch); user charts and images on
data sheets are not kept by openpyxl (the output sheets' charts are rendered
again from their plans).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dj_addin import schema
from dj_addin.errors import UsageError
from dj_addin.masking import mask_value, sensitive_keys
from dj_addin.model import Book
from dj_addin.pipeline import ALL_STEPS, ROLLUP, SCORE, RunResult, compute, plans_for

__all__ = ["ExportResult", "export_book", "export_name", "safe_file_name", "forced_note", "report_note",
           "REPORT_NOTE_ITEM"]

_ERROR = schema.LEVELS[0]
SUFFIX = "_报送.xlsx"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_file_name(text: str) -> str:
    """``text`` usable as a file name on Windows, macOS and Linux: the characters
    no system accepts become ``_``; leading/trailing dots and spaces go."""
    return _UNSAFE.sub("_", text).strip(" .") or "_"


def unit_file_stem(code: Any, name: Any, year: Any) -> str:
    """``<单位编码>_<单位名称>_<考核年度>`` with every part file-name safe (blank parts left out)."""
    parts = [safe_file_name(str(p).strip()) for p in (code, name, year) if p not in (None, "")]
    return "_".join(parts)


def export_name(book: Book, fallback: str) -> str:
    """The export's file name; ``fallback`` (the book's own stem) when 基本信息 names nothing."""
    meta = book.meta
    stem = unit_file_stem(meta.get("unit_code"), meta.get("unit_name"), book.year)
    return (stem or safe_file_name(fallback)) + SUFFIX


# The 基本信息 row a forced export adds. Not a template item (workbook.md lists
# those): the reader keeps it in ``KVTable.unknown_items`` and validation
# mentions it as an item outside the template (S004 提示), which is right: it
# is a remark on this copy, not data of the unit.
REPORT_NOTE_ITEM = "报送说明"


def report_note(book: Book) -> str | None:
    """The 报送说明 of an exported copy (None when it has none): set when it was exported with 错误."""
    item = book.meta.unknown_items.get(REPORT_NOTE_ITEM)
    return None if item is None or item.raw in (None, "") else str(item.raw)


def forced_note(errors: int, today: dt.date) -> str:
    """What 基本信息.报送说明 says when a workbook with 错误 was exported anyway."""
    return (f"本工作簿带着 {errors} 个错误导出（{today.isoformat()} 经确认强制导出），"
            "数据尚未全部改正，汇总时会被退回，除非上级选择包含有错误的文件。")


@dataclass
class ExportResult:
    """What one export did (or why it did not)."""

    file: str
    run: RunResult
    out: Path | None = None  # the copy written (None when refused)
    refused: bool = False  # 错误 remain and the export was not forced
    forced: bool = False  # written although 错误 remain (报送说明 says so)
    masked_cells: int = 0
    kept_sensitive: bool = False
    report_date: dt.date | None = None
    seconds: float = 0.0
    sheets: list[str] = field(default_factory=list)  # output sheets written

    @property
    def error_count(self) -> int:
        return self.run.error_count

    @property
    def exit_code(self) -> int:
        """interfaces.md: 1 when the data has 错误 (refused, or exported by force), else 0."""
        return 1 if self.run.has_errors else 0

    def summary_lines(self) -> list[str]:
        counts = self.run.report.counts
        lines = [f"文件：{self.file}　统计截止：{self.run.as_of.isoformat()}",
                 "校验：" + "，".join(f"{lv} {counts.get(lv, 0)} 个" for lv in schema.LEVELS)]
        if self.refused:
            lines.append(f"未导出：数据中还有 {self.error_count} 个错误。请先改正（运行校验可在「问题清单」"
                         "中看到每个错误的位置），或确认后强制导出（「基本信息」会注明带错导出）。")
            lines += [f"  【{f.sheet or '整个文件'}】{f.message}" for f in [f for f in self.run.report.findings if f.level == _ERROR][:10]]
            return lines
        if self.forced:
            lines.append(f"注意：带着 {self.error_count} 个错误强制导出；「基本信息」的「报送说明」已注明。")
        lines.append(f"报送日期：{self.report_date.isoformat() if self.report_date else ''}；"
                     + ("敏感信息按要求保留未遮蔽。" if self.kept_sensitive
                        else f"已遮蔽敏感信息 {self.masked_cells} 处（如联系电话 138****5678）。"))
        lines.append(f"已导出：{self.out}（{'、'.join(self.sheets)}已更新，校验标记已清除，原文件未改动）")
        return lines

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "output": str(self.out) if self.out else None,
                "as_of": self.run.as_of.isoformat(), "counts": self.run.report.counts,
                "refused": self.refused, "forced": self.forced,
                "report_date": self.report_date.isoformat() if self.report_date else None,
                "masked_cells": self.masked_cells, "kept_sensitive": self.kept_sensitive,
                "findings": [f.as_json() for f in self.run.report.findings if f.level == _ERROR]}


def _destination(path: Path, out: Path | None, book: Book, force: bool) -> Path:
    dest = Path(out) if out is not None else path.with_name(export_name(book, path.stem))
    if dest.suffix.lower() != ".xlsx":
        raise UsageError(f"导出文件「{dest.name}」应以 .xlsx 结尾（上报的工作簿不带宏）；"
                         f"例如 {Path(export_name(book, path.stem)).name}。")
    if dest.exists() and dest.resolve() == path.resolve():
        raise UsageError("导出文件不能是原工作簿本身；导出只写一个新文件，原文件保持不变。")
    if dest.exists() and not force:
        raise UsageError(f"「{dest}」已存在，未覆盖。要替换它请加 --force，或用 -o 指定另一个文件名。")
    return dest


def export_book(path: str | Path, out: str | Path | None = None, *, force: bool = False,
                keep_sensitive: bool = False, as_of: dt.date | None = None,
                today: dt.date | None = None) -> ExportResult:
    """Write the copy of ``path`` to send upward (see the module docstring).

    ``force`` both exports a book that still has 错误 and replaces an existing
    ``out``; ``today`` (default: the real date) is the 报送日期 and the
    reference date of the run (a fixed date makes the copy reproducible)."""
    from dj_addin.xlsx.reader import read_book

    started = time.perf_counter()
    path = Path(path)
    today = today or dt.date.today()
    book = read_book(path)
    checked_at = dt.datetime.combine(today, dt.time(12, 0))
    run = compute(book, as_of, ALL_STEPS, file=path.name, today=today, checked_at=checked_at)
    result = ExportResult(file=path.name, run=run, kept_sensitive=keep_sensitive)
    if run.has_errors and not force:
        result.refused = True
        result.seconds = time.perf_counter() - started
        return result
    dest = _destination(path, None if out is None else Path(out), book, force)
    result.forced, result.report_date = run.has_errors, today
    plans = plans_for(replace(run, steps=(ROLLUP, SCORE)))  # no 问题清单: the marks it lists are removed
    meta: dict[str, Any] = {"report_date": today}
    note = forced_note(run.error_count, today) if run.has_errors else None

    from dj_addin.xlsx.atomic import atomic_write
    from dj_addin.xlsx.export import write_export

    def produce(tmp: Path) -> None:
        result.masked_cells, result.sheets = write_export(path, tmp, book, plans, meta, note,
                                                          mask=not keep_sensitive)

    atomic_write(dest, produce)
    result.out = dest
    result.seconds = time.perf_counter() - started
    return result


def sensitive_cells(book: Book) -> list[tuple[str, str, int]]:
    """(sheet name as found, column letter, Excel row) of every sensitive cell of the
    book's own sheets that holds something: what the copy masks."""
    cells: list[tuple[str, str, int]] = []
    for t in book.tables.values():
        if not t.found or t.data.empty:
            continue
        for key in sensitive_keys(t.spec):
            letter = t.columns.get(key)
            if not letter:
                continue
            filled = t.data[key].notna().to_numpy()
            if key in t.raw.columns:  # a cell that could not be interpreted is masked too
                filled = filled | t.raw[key].notna().to_numpy()
            cells += [(t.name, letter, int(r)) for r in t.rows[filled].tolist()]
    for kv in book.kv.values():
        if not kv.found:
            continue
        for key in sensitive_keys(kv.spec):
            item = kv.items.get(key)
            if item is not None and item.raw not in (None, ""):
                cells.append((kv.name, item.column, item.row))
    return cells


__all__ += ["sensitive_cells", "mask_value"]
