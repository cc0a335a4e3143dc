"""Shared builders for the writer tests: small workbooks, hand-made results, snapshots.

(``tests/builders.py`` builds full workbooks; the writer only needs a few
sheets with user formatting, so these stay small and local.)
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from pathlib import Path

import openpyxl
import pytest
import pandas as pd
from openpyxl.comments import Comment
from openpyxl.styles import Color, PatternFill

from dj_addin import schema
from dj_addin.model import Finding
from dj_addin.results import ResultsTable, RollupTable, ValidationReport

LOG = schema.CONTACT_LOG.name
ROSTER = schema.ROSTER.name
AS_OF = dt.date(2026, 12, 31)


def make_workbook(path: Path, log_rows: int = 5) -> Path:
    """A roster and a log, with the user's own fills and notes on some cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = ROSTER
    ws.append(schema.ROSTER.headers)
    ws.append(["P001", "张三", "男", "教职工党员", "正式党员"])
    ws.append(["P002", "李四", "女", "学生党员", "预备党员"])
    ws["B2"].fill = PatternFill("solid", fgColor=Color(theme=4, tint=0.6))
    log = wb.create_sheet(LOG)
    log.append(schema.CONTACT_LOG.headers)
    for i in range(log_rows):
        log.append([f"2026-03-{i + 1:02d}", "P001", "张三", f"T{i:03d}", "", "谈心谈话", "了解学习生活情况"])
    log["A2"].value = "2026-13-05"
    log["B3"].fill = PatternFill("solid", fgColor="FF00B0F0")  # user's blue
    log["B3"].comment = Comment("请核对编号", "王书记")
    log["G4"].fill = PatternFill("gray125")  # an unusual user pattern
    log["C2"].comment = Comment("用户批注", "张")
    wb.save(path)
    return path


def finding(level: str, sheet: str, row: int | None, column: str, rule: str = "C001", value: str = "",
            message: str = "有问题", suggestion: str = "请修改") -> Finding:
    return Finding(rule, level, sheet, row, column, "字段", value, message, suggestion)


def sample_report(findings: list[Finding] | None = None) -> ValidationReport:
    if findings is None:
        findings = [
            finding("错误", LOG, 2, "A", "C002", "2026-13-05", "第2行「联系日期」不是有效日期", "请填写如 2026-03-05 的日期"),
            finding("警告", LOG, 3, "B", "R002", "P001", "编号不在名册中"),
            finding("提示", LOG, 4, "G", "C007", "", "内容偏短"),
            finding("警告", ROSTER, 2, "B", "R004", "张三", "姓名与编号不符"),
            finding("提示", "", None, "", "S002", "", "缺少可选工作表「调查研究」", "按空表读取"),
        ]
    return ValidationReport("支部A.xlsx", AS_OF, findings, dt.datetime(2026, 11, 24, 9, 30))


def sample_rollup() -> RollupTable:
    rows = pd.DataFrame([
        {"member_id": "P001", "name": "张三", "branch_code": "B01", "quota_code": "Q01", "quota_name": "每季度联系群众",
         "period_kind": "季度", "period": "2026Q1", "target": 2.0, "actual": 1.0, "rate": 0.5, "rate_capped": 0.5,
         "state": "未达标"},
        {"member_id": "P002", "name": "李四", "branch_code": "B01", "quota_code": "Q01", "quota_name": "每季度联系群众",
         "period_kind": "季度", "period": "2026Q1", "target": 2.0, "actual": 3.0, "rate": 1.5, "rate_capped": 1.0,
         "state": "达标"},
    ])
    summary = pd.DataFrame([
        {"branch_code": "B01", "quota_code": "Q01", "quota_name": "每季度联系群众", "period": "2026Q1",
         "members": 2, "met": 1, "rate": 0.5},
        {"branch_code": "B01", "quota_code": "Q02", "quota_name": "年度联系群众人数", "period": "2026",
         "members": 2, "met": 2, "rate": 1.0},
    ])
    return RollupTable(AS_OF, rows, summary)


