"""Evaluation scoring (考评计分): components, 综合得分, ranks and grades (scoring.md).

Pure computation over the whole roster at once: the four components are
column expressions, the grade adjustments are applied in the order of
scoring.md (each one recording its reason when it changes the grade), and
the per-unit 优秀 cap uses a total order (综合得分, 指标完成分, 群众评议分
descending, then 党员编号 ascending) so that the result never depends on the
order of rows. Everything is kept at full precision; only ``to_table`` and
``as_json`` round, half away from zero, to one decimal.

Decisions worth knowing:
- 评议 rows with a blank 党员编号 are ignored; a repeated 党员编号 counts once
  (the first row; validation reports R001). Blank or unreadable vote counts
  are 0, negative ones too (R017); a 组织评价分 outside 0–100 is left out.
- 群众不满意率 (step 2) is taken over all mass votes, also when there are
  fewer than 群众评议最少票数 (the score is then missing, the share is not).
- A member without 指标完成分 (no applicable quota) cannot keep 优秀 (step 4).
- Members graded in a unit (step 5) = members with a 综合得分 who are not
  预备党员; the cap is floor(优秀比例上限 × graded), at least 1 when the unit
  has an 优秀 candidate. 优秀比例上限 typed to four decimals (0.3333) is read
  as the fraction it stands for (1/3), as "不超过党员总数的1/3" intends.
- Veto (step 1) and 预备党员 (step 6) apply even without 考评数据.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dj_addin import schema
from dj_addin.model import Book
from dj_addin.results import ResultsTable
from dj_addin.rollup.table import Rollup
from dj_addin.scoring.rounding import round_half_away, round_half_away_array, snap
from dj_addin.scoring.settings import Settings

if TYPE_CHECKING:
    from dj_addin.context import RunContext

EXCELLENT, PASS, BASIC, FAIL = schema.GRADES
NOT_GRADED = schema.NOT_GRADED
PROBATIONARY = schema.MEMBER_STATUSES[1]  # 预备党员
REASONS_KEY = "原因"  # JSON key of interfaces.md (the sheet's header is 否决或调整原因)
REASON_SEPARATOR = "；"

REASON_VETO = "一票否决：违纪违规"
REASON_NO_CONTACT = "全年无联系群众记录"
REASON_OVER_CAP = "超出优秀比例上限"
REASON_PROBATIONARY = "预备党员参加评议，不评定等次"
REASON_NO_DATA = "无考评数据"
ADVICE = {EXCELLENT: "推荐表彰", PASS: "继续保持", BASIC: "提醒谈话，限期改进",
          FAIL: "批评教育，限期改正，按规定组织处置"}
UNMET_PREFIX = "未达标指标："
_RANK = {g: i for i, g in enumerate(schema.GRADES)}  # smaller = better
COMPONENTS = ("quota_score", "org_score", "mass_score", "peer_score")
_EPS = 1e-9


@dataclass
class Scores:
    """考评结果 of one book, full precision; ``members`` is indexed by 党员编号 in roster order."""

    file: str
    as_of: dt.date
    members: pd.DataFrame
    settings: Settings

    def display_frame(self) -> pd.DataFrame:
        """Columns = ``schema.RESULTS`` keys; scores rounded; reasons joined."""
        m = self.members
        out = pd.DataFrame({"member_id": m.index.astype(object), "name": m["name"].to_numpy(),
                            "branch_code": m["branch_code"].to_numpy()})
        for col in COMPONENTS + ("total",):
            out[col] = round_half_away_array(m[col])
        out["rank"] = m["rank"].to_numpy()
        out["computed_grade"] = m["computed_grade"].to_numpy()
        out["final_grade"] = m["final_grade"].to_numpy()
        out["reasons"] = [REASON_SEPARATOR.join(r) for r in m["reasons"]]
        out["advice"] = m["advice"].to_numpy()
        return out[[c.key for c in schema.RESULTS.columns]]

    def to_table(self, provisional: bool = False, error_count: int = 0) -> ResultsTable:
        return ResultsTable(as_of=self.as_of, members=self.display_frame(), provisional=provisional,
                            error_count=error_count)

    def as_json(self) -> dict[str, Any]:
        """The document of ``dj score --json`` (interfaces.md)."""
        h = {c.key: c.header for c in schema.RESULTS.columns}
        rows = []
        for mid, r in self.members.iterrows():
            rank = r["rank"]
            rows.append({
                h["member_id"]: mid, h["name"]: r["name"], h["branch_code"]: r["branch_code"],
                **{h[c]: round_half_away(r[c]) for c in COMPONENTS + ("total",)},
                h["rank"]: None if pd.isna(rank) else int(rank),
                h["computed_grade"]: r["computed_grade"] or None, h["final_grade"]: r["final_grade"] or None,
                REASONS_KEY: list(r["reasons"]), h["advice"]: r["advice"],
            })
        return {"file": self.file, "as_of": self.as_of.isoformat(), "members": rows}


def _evaluation(book: Book, index: pd.Index) -> pd.DataFrame:
    ev = book.frame(schema.EVALUATION.key)
    ev = ev[ev["member_id"].notna()].drop_duplicates("member_id").set_index("member_id")
    return ev.reindex(index)


def _votes(ev: pd.DataFrame, col: str) -> pd.Series:
    """A vote column as counts: blank, negative and impossible counts (R017) count as 0."""
    v = ev[col].astype(float).fillna(0.0)
    return v.where((v >= 0.0) & (v <= schema.MAX_VOTES), 0.0)


def mass_values(s: Settings) -> tuple[float, float, float]:
    """Vote values of 满意, 基本满意, 不满意."""
    return (s.mass_satisfied_value, s.mass_basic_value, s.mass_unsatisfied_value)


def peer_values(s: Settings) -> tuple[float, float, float, float]:
    """Vote values of 优秀, 合格, 基本合格, 不合格 (党员互评)."""
    return (s.peer_excellent_value, s.peer_pass_value, s.peer_basic_value, s.peer_fail_value)


PEER_MIN_VOTES = 1.0  # 党员互评分 needs at least one vote


def vote_score(counts: list[Any], values: tuple[float, ...] | list[float], minimum: float) -> Any:
    """Vote-weighted mean of the vote values; NaN when there are fewer than ``minimum`` votes (or none).
    Works on Series (scoring, the whole roster) and on plain numbers (DJ_MASS_SCORE, DJ_PEER_SCORE)."""
    total = sum(counts)
    weighted = sum(c * v for c, v in zip(counts, values))
    enough = (total >= minimum) & (total > 0)
    if isinstance(total, pd.Series):
        return (weighted / total.where(enough)).astype(float)
    return float(weighted) / float(total) if enough else math.nan


def weighted_total(components: pd.DataFrame, weights: tuple[float, ...]) -> pd.Series:
    """Σ(weight × component) / Σ(weight) over the components that are not missing."""
    w = pd.DataFrame(np.broadcast_to(np.asarray(weights, dtype=float), components.shape),
                     index=components.index, columns=components.columns)
    w = w.where(components.notna(), 0.0)
    den = w.sum(axis=1)
    num = (components.fillna(0.0) * w).sum(axis=1)
    return (num / den.where(den > 0)).astype(float)


def grade_for(total: float, s: Settings) -> str:
    """测算等次 of one 综合得分 by the grade lines ('' when there is no score);
    74.99999999999999 is 75, as Excel shows it. Scoring and DJ_GRADE both use this."""
    t = snap(float(total))
    if math.isnan(t):
        return ""
    for line, grade in ((s.excellent_line, EXCELLENT), (s.pass_line, PASS), (s.basic_line, BASIC)):
        if t >= line:
            return grade
    return FAIL


def grade_of(total: pd.Series, s: Settings) -> pd.Series:
    """测算等次 from 综合得分 for every member ('' when there is no score)."""
    return pd.Series([grade_for(v, s) for v in total.to_numpy(dtype=float)], index=total.index, dtype=object)


def _pct(x: float) -> str:
    v = round_half_away(100 * x, 1)
    return f"{v:g}%"


def _num(x: float) -> str:
    return f"{round_half_away(x, 1):g}"


def _short_of(x: float, needed: float) -> str:
    """A score that falls short, shown so that it visibly falls short
    (89.96 against 90 shows as 89.96, not as the rounded 90)."""
    shown = round_half_away(x, 1)
    if shown is not None and shown < needed:
        return f"{shown:g}"
    return f"{math.floor(x * 100) / 100:g}"


def _weak_reason(quota_score: float, needed: float) -> str:
    if math.isnan(quota_score):
        return f"没有指标完成分（需达到{_num(needed)}），不评优秀"
    return f"指标完成分{_short_of(quota_score, needed)}未达到{_num(needed)}，不评优秀"


def share_as_fraction(share: float) -> float:
    """A share typed to four decimals means the simple fraction it rounds:
    0.3333 is the spec's 1/3 (so 6 members keep 2 优秀, not floor(1.9998) = 1,
    and 2 不满意 votes of 6 are not "more than 1/3"). Other values are taken as typed."""
    simple = Fraction(share).limit_denominator(12)
    return float(simple) if abs(float(simple) - share) < 5e-5 else share


def _cap_excellent(m: pd.DataFrame, s: Settings) -> pd.Series:
    """Step 5: which 优秀 candidates exceed their unit's cap (bool by member)."""
    graded = m["total"].notna() & ~m["probationary"]
    graded_per_unit = graded.groupby(m["branch_code"]).sum()
    cand = m[(m["final_grade"] == EXCELLENT) & ~m["probationary"]].copy()
    over = pd.Series(False, index=m.index)
    if cand.empty:
        return over
    cand["_mid"] = cand.index
    for col in ("total", "quota_score", "mass_score"):  # float noise must not decide the order
        cand[col] = cand[col].round(9)
    cand = cand.sort_values(["total", "quota_score", "mass_score", "_mid"],
                            ascending=[False, False, False, True], na_position="last", kind="stable")
    place = cand.groupby("branch_code", sort=False).cumcount()
    cap = share_as_fraction(s.excellent_cap)
    limit = cand["branch_code"].map(
        lambda b: max(1, math.floor(cap * graded_per_unit.get(b, 0) + _EPS)))
    over.loc[cand.index[(place >= limit).to_numpy()]] = True
    return over


