"""Cell rules C001–C009: one vectorised pass per column type.

Each cell gets at most one cell-level finding for one cause: blank cells
only C001; unreadable cells only their type rule (C002/C005/C006/C008);
readable dates one of C003/C004; Excel error values none (S008 has them).
C009 is not about a cell: one 提示 per sheet for the rows left out of the
counts because they fall after an earlier as-of date.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable

import numpy as np
import pandas as pd

from dj_addin import normalize as nz
from dj_addin import schema
from dj_addin.branch_names import known_units, unknown_branch_names
from dj_addin.schema import ColType
from dj_addin.rules.context import Context, at, header
from dj_addin.rules.registry import ERROR, INFO, WARNING, Hit, rule
from dj_addin.rules.scoring_rules import settings_hits

# Date columns that record this year's activity: checked against 考核年度 (C003),
# today and the as-of date (C004, C009). 入党日期, 结对日期, 起始日期 (联系点) and 报送日期
# describe the past or the submission, not the year's work: only C002.
YEAR_DATES: dict[str, tuple[str, ...]] = {
    schema.CONTACT_LOG.key: ("date",),
    schema.RESEARCH.key: ("start_date", "end_date"),
    schema.RECEPTION.key: ("date",),
    schema.POINT_VISITS.key: ("date",),
    schema.BRIEFINGS.key: ("date",),
    schema.FORUMS.key: ("date",),
    schema.ACTIVITIES.key: ("date",),
}
# Dates checked only for not having happened yet (C004): 办结日期 may fall in
# the next year's January; its order relative to 联系日期 is R006.
FUTURE_DATES: dict[str, tuple[str, ...]] = {schema.CONTACT_LOG.key: ("closed_date",)}

# Range checks owned by a more specific rule (R017 评议, R018 指标设置, R019 基本信息).
RANGE_OWNED = {(schema.EVALUATION.key, c.key) for c in schema.EVALUATION.columns if c.is_numeric} | {
    (schema.QUOTAS.key, "target"), (schema.QUOTAS.key, "weight")}
ENUM_OWNED = {(schema.QUOTAS.key, "metric")}  # an unknown 统计口径 is R018
META_OWNED = {"unit_code", "year"}  # R019

MIN_CONTENT_CHARS = 4
DATE_SUGGESTION = f"请填写如 2026-03-05 的日期（可用格式：{schema.DATE_FORMS_TEXT}）。"


def _columns(t, *types: ColType, among: set[str] | None = None):
    return [c for c in t.spec.columns if c.type in types and c.key in t.columns and (among is None or c.key in among)]


@rule("C001", ERROR, "*", "必填项为空",
      note="Only columns present in the sheet (a missing column is S003 once); conditional requirements "
           "are R007 (办结日期) and R012 (报告题目); 单位编码/考核年度 are R019.")
def required_blank(ctx: Context) -> Iterable[Hit]:
    for t in ctx.tables():
        for col in t.spec.columns:
            if not col.required or col.key not in t.columns:
                continue
            for row, _ in ctx.flagged(t, col.key, ctx.blank(t, col.key)):
                suggestion = f"请填写「{col.header}」。" + (f"（{col.hint}）" if col.hint else "")
                yield Hit(t.key, row, col.key, f"{at(row, col.header, '')}，这是必填项；", suggestion)
    meta = ctx.book.meta
    if meta.found:
        for col in schema.META.columns:
            if not col.required or col.key in META_OWNED:
                continue
            item = meta.items.get(col.key)
            if item is None:
                yield Hit(schema.META.key, None, col.key, f"「{schema.META.name}」中缺少必填项目「{col.header}」；",
                          f"请在「{schema.META.kv_headers[0]}」列加上「{col.header}」并在右侧填写。", column="")
            elif item.raw is None:
                yield Hit(schema.META.key, item.row, col.key, f"{at(item.row, col.header, '')}，这是必填项；",
                          f"请填写「{col.header}」。", column=item.column)


@rule("C002", ERROR, "*", "不是有效日期")
def bad_date(ctx: Context) -> Iterable[Hit]:
    for t in ctx.tables():
        for col in _columns(t, ColType.DATE, among=ctx.bad_columns(t)):
            for row, value in ctx.flagged(t, col.key, t.bad[col.key]):
                yield Hit(t.key, row, col.key, f"{at(row, col.header, value)}，不是有效日期；", DATE_SUGGESTION)
    meta = ctx.book.meta
    for col in schema.META.columns:
        item = meta.items.get(col.key) if meta.found else None
        if col.type is ColType.DATE and item is not None and item.value is nz.INVALID \
                and not nz.is_excel_error(item.raw):
            yield Hit(schema.META.key, item.row, col.key,
                      f"{at(item.row, col.header, nz.text_of(item.raw))}，不是有效日期；", DATE_SUGGESTION,
                      column=item.column)


def _year_dates(ctx: Context):
    for t in ctx.tables():
        for key in YEAR_DATES.get(t.key, ()):
            if key in t.columns:
                yield t, key


@rule("C003", WARNING, tuple(YEAR_DATES), "日期不在考核年度内",
      note="Only the activity dates of YEAR_DATES; skipped when 考核年度 is unknown (R019).")
def outside_year(ctx: Context) -> Iterable[Hit]:
    if ctx.year is None:
        return
    for t, key in _year_dates(ctx):
        d = t.data[key].to_numpy()
        mask = ctx.usable(t, key) & ((d < ctx.year_start.to_datetime64()) | (d > ctx.year_end.to_datetime64()))
        for row, value in ctx.flagged(t, key, mask):
            yield Hit(t.key, row, key, f"{at(row, header(t.key, key), value)}，不在考核年度 {ctx.year} 年内，不计入统计；",
                      "请核对日期；属于其他年度的记录请记入该年度的工作簿。")


@rule("C004", ERROR, tuple(YEAR_DATES), "日期尚未发生",
      note="Activity dates inside 考核年度 (later ones are C003) and 办结日期 (it may fall next January), "
           "after the later of today (the check's own date) and the user's as-of date. Dates after an "
           "earlier as-of date that have happened are C009, not mistakes.")
def not_happened_yet(ctx: Context) -> Iterable[Hit]:
    pairs = list(_year_dates(ctx)) if ctx.year is not None else []
    for t in ctx.tables():
        pairs += [(t, k) for k in FUTURE_DATES.get(t.key, ()) if k in t.columns]
    limit = ctx.run.happened_by
    when = f"今天 {limit.isoformat()}" if limit == ctx.run.today else f"统计截止日期 {limit.isoformat()}"
    for t, key in pairs:
        d = t.data[key].to_numpy()
        mask = ctx.usable(t, key) & (d > pd.Timestamp(limit).to_datetime64())
        if key in YEAR_DATES.get(t.key, ()):
            mask &= d <= ctx.year_end.to_datetime64()  # later dates are C003
        for row, value in ctx.flagged(t, key, mask):
            yield Hit(t.key, row, key, f"{at(row, header(t.key, key), value)}，晚于{when}，尚未发生；",
                      "请核对日期是否写错（年份、月份）。")


def counted_date(sheet_key: str) -> str:
    """The date that decides whether and where a row counts (联系日期, 开始日期 of a trip …)."""
    return YEAR_DATES[sheet_key][0]


@rule("C009", INFO, tuple(YEAR_DATES), "晚于统计截止日期的记录未计入",
      note="One hit per sheet (row = the first such row, no column: it marks no cell) for rows whose counted "
           "date (counted_date) lies inside 考核年度, after the as-of date, and has happened (C004 otherwise). "
           "The roll-up leaves these rows out (metrics counts dates up to the as-of date).")
def after_as_of(ctx: Context) -> Iterable[Hit]:
    if ctx.year is None:
        return
    last = min(pd.Timestamp(ctx.run.happened_by), ctx.year_end).to_datetime64()
    for t in ctx.tables():
        if t.key not in YEAR_DATES or counted_date(t.key) not in t.columns or not len(t):
            continue
        key = counted_date(t.key)
        d = t.data[key].to_numpy()
        mask = ctx.usable(t, key) & (d > ctx.as_of_ts.to_datetime64()) & (d <= last)
        count = int(mask.sum())
        if not count:
            continue
        first = int(t.origin["row"].to_numpy()[mask].min())
        field = header(t.key, key)
        yield Hit(t.key, first, key,
                  f"「{t.name or t.spec.name}」有 {count} 行的「{field}」晚于统计截止日期 {ctx.as_of.isoformat()}"
                  f"（第一处在第{first}行），这些行未计入本次统计；",
                  "按较早的截止日期复核时这是正常的，无需修改；如要统计这些记录，请把统计截止日期设得更晚或不设。",
                  column="")


def _choices_text(col) -> str:
    return "、".join(col.choices)


@rule("C005", ERROR, "*", "不在可选值内",
      note="An unknown 统计口径 in 指标设置 is R018.")
def not_in_list(ctx: Context) -> Iterable[Hit]:
    for t in ctx.tables():
        for col in _columns(t, ColType.ENUM, among=ctx.bad_columns(t)):
            if (t.key, col.key) in ENUM_OWNED:
                continue
            syn = schema.synonyms_for(col)
            for row, value in ctx.flagged(t, col.key, t.bad[col.key]):
                yield _enum_hit(t.key, row, col, value, syn)
    for t in ctx.tables():  # branch names that match no known unit (workbook.md)
        for row, value in unknown_branch_names(ctx.book, t):
            col = t.spec.column(t.spec.unit_column)
            known = "、".join(f"{n}（{c}）" if n else c for c, n in known_units(ctx.book).items()) or "（无）"
            yield Hit(t.key, row, col.key,
                      f"{at(row, t.headers_found.get(col.key, col.header), value)}，不是已知的单位名称或编码；",
                      f"已知的单位有：{known}。请改为其中之一（名称或编码），或在「{schema.UNITS.name}」中补上该单位。")
    meta = ctx.book.meta
    for col in schema.META.columns:
        item = meta.items.get(col.key) if meta.found else None
        if col.type is ColType.ENUM and item is not None and item.value is nz.INVALID \
                and not nz.is_excel_error(item.raw):
            h = _enum_hit(schema.META.key, item.row, col, nz.text_of(item.raw), schema.synonyms_for(col))
            yield replace(h, column=item.column)


def _enum_hit(sheet_key: str, row: int, col, value: str, syn) -> Hit:
    closest = nz.closest_choice(value, col.choices, syn)
    tail = f"最接近的是「{closest}」。" if closest else ""
    return Hit(sheet_key, row, col.key, f"{at(row, col.header, value)}，不在可选值内；",
               f"请从下拉列表中选择：{_choices_text(col)}。{tail}")


def _range_text(col) -> str:
    if col.minimum is not None and col.maximum is not None:
        return f"{col.minimum:g} 到 {col.maximum:g} 之间的数"
    if col.minimum == 0 and col.min_exclusive:
        return "大于 0 的数"
    if col.minimum == 0:
        return "不小于 0 的" + ("整数" if col.type is ColType.INT else "数")
    return "数字"


def out_of_range(data: pd.Series, col) -> np.ndarray:
    """Numbers outside the column's range (vectorised; NaN is never flagged)."""
    v = data.to_numpy(dtype=float, na_value=np.nan)
    mask = np.zeros(len(v), dtype=bool)
    with np.errstate(invalid="ignore"):
        if col.minimum is not None:
            mask |= (v <= col.minimum) if col.min_exclusive else (v < col.minimum)
        if col.maximum is not None:
            mask |= v > col.maximum
    return mask


