"""Quota roll-up (指标汇总): every member × applicable quota × period (scoring.md).

Pure computation: a ``Book``'s typed tables in, plain frames out. The
metrics come from ``metrics.compute_metrics`` (vectorised over the whole
sheet); here each quota of 指标设置 (the defaults when the sheet is missing
or empty) is matched with its members (``scope.members_in_scope``) and its
periods up to the as-of date, and the completion figures are derived.

Decisions worth knowing:
- 党员名册 rows with a blank or unreadable 党员编号 are left out; a repeated
  党员编号 is counted once (the first row), validation reports R001;
- a quota row of 指标设置 that cannot be used (unknown 统计口径, 目标值 ≤ 0,
  权重 < 0, a repeated 指标代码, a blank required cell) is skipped, R018;
- 状态 达标 means 实际值 ≥ 目标值 (with a 1e-9 tolerance for sums of
  fractions); 完成率 is 实际值 / 目标值, capped at 1 for scoring only;
- a quota whose 权重 are all 0 for a member leaves 指标完成分 missing;
- rows come in roster order, then 指标设置 order, then period; which rows of
  the data sheets count is decided in ``metrics`` (see its docstring).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dj_addin.rollup import metrics
from dj_addin import schema
from dj_addin.model import Book
from dj_addin.results import RollupTable
from dj_addin.rollup.periods import Period
from dj_addin.rollup.quotas import Quota, default_quotas, quotas_of  # noqa: F401  (re-exported)
from dj_addin.scoring.rounding import round_half_away, round_half_away_array
from dj_addin.rollup.scope import members_in_scope

if TYPE_CHECKING:
    from dj_addin.context import RunContext

MET, UNMET, IN_PROGRESS = "达标", "未达标", "进行中"
_TOLERANCE = 1e-9
RATE_DIGITS = 4  # 完成率 and ratio 实际值 as shown (fractions: 0.6667 = 66.67%)

ROW_COLUMNS = [c.key for c in schema.ROLLUP.columns] + ["ended", "weight", "metric"]
SUMMARY_COLUMNS = [c.key for c in schema.ROLLUP_SUMMARY_COLUMNS]


def roster_members(book: Book) -> pd.DataFrame:
    """党员名册 rows that can be rolled up, indexed by 党员编号, with a blank
    所在支部编码 filled by the row's source unit (the book's own 单位编码 for a
    branch workbook; the branch that sent the row for a merged one)."""
    table = book.tables[schema.ROSTER.key]
    roster = table.data
    keep = roster["member_id"].notna().to_numpy() & ~roster["member_id"].duplicated().to_numpy()
    members = roster[keep].set_index("member_id", drop=False)
    members.index.name = metrics.MEMBER
    members = members.copy()
    units = table.origin["source_unit"].to_numpy(dtype=object)[keep]
    own = book.unit_code or ""
    fill = pd.Series([own if u is None else u for u in units], index=members.index, dtype=object)
    members["branch_code"] = members["branch_code"].where(members["branch_code"].notna(), fill).astype(object)
    return members


@dataclass
class Rollup:
    """The roll-up of one book at one as-of date (full precision)."""

    file: str
    as_of: dt.date
    year: int
    quotas: list[Quota]
    members: pd.DataFrame  # roster rows by member_id
    rows: pd.DataFrame  # ROW_COLUMNS
    quota_score: pd.Series  # 指标完成分 by member_id (NaN: no applicable quota)
    completion: pd.DataFrame  # member_id, quota_code, completion, weight, in_progress
    unmet: dict[str, list[str]]  # member_id → 指标代码 with an ended period 未达标
    contacts_in_year: pd.Series  # rows in 联系记载 within 考核年度 (up to as-of) by member_id
    contact_quota_applies: pd.Series  # bool by member_id: a 联系次数 quota applies
    unit_members: pd.Series  # members per 所在支部编码
    unit_summary: pd.DataFrame  # SUMMARY_COLUMNS
    metric_values: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def to_table(self) -> RollupTable:
        """指标汇总, display-ready (columns = ``schema.ROLLUP`` keys; rates as fractions)."""
        rows = self.rows[[c.key for c in schema.ROLLUP.columns]].copy()
        for col in ("actual", "rate", "rate_capped"):
            rows[col] = round_half_away_array(rows[col], RATE_DIGITS)
        summary = self.unit_summary.copy()
        summary["rate"] = round_half_away_array(summary["rate"], RATE_DIGITS)
        return RollupTable(as_of=self.as_of, rows=rows.reset_index(drop=True), unit_summary=summary)

    def as_json(self) -> dict[str, Any]:
        """The document of ``dj rollup --json`` (interfaces.md); 完成率 uncapped."""
        h = {k: schema.ROLLUP.column(k).header for k in
             ("member_id", "quota_code", "period", "target", "actual", "rate", "state")}
        out = []
        for r in self.rows.itertuples(index=False):
            out.append({h["member_id"]: r.member_id, h["quota_code"]: r.quota_code, h["period"]: r.period,
                        h["target"]: r.target, h["actual"]: round_half_away(r.actual, RATE_DIGITS),
                        h["rate"]: round_half_away(r.rate, RATE_DIGITS), h["state"]: r.state})
        return {"file": self.file, "as_of": self.as_of.isoformat(), "rows": out}


def completion_rate(actual: Any, target: Any) -> Any:
    """完成率 = 实际值 / 目标值, uncapped (capped at 1 only for scoring); numbers or arrays.
    The roll-up and DJ_COMPLETION both use this."""
    return actual / target


def _quota_arrays(q: Quota, order: int, members: pd.DataFrame, values: pd.DataFrame,
                  periods: list[Period], as_of: dt.date) -> dict[str, np.ndarray] | None:
    """One quota's rows (its members × its started periods) as flat arrays."""
    pos = np.flatnonzero(members_in_scope(members, q.applies_to).to_numpy())
    if not periods or not len(pos):
        return None
    actual = values[[p.label for p in periods]].to_numpy(dtype=float)[pos]  # rows follow members' order
    n, k = actual.shape
    out = {"member_pos": np.repeat(pos, k), "period_idx": np.tile(np.arange(k), n), "actual": actual.ravel(),
           "quota_order": np.full(n * k, order)}
    if q.metric in schema.RATIO_METRICS:  # nothing to count: the quota does not apply there
        keep = ~np.isnan(out["actual"])
        out = {c: a[keep] for c, a in out.items()}
    out["actual"] = np.nan_to_num(out["actual"])
    labels = np.array([p.label for p in periods], dtype=object)
    ended = np.array([p.ended(as_of) for p in periods], dtype=bool)
    out["period"], out["ended"] = labels[out["period_idx"]], ended[out["period_idx"]]
    return out