def score(run: RunContext, rollup: Rollup) -> Scores:
    """Scores, ranks and grades of every member of the roll-up's roster, with the run's Settings."""
    book, s = run.book, run.settings
    members = rollup.members
    idx = members.index
    ev = _evaluation(book, idx)
    m = pd.DataFrame({"name": members["name"], "branch_code": members["branch_code"]}, index=idx)
    m["probationary"] = (members["status"] == PROBATIONARY).to_numpy()

    m["quota_score"] = rollup.quota_score.reindex(idx).astype(float)
    org = ev["org_score"].astype(float)
    m["org_score"] = org.where((org >= 0) & (org <= 100))
    mass = [_votes(ev, c) for c in ("mass_satisfied", "mass_basic", "mass_unsatisfied")]
    m["mass_score"] = vote_score(mass, mass_values(s), s.mass_min_votes)
    peer = [_votes(ev, c) for c in ("peer_excellent", "peer_pass", "peer_basic", "peer_fail")]
    m["peer_score"] = vote_score(peer, peer_values(s), PEER_MIN_VOTES)
    m["total"] = weighted_total(m[list(COMPONENTS)], s.weights)
    # Ties share a rank; totals equal up to float noise (1e-9) are ties.
    m["rank"] = m["total"].round(9).groupby(m["branch_code"]).rank(method="min", ascending=False).astype("Int64")
    m["computed_grade"] = grade_of(m["total"], s)

    grade = m["computed_grade"].copy()
    reasons: dict[Any, list[str]] = {k: [] for k in idx}
    no_data = m[list(COMPONENTS)].isna().all(axis=1)
    for k in idx[no_data.to_numpy()]:
        reasons[k].append(REASON_NO_DATA)

    def at_most(cap: str, when: pd.Series, reason: Any) -> None:
        lower = when & grade.map(lambda g: g in _RANK and _RANK[g] < _RANK[cap])
        for k in idx[lower.to_numpy()]:
            grade[k] = cap
            reasons[k].append(reason(k) if callable(reason) else reason)

    # 1. 一票否决
    veto = (ev["violation"] == True).to_numpy()  # noqa: E712 - object column of bools
    for k in idx[veto]:
        grade[k] = FAIL
        reasons[k].append(REASON_VETO)
    # 2. 群众不满意率
    mass_total = sum(mass)
    unsatisfied = (mass[2] / mass_total.where(mass_total > 0)).astype(float)
    unsatisfied_cap = share_as_fraction(s.mass_unsatisfied_cap)  # 0.3333 is the spec's 1/3
    at_most(BASIC, unsatisfied > unsatisfied_cap + _EPS,
            lambda k: f"群众不满意率{_pct(unsatisfied[k])}超过上限{_pct(unsatisfied_cap)}，最高评为基本合格")
    # 3. 全年无联系群众记录
    no_contact = rollup.contact_quota_applies.reindex(idx, fill_value=False) & \
        (rollup.contacts_in_year.reindex(idx).fillna(0) == 0)
    at_most(BASIC, no_contact, REASON_NO_CONTACT)
    # 4. 优秀需指标完成分
    weak = ~(m["quota_score"].map(snap) >= s.excellent_needs_quota)
    at_most(PASS, weak, lambda k: _weak_reason(m.at[k, "quota_score"], s.excellent_needs_quota))
    # 5. 优秀比例上限 per unit
    m["final_grade"] = grade
    over = _cap_excellent(m, s)
    at_most(PASS, over, REASON_OVER_CAP)
    # 6. 预备党员
    for k in idx[m["probationary"].to_numpy()]:
        grade[k] = NOT_GRADED
        reasons[k].append(REASON_PROBATIONARY)
    m["final_grade"] = grade
    m["reasons"] = pd.Series([reasons[k] for k in idx], index=idx, dtype=object)

    advice = []
    for k in idx:
        parts = [ADVICE[grade[k]]] if grade[k] in ADVICE else []
        unmet = rollup.unmet.get(k)
        if unmet:
            parts.append(UNMET_PREFIX + "、".join(unmet))
        advice.append(REASON_SEPARATOR.join(parts))
    m["advice"] = advice
    return Scores(file=rollup.file, as_of=rollup.as_of, members=m, settings=s)
