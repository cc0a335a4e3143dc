"""The reader on layouts that real exports use (workbook.md, 'Three refinements,
learned from real exports'): every workbook here is invented data in the shape
that went wrong before (issue 9)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dj_addin import schema
from dj_addin.normalize import parse_enum
from dj_addin.validate import validate_book
from dj_addin.xlsx.headers import match_columns
from dj_addin.xlsx.reader import read_book
from exports import BRANCH_CODE, BRANCH_NAME, applicants_list, national_roster

def book_with(path: Path, sheet: str, rows: list[list], meta: dict | None = None, units: list[list] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = schema.META.name
    ws.append(["项目", "内容"])
    for k, v in (meta or {"单位编码": BRANCH_CODE, "单位名称": BRANCH_NAME, "考核年度": 2026}).items():
        ws.append([k, v])
    if units:
        us = wb.create_sheet(schema.UNITS.name)
        us.append(schema.UNITS.headers)
        for u in units:
            us.append(u)
    ws = wb.create_sheet(sheet)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def findings(path: Path, rule: str | None = None, sheet: str = schema.ROSTER.name):
    report = validate_book(read_book(path), None, file=path.name)
    return [f for f in report.findings if f.sheet == sheet and (rule is None or f.rule == rule)]


def test_values_decide_that_people_category_is_the_status(tmp_path: Path) -> None:
    path = book_with(tmp_path / "a.xlsx", "党员名册", [
        ["党员编号", "姓名", "人员类别", "党员类别"],
        ["1", "甲", "正式党员", "学生党员"], ["2", "乙", "预备党员", "学生党员"]])
    roster = read_book(path).table("roster")
    assert roster.data["status"].tolist() == ["正式党员", "预备党员"]
    assert roster.letter("status") == "C" and roster.letter("category") == "D"
    assert not [f for f in findings(path) if f.rule in ("C005", "S003")]


def test_values_decide_that_people_category_is_the_category(tmp_path: Path) -> None:
    path = book_with(tmp_path / "a.xlsx", "党员名册", [
        ["党员编号", "姓名", "人员类别", "党员身份"], ["1", "甲", "学生党员", "正式党员"],
        ["2", "乙", "教职工党员", "预备党员"]])
    roster = read_book(path).table("roster")
    assert roster.data["category"].tolist() == ["学生党员", "教职工党员"]


def test_an_alias_column_fitting_no_list_stays_extra_with_a_hint(tmp_path: Path) -> None:
    path = book_with(tmp_path / "a.xlsx", "党员名册", [
        ["党员编号", "姓名", "党员类别", "党员身份", "党籍状态"], ["1", "甲", "学生党员", "正式党员", "正常"],
        ["2", "乙", "学生党员", "正式党员", "正常"]])
    roster = read_book(path).table("roster")
    assert roster.data["党籍状态"].tolist() == ["正常", "正常"]
    hints = [f for f in findings(path, "S004") if f.field == "党籍状态"]
    assert len(hints) == 1 and hints[0].level == "提示"
    assert "党员身份" in hints[0].message and "正常" in hints[0].message
    assert "不是模板中的列" not in hints[0].message


def test_an_enum_alias_alone_with_foreign_values_is_not_mapped(tmp_path: Path) -> None:
    path = book_with(tmp_path / "a.xlsx", "党员名册", [
        ["党员编号", "姓名", "党员类别", "人员类别"], ["1", "甲", "学生党员", "在职"], ["2", "乙", "学生党员", "在职"]])
    fs = findings(path)
    assert not [f for f in fs if f.rule == "C005"]  # no C005 per member for a column that is not ours
    assert [f for f in fs if f.rule == "S003" and "党员身份" in f.message]  # and the real gap is named


def test_an_empty_column_under_its_own_name_does_not_hide_a_filled_alias(tmp_path: Path) -> None:
    path = book_with(tmp_path / "a.xlsx", "党员名册", [
        ["党员编号", "姓名", "党员类别", "党员身份", "联系电话", "手机号码"],
        ["1", "甲", "学生党员", "正式党员", None, "13900001111"],
        ["2", "乙", "学生党员", "正式党员", None, "13900002222"]])
    roster = read_book(path).table("roster")
    assert roster.data["phone"].tolist() == ["13900001111", "13900002222"]
    assert roster.letter("phone") == "F"
    fs = findings(path)
    assert not [f for f in fs if f.rule == "S005"]
    hint = [f for f in fs if f.rule == "S004" and f.field == "联系电话"]
    assert hint and "手机号码" in hint[0].message and "空" in hint[0].message


def test_a_filled_own_column_wins_and_the_alias_is_named_as_an_alias(tmp_path: Path) -> None:
    path = book_with(tmp_path / "a.xlsx", "党员名册", [
        ["党员编号", "姓名", "党员类别", "党员身份", "联系电话", "手机号码"],
        ["1", "甲", "学生党员", "正式党员", "010-1234567", "13900001111"]])
    roster = read_book(path).table("roster")
    assert roster.data["phone"].tolist() == ["010-1234567"]
    hint = [f for f in findings(path, "S004") if f.field == "手机号码"]
    assert hint and "别名" in hint[0].message and "不是模板中的列" not in hint[0].message


def test_headers_with_a_trailing_bracketed_note_match_by_the_part_before(tmp_path: Path) -> None:
    path = national_roster(tmp_path / "国家系统导出.xlsx", schema.ROSTER.name)
    roster = read_book(path).table("roster")
    assert roster.headers_found["join_date"] == "确定为预备党员时间（支部大会）"
    assert roster.headers_found["note"] == "备注（包括未及时转正原因，其他）"
    assert str(roster.data["join_date"].iloc[0].date()) == "2022-05-20"
    assert roster.data["note"].tolist()[1] == "延长预备期"


def test_a_national_roster_reads_header_status_phones_and_branch_names(tmp_path: Path) -> None:
    path = national_roster(tmp_path / "国家系统导出.xlsx", schema.ROSTER.name)
    book = read_book(path)
    roster = book.table("roster")
    assert roster.header_row == 2
    assert roster.data["status"].tolist() == ["正式党员", "预备党员", "正式党员", "预备党员"]
    assert roster.data["phone"].tolist()[0] == "13900001111"
    assert roster.data["member_id"].tolist()[:2] == ["2023101", "S2024102"]
    assert "公民身份号码" in roster.extra_columns  # an ID-card number is never our ID


def test_branch_names_are_translated_to_codes_and_unknown_names_get_c005(tmp_path: Path) -> None:
    path = book_with(tmp_path / "a.xlsx", "党员名册", [
        ["党员编号", "姓名", "党员类别", "党员身份", "所在党支部"],
        ["1", "甲", "学生党员", "正式党员", BRANCH_NAME],
        ["2", "乙", "学生党员", "正式党员", "计算机第二 党支部"],
        ["3", "丙", "学生党员", "正式党员", "不存在的支部"],
        ["4", "丁", "学生党员", "正式党员", "D0102"]],
        meta={"单位编码": "D01", "单位名称": "软件学院党委", "考核年度": 2026},
        units=[[BRANCH_CODE, BRANCH_NAME, "党支部"], ["D0102", "计算机第二党支部", "党支部"]])
    roster = read_book(path).table("roster")
    assert roster.data["branch_code"].tolist() == [BRANCH_CODE, "D0102", "不存在的支部", "D0102"]
    c005 = findings(path, "C005")
    assert [f.row for f in c005] == [4]
    assert BRANCH_NAME in c005[0].suggestion and "D0102" in c005[0].suggestion


def test_a_single_known_header_counts_when_no_row_has_more(tmp_path: Path) -> None:
    path = book_with(tmp_path / "a.xlsx", "联系对象", [
        ["2026年入党申请人名单"], ["序号", "支部", "姓名", "出生年月"], [1, "一支部", "周一鸣", "2006.05"],
        [2, "一支部", "吴晓燕", "2006.11"]])
    targets = read_book(path).table("targets")
    assert targets.header_row == 2
    assert targets.data["name"].tolist() == ["周一鸣", "吴晓燕"]
    s003 = [f for f in findings(path, "S003", sheet="联系对象")]
    assert s003 and all("第2行" in f.message for f in s003) and not any("姓名" in f.message for f in s003)


def test_header_ties_go_to_the_upper_row(tmp_path: Path) -> None:
    path = book_with(tmp_path / "a.xlsx", "联系对象", [["姓名"], ["姓名"], ["周一鸣"]])
    assert read_book(path).table("targets").header_row == 1


def test_applicants_list_finds_its_header_below_a_merged_title(tmp_path: Path) -> None:
    path = applicants_list(tmp_path / "申请人.xlsx", schema.TARGETS.name)
    targets = read_book(path).table("targets")
    assert targets.header_row == 2 and len(targets) == 2
    assert targets.data["phone"].tolist() == ["13700001111", "13700002222"]  # 联系方式 holding numbers


def test_contact_method_alias_on_the_roster_is_a_phone_only_when_it_holds_numbers(tmp_path: Path) -> None:
    path = book_with(tmp_path / "a.xlsx", "联系对象", [
        ["对象编号", "姓名", "联系方式"], ["T1", "甲", "微信"], ["T2", "乙", "当面"]])
    targets = read_book(path).table("targets")
    assert "phone" not in targets.columns and "联系方式" in targets.extra_columns


@pytest.mark.parametrize("term", ["民革党员", "民盟盟员", "民建会员", "民进会员", "农工党党员", "致公党党员",
                                  "九三学社社员", "台盟盟员"])
def test_democratic_party_member_terms_are_民主党派(term: str) -> None:
    col = schema.TARGETS.column("political")
    assert parse_enum(term, col.choices, schema.synonyms_for(col)) == "民主党派"


@pytest.mark.parametrize("value, expected", [("中共预备党员", "中共党员"), ("中共正式党员", "中共党员"),
                                             ("团员", "共青团员"), ("无党派", "无党派人士")])
def test_political_status_synonyms(value: str, expected: str) -> None:
    col = schema.TARGETS.column("political")
    assert parse_enum(value, col.choices, schema.synonyms_for(col)) == expected


@pytest.mark.parametrize("value, expected", [("正式", "正式党员"), ("预备", "预备党员")])
def test_member_status_synonyms(value: str, expected: str) -> None:
    col = schema.ROSTER.column("status")
    assert parse_enum(value, col.choices, schema.synonyms_for(col)) == expected


def test_new_aliases_are_in_the_schema() -> None:
    aliases = {a for c in schema.ROSTER.columns for a in c.aliases}
    for alias in ("所在党支部", "党支部", "党支部名称", "所属党支部", "确定为预备党员时间", "确定为预备党员日期",
                  "人员类别"):
        assert alias in aliases, alias
    assert "人员类别" in schema.ROSTER.column("status").aliases
    assert "人员类别" in schema.ROSTER.column("category").aliases


def test_an_id_with_a_trailing_space_is_quoted_trimmed_everywhere(tmp_path: Path) -> None:
    path = book_with(tmp_path / "a.xlsx", "党员名册", [
        ["党员编号", "姓名", "党员类别", "党员身份"], ["2023001 ", "甲", "学生党员", "正式党员"],
        ["2023001", "乙", "学生党员", "正式党员"], ["ｓ2023002 ", "丙", "学生", "其他"]])
    fs = findings(path)
    quoted = [f for f in fs if "2023001" in f.value or "2023001" in f.message or "S2023002" in f.message
              or "S2023002" in f.value or "ｓ2023002" in f.value]
    assert quoted
    for f in quoted:
        assert "2023001 " not in f.value and "2023001 " not in f.message
        assert "ｓ2023002" not in f.value and "S2023002 " not in f.message


_HEADS = (schema.ROSTER.headers + [a for c in schema.ROSTER.columns for a in c.aliases]
          + ["序号", "籍贯", "公民身份号码", "备注（其他）", "人员类别", ""])
_VALUES = st.sampled_from([None, "", "正式党员", "学生党员", "正常", "13900001111", "微信", "2023001", "甲"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_HEADS), min_size=1, max_size=12),
       st.lists(st.lists(_VALUES, min_size=12, max_size=12), max_size=4))
def test_every_header_cell_is_read_once_as_a_column_an_extra_or_a_duplicate(header, body) -> None:
    hm = match_columns(schema.ROSTER, header, body)
    used = list(hm.matched.values()) + [c for cs in hm.dupes.values() for c in cs[1:]]
    assert len(used) == len(set(used))  # no column serves two keys
    assert all(hm.dupes[k][0] == hm.matched[k] for k in hm.dupes)  # the first of duplicates is the one read
    named = {ci for ci, h in enumerate(header) if h.strip()}
    placed = set(used) | set(hm.extras.values())
    distinct_extra = {h.strip() for ci, h in enumerate(header) if ci not in used and h.strip()}
    assert set(used) <= named and set(hm.extras) == distinct_extra  # every other header is kept as extra
    assert placed <= named
    assert set(hm.notes) <= set(hm.extras)
