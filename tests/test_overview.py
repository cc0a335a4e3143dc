"""概览: the native formulas, recalculated by LibreOffice, give the numbers
overview.compute_overview gets in Python; and LibreOffice round trips the
template without changing what the reader sees."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dj_addin.template import overview
from dj_addin import schema
from dj_addin.xlsx.reader import read_book
from dj_addin.template.build import save_deterministic, write_template
from dj_addin.template.fill import fill_workbook

pytestmark = pytest.mark.libreoffice

TODAY = dt.date.today()
YEAR = TODAY.year
QUARTER = (TODAY.month - 1) // 3 + 1


def _mid_quarter(q: int) -> dt.date:
    return dt.date(YEAR, 3 * q - 1, 15)


def _other_quarter() -> int:
    return 1 if QUARTER != 1 else 2


def _log(day, member: str, **kw) -> dict:
    return {"date": day, "member_id": member, "target_id": "T01", "method": "走访", "content": "了解近况和困难", **kw}


def _sample_rows() -> dict[str, list[dict]]:
    roster = [{"member_id": f"M{i:02d}", "name": f"党员{i}", "category": "教职工党员", "status": "正式党员"}
              for i in range(1, 9)]
    log = [_log(_mid_quarter(q), "M01") for q in (1, 2, 3, 4)]  # one contact in every quarter
    log += [
        _log(TODAY, "m02", request="宿舍热水", handling="办理中"),  # this quarter; ID in another case
        _log(TODAY.replace(day=1), "M03", request="食堂", handling="办理中"),
        _log(_mid_quarter(_other_quarter()), "M04", request="图书馆", handling="处理中"),  # synonym: not counted
        _log(dt.date(YEAR - 1, 12, 31), "M05"),  # last year
        _log(dt.date(YEAR + 1, 1, 1), "M06"),  # next year
        _log(f"{YEAR}/{TODAY.month}/1", "M07"),  # a text date: invisible to COUNTIFS
    ]
    return {
        "roster": roster,
        "targets": [{"target_id": f"T{i:02d}", "name": f"群众{i}", "target_type": "学生", "member_id": "M01"}
                    for i in range(1, 4)],
        "contact_log": log,
        "forums": [{"date": _mid_quarter(2), "topic": "征求意见", "reason": "其他"},
                   {"date": dt.date(YEAR - 1, 6, 1), "topic": "去年", "reason": "其他"}],
        "activities": [{"date": _mid_quarter(3), "name": "义务辅导", "brand": "爱心助成才", "member_ids": ("M01",)}],
    }


def _other_year_rows(year: int) -> dict[str, list[dict]]:
    """A workbook of 考核年度 ``year`` other than this one (last year or next)."""
    roster = [{"member_id": f"M{i:02d}", "name": f"党员{i}", "category": "学生党员", "status": "正式党员"}
              for i in range(1, 7)]
    log = [
        _log(dt.date(year, 1, 10), "M01"),  # Q1
        _log(dt.date(year, 11, 15), "M02"),  # Q4
        _log(dt.date(year, 12, 31), "m03"),  # the last day of Q4; ID in another case
        _log(dt.date(year, 5, 20), "M04"),  # Q2
        _log(f"{year}年12月1日", "M05"),  # a text date: invisible to COUNTIFS
        _log(TODAY, "M06"),  # this year, not 考核年度
    ]
    return {"roster": roster, "contact_log": log}


def _fill(root: Path, blank: Path, name: str, year: int, rows: dict[str, list[dict]]) -> Path:
    wb = openpyxl.load_workbook(blank)
    fill_workbook(wb, {"unit_code": "D0101", "unit_name": "测试党支部", "unit_level": "党支部", "year": year}, rows)
    path = root / f"{name}.xlsx"
    save_deterministic(wb, path)
    return path


@pytest.fixture(scope="module")
def sheets(tmp_path_factory) -> dict[str, Path]:
    """The blank template and filled copies (考核年度 this year, last year, next year), each as
    written and as saved by LibreOffice (``<name>_lo``)."""
    from libreoffice import recalculate_all

    root = tmp_path_factory.mktemp("overview")
    out = {"blank": write_template(root / "blank.xlsx")}
    out["filled"] = _fill(root, out["blank"], "filled", YEAR, _sample_rows())
    out["last_year"] = _fill(root, out["blank"], "last_year", YEAR - 1, _other_year_rows(YEAR - 1))
    out["next_year"] = _fill(root, out["blank"], "next_year", YEAR + 1, _other_year_rows(YEAR + 1))
    names = list(out)
    recalculated = recalculate_all([out[n] for n in names], root / "lo")
    out.update({f"{n}_lo": path for n, path in zip(names, recalculated)})
    return out


def _overview_sheet(path: Path):
    return openpyxl.load_workbook(path, data_only=True)[schema.OVERVIEW.name]


def _cached_figures(path: Path) -> dict[str, object]:
    ws = _overview_sheet(path)
    return {key: ws[cell].value for key, cell in overview.figure_cells().items()}


def _quarter_shown(path: Path) -> object:
    return _overview_sheet(path)[f"{overview.VALUE_COL}{overview.QUARTER_ROW}"].value


def test_overview_formulas_match_python(sheets):
    got = _cached_figures(sheets["filled_lo"])
    expected = overview.compute_overview(read_book(sheets["filled"]), TODAY)
    assert got == expected
    # and the numbers are the ones the sample was built to give
    q_counts = {q: 1 for q in (1, 2, 3, 4)}
    q_counts[QUARTER] += 2  # M02, M03
    q_counts[_other_quarter()] += 1  # M04
    assert got["members"] == 8 and got["targets"] == 3
    assert [got[f"contacts_q{q}"] for q in (1, 2, 3, 4)] == [q_counts[q] for q in (1, 2, 3, 4)]
    assert got["contacts_year"] == 7
    assert got["open_requests"] == 2
    assert got["forums"] == 1 and got["activities"] == 1
    assert got["silent_members"] == 5  # all but M01, M02, M03
    assert _quarter_shown(sheets["filled_lo"]) == overview.quarter_label(YEAR, TODAY) == \
        f"{YEAR}年第{'一二三四'[QUARTER - 1]}季度"


def test_overview_of_last_year_uses_its_fourth_quarter(sheets):
    """A workbook of last year: every figure follows 考核年度, "this quarter" is its Q4."""
    got = _cached_figures(sheets["last_year_lo"])
    assert got == overview.compute_overview(read_book(sheets["last_year"]), TODAY)
    assert got["members"] == 6
    assert got["contacts_year"] == 4  # M01–M04; M05 is a text date, M06 is this year
    assert [got[f"contacts_q{q}"] for q in (1, 2, 3, 4)] == [1, 1, 0, 2]
    assert got["silent_members"] == 4  # all but M02 and M03 (contacted in last year's Q4)
    assert _quarter_shown(sheets["last_year_lo"]) == f"{YEAR - 1}年第四季度"


def test_overview_of_next_year_uses_its_first_quarter(sheets):
    got = _cached_figures(sheets["next_year_lo"])
    assert got == overview.compute_overview(read_book(sheets["next_year"]), TODAY)
    assert got["silent_members"] == 5  # all but M01 (contacted in next year's Q1)
    assert _quarter_shown(sheets["next_year_lo"]) == f"{YEAR + 1}年第一季度"


@pytest.mark.parametrize(("year", "today", "quarter"), [
    (2026, dt.date(2026, 1, 1), 1), (2026, dt.date(2026, 5, 31), 2), (2026, dt.date(2026, 12, 31), 4),
    (2025, dt.date(2026, 2, 1), 4), (2027, dt.date(2026, 11, 30), 1),
])
def test_count_quarter_clamps_today_into_the_year(year, today, quarter):
    assert overview.count_quarter(year, today) == quarter


def test_overview_says_what_it_does_not_count(sheets):
    ws = openpyxl.load_workbook(sheets["blank"])[schema.OVERVIEW.name]
    note = ws[f"A{overview.COUNTING_NOTE_ROW}"].value
    assert note == overview.COUNTING_NOTE
    assert overview.COUNTING_NOTE_ROW > overview.FIRST_ROW + len(overview.FIGURES) - 1  # under the figures
    for words in ("2026年2月24日", "20260401", "处理中", "全角", "校验全部", "指标汇总", "考评结果"):
        assert words in note, words
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if "dj " in t]  # no command line on 概览, which secretaries read
    assert f"A{overview.COUNTING_NOTE_ROW}:C{overview.COUNTING_NOTE_ROW}" in \
        {str(r) for r in ws.merged_cells.ranges}


def test_blank_template_overview_calculates(sheets):
    got = _cached_figures(sheets["blank_lo"])
    assert got["members"] == 0 and got["open_requests"] == 0
    assert got["contacts_year"] == overview.NO_YEAR_TEXT  # no 考核年度 yet: a hint, not an error
    assert got["silent_members"] == overview.NO_YEAR_TEXT
    assert _quarter_shown(sheets["blank_lo"]) == overview.NO_YEAR_TEXT
    ws = openpyxl.load_workbook(sheets["blank_lo"], data_only=True)[schema.OVERVIEW.name]
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [v for v in values if v.startswith(("#", "Err:"))]
    assert ws[f"B{overview.YEAR_ROW}"].value == overview.NO_YEAR_LINE  # one clear line says what to do
    assert values.count(overview.NO_YEAR_LINE) == 1
    computed = overview.compute_overview(read_book(sheets["blank"]), TODAY)
    assert computed["contacts_year"] is None and computed["silent_members"] is None


def _same_tables(a: Path, b: Path) -> None:
    book_a, book_b = read_book(a), read_book(b)
    for sheet in schema.DATA_SHEETS:
        ta, tb = book_a.tables[sheet.key], book_b.tables[sheet.key]
        assert tb.found and not tb.missing_columns, sheet.name
        pd.testing.assert_frame_equal(ta.data, tb.data, check_dtype=False, obj=sheet.name)
        assert (tb.bad.to_numpy() == ta.bad.to_numpy()).all(), sheet.name
    for key in ("meta", "scoring_rules"):
        assert {k: i.value for k, i in book_a.kv[key].items.items()} == \
               {k: i.value for k, i in book_b.kv[key].items.items()}, key


def test_libreoffice_round_trip_reads_the_same(sheets):
    _same_tables(sheets["blank"], sheets["blank_lo"])
    _same_tables(sheets["filled"], sheets["filled_lo"])


def test_libreoffice_keeps_drop_downs(sheets):
    wb = openpyxl.load_workbook(sheets["blank_lo"])
    ws = wb[schema.CONTACT_LOG.name]
    letter = overview.column_of(schema.CONTACT_LOG, "method")
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list" and f"{letter}2" in dv.sqref]
    assert lists and all(choice in lists[0].formula1 for choice in schema.CONTACT_METHODS)
