"""The merge's fast paths give exactly what the plain ones give (a slip would change a
written cell without any other test noticing): rounding once per distinct value, plan
tables built column by column, widths from distinct values, dates converted by numpy,
conflicts grouped with lists, 单位对比 from each branch's rows."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dj_addin.collector import kept, paused
from dj_addin.aggregate.merge import _groups
from dj_addin.aggregate.report import GRADES, unit_figures
from dj_addin.aggregate.sheets import _pydatetimes, plain_column
from dj_addin.plans import look
from dj_addin.plans.common import shown, shown_texts
from dj_addin.plans.types import ColumnPlan
from dj_addin.plans.values import plain, table
from dj_addin.schema import ColType
from dj_addin.scoring.rounding import round_half_away, round_half_away_array

floats = st.one_of(st.floats(-1e15, 1e15), st.sampled_from([math.nan, math.inf, -math.inf]),  # scores and rates
                   st.sampled_from([0.0, -0.0, 2.675, 0.5, -0.5, 65.15, 74.99999999999999, 1 / 3]))


def _typed(values):
    return [(v.__class__, v) for v in values]


@given(st.lists(floats, max_size=40), st.integers(0, 4))
def test_rounding_an_array_rounds_every_value_as_one_at_a_time(values, digits):
    got = round_half_away_array(values, digits)
    for v, g in zip(values, got.tolist()):
        want = round_half_away(v, digits)
        assert (math.isnan(g) if want is None else (g == want and math.copysign(1, g) == math.copysign(1, want)))


cells = st.one_of(st.none(), st.text(max_size=5), st.integers(-5, 5), floats, st.booleans(),
                  st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))


def _records_table(frame: pd.DataFrame, columns) -> list[list]:
    """The plain way: a record per row (what ``table`` did before it went column by column)."""
    records = frame[[c.key for c in columns if c.key in frame.columns]].to_dict("records")
    return [[plain(rec.get(c.key)) for c in columns] for rec in records]


@settings(max_examples=60)
@given(st.lists(st.tuples(floats, st.integers(-3, 3), cells, st.one_of(st.none(), st.text(max_size=3)),
                          st.one_of(st.none(), st.datetimes(dt.datetime(1960, 1, 1), dt.datetime(2100, 1, 1)))),
                min_size=1, max_size=25))
def test_a_table_built_by_columns_equals_one_built_by_records(rows):
    frame = pd.DataFrame(rows, columns=["f", "i", "o", "s", "d"])
    frame["s"] = frame["s"].astype("str")  # pandas' text dtype (blank: NaN)
    frame["o"] = frame["o"].astype(object)
    frame["b"] = frame["i"] > 0
    columns = [ColumnPlan(k, k) for k in ("d", "f", "missing", "i", "o", "s", "b")]
    assert [_typed(r) for r in table(frame, columns)] == [_typed(r) for r in _records_table(frame, columns)]


@given(st.lists(cells, max_size=30), st.sampled_from([None, look.PERCENT, look.ONE_DECIMAL, "0"]))
@example([0.0, -0.0], look.PERCENT)
@example([1, 1.0, True], None)
def test_the_texts_of_a_column_are_those_of_every_cell(values, number_format):
    values = [plain(v) for v in values]
    assert shown_texts(values, number_format) == {shown(v, number_format) for v in values}


@settings(max_examples=60)
@given(st.lists(st.one_of(st.none(), st.datetimes(dt.datetime(1680, 1, 1), dt.datetime(2260, 1, 1))), max_size=20),
       st.sampled_from([ColType.DATE, None, ColType.TEXT]), st.integers(0, 999))
def test_dates_converted_by_numpy_equal_those_converted_one_by_one(values, col_type, nanos):
    series = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
    if nanos and len(series):  # a part below a microsecond: left to the slow path
        series.iloc[0] = series.iloc[0] + pd.Timedelta(nanoseconds=nanos) if pd.notna(series.iloc[0]) else series.iloc[0]
    assert _typed(plain_column(series, col_type)) == _typed(_pydatetimes(series, col_type))


@given(st.lists(st.tuples(st.sampled_from(["M1", "M2", 1, 1.0, "T9"]), st.sampled_from(["甲", "乙", None]),
                          st.sampled_from(["B1", "B2", "B3"])), max_size=30))
def test_ids_grouped_with_lists_as_pandas_groups_them(rows):
    frame = pd.DataFrame(rows, columns=["id", "name", "unit"], dtype=object)
    want = [(k, {"name": g["name"].tolist(), "unit": g["unit"].tolist()}) for k, g in frame.groupby("id", sort=False)]
    got = _groups(frame)
    assert [(k.__class__, k) for k, _ in got] == [(k.__class__, k) for k, _ in want]
    assert [g for _, g in got] == [g for _, g in want]


def _figures_filtered(units, summary, members):
    """单位对比's figures the plain way: each unit's rows filtered from the whole tables."""
    out = []
    for code, name, branches, n_members, n_contacts in units:
        s = summary[summary["branch_code"].isin(branches)]
        g = s.groupby("quota_code", sort=True)[["members", "met"]].sum()
        rates = {str(q): (float(r.met / r.members) if r.members else None) for q, r in g.iterrows()}
        m = members[members["branch_code"].isin(branches)]
        avg = m["total"].mean() if len(m) else float("nan")
        counts = m["final_grade"].value_counts()
        out.append((rates, None if pd.isna(avg) else round_half_away(float(avg)),
                    {k: int(counts.get(k, 0)) for k in GRADES}))
    return out


@settings(max_examples=40)
@given(st.lists(st.tuples(st.sampled_from(["B1", "B2", "B3", None]), st.sampled_from(["Q01", "Q02", None]),
                          st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=30),
       st.lists(st.tuples(st.sampled_from(["B1", "B2", "B3", None]), st.one_of(st.none(), st.floats(0, 100)),
                          st.sampled_from(["优秀", "合格", "基本合格", None])), min_size=1, max_size=30))
def test_unit_figures_equal_those_of_each_unit_filtered(summary_rows, member_rows):
    summary = pd.DataFrame(summary_rows, columns=["branch_code", "quota_code", "members", "met"])
    members = pd.DataFrame(member_rows, columns=["branch_code", "total", "final_grade"])
    units = [("U1", "一", {"B1"}, 1, 1), ("U2", "二", {"B2", "B3"}, 1, 1), ("U3", "三", {"B9"}, 0, 0)]
    got = [(f.rates, f.average, f.grades) for f in unit_figures(units, summary, members)]
    assert got == _figures_filtered(units, summary, members)


def test_the_collector_gets_back_what_a_merge_froze_and_runs_again_after_pausing():
    import gc

    before = gc.get_freeze_count()
    with kept() as keep:
        held = [[i] for i in range(1000)]
        keep()
        assert gc.get_freeze_count() >= before + 1000
    assert gc.get_freeze_count() == before
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    del held
