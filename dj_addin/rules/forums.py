"""R014: forums that should hear people outside the Party but had none."""

from __future__ import annotations

from typing import Iterable

from dj_addin import schema
from dj_addin.rules.context import Context
from dj_addin.rules.registry import WARNING, Hit, rule

FORUMS = schema.FORUMS.key
# 民主生活会前, 组织生活会前, 民主评议党员, 发展党员
NEEDS_OUTSIDERS = schema.FORUM_REASONS[:4]


@rule("R014", WARNING, FORUMS, "应听取党外意见的座谈会党外人数为 0",
      note="Only an explicit 0 in 党外人数 (a blank is not known to be 0).")
def no_outsiders(ctx: Context) -> Iterable[Hit]:
    t = ctx.table(FORUMS)
    if not (ctx.has(t, "reason") and ctx.has(t, "outside")):
        return
    mask = t.data["reason"].isin(NEEDS_OUTSIDERS) & (t.data["outside"] == 0)
    field = schema.FORUMS.column("outside").header
    for rid, row, value in ctx.cells(t, "outside", mask):
        reason = t.data.at[rid, "reason"]
        yield Hit(FORUMS, row, "outside", f"第{row}行{schema.FORUMS.column('reason').header}为「{reason}」，但「{field}」为 0，没有听取党外群众意见；",
                  "这类座谈会应邀请党外群众参加；如有党外人员参加，请填写人数。", value=value)
