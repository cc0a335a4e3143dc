"""One run context per run: the as-of date, today, 评分规则, quotas and periods
settled once, and what users see when they depend on it (C004/C009, R008,
K001, --as-of, JSON)."""

from __future__ import annotations

import datetime as dt
import json
import math
import warnings

import openpyxl
import pytest

from dj_addin import context as run_context
from dj_addin import jsondoc, schema
from dj_addin.context import RunContext
from dj_addin.errors import UsageError
from dj_addin.pipeline import compute, run_book
from dj_addin.rollup.table import rollup
from dj_addin.scoring.score import grade_for
from dj_addin.scoring.settings import DEFAULT_SETTINGS
from dj_addin.udfs import dj_grade, dj_mass_score, dj_peer_score
from dj_addin.validate import validate_book
from builders import clean_rows, make_book
from test_rollup import contact, member, memory_book, quota
from test_scoring import invoke, worked_example_rows

YEAR_END = dt.date(2026, 12, 31)
MID_YEAR = dt.date(2026, 6, 30)
DECEMBER = dt.date(2026, 12, 1)  # the day of a mid-year review run
LOG = schema.CONTACT_LOG.name


def found(report, rule):
    return [f for f in report.findings if f.rule == rule]


# --------------------------------------------------------------------------- the context itself

def test_as_of_is_clamped_into_the_year_and_the_users_date_is_kept():
    book = memory_book({"roster": [member("M1")]})
    run = RunContext.build(book, dt.date(2027, 1, 20), today=dt.date(2027, 1, 20))
    assert (run.year, run.year_assumed, run.as_of, run.requested_as_of) == (2026, False, YEAR_END, dt.date(2027, 1, 20))
    assert run.happened_by == dt.date(2027, 1, 20)
    default = RunContext.build(book, today=dt.date(2027, 2, 3))  # no --as-of: today, at most the year's end
    assert default.as_of == YEAR_END and default.today == dt.date(2027, 2, 3)
    with pytest.raises(UsageError, match="早于考核年度"):
        RunContext.build(book, dt.date(2025, 12, 31))


def test_a_missing_year_is_assumed_from_the_as_of_date():
    book = memory_book({"roster": [member("M1")]}, meta={"year": None})
    run = RunContext.build(book, dt.date(2027, 3, 1))
    assert (run.year, run.year_assumed, run.known_year, run.as_of) == (2027, True, None, dt.date(2027, 3, 1))


def test_today_defaults_to_the_check_time_so_fixed_runs_are_reproducible():
    run = RunContext.build(memory_book({}), MID_YEAR, checked_at=dt.datetime(2026, 7, 1, 18, 0))
    assert run.today == dt.date(2026, 7, 1) and run.checked_at == dt.datetime(2026, 7, 1, 18, 0)


def test_periods_ended_and_current():
    run = RunContext.build(memory_book({}), dt.date(2026, 8, 15))
    assert [p.label for p in run.periods("季度")] == ["2026Q1", "2026Q2", "2026Q3"]
    assert [p.quarter for p in run.ended_periods("季度")] == [1, 2]
    assert run.current_period("季度").label == "2026Q3" and run.current_period("年度").label == "2026"


def test_load_settings_runs_once_per_run(monkeypatch):
    calls = []
    real = run_context.load_settings

    def counting(book):
        calls.append(book)
        return real(book)

    monkeypatch.setattr(run_context, "load_settings", counting)
    book = memory_book(worked_example_rows(), scoring_rules={"w_quota": "四十"})
    result = compute(book, YEAR_END)
    assert len(calls) == 1
    assert [f.field for f in result.report.findings if f.rule == "C006"] == ["权重_指标完成"]  # reported once
    assert result.scores.settings.w_quota == 40
    calls.clear()
    validate_book(book, YEAR_END)
    assert len(calls) == 1


# --------------------------------------------------------------------------- settings: R008 and C006 agree

def test_r008_uses_the_default_that_c006_announces():
    rules = {s.key: s.default for s in schema.SCORING_SETTINGS} | {"overdue_days": -5}
    log = [contact("M1", "T1", dt.date(2026, 11, 1), request="修路", handling="办理中"),   # 60 days open
           contact("M1", "T1", dt.date(2026, 12, 11), request="修灯", handling="办理中")]  # 20 days open
    report = validate_book(memory_book({"roster": [member("M1")], "contact_log": log}, scoring_rules=rules),
                           YEAR_END, today=YEAR_END)
    c006 = [f for f in found(report, "C006") if f.field == "办理中督办天数"]
    assert len(c006) == 1 and "按默认值 30 计算" in c006[0].message
    r008 = found(report, "R008")
    assert [f.row for f in r008] == [2]  # not the 20-day row: the limit is 30, not -5
    assert "督办期限 30 天" in r008[0].message


