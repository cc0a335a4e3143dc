"""Properties of validation: the order of rows and columns never changes
what is found, and every accepted date form reads as the same date."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from builders import clean_rows, memory_book
from dj_addin import schema
from dj_addin.normalize import parse_date
from dj_addin.xlsx.reader import book_from_grids
from dj_addin.xlsx.grid import Grid
from dj_addin.validate import validate_book

AS_OF = dt.date(2026, 12, 31)


def spoiled_rows():
    """The clean data with one finding of many kinds, so there is something to find."""
    rows = copy.deepcopy(clean_rows())
    log = rows["contact_log"]
    log[0].update(date="2026-13-05")  # C002
    log[1].update(member_id="M999", member_name="无名")  # R002
    log[2].update(method="飞鸽")  # C005
    log[3].update(content="好")  # C007
    log[4].update(member_name="张三")  # R004
    log[5].update(handling="办理中", date=dt.date(2026, 9, 1))  # R008
    log.append(dict(log[6]))  # R009
    log.append({**log[7], "target_id": "T001"})  # R005
    rows["roster"].append({**rows["roster"][1], "name": "重复"})  # R001
    rows["reception"][0]["resolved"] = 9  # R013
    return rows


def signature(report):
    """Findings without positions: what was found, not where."""
    return Counter((f.rule, f.level, f.sheet, f.field, f.value) for f in report.findings)


BASE = signature(validate_book(memory_book(rows=spoiled_rows()), AS_OF))


def test_base_finds_something_of_each_kind():
    rules = {r for r, *_ in BASE}
    assert {"C002", "R002", "C005", "C007", "R004", "R008", "R009", "R005", "R001", "R013"} <= rules


@settings(max_examples=8, deadline=None)
@given(st.randoms(use_true_random=False))
def test_shuffling_rows_and_columns_changes_no_finding(rnd):
    rows = spoiled_rows()
    for key in ("contact_log", "roster", "targets"):
        rnd.shuffle(rows[key])
    columns = {}
    for spec in (schema.CONTACT_LOG, schema.ROSTER, schema.TARGETS, schema.RECEPTION):
        keys = list(spec.keys)
        rnd.shuffle(keys)
        columns[spec.key] = keys
    report = validate_book(memory_book(rows=rows, columns=columns), AS_OF)
    assert signature(report) == BASE


def forms(d: dt.date) -> list:
    serial = (d - dt.date(1899, 12, 30)).days
    fw = str.maketrans("0123456789", "０１２３４５６７８９")
    return [d, dt.datetime(d.year, d.month, d.day, 13, 30), d.isoformat(), f"{d.year}/{d.month}/{d.day}",
            f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month}月{d.day}日", d.strftime("%Y%m%d"),
            int(d.strftime("%Y%m%d")), serial, float(serial), str(serial), d.isoformat().translate(fw),
            f" {d.year} 年 {d.month:02d} 月 {d.day:02d} 日 "]


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_accepted_date_form_is_the_same_date(d):
    assert {parse_date(v) for v in forms(d)} == {d}


@settings(max_examples=10, deadline=None)
@given(st.dates(min_value=dt.date(2026, 1, 1), max_value=AS_OF))
def test_date_forms_read_alike_through_the_reader(d):
    """The same date in every form in 联系日期: same typed value, no finding on it."""
    spec = schema.CONTACT_LOG
    values = forms(d)
    grid = [spec.headers] + [[v if k == "date" else None for k in spec.keys] for v in values]
    book = book_from_grids([spec.name], {spec.name: Grid(spec.name, grid)})
    log = book.frame("contact_log")
    assert set(log["date"].dt.date) == {d} and not book.tables["contact_log"].bad["date"].any()
