"""R015–R016: cadres and their contact points; members and their assigned contacts."""

from __future__ import annotations

from typing import Iterable

from dj_addin import schema
from dj_addin.rules.context import Context, header
from dj_addin.rules.registry import ERROR, WARNING, Hit, rule

ROSTER, POINTS, TARGETS = schema.ROSTER.key, schema.CONTACT_POINTS.key, schema.TARGETS.key
CADRE_LEVELS = schema.CADRE_LEVELS[:2]  # 校级干部, 处级干部
RETIRED = schema.MEMBER_CATEGORIES[2]  # 离退休党员


@rule("R015", WARNING, (ROSTER, POINTS), "干部联系点缺失或重复",
      note="No row in 联系点 → 警告 on the roster row; more than one → 错误 on each later 联系点 row.")
def cadre_points(ctx: Context) -> Iterable[Hit]:
    roster, points = ctx.table(ROSTER), ctx.table(POINTS)
    if not roster.found or not ctx.has(roster, "cadre_level"):
        return
    cadres = roster.data.loc[roster.data["cadre_level"].isin(CADRE_LEVELS) & ctx.first_rows(roster, "member_id")]
    if cadres.empty:
        return
    ids = points.data.loc[ctx.usable(points, "cadre_id"), "cadre_id"] if len(points) else points.data["cadre_id"]
    has_point = cadres["member_id"].isin(set(ids))
    field = header(ROSTER, "member_id")
    for rid, row, value in ctx.cells(roster, "member_id", (~has_point).reindex(roster.data.index, fill_value=False)):
        level = roster.data.at[rid, "cadre_level"]
        yield Hit(ROSTER, row, "member_id",
                  f"第{row}行{level} {value}（{roster.data.at[rid, 'name'] or ''}）在「{schema.CONTACT_POINTS.name}」中没有联系点；",
                  f"请在「{schema.CONTACT_POINTS.name}」中为该干部填写一个固定联系点。")
    cadre_rows = ids[ids.isin(set(cadres["member_id"]))]
    later = cadre_rows.duplicated(keep="first")
    first = dict(zip(cadre_rows[~later].to_numpy(), ctx.row_of(points, cadre_rows.index[~later])))
    pfield = header(POINTS, "cadre_id")
    for rid, row, value in ctx.cells(points, "cadre_id", later.reindex(points.data.index, fill_value=False)):
        yield Hit(POINTS, row, "cadre_id",
                  f"第{row}行「{pfield}」为 {value}，该干部在第{first[points.data.at[rid, 'cadre_id']]}行已有联系点；",
                  "每名干部只应有一个固定联系点：请删除多余的行。", level=ERROR)


@rule("R016", WARNING, (ROSTER, TARGETS), "党员没有结对联系对象",
      note="Members other than 离退休党员; skipped when 联系对象 is missing (S002).")
def member_without_target(ctx: Context) -> Iterable[Hit]:
    roster, targets = ctx.table(ROSTER), ctx.table(TARGETS)
    if not (roster.found and targets.found) or not len(roster):
        return
    assigned = set(targets.data["member_id"].dropna())
    mask = (ctx.first_rows(roster, "member_id") & (roster.data["category"] != RETIRED)
            & ~roster.data["member_id"].isin(assigned))
    for rid, row, value in ctx.cells(roster, "member_id", mask):
        yield Hit(ROSTER, row, "member_id",
                  f"第{row}行党员 {value}（{roster.data.at[rid, 'name'] or ''}）在「{schema.TARGETS.name}」中没有结对联系对象；",
                  f"请在「{schema.TARGETS.name}」中为该党员安排联系对象（填写联系党员编号）。")