def sample_results(provisional: bool = False) -> ResultsTable:
    members = pd.DataFrame([
        {"member_id": "P001", "name": "张三", "branch_code": "B01", "quota_score": 92.35, "org_score": 90.0,
         "mass_score": 95.0, "peer_score": 88.0, "total": 91.2, "rank": 1, "computed_grade": "优秀",
         "final_grade": "优秀", "reasons": "", "advice": "推荐表彰"},
        {"member_id": "P002", "name": "李四", "branch_code": "B01", "quota_score": float("nan"), "org_score": 60.0,
         "mass_score": 55.0, "peer_score": 50.0, "total": 57.0, "rank": 2, "computed_grade": "不合格",
         "final_grade": "不合格", "reasons": "违纪违规；一票否决", "advice": "谈话提醒"},
    ])
    return ResultsTable(AS_OF, members, provisional, 3 if provisional else 0)


def color_key(color) -> tuple | None:
    if color is None:
        return None
    return (color.type, color.rgb if color.type == "rgb" else color.theme if color.type == "theme" else color.indexed,
            round(color.tint or 0.0, 6))


def snapshot(path: Path, sheets: tuple[str, ...] = (ROSTER, LOG)) -> dict:
    """Values, fills and notes of the data sheets, as a user would compare them."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for name in sheets:
        ws = wb[name]
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill
                out[(name, c.coordinate)] = (
                    c.value, fill.patternType, color_key(fill.fgColor),
                    c.comment.text if c.comment else None, c.comment.author if c.comment else None)
    # cells openpyxl created empty and unstyled do not count
    return {k: v for k, v in out.items() if v != (None, None, ("rgb", "00000000", 0.0), None, None)}


def pin_engine(monkeypatch, engine: str) -> None:
    """Make every write in a test use one engine, without falling back."""
    import dj_addin.xlsx.save as write

    monkeypatch.setattr(write, "DEFAULT_ENGINE", engine)


# ---- the user's own edits between runs (openpyxl standing in for Excel)


def delete_row(ws, row: int = 2) -> None:
    ws.delete_rows(row)


def insert_row(ws, row: int = 3) -> None:
    ws.insert_rows(row)


def reverse_rows(ws, first: int = 2) -> None:
    """Sort the data rows backwards: values, formats and notes move with their rows."""
    last = max(c.row for row in ws.iter_rows() for c in row if c.value is not None)  # marks may reach beyond
    cells = {(c.row, c.column): (c.value, copy(c._style), c.comment)
             for row in ws.iter_rows(min_row=first, max_row=last) for c in row}
    for (row, col), (value, style, comment) in cells.items():
        cell = ws.cell(first + last - row, col)
        cell.value, cell._style = value, style
        cell.comment = Comment(comment.text, comment.author) if comment is not None else None


def edited(path: Path, change, sheet: str = LOG) -> Path:
    """The user changes the workbook (openpyxl standing in for Excel)."""
    wb = openpyxl.load_workbook(path)
    change(wb[sheet])
    wb.save(path)
    return path


def expected_after(original: Path, change, tmp_path: Path) -> dict:
    """The original workbook with the same change and never marked: what clearing must give."""
    copy_ = tmp_path / "expected.xlsx"
    copy_.write_bytes(original.read_bytes())
    return snapshot(edited(copy_, change))


def typed_book(path: Path) -> Path:
    """Cells of every kind a mark may land on: dates, numbers, booleans, formulas, text; one with the
    user's own fill and note."""
    book = make_workbook(path)
    wb = openpyxl.load_workbook(book)
    ws = wb[LOG]
    values = [dt.datetime(2026, 3, 1, 8, 30, 15, 250000), 3.25, 12, True, "=B2&C2", dt.date(2026, 3, 2), " 文本 "]
    for row, value in enumerate(values, start=2):
        ws.cell(row, 8, value)
    ws["H2"].number_format = "yyyy-mm-dd hh:mm:ss"
    ws["H3"].fill = PatternFill("solid", fgColor="FF92D050")
    ws["H3"].comment = Comment("数值待复核", "书记")
    wb.save(book)
    return book


@pytest.fixture(autouse=True, params=["fast", "openpyxl"])
def engine(request, monkeypatch):
    """Every test that imports this runs against both writers: they must agree (contract)."""
    pin_engine(monkeypatch, request.param)
    return request.param


@pytest.fixture
def book(tmp_path):
    return make_workbook(tmp_path / "支部A.xlsx")
