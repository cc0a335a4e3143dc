"""A clean workbook written "by another program" gives no 错误 at all:
a title row above the headers, shuffled and extra columns, dates as text in
every accepted form, synonyms, full-width and lower-case IDs, blank rows."""

from __future__ import annotations

import copy
import datetime as dt
import random

from builders import clean_rows, make_book
from dj_addin import schema
from dj_addin.validate import validate_path

AS_OF = dt.date(2026, 12, 31)
DATE_FORMS = (
    lambda d: d.isoformat(),  # 2026-03-05
    lambda d: f"{d.year}/{d.month}/{d.day}",  # 2026/3/5
    lambda d: f"{d.year}.{d.month}.{d.day}",  # 2026.3.5
    lambda d: f"{d.year}年{d.month}月{d.day}日",  # 2026年3月5日
    lambda d: d.strftime("%Y%m%d"),  # 20260305
    lambda d: (d - dt.date(1899, 12, 30)).days,  # an Excel serial number
    lambda d: dt.datetime(d.year, d.month, d.day),  # a real Excel date
)
FULL_WIDTH = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ")


def foreign_rows():
    rows = copy.deepcopy(clean_rows())
    log = rows["contact_log"]
    for i, row in enumerate(log):
        row["date"] = DATE_FORMS[i % len(DATE_FORMS)](row["date"])
        row["录入人"] = "系统管理员"  # an extra column
    log[0].update(closed_date="2026年2月20日", handling="已解决", method="微信")
    log[1].update(member_id=log[1]["member_id"].translate(FULL_WIDTH), target_id=" t001 ")
    log[2].update(member_id=log[2]["member_id"].lower(), method="电话", reported="√")
    for row in rows["roster"]:
        row["籍贯"] = "湖北"
    rows["roster"][1]["category"] = "学生"  # synonym of 学生党员
    return rows


def add_titles_and_blank_rows(wb):
    for name in (schema.ROSTER.name, schema.CONTACT_LOG.name):
        ws = wb[name]
        ws.insert_rows(1, 2)
        ws["A1"] = f"{name}（2026年度）"
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
        ws["A2"] = "导出时间：2026-12-31"
    wb[schema.CONTACT_LOG.name].insert_rows(6, 2)  # blank rows in the middle of the data


def shuffled(keys, extra, seed):
    keys = list(keys) + [extra]
    random.Random(seed).shuffle(keys)
    return keys


def test_foreign_workbook_has_no_errors(tmp_path):
    columns = {"contact_log": shuffled(schema.CONTACT_LOG.keys, "录入人", 3),
               "roster": shuffled(schema.ROSTER.keys, "籍贯", 5)}
    path = make_book(tmp_path / "导出.xlsx", rows=foreign_rows(), columns=columns, edit=add_titles_and_blank_rows)
    book, report = validate_path(path, AS_OF)
    assert not report.has_errors, [f.message for f in report.findings if f.level == "错误"]
    # only the extra columns are mentioned, as 提示
    assert {(f.rule, f.level, f.field) for f in report.findings} == {("S004", "提示", "录入人"), ("S004", "提示", "籍贯")}
    log = book.frame("contact_log")
    assert len(log) == len(clean_rows()["contact_log"])  # blank rows skipped, titles ignored
    assert list(log.index[:2]) == [4, 5]  # Excel row numbers as the user sees them
    assert set(log["member_id"]) == {"M001", "M002"} and set(log["target_id"]) == {"T001", "T002"}
    expected = [r["date"] for r in clean_rows()["contact_log"]]
    assert [d.date() for d in log["date"]] == expected
