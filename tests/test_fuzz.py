"""Fuzzing the commands with random cell values (hypothesis).

A valid workbook gets random values of random types in random cells of its
data sheets: text with control characters (as Excel stores them, ``_x0007_``),
emoji, text that looks like a formula, huge numbers, dates far outside any
year, booleans, error cells and formulas that evaluate to errors. Whatever the
cells hold, ``dj validate`` and ``dj run`` must end with exit 0, 1 or 2 and no
traceback, every finding must name a sheet of the workbook and a cell inside its
used range, and ``dj run --in-place`` must leave every cell of every data sheet
as it was (only the output sheets and the marks sheet are written; marks change
fills and notes, never values). ``dj aggregate`` (when the package has it) must
end the same way and leave its input untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import column_index_from_string

from dj_addin import schema
from dj_addin.cli import main
from dj_addin.marks.storage import NAME_RE

from builders import clean_rows, make_book

OUTPUT_NAMES = {s.name for s in schema.OUTPUT_SHEETS}
FUZZ_SHEETS = [s.name for s in schema.SHEETS if s.kind is schema.SheetKind.DATA and s in schema.READ_SHEETS]

_control = st.integers(min_value=1, max_value=31).map(lambda c: f"_x{c:04X}_")
_text = st.text(st.characters(blacklist_categories=("Cs",), min_codepoint=32, max_codepoint=0x1FAFF), max_size=40)
_texts = st.one_of(
    _text,
    st.lists(st.one_of(_text, _control), min_size=1, max_size=4).map("".join),  # control characters
    st.sampled_from(["😀👍🏽", "党员😀", "𠀀𠀁", "\u202e反向", "M001", "T001", "是", "否", "已办结", "谈心谈话"]),
    st.sampled_from(["=1+1", "+86 138", "-", "@SUM(A1)", "=HYPERLINK(\"http://x\")", "'=A1"]),  # formula-looking
    st.sampled_from(["2026-13-45", "2026/02/30", "0000-00-00", "99999-01-01", "1899-12-31", "二〇二六年三月"]),
)
_numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 1e308, -1e308, 2**53 + 1, 1e-300, 2958466, 2958465.99999, 60, -0.5]),
)
_dates = st.one_of(
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
)
_errors = st.sampled_from(["#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"])
_formulas = st.sampled_from(["=1/0", "=NA()", "=A1&\"x\"", "=#REF!", "=DATE(2026,13,40)", "=1E+308*10"])
VALUES = st.one_of(_texts, _numbers, _dates, st.booleans(), st.none(),
                   st.tuples(st.just("error"), _errors), st.tuples(st.just("formula"), _formulas),
                   st.tuples(st.just("text"), _texts))

EDITS = st.lists(st.tuples(st.sampled_from(FUZZ_SHEETS), st.integers(1, 12), st.integers(1, 14), VALUES),
                 min_size=1, max_size=8)


@pytest.fixture(scope="module")
def base_book(tmp_path_factory) -> Path:
    return make_book(tmp_path_factory.mktemp("fuzz") / "base.xlsx", rows=clean_rows())


def put(ws, row: int, col: int, value) -> None:
    cell = ws.cell(row, col)
    if isinstance(value, tuple):
        kind, text = value
        cell.value = text
        # openpyxl takes "=…" as a formula and "#N/A" as an error cell by itself; say which we mean
        cell.data_type = {"error": "e", "formula": "f", "text": "s"}[kind]
    elif isinstance(value, str) and value.startswith("="):
        cell.value = value
        cell.data_type = "s"  # plain text that looks like a formula
    else:
        cell.value = value


def cell_values(path: Path) -> dict[str, dict[str, object]]:
    """Every cell's value of every sheet except the output and marks sheets."""
    wb = openpyxl.load_workbook(path)
    try:
        return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
                for ws in wb.worksheets if ws.title not in OUTPUT_NAMES and not NAME_RE.fullmatch(ws.title)}
    finally:
        wb.close()


def used_ranges(path: Path) -> dict[str, tuple[int, int]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: (ws.max_row or 0, ws.max_column or 0) for ws in wb.worksheets}
    finally:
        wb.close()


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_clean_exit(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output


def assert_in_bounds(doc: dict, bounds: dict[str, tuple[int, int]]) -> None:
    for f in doc["findings"]:
        if not f["sheet"]:
            continue  # a file-level finding
        assert f["sheet"] in bounds, f
        max_row, max_col = bounds[f["sheet"]]
        if f["row"] is not None:
            assert 1 <= f["row"] <= max_row, f
        if f["column"]:
            assert 1 <= column_index_from_string(f["column"]) <= max_col, f


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(edits=EDITS)
def test_random_cells_never_crash_stray_or_change_data(base_book, tmp_path, edits):
    path = tmp_path / "fuzzed.xlsx"
    for stale in tmp_path.iterdir():  # hypothesis reuses tmp_path across examples
        stale.unlink() if stale.is_file() else shutil.rmtree(stale)
    wb = openpyxl.load_workbook(base_book)
    for sheet, row, col, value in edits:
        put(wb[sheet], row + 1, col, value)  # row 1 stays the header
    wb.save(path)
    bounds = used_ranges(path)
    before = cell_values(path)

    checked = invoke("validate", path, "--as-of", "2026-12-31", "--json")
    assert_clean_exit(checked)
    if checked.exit_code != 2:
        assert_in_bounds(json.loads(checked.output), bounds)

    ran = invoke("run", path, "--as-of", "2026-12-31", "--in-place", "--json")
    assert_clean_exit(ran)
    if ran.exit_code != 2:
        assert_in_bounds(json.loads(ran.output), bounds)
    assert cell_values(path) == before

    if "aggregate" in main.commands:  # dj aggregate, once it is in the package
        merged = tmp_path / "merged.xlsx"
        source = tmp_path / "source.xlsx"
        wb = openpyxl.load_workbook(base_book)
        for sheet, row, col, value in edits:
            put(wb[sheet], row + 1, col, value)
        wb.save(source)
        source_bytes = source.read_bytes()
        agg = invoke("aggregate", source, "-o", merged, "--include-errors", "--as-of", "2026-12-31",
                     "--workers", "1", "--json")
        assert_clean_exit(agg)
        assert source.read_bytes() == source_bytes  # inputs are read-only
