"""The plan of 考评结果: one row per member with scores, rank, grades and reasons,
ordered by unit then 支部内排名, under the title 「<单位名称> <考核年度>年度党员民主
评议考评结果」 and above a line for signatures and the seal.

When the data still has 错误 the title says the results are 暂定 (with the
error count) on an orange background. 激励建议 names the unmet quotas
beside their codes (the results themselves keep the codes, as scoring.md
writes them).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd

from dj_addin import schema
from dj_addin.plans import look
from dj_addin.plans.common import columns, main_block, table_sheet
from dj_addin.plans.types import RowColours, SheetPlan, TitleLine
from dj_addin.plans.values import table
from dj_addin.results import ResultsTable

SCORE_KEYS = ("quota_score", "org_score", "mass_score", "peer_score", "total")
WRAPPED = ("reasons", "advice")
CENTRED = ("computed_grade", "final_grade")
WIDTHS = {"reasons": 28, "advice": 52}  # the advice names its quotas: most lines fit whole
SIGNATURE = "支部书记（签字）：____________　　审核人：____________　　日期：____________（盖章）"
UNMET = re.compile(r"(未达标指标：)([^；]+)")


def title(results: ResultsTable, letterhead: look.Letterhead | None = None) -> str:
    lh = letterhead or look.Letterhead()
    who = " ".join(p for p in (lh.unit_name, f"{lh.year}年度" if lh.year else "") if p)
    head = f"{who}党员民主评议考评结果" if who else "党员民主评议考评结果"
    if results.provisional:
        return (f"{head}\n暂定结果：数据中还有 {results.error_count} 个错误，改正后请重新计分。"
                f"（统计截止：{results.as_of.isoformat()}）")
    return f"{head}\n统计截止：{results.as_of.isoformat()}"


def named_advice(text, letterhead: look.Letterhead):
    """「未达标指标：Q01、Q04」 → 「未达标指标：每季度联系群众（Q01）、群众意见办结（Q04）」."""
    if not isinstance(text, str) or not letterhead.quota_names:
        return text
    return UNMET.sub(lambda m: m.group(1) + "、".join(letterhead.quota(c) for c in m.group(2).split("、")), text)


def ordered(members: pd.DataFrame) -> pd.DataFrame:
    """By unit, then 支部内排名 (unranked last), roster order among equals."""
    if members is None or members.empty or "rank" not in members:
        return members
    rank = pd.to_numeric(members["rank"], errors="coerce")
    keys = pd.DataFrame({"unit": members["branch_code"].astype(str).fillna(""), "rank": rank,
                         "pos": range(len(members))}, index=members.index)
    order = keys.sort_values(["unit", "rank", "pos"], na_position="last", kind="stable").index
    return members.loc[order]


def results_plan(results: ResultsTable, letterhead: look.Letterhead | None = None) -> SheetPlan:
    lh = letterhead or look.Letterhead()
    spec = schema.RESULTS
    cols = columns(spec.columns, formats={k: look.ONE_DECIMAL for k in SCORE_KEYS}, wrap=WRAPPED, centre=CENTRED,
                   widths=WIDTHS)
    rows = table(ordered(results.members), cols)
    advice = [c.key for c in cols].index("advice")
    for row in rows:
        row[advice] = named_advice(row[advice], lh)
    title_style = replace(look.TITLE, fill=look.LIGHT_ORANGE) if results.provisional else look.TITLE
    block = main_block(cols, rows, title(results, lh), title_style=title_style,
                       colours=(RowColours("final_grade", dict(look.GRADE_RGB)),))
    block.footer = (TitleLine(SIGNATURE, look.SIGNATURE, span=len(cols), height=30.0),)
    return table_sheet(spec.name, [block], print_area=True, letterhead=lh)
