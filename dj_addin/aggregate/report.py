"""Plans of 汇总来源 and 单位对比 (pure: pandas and the plan types).

汇总来源: one row per input file (name, unit, 报送日期, version, SHA-256, rows
per sheet, findings, outcome, reason, and the e-mail or archive it came in),
then the files skipped, 未报送单位, the conflicts and the notes of the merge.
单位对比: one row per merged subordinate unit (members, contacts, 达标率 per
quota, average 综合得分, grades) with a chart, and the outcomes of the
载体活动 per brand (成果数量 summed by 活动品牌 and 成果单位, 受益人数).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dj_addin import schema
from dj_addin.plans import look
from dj_addin.plans.common import columns
from dj_addin.plans.types import Block, ChartSpec, ColumnPlan, RowColours, SheetPlan, TitleLine, Value, col_letter
from dj_addin.plans.values import plain
from dj_addin.scoring.rounding import round_half_away

OUTCOME_RGB = {"已汇总": look.LIGHT_GREEN, "已退回": look.LIGHT_RED, "重复已忽略": look.LIGHT_GREY}
GRADES = schema.GRADES + (schema.NOT_GRADED,)


@dataclass
class SourceRow:
    file: str
    where: str
    unit_code: str | None
    unit_name: str | None
    report_date: object
    template_version: str | None
    sha256: str
    row_counts: dict[str, int]
    errors: int | None
    warnings: int | None
    outcome: str
    reason: str

    def values(self) -> list[Value]:
        counts = "；".join(f"{k} {v}" for k, v in self.row_counts.items() if v)
        check = "" if self.errors is None else f"错误 {self.errors} / 警告 {self.warnings}"
        return [self.file, self.unit_code, self.unit_name, plain(self.report_date), self.template_version,
                self.sha256, counts, check, self.outcome, self.reason, self.where]


@dataclass
class UnitFigures:
    """One merged subordinate unit in 单位对比 (also what the demo prints)."""

    unit_code: str
    unit_name: str
    members: int
    contacts: int
    rates: dict[str, float | None] = field(default_factory=dict)  # 指标代码 → 达标率 (ended periods)
    average: float | None = None
    grades: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"unit_code": self.unit_code, "unit_name": self.unit_name, "members": self.members,
                "contacts": self.contacts, "rates": self.rates, "average": self.average, "grades": self.grades}


def _stack(blocks: list[Block], gap: int = 2) -> list[Block]:
    top = 1
    for b in blocks:
        b.top = top
        top = b.last_row + 1 + gap
    return blocks


def _titled(cols: tuple[ColumnPlan, ...], rows: list[list[Value]], title: str, **kw) -> Block:
    line = TitleLine(title, look.BLOCK_TITLE, span=max(len(cols), 1))
    return Block(cols, rows, titles=(line,), header_style=look.HEADER, **kw)


def sources_plan(rows: list[SourceRow], skipped: list[tuple[str, str]], missing: list[tuple[str, str]],
                 conflicts: list, notes: list[str], letterhead=None) -> SheetPlan:
    spec = schema.SOURCES
    cols = columns(spec.columns, formats={"report_date": look.DATE}, wrap=("reason",)) + (
        ColumnPlan("where", "所在邮件/压缩包", 40, style=look.WRAP),)
    main = _titled(cols, [r.values() for r in rows], f"汇总来源：共 {len(rows)} 个文件",
                   row_colours=(RowColours("outcome", dict(OUTCOME_RGB)),))
    blocks = [main]
    two = (ColumnPlan("code", "单位编码", 14), ColumnPlan("name", "单位名称", 30))
    blocks.append(_titled(two, [list(m) for m in missing], f"未报送单位（{len(missing)} 个）"))
    conflict_cols = (ColumnPlan("kind", "冲突", 18), ColumnPlan("key", "编号", 14),
                     ColumnPlan("units", "涉及单位", 24), ColumnPlan("detail", "说明", 60, style=look.WRAP))
    blocks.append(_titled(conflict_cols, [[c.kind, c.key, "、".join(c.units), c.detail] for c in conflicts],
                          f"冲突（{len(conflicts)} 项，未自动处理，请核实）"))
    file_cols = (ColumnPlan("file", "文件", 40), ColumnPlan("reason", "原因", 40))
    blocks.append(_titled(file_cols, [list(s) for s in skipped], f"跳过的文件（{len(skipped)} 个）"))
    blocks.append(_titled((ColumnPlan("note", "说明", 100, style=look.WRAP),), [[n] for n in notes],
                          f"汇总说明（{len(notes)} 条）"))
    _stack(blocks)
    last = col_letter(main.right)
    return SheetPlan(name=spec.name, blocks=blocks, freeze=f"A{main.first_row}",
                     autofilter=f"A{main.header_row}:{last}{max(main.last_row, main.first_row)}",
                     print_setup=look.table_print(letterhead=letterhead, sheet=spec.name),
                     tab_color=look.OUTPUT_TAB_COLOR)


def unit_figures(units: list[tuple[str, str, set[str], int, int]], unit_summary: pd.DataFrame,
                 members: pd.DataFrame) -> list[UnitFigures]:
    """``units``: (code, name, its branch codes, members, contacts) per merged subordinate unit.

    The rows of each branch are found once (a university has hundreds of units and a
    filter of the whole table per unit cost a third of a second); a unit's rows keep
    their order, so its sums and mean are those of its rows filtered."""
    out = []
    summary = unit_summary if unit_summary is not None else pd.DataFrame()
    rates = _UnitRates(summary) if len(summary) else None
    member_rows = _rows_by_branch(members) if len(members) else {}
    total = members["total"] if len(members) else None
    grades = members["final_grade"].to_numpy(dtype=object) if len(members) else None
    for code, name, branches, n_members, n_contacts in units:
        f = UnitFigures(code, name, n_members, n_contacts)
        if rates is not None:
            f.rates = rates.of(branches)
        pos = _positions(member_rows, branches) if len(members) else ()
        if len(pos):
            avg = total.iloc[pos].mean()
            f.average = None if pd.isna(avg) else round_half_away(float(avg))
            counts = Counter(grades[pos].tolist())
            f.grades = {g: int(counts.get(g, 0)) for g in GRADES}
        else:
            f.grades = {g: 0 for g in GRADES}
        out.append(f)
    return out


def _rows_by_branch(frame: pd.DataFrame) -> dict:
    """所在支部编码 → the positions of its rows (blank codes belong to no unit)."""
    return frame["branch_code"].groupby(frame["branch_code"].to_numpy(dtype=object), sort=False, dropna=True).indices


def _positions(rows: dict, branches: set[str]) -> np.ndarray:
    """The positions, in table order, of the rows of any of ``branches``."""
    parts = [rows[b] for b in branches if b in rows]
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.intp)


class _UnitRates:
    """达标率 by quota of a set of branches from the per-branch summary: met ÷ members over its rows."""

    def __init__(self, summary: pd.DataFrame) -> None:
        self.summary = summary
        self.rows = _rows_by_branch(summary)
        counts = summary[["members", "met"]]
        # whole counts sum exactly in any order; anything else goes through pandas as before
        self.fast = all(isinstance(d, np.dtype) and d.kind in "iu" for d in counts.dtypes)
        if self.fast:
            self.codes, self.quotas = pd.factorize(summary["quota_code"], sort=True)
            self.members = summary["members"].to_numpy()
            self.met = summary["met"].to_numpy()

    def of(self, branches: set[str]) -> dict[str, float | None]:
        pos = _positions(self.rows, branches)
        if not self.fast:
            g = self.summary.iloc[pos].groupby("quota_code", sort=True)[["members", "met"]].sum()
            return {str(q): (float(r.met / r.members) if r.members else None) for q, r in g.iterrows()}
        codes = self.codes[pos]
        keep = codes >= 0  # a blank 指标代码 is no group
        codes, pos = codes[keep], pos[keep]
        n = len(self.quotas)
        seen = np.bincount(codes, minlength=n) > 0
        members = np.bincount(codes, weights=self.members[pos], minlength=n)
        met = np.bincount(codes, weights=self.met[pos], minlength=n)
        return {str(self.quotas[i]): (float(met[i] / members[i]) if members[i] else None)
                for i in np.flatnonzero(seen)}


def outcomes(activities: pd.DataFrame, unit_of: pd.Series) -> pd.DataFrame:
    """载体活动 per unit, 活动品牌 and 成果单位: activities, 成果数量 summed, 受益人数 summed."""
    if activities is None or not len(activities):
        return pd.DataFrame(columns=["unit", "brand", "outcome_unit", "count", "qty", "beneficiaries"])
    a = pd.DataFrame({"unit": unit_of.to_numpy(dtype=object),
                      "brand": activities["brand"].astype(object).fillna("（未填）").to_numpy(),
                      "outcome_unit": activities["outcome_unit"].astype(object).fillna("").to_numpy(),
                      "qty": pd.to_numeric(activities["outcome_qty"], errors="coerce").to_numpy(),
                      "beneficiaries": pd.to_numeric(activities["beneficiaries"], errors="coerce").to_numpy()})
    g = a.groupby(["unit", "brand", "outcome_unit"], sort=True, dropna=False)
    out = g.agg(count=("qty", "size"), qty=("qty", "sum"), beneficiaries=("beneficiaries", "sum")).reset_index()
    return out


def comparison_plan(figures: list[UnitFigures], quota_codes: list[str], activity: pd.DataFrame,
                    letterhead=None) -> SheetPlan:
    cols = [ColumnPlan("unit_code", "单位编码", 12), ColumnPlan("unit_name", "单位名称", 24),
            ColumnPlan("members", "党员人数", 9, look.INTEGER), ColumnPlan("contacts", "联系记载条数", 12, look.INTEGER)]
    cols += [ColumnPlan(f"rate_{q}", f"{q} 达标率", 10, look.PERCENT) for q in quota_codes]
    cols += [ColumnPlan("average", "平均综合得分", 12, look.ONE_DECIMAL)]
    cols += [ColumnPlan(f"grade_{i}", g, 9, look.INTEGER) for i, g in enumerate(GRADES)]
    rows = [[f.unit_code, f.unit_name, f.members, f.contacts] + [f.rates.get(q) for q in quota_codes]
            + [f.average] + [f.grades.get(g, 0) for g in GRADES] for f in figures]
    main = _titled(tuple(cols), rows, f"单位对比：{len(figures)} 个下级单位（达标率为已结束期间的合计）")
    act_cols = (ColumnPlan("unit", "单位编码", 12), ColumnPlan("brand", "活动品牌", 14),
                ColumnPlan("outcome_unit", "成果单位", 10), ColumnPlan("count", "活动次数", 9, look.INTEGER),
                ColumnPlan("qty", "成果数量", 10), ColumnPlan("beneficiaries", "受益人数", 10, look.INTEGER))
    act_rows = [[plain(v) for v in r] for r in activity[["unit", "brand", "outcome_unit", "count", "qty",
                                                          "beneficiaries"]].itertuples(index=False)]
    totals = (activity.groupby(["brand", "outcome_unit"], sort=True)[["count", "qty", "beneficiaries"]].sum()
              .reset_index() if len(activity) else activity)
    tot_cols = act_cols[1:]
    tot_rows = [[plain(v) for v in r] for r in totals[["brand", "outcome_unit", "count", "qty",
                                                        "beneficiaries"]].itertuples(index=False)] if len(totals) else []
    blocks = _stack([main, _titled(act_cols, act_rows, "载体活动成效（按单位、活动品牌、成果单位）"),
                     _titled(tot_cols, tot_rows, "载体活动成效合计（按活动品牌、成果单位）")], gap=20)
    plan = SheetPlan(name=schema.COMPARISON.name, blocks=blocks, freeze=f"C{main.first_row}",
                     print_setup=look.table_print(letterhead=letterhead, sheet=schema.COMPARISON.name),
                     tab_color=look.OUTPUT_TAB_COLOR)
    if rows:
        plan.charts.append(ChartSpec("column", "各单位平均综合得分", block=0, categories="unit_name",
                                     values="average", anchor=f"A{main.last_row + 3}", width=18, height=8,
                                     y_title="平均综合得分", y_min=0, y_max=100, legend=False))
    return plan
