"""R017: 评议 values out of range (组织评价分 0–100; votes from 0 to ``schema.MAX_VOTES``)."""

from __future__ import annotations

from typing import Iterable

from dj_addin import schema
from dj_addin.rules.cells import out_of_range
from dj_addin.rules.context import Context, at
from dj_addin.rules.registry import ERROR, Hit, rule

EVAL = schema.EVALUATION.key


@rule("R017", ERROR, EVAL, "评议分数或票数超出范围",
      note="Range checks of every numeric 评议 column; unreadable numbers are C006.")
def evaluation_range(ctx: Context) -> Iterable[Hit]:
    t = ctx.table(EVAL)
    for col in schema.EVALUATION.columns:
        if not col.is_numeric or not ctx.has(t, col.key):
            continue
        mask = out_of_range(t.data[col.key], col) & ctx.usable(t, col.key)
        if col.key.startswith(("peer_", "mass_")):
            problem, fix = (f"不在 0–{schema.MAX_VOTES:,} 票之间",
                            f"票数应为 0 到 {schema.MAX_VOTES:,} 之间的整数，请按计票表核对。")
        elif col.maximum is not None:
            problem, fix = f"不在 {col.minimum:g}–{col.maximum:g} 之间", f"请填写 {col.minimum:g} 到 {col.maximum:g} 之间的分数。"
        else:
            problem, fix = "是负数", "票数不能为负数，请核对。"
        for row, value in ctx.flagged(t, col.key, mask):
            yield Hit(EVAL, row, col.key, f"{at(row, col.header, value)}，{problem}；", fix)
