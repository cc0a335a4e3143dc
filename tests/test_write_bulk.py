"""xlsx/bulk.py: big plain tables spliced into the sheet XML read back exactly as
the streaming renderer writes them (values, types, formats), text stays text."""

from __future__ import annotations

import datetime as dt

import openpyxl

from dj_addin.plans import look
from dj_addin.plans.types import Block, ColumnPlan, SheetPlan
from dj_addin.xlsx.bulk import write_workbook_bulk
from dj_addin.xlsx.stream import write_workbook

ROWS = [["=1+1", dt.date(2026, 3, 5), 7, 2.5, True, None, " 空格 ", "a\x01b"],
        ["@x", dt.datetime(2026, 3, 5, 8, 30), None, -1.25, False, "<&>", "+86", "-x"]] * 40


def _plans():
    cols = (ColumnPlan("t", "文本", 10), ColumnPlan("d", "日期", 12, look.DATE), ColumnPlan("i", "整数", 8, look.INTEGER),
            ColumnPlan("n", "数", 8), ColumnPlan("b", "是否", 6), ColumnPlan("e", "空", 6), ColumnPlan("s", "空格", 6),
            ColumnPlan("c", "控制", 6))
    block = Block(cols, [list(r) for r in ROWS], header_style=look.HEADER)
    return [SheetPlan("表一", [block], freeze="A2", autofilter=f"A1:H{len(ROWS) + 1}"),
            SheetPlan("表二", [Block(cols[:2], [["x", dt.date(2026, 1, 1)]])])]


def _cells(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[(c.value, c.data_type, c.number_format) for c in row] for row in ws.iter_rows()]
            for ws in wb.worksheets}, wb


def test_bulk_rows_read_back_like_the_streaming_renderer(tmp_path):
    write_workbook(tmp_path / "a.xlsx", _plans())
    write_workbook_bulk(tmp_path / "b.xlsx", _plans())
    a, _ = _cells(tmp_path / "a.xlsx")
    b, wb = _cells(tmp_path / "b.xlsx")
    assert a == b
    ws = wb["表一"]
    assert ws["A3"].value == "@x" and ws["A3"].data_type == "s" and ws["A4"].value == "=1+1"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:H{len(ROWS) + 1}"
    assert ws.max_row == len(ROWS) + 1


def test_text_xml_cannot_hold_becomes_replacement_character(tmp_path):
    cols = (ColumnPlan("t", "文本", 10),)
    rows = [["ok"], ["a\ud800b"], ["c\uffffd"], ["e"]]
    write_workbook_bulk(tmp_path / "b.xlsx", [SheetPlan("表", [Block(cols, rows)])])
    ws = openpyxl.load_workbook(tmp_path / "b.xlsx")["表"]
    assert [ws.cell(r, 1).value for r in range(2, 6)] == ["ok", "a\ufffdb", "c\ufffdd", "e"]
