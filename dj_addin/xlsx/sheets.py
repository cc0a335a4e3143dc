"""The output sheets 问题清单, 指标汇总 and 考评结果, built with openpyxl.

Every output sheet has the same shape: row 1 a title line (when it was made,
the as-of date, counts), row 2 the headers of the schema sheet, data from
row 3; frozen headers, autofilter, widths from the schema, A4 landscape,
and the output tab colour. The sheets are recreated on every run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from dj_addin import schema
from dj_addin.model import Finding
from dj_addin.results import ResultsTable, RollupTable, ValidationReport
from dj_addin.schema import LEVELS, Column, ColType, Sheet
from dj_addin.xlsx import styles as st
from dj_addin.xlsx.marks import find_marks_sheet

HEADER_ROW = 2
FIRST_ROW = 3
PERCENT_KEYS = ("rate", "rate_capped")
SCORE_KEYS = ("quota_score", "org_score", "mass_score", "peer_score", "total")
ROLLUP_STATE_RGB = {"未达标": st.LIGHT_RED, "达标": st.LIGHT_GREEN, "进行中": st.LIGHT_GREY}
GRADE_RGB = {schema.GRADES[0]: st.LIGHT_GREEN, schema.GRADES[2]: st.LIGHT_ORANGE, schema.GRADES[3]: st.LIGHT_RED}


# ---------------------------------------------------------------- helpers


def plain(value: Any) -> Any:
    """A DataFrame value as something openpyxl writes (NaN/NA → empty, numpy → Python)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return value