@rule("C006", ERROR, "*", "数值无效或超出范围",
      note="Also ID cells holding a date or TRUE/FALSE (not a code). Ranges of 评议 are R017, "
           "of 指标设置 R018, 考核年度 R019. 评分规则 values that are blank, unreadable or out of range → 警告 "
           "(the default is used); its four weights summing to 0 → 错误 (settings.py).")
def bad_number(ctx: Context) -> Iterable[Hit]:
    for t in ctx.tables():
        bad_cols = ctx.bad_columns(t)
        for col in _columns(t, ColType.INT, ColType.NUMBER):
            kind = "整数" if col.type is ColType.INT else "数字"
            for row, value in ctx.flagged(t, col.key, t.bad[col.key]) if col.key in bad_cols else ():
                yield Hit(t.key, row, col.key, f"{at(row, col.header, value)}，不是{kind}；",
                          f"请填写{_range_text(col)}。")
            if (t.key, col.key) in RANGE_OWNED:
                continue
            mask = out_of_range(t.data[col.key], col) & ctx.usable(t, col.key)
            for row, value in ctx.flagged(t, col.key, mask):
                yield Hit(t.key, row, col.key, f"{at(row, col.header, value)}，超出允许范围；",
                          f"请填写{_range_text(col)}。")
        for col in _columns(t, ColType.ID, among=ctx.bad_columns(t)):
            for row, value in ctx.flagged(t, col.key, t.bad[col.key]):
                yield Hit(t.key, row, col.key, f"{at(row, col.header, value)}，不是有效的编号；",
                          "请填写文字或数字编号（可先把单元格格式设为「文本」）。")
    yield from settings_hits(ctx, "C006")