def _rows(quotas: list[Quota], members: pd.DataFrame, values: dict[str, pd.DataFrame],
          run: RunContext) -> pd.DataFrame:
    """All roll-up rows in roster order, then quota order, then period."""
    parts = [a for i, q in enumerate(quotas)
             if (a := _quota_arrays(q, i, members, values[q.metric], run.periods(q.period_kind), run.as_of))
             is not None]
    cols = ("member_pos", "period_idx", "actual", "quota_order", "period", "ended")
    if parts:
        flat = {c: np.concatenate([p[c] for p in parts]) for c in cols}
    else:
        flat = {c: np.array([], dtype=t) for c, t in zip(cols, (int, int, float, int, object, bool))}
    order = np.lexsort((flat["period_idx"], flat["quota_order"], flat["member_pos"]))
    flat = {c: a[order] for c, a in flat.items()}
    mp, qo = flat["member_pos"], flat["quota_order"]

    def per_quota(attr: str, dtype: Any = object) -> np.ndarray:
        return np.array([getattr(q, attr) for q in quotas], dtype=dtype)[qo] if quotas else np.array([], dtype)

    rows = pd.DataFrame({
        "member_id": members.index.to_numpy(dtype=object)[mp], "name": members["name"].to_numpy(dtype=object)[mp],
        "branch_code": members["branch_code"].to_numpy(dtype=object)[mp],
        "quota_code": per_quota("code"), "quota_name": per_quota("name"), "period_kind": per_quota("period_kind"),
        "period": flat["period"], "target": per_quota("target", float), "actual": flat["actual"],
    })
    rows["rate"] = completion_rate(rows["actual"], rows["target"])
    rows["rate_capped"] = rows["rate"].clip(upper=1.0)
    met = rows["actual"].to_numpy() >= rows["target"].to_numpy() - _TOLERANCE
    rows["state"] = np.where(met, MET, np.where(flat["ended"], UNMET, IN_PROGRESS)).astype(object)
    rows["ended"] = flat["ended"]
    rows["weight"] = per_quota("weight", float)
    rows["metric"] = per_quota("metric")
    rows["_member_pos"], rows["_quota_order"] = mp, qo
    return rows


