"""The plan of 指标汇总: the member rows, the per-unit summary beside them,
达标率 by quota (computed here) and its bar chart.

Blocks, left to right: the member rows (A1, printed), the per-unit summary
(two columns to the right) and 达标率 by quota over all units and ended
periods, with the chart under it. Only the member rows print: the summary
tables stay on screen.
"""

from __future__ import annotations

import pandas as pd

from dj_addin import schema
from dj_addin.plans import look
from dj_addin.plans.common import columns, main_block, table_sheet
from dj_addin.plans.types import Block, ChartSpec, RowColours, SheetPlan, TitleLine, col_letter
from dj_addin.plans.values import table
from dj_addin.results import RollupTable

PERCENT_KEYS = ("rate", "rate_capped")
QUOTA_KEYS = ("quota_code", "quota_name", "rate")
CHART_TITLE = "各指标达标率"


def quota_rates(unit_summary: pd.DataFrame) -> pd.DataFrame:
    """达标率 by quota over all units and ended periods: met ÷ members, summed (what the chart shows)."""
    if unit_summary is None or unit_summary.empty:
        return pd.DataFrame(columns=["quota_code", "quota_name", "members", "met", "rate"])
    g = unit_summary.groupby(["quota_code", "quota_name"], sort=True)[["members", "met"]].sum().reset_index()
    g["rate"] = g["met"] / g["members"].where(g["members"] > 0)
    return g


def side_block(spec_columns, frame: pd.DataFrame, left: int, text: str) -> Block:
    cols = columns(spec_columns, formats={"rate": look.PERCENT})
    return Block(cols, table(frame, cols), top=1, left=left, titles=(TitleLine(text, look.BLOCK_TITLE),),
                 header_style=look.HEADER)


def rollup_plan(rollup: RollupTable) -> SheetPlan:
    spec = schema.ROLLUP
    cols = columns(spec.columns, formats={k: look.PERCENT for k in PERCENT_KEYS})
    main = main_block(cols, table(rollup.rows, cols),
                      f"指标完成情况（统计截止：{rollup.as_of.isoformat()}；进行中 = 期间尚未结束）",
                      colours=(RowColours("state", dict(look.ROLLUP_STATE_RGB)),))
    summary_cols = schema.ROLLUP_SUMMARY_COLUMNS
    summary = side_block(summary_cols, rollup.unit_summary, main.right + 2, "各单位达标率（已结束的期间）")
    quota_cols = [c for c in summary_cols if c.key in QUOTA_KEYS]
    by_quota = side_block(quota_cols, quota_rates(rollup.unit_summary), summary.right + 2, "按指标达标率")
    plan = table_sheet(spec.name, [main, summary, by_quota], print_area=True)
    if by_quota.rows:
        anchor = f"{col_letter(by_quota.left)}{by_quota.first_row + len(by_quota.rows) + 2}"
        plan.charts.append(ChartSpec("column", CHART_TITLE, block=2, categories="quota_code", values="rate",
                                     anchor=anchor, width=18, height=9, y_title="达标率", y_format="0%",
                                     y_min=0, y_max=1, legend=False))
    return plan
