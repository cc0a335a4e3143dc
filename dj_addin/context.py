"""One run context: everything a run decides once, before any rule or sum.

A run (``dj validate``, ``dj run``, a ribbon button, ``dj demo``'s 一键处理)
works on one book at one as-of date. ``RunContext.build`` settles, in this
one place:

- 考核年度 (``year``), or the as-of date's year when it is missing or invalid
  (``year_assumed``; R019 reports it and the year checks skip);
- the as-of date, clamped here and nowhere else: the user's date or today,
  at most the last day of 考核年度 (interfaces.md); a date before the year
  is refused, since nothing could be counted;
- the check's own date (``today``) and time (``checked_at``): C004 flags
  dates after the later of today and the user's as-of date;
- ``Settings``, from the one reader of 评分规则 (``scoring.settings``),
  with its findings, reported once by validation;
- the quotas of 指标设置 (parsed once) and the periods (started, ended,
  current) that validation (K001), the roll-up and scoring all use.

Pure: pandas and the standard library only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dj_addin import normalize as nz
from dj_addin import schema
from dj_addin.errors import UsageError
from dj_addin.model import Book, Finding
from dj_addin.rollup.periods import QUARTER, YEAR, Period, periods_for
from dj_addin.rollup.quotas import Quota, quotas_of
from dj_addin.scoring.settings import Settings, load_settings

_YEAR_COLUMN = schema.META.column("year")
# An as-of date must fall in a year 考核年度 can take (schema); later dates of a book's year are clamped.
FIRST_AS_OF = dt.date(int(_YEAR_COLUMN.minimum), 1, 1)
LAST_AS_OF = dt.date(int(_YEAR_COLUMN.maximum), 12, 31)
AS_OF_EXAMPLE = "2026-12-31"


def year_of(book: Book) -> int | None:
    """考核年度 when it is a usable year (within the schema's range), else None (R019 reports it)."""
    y = book.meta.get("year") if schema.META.key in book.kv else None
    try:
        y = int(y) if y is not None else None
    except (TypeError, ValueError):
        return None
    return y if y is not None and _YEAR_COLUMN.minimum <= y <= _YEAR_COLUMN.maximum else None


def parse_as_of(text: str | None, label: str = "统计截止日期") -> dt.date | None:
    """A user's as-of date as typed (``--as-of``, a ribbon cell), or None for the default.

    Any accepted date form is read, but not a bare number: ``2026`` would be
    the Excel serial 1905-07-18, so whole dates only. A real date outside
    the years 考核年度 can take is refused as out of range, not as "not a date".
    ``label`` names the value in messages (the CLI says ``--as-of 的值``)."""
    if text is None:
        return None
    value = str(text).strip()
    forms = f"请写完整的日期，如 {AS_OF_EXAMPLE}（可用格式：{schema.DATE_FORMS_TEXT}）"
    folded = nz.fold_width(value)
    if re.fullmatch(r"\d+(\.\d+)?", folded) and not re.fullmatch(r"\d{8}", folded):  # a number, not 20260630
        raise UsageError(f"{label}「{value}」不是完整的日期；{forms}。"
                         + (f"统计全年请写 {folded}-12-31。" if len(folded) == 4 else ""))
    d = nz.parse_date(value)
    if d is None or d is nz.INVALID:
        d = nz.date_from_text(value)
        if d is None:
            raise UsageError(f"{label}「{value}」不是有效日期；{forms}。")
    if not FIRST_AS_OF <= d <= LAST_AS_OF:
        raise UsageError(f"{label} {d.isoformat()} 是日期，但超出允许范围（{FIRST_AS_OF.isoformat()} 至 "
                         f"{LAST_AS_OF.isoformat()}）；请用考核年度内的日期，或不设（默认今天）。")
    return d


def clamp_as_of(requested: dt.date | None, today: dt.date, year: int | None) -> dt.date:
    """The as-of date of a run: ``requested`` or ``today``, at most the last day of
    ``year`` (unknown: no cap). A requested date before the year is a usage error."""
    if year is not None and requested is not None and requested < dt.date(year, 1, 1):
        raise UsageError(f"统计截止日期 {requested.isoformat()} 早于考核年度 {year} 年，没有可统计的记录；"
                         f"请用 {year} 年内的日期，或不设（默认今天）。")
    as_of = requested if requested is not None else today
    if year is not None and as_of > dt.date(year, 12, 31):
        return dt.date(year, 12, 31)
    return as_of


@dataclass(frozen=True, eq=False)
class RunContext:
    """What one run of one book works with; build it with ``RunContext.build``."""

    book: Book
    year: int  # 考核年度, or the as-of date's year when ``year_assumed``
    year_assumed: bool  # 考核年度 missing or invalid (R019)
    as_of: dt.date  # the counting cut-off: clamped into 考核年度
    requested_as_of: dt.date | None  # the user's date before the clamp (None: today)
    today: dt.date  # the check's own date
    checked_at: dt.datetime  # the check time shown in 问题清单
    settings: Settings  # 评分规则 as used (defaults where unusable)
    settings_findings: tuple[Finding, ...]  # why a 评分规则 value was not used (S003/C006)
    quotas: tuple[Quota, ...]  # usable rows of 指标设置 (or the template defaults)

    @classmethod
    def build(cls, book: Book, as_of: dt.date | None = None, *, today: dt.date | None = None,
              checked_at: dt.datetime | None = None) -> "RunContext":
        """The run context of ``book``: ``as_of`` is the user's date (None: today),
        ``today`` the date of the run (default: ``checked_at``'s date, else the
        system's), ``checked_at`` the check time (default: now)."""
        if checked_at is None:
            checked_at = dt.datetime.now().replace(microsecond=0)
        if today is None:
            today = checked_at.date()
        known = year_of(book)
        clamped = clamp_as_of(as_of, today, known)
        settings, findings = load_settings(book)
        return cls(book=book, year=known if known is not None else clamped.year, year_assumed=known is None,
                   as_of=clamped, requested_as_of=as_of, today=today, checked_at=checked_at,
                   settings=settings, settings_findings=tuple(findings), quotas=tuple(quotas_of(book)))

    # -- dates ----------------------------------------------------------------
    @property
    def known_year(self) -> int | None:
        """考核年度 when the book states a valid one (year checks skip otherwise)."""
        return None if self.year_assumed else self.year

    @property
    def happened_by(self) -> dt.date:
        """The latest date that has happened: the later of today and the user's as-of
        date (C004 flags later dates; a January run may confirm a January 办结日期)."""
        return max(self.today, self.requested_as_of or self.today)  # the clamped as-of is never later

    # -- periods --------------------------------------------------------------
    def periods(self, kind: str) -> list[Period]:
        """The periods of one 统计周期 (``YEAR`` or ``QUARTER``) that have started by the as-of date."""
        return periods_for(kind, self.year, self.as_of)

    def ended_periods(self, kind: str) -> list[Period]:
        return [p for p in self.periods(kind) if p.ended(self.as_of)]

    def current_period(self, kind: str) -> Period | None:
        """The started period that has not ended yet (None when all started ones have)."""
        return next((p for p in self.periods(kind) if not p.ended(self.as_of)), None)

    # -- quotas ---------------------------------------------------------------
    def quotas_for(self, metric: str, kind: str | None = None) -> list[Quota]:
        """The quotas of one 统计口径 (and 统计周期), in 指标设置 order."""
        return [q for q in self.quotas if q.metric == metric and (kind is None or q.period_kind == kind)]


__all__ = ["RunContext", "clamp_as_of", "parse_as_of", "year_of", "YEAR", "QUARTER"]
