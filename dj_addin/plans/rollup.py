"""The plan of 指标汇总: the chart of 达标率 by quota and the table it draws first,
then the per-unit summary, then (from a new page) the per-member detail.

Everything is inside the print area, one page wide: the chart (quota names,
values on the bars, a line at the 100% target) sits under the title in rows
reserved for it (empty title lines of the first block). Only 未达标 rows of the detail are coloured, so they
stand out on paper; ratio targets show as percentages and periods as
「2026年第1季度」.
"""

from __future__ import annotations

import math

import pandas as pd

from dj_addin import schema
from dj_addin.plans import look
from dj_addin.plans.common import columns, fit, sheet_widths, title_text
from dj_addin.plans.types import Block, ChartSpec, ColumnPlan, RowColours, SheetPlan, Style, TitleLine, col_letter
from dj_addin.plans.values import period_label, table
from dj_addin.results import RollupTable
from dj_addin.schema import Column

PERCENT_KEYS = ("rate", "rate_capped")
QUOTA_KEYS = ("quota_code", "quota_name", "rate")
CHART_TITLE = "各指标达标率（已结束的期间）"
TARGET = Column("target", "目标", schema.ColType.NUMBER)
TARGET_RATE = 1.0  # every member the quota applies to meets it
CHART_HEIGHT_CM = 8.0
CHART_ROW_HEIGHT = 15.75  # points, the rows reserved for the chart (not 15: xlsxwriter skips its default)
CM_PER_UNIT = 7 / 96 * 2.54  # a column-width unit is about 7 pixels
DETAIL_WRAP = ()  # names widen their columns; nothing long to wrap
DETAIL_CENTRE = ("period_kind", "period", "state")
SUMMARY_WRAP = ("quota_name",)
SUMMARY_CENTRE = ("period",)


def quota_rates(unit_summary: pd.DataFrame) -> pd.DataFrame:
    """达标率 by quota over all units and ended periods: met ÷ members, summed (what the chart shows)."""
    if unit_summary is None or unit_summary.empty:
        return pd.DataFrame(columns=["quota_code", "quota_name", "members", "met", "rate", "target"])
    g = unit_summary.groupby(["quota_code", "quota_name"], sort=True)[["members", "met"]].sum().reset_index()
    g["rate"] = g["met"] / g["members"].where(g["members"] > 0)
    g["target"] = TARGET_RATE
    return g


def unsized(cols: tuple[ColumnPlan, ...]) -> tuple[ColumnPlan, ...]:
    """Columns that take the sheet's widths (the detail's) instead of setting their own."""
    return tuple(ColumnPlan(c.key, c.header, None, c.number_format, c.style) for c in cols)


def with_periods(frame: pd.DataFrame) -> pd.DataFrame:
    if frame is None or frame.empty or "period" not in frame:
        return frame
    out = frame.copy()
    labels: dict = {}  # each distinct period labelled once, told apart by type (2026 is not "2026")
    out["period"] = [labels[k] if (k := (p.__class__, p)) in labels else labels.setdefault(k, period_label(p))
                     for p in out["period"]]
    return out


def rollup_plan(rollup: RollupTable, letterhead: look.Letterhead | None = None) -> SheetPlan:
    lh = letterhead or look.Letterhead()
    spec = schema.ROLLUP
    summary_cols = schema.ROLLUP_SUMMARY_COLUMNS
    detail_cols = columns(spec.columns, formats={k: look.PERCENT for k in PERCENT_KEYS}, wrap=DETAIL_WRAP,
                          centre=DETAIL_CENTRE)
    width = len(detail_cols)
    title = TitleLine(title_text(lh, spec.name, f"统计截止：{rollup.as_of.isoformat()}；"
                                 "达标率 = 达标人数 ÷ 应达标人数（已结束的期间）；进行中 = 期间尚未结束"),
                      look.TITLE, span=width, height=look.TITLE_HEIGHT)
    # the chart first, then 达标率 by quota (the table it draws), then the per-unit summary
    rates = quota_rates(rollup.unit_summary)
    chart_top = 3
    chart_rows = math.ceil(CHART_HEIGHT_CM / 2.54 * 72 / CHART_ROW_HEIGHT) + 1 if len(rates) else 0
    quota_cols = unsized(columns([c for c in summary_cols if c.key in QUOTA_KEYS] + [TARGET],
                                 formats={"rate": look.PERCENT, "target": look.WHOLE_PERCENT}, wrap=("quota_name",)))
    by_quota = Block(quota_cols, table(rates, quota_cols), top=1, left=1,
                     titles=(title, TitleLine("一、各指标达标率（全部单位，已结束的期间）", look.BLOCK_TITLE, span=width),
                             *(TitleLine("", Style()) for _ in range(chart_rows))),
                     header_style=look.HEADER)
    sum_cols = unsized(columns(summary_cols, formats={"rate": look.PERCENT}, wrap=SUMMARY_WRAP, centre=SUMMARY_CENTRE))
    summary = Block(sum_cols, table(with_periods(rollup.unit_summary), sum_cols), top=by_quota.last_row + 2,
                    left=1, titles=(TitleLine("二、各单位达标率（已结束的期间）", look.BLOCK_TITLE, span=width),),
                    header_style=look.HEADER)
    # the per-member detail, from a new page
    rows = table(with_periods(rollup.rows), detail_cols)
    keys = [c.key for c in detail_cols]
    formats = {}
    if lh.ratio_quotas:
        code = keys.index("quota_code")
        for i, row in enumerate(rows):
            if row[code] in lh.ratio_quotas:
                formats[(i, "target")] = look.WHOLE_PERCENT
                formats[(i, "actual")] = look.PERCENT
    detail = Block(detail_cols, rows, top=summary.last_row + 2, left=1,
                   titles=(TitleLine("三、党员指标完成明细（未达标的行标红）", look.BLOCK_TITLE, span=width),),
                   header_style=look.HEADER, row_colours=(RowColours("state", {"未达标": look.LIGHT_RED}),),
                   cell_formats=formats)
    last = col_letter(detail.right)
    bottom = detail.header_row + max(len(detail.rows), 1)
    setup = look.table_print(f"A1:{last}{bottom}", lh, spec.name, repeat=(detail.header_row, detail.header_row))
    plan = SheetPlan(name=spec.name, blocks=[by_quota, summary, detail], freeze=None,
                     autofilter=f"A{detail.header_row}:{last}{bottom}", print_setup=setup,
                     tab_color=look.OUTPUT_TAB_COLOR, row_breaks=(detail.top - 1,))
    plan = fit(plan)
    if by_quota.rows:
        for r in range(chart_top, chart_top + chart_rows):
            plan.row_heights[r] = CHART_ROW_HEIGHT
        span = sum(sheet_widths(plan.blocks).get(c, 8.43) for c in range(1, width + 1))
        plan.charts.append(ChartSpec("column", CHART_TITLE, block=0, categories="quota_name", values="rate",
                                     anchor=f"A{chart_top}", width=round(min(span * CM_PER_UNIT, 26.0), 1),
                                     height=CHART_HEIGHT_CM, y_title="达标率", y_format="0%", y_min=0, y_max=1,
                                     legend=True, data_labels=True, target="target", color="FF7030A0"))
    return plan
