"""R019: 基本信息 lacks a valid 单位编码 or 考核年度 (everything else hangs on them)."""

from __future__ import annotations

from typing import Iterable

from dj_addin import normalize as nz
from dj_addin import schema
from dj_addin.rules.context import Context, at
from dj_addin.rules.registry import ERROR, Hit, rule

META = schema.META.key


@rule("R019", ERROR, META, "基本信息缺少单位编码或考核年度",
      note="Skipped when 基本信息 itself is missing (S002); an Excel error value there is S008.")
def meta_identity(ctx: Context) -> Iterable[Hit]:
    meta = ctx.book.meta
    if not meta.found:
        return
    for key, how in (("unit_code", "上级统一分配的单位编码，如 D0101"), ("year", "四位年份，如 2026")):
        col = schema.META.column(key)
        item = meta.items.get(key)
        if item is None:
            yield Hit(META, None, key, f"「{schema.META.name}」中缺少项目「{col.header}」；",
                      f"请在「{schema.META.kv_headers[0]}」列加上「{col.header}」，并在右侧填写{how}。", column="")
            continue
        if nz.is_excel_error(item.raw):
            continue
        text = nz.text_of(item.raw)
        if item.raw is None:
            problem = f"{at(item.row, col.header, '')}；"
        elif item.value is nz.INVALID or item.value is None:
            problem = f"{at(item.row, col.header, text)}，无法识别；"
        elif key == "year" and not (col.minimum <= item.value <= col.maximum):
            problem = f"{at(item.row, col.header, text)}，不是有效年份；"
        else:
            continue
        yield Hit(META, item.row, key, problem, f"请填写{how}。", column=item.column)
