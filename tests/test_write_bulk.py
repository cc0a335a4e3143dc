"""xlsx/bulk.py: big plain tables spliced into the sheet XML read back exactly as
the streaming renderer writes them (values, types, formats), text stays text."""

from __future__ import annotations

import datetime as dt

import openpyxl

from dj_addin.plans import look
from dj_addin.plans.types import Block, ColumnPlan, Formula, SheetPlan, TitleLine
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


def _branch_plans(tmp_path):
    """指标汇总 and 考评结果 of a demo branch (blocks above the detail, row colours, per-cell
    number formats for ratio quotas, a signature footer), as the merge writes them."""
    from dj_addin.context import RunContext
    from dj_addin.demo.generate import generate_university
    from dj_addin.plans import letterhead_of
    from dj_addin.plans.results import results_plan
    from dj_addin.plans.rollup import rollup_plan
    from dj_addin.rollup.table import rollup
    from dj_addin.scoring.score import score
    from dj_addin.template.build import build_template
    from dj_addin.template.fill import fill_workbook
    from dj_addin.xlsx.reader import read_book

    as_of = dt.date(2026, 12, 31)
    branch = generate_university(3, 2026, as_of).colleges[0].branches[0]
    wb = build_template()
    fill_workbook(wb, branch.meta, branch.rows)
    wb.save(tmp_path / "branch.xlsx")
    run = RunContext.build(read_book(tmp_path / "branch.xlsx"), as_of)
    r = rollup(run, file="")
    lh = letterhead_of(run)
    assert lh.ratio_quotas  # the demo has quotas shown as percentages: rows of two kinds
    return [rollup_plan(r.to_table(), lh), results_plan(score(run, r).to_table(False, 0), lh)]


def _looks(path):
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        cells = [[(c.value, c.data_type, c.number_format, c.style_id, c.font.b, c.fill.fgColor.rgb,
                   c.alignment.horizontal, c.alignment.wrap_text) for c in row] for row in ws.iter_rows()]
        out[ws.title] = {"cells": cells, "dims": ws.dimensions, "merged": sorted(map(str, ws.merged_cells.ranges)),
                         "colours": sorted(str(cf.sqref) for cf in ws.conditional_formatting),
                         "heights": {r: d.height for r, d in ws.row_dimensions.items() if d.height},
                         "widths": {k: d.width for k, d in ws.column_dimensions.items()},
                         "filter": ws.auto_filter.ref, "freeze": ws.freeze_panes, "area": ws.print_area,
                         "charts": len(ws._charts)}
    return out


def test_output_sheets_with_several_blocks_read_back_like_the_streaming_renderer(tmp_path):
    from dj_addin.xlsx.bulk import _spliced

    plans = _branch_plans(tmp_path)
    tails = [_spliced(p) for p in plans]
    assert all(tails) and all(len(t.written) < len(t.block.rows) / 4 for ts in tails for t in ts.values())
    write_workbook(tmp_path / "a.xlsx", plans)
    write_workbook_bulk(tmp_path / "b.xlsx", plans)
    a, b = _looks(tmp_path / "a.xlsx"), _looks(tmp_path / "b.xlsx")
    assert a == b
    rollup = a["指标汇总"]["cells"]
    assert len(rollup) > 100 and a["指标汇总"]["colours"] and a["指标汇总"]["charts"] == 1
    assert {"0.0%", "0%"} <= {c[2] for row in rollup for c in row}  # ratio quotas' cells as percentages
    assert a["考评结果"]["merged"] and len(a["考评结果"]["cells"]) > 20


def test_rows_of_other_kinds_take_their_own_styles(tmp_path):
    """A date in a column without a number format, per-cell number formats, a formula and a
    block beside a tall one: every cell looks as the streaming renderer draws it."""
    cols = (ColumnPlan("a", "甲", 10), ColumnPlan("b", "乙", 10), ColumnPlan("c", "丙", 10, style=look.WRAP))
    rows = [["x", 1.5, None], ["y", dt.date(2026, 2, 1), "z"], ["w", dt.datetime(2026, 2, 1, 9, 30), None],
            ["v", 0.25, "_x0041_ 字面"], ["u", Formula("1+2"), "q"], ["t", 0.5, None]] * 5
    formats = {(i, "b"): "0.0%" for i in range(3, len(rows), 6)}
    tall = Block(cols, [list(r) for r in rows], top=3, titles=(TitleLine("标题", look.TITLE, span=3),),
                 header_style=look.HEADER, cell_formats=formats,
                 footer=(TitleLine("签字：", look.SIGNATURE, span=3, height=30.0),))
    small = Block(cols[:1], [["上"], ["下"], ["中"]], top=1, left=5)
    plans = [SheetPlan("表", [small, tall], freeze="A5")]
    write_workbook(tmp_path / "a.xlsx", plans)
    write_workbook_bulk(tmp_path / "b.xlsx", plans)
    a, b = _looks(tmp_path / "a.xlsx"), _looks(tmp_path / "b.xlsx")
    assert a == b
    ws = openpyxl.load_workbook(tmp_path / "b.xlsx")["表"]
    assert ws["B9"].value == "=1+2" and ws["B8"].number_format == "0.0%" and ws["B6"].is_date
    # text that looks like Excel's own escape stays that text (openpyxl does not unescape; Excel and calamine do)
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(tmp_path / "b.xlsx").get_sheet_by_name("表").to_python()
    assert rows[7][2] == "_x0041_ 字面"
