"""fill_workbook: values typed the way a user would, read back by the reader."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from dj_addin import schema
from dj_addin.xlsx.reader import read_book
from dj_addin.template.build import build_template, save_deterministic
from dj_addin.template.fill import append_rows, fill_workbook, replace_rows

META = {"unit_code": "D0101", "unit_name": "测试党支部", "unit_level": "党支部", "year": 2026,
        "report_date": dt.date(2026, 12, 20)}


def _save_and_read(wb, tmp_path):
    path = tmp_path / "book.xlsx"
    save_deterministic(wb, path)
    return path, read_book(path)


def test_meta_and_rows_read_back(tmp_path):
    wb = build_template()
    fill_workbook(wb, META, {
        "roster": [{"member_id": "000123", "name": "张三", "category": "学生党员", "status": "正式党员",
                    "join_date": dt.date(2020, 6, 1)}],
        "contact_log": [{"date": dt.date(2026, 3, 5), "member_id": "000123", "target_id": "T1", "method": "走访",
                         "content": "了解学习情况", "reported": True},
                        {"date": dt.date(2026, 3, 6), "member_id": "000123", "target_id": "T1", "method": "走访",
                         "content": "了解学习情况", "reported": False}],
        "activities": [{"date": dt.date(2026, 4, 1), "name": "义诊", "brand": "其他",
                        "member_ids": ("000123", "M2"), "beneficiaries": 30}],
    })
    path, book = _save_and_read(wb, tmp_path)
    assert book.unit_code == "D0101" and book.year == 2026
    assert book.meta.get("report_date") == dt.date(2026, 12, 20)
    assert book.meta.get("template_version") == schema.TEMPLATE_VERSION  # untouched
    roster = book.tables["roster"].data
    assert list(roster.index) == [2] and roster.loc[2, "member_id"] == "000123"
    log = book.tables["contact_log"]
    assert log.data["reported"].tolist() == [True, False]
    assert log.raw["reported"].tolist() == ["是", "否"]
    acts = book.tables["activities"]
    assert acts.raw.loc[2, "member_ids"] == "000123、M2"
    assert acts.data.loc[2, "member_ids"] == ("000123", "M2")

    ws = openpyxl.load_workbook(path)[schema.CONTACT_LOG.name]
    assert ws["A2"].number_format == "yyyy-mm-dd"


def test_appends_below_existing_rows_and_keeps_quotas(tmp_path):
    wb = build_template()
    extra = ("Q99", "额外指标", "全体党员", "联系次数", "年度", 1, 1)
    append_rows(wb, "quotas", [dict(zip(schema.QUOTAS.keys, extra))])
    append_rows(wb, "roster", [{"member_id": "M1", "name": "甲", "category": "学生党员", "status": "正式党员"}])
    append_rows(wb, "roster", [{"member_id": "M2", "name": "乙", "category": "学生党员", "status": "预备党员"}])
    _, book = _save_and_read(wb, tmp_path)
    quotas = book.tables["quotas"].data
    assert len(quotas) == len(schema.DEFAULT_QUOTAS) + 1 and quotas.iloc[-1]["code"] == "Q99"
    assert book.tables["roster"].data["member_id"].tolist() == ["M1", "M2"]


def test_replace_rows_overwrites_defaults(tmp_path):
    wb = build_template()
    replace_rows(wb, "quotas", [{"code": "Q01", "name": "联系", "applies_to": "全体党员", "metric": "联系次数",
                                 "period": "季度", "target": 5, "weight": 1}])
    _, book = _save_and_read(wb, tmp_path)
    quotas = book.tables["quotas"].data
    assert quotas["code"].tolist() == ["Q01"] and quotas["target"].tolist() == [5.0]


def test_extra_column_and_reordered_sheet(tmp_path):
    wb = build_template()
    ws = wb[schema.ROSTER.name]
    ws["A1"], ws["B1"] = ws["B1"].value, ws["A1"].value  # 姓名 first, 党员编号 second
    append_rows(wb, "roster", [{"member_id": "M1", "name": "甲", "category": "学生党员", "status": "正式党员",
                                "宿舍": "3-201"}])
    path, book = _save_and_read(wb, tmp_path)
    roster = book.tables["roster"]
    assert roster.data.loc[2, "member_id"] == "M1" and roster.data.loc[2, "name"] == "甲"
    assert roster.data.loc[2, "宿舍"] == "3-201"


def test_unknown_meta_item_or_sheet_is_an_error():
    wb = build_template()
    with pytest.raises(KeyError):
        fill_workbook(wb, {"no_such_item": 1}, {})
    with pytest.raises(KeyError):
        append_rows(wb, "no_such_sheet", [])


def test_three_thousand_rows_land_in_order():
    """A branch's year of contacts (3,000 rows) fills 联系记载 in order; its speed is measured in bench/."""
    wb = build_template()
    rows = [{"date": dt.date(2026, 1 + i % 12, 1 + i % 28), "member_id": f"M{i % 40:03d}",
             "target_id": f"T{i % 90:03d}", "method": "谈心谈话", "content": "了解思想动态", "reported": i % 2 == 0}
            for i in range(3000)]
    fill_workbook(wb, META, {"contact_log": rows})
    ws = wb[schema.CONTACT_LOG.name]
    assert ws.max_row == 3001
    member_col = schema.CONTACT_LOG.keys.index("member_id") + 1
    assert [ws.cell(row=r, column=member_col).value for r in (2, 3, 3001)] == ["M000", "M001", f"M{2999 % 40:03d}"]


def _last_row_by_ws_getitem(ws, header_row):
    """The scan as it was before the width was taken once (``ws[r]`` per row): the reference."""
    from dj_addin.template.fill import _typed

    for r in range(ws.max_row, header_row, -1):
        if any(_typed(c.value) for c in ws[r]):
            return r
    return header_row


def test_last_row_skips_formulas_and_styles_and_visits_the_same_cells_as_before():
    import copy

    from dj_addin.template.fill import _last_row

    wb = build_template()
    fill_workbook(wb, META, {"evaluation": [{"member_id": "M1"}, {"member_id": "M2"}]})
    ws = wb[schema.EVALUATION.name]
    ws.cell(row=3, column=ws.max_column + 2, value="右边的备注")  # a typed value beyond the headers
    ws.cell(row=9, column=1).number_format = "yyyy-mm-dd"  # a styled, empty cell further down
    reference = copy.deepcopy(ws)
    assert _last_row(ws, 1) == _last_row_by_ws_getitem(reference, 1) == 3
    assert set(ws._cells) == set(reference._cells)  # the same cells exist, so the same file is written
    append_rows(wb, "evaluation", [{"member_id": "M3"}])
    assert ws.cell(row=4, column=1).value == "M3"
