"""One test per rule of validation.md: a minimal workbook that triggers it,
and the clean workbook (or a near miss) that does not. Assertions are on
(rule, sheet, row, field) tuples, as a user reads them in 问题清单."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from builders import clean_rows, d, make_book, memory_book
from dj_addin import schema
from dj_addin.errors import UnreadableFile
from dj_addin.rules import RULES, unreadable_finding
from dj_addin.validate import validate_book, validate_path

YEAR_END = dt.date(2026, 12, 31)
LOG, ROSTER, TARGETS = schema.CONTACT_LOG.name, schema.ROSTER.name, schema.TARGETS.name


def run(tmp_path, as_of=YEAR_END, edit_rows=None, edit=None, today=None, **kw):
    """Validate the clean workbook after ``edit_rows`` changed its data; through
    a real file only when ``edit`` needs openpyxl (merges, error cells).
    ``today`` is the date of the check (default: the system's)."""
    rows = copy.deepcopy(clean_rows())
    if edit_rows:
        edit_rows(rows)
    if edit is None:
        return validate_book(memory_book(rows=rows, **kw), as_of, today=today)
    path = make_book(tmp_path / "book.xlsx", rows=rows, edit=edit, **kw)
    _, report = validate_path(path, as_of)
    return report


def tuples(report, rule=None):
    return {(f.rule, f.sheet, f.row, f.field) for f in report.findings if rule is None or f.rule == rule}


def only(report, rule):
    found = [f for f in report.findings if f.rule == rule]
    assert found, f"{rule} not reported: {[ (f.rule, f.message) for f in report.findings]}"
    return found


def test_clean_book_has_no_findings(tmp_path):
    report = run(tmp_path)
    assert report.findings == []
    assert report.as_of == YEAR_END


def test_every_rule_of_the_spec_is_registered_once():
    codes = ([f"S00{i}" for i in range(1, 9)] + [f"C00{i}" for i in range(1, 10)]
             + [f"R{i:03d}" for i in range(1, 20)] + ["K001"])
    assert sorted(RULES) == sorted(codes)
    assert all(r.title and r.level in schema.LEVELS for r in RULES.values())


# -- file and structure ---------------------------------------------------------

def test_s001_unreadable_file_becomes_a_finding(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a workbook at all")
    with pytest.raises(UnreadableFile) as exc:
        validate_path(bad)
    f = unreadable_finding(exc.value, "x.xlsx")
    assert (f.rule, f.level, f.value) == ("S001", "错误", "x.xlsx")
    assert "x.xlsx" in f.message


def test_s002_required_sheet_missing_lists_sheets_found(tmp_path):
    report = run(tmp_path, drop_sheets=["roster"])
    f = only(report, "S002")
    assert ("S002", ROSTER, None, "") in tuples(report)
    roster_hit = next(x for x in f if x.sheet == ROSTER)
    assert roster_hit.level == "错误" and "「联系记载」" in roster_hit.message


def test_s002_optional_and_defaulted_sheets(tmp_path):
    report = run(tmp_path, drop_sheets=["research", "quotas", "scoring_rules"])
    levels = {f.sheet: f.level for f in only(report, "S002")}
    assert levels == {schema.RESEARCH.name: "提示", schema.QUOTAS.name: "警告", schema.SCORING_RULES.name: "警告"}
    assert not report.has_errors


def test_s003_missing_required_column_once_not_c001_per_row(tmp_path):
    keys = [k for k in schema.CONTACT_LOG.keys if k != "content"]
    report = run(tmp_path, columns={"contact_log": keys})
    assert tuples(report, "S003") == {("S003", LOG, 1, "联系内容")}
    assert not tuples(report, "C001") and not tuples(report, "C007")


def test_s004_unknown_column_is_kept_with_a_hint(tmp_path):
    def edit(rows):
        rows["roster"][0]["籍贯"] = "湖北"
    report = run(tmp_path, edit_rows=edit, columns={"roster": schema.ROSTER.keys + ["籍贯"]})
    f = only(report, "S004")
    assert [(x.sheet, x.row, x.field, x.level) for x in f] == [(ROSTER, 1, "籍贯", "提示")]
    assert f[0].column == "M"


def test_s004_unknown_item_in_key_value_sheet(tmp_path):
    def add_item(wb):
        wb[schema.META.name].append(["联系人邮箱", "dj@example.edu.cn"])
    report = run(tmp_path, edit=add_item)
    f = only(report, "S004")
    assert [(x.sheet, x.row, x.column, x.field, x.value, x.level) for x in f] == [
        (schema.META.name, 7, "A", "联系人邮箱", "dj@example.edu.cn", "提示")]


def test_s005_same_header_twice(tmp_path):
    report = run(tmp_path, columns={"roster": schema.ROSTER.keys + ["name"]})
    f = only(report, "S005")
    assert [(x.sheet, x.field, x.column) for x in f] == [(ROSTER, "姓名", "M")]


@pytest.mark.parametrize("version,level", [("0.9", "警告"), (None, "警告"), ("2.0", "错误"), ("1.5", "提示")])
def test_s006_template_version(tmp_path, version, level):
    report = run(tmp_path, meta={"template_version": version})
    assert [f.level for f in only(report, "S006")] == [level]


def test_s006_missing_item_warns(tmp_path):
    report = run(tmp_path, meta={"template_version": ...})
    assert [f.level for f in only(report, "S006")] == ["警告"]


def test_s007_merged_cells_in_data_area(tmp_path):
    def merge(wb):
        wb[LOG].merge_cells("F2:F3")
    report = run(tmp_path, edit=merge)
    f = only(report, "S007")
    assert [(x.sheet, x.row, x.column, x.field, x.level) for x in f] == [(LOG, 2, "F", "联系方式", "警告")]


def test_s008_excel_error_only_s008(tmp_path):
    def errors(wb):
        for ref, value in (("G2", "#REF!"), ("A3", "#N/A")):  # 联系内容, 联系日期
            cell = wb[LOG][ref]
            cell.value = value
            cell.data_type = "e"
    report = run(tmp_path, edit=errors)
    assert tuples(report, "S008") == {("S008", LOG, 2, "联系内容"), ("S008", LOG, 3, "联系日期")}
    cells = {(f.row, f.column) for f in report.findings if f.rule != "S008" and f.sheet == LOG}
    assert (2, "G") not in cells and (3, "A") not in cells
    assert next(f for f in report.findings if f.rule == "S008" and f.row == 2).value == "#REF!"


# -- cells -------------------------------------------------------------------------

def set_log(i, **values):
    def edit(rows):
        rows["contact_log"][i].update(values)
    return edit


def test_c001_required_blank(tmp_path):
    report = run(tmp_path, edit_rows=set_log(1, content=None))
    assert tuples(report, "C001") == {("C001", LOG, 3, "联系内容")}


def test_c002_spec_example_message(tmp_path):
    report = run(tmp_path, edit_rows=set_log(0, date="2026-13-05"))
    f = only(report, "C002")
    assert [(x.sheet, x.row, x.column, x.field, x.value) for x in f] == [(LOG, 2, "A", "联系日期", "2026-13-05")]
    assert f[0].message == "第2行「联系日期」为 2026-13-05，不是有效日期。"
    assert f[0].suggestion.startswith("请填写如 2026-03-05 的日期（可用格式：")
    assert not tuples(report, "C003") and not tuples(report, "C004")


def test_c003_outside_year_warns_only(tmp_path):
    report = run(tmp_path, edit_rows=set_log(1, date=d("2025-12-30")))
    assert tuples(report, "C003") == {("C003", LOG, 3, "联系日期")}
    assert only(report, "C003")[0].level == "警告"
    assert not tuples(report, "C004")


def test_c003_not_for_join_date(tmp_path):
    report = run(tmp_path)  # 入党日期 2005 and 2025 are fine
    assert not tuples(report, "C003")


def test_c004_not_happened_yet_inside_year(tmp_path):
    """Checked on 2026-07-01 with as-of 2026-06-30: an August date has not happened yet."""
    report = run(tmp_path, as_of=dt.date(2026, 6, 30), edit_rows=set_log(1, date=d("2027-01-05")),
                 today=dt.date(2026, 7, 1))
    c004 = tuples(report, "C004")
    assert ("C004", LOG, 4, "联系日期") in c004  # 2026-08 row of M001
    assert ("C004", LOG, 3, "联系日期") not in c004  # 2027: C003 instead
    assert ("C003", LOG, 3, "联系日期") in tuples(report)
    assert all(f.level == "错误" for f in only(report, "C004"))


def test_c004_a_request_closed_next_january_is_no_mistake(tmp_path):
    """The year's assessment is done in January: a December request closed on
    2027-01-05 has happened by a run on 2027-01-20, even though the as-of date is
    capped at 2026-12-31 for counting."""
    def closed_in_january(rows):
        set_log(7, handling="已办结", closed_date=d("2027-01-05"))(rows)
    report = run(tmp_path, as_of=dt.date(2027, 1, 20), edit_rows=closed_in_january, today=dt.date(2026, 12, 1))
    assert report.as_of == YEAR_END
    assert not tuples(report, "C004")
    report = run(tmp_path, as_of=dt.date(2027, 1, 2), edit_rows=closed_in_january, today=dt.date(2026, 12, 1))
    assert {f[3] for f in tuples(report, "C004")} == {"办结日期"}  # not yet on 2 January


def test_as_of_before_the_year_is_refused(tmp_path):
    from dj_addin.errors import UsageError

    with pytest.raises(UsageError) as info:
        run(tmp_path, as_of=dt.date(2025, 6, 30))
    assert "早于考核年度" in info.value.message


def test_r005_not_reported_when_the_owner_is_unknown(tmp_path):
    """A typo in 联系对象.联系党员编号 is one R002 there, not also an R005 on every contact."""
    def bad_owner(rows):
        rows["targets"][1]["member_id"] = "M999"
        set_log(1, target_id=rows["targets"][1]["target_id"])(rows)
    report = run(tmp_path, edit_rows=bad_owner)
    assert tuples(report, "R002") == {("R002", TARGETS, 3, "联系党员编号")}
    assert not tuples(report, "R005")


def test_c005_value_not_in_list_names_closest(tmp_path):
    report = run(tmp_path, edit_rows=set_log(0, method="走访了"))
    f = only(report, "C005")
    assert [(x.sheet, x.row, x.field) for x in f] == [(LOG, 2, "联系方式")]
    assert "谈心谈话、走访" in f[0].suggestion and "最接近的是「走访」" in f[0].suggestion


def test_c005_synonyms_are_accepted(tmp_path):
    report = run(tmp_path, edit_rows=set_log(0, method="微信", handling="已解决", closed_date=d("2026-02-20")))
    assert not tuples(report, "C005")


def test_c006_not_a_number_and_negative(tmp_path):
    def edit(rows):
        rows["reception"][0]["visitors"] = "很多"
        rows["reception"].append({**rows["reception"][0], "visitors": -1})
    report = run(tmp_path, edit_rows=edit)
    assert tuples(report, "C006") == {("C006", schema.RECEPTION.name, 2, "来访人数"),
                                      ("C006", schema.RECEPTION.name, 3, "来访人数")}


def test_c007_short_content(tmp_path):
    report = run(tmp_path, edit_rows=set_log(0, content="好"))
    assert tuples(report, "C007") == {("C007", LOG, 2, "联系内容")}
    assert only(report, "C007")[0].level == "警告"


def test_c008_not_yes_no(tmp_path):
    report = run(tmp_path, edit_rows=set_log(0, reported="也许"))
    assert tuples(report, "C008") == {("C008", LOG, 2, "已向组织汇报")}
    assert not tuples(run(tmp_path, edit_rows=set_log(0, reported="√")), "C008")


# -- rows and references -------------------------------------------------------------

def test_r001_duplicate_member_id(tmp_path):
    def edit(rows):
        rows["roster"].append({**rows["roster"][0], "name": "张三二"})
        rows["contact_log"] = [r for r in rows["contact_log"] if r["member_id"] != "M001" or r["date"].month != 8]
    report = run(tmp_path, edit_rows=edit)
    assert tuples(report, "K001") == {("K001", ROSTER, 2, "党员编号")}
    f = only(report, "R001")
    assert [(x.sheet, x.row, x.field) for x in f] == [(ROSTER, 4, "党员编号")]
    assert "第2行" in f[0].message
    assert {f.rule for f in report.findings if (f.sheet, f.row) == (ROSTER, 4)} == {"R001"}  # not a second member


def test_r002_unknown_member_once_without_r004(tmp_path):
    report = run(tmp_path, edit_rows=set_log(0, member_id="M999", member_name="不存在"))
    assert tuples(report, "R002") == {("R002", LOG, 2, "党员编号")}
    assert "党员名册" in only(report, "R002")[0].message
    assert not tuples(report, "R004") and not tuples(report, "R005")


def test_r002_ids_list_names_the_unknown_ones(tmp_path):
    def edit(rows):
        rows["activities"][0]["member_ids"] = "M001，m999 M002"
    report = run(tmp_path, edit_rows=edit)
    f = only(report, "R002")
    assert [(x.sheet, x.row, x.field) for x in f] == [(schema.ACTIVITIES.name, 2, "参与党员编号")]
    assert "M999" in f[0].message and "M001" not in f[0].message


def test_r003_unknown_target(tmp_path):
    report = run(tmp_path, edit_rows=set_log(1, target_id="T999"))
    assert tuples(report, "R003") == {("R003", LOG, 3, "对象编号")}


def test_r004_name_mismatch(tmp_path):
    report = run(tmp_path, edit_rows=set_log(0, member_name="李四"))
    assert tuples(report, "R004") == {("R004", LOG, 2, "党员姓名")}
    assert not tuples(run(tmp_path, edit_rows=set_log(0, member_name=" 张 三")), "R004")


def test_r005_contact_with_another_members_target(tmp_path):
    report = run(tmp_path, edit_rows=set_log(1, target_id="T002"))
    assert tuples(report, "R005") == {("R005", LOG, 3, "对象编号")}
    assert only(report, "R005")[0].level == "提示"


def test_r006_closed_before_contact(tmp_path):
    report = run(tmp_path, edit_rows=set_log(0, closed_date=d("2026-01-01")))
    assert tuples(report, "R006") == {("R006", LOG, 2, "办结日期")}


def test_r007_closed_without_date(tmp_path):
    report = run(tmp_path, edit_rows=set_log(0, closed_date=None))
    assert tuples(report, "R007") == {("R007", LOG, 2, "办结日期")}


def test_r008_in_progress_too_long(tmp_path):
    edit = set_log(7, handling="办理中", request="宿舍漏水")  # 2026-11-17 in the clean data
    report = run(tmp_path, edit_rows=edit)
    assert tuples(report, "R008") == {("R008", LOG, 9, "办理情况")}
    assert not tuples(run(tmp_path, edit_rows=edit, as_of=dt.date(2026, 12, 1)), "R008")
    assert not tuples(run(tmp_path, edit_rows=edit, scoring_rules={"overdue_days": 60}), "R008")


def test_r009_entered_twice(tmp_path):
    def edit(rows):
        rows["contact_log"].append(dict(rows["contact_log"][3]))
    report = run(tmp_path, edit_rows=edit)
    f = only(report, "R009")
    assert [(x.sheet, x.row) for x in f] == [(LOG, 10)] and "第5行" in f[0].message


def set_research(**values):
    def edit(rows):
        rows["research"][0].update(values)
    return edit


def test_r010_end_before_start(tmp_path):
    report = run(tmp_path, edit_rows=set_research(end_date=d("2026-03-01"), days=None))
    assert tuples(report, "R010") == {("R010", schema.RESEARCH.name, 2, "结束日期")}
    assert not tuples(report, "R011")


def test_r011_days_larger_than_span(tmp_path):
    report = run(tmp_path, edit_rows=set_research(days=10))
    assert tuples(report, "R011") == {("R011", schema.RESEARCH.name, 2, "调研天数")}


def test_r012_report_without_title(tmp_path):
    report = run(tmp_path, edit_rows=set_research(report_title=None))
    assert tuples(report, "R012") == {("R012", schema.RESEARCH.name, 2, "报告题目")}
    assert not tuples(run(tmp_path, edit_rows=set_research(report_title=None, has_report="否")), "R012")


def test_r013_count_above_total(tmp_path):
    def edit(rows):
        rows["reception"][0]["resolved"] = 5
        rows["forums"][0]["rectified"] = 9
    report = run(tmp_path, edit_rows=edit)
    assert tuples(report, "R013") == {("R013", schema.RECEPTION.name, 2, "已办结数"),
                                      ("R013", schema.FORUMS.name, 2, "整改落实数")}


def test_r014_forum_without_outsiders(tmp_path):
    def edit(rows, reason):
        rows["forums"][0].update(outside=0, reason=reason)
    report = run(tmp_path, edit_rows=lambda r: edit(r, "民主生活会前"))
    assert tuples(report, "R014") == {("R014", schema.FORUMS.name, 2, "党外人数")}
    assert not tuples(run(tmp_path, edit_rows=lambda r: edit(r, "重大节日")), "R014")


def test_r015_cadre_without_and_with_two_points(tmp_path):
    def edit(rows):
        rows["roster"][1]["cadre_level"] = "校级干部"
        rows["contact_points"].append({**rows["contact_points"][0], "department": "外国语学院"})
    report = run(tmp_path, edit_rows=edit)
    got = {(f.sheet, f.row, f.field, f.level) for f in only(report, "R015")}
    assert got == {(ROSTER, 3, "党员编号", "警告"), (schema.CONTACT_POINTS.name, 3, "干部编号", "错误")}


def test_r016_member_without_assigned_contact(tmp_path):
    def edit(rows, category):
        rows["roster"].append({"member_id": "M003", "name": "孙七", "category": category, "status": "正式党员"})
    report = run(tmp_path, edit_rows=lambda r: edit(r, "教职工党员"))
    assert tuples(report, "R016") == {("R016", ROSTER, 4, "党员编号")}
    assert not tuples(run(tmp_path, edit_rows=lambda r: edit(r, "离退休党员")), "R016")


def test_r017_evaluation_ranges(tmp_path):
    def edit(rows):
        rows["evaluation"][0].update(org_score=120, mass_unsatisfied=-1)
    report = run(tmp_path, edit_rows=edit)
    assert tuples(report, "R017") == {("R017", schema.EVALUATION.name, 2, "组织评价分"),
                                      ("R017", schema.EVALUATION.name, 2, "群众不满意票")}
    assert not tuples(report, "C006")


def test_r018_quota_settings(tmp_path):
    quotas = list(schema.DEFAULT_QUOTAS[:4])
    quotas[1] = ("Q02", "年度联系群众人数", "全体党员", "联系天数", "年度", 0, -1)
    quotas[3] = quotas[2]
    report = run(tmp_path, quotas=quotas)
    got = {(f.row, f.field) for f in only(report, "R018")}
    assert got == {(3, "统计口径"), (3, "目标值"), (3, "权重"), (5, "指标代码")}
    assert not tuples(report, "C005") and not tuples(report, "R001") and not tuples(report, "C006")


@pytest.mark.parametrize("meta,field", [({"year": None}, "考核年度"), ({"year": 1900}, "考核年度"),
                                        ({"year": "明年"}, "考核年度"), ({"unit_code": ...}, "单位编码")])
def test_r019_meta_identity(tmp_path, meta, field):
    report = run(tmp_path, meta=meta)
    assert [(f.sheet, f.field, f.level) for f in only(report, "R019")] == [(schema.META.name, field, "错误")]


def test_invalid_year_caps_nothing_and_skips_year_rules(tmp_path):
    report = validate_book(memory_book(rows=clean_rows(), meta={"year": 1900}))
    assert report.as_of == dt.date.today()  # not capped at 1900-12-31
    assert {f.rule for f in report.findings} == {"R019"}  # no C003/C004/K001 against a bogus year


# -- coverage ------------------------------------------------------------------------------

def test_k001_lists_ended_quarters_without_contact(tmp_path):
    def edit(rows):
        del rows["contact_log"][6]  # M002's August contact (Q3)
        del rows["contact_log"][2]  # M001's August contact
        rows["contact_log"][0]["date"] = d("2026-04-10")  # M001 Q1 → Q2
    report = run(tmp_path, edit_rows=edit)
    f = only(report, "K001")
    assert [(x.sheet, x.row, x.field, x.level) for x in f] == [(ROSTER, 2, "党员编号", "警告"),
                                                               (ROSTER, 3, "党员编号", "警告")]
    assert "第1季度、第3季度" in f[0].message and "第3季度" in f[1].message
    assert "第1季度" not in f[1].message


def test_k001_only_ended_quarters_and_applicable_members(tmp_path):
    def edit(rows):
        del rows["contact_log"][6]
        rows["roster"][1]["category"] = "离退休党员"
        rows["targets"][1]["member_id"] = "M001"
    assert not tuples(run(tmp_path, edit_rows=edit), "K001")  # retired: 全体党员 excludes them

    def edit_q3(rows):
        del rows["contact_log"][6]
    assert not tuples(run(tmp_path, edit_rows=edit_q3, as_of=dt.date(2026, 9, 29)), "K001")
    assert tuples(run(tmp_path, edit_rows=edit_q3, as_of=dt.date(2026, 9, 30)), "K001")


def test_k001_follows_the_quota_sheet(tmp_path):
    def edit(rows):
        del rows["contact_log"][6]
    annual_only = [q for q in schema.DEFAULT_QUOTAS if q[4] == "年度"]
    assert not tuples(run(tmp_path, edit_rows=edit, quotas=annual_only), "K001")
    students = [("X1", "学生季度联系", "学生党员", "联系次数", "季度", 1, 1)]
    assert tuples(run(tmp_path, edit_rows=edit, quotas=students), "K001") == {("K001", ROSTER, 3, "党员编号")}


# -- the run ----------------------------------------------------------------------------------

def test_as_of_is_capped_at_year_end_and_findings_sorted(tmp_path):
    def edit(rows):
        rows["contact_log"][0].update(content="好", method="飞鸽")  # C007 警告 + C005 错误 on row 2
        rows["roster"][0]["gender"] = "未知"  # C005 错误 on 党员名册 (earlier sheet)
        rows["research"][0]["days"] = 10  # R011 警告
    report = run(tmp_path, edit_rows=edit, as_of=dt.date(2027, 5, 1))
    assert report.as_of == YEAR_END
    order = [(f.level, f.sheet, f.rule) for f in report.findings]
    assert order == [("错误", ROSTER, "C005"), ("错误", LOG, "C005"), ("警告", LOG, "C007"),
                     ("警告", schema.RESEARCH.name, "R011")]
    doc = report.as_json()
    assert doc["counts"] == {"错误": 2, "警告": 2, "提示": 0} and doc["findings"][0]["rule"] == "C005"


def test_default_as_of_is_today_capped(tmp_path):
    path = make_book(tmp_path / "b.xlsx", rows=clean_rows(), meta={"year": 2020})
    book, report = validate_path(path)
    assert report.as_of == dt.date(2020, 12, 31)
    assert validate_book(book, file="b.xlsx").file == "b.xlsx"


def test_s005_an_item_listed_twice_in_scoring_rules(tmp_path):
    def twice(wb):
        ws = wb[schema.SCORING_RULES.name]
        ws.append([schema.SCORING_RULES.column("w_quota").header, 0])
    report = run(tmp_path, edit=twice)
    s005 = only(report, "S005")
    assert [(f.sheet, f.field, f.value, f.level) for f in s005] == [
        (schema.SCORING_RULES.name, "权重_指标完成", "0", "警告")]
    assert "只使用第" in s005[0].message


def test_c002_a_serial_far_past_the_years_is_a_finding_not_a_crash(tmp_path):
    """入党日期 typed as 132321 (2262-04-12 as an Excel serial) used to stop the read with an
    OutOfBoundsDatetime traceback; it is a C002 错误 naming the cell, its value kept as typed."""
    def far(rows):
        rows["roster"][0]["join_date"] = 132321
    report = run(tmp_path, edit_rows=far)
    found = [f for f in only(report, "C002") if f.field == "入党日期"]
    assert [(f.sheet, f.row, f.level) for f in found] == [("党员名册", 2, "错误")]
    assert "132321" in found[0].message
