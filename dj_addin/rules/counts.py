"""R013: a count larger than the count it belongs to (schema ``not_above``)."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from dj_addin import schema
from dj_addin.rules.context import Context, at
from dj_addin.rules.registry import ERROR, Hit, rule

PAIRS = tuple((spec.key, col.key, col.not_above) for spec in schema.DATA_SHEETS for col in spec.columns
              if col.not_above)


@rule("R013", ERROR, tuple(dict.fromkeys(p[0] for p in PAIRS)), "分项数大于总数",
      note="已办结数 ≤ 反映问题数 (接待日), 已反馈数 ≤ 收集意见数 (党务公开), 整改落实数 ≤ 征求意见数 (座谈会).")
def count_above_total(ctx: Context) -> Iterable[Hit]:
    for sheet_key, key, total_key in PAIRS:
        t = ctx.table(sheet_key)
        if not (ctx.has(t, key) and ctx.has(t, total_key)):
            continue
        part, total = ctx.values(t, key), ctx.values(t, total_key)
        with np.errstate(invalid="ignore"):
            mask = ctx.usable(t, key) & ctx.usable(t, total_key) & (part > total)
        field = schema.sheet(sheet_key).column(key).header
        total_field = schema.sheet(sheet_key).column(total_key).header
        for pos, row, value in ctx.at_positions(t, key, mask):
            yield Hit(sheet_key, row, key, f"{at(row, field, value)}，大于「{total_field}」{total[pos]:g}；",
                      f"「{field}」不能大于「{total_field}」，请核对。")
