"""Data rows written as XML (``xlsx.stream_rows``) give the very bytes xlsxwriter writes.

The streaming renderer hands the data rows of a block to ``RowWriter``,
which writes them into xlsxwriter's row file itself. Rendering the same
plans with that turned off must give the same package, part for part, for
every kind of value and block the plans use; text that looks like XML stays
text.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import dj_addin.xlsx.stream as stream
from dj_addin.plans.types import Block, ColumnPlan, Formula, Link, RowColours, SheetPlan, Style, TitleLine, Validation
from dj_addin.xlsx.stream import write_workbook
from dj_addin.xlsx.stream_rows import takes
from test_render_contract import TRICKY, print_ready_plan, sample_plans

WRAP = Style(wrap=True, vertical="top")
LINK = Style(color="FF0563C1", underline=True)


def every_value_plan() -> list[SheetPlan]:
    """One block holding every kind of value a plan may carry, links, cell formats and heights;
    two blocks side by side; a block with a formula (left to xlsxwriter)."""
    cols = (ColumnPlan("text", "文本", 20, style=WRAP), ColumnPlan("n", "数", 8, "0.0"),
            ColumnPlan("d", "日期", 12, "yyyy-mm-dd"), ColumnPlan("any", "其他", 12), ColumnPlan("plain", "无样式"))
    rows = [
        ["张三", 1, dt.date(2026, 3, 1), True, None],
        ["  前后有空格 ", 2.5, dt.datetime(2026, 3, 1, 8, 30), False, ""],
        ["控制\x07字符 _x0041_ 与 & < > \" '", -0.0, None, dt.date(1900, 1, 1), 12345678901234567890],
        ["很长" * 20000, float("nan"), dt.date(2026, 12, 31), float("inf"), float("-inf")],
        ["多行\n文本", 1e-7, "", dt.datetime(2026, 1, 2), dt.time(8, 0)],
        *[[t, i, None, None, t] for i, t in enumerate(TRICKY)],
        ["😀 补充平面", 3, None, None, None],
        [None, None, None, None, None],
    ]
    links = (Link(0, "text", "党员名册", "B2", "打开"), Link(2, "n", "联系记载", "C9"),
             Link(len(rows) - 1, "text", "联系记载", "A1"), Link(1, "any", "名册 (2)", "A3"))
    main = Block(cols, rows, titles=(TitleLine("标题", Style(bold=True), span=5, height=30),), header_style=Style(bold=True),
                 row_colours=(RowColours("text", {"张三": "FFFFC7CE"}),), links=links, link_style=LINK,
                 cell_formats={(0, "n"): "0%", (1, "d"): "yyyy-mm-dd hh:mm"},
                 footer=(TitleLine("签字：", span=3),))
    left = Block((ColumnPlan("a", "甲", 6),), [["左1"], ["左2"], ["左3"]], top=1, left=1)
    right = Block((ColumnPlan("b", "乙", 6, "0"),), [[1], [2]], top=2, left=3)
    below = Block((ColumnPlan("c", "丙"),), [["下1"], ["下2"]], top=8, left=1, row_height=20)
    formulas = Block((ColumnPlan("x", "值"), ColumnPlan("sum", "合计")), [[1, Formula("SUM(A2:A2)")], [2, 3]])
    # whole-column formats and validations (the merged workbook's data sheets): a cell without
    # its own format takes its column's, as xlsxwriter writes it
    typed = Block((ColumnPlan("id", "编号", 10, column_format="@"), ColumnPlan("yes", "是否", 6, style=WRAP,
                                                                            column_format="@"),
                   ColumnPlan("n", "数", 6)), [["001", "是", 1], [None, "", None], ["002", None, 2.5]])
    return [SheetPlan("全部", [main], freeze="A3", autofilter="A2:E14", row_heights={4: 45, 5: 60}),
            SheetPlan("并排", [left, right, below]),
            SheetPlan("公式", [formulas]),
            SheetPlan("列格式", [typed], validations=[Validation("B2:B100", "list", choices=("是", "否"))])]


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:  # the creation time differs from run to run
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}


@pytest.mark.parametrize("name, plans", [("sample", sample_plans), ("final", lambda: sample_plans(False)),
                                         ("print", print_ready_plan), ("values", every_value_plan)])
def test_direct_rows_give_xlsxwriters_own_bytes(name, plans, tmp_path, monkeypatch):
    made = plans()
    direct = tmp_path / "direct.xlsx"
    write_workbook(direct, made)
    monkeypatch.setattr(stream, "DIRECT_ROWS", False)
    plain = tmp_path / "plain.xlsx"
    write_workbook(plain, made)
    a, b = parts(direct), parts(plain)
    assert list(a) == list(b)
    for part in a:
        assert a[part] == b[part], part


def test_which_blocks_are_written_directly(tmp_path):
    import xlsxwriter

    plans = every_value_plan()
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet()
    assert takes(ws, plans[0]) == {0}
    assert takes(ws, plans[1]) == {2}  # the two side by side share sheet rows: xlsxwriter writes them
    assert takes(ws, plans[2]) == set()  # a formula: xlsxwriter writes it
    assert takes(ws, plans[3]) == {0}
    wb.close()
    wb = xlsxwriter.Workbook(str(tmp_path / "y.xlsx"))  # not constant_memory: shared strings, no row file
    assert takes(wb.add_worksheet(), plans[0]) == set()
    wb.close()


def test_text_that_looks_like_markup_stays_text(tmp_path):
    """xlsxwriter writes a text that starts with <r> and ends with </r> as raw rich-text XML;
    a value as found in a user's cell must stay the text it was."""
    texts = ["<r><t>看不见</t></r>", "<r>x</r>", "</c></row>", "&amp;", "<![CDATA[x]]>"]
    plan = SheetPlan("文本", [Block((ColumnPlan("v", "值"),), [[t] for t in texts])])
    path = tmp_path / "t.xlsx"
    write_workbook(path, [plan])
    ws = openpyxl.load_workbook(path)["文本"]
    assert [ws.cell(r, 1).value for r in range(2, 2 + len(texts))] == texts
    reader = CalamineWorkbook.from_path(str(path))
    assert [row[0] for row in reader.get_sheet_by_name("文本").to_python()[1:]] == texts
    reader.close()


def test_every_value_reads_back(tmp_path):
    path = tmp_path / "v.xlsx"
    write_workbook(path, every_value_plan())
    ws = openpyxl.load_workbook(path)["全部"]
    assert ws["A3"].value == "张三" and ws["A3"].hyperlink.location == "'党员名册'!B2"
    assert ws["B3"].value == 1 and ws["B3"].number_format == "0%"
    assert ws["C3"].value == dt.datetime(2026, 3, 1) and ws["C3"].number_format == "yyyy-mm-dd"
    assert ws["C4"].number_format == "yyyy-mm-dd hh:mm" and ws["D3"].value is True
    assert ws["A4"].value == "  前后有空格 " and ws["A5"].value.startswith("控制")
    assert len(ws["A6"].value) == 32767  # Excel's limit, as xlsxwriter cuts it
    assert (ws["B6"].value, ws["D6"].value) == ("=#NUM!", "=1/0")  # xlsxwriter's errors for NaN and infinity
    assert ws.row_dimensions[4].height == 45 and ws.row_dimensions[1].height == 30
    links = sorted(c.coordinate for row in ws.iter_rows() for c in row if c.hyperlink)
    assert links == sorted(["A3", f"A{2 + len(every_value_plan()[0].blocks[0].rows)}", "B5", "D4"])
