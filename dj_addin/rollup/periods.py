"""Assessment periods: the year (``2026``) and its quarters (``2026Q1``…).

A period is *ended* when its last day is on or before the as-of date, and
*started* when its first day is; periods not started yet are not listed in
指标汇总 (scoring.md, "Periods and the as-of date").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

YEAR = "年度"  # the values of 统计周期 (schema.QUOTA_PERIODS)
QUARTER = "季度"


@dataclass(frozen=True)
class Period:
    label: str  # "2026" or "2026Q3"
    kind: str  # YEAR or QUARTER
    start: dt.date
    end: dt.date

    def ended(self, as_of: dt.date) -> bool:
        return self.end <= as_of

    def started(self, as_of: dt.date) -> bool:
        return self.start <= as_of

    @property
    def quarter(self) -> int | None:
        """1–4 for a quarter, None for the year."""
        return (self.start.month - 1) // 3 + 1 if self.kind == QUARTER else None


def year_period(year: int) -> Period:
    return Period(str(year), YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))


def quarter_periods(year: int) -> list[Period]:
    out = []
    for q in range(1, 5):
        start = dt.date(year, 3 * q - 2, 1)
        end = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
        out.append(Period(f"{year}Q{q}", QUARTER, start, end - dt.timedelta(days=1)))
    return out


def periods_for(kind: str, year: int, as_of: dt.date) -> list[Period]:
    """The periods of one 统计周期 that have started by ``as_of``, in order."""
    periods = quarter_periods(year) if kind == QUARTER else [year_period(year)]
    return [p for p in periods if p.started(as_of)]


