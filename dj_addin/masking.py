"""Masking personal data for the level above (workbook.md: sensitive columns).

Workbooks travel upward by e-mail: a college or the university needs to know
that a member has a phone on record, not the number. Every column the schema
marks ``sensitive`` (联系电话 on 基本信息, 党员名册 and 联系对象) is masked in
any workbook made for the level above (导出上报, 汇总), unless the user asks
to keep it. Pure: works on a ``Book`` and returns a new one; the input is
never changed.

The mask keeps what lets a person recognise a number without revealing it:
the first three and the last four digits of a number with at least eight
digits (``13812345678`` → ``138****5678``, ``010-62751234`` → ``010****1234``);
shorter values become ``****``. A value that already holds ``*`` is kept as
it is, so masking a masked workbook (a merge of merged workbooks) changes
nothing. Values that could not be interpreted are masked the same way: what
the user typed in a sensitive cell never goes up either.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pandas as pd

from dj_addin import schema
from dj_addin.model import Book, KVItem, KVTable, SheetTable

MASK = "****"
_DIGITS = re.compile(r"\d")


def mask_value(value: Any) -> Any:
    """The masked form of one sensitive value (blank stays blank)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    text = str(value).strip()
    if not text or "*" in text:
        return text or value
    digits = _DIGITS.findall(text)
    if len(digits) >= 8:
        return "".join(digits[:3]) + MASK + "".join(digits[-4:])
    return MASK


def sensitive_keys(sheet: schema.Sheet) -> list[str]:
    return [c.key for c in sheet.columns if c.sensitive]


def _mask_series(s: pd.Series) -> pd.Series:
    return s.astype(object).map(mask_value)


def mask_table(t: SheetTable) -> SheetTable:
    """The table with its sensitive columns masked (typed data, raw and as-found values)."""
    keys = [k for k in sensitive_keys(t.spec) if k in t.data.columns]
    if not keys or t.data.empty:
        return t
    data = t.data.copy()
    for k in keys:
        data[k] = _mask_series(data[k])
    changes: dict[str, Any] = {"data": data}
    if not t.compacted:
        raw = t.raw.copy()
        for k in keys:
            if k in raw.columns:
                raw[k] = _mask_series(raw[k])
        changes["raw"] = raw
    elif t.compacted:
        found = dict(t.as_found())
        for k in keys:
            if k in found:
                found[k] = _mask_series(found[k])
        changes["_as_found"] = found
    return replace(t, **changes)


def mask_kv(kv: KVTable) -> KVTable:
    keys = set(sensitive_keys(kv.spec))
    if not keys & set(kv.items):
        return kv
    items = dict(kv.items)
    for k in keys & set(items):
        item = items[k]
        items[k] = KVItem(mask_value(item.value), mask_value(item.raw), item.row, item.column)
    return replace(kv, items=items)


def mask_book(book: Book) -> Book:
    """A copy of ``book`` with every sensitive column masked; ``book`` is unchanged."""
    return replace(book,
                   tables={key: mask_table(t) for key, t in book.tables.items()},
                   kv={key: mask_kv(kv) for key, kv in book.kv.items()})
