"""下发: one pre-filled workbook per subordinate unit, made from a college's or
the university's workbook at the start of the year (aggregation.md, 下发).

For every unit listed in 下级单位, a fresh template gets 基本信息 (the unit's
单位编码, 单位名称 and 单位层级, its 负责人 as 书记, 上级单位 = the source's
unit, 考核年度), the unit's own members (党员名册 rows whose 所在支部编码 is the
unit), their contacts (联系对象 rows whose 联系党员编号 is one of those
members), and the upper level's 指标设置 and 评分规则, so that a branch starts
from the targets it is measured by. Cells are written with the values as
found (``SheetTable.for_writing``): a cell the reader could not interpret
arrives as the user typed it, for the unit to correct. Extra columns travel
under their own headers; 来源单位编码/来源行 do not (the unit's workbook is its
own again).

A unit with no members still gets its file, with a 警告. Nothing in the
folder is replaced unless ``force``: the run checks every name first and
writes nothing when one exists.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dj_addin import schema
from dj_addin.errors import DjError, UsageError
from dj_addin.export import unit_file_stem
from dj_addin.model import Book, SheetTable

__all__ = ["SplitResult", "SplitUnit", "split_book", "split_plan"]

Progress = Callable[[int, int, str], None]


@dataclass
class SplitUnit:
    """One subordinate unit's workbook: what goes into it and where."""

    code: str
    name: str
    level: str | None
    leader: str | None
    path: Path
    roster: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SplitResult:
    file: str
    out_dir: Path
    units: list[SplitUnit] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 0

    def summary_lines(self) -> list[str]:
        lines = [f"文件：{self.file}　下发到：{self.out_dir}",
                 f"已为 {len(self.units)} 个下级单位各写一个工作簿（用时 {self.seconds:.1f} 秒）："]
        lines += [f"  {u.path.name}：党员 {len(u.roster)} 名，联系对象 {len(u.targets)} 名" for u in self.units]
        lines += [f"警告：{w}" for w in self.warnings]
        return lines

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "out_dir": str(self.out_dir),
                "units": [{"unit_code": u.code, "unit_name": u.name, "unit_level": u.level, "file": str(u.path),
                           "members": len(u.roster), "contacts": len(u.targets)} for u in self.units],
                "warnings": list(self.warnings)}


