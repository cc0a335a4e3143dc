"""Plain Python values from pandas cells, for the 2-D tables of a plan.

A plan holds only what every engine writes the same way: no numpy scalars,
no NaN/NA/NaT (an empty cell is ``None``), no lists (joined with '、').
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from dj_addin.plans.types import ColumnPlan, Value


def plain(value: Any) -> Value:
    """One pandas/numpy cell as a plain value (NaN/NA → None, numpy → Python, list → '、'-joined text)."""
    if value.__class__ is str or value.__class__ is int:  # most cells: nothing to convert
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, (str, int, float, bool, dt.date, dt.datetime)):
        return value
    return str(value)


def table(frame: pd.DataFrame, columns: Sequence[ColumnPlan]) -> list[list[Value]]:
    """The rows of ``frame`` in the order of ``columns`` (a column the frame lacks is empty)."""
    if frame is None or not len(frame):
        return []
    present = [c.key for c in columns if c.key in frame.columns]
    records = frame[present].to_dict("records")
    return [[plain(rec.get(c.key)) for c in columns] for rec in records]


def period_label(label: Value) -> Value:
    """A period as people write it: '2026Q1' → '2026年第1季度', '2026' → '2026年度' (others as given)."""
    text = str(label) if label is not None else ""
    if len(text) == 6 and text[:4].isdigit() and text[4] == "Q" and text[5] in "1234":
        return f"{text[:4]}年第{text[5]}季度"
    if len(text) == 4 and text.isdigit():
        return f"{text}年度"
    return label
