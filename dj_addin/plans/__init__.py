"""Engine-neutral plans of the output sheets (pure: pandas and the standard library).

``build_plans`` turns the core's results into one ``SheetPlan`` per output
sheet; renderers in the adapters (``xlsx.sheets`` with openpyxl, the package
splicer, ``xlsx.stream`` with xlsxwriter, later the live Excel writer) only
render them.
"""

from __future__ import annotations

from collections.abc import Sequence

from dj_addin.marks.plan import with_unplaceable
from dj_addin.plans.findings import findings_plan
from dj_addin.plans.look import Letterhead
from dj_addin.plans.results import results_plan
from dj_addin.plans.rollup import rollup_plan
from dj_addin.plans.types import (Block, ChartSpec, ColumnPlan, Formula, Line, Link, Margins, PageText, PrintSetup,
                                  RowColours, SheetPlan, Style, TitleLine, Value)
from dj_addin.results import ResultsTable, RollupTable, ValidationReport

__all__ = ["build_plans", "findings_plan", "rollup_plan", "results_plan", "SheetPlan", "Block", "ColumnPlan",
           "TitleLine", "Style", "Line", "RowColours", "Link", "PrintSetup", "PageText", "Margins", "ChartSpec",
           "Value", "Formula", "Letterhead", "letterhead_of"]


def build_plans(*, report: ValidationReport | None = None, rollup: RollupTable | None = None,
                results: ResultsTable | None = None, sheet_names: Sequence[str] = (),
                letterhead: Letterhead | None = None) -> list[SheetPlan]:
    """The plans of the given results, in writing order (问题清单, 指标汇总, 考评结果).
    ``sheet_names``: the sheets of the workbook written to (问题清单 sorts and links by them);
    ``letterhead``: the unit, year and quota names printed on every page."""
    plans = []
    if report is not None:  # with a 警告 for each finding whose cell Excel cannot hold (no mark)
        plans.append(findings_plan(with_unplaceable(report, sheet_names), sheet_names, letterhead))
    if rollup is not None:
        plans.append(rollup_plan(rollup, letterhead))
    if results is not None:
        plans.append(results_plan(results, letterhead))
    return plans


def letterhead_of(run) -> Letterhead:
    """The letterhead of a run (a ``RunContext``): 单位名称 and 考核年度 of 基本信息, the quotas' names."""
    name = run.book.meta.get("unit_name") if run.book.kv.get("meta") is not None else None
    quotas = run.quotas
    return Letterhead(unit_name=str(name).strip() if isinstance(name, str) else "", year=run.known_year,
                      quota_names={q.code: q.name for q in quotas},
                      ratio_quotas=frozenset(q.code for q in quotas if str(q.metric).endswith("率")))
