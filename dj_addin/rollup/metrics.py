"""The 11 统计口径 of workbook.md, counted for every member and period at once.

Each metric is a wide frame: one row per member (index ``member_id``), one
column per period label (``"2026"``, ``"2026Q1"`` … ``"2026Q4"``), computed
in one vectorised pass over the whole sheet (each row's member is turned into
its roster position, then counted with ``numpy.bincount``; distinct counts
go through ``drop_duplicates``), never a loop over members.

Which rows count (decided here, applied to every metric alike):
- a row counts in the period that holds its date (联系日期, 开始日期 of a
  research trip, 接待日期, 走访日期, 召开日期, 活动日期);
- rows dated outside 考核年度, after the as-of date, or with an unreadable
  date do not count (validation reports them: C002/C003/C004);
- a row whose member ID is blank, unreadable or not in 党员名册 counts for
  nobody; an unreadable 书面报告 is not a report; an unreadable 办理情况 is
  not done; an unreadable 对象编号 is not a distinct target;
- 调研天数: the typed value; blank → whole days from 开始 to 结束 inclusive;
  unreadable → 0 (validation reports it; we do not guess what was meant);
  an end before the start counts 0 days.
For counts, members with no rows get 0. The ratio metrics (结对对象覆盖率,
意见办结率) are NaN where there is nothing to count, so the quota does not
apply to that member in that period.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import numpy as np
import pandas as pd

from dj_addin import schema
from dj_addin.model import Book

CONTACTS, DISTINCT_TARGETS, PAIR_COVERAGE, RESEARCH_DAYS, RESEARCH_TRIPS, RESEARCH_REPORTS, \
    RECEPTIONS, POINT_VISITS, FORUMS_HOSTED, ACTIVITIES, REQUESTS_CLOSED = schema.METRICS
_CLOSED_STATES = (schema.HANDLING_STATES[2], schema.HANDLING_STATES[3])  # 已办结, 已反馈上级

MEMBER = "member_id"
PERIOD = "period"


def period_labels(year: int) -> list[str]:
    return [str(year)] + [f"{year}Q{q}" for q in range(1, 5)]


class _Rows:
    """Counted rows of one sheet: member position in the roster, quarter (0–3), extra columns."""

    def __init__(self, pos: np.ndarray, quarter: np.ndarray, extra: dict[str, np.ndarray], n_members: int):
        self.pos, self.quarter, self.extra, self.n = pos, quarter, extra, n_members

    def __len__(self) -> int:
        return len(self.pos)

    def subset(self, mask: np.ndarray) -> "_Rows":
        return _Rows(self.pos[mask], self.quarter[mask], {k: v[mask] for k, v in self.extra.items()}, self.n)


def _dated(frame: pd.DataFrame, date_col: str, id_col: str, members: pd.Index, year: int, as_of: dt.date,
           extra: Iterable[str] = ()) -> _Rows:
    """Rows of a roster member dated inside 考核年度 and not after ``as_of``."""
    extra = list(extra)
    if frame.empty:
        return _Rows(np.array([], int), np.array([], int), {c: np.array([], object) for c in extra}, len(members))
    dates = frame[date_col]
    pos = members.get_indexer(frame[id_col].astype(object))
    keep = (dates.notna() & (dates.dt.year == year) & (dates <= pd.Timestamp(as_of))).to_numpy() & (pos >= 0)
    quarter = ((dates[keep].dt.month.to_numpy() - 1) // 3).astype(int)
    return _Rows(pos[keep], quarter, {c: frame[c].to_numpy()[keep] for c in extra}, len(members))


def _frame(by_quarter: np.ndarray, by_year: np.ndarray, members: pd.Index, year: int) -> pd.DataFrame:
    """(members × 4) quarter values and per-member year values → members × period labels."""
    out = pd.DataFrame(np.column_stack([by_year, by_quarter]), index=members, columns=period_labels(year))
    out.index.name, out.columns.name = MEMBER, PERIOD
    return out


def _sums(rows: _Rows, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per member and quarter, and per member for the year: row counts (or sums of ``weights``)."""
    w = None if weights is None else weights.astype(float)
    q = np.bincount(rows.pos * 4 + rows.quarter, weights=w, minlength=rows.n * 4).astype(float).reshape(rows.n, 4)
    return q, q.sum(axis=1)


def _count(rows: _Rows, members: pd.Index, year: int, weight: str | None = None) -> pd.DataFrame:
    return _frame(*_sums(rows, rows.extra[weight] if weight else None), members, year)


