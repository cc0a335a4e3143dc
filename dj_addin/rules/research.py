"""调查研究 rules R010–R012: date order, 调研天数 against the dates, reports."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from dj_addin import schema
from dj_addin.rules.context import Context, at, header, whole_days
from dj_addin.rules.registry import ERROR, WARNING, Hit, rule

RESEARCH = schema.RESEARCH.key


@rule("R010", ERROR, RESEARCH, "结束日期早于开始日期")
def end_before_start(ctx: Context) -> Iterable[Hit]:
    field, start_field = header(RESEARCH, "end_date"), header(RESEARCH, "start_date")
    for row, value, started in ctx.dates_before(ctx.table(RESEARCH), "end_date", "start_date"):
        yield Hit(RESEARCH, row, "end_date", f"{at(row, field, value)}，早于{start_field} {started}；",
                  f"请核对{start_field}和{field}。")


@rule("R011", WARNING, RESEARCH, "调研天数超过日期跨度",
      note="调研天数 > whole days from 开始 to 结束 inclusive; not checked when R010 applies.")
def days_exceed_span(ctx: Context) -> Iterable[Hit]:
    t = ctx.table(RESEARCH)
    if not all(ctx.has(t, k) for k in ("start_date", "end_date", "days")):
        return
    s, e, days = ctx.values(t, "start_date"), ctx.values(t, "end_date"), ctx.values(t, "days")
    span = whole_days(e - s) + 1
    with np.errstate(invalid="ignore"):
        mask = (ctx.usable(t, "start_date") & ctx.usable(t, "end_date") & ctx.usable(t, "days")
                & (span >= 1) & (days > span))
    field = header(RESEARCH, "days")
    for pos, row, value in ctx.at_positions(t, "days", mask):
        yield Hit(RESEARCH, row, "days",
                  f"{at(row, field, value)}，超过从{header(RESEARCH, 'start_date')}到{header(RESEARCH, 'end_date')}的 {int(span[pos])} 天；",
                  "请核对调研天数，或留空按日期自动计算。")


@rule("R012", WARNING, RESEARCH, "有书面报告但没有报告题目")
def report_without_title(ctx: Context) -> Iterable[Hit]:
    t = ctx.table(RESEARCH)
    if not ctx.has(t, "has_report"):
        return
    mask = (t.data["has_report"] == True) & ctx.blank(t, "report_title")  # noqa: E712 (object column)
    field, report = header(RESEARCH, "report_title"), header(RESEARCH, "has_report")
    yes, no = schema.BOOL_VALUES
    for row, _ in ctx.flagged(t, "report_title", mask):
        yield Hit(RESEARCH, row, "report_title", f"第{row}行{report}为「{yes}」，但「{field}」为空；",
                  f"请填写{field}；如没有书面报告，请把{report}改为「{no}」。")
