"""The column-at-once conversion of the reader (xlsx/columns.py) gives exactly
what converting one cell at a time gives, for any mix of cell values."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dj_addin import schema
from dj_addin.xlsx.columns import _found_one_by_one, found_cells, objects, parse_cells

CELLS = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "\u3000", "#N/A", " #REF!", "#DIV/0!", "是", "否", "走访", "电话/网络", "微信", "2026-03-05",
                     "20260305", "M1", " m1 ", "Ｍ１", "1", "0", "abc", "已办结"]),
    st.sampled_from([0, 1, 0.0, 1.0, -0.0, 2, 2.0, 46000.0, 0.5, -1.0, True, False, float("nan")]),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 1, 1)),
    st.text(max_size=6),
    st.floats(allow_nan=False, allow_infinity=False),
)
COLUMNS = [c for s in (schema.CONTACT_LOG, schema.ROSTER, schema.TARGETS, schema.EVALUATION) for c in s.columns]


def _same(a: list, b: list) -> bool:
    """Equal cell by cell, with the same classes (1 == 1.0 == True is not enough) and NaN equal to NaN."""
    def key(v):
        return (v.__class__, "nan" if isinstance(v, float) and math.isnan(v) else v)
    return [key(v) for v in a] == [key(v) for v in b]


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, max_size=40), st.sampled_from(COLUMNS), st.data())
def test_column_at_once_equals_cell_by_cell(cells, col, data) -> None:
    arr = objects(cells, len(cells))
    errors_at = []
    if cells:
        rows = data.draw(st.lists(st.integers(0, len(cells) - 1), max_size=3, unique=True))
        errors_at = [(r, "#REF!") for r in rows]
    fast, slow = found_cells(arr, errors_at), _found_one_by_one(arr, errors_at)
    assert _same(fast.values.tolist(), slow.values.tolist())
    assert fast.errors.tolist() == slow.errors.tolist()
    assert fast.filled().tolist() == slow.filled().tolist() == [v is not None for v in slow.values.tolist()]
    keep = np.flatnonzero(np.arange(len(cells)) % 3 != 1)  # the rows a sheet keeps after dropping blank ones
    fast, slow = fast.take(keep), slow.take(keep)
    (typed_f, bad_f), (typed_s, bad_s) = parse_cells(col, fast), parse_cells(col, slow)
    assert _same(typed_f.tolist(), typed_s.tolist())
    assert bad_f.tolist() == bad_s.tolist()


def test_a_column_of_distinct_and_repeated_values_keeps_each_value_as_found() -> None:
    cells = objects(["  ", "M1", None, "M1", "#N/A", float("nan"), dt.date(2026, 3, 5), "m1"], 8)
    found = found_cells(cells, [(6, "#VALUE!")])
    assert found.values.tolist() == [None, "M1", None, "M1", "#N/A", None, "#VALUE!", "m1"]
    assert found.errors.tolist() == [False, False, False, False, True, False, True, False]
    typed, bad = parse_cells(schema.CONTACT_LOG.column("member_id"), found)
    assert typed.tolist() == [None, "M1", None, "M1", None, None, None, "M1"] and not bad.any()


@given(st.text(alphabet="abcxyzABCXYZ0123456789", min_size=1, max_size=12))
def test_a_plain_id_reads_as_the_same_id_typed_with_spaces_around(text) -> None:
    """The shortcut for IDs with nothing to trim or fold gives what the full way gives."""
    from dj_addin.normalize import parse_id

    assert parse_id(text) == parse_id(f" {text}\u3000") == text.upper()
