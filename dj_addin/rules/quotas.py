"""R018: 指标设置 problems (unknown 统计口径, 目标值 ≤ 0, 权重 < 0, duplicate 指标代码)."""

from __future__ import annotations

from typing import Iterable


from dj_addin import normalize as nz
from dj_addin import schema
from dj_addin.rules.context import Context, at
from dj_addin.rules.registry import ERROR, Hit, rule

QUOTAS = schema.QUOTAS.key


@rule("R018", ERROR, QUOTAS, "指标设置有误",
      note="All 指标设置 checks in one code, including duplicate 指标代码 (so not R001) and unknown "
           "统计口径 (so not C005); unreadable 目标值/权重 are C006.")
def quota_settings(ctx: Context) -> Iterable[Hit]:
    t = ctx.table(QUOTAS)
    if not t.found or not len(t):
        return
    spec = schema.QUOTAS
    if ctx.has(t, "metric"):
        col = spec.column("metric")
        for row, value in ctx.flagged(t, "metric", t.bad["metric"]):
            closest = nz.closest_choice(value, col.choices)
            yield Hit(QUOTAS, row, "metric", f"{at(row, col.header, value)}，不是本工具能统计的口径；",
                      f"请从下拉列表中选择：{'、'.join(col.choices)}。" + (f"最接近的是「{closest}」。" if closest else ""))
    checks = (("target", lambda s: s <= 0, "必须大于 0"), ("weight", lambda s: s < 0, "不能为负数"))
    for key, bad, problem in checks:
        if not ctx.has(t, key):
            continue
        col = spec.column(key)
        mask = ctx.usable(t, key) & bad(t.data[key])
        for row, value in ctx.flagged(t, key, mask):
            yield Hit(QUOTAS, row, key, f"{at(row, col.header, value)}，{problem}；", f"请改正「{col.header}」。")
    if ctx.has(t, "code"):
        s = t.data.loc[ctx.usable(t, "code"), "code"]
        later = s.duplicated(keep="first")
        first = dict(zip(s[~later].to_numpy(), ctx.row_of(t, s.index[~later])))
        col = spec.column("code")
        for rid, row, value in ctx.cells(t, "code", later.reindex(t.data.index, fill_value=False)):
            yield Hit(QUOTAS, row, "code", f"{at(row, col.header, value)}，与第{first[s.at[rid]]}行重复；",
                      "指标代码不能重复：请改正或删除重复的指标。")