def _plain(value: Any) -> Any:
    """A frame value as a cell value: blanks as None, whole-day timestamps as dates."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return value.item()
    return value


def _rows(t: SheetTable, keep: pd.Series | None = None) -> list[dict[str, Any]]:
    """Rows of ``t`` (optionally only where ``keep``) as dicts for ``template.fill``:
    schema keys and extra headers, values as found, blank cells left out."""
    frame = t.for_writing()
    if keep is not None:
        frame = frame[keep.reindex(frame.index, fill_value=False).to_numpy(dtype=bool)]
    records = frame.to_dict("records")
    return [{k: v for k, v in ((k, _plain(v)) for k, v in r.items()) if v is not None} for r in records]


def _fold(s: pd.Series) -> pd.Series:
    """IDs compare case-insensitively (workbook.md)."""
    return s.map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).casefold())


def split_plan(book: Book, out_dir: Path) -> tuple[list[SplitUnit], list[str]]:
    """What each unit gets, and the warnings (pure: nothing is written)."""
    units = book.tables[schema.UNITS.key]
    if units.data.empty or units.data["unit_code"].isna().all():
        raise DjError(f"「{schema.UNITS.name}」中没有单位，无法下发；请先在「{schema.UNITS.name}」里列出下级单位。")
    year = book.year
    roster, targets = book.tables[schema.ROSTER.key], book.tables[schema.TARGETS.key]
    branch = _fold(roster.data["branch_code"])
    member_of = _fold(targets.data["member_id"])
    plan: list[SplitUnit] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for u in units.data.itertuples(index=False):
        code = u.unit_code
        if code is None or (isinstance(code, float) and math.isnan(code)):
            continue
        code = str(code)
        if code.casefold() in seen:
            warnings.append(f"「{schema.UNITS.name}」中单位编码 {code} 出现了不止一次，只下发一个工作簿。")
            continue
        seen.add(code.casefold())
        name = None if pd.isna(u.unit_name) else str(u.unit_name)
        level = None if pd.isna(u.unit_level) else str(u.unit_level)
        leader = None if pd.isna(u.leader) else str(u.leader)
        mine = branch == code.casefold()
        ids = set(_fold(roster.data["member_id"][mine]).dropna())
        contacts = member_of.isin(ids) & member_of.notna()
        item = SplitUnit(code, name or code, level, leader, out_dir / (unit_file_stem(code, name, year) + ".xlsx"),
                         _rows(roster, mine), _rows(targets, contacts))
        if not item.roster:
            warnings.append(f"单位 {code}（{item.name}）在「{schema.ROSTER.name}」中没有党员"
                            f"（没有「所在支部编码」为 {code} 的行），仍写出了它的工作簿，请该单位自行填写党员名册。")
        plan.append(item)
    unplaced = int((~branch.isin(seen)).sum())
    if unplaced:
        warnings.append(f"「{schema.ROSTER.name}」中有 {unplaced} 名党员的「所在支部编码」不是「{schema.UNITS.name}」"
                        "中的单位（或为空），没有下发给任何单位。")
    placed = set().union(*(set(_fold(pd.Series([r.get("member_id") for r in p.roster], dtype=object)).dropna())
                           for p in plan)) if plan else set()
    orphans = int((~member_of.isin(placed)).sum())
    if orphans:
        warnings.append(f"「{schema.TARGETS.name}」中有 {orphans} 名联系对象的「联系党员编号」不是下发的任何党员，"
                        "没有下发。")
    return plan, warnings


def _meta(book: Book, unit: SplitUnit) -> dict[str, Any]:
    meta = book.meta
    return {"unit_code": unit.code, "unit_name": unit.name, "unit_level": unit.level,
            "parent_code": meta.get("unit_code"), "parent_name": meta.get("unit_name"),
            "year": book.year, "secretary": unit.leader, "template_version": schema.TEMPLATE_VERSION}


def _write_unit(book: Book, unit: SplitUnit) -> None:
    from dj_addin.template.build import build_template
    from dj_addin.template.fill import append_rows, replace_rows, set_items, set_meta
    from dj_addin.xlsx.atomic import atomic_write

    wb = build_template()
    set_meta(wb, {k: v for k, v in _meta(book, unit).items() if v is not None})
    append_rows(wb, schema.ROSTER.key, unit.roster, as_text=True)
    append_rows(wb, schema.TARGETS.key, unit.targets, as_text=True)
    quotas = book.tables.get(schema.QUOTAS.key)
    if quotas is not None and quotas.found:  # the upper level's targets, not the template's defaults
        replace_rows(wb, schema.QUOTAS.key, _rows(quotas), as_text=True)
    rules = book.kv.get(schema.SCORING_RULES.key)
    if rules is not None and rules.found:
        set_items(wb, schema.SCORING_RULES, {k: _plain(item.raw) for k, item in rules.items.items()
                                             if item.raw not in (None, "")})
    atomic_write(unit.path, wb.save)


def split_book(path: str | Path, out_dir: str | Path, *, force: bool = False,
               progress: Progress | None = None) -> SplitResult:
    """Write one workbook per unit of 下级单位 of ``path`` into ``out_dir`` (see the module docstring)."""
    from dj_addin.xlsx.reader import read_book

    started = time.perf_counter()
    path, out_dir = Path(path), Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"「{out_dir}」是一个文件，不是文件夹；请用 --out 指定一个文件夹。")
    book = read_book(path)
    plan, warnings = split_plan(book, out_dir)
    existing = [u.path for u in plan if u.path.exists()]
    if any(p.resolve() == path.resolve() for p in existing):
        raise UsageError("下发的文件名与原工作簿相同；请用 --out 换一个文件夹。")
    if existing and not force:
        raise UsageError(f"「{out_dir}」中已有 {len(existing)} 个同名工作簿（如「{existing[0].name}」），"
                         "一个也没有写。要替换它们请加 --force，或换一个文件夹。")
    out_dir.mkdir(parents=True, exist_ok=True)
    for i, unit in enumerate(plan):
        if progress is not None:
            progress(i, len(plan), unit.path.name)
        _write_unit(book, unit)
    if progress is not None:
        progress(len(plan), len(plan), "")
    return SplitResult(path.name, out_dir, plan, warnings, time.perf_counter() - started)

