"""评议.姓名: the template fills it with a lookup formula from 党员名册 that
Excel, WPS and LibreOffice calculate; the reader reads what the formula shows
(never an error for a row that only holds the formula), and R004 checks a
name typed over it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from builders import memory_book
from dj_addin import schema
from dj_addin.template.build import LOOKUP_ROWS, build_template, save_deterministic
from dj_addin.template.fill import fill_workbook
from dj_addin.validate import validate_book
from dj_addin.xlsx.reader import read_book

EVAL = schema.EVALUATION
NAME_COL = EVAL.keys.index("name") + 1
META = {"unit_code": "D0101", "unit_name": "测试党支部", "unit_level": "党支部", "year": 2026}
ROSTER = [
    {"member_id": "M001", "name": "张三", "category": "教职工党员", "status": "正式党员"},
    {"member_id": "M002", "name": "李四", "category": "学生党员", "status": "正式党员"},
    {"member_id": "M003", "category": "学生党员", "status": "正式党员"},  # no name (C001)
]


def _book(path: Path, evaluation: list[dict]) -> Path:
    wb = build_template()
    fill_workbook(wb, META, {"roster": ROSTER, "evaluation": evaluation})
    save_deterministic(wb, path)
    return path


def _rows() -> list[dict]:
    return [{"member_id": "M001"}, {"member_id": "M002", "name": "王五"},  # typed over the formula
            {"member_id": "X999"}, {"member_id": "M003"}]


def test_template_fills_every_row_with_the_lookup():
    ws = build_template()[EVAL.name]
    assert ws.cell(row=1, column=NAME_COL).value == "姓名"
    first = ("=IF($A2=\"\",\"\",IFERROR(INDEX('党员名册'!$B:$B,"
             "MATCH($A2,'党员名册'!$A:$A,0))&\"\",\"\"))")
    for r in range(2, LOOKUP_ROWS + 2):
        assert ws.cell(row=r, column=NAME_COL).value == first.replace("$A2", f"$A{r}"), r
    assert ws.cell(row=LOOKUP_ROWS + 2, column=NAME_COL).value is None


def test_filled_rows_start_under_the_header_despite_the_formulas(tmp_path):
    ws = openpyxl.load_workbook(_book(tmp_path / "b.xlsx", _rows()))[EVAL.name]
    assert [ws.cell(row=r, column=1).value for r in range(2, 6)] == ["M001", "M002", "X999", "M003"]
    assert ws.cell(row=3, column=NAME_COL).value == "王五"
    assert ws.cell(row=2, column=NAME_COL).value.startswith("=IF(")


def test_uncalculated_formulas_read_as_blank_rows_and_names(tmp_path):
    """openpyxl stores no cached values: the formula rows are blank, not errors."""
    path = _book(tmp_path / "b.xlsx", _rows())
    table = read_book(path).tables[EVAL.key]
    assert list(table.data["member_id"]) == ["M001", "M002", "X999", "M003"]
    assert list(table.data["name"].isna()) == [True, False, True, True]
    report = validate_book(read_book(path))
    on_eval = [(f.rule, f.row, f.field) for f in report.findings if f.sheet == EVAL.name]
    assert ("R004", 3, "姓名") in on_eval
    assert {r for r, _, _ in on_eval} == {"R002", "R004"}, on_eval  # X999 unknown; 王五 ≠ 李四


@pytest.mark.libreoffice
def test_libreoffice_calculates_the_names_and_the_reader_accepts_them(tmp_path, libreoffice):
    (tmp_path / "src").mkdir()
    src = _book(tmp_path / "src" / "b.xlsx", _rows())
    recalculated = libreoffice.recalculate(src, tmp_path / "out")
    ws = openpyxl.load_workbook(recalculated, data_only=True)[EVAL.name]
    names = [ws.cell(row=r, column=NAME_COL).value for r in range(2, 8)]
    # found, typed, unknown ID, roster name blank, and two rows with no ID: blank
    assert [n or "" for n in names] == ["张三", "王五", "", "", "", ""]
    book = read_book(recalculated)
    table = book.tables[EVAL.key]
    assert list(table.data["member_id"]) == ["M001", "M002", "X999", "M003"]
    assert list(table.data["name"].fillna("")) == ["张三", "王五", "", ""]
    on_eval = [(f.rule, f.row) for f in validate_book(book).findings if f.sheet == EVAL.name]
    assert sorted(on_eval) == [("R002", 4), ("R004", 3)]
    other = read_book(recalculated, engine="openpyxl").tables[EVAL.key]  # cached values through openpyxl
    assert list(other.data["name"].fillna("")) == list(table.data["name"].fillna(""))


def test_r004_on_evaluation_names():
    roster = [{"member_id": "M1", "name": "张三", "category": "教职工党员", "status": "正式党员"}]
    rows = [{"member_id": "M1", "name": "张 三"}, {"member_id": "M1", "name": "李四"}, {"member_id": "M1"}]
    report = validate_book(memory_book(rows={"roster": roster, "evaluation": rows}))
    hits = [(f.row, f.column, f.value) for f in report.findings if f.rule == "R004"]
    assert hits == [(3, "B", "李四")]
