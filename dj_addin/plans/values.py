"""Plain Python values from pandas cells, for the 2-D tables of a plan.

A plan holds only what every engine writes the same way: no numpy scalars,
no NaN/NA/NaT (an empty cell is ``None``), no lists (joined with '、').
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
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
    """The rows of ``frame`` in the order of ``columns`` (a column the frame lacks is empty).

    Built column by column (``column_values``): a university's roll-up has hundreds of
    thousands of rows, and a cell at a time costs seconds."""
    if frame is None or not len(frame):
        return []
    if frame.columns.has_duplicates:  # one value per key, as a record holds it: the last column wins
        records = frame[[c.key for c in columns if c.key in frame.columns]].to_dict("records")
        return [[plain(rec.get(c.key)) for c in columns] for rec in records]
    blank = [None] * len(frame)
    values = [column_values(frame[c.key]) if c.key in frame.columns else blank for c in columns]
    return [list(row) for row in zip(*values)]


def column_values(values: pd.Series) -> list[Value]:
    """``plain`` of every cell of a column, as a row of ``DataFrame.to_dict("records")`` holds it
    (numpy dates inside an object column boxed as ``Timestamp`` first); fast for the common dtypes."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return [None if v != v else v for v in values.to_numpy().tolist()]  # NaN → None
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return values.to_numpy().tolist()
    if dtype == object:
        out = values.to_numpy().tolist()
        if set(map(type, out)) <= _TEXT_TYPES:  # text and blanks: plain leaves them as they are
            return out
        return [plain(_boxed(v)) for v in out]
    if isinstance(dtype, pd.StringDtype):  # text and blanks (NaN or NA): plain makes a blank None
        out = values.to_numpy(dtype=object)
        out[values.isna().to_numpy()] = None
        out = out.tolist()
        if set(map(type, out)) <= _TEXT_TYPES:
            return out
    return [plain(_boxed(v)) for v in values]


_TEXT_TYPES = frozenset({str, type(None)})


def _boxed(value: Any) -> Any:
    """A numpy date or duration as pandas boxes it in a record (``Timestamp``/``Timedelta``)."""
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    if isinstance(value, np.timedelta64):
        return pd.Timedelta(value)
    return value


def period_label(label: Value) -> Value:
    """A period as people write it: '2026Q1' → '2026年第1季度', '2026' → '2026年度' (others as given)."""
    text = str(label) if label is not None else ""
    if len(text) == 6 and text[:4].isdigit() and text[4] == "Q" and text[5] in "1234":
        return f"{text[:4]}年第{text[5]}季度"
    if len(text) == 4 and text.isdigit():
        return f"{text}年度"
    return label
