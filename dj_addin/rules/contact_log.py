"""联系记载 rules R006–R009: closing dates, open requests, double entries."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from dj_addin import schema
from dj_addin.rules.context import Context, at, header, whole_days
from dj_addin.rules.registry import ERROR, WARNING, Hit, rule

LOG = schema.CONTACT_LOG.key
CLOSED, IN_PROGRESS = schema.HANDLING_STATES[2], schema.HANDLING_STATES[1]  # 已办结, 办理中
DOUBLE_KEYS = ("member_id", "target_id", "date", "method")


@rule("R006", ERROR, LOG, "办结日期早于联系日期")
def closed_before_contact(ctx: Context) -> Iterable[Hit]:
    field, date_field = header(LOG, "closed_date"), header(LOG, "date")
    for row, value, contacted in ctx.dates_before(ctx.table(LOG), "closed_date", "date"):
        yield Hit(LOG, row, "closed_date", f"{at(row, field, value)}，早于{date_field} {contacted}；",
                  f"请核对两个日期：{field}应在{date_field}当天或之后。")


@rule("R007", ERROR, LOG, "已办结但没有办结日期",
      note="Reported on the 办结日期 cell (also when that column is missing from the sheet).")
def closed_without_date(ctx: Context) -> Iterable[Hit]:
    t = ctx.table(LOG)
    if not ctx.has(t, "handling"):
        return
    mask = (t.data["handling"] == CLOSED) & ctx.blank(t, "closed_date")
    field, handling = header(LOG, "closed_date"), header(LOG, "handling")
    for row, _ in ctx.flagged(t, "closed_date", mask):
        yield Hit(LOG, row, "closed_date", f"第{row}行{handling}为「{CLOSED}」，但「{field}」为空；",
                  f"请填写{field}；如尚未办结，请把{handling}改为「{IN_PROGRESS}」。")


@rule("R008", WARNING, LOG, "办理中超过督办天数",
      note="Days from 联系日期 to the as-of date > 评分规则.办理中督办天数 (default 30), as the run's "
           "Settings give it: an unusable value is C006 and the default is used here too.")
def overdue(ctx: Context) -> Iterable[Hit]:
    t = ctx.table(LOG)
    if not (ctx.has(t, "handling") and ctx.has(t, "date")):
        return
    limit = ctx.run.settings.overdue_days
    mask = (ctx.values(t, "handling") == IN_PROGRESS) & ctx.usable(t, "date")
    if not mask.any():
        return
    days = whole_days(ctx.as_of_ts.to_datetime64() - ctx.values(t, "date"))
    mask &= days > limit
    field, date_field, closed_field = header(LOG, "handling"), header(LOG, "date"), header(LOG, "closed_date")
    for pos, row, value in ctx.at_positions(t, "handling", mask):
        yield Hit(LOG, row, "handling",
                  f"{at(row, field, value)}，自{date_field}起已 {int(days[pos])} 天（督办期限 {limit:g} 天），需要督办；",
                  f"请跟进办理；办结后把{field}改为「{CLOSED}」并填写{closed_field}。")


@rule("R009", WARNING, LOG, "疑似重复录入",
      note="Same 党员编号, 对象编号, 联系日期 and 联系方式 as an earlier row; the later rows are reported.")
def entered_twice(ctx: Context) -> Iterable[Hit]:
    t = ctx.table(LOG)
    if not all(ctx.has(t, k) for k in DOUBLE_KEYS) or not len(t):
        return
    usable = np.flatnonzero(np.logical_and.reduce([ctx.usable(t, k) for k in DOUBLE_KEYS]))
    firsts = _first_of_same(ctx, t, usable)
    later = firsts != np.arange(len(usable))
    if not later.any():
        return
    mask = np.zeros(len(t), dtype=bool)
    mask[usable[later]] = True  # the later rows, by position in the sheet
    # at_positions() yields the masked rows in sheet order, the order of ``usable``: the first rows line up.
    first_rows = ctx.excel_rows(t)[usable[firsts[later]]].tolist()
    suggestion = "如确是同一天两次联系可不处理，否则请删除重复的行。"
    for (_, row, value), first_row in zip(ctx.at_positions(t, "date", mask), first_rows):
        yield Hit(LOG, row, "date", f"第{row}行与第{first_row}行的党员、对象、日期和联系方式都相同，可能重复录入；",
                  suggestion, value=value)


def _first_of_same(ctx: Context, t, positions: np.ndarray) -> np.ndarray:
    """For each of the rows at ``positions``, the index (into ``positions``) of the
    first of them with the same DOUBLE_KEYS: its own index when it is the first.

    Readable IDs and list values are text and readable dates are never NaT, so a
    dict keyed by the values (dates as nanoseconds) groups exactly as pandas'
    ``duplicated`` does; anything else goes through pandas."""
    columns = [ctx.values(t, k)[positions] for k in DOUBLE_KEYS]
    as_lists = [c.view("int64").tolist() if c.dtype.kind == "M" else c.tolist() for c in columns]
    text = all(c.dtype.kind == "M" or all(type(v) is str for v in values) for c, values in zip(columns, as_lists))
    if text and not any(c.dtype.kind == "M" and np.isnat(c).any() for c in columns):
        seen: dict[tuple, int] = {}
        return np.fromiter((seen.setdefault(key, i) for i, key in enumerate(zip(*as_lists))),
                           dtype=np.int64, count=len(positions))
    sub = t.data.iloc[positions][list(DOUBLE_KEYS)].reset_index(drop=True)
    codes = sub.groupby(list(DOUBLE_KEYS), sort=False, dropna=False).ngroup().to_numpy()
    first_of_code = np.full(codes.max() + 1 if len(codes) else 0, -1, dtype=np.int64)
    for i in range(len(codes) - 1, -1, -1):
        first_of_code[codes[i]] = i
    return first_of_code[codes]
