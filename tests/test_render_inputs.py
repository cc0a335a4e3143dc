"""Both renderers of new workbooks (openpyxl, the streaming xlsxwriter writer) draw the
parts of a plan that the template shares with the merged workbook the same way: single
cells with formulas and merges, drop-downs, number ranges and input hints, whole-column
formats, per-column header looks, widths, sheet protection and the hidden list sheet."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from dj_addin.plans.inputs import LISTS_SHEET, ListSources, column_validation, kv_validation
from dj_addin.plans.types import Block, Cell, ColumnPlan, Formula, Line, SheetPlan, Style, Validation
from dj_addin.schema import CONTACT_LOG, META, TARGETS
from dj_addin.xlsx.sheets import render_plans
from dj_addin.xlsx.stream import write_workbook

RED = Style(bold=True, color="FFFFFFFF", fill="FFC00000", horizontal="center", border=Line("thin", "FFBFBFBF"))


def plans() -> list[SheetPlan]:
    lists = ListSources()
    validations = [column_validation(CONTACT_LOG.column("method"), "B2:B50", lists),  # inline list
                   column_validation(TARGETS.column("target_type"), "C2:C50", lists),  # on the hidden sheet
                   kv_validation(META.column("year"), "D2", lists),  # a whole-number range
                   column_validation(CONTACT_LOG.column("date"), "A2:A50", lists),  # a hint only
                   Validation("E2:E9", "list", choices=("是", "否"), error="请选择", error_style="stop")]
    cols = (ColumnPlan("date", "联系日期", 12, "yyyy-mm-dd", column_format="yyyy-mm-dd", header_style=RED),
            ColumnPlan("method", "联系方式", 14, column_format="@"),
            ColumnPlan("kind", "对象类别", 16, column_format="@", header_style=RED))
    block = Block(cols, [[None, "走访", "学生"], [None, "=1+1", "@x"]], header_style=Style(bold=True),
                  header_height=30)
    cells = [Cell("F1", "标题", Style(bold=True, size=16), span=3), Cell("F3", Formula("COUNTA(B:B)-1"), RED, "0"),
             Cell("G3", "=不是公式"), Cell("F5", "说明", span=2)]
    form = SheetPlan("表单", [block], cells=cells, validations=[v for v in validations if v is not None],
                     widths={6: 30, 7: 20}, protected=True, show_grid=False, freeze="A2")
    return [form, lists.plan()]


def render(kind: str, folder: Path) -> Path:
    out = folder / f"{kind}.xlsx"
    if kind == "openpyxl":
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        render_plans(wb, plans())
        wb.save(out)
    else:
        write_workbook(out, plans())
    return out


def seen(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    ws = wb["表单"]
    cells = {c.coordinate: (c.value, c.data_type, c.number_format, c.font.b, c.font.sz or 11.0, c.fill.fgColor.rgb
                            if c.fill.patternType == "solid" else None, c.border.left.style)
             for row in ws.iter_rows() for c in row if c.value is not None}
    dvs = sorted((str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.operator or "between" if dv.type == "whole"
                  else dv.operator, dv.errorStyle or "stop", dv.error, dv.errorTitle, dv.prompt, dv.promptTitle,
                  bool(dv.allow_blank), bool(dv.showErrorMessage), bool(dv.showInputMessage))
                 for dv in ws.data_validations.dataValidation)
    formats = {c: dim.number_format for dim in ws.column_dimensions.values()
               for c in range(dim.min, (dim.max or dim.min) + 1) if dim.number_format != "General"}
    widths = {c: round(dim.width, 2) for dim in ws.column_dimensions.values() if dim.customWidth
              for c in range(dim.min, (dim.max or dim.min) + 1)}
    lists = wb[LISTS_SHEET]
    return dict(cells=cells, dvs=dvs, formats=formats, widths=widths, merged=sorted(map(str, ws.merged_cells.ranges)),
                protected=ws.protection.sheet, grid=ws.sheet_view.showGridLines, freeze=ws.freeze_panes,
                height=ws.row_dimensions[1].height, lists=(lists.sheet_state, [c.value for c in lists["A"]]),
                order=wb.sheetnames)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("inputs")
    return {kind: seen(render(kind, folder)) for kind in ("openpyxl", "stream")}


def test_both_renderers_draw_the_same_inputs(rendered):
    a, b = rendered["openpyxl"], rendered["stream"]
    for part in a:
        assert b[part] == a[part], part


def test_what_the_plan_asked_for_is_there(rendered):
    got = rendered["stream"]
    assert got["cells"]["F3"][:3] == ("=COUNTA(B:B)-1", "f", "0")  # only a Formula is a formula
    assert got["cells"]["G3"][:2] == ("=不是公式", "s") and got["cells"]["B3"][:2] == ("=1+1", "s")
    assert got["cells"]["A1"][5] == "FFC00000" and got["cells"]["B1"][5] is None  # a column's own header look
    assert got["merged"] == ["F1:H1", "F5:G5"] and got["protected"] and not got["grid"]
    assert got["formats"] == {1: "yyyy-mm-dd", 2: "@", 3: "@"}
    kinds = {dv[0]: dv for dv in got["dvs"]}
    assert kinds["B2:B50"][1:3] == ("list", '"' + ",".join(CONTACT_LOG.column("method").choices) + '"')
    assert kinds["C2:C50"][2] == f"'{LISTS_SHEET}'!$A$1:$A${len(TARGETS.column('target_type').choices)}"
    assert kinds["D2"][1:5] == ("whole", "2000", "2100", "between")
    assert kinds["A2:A50"][1] is None and kinds["A2:A50"][8]  # a hint, no check
    assert kinds["C2:C50"][5] == "warning" and kinds["E2:E9"][5] == "stop"
    assert got["lists"] == ("hidden", list(TARGETS.column("target_type").choices))
    assert got["order"] == ["表单", LISTS_SHEET]