def _completion(rows: pd.DataFrame, quotas: list[Quota], members: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Per member and quota: mean capped rate over the ended periods (else the current one);
    and 指标完成分 = 100 × Σ(权重 × completion) / Σ(权重) per member (NaN: no applicable quota)."""
    nq, nm = max(len(quotas), 1), len(members)
    g = rows["_member_pos"].to_numpy() * nq + rows["_quota_order"].to_numpy()
    groups = nm * nq
    ended = rows["ended"].to_numpy(dtype=bool)
    any_ended = np.bincount(g, weights=ended, minlength=groups) > 0
    used = ended | ~any_ended[g]
    total = np.bincount(g[used], weights=rows["rate_capped"].to_numpy()[used], minlength=groups)
    count = np.bincount(g[used], minlength=groups)
    present = np.flatnonzero(count > 0)
    value = total[present] / count[present]
    # Weights scaled by a power of two (exact, so results are bit for bit the same) keep huge
    # 权重 such as 1e308 from overflowing the sums: 指标完成分 depends only on their ratios.
    weights = np.array([q.weight for q in quotas], dtype=float)
    scaled = np.ldexp(weights, -math.frexp(float(weights.max()))[1]) if len(weights) and weights.max() > 0 \
        else weights
    weight, scaled = (weights[present % nq], scaled[present % nq]) if quotas else (np.array([]), np.array([]))
    member_pos = present // nq
    num = np.bincount(member_pos, weights=scaled * value, minlength=nm)
    den = np.bincount(member_pos, weights=scaled, minlength=nm)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(den > 0, 100 * num / np.where(den > 0, den, 1), np.nan)
    completion = pd.DataFrame({
        "member_id": members.index.to_numpy(dtype=object)[member_pos],
        "quota_code": np.array([q.code for q in quotas], dtype=object)[present % nq] if quotas else [],
        "completion": value, "weight": weight, "in_progress": ~any_ended[present]})
    return completion, pd.Series(score, index=members.index, dtype=float)


def rollup(run: RunContext, *, file: str | None = None) -> Rollup:
    """Compute 指标汇总 for every member, applicable quota and started period of the run."""
    book, year, as_of = run.book, run.year, run.as_of
    members = roster_members(book)
    quotas = list(run.quotas)
    values = metrics.compute_metrics(book, members.index, year, as_of, {q.metric for q in quotas})
    rows = _rows(quotas, members, values, run)
    completion, quota_score = _completion(rows, quotas, members)

    unmet: dict[str, list[str]] = {}
    unmet_rows = rows.loc[rows["state"].to_numpy() == UNMET, ["member_id", "quota_code"]]
    for m, code in zip(unmet_rows["member_id"].to_numpy(), unmet_rows["quota_code"].to_numpy()):
        codes = unmet.setdefault(m, [])
        if code not in codes:
            codes.append(code)

    applies = np.zeros(len(members), dtype=bool)
    for q in quotas:
        if q.metric == metrics.CONTACTS:
            applies |= members_in_scope(members, q.applies_to).to_numpy(dtype=bool)

    ended_rows = rows.loc[rows["ended"], ["branch_code", "quota_code", "quota_name", "period", "state"]]
    ended_rows = ended_rows.assign(met=(ended_rows["state"] == MET).astype(int))
    grouped = ended_rows.groupby(["branch_code", "quota_code", "quota_name", "period"], sort=False)["met"]
    summary = pd.DataFrame({"members": grouped.size(), "met": grouped.sum()}).reset_index()
    summary["rate"] = summary["met"] / summary["members"]
    unit_members = members.groupby("branch_code").size()
    summary["unit_members"] = summary["branch_code"].map(unit_members).fillna(0).astype(int)
    summary = summary.sort_values(["branch_code", "quota_code", "period"], kind="stable").reset_index(drop=True)

    return Rollup(
        file=file if file is not None else (book.path.name if book.path else ""),
        as_of=as_of, year=year, quotas=quotas, members=members,
        rows=rows[ROW_COLUMNS], quota_score=quota_score, completion=completion,
        unmet=unmet, contacts_in_year=values[metrics.CONTACTS][str(year)],
        contact_quota_applies=pd.Series(applies, index=members.index),
        unit_members=unit_members,
        unit_summary=summary[SUMMARY_COLUMNS], metric_values=values)