def put(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    """Write a value; text is always text (a value starting with '=' never becomes a formula)."""
    cell = ws.cell(row=row, column=col, value=plain(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def replace_output_sheet(wb: Workbook, spec: Sheet) -> Worksheet:
    """A fresh empty sheet for ``spec`` where the old one was, else after all other sheets."""
    if spec.name in wb.sheetnames:
        index = wb.sheetnames.index(spec.name)
        wb.remove(wb[spec.name])
    else:
        ours = find_marks_sheet(wb)  # by header and state: a user's sheet of that name is data
        index = wb.index(ours) if ours is not None else len(wb.sheetnames)
    ws = wb.create_sheet(spec.name, index)
    ws.sheet_properties.tabColor = st.OUTPUT_TAB_COLOR
    return ws


def write_title(ws: Worksheet, text: str, width: int) -> None:
    cell = put(ws, 1, 1, text)
    cell.font = st.TITLE_FONT
    cell.alignment = st.WRAP
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    ws.row_dimensions[1].height = 30


def write_headers(ws: Worksheet, columns: Sequence[Column], first_col: int = 1) -> None:
    for i, col in enumerate(columns):
        cell = put(ws, HEADER_ROW, first_col + i, col.header)
        cell.font, cell.fill, cell.alignment, cell.border = st.HEADER_FONT, st.HEADER_FILL, st.HEADER_ALIGN, st.GRID
        ws.column_dimensions[get_column_letter(first_col + i)].width = col.width


def finish_table(ws: Worksheet, ncols: int, nrows: int) -> None:
    """Frozen headers, autofilter, printing on A4 landscape."""
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)
    last = get_column_letter(ncols)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(nrows, 1)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def colour_rows(ws: Worksheet, ncols: int, nrows: int, key_col: int, colours: dict[str, str]) -> None:
    """Conditional fills of whole rows by the text in ``key_col`` (live: edits recolour)."""
    if nrows <= 0:
        return
    area = f"A{FIRST_ROW}:{get_column_letter(ncols)}{FIRST_ROW + nrows - 1}"
    letter = get_column_letter(key_col)
    for text, rgb in colours.items():
        fill = PatternFill("solid", start_color=rgb, end_color=rgb)
        ws.conditional_formatting.add(area, FormulaRule(formula=[f'${letter}{FIRST_ROW}="{text}"'], fill=fill))


def write_frame(ws: Worksheet, spec_columns: Sequence[Column], frame: pd.DataFrame, first_col: int = 1,
                formats: dict[str, str] | None = None) -> int:
    """Rows of ``frame`` under headers of ``spec_columns``; return the number of rows."""
    formats = formats or {}
    write_headers(ws, spec_columns, first_col)
    records = frame.to_dict("records") if len(frame) else []
    for r, rec in enumerate(records):
        for i, col in enumerate(spec_columns):
            cell = put(ws, FIRST_ROW + r, first_col + i, rec.get(col.key))
            if col.key in formats:
                cell.number_format = formats[col.key]
            elif col.type is ColType.INT:
                cell.number_format = "0"
    return len(records)


# ---------------------------------------------------------------- 问题清单


def count_line(report: ValidationReport) -> str:
    counts = report.counts
    if not report.findings:
        return "未发现问题"
    return "，".join(f"{level} {counts.get(level, 0)} 个" for level in LEVELS)


def sort_findings(findings: Sequence[Finding], sheet_order: Sequence[str]) -> list[Finding]:
    order = {name: i for i, name in enumerate(sheet_order)}

    def key(f: Finding) -> tuple:
        level = LEVELS.index(f.level) if f.level in LEVELS else len(LEVELS)
        return (level, order.get(f.sheet, -1 if not f.sheet else len(order)), f.sheet, f.row or 0,
                len(f.column), f.column)

    return sorted(findings, key=key)


def link_target(f: Finding, sheet_names: Sequence[str]) -> str | None:
    if not f.sheet or f.sheet not in sheet_names:
        return None
    cell = f"{f.column or 'A'}{f.row or 1}"
    return f"{quote_sheetname(f.sheet)}!{cell}"


def write_findings(wb: Workbook, report: ValidationReport, sheet_names: Sequence[str] | None = None) -> Worksheet:
    """``sheet_names``: the sheets of the workbook the links point into (default: ``wb``'s own)."""
    spec = schema.FINDINGS
    ws = replace_output_sheet(wb, spec)
    checked = report.checked_at.strftime("%Y-%m-%d %H:%M:%S")
    write_title(ws, f"校验时间：{checked}　统计截止：{report.as_of.isoformat()}　文件：{report.file}　"
                    f"结果：{count_line(report)}", len(spec.columns))
    write_headers(ws, spec.columns)
    names = list(sheet_names) if sheet_names is not None else wb.sheetnames
    findings = sort_findings(report.findings, names)
    sheet_col = spec.keys.index("sheet") + 1
    for r, f in enumerate(findings, start=FIRST_ROW):
        values = {"level": f.level, "sheet": f.sheet, "row": f.row, "column": f.column, "field": f.field,
                  "value": f.value, "message": f.message, "suggestion": f.suggestion}
        for i, col in enumerate(spec.columns, start=1):
            cell = put(ws, r, i, values[col.key])
            if col.key in ("message", "suggestion", "value"):
                cell.alignment = st.WRAP
        target = link_target(f, names)
        if target:
            cell = ws.cell(row=r, column=sheet_col)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=target, tooltip="跳到这个单元格")
            cell.font = st.LINK_FONT
    colour_rows(ws, len(spec.columns), len(findings), spec.keys.index("level") + 1, dict(zip(LEVELS, st.LEVEL_RGB.values())))
    finish_table(ws, len(spec.columns), len(findings))
    return ws


# ---------------------------------------------------------------- 指标汇总


def quota_rates(unit_summary: pd.DataFrame) -> pd.DataFrame:
    """达标率 by quota over all units and ended periods (what the chart shows)."""
    if unit_summary.empty:
        return pd.DataFrame(columns=["quota_code", "quota_name", "rate"])
    g = unit_summary.groupby(["quota_code", "quota_name"], sort=True)[["members", "met"]].sum().reset_index()
    g["rate"] = g["met"] / g["members"].where(g["members"] > 0)
    return g


def write_rollup(wb: Workbook, rollup: RollupTable) -> Worksheet:
    spec = schema.ROLLUP
    ws = replace_output_sheet(wb, spec)
    ncols = len(spec.columns)
    write_title(ws, f"指标完成情况（统计截止：{rollup.as_of.isoformat()}；进行中 = 期间尚未结束）", ncols)
    formats = {k: st.PERCENT for k in PERCENT_KEYS}
    n = write_frame(ws, spec.columns, rollup.rows, formats=formats)
    colour_rows(ws, ncols, n, spec.keys.index("state") + 1, ROLLUP_STATE_RGB)
    finish_table(ws, ncols, n)
    ws.print_area = f"A1:{get_column_letter(ncols)}{HEADER_ROW + max(n, 1)}"  # the summary stays on screen

    summary_cols = schema.ROLLUP_SUMMARY_COLUMNS
    s0 = ncols + 2
    put(ws, 1, s0, "各单位达标率（已结束的期间）").font = st.TITLE_FONT
    write_frame(ws, summary_cols, rollup.unit_summary, first_col=s0, formats={"rate": st.PERCENT})

    by_quota = quota_rates(rollup.unit_summary)
    q0 = s0 + len(summary_cols) + 1
    quota_cols = [c for c in summary_cols if c.key in ("quota_code", "quota_name", "rate")]
    put(ws, 1, q0, "按指标达标率").font = st.TITLE_FONT
    nq = write_frame(ws, quota_cols, by_quota, first_col=q0, formats={"rate": st.PERCENT})
    if nq:
        chart = BarChart()
        chart.type = "col"
        chart.title = "各指标达标率"
        chart.y_axis.title = "达标率"
        chart.y_axis.numFmt = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.legend = None
        rate_col = q0 + 2
        data = Reference(ws, min_col=rate_col, min_row=HEADER_ROW, max_row=HEADER_ROW + nq)
        cats = Reference(ws, min_col=q0, min_row=FIRST_ROW, max_row=HEADER_ROW + nq)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.width, chart.height = 18, 9
        ws.add_chart(chart, f"{get_column_letter(q0)}{FIRST_ROW + nq + 2}")
    return ws


# ---------------------------------------------------------------- 考评结果


def write_results(wb: Workbook, results: ResultsTable) -> Worksheet:
    spec = schema.RESULTS
    ws = replace_output_sheet(wb, spec)
    ncols = len(spec.columns)
    if results.provisional:
        title = (f"暂定结果：数据中还有 {results.error_count} 个错误，改正后请重新计分。"
                 f"（统计截止：{results.as_of.isoformat()}）")
    else:
        title = f"考评结果（统计截止：{results.as_of.isoformat()}）"
    write_title(ws, title, ncols)
    if results.provisional:
        ws.cell(row=1, column=1).fill = PatternFill("solid", fgColor=st.LIGHT_ORANGE)
    formats = {k: st.ONE_DECIMAL for k in SCORE_KEYS}
    n = write_frame(ws, spec.columns, results.members, formats=formats)
    for r in range(FIRST_ROW, FIRST_ROW + n):
        for key in ("reasons", "advice"):
            ws.cell(row=r, column=spec.keys.index(key) + 1).alignment = st.WRAP
    colour_rows(ws, ncols, n, spec.keys.index("final_grade") + 1, GRADE_RGB)
    finish_table(ws, ncols, n)
    return ws