def test_huge_weights_are_c006_and_every_result_stays():
    rules = {s.key: s.default for s in schema.SCORING_SETTINGS} | {k: 1e308 for k in
                                                                   ("w_quota", "w_org", "w_mass", "w_peer")}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy RuntimeWarning either
        result = compute(memory_book(worked_example_rows(), scoring_rules=rules), YEAR_END)
    c006 = [f for f in found(result.report, "C006") if f.sheet == schema.SCORING_RULES.name]
    assert {f.field for f in c006} == {"权重_指标完成", "权重_组织评价", "权重_群众评议", "权重_党员互评"}
    assert all("过大" in f.message and "按默认值" in f.message for f in c006)
    members = result.scores.as_json()["members"]
    assert all(m["综合得分"] is not None and m["测算等次"] for m in members)
    assert members[0]["综合得分"] == 81.0  # the worked example's figure with the default weights


def test_huge_quota_weights_do_not_overflow_the_quota_score():
    quotas = [("Q01", "联系", "全体党员", "联系次数", "年度", 2, 1e308), ("Q02", "活动", "全体党员", "载体活动次数", "年度", 1, 1e308)]
    log = [contact("M1", "T1", dt.date(2026, 3, 1)), contact("M1", "T1", dt.date(2026, 4, 1))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = rollup(RunContext.build(memory_book({"roster": [member("M1")], "contact_log": log}, quotas=quotas),
                                    YEAR_END))
    assert r.quota_score["M1"] == pytest.approx(50.0)  # Q01 met, Q02 not: equal weights


# --------------------------------------------------------------------------- K001 follows the roll-up

def test_k001_uses_the_rollups_quotas_and_quarters():
    roster = [member("M1", branch_post="书记"), member("M2")]
    quotas = [quota("Q01", "联系次数", "季度", 1, 1, scope="支部书记"),
              quota("Q02", "联系次数", "季度", 0, 1)]  # 目标值 0: unusable (R018), so not for everyone
    book = memory_book({"roster": roster}, quotas=quotas)
    run = RunContext.build(book, dt.date(2026, 8, 15), today=dt.date(2026, 8, 15))
    report = validate_book(book, dt.date(2026, 8, 15), today=dt.date(2026, 8, 15))
    k001 = found(report, "K001")
    assert [f.value for f in k001] == ["M1"]
    assert "第1季度、第2季度" in k001[0].message  # the ended quarters, not Q3
    rows = rollup(run).rows
    unmet = rows[(rows["state"] == "未达标") & (rows["period_kind"] == "季度")]
    assert set(unmet["member_id"]) == {"M1"} and set(unmet["period"]) == {"2026Q1", "2026Q2"}


# --------------------------------------------------------------------------- C004 / C009

def test_mid_year_review_gives_c009_once_per_sheet_and_no_c004():
    rows = clean_rows()
    report = validate_book(memory_book(rows=rows), MID_YEAR, today=DECEMBER)
    assert not found(report, "C004")
    assert not report.has_errors
    c009 = {f.sheet: f for f in found(report, "C009")}
    log = c009[LOG]
    later = [i + 2 for i, r in enumerate(rows["contact_log"]) if r["date"] > MID_YEAR]
    assert (log.level, log.row, log.column) == ("提示", later[0], "")
    assert f"有 {len(later)} 行" in log.message and f"第{later[0]}行" in log.message
    assert MID_YEAR.isoformat() in log.message
    assert set(c009) == {LOG, schema.ACTIVITIES.name, schema.FORUMS.name}  # Sept and Dec rows; the rest is earlier
    assert all(len([f for f in found(report, "C009") if f.sheet == s]) == 1 for s in c009)


def test_a_future_date_is_still_c004_in_a_mid_year_review():
    rows = clean_rows()
    rows["contact_log"][2]["date"] = dt.date(2026, 12, 20)  # after today (2026-12-01): not happened yet
    report = validate_book(memory_book(rows=rows), MID_YEAR, today=DECEMBER)
    c004 = found(report, "C004")
    assert [(f.sheet, f.row, f.level) for f in c004] == [(LOG, 4, "错误")]
    assert "晚于今天 2026-12-01" in c004[0].message
    assert all(f.row != 4 or f.rule != "C009" for f in report.findings)
    assert found(report, "C009")[0].message.count("行") >= 1


def test_rows_after_the_as_of_date_are_left_out_and_results_are_not_provisional(tmp_path):
    path = make_book(tmp_path / "支部B.xlsx", rows=clean_rows())
    out = tmp_path / "支部B_结果.xlsx"
    result = run_book(path, MID_YEAR, out, checked_at=dt.datetime(2026, 12, 1, 9, 0))
    assert not result.has_errors and result.exit_code == 0
    assert not result.scores.to_table(result.has_errors, result.error_count).provisional
    contacts = result.rollup.contacts_in_year
    assert contacts["M001"] == 2 and contacts["M002"] == 2  # February and May only
    wb = openpyxl.load_workbook(out)
    c009_row = next(f.row for f in result.report.findings if f.rule == "C009" and f.sheet == LOG)
    assert all(cell.comment is None for cell in wb[LOG][c009_row])  # C009 marks no cell
    listed = [r for r in wb[schema.FINDINGS.name].iter_rows(values_only=True) if r[1] == LOG]
    assert [(r[0], r[2]) for r in listed] == [("提示", c009_row)] and "未计入本次统计" in listed[0][6]
    assert not str(wb[schema.RESULTS.name]["A1"].value).startswith("暂定")


# --------------------------------------------------------------------------- --as-of as typed

@pytest.mark.parametrize("typed, says", [
    ("2026", "不是完整的日期"), ("45000", "不是完整的日期"), ("45000.5", "不是完整的日期"), ("2026-13-01", "不是有效日期"),
    ("9999-12-31", "超出允许范围"), ("1899-12-31", "超出允许范围"), ("明天", "不是有效日期")])
def test_as_of_text_that_is_refused(typed, says):
    with pytest.raises(UsageError) as info:
        run_context.parse_as_of(typed)
    message = info.value.message
    assert says in message
    if says == "超出允许范围":  # a real date, just not one a run can use
        assert "不是有效日期" not in message and "2000-01-01" in message
    else:  # says what to type instead
        assert "2026-12-31" in message


@pytest.mark.parametrize("typed", ["2026-06-30", "2026/6/30", "2026.6.30", "2026年6月30日", "20260630", "２０２６-06-30"])
def test_as_of_accepted_forms(typed):
    assert run_context.parse_as_of(typed) == MID_YEAR


def test_cli_refuses_a_bare_year_and_a_far_date(tmp_path):
    path = make_book(tmp_path / "b.xlsx", rows=clean_rows())
    result, _ = invoke("score", path, "--as-of", "2026")
    assert result.exit_code == 2 and "不是完整的日期" in result.stderr and "1905" not in result.output
    assert "2026-12-31" in result.stderr
    result, _ = invoke("validate", path, "--as-of", "9999-12-31")
    assert result.exit_code == 2 and "超出允许范围" in result.stderr and "不是有效日期" not in result.stderr


# --------------------------------------------------------------------------- JSON documents

def test_non_finite_numbers_become_null_with_a_finding():
    doc = {"counts": {"错误": 0, "警告": 0, "提示": 0}, "findings": [],
           "members": [{"综合得分": math.inf, "群众评议分": 80.0}, {"综合得分": math.nan}]}
    text = jsondoc.dumps(doc)
    back = json.loads(text)  # strict parsers accept it
    assert "Infinity" not in text and "NaN" not in text
    assert back["members"][0]["综合得分"] is None and back["members"][1]["综合得分"] is None
    assert back["members"][0]["群众评议分"] == 80.0
    (f,) = back["findings"]
    assert f["rule"] == "C006" and f["level"] == "警告" and "members[0].综合得分" in f["message"]
    assert back["counts"]["警告"] == 1
    assert jsondoc.dumps({"a": 1.5}) == json.dumps({"a": 1.5}, indent=1)  # finite documents unchanged


def test_dj_score_json_is_valid_even_with_absurd_votes(tmp_path):
    rows = worked_example_rows()
    rows["evaluation"][0]["mass_satisfied"] = 1e308  # overflows the vote sum
    path = make_book(tmp_path / "b.xlsx", rows=rows)
    result, doc = invoke("score", path, "--as-of", "2026-12-31", "--json")
    assert doc is not None and "Infinity" not in result.stdout
    json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    a001 = next(m for m in doc["members"] if m["党员编号"] == "A001")
    # the impossible count is R017 and is not counted: A001 keeps a finite score from the rest
    assert a001["综合得分"] is not None
    assert any(f["rule"] == "R017" and f["field"] == "群众满意票" for f in doc.get("findings", [])) \
        or result.exit_code == 1


# --------------------------------------------------------------------------- 指标设置 size limit

def test_a_huge_quota_sheet_is_refused_at_once(tmp_path):
    from dj_addin.rollup.quotas import MAX_QUOTA_ROWS

    quotas = [(f"Q{i:04d}", "联系", "全体党员", "联系次数", "季度", 2, 1) for i in range(5000)]
    path = make_book(tmp_path / "big.xlsx", rows=clean_rows(), quotas=quotas)
    out = tmp_path / "out.xlsx"
    result, _ = invoke("run", path, "-o", out)
    assert result.exit_code == 2 and "5000 行" in result.stderr and str(MAX_QUOTA_ROWS) in result.stderr
    assert not out.exists()


# --------------------------------------------------------------------------- UDFs follow scoring

def test_udfs_give_what_scoring_gives():
    result = compute(memory_book(worked_example_rows()), YEAR_END)
    a001 = result.scores.members.loc["A001"]
    assert dj_mass_score(8.0, 2.0, None) == pytest.approx(a001["mass_score"])
    assert dj_peer_score(3.0, 5.0, 0.0, 0.0) == pytest.approx(a001["peer_score"])
    for x in (59.99, 60, 74.99999999999999, 75, 89.9, 90, 100):
        assert dj_grade(x) == grade_for(x, DEFAULT_SETTINGS)
    assert dj_peer_score(0.5, 0, 0, 0) == "#错误：没有互评票，不计分"  # fewer than one vote, as scoring decides
