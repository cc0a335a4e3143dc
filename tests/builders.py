"""Build small workbooks for tests from plain dicts keyed by schema keys.

``make_book(path, rows={"roster": [{"member_id": "M1", ...}]})`` writes every
sheet of the template that the reader reads (headers from ``schema``), so a
test only spells what it is about. Usable by every test module.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import openpyxl

from dj_addin import schema
from dj_addin.model import Book
from dj_addin.xlsx.reader import book_from_grids
from dj_addin.xlsx.grid import Grid

DEFAULT_META: dict[str, Any] = {
    "unit_code": "D0101", "unit_name": "测试党支部", "unit_level": "党支部", "year": 2026,
    "template_version": schema.TEMPLATE_VERSION,
}


def sheet_rows(*, meta: Mapping[str, Any] | None = None,
               rows: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
               drop_sheets: Iterable[str] = (), extra: Mapping[str, Iterable[Iterable[Any]]] | None = None,
               columns: Mapping[str, Iterable[str]] | None = None, scoring_rules: Mapping[str, Any] | None = None,
               quotas: Iterable[tuple] | None = None) -> dict[str, list[list[Any]]]:
    """Sheet name → rows of cell values, as ``make_book`` writes them (see there)."""
    rows = dict(rows or {})
    dropped = set(drop_sheets)
    if "quotas" not in rows:
        q = schema.QUOTAS
        rows["quotas"] = [dict(zip(q.keys, t)) for t in (quotas if quotas is not None else schema.DEFAULT_QUOTAS)]
    out: dict[str, list[list[Any]]] = {}
    for spec in _read_sheets():
        if spec.key in dropped:
            continue
        if spec.kind is schema.SheetKind.KV:
            if spec.key == schema.META.key:
                items = {**DEFAULT_META, **(meta or {})}
            elif scoring_rules is None:  # as the template has it: every item at its default
                items = {s.key: s.default for s in schema.SCORING_SETTINGS}
            else:
                items = dict(scoring_rules)
            out[spec.name] = [list(spec.kv_headers)] + [
                [col.header, items[col.key]] for col in spec.columns if col.key in items and items[col.key] is not ...]
            continue
        keys = list(columns[spec.key]) if columns and spec.key in columns else spec.keys
        grid = [[spec.column(k).header if k in spec.keys else k for k in keys]]
        grid += [[_cell(row.get(k)) for k in keys] for row in rows.get(spec.key, ())]
        out[spec.name] = grid
    for name, extra_rows in (extra or {}).items():
        out[name] = [list(r) for r in extra_rows]
    return out


def make_book(path: str | Path, *, edit: Callable[[openpyxl.Workbook], None] | None = None, **kw: Any) -> Path:
    """Write a workbook and return its path.

    - ``meta``: 基本信息 items by schema key (merged over ``DEFAULT_META``;
      a value of ``None`` leaves the item's cell empty, ``...`` omits the item).
    - ``rows``: data rows by sheet key, each a dict by column key.
    - ``drop_sheets``: sheet keys not to write at all.
    - ``extra``: more sheets by name, each a list of rows (lists) written as is.
    - ``columns``: per sheet key, the column keys to write, in this order
      (default: all of the schema's, in template order). A name that is not a
      schema key is written as a header as is (an extra column), its values
      taken from the row dicts under that name.
    - ``scoring_rules``: 评分规则 items by key, exactly (default: every item at its default value).
    - ``quotas``: 指标设置 rows as tuples like ``schema.DEFAULT_QUOTAS``
      (default: ``schema.DEFAULT_QUOTAS``); ``rows["quotas"]`` wins if given.
    - ``edit``: called with the openpyxl workbook before saving (merges, error cells…).
    """
    path = Path(path)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, grid in sheet_rows(**kw).items():
        ws = wb.create_sheet(name)
        for r in grid:
            ws.append(r)
    if not wb.sheetnames:
        wb.create_sheet("Sheet1")
    if edit is not None:
        edit(wb)
    wb.save(path)
    return path


def memory_book(**kw: Any) -> Book:
    """The ``Book`` the reader makes of ``make_book(**kw)``, without a file
    (same grid → table code; about ten times faster for rule tests)."""
    grids = {name: Grid(name, [list(r) for r in grid]) for name, grid in sheet_rows(**kw).items()}
    return book_from_grids(list(grids), grids)


def _read_sheets() -> list[schema.Sheet]:
    return [s for s in schema.SHEETS if s in schema.READ_SHEETS]


def _cell(value: Any) -> Any:
    if isinstance(value, tuple):  # ids columns
        return "、".join(value)
    return value


def d(text: str) -> dt.date:
    """``d("2026-03-05")`` → a date, for short test data."""
    return dt.date.fromisoformat(text)


def clean_rows() -> dict[str, list[dict[str, Any]]]:
    """A small workbook's data that triggers no finding at all at as-of 2026-12-31:
    two members (one a 处级干部 with a 联系点), each with an assigned contact and
    a contact in every quarter, and one row in every optional sheet."""
    log = []
    for member, target in (("M001", "T001"), ("M002", "T002")):
        for month in (2, 5, 8, 11):
            log.append({"date": dt.date(2026, month, 10 + len(log)), "member_id": member, "target_id": target,
                        "method": "谈心谈话", "content": "了解思想和工作情况", "handling": "无需办理"})
    log[0].update({"member_name": "张三", "target_name": "王五", "request": "希望增加自习室",
                   "handling": "已办结", "closed_date": dt.date(2026, 2, 20), "reported": "是"})
    return {
        "units": [],
        "roster": [
            {"member_id": "M001", "name": "张三", "gender": "男", "category": "教职工党员", "status": "正式党员",
             "cadre_level": "处级干部", "branch_post": "书记", "join_date": dt.date(2005, 7, 1)},
            {"member_id": "M002", "name": "李四", "gender": "女", "category": "学生党员", "status": "预备党员",
             "join_date": dt.date(2025, 12, 1)},
        ],
        "targets": [
            {"target_id": "T001", "name": "王五", "target_type": "普通教职工", "political": "群众", "member_id": "M001"},
            {"target_id": "T002", "name": "赵六", "target_type": "学生", "political": "共青团员", "member_id": "M002"},
        ],
        "contact_log": log,
        "research": [{"member_id": "M001", "start_date": dt.date(2026, 4, 1), "end_date": dt.date(2026, 4, 3),
                      "days": 3, "topic": "学生就业调研", "has_report": "是", "report_title": "关于就业的调研报告"}],
        "reception": [{"date": dt.date(2026, 5, 8), "leader_id": "M001", "visitors": 5, "issues": 3, "resolved": 2}],
        "contact_points": [{"cadre_id": "M001", "department": "计算机学院", "branch_code": "D0102"}],
        "point_visits": [{"cadre_id": "M001", "date": dt.date(2026, 6, 1), "content": "走访了解教学情况", "solved": 1}],
        "briefings": [{"date": dt.date(2026, 3, 1), "item": "年度工作计划", "item_type": "党的建设", "form": "通报会",
                       "coverage": 30, "opinions": 5, "answered": 5}],
        "forums": [{"date": dt.date(2026, 12, 1), "topic": "征求意见座谈会", "reason": "民主生活会前", "host_id": "M001",
                    "inside": 5, "outside": 6, "opinions": 8, "rectified": 6}],
        "activities": [{"date": dt.date(2026, 9, 1), "name": "爱心助学", "brand": "爱心助成才",
                        "member_ids": ("M001", "M002"), "beneficiaries": 20}],
        "evaluation": [{"member_id": "M001", "self_grade": "优秀", "peer_excellent": 3, "mass_satisfied": 8,
                        "org_score": 90, "violation": "否"}],
    }
