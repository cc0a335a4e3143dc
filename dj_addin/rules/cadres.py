"""R015–R016: cadres and their contact points; members and their assigned contacts."""

from __future__ import annotations

from typing import Iterable

import numpy as np

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
    levels = ctx.values(roster, "cadre_level")
    is_cadre = np.array([v in CADRE_LEVELS for v in levels.tolist()], dtype=bool) & ctx.first_rows(roster, "member_id")
    if not is_cadre.any():
        return
    member_ids, names = ctx.values(roster, "member_id"), ctx.values(roster, "name")
    point_ids = ctx.values(points, "cadre_id")
    with_point = np.flatnonzero(ctx.usable(points, "cadre_id")) if len(points) else np.arange(len(points))
    # readable IDs are text: sets are ``isin`` and ``duplicated``
    pointed = set(point_ids[with_point].tolist())
    no_point = is_cadre & np.array([v not in pointed for v in member_ids.tolist()], dtype=bool)
    field = header(ROSTER, "member_id")
    for pos, row, value in ctx.at_positions(roster, "member_id", no_point):
        yield Hit(ROSTER, row, "member_id",
                  f"第{row}行{levels[pos]} {value}（{names[pos] or ''}）在「{schema.CONTACT_POINTS.name}」中没有联系点；",
                  f"请在「{schema.CONTACT_POINTS.name}」中为该干部填写一个固定联系点。")
    cadre_ids = set(member_ids[is_cadre].tolist())
    rows = ctx.excel_rows(points)
    first: dict = {}  # cadre → the 联系点 row that counts
    later = np.zeros(len(points), dtype=bool)
    for pos in with_point.tolist():
        cadre = point_ids[pos]
        if cadre in cadre_ids:
            if cadre in first:
                later[pos] = True
            else:
                first[cadre] = int(rows[pos])
    pfield = header(POINTS, "cadre_id")
    for pos, row, value in ctx.at_positions(points, "cadre_id", later):
        yield Hit(POINTS, row, "cadre_id",
                  f"第{row}行「{pfield}」为 {value}，该干部在第{first[point_ids[pos]]}行已有联系点；",
                  "每名干部只应有一个固定联系点：请删除多余的行。", level=ERROR)


@rule("R016", WARNING, (ROSTER, TARGETS), "党员没有结对联系对象",
      note="Members other than 离退休党员; skipped when 联系对象 is missing (S002).")
def member_without_target(ctx: Context) -> Iterable[Hit]:
    roster, targets = ctx.table(ROSTER), ctx.table(TARGETS)
    if not (roster.found and targets.found) or not len(roster):
        return
    assigned = set(targets.data["member_id"].dropna())
    first = ctx.first_rows(roster, "member_id")
    member_ids, names = ctx.values(roster, "member_id"), ctx.values(roster, "name")
    # first rows hold readable IDs, which are text: ``in`` a set is ``isin``
    mask = first & (ctx.values(roster, "category") != RETIRED) & np.array(
        [v not in assigned if f else False for v, f in zip(member_ids.tolist(), first)], dtype=bool)
    for pos, row, value in ctx.at_positions(roster, "member_id", mask):
        yield Hit(ROSTER, row, "member_id",
                  f"第{row}行党员 {value}（{names[pos] or ''}）在「{schema.TARGETS.name}」中没有结对联系对象；",
                  f"请在「{schema.TARGETS.name}」中为该党员安排联系对象（填写联系党员编号）。")
