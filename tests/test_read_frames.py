"""The reader's cheap ways of building frames (dj_addin/frames.py, xlsx/tables.py)
give exactly the frames and typed columns the usual pandas ways give."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dj_addin import schema
from dj_addin.frames import _frame_slowly, block_frame, frame_of
from dj_addin.xlsx.columns import found_cells, objects, parse_cells, parse_distinct
from dj_addin.xlsx.tables import _dates, _typed_array

OBJECTS = st.one_of(st.none(), st.text(max_size=4), st.dates(), st.floats(allow_nan=True), st.booleans(),
                    st.tuples(st.text(max_size=2)))
KINDS = {
    "object": lambda n: st.lists(OBJECTS, min_size=n, max_size=n).map(lambda v: objects(v, len(v))),
    "bool": lambda n: st.lists(st.booleans(), min_size=n, max_size=n).map(lambda v: np.array(v, dtype=bool)),
    "int64": lambda n: st.lists(st.integers(-2**40, 2**40), min_size=n, max_size=n).map(lambda v: np.array(v, dtype="int64")),
    "float64": lambda n: st.lists(st.floats(allow_nan=True), min_size=n, max_size=n).map(lambda v: np.array(v, dtype="float64")),
    "datetime64[ns]": lambda n: st.lists(st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))),
                                         min_size=n, max_size=n).map(lambda v: np.array(v, dtype="datetime64[ns]")),
}


def _assert_same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_dtype=True, check_index_type=True, check_column_type=True,
                                  check_exact=True)
    for col in a.columns:
        if a[col].dtype == object:  # the very objects, not only equal ones (1 == 1.0 == True)
            assert [type(v) for v in a[col]] == [type(v) for v in b[col]]


@st.composite
def columns(draw):
    n = draw(st.integers(0, 30))
    kinds = draw(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=8))
    keys = draw(st.lists(st.text(min_size=1, max_size=3), min_size=len(kinds), max_size=len(kinds), unique=True))
    return n, {k: draw(KINDS[kind](n)) for k, kind in zip(keys, kinds)}


@settings(max_examples=200, deadline=None)
@given(columns())
def test_a_frame_from_plain_arrays_equals_the_frame_from_a_series_per_column(cols) -> None:
    n, data = cols
    index = pd.Index(np.arange(2, n + 2), dtype="int64", name="rid")
    fast = frame_of(data, index)
    _assert_same_frame(fast, _frame_slowly(data, index))
    for k, values in data.items():  # the frame holds copies: changing an array afterwards changes nothing
        if len(values):
            before = fast[k].copy()
            values[0] = values[-1] if values.dtype != object else "changed"
            pd.testing.assert_series_equal(fast[k], before)


@settings(max_examples=100, deadline=None)
@given(columns())
def test_a_frame_of_one_block_equals_the_frame_from_a_series_per_column(cols) -> None:
    n, data = cols
    index = pd.Index(np.arange(n), dtype="int64", name="rid")
    for dtype in (object, bool):
        arrays = {k: v.astype(dtype) for k, v in data.items()} if dtype is bool else \
            {k: objects(v.tolist(), n) for k, v in data.items()}
        block = np.empty((len(arrays), n), dtype=dtype)
        for i, v in enumerate(arrays.values()):
            block[i] = v
        _assert_same_frame(block_frame(block, list(arrays), index), _frame_slowly(arrays, index))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.dates(dt.date(1678, 1, 1), dt.date(2261, 12, 31)))))
def test_dates_counted_in_days_equal_pandas_dates(values) -> None:
    cells = objects(values, len(values))
    expected = pd.to_datetime(cells, errors="coerce").as_unit("ns").to_numpy()
    got = _dates(cells)
    assert got.dtype == np.dtype("datetime64[ns]")
    assert got.view("int64").tolist() == expected.view("int64").tolist()


def test_dates_that_are_not_plain_dates_go_to_pandas() -> None:
    cells = objects([dt.datetime(2026, 3, 5, 14, 30), None, dt.date(2026, 3, 6)], 3)
    got = _dates(cells)
    assert got.tolist() == pd.to_datetime(cells, errors="coerce").as_unit("ns").to_numpy().tolist()
    assert str(got[0]) == "2026-03-05T14:30:00.000000000"


CELLS = st.one_of(st.none(), st.sampled_from(["", " ", "#N/A", "2026-03-05", "20260305", "3.5", "abc", "12"]),
                  st.sampled_from([2, 2.0, 46000.0, 0.5, -1.0, 45000, float("nan")]),
                  st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)), st.floats(allow_nan=False, allow_infinity=False))
TYPED_COLUMNS = [c for s in schema.READ_SHEETS if s.kind is not schema.SheetKind.KV for c in s.columns
                 if c.type is schema.ColType.DATE or c.is_numeric]


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, max_size=40), st.sampled_from(TYPED_COLUMNS))
def test_typing_a_distinct_value_at_a_time_equals_typing_every_cell(cells, col) -> None:
    found = found_cells(objects(cells, len(cells)))
    coded = parse_distinct(col, found)
    typed, _ = parse_cells(col, found)
    every_cell = _typed_array(col, typed, len(typed))
    if coded is not None:
        values, _, codes = coded
        once = _typed_array(col, values, len(values))[codes]
        assert once.dtype == every_cell.dtype
        assert np.array_equal(once, every_cell, equal_nan=True)
