"""Value parsing: every accepted form of a date, an ID, a 是/否 and a list value."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from dj_addin import normalize as nz
from dj_addin import schema

dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31))


def forms(d: dt.date) -> list[object]:
    """Every way workbook.md says a user or a program may write the date."""
    return [
        d,
        dt.datetime(d.year, d.month, d.day),
        dt.datetime(d.year, d.month, d.day, 14, 30),
        (d - nz.EXCEL_EPOCH).days,  # an Excel serial number
        float((d - nz.EXCEL_EPOCH).days),
        f"{d:%Y-%m-%d}",
        f"{d.year}-{d.month}-{d.day}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        f" {d.year} 年 {d.month} 月 {d.day} 日 ",
        f"{d:%Y%m%d}",
        int(f"{d:%Y%m%d}"),
        nz.fold_width(f"{d:%Y-%m-%d}").translate({i - 0xFEE0: i for i in range(0xFF10, 0xFF1A)}),  # full-width
        f"{d:%Y-%m-%d} 00:00:00",
    ]


@given(dates)
def test_every_accepted_date_form_parses_to_the_same_date(d: dt.date) -> None:
    for form in forms(d):
        assert nz.parse_date(form) == d, form


@pytest.mark.parametrize("text", ["2026-13-05", "2026年2月30日", "2026/02/30", "明天", "3月5日", "26-3-5",
                                  "1026-03-05", "20261305", True])
def test_impossible_dates_are_invalid(text: object) -> None:
    assert nz.parse_date(text) is nz.INVALID


@pytest.mark.parametrize("blank", [None, "", "   ", float("nan")])
def test_blanks_are_none_everywhere(blank: object) -> None:
    for parse in (nz.parse_date, nz.parse_id, nz.parse_text, nz.parse_number, nz.parse_bool, nz.parse_ids):
        assert parse(blank) is None


def test_ids_fold_width_case_and_numbers() -> None:
    assert nz.parse_id("２０２３００１") == "2023001"
    assert nz.parse_id(" s2024 002 ") == "S2024002"
    assert nz.parse_id(2023001.0) == "2023001"
    assert nz.parse_id("000123") == "000123"
    assert nz.parse_ids("2023001、２０２３００２, s3；S3 2023004") == ("2023001", "2023002", "S3", "2023004")


@pytest.mark.parametrize("value, expected", [
    ("是", True), ("Y", True), ("yes", True), (1, True), (1.0, True), ("√", True), ("TRUE", True), (True, True),
    ("否", False), ("n", False), (0, False), ("×", False), ("false", False), ("ｎ", False),
])
def test_bool_variants(value: object, expected: bool) -> None:
    assert nz.parse_bool(value) is expected


def test_bool_nonsense_is_invalid() -> None:
    assert nz.parse_bool("也许") is nz.INVALID
    assert nz.parse_bool(2) is nz.INVALID


def test_enum_synonyms_and_width() -> None:
    col = schema.CONTACT_LOG.column("method")
    syn = schema.synonyms_for(col)
    assert nz.parse_enum("微信", col.choices, syn) == "电话/网络"
    assert nz.parse_enum("电话／网络", col.choices, syn) == "电话/网络"
    assert nz.parse_enum(" 走访 ", col.choices, syn) == "走访"
    assert nz.parse_enum("飞鸽传书", col.choices, syn) is nz.INVALID
    handling = schema.CONTACT_LOG.column("handling")
    assert nz.parse_enum("已解决", handling.choices, schema.synonyms_for(handling)) == "已办结"


def test_closest_choice_suggests_a_list_value() -> None:
    assert nz.closest_choice("谈心", schema.CONTACT_METHODS) == "谈心谈话"
    assert nz.closest_choice("教职工", schema.MEMBER_CATEGORIES) == "教职工党员"


def test_numbers() -> None:
    assert nz.parse_number("１２") == 12.0
    assert nz.parse_number("3.5") == 3.5
    assert nz.parse_int("3.5") is nz.INVALID
    assert nz.parse_int(7.0) == 7.0
    assert nz.parse_number("很多") is nz.INVALID


def test_headers_fold_spaces_breaks_and_width() -> None:
    assert nz.fold_header(" 联系\n日期 ") == "联系日期"
    assert nz.fold_header("学号／工号") == "学号/工号"


def test_schema_aliases_cover_workbook_md() -> None:
    index = schema.header_index(schema.ROSTER)
    for alias, key in [("学号/工号", "member_id"), ("工号", "member_id"), ("入党时间", "join_date"),
                       ("电话号码", "phone"), ("党籍状态", "status"), ("支部编码", "branch_code")]:
        assert index[nz.fold_header(alias)] == key
    log = schema.header_index(schema.CONTACT_LOG)
    for alias, key in [("联系形式", "method"), ("主要内容", "content"), ("群众意见", "request"),
                       ("办理结果", "handling"), ("日期", "date")]:
        assert log[nz.fold_header(alias)] == key


def test_long_numbers_in_id_cells_are_not_silently_mangled() -> None:
    # an 18-digit ID card number typed into a number cell has lost digits already
    assert nz.parse_id(110101199001011234.0) is nz.INVALID
    assert nz.parse_id(123456789012345.0) == "123456789012345"
    assert nz.parse_id("110101199001011234") == "110101199001011234"  # stored as text: safe


def test_numbers_typed_with_a_unit() -> None:
    assert nz.parse_int("2026年") == 2026
    assert nz.parse_int("3 次") == 3
    assert nz.parse_number("20天") == 20
    assert nz.parse_number("三次") is nz.INVALID


@pytest.mark.parametrize("serial", [132321, 132321.0, "132321", 2958465.0])
def test_serials_past_the_last_allowed_year_are_invalid(serial: object) -> None:
    """132321 is 2262-04-12: a typo, and past what a datetime64[ns] column holds (the reader crashed on it)."""
    assert nz.parse_date(serial) is nz.INVALID
    last = (dt.date(nz.MAX_YEAR, 12, 31) - nz.EXCEL_EPOCH).days
    assert nz.parse_date(last) == dt.date(nz.MAX_YEAR, 12, 31)
    assert nz.parse_date(last + 1) is nz.INVALID