@rule("C007", WARNING, schema.CONTACT_LOG.key, "联系内容过短")
def short_content(ctx: Context) -> Iterable[Hit]:
    t = ctx.table(schema.CONTACT_LOG.key)
    if not ctx.has(t, "content") or not len(t):
        return
    usable = ctx.usable(t, "content")
    positions = np.flatnonzero(usable)
    texts = ctx.values(t, "content")[positions].tolist()
    if all(type(v) is str for v in texts):  # the usual case: no pandas string column to build
        mask = np.zeros(len(t), dtype=bool)
        mask[positions] = [_visible_chars(v) < MIN_CONTENT_CHARS for v in texts]
    else:
        text = t.data["content"].astype("string").str.replace(_WHITE_SPACE.pattern, "", regex=True)
        mask = usable & (text.str.len() < MIN_CONTENT_CHARS).fillna(False).astype(bool)
    field = header(t.key, "content")
    for row, value in ctx.flagged(t, "content", mask):
        yield Hit(t.key, row, "content", f"{at(row, field, value)}，太简短（少于 {MIN_CONTENT_CHARS} 个字）；",
                  "请写明联系的主要内容，如了解的情况、反映的问题。")


_WHITE_SPACE = re.compile(r"\s+")


def _visible_chars(text: str) -> int:
    """Characters other than white space (what removing the matches of ``\\s+`` leaves). Every
    white-space character but the ASCII space is unprintable, so a printable text
    without a space has none, and the regular expression is skipped."""
    if text.isprintable() and " " not in text:
        return len(text)
    return len(_WHITE_SPACE.sub("", text))


@rule("C008", ERROR, "*", "不是“是”或“否”")
def bad_bool(ctx: Context) -> Iterable[Hit]:
    for t in ctx.tables():
        for col in _columns(t, ColType.BOOL, among=ctx.bad_columns(t)):
            for row, value in ctx.flagged(t, col.key, t.bad[col.key]):
                yield Hit(t.key, row, col.key, f"{at(row, col.header, value)}，不是“是”或“否”；",
                          "请填写“是”或“否”（也可用 Y/N、1/0、√/×）。")
