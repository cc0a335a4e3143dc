"""Plans of the output sheets (pure) and the sink the pipeline writes through."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys

import numpy as np
import pandas as pd
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import clean_rows, make_book
from dj_addin import schema
from dj_addin.cli import main
from dj_addin.pipeline import run_book, summary_lines
from dj_addin.plans import build_plans, findings_plan, results_plan, rollup_plan
from dj_addin.plans.rollup import quota_rates
from dj_addin.plans.types import MAX_LINKS, ColumnPlan, Link, col_letter, range_ref, split_cell
from dj_addin.plans.values import plain, table
from dj_addin.results import RollupTable
from dj_addin.sink import Sink, WriteStats
from test_write_support import AS_OF, LOG, ROSTER, finding, sample_report, sample_results, sample_rollup

PLAIN_TYPES = (str, int, float, bool, dt.date, dt.datetime, type(None))


def test_plans_and_sink_import_no_spreadsheet_library():
    code = ("import sys, dj_addin.plans, dj_addin.sink; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'xlsxwriter', 'xlwings', 'python_calamine')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_findings_plan_sorts_links_and_counts():
    plan = findings_plan(sample_report(), [ROSTER, LOG])
    block = plan.blocks[0]
    assert [tuple(r[:4]) for r in block.rows] == [("错误", LOG, 2, "A"), ("警告", ROSTER, 2, "B"), ("警告", LOG, 3, "B"),
                                                  ("提示", "", None, ""), ("提示", LOG, 4, "G")]
    assert [(link.row, link.location) for link in block.links] == [
        (0, f"'{LOG}'!A2"), (1, f"'{ROSTER}'!B2"), (2, f"'{LOG}'!B3"), (4, f"'{LOG}'!G4")]
    title = block.titles[0].text
    assert "2026-11-24 09:30:00" in title and "错误 1 个，警告 2 个，提示 2 个" in title and "支部A.xlsx" in title
    assert plan.freeze == "A3" and plan.autofilter == "A2:H7" and plan.print_setup.repeat_rows == (2, 2)


def test_findings_on_a_sheet_the_workbook_lacks_get_no_link():
    plan = findings_plan(sample_report([finding("错误", "调查研究", 3, "B")]), [ROSTER, LOG])
    assert plan.blocks[0].links == [] and plan.blocks[0].rows[0][1] == "调查研究"


def test_links_stop_at_excels_limit():
    many = [finding("警告", LOG, r, "A") for r in range(2, MAX_LINKS + 12)]
    block = findings_plan(sample_report(many), [LOG]).blocks[0]
    assert len(block.rows) == MAX_LINKS + 10 and len(block.links) == MAX_LINKS


def test_quota_rates_count_members_over_units_not_average_rates():
    summary = pd.DataFrame([
        {"branch_code": "B01", "quota_code": "Q01", "quota_name": "甲", "period": "2026Q1", "members": 4, "met": 1},
        {"branch_code": "B02", "quota_code": "Q01", "quota_name": "甲", "period": "2026Q1", "members": 2, "met": 2},
        {"branch_code": "B01", "quota_code": "Q02", "quota_name": "乙", "period": "2026", "members": 0, "met": 0},
    ])
    rates = quota_rates(summary).set_index("quota_code")["rate"]
    assert rates["Q01"] == 0.5  # 3 of 6, not the mean of 25 % and 100 %
    assert math.isnan(rates["Q02"])
    plan = rollup_plan(RollupTable(AS_OF, sample_rollup().rows, summary))
    by_quota = plan.blocks[0]
    assert by_quota.rows == [["Q01", "甲", 0.5, 1.0], ["Q02", "乙", None, 1.0]]  # no rate: an empty cell, never NaN


def test_rollup_plan_puts_quota_rates_chart_and_summary_before_the_detail():
    plan = rollup_plan(sample_rollup())
    by_quota, summary, detail = plan.blocks
    assert by_quota.top < summary.top < detail.top and {b.left for b in plan.blocks} == {1}
    assert [c.key for c in by_quota.columns] == ["quota_code", "quota_name", "rate", "target"]
    assert by_quota.columns[2].number_format == "0.0%" and detail.columns[9].number_format == "0.0%"
    assert summary.columns[1].number_format == "0"  # 党员人数 is a count
    assert plan.print_setup.area == f"A1:L{detail.last_row}"  # everything prints, the chart included
    assert plan.print_setup.repeat_rows == (detail.header_row, detail.header_row)
    assert plan.row_breaks == (detail.top - 1,)  # the detail starts a page
    (chart,) = plan.charts
    assert (chart.categories, chart.values, chart.target) == ("quota_name", "rate", "target") and chart.data_labels
    chart_row = int(chart.anchor[1:])
    assert chart.anchor[0] == "A" and by_quota.top < chart_row < by_quota.header_row
    reserved = sum(plan.row_heights.get(r, 15) for r in range(chart_row, by_quota.header_row))
    assert reserved >= chart.height / 2.54 * 72  # the chart does not cover the summary
    assert [r.colours for r in detail.row_colours] == [{"未达标": "FFFFC7CE"}]  # only 未达标 is coloured
    empty = RollupTable(AS_OF, sample_rollup().rows.iloc[:0], sample_rollup().unit_summary.iloc[:0])
    assert rollup_plan(empty).charts == []
    empty_detail = rollup_plan(empty).blocks[2]
    assert rollup_plan(empty).autofilter == f"A{empty_detail.header_row}:L{empty_detail.header_row + 1}"


def test_results_plan_provisional_title():
    plan = results_plan(sample_results(provisional=True))
    line = plan.blocks[0].titles[0]
    assert "暂定" in line.text and "3 个错误" in line.text and line.style.fill == "FFFFD8A8"
    assert plan.blocks[0].rows[1][3] is None  # NaN score → empty
    assert results_plan(sample_results()).blocks[0].titles[0].style.fill is None


def test_build_plans_keeps_writing_order():
    names = [p.name for p in build_plans(report=sample_report(), rollup=sample_rollup(), results=sample_results())]
    assert names == [schema.FINDINGS.name, schema.ROLLUP.name, schema.RESULTS.name]
    assert build_plans() == []


def test_cell_addresses():
    assert range_ref(2, 1, 40, 27) == "A2:AA40" and split_cell("$B$3") == (3, 2)
    assert Link(0, "sheet", "O'Brien 表", "C4").location == "'O''Brien 表'!C4"


cells = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=False),
                  st.text(max_size=5), st.booleans(), st.dates(), st.just(pd.NA), st.just(np.nan),
                  st.lists(st.text(max_size=3), max_size=3))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cells, cells, st.integers(0, 5)), max_size=8))
def test_plan_tables_hold_only_plain_values(rows):
    frame = pd.DataFrame(rows, columns=["a", "b", "n"])
    frame["n"] = frame["n"].astype("int64")
    frame["t"] = pd.Timestamp("2026-03-05")
    cols = [ColumnPlan(k, k) for k in ("a", "b", "n", "t", "missing")]
    got = table(frame, cols)
    assert len(got) == len(frame)
    for row in got:
        assert len(row) == len(cols) and row[-1] is None
        for v in row:
            assert type(v) in PLAIN_TYPES or isinstance(v, PLAIN_TYPES[:-1]), type(v)
            assert not (isinstance(v, float) and math.isnan(v))
    assert plain(np.int64(3)) == 3 and type(plain(np.int64(3))) is int
    assert plain(["a", "b"]) == "a、b"


# ---------------------------------------------------------------- the sink


class RecordingSink:
    """A destination that keeps what it was given (as the ribbon's live sink will receive it)."""

    def __init__(self) -> None:
        self.calls = []

    def write(self, plans, marks_for, printing=()):
        self.calls.append((list(plans), marks_for))
        return WriteStats("内存中的工作簿", sheets=[p.name for p in plans], engine="memory")


def test_run_book_hands_plans_and_marks_to_any_sink(tmp_path):
    rows = clean_rows()
    rows["contact_log"][0] = {**rows["contact_log"][0], "date": "2026-13-05"}
    path = make_book(tmp_path / "b.xlsx", rows=rows)
    before = path.read_bytes()
    sink = RecordingSink()
    assert isinstance(sink, Sink)
    result = run_book(path, dt.date(2026, 12, 31), sink=sink)
    (plans, marks_for), = sink.calls
    assert [p.name for p in plans] == [schema.FINDINGS.name, schema.ROLLUP.name, schema.RESULTS.name]
    assert marks_for == result.report.findings and any(f.rule == "C002" for f in marks_for)
    assert result.dest == "内存中的工作簿" and result.written_sheets == [p.name for p in plans]
    assert path.read_bytes() == before  # the sink decides where things go: nothing else is written
    sink = RecordingSink()
    run_book(path, dt.date(2026, 12, 31), steps=("rollup",), sink=sink)
    (plans, marks_for), = sink.calls
    assert [p.name for p in plans] == [schema.ROLLUP.name] and marks_for is None  # marks left alone


def test_in_place_file_sink_keeps_a_backup(tmp_path):
    path = make_book(tmp_path / "支部A.xlsx", rows=clean_rows())
    before = path.read_bytes()
    result = run_book(path, dt.date(2026, 12, 31), in_place=True)
    assert result.backup == tmp_path / "支部A.bak-原始.xlsx" and result.backup.read_bytes() == before
    assert result.dest == path and schema.RESULTS.name in result.written_sheets


def test_cli_advice_is_the_commands_not_the_librarys(tmp_path):
    path = make_book(tmp_path / "b.xlsx", rows=clean_rows())
    result = run_book(path, dt.date(2026, 12, 31))
    assert result.dest is None and not any("-o" in line or "--in-place" in line for line in summary_lines(result))
    shown = CliRunner().invoke(main, ["run", str(path), "--as-of", "2026-12-31"])
    assert "加 -o 输出文件" in shown.output and "--in-place" in shown.output
    written = CliRunner().invoke(main, ["run", str(path), "--as-of", "2026-12-31", "-o", str(tmp_path / "o.xlsx")])
    assert "已写入" in written.output and "加 -o" not in written.output