def _distinct_sums(rows: _Rows, col: str) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of ``col`` per member and quarter, and per member for the year."""
    values = rows.extra[col]
    has = pd.notna(values)
    rows = rows.subset(has)
    codes = pd.factorize(values[has])[0] if len(rows) else np.array([], int)
    pairs_q = pd.DataFrame({"p": rows.pos, "q": rows.quarter, "c": codes}).drop_duplicates()
    pairs_y = pairs_q.drop_duplicates(["p", "c"])
    n = rows.n
    q = np.bincount(pairs_q["p"].to_numpy() * 4 + pairs_q["q"].to_numpy(), minlength=n * 4).astype(float)
    return q.reshape(n, 4), np.bincount(pairs_y["p"].to_numpy(), minlength=n).astype(float)


def _ratio(num: tuple[np.ndarray, np.ndarray], den: tuple[np.ndarray, np.ndarray], members: pd.Index,
           year: int) -> pd.DataFrame:
    """numerator / denominator per period; NaN where the denominator is 0."""
    n_all = np.column_stack([num[1], num[0]])
    d_all = np.column_stack([den[1], den[0]])
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(d_all > 0, n_all / np.where(d_all > 0, d_all, 1), np.nan)
    return _frame(r[:, 1:], r[:, 0], members, year)


def research_days(research: pd.DataFrame, bad: pd.DataFrame | None) -> pd.Series:
    """调研天数 as it counts: typed value; blank → days from 开始 to 结束 inclusive; unreadable → 0."""
    span = (research["end_date"] - research["start_date"]).dt.days + 1
    span = span.where(span > 0, 0.0).fillna(0.0)
    days = research["days"].astype(float)
    unreadable = bad["days"].reindex(research.index, fill_value=False) if bad is not None and "days" in bad \
        else pd.Series(False, index=research.index)
    return days.where(days.notna(), np.where(unreadable, 0.0, span)).astype(float)


def compute_metrics(book: Book, members: pd.Index, year: int, as_of: dt.date,
                    wanted: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """The metrics of ``wanted`` (default: all of ``schema.METRICS``) as members × periods frames;
    联系次数 is always computed (scoring needs it)."""
    wanted = set(schema.METRICS if wanted is None else wanted) | {CONTACTS}
    members = pd.Index(members, dtype=object)
    log = book.frame(schema.CONTACT_LOG.key)
    contacts = _dated(log, "date", "member_id", members, year, as_of, ["target_id", "request", "handling"])
    out: dict[str, pd.DataFrame] = {CONTACTS: _count(contacts, members, year)}
    if DISTINCT_TARGETS in wanted:
        out[DISTINCT_TARGETS] = _frame(*_distinct_sums(contacts, "target_id"), members, year)
    if PAIR_COVERAGE in wanted:
        out[PAIR_COVERAGE] = _coverage(book, contacts, members, year)
    if REQUESTS_CLOSED in wanted:
        asked = contacts.subset(pd.notna(contacts.extra["request"]))
        done = np.isin(asked.extra["handling"], _CLOSED_STATES).astype(float)
        out[REQUESTS_CLOSED] = _ratio(_sums(asked, done), _sums(asked), members, year)
    if wanted & {RESEARCH_DAYS, RESEARCH_TRIPS, RESEARCH_REPORTS}:
        out.update(_research(book, members, year, as_of))
    simple = ((RECEPTIONS, schema.RECEPTION.key, "leader_id"), (POINT_VISITS, schema.POINT_VISITS.key, "cadre_id"),
              (FORUMS_HOSTED, schema.FORUMS.key, "host_id"))
    for metric, sheet, id_col in simple:
        if metric in wanted:
            out[metric] = _count(_dated(book.frame(sheet), "date", id_col, members, year, as_of), members, year)
    if ACTIVITIES in wanted:
        acts = book.frame(schema.ACTIVITIES.key)
        acts = acts.loc[acts["member_ids"].notna(), ["date", "member_ids"]].explode("member_ids")
        out[ACTIVITIES] = _count(_dated(acts, "date", "member_ids", members, year, as_of), members, year)
    return out


def _coverage(book: Book, contacts: _Rows, members: pd.Index, year: int) -> pd.DataFrame:
    """结对对象覆盖率: the member's assigned contacts (联系对象.联系党员编号) that the member met at least once."""
    targets = book.frame(schema.TARGETS.key)
    pairs = targets.loc[targets["target_id"].notna() & targets["member_id"].notna(), ["target_id", "member_id"]]
    pairs = pairs.drop_duplicates("target_id")
    owner_pos = members.get_indexer(pairs["member_id"].astype(object))
    assigned = np.bincount(owner_pos[owner_pos >= 0], minlength=len(members)).astype(float)
    tid = contacts.extra["target_id"]
    found = pd.Index(pairs["target_id"].to_numpy(dtype=object), dtype=object).get_indexer(
        np.asarray(tid, dtype=object))  # target ids are unique in pairs
    owner = np.where(found >= 0, owner_pos[found] if len(owner_pos) else -2, -2)  # -2: no assigned member
    own = owner == contacts.pos
    met = _distinct_sums(contacts.subset(own), "target_id")
    return _ratio(met, (np.repeat(assigned[:, None], 4, axis=1), assigned), members, year)


def _research(book: Book, members: pd.Index, year: int, as_of: dt.date) -> dict[str, pd.DataFrame]:
    """调研天数, 调研次数 and 调研报告数 (rows of 调查研究, counted by 开始日期)."""
    table = book.tables.get(schema.RESEARCH.key)
    research = table.data.copy() if table is not None else book.frame(schema.RESEARCH.key).copy()
    research["counted_days"] = research_days(research, table.bad if table is not None else None)
    research["report"] = (research["has_report"] == True).astype(float)  # noqa: E712 - object column of bools
    trips = _dated(research, "start_date", "member_id", members, year, as_of, ["counted_days", "report"])
    return {RESEARCH_DAYS: _count(trips, members, year, "counted_days"), RESEARCH_TRIPS: _count(trips, members, year),
            RESEARCH_REPORTS: _count(trips, members, year, "report")}
