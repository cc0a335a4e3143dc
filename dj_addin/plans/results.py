"""The plan of 考评结果: one row per member with scores, rank, grades and reasons.

When the data still has 错误 the title says the results are 暂定 (with the
error count) on an orange background.
"""

from __future__ import annotations

from dataclasses import replace

from dj_addin import schema
from dj_addin.plans import look
from dj_addin.plans.common import columns, main_block, table_sheet
from dj_addin.plans.types import RowColours, SheetPlan
from dj_addin.plans.values import table
from dj_addin.results import ResultsTable

SCORE_KEYS = ("quota_score", "org_score", "mass_score", "peer_score", "total")
WRAPPED = ("reasons", "advice")


def title(results: ResultsTable) -> str:
    if results.provisional:
        return (f"暂定结果：数据中还有 {results.error_count} 个错误，改正后请重新计分。"
                f"（统计截止：{results.as_of.isoformat()}）")
    return f"考评结果（统计截止：{results.as_of.isoformat()}）"


def results_plan(results: ResultsTable) -> SheetPlan:
    spec = schema.RESULTS
    cols = columns(spec.columns, formats={k: look.ONE_DECIMAL for k in SCORE_KEYS}, wrap=WRAPPED)
    title_style = replace(look.TITLE, fill=look.LIGHT_ORANGE) if results.provisional else look.TITLE
    block = main_block(cols, table(results.members, cols), title(results), title_style=title_style,
                       colours=(RowColours("final_grade", dict(look.GRADE_RGB)),))
    return table_sheet(spec.name, [block])
