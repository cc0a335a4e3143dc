"""Cross-check of 指标汇总 against a real spreadsheet engine.

A small book is rolled up in Python and written with ``save_outputs``; into
a test copy of its 指标汇总 sheet goes a parallel column of native
COUNTIFS / SUMPRODUCT formulas for two metrics (联系次数 per quarter,
调研天数 per year, including a blank 调研天数 that counts the days between
the dates). LibreOffice recalculates; the cached values must equal Python's
实际值 row by row.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from dj_addin import schema
from dj_addin.context import RunContext
from dj_addin.plans.values import period_label
from dj_addin.rollup.periods import periods_for
from dj_addin.xlsx.reader import read_book
from dj_addin.rollup.table import rollup
from dj_addin.xlsx.save import save_outputs
from builders import make_book
from test_rollup import AS_OF, contact, member, quota, target

pytestmark = pytest.mark.libreoffice

CHECK_COL = 40  # a free column far to the right of the sheet's own tables


def sample_rows() -> dict:
    d = dt.date
    log = [contact("M1", "T1", d(2026, 1, 5)), contact("M1", "T1", d(2026, 3, 31)), contact("M1", "T2", d(2026, 4, 1)),
           contact("M2", "T2", d(2026, 6, 30)), contact("M2", "T2", d(2026, 7, 1)), contact("M2", "T1", d(2026, 12, 31)),
           contact("M1", "T1", d(2025, 12, 31)),  # outside 考核年度: counted by nobody
           contact("M3", "T3", d(2026, 11, 11))]
    research = [
        {"member_id": "M1", "start_date": d(2026, 3, 30), "end_date": d(2026, 4, 2), "days": None, "topic": "调研",
         "has_report": "否"},
        {"member_id": "M1", "start_date": d(2026, 9, 1), "end_date": d(2026, 9, 3), "days": 2.5, "topic": "调研",
         "has_report": "是", "report_title": "报告"},
        {"member_id": "M2", "start_date": d(2025, 12, 1), "end_date": d(2025, 12, 2), "days": 2, "topic": "调研",
         "has_report": "否"},
        {"member_id": "M3", "start_date": d(2026, 5, 1), "end_date": d(2026, 5, 1), "days": 1, "topic": "调研",
         "has_report": "否"},
    ]
    return {"roster": [member("M1"), member("M2"), member("M3", category="学生党员")],
            "targets": [target("T1", "M1"), target("T2", "M2"), target("T3", "M3")],
            "contact_log": log, "research": research}


def _date(d: dt.date) -> str:
    return f"DATE({d.year},{d.month},{d.day})"


def test_rollup_matches_native_formulas(tmp_path, libreoffice):
    quotas = [quota("Q01", "联系次数", "季度", 2, 3), quota("QD", "调研天数", "年度", 5, 1)]
    src = make_book(tmp_path / "book.xlsx", rows=sample_rows(), quotas=quotas)
    book = read_book(src)
    r = rollup(RunContext.build(book, AS_OF))
    out = tmp_path / "out.xlsx"
    save_outputs(src, out, rollup=r.to_table())

    log, research = book.tables["contact_log"], book.tables["research"]
    lq, rq = f"'{log.name}'!", f"'{research.name}'!"
    l_date, l_member = (f"{lq}${log.letter(k)}$2:${log.letter(k)}$1000" for k in ("date", "member_id"))
    r_cols = {k: f"{rq}${research.letter(k)}$2:${research.letter(k)}$1000"
              for k in ("member_id", "start_date", "end_date", "days")}
    periods = {period_label(p.label): p for p in periods_for("季度", r.year, AS_OF) + periods_for("年度", r.year, AS_OF)}

    wb = openpyxl.load_workbook(out)
    ws = wb[schema.ROLLUP.name]
    header_row = next(row for row in range(1, ws.max_row + 1)
                      if ws.cell(row, 1).value == schema.ROLLUP.column("member_id").header)
    col = {ws.cell(header_row, c).value: c for c in range(1, len(schema.ROLLUP.columns) + 1)}
    h = {k: col[schema.ROLLUP.column(k).header] for k in ("member_id", "quota_code", "period", "actual")}
    expected: dict[int, float] = {}
    row = header_row + 1
    while ws.cell(row, h["member_id"]).value:
        mid = f"$A{row}".replace("A", openpyxl.utils.get_column_letter(h["member_id"]))
        p = periods[str(ws.cell(row, h["period"]).value)]
        if ws.cell(row, h["quota_code"]).value == "Q01":
            formula = (f"=COUNTIFS({l_member},{mid},{l_date},\">=\"&{_date(p.start)},"
                       f"{l_date},\"<=\"&{_date(p.end)})")
        else:  # 调研天数: blank → days from 开始 to 结束 inclusive
            formula = (f"=SUMPRODUCT(({r_cols['member_id']}={mid})*({r_cols['start_date']}>={_date(p.start)})"
                       f"*({r_cols['start_date']}<={_date(p.end)})*({r_cols['days']}"
                       f"+({r_cols['days']}=\"\")*({r_cols['end_date']}-{r_cols['start_date']}+1)))")
        ws.cell(row, CHECK_COL, formula)
        expected[row] = ws.cell(row, h["actual"]).value
        row += 1
    assert len(expected) == len(r.rows) == 3 * 4 + 3
    check = tmp_path / "check.xlsx"
    wb.save(check)

    recalculated = libreoffice.recalculate(check, tmp_path / "lo")
    values = openpyxl.load_workbook(recalculated, data_only=True)[schema.ROLLUP.name]
    native = {row: values.cell(row, CHECK_COL).value for row in expected}
    assert native == pytest.approx(expected)
    # the figures themselves, so that a formula that is wrong in the same way cannot pass
    by_key = {(m, q, p): a for m, q, p, a in zip(r.rows["member_id"], r.rows["quota_code"], r.rows["period"],
                                                 r.rows["actual"])}
    assert [by_key[("M1", "Q01", f"2026Q{i}")] for i in range(1, 5)] == [2, 1, 0, 0]
    assert [by_key[("M2", "Q01", f"2026Q{i}")] for i in range(1, 5)] == [0, 1, 1, 1]
    assert (by_key[("M1", "QD", "2026")], by_key[("M2", "QD", "2026")], by_key[("M3", "QD", "2026")]) == (6.5, 0, 1)
