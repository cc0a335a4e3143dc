"""考评计分: the worked example of scoring.md, and one test per grade adjustment."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from dj_addin import schema
from dj_addin.context import RunContext
from dj_addin.xlsx.reader import read_book
from dj_addin.rollup.table import rollup
from dj_addin.scoring.score import score
from dj_addin.scoring.settings import DEFAULT_SETTINGS, load_settings, setting_names
from builders import make_book
from test_rollup import AS_OF, contact, member, memory_book, quota, target

# --------------------------------------------------------------------------- the worked example


def worked_example_rows() -> dict[str, list[dict[str, Any]]]:
    """Members A, B and C of scoring.md's worked example (as-of 2026-12-31, default rules)."""
    d = dt.date
    req, done = {"request": "希望增加自习室"}, {"handling": "已办结", "closed_date": d(2026, 6, 30)}
    log = [  # A: 3, 2, 1, 0 contacts per quarter; 2 of 3 assigned targets; 4 requests, 3 closed
        contact("A001", "T1", d(2026, 1, 10), **req, **done), contact("A001", "T1", d(2026, 2, 10), **req, **done),
        contact("A001", "T2", d(2026, 3, 10), **req, **done), contact("A001", "T1", d(2026, 4, 10), **req, handling="办理中"),
        contact("A001", "T2", d(2026, 5, 10)), contact("A001", "T2", d(2026, 8, 10))]
    months = (1, 2, 4, 5, 7, 8, 10, 11)
    log += [contact("B001", f"TB{i % 4 + 1}", d(2026, m, 5)) for i, m in enumerate(months)]  # 4 of 5 assigned
    log += [contact("C001", t, d(2026, m, 6)) for m, t in zip(months, ["TC1", "TC2", "T3"] + ["TC1"] * 5)]
    return {
        "roster": [member("A001", name="甲"), member("B001", name="乙"),
                   member("C001", name="丙", category="学生党员", status="预备党员")],
        "targets": [target(t, "A001") for t in ("T1", "T2", "T3")] + [target(f"TB{i}", "B001") for i in range(1, 6)]
        + [target(f"TC{i}", "C001") for i in range(1, 5)],
        "contact_log": log,
        "activities": [{"date": d(2026, m, 1), "name": "志愿服务", "brand": "党员责任区",
                        "member_ids": ("A001", "B001") if m < 9 else ("A001",)} for m in (3, 6, 9)],
        "evaluation": [
            {"member_id": "A001", "org_score": 85, "mass_satisfied": 8, "mass_basic": 2, "mass_unsatisfied": 0,
             "peer_excellent": 3, "peer_pass": 5, "peer_basic": 0, "peer_fail": 0, "violation": "否"},
            {"member_id": "B001", "org_score": 95, "mass_satisfied": 10, "peer_pass": 1, "peer_basic": 1,
             "violation": "是"},
            {"member_id": "C001", "org_score": 58, "mass_basic": 5},
        ],
    }


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    path = make_book(tmp_path_factory.mktemp("ex") / "支部A.xlsx", rows=worked_example_rows())
    book = read_book(path)
    run = RunContext.build(book, AS_OF)
    r = rollup(run)
    return r, score(run, r)


def by_member(scores) -> dict[str, dict[str, Any]]:
    return {m["党员编号"]: m for m in scores.as_json()["members"]}


def test_worked_example_member_a(example):
    r, s = example
    completion = r.completion[r.completion["member_id"] == "A001"].set_index("quota_code")["completion"]
    assert completion.to_dict() == pytest.approx({"Q01": 0.625, "Q02": 2 / 3, "Q03": 2 / 3, "Q04": 0.75 / 0.9,
                                                  "Q05": 1.0})
    a = by_member(s)["A001"]
    assert (a["指标完成分"], a["组织评价分"], a["群众评议分"], a["党员互评分"], a["综合得分"]) == (70.8, 85, 92.0, 87.5, 81.0)
    assert (a["测算等次"], a["最终等次"], a["原因"]) == ("合格", "合格", [])
    assert "未达标指标：Q01、Q02、Q03、Q04" in a["激励建议"]
    assert s.members.at["A001", "total"] == pytest.approx((40 * 6.375 / 9 * 100 + 30 * 85 + 20 * 92 + 10 * 87.5) / 100)


def test_worked_example_member_b_veto(example):
    b = by_member(example[1])["B001"]
    assert (b["指标完成分"], b["综合得分"], b["测算等次"]) == (95.0, 93.5, "优秀")
    assert (b["最终等次"], b["原因"]) == ("不合格", ["一票否决：违纪违规"])
    assert b["激励建议"].startswith("批评教育，限期改正，按规定组织处置")


def test_worked_example_member_c_probationary(example):
    c = by_member(example[1])["C001"]
    assert (c["综合得分"], c["党员互评分"], c["测算等次"], c["最终等次"]) == (66.0, None, "基本合格", "不评定等次")
    assert c["原因"] == ["预备党员参加评议，不评定等次"]


def test_worked_example_rank_and_json_shape(example):
    doc = example[1].as_json()
    assert set(doc) == {"file", "as_of", "members"} and doc["file"] == "支部A.xlsx"
    headers = {c.key: c.header for c in schema.RESULTS.columns}
    assert list(doc["members"][0]) == [headers[k] for k in ("member_id", "name", "branch_code", "quota_score",
                                       "org_score", "mass_score", "peer_score", "total", "rank", "computed_grade",
                                       "final_grade")] + ["原因", headers["advice"]]
    assert {m["党员编号"]: m["支部内排名"] for m in doc["members"]} == {"B001": 1, "A001": 2, "C001": 3}


def test_results_table_display(example):
    table = example[1].to_table(provisional=True, error_count=2)
    assert table.provisional and table.error_count == 2
    assert list(table.members.columns) == [c.key for c in schema.RESULTS.columns]
    row = table.members.set_index("member_id").loc["B001"]
    assert (row["total"], row["reasons"], row["final_grade"]) == (93.5, "一票否决：违纪违规", "不合格")


# --------------------------------------------------------------------------- components, rank, adjustments

def run(rows: dict, scoring_rules: dict | None = None, quotas=None, as_of: dt.date = AS_OF):
    book = memory_book(rows, scoring_rules=scoring_rules, quotas=quotas)
    run = RunContext.build(book, as_of)
    return score(run, rollup(run))


def ev(mid: str, org: float | None = None, mass=(0, 0, 0), peer=(0, 0, 0, 0), **kw) -> dict[str, Any]:
    return {"member_id": mid, "org_score": org, "mass_satisfied": mass[0], "mass_basic": mass[1],
            "mass_unsatisfied": mass[2], "peer_excellent": peer[0], "peer_pass": peer[1], "peer_basic": peer[2],
            "peer_fail": peer[3], **kw}


# One quota that every member with 4 contacts meets: 指标完成分 = 100 for them.
ONE_QUOTA = [quota("Q01", "联系次数", "年度", 4, 1)]
# A quota that applies to nobody here (an empty 指标设置 would mean the defaults).
NO_QUOTA = [quota("Q99", "联系次数", scope="校级干部")]


def active(mid: str, n: int = 4) -> list[dict[str, Any]]:
    return [contact(mid, "T" + mid, dt.date(2026, 1 + i, 3)) for i in range(n)]


def test_mass_score_needs_minimum_votes_and_weights_skip_missing_components():
    s = run({"roster": [member("M1"), member("M2")], "contact_log": active("M1") + active("M2"),
             "evaluation": [ev("M1", 80, mass=(2, 2, 0)), ev("M2", 80, mass=(3, 1, 1))]}, quotas=ONE_QUOTA)
    m = s.members
    assert math.isnan(m.at["M1", "mass_score"])  # 4 votes < 5
    assert m.at["M1", "total"] == pytest.approx((40 * 100 + 30 * 80) / 70)
    assert m.at["M2", "mass_score"] == pytest.approx((300 + 60) / 5)


def test_ranks_ties_share_a_rank_per_unit():
    roster = [member("M1"), member("M2"), member("M3"), member("M4"), member("X1", branch_code="D0102")]
    evs = [ev("M1", 90), ev("M2", 80), ev("M3", 80), ev("M4", 70), ev("X1", 10)]
    s = run({"roster": roster, "evaluation": evs}, quotas=NO_QUOTA)
    assert s.members["rank"].to_dict() == {"M1": 1, "M2": 2, "M3": 2, "M4": 4, "X1": 1}


def test_no_component_means_no_score_and_reason():
    s = run({"roster": [member("R1", category="离退休党员")]}, quotas=ONE_QUOTA)
    r = by_member(s)["R1"]
    assert (r["综合得分"], r["支部内排名"], r["测算等次"], r["最终等次"]) == (None, None, None, None)
    assert r["原因"] == ["无考评数据"]


def test_adjustment_1_veto_overrides_everything():
    s = run({"roster": [member("M1")], "contact_log": active("M1"),
             "evaluation": [ev("M1", 100, mass=(10, 0, 0), peer=(5, 0, 0, 0), violation="是")]}, quotas=ONE_QUOTA)
    r = by_member(s)["M1"]
    assert (r["测算等次"], r["最终等次"], r["原因"]) == ("优秀", "不合格", ["一票否决：违纪违规"])
    assert r["激励建议"] == "批评教育，限期改正，按规定组织处置"


def test_adjustment_2_unsatisfied_share_caps_at_basic():
    s = run({"roster": [member("M1"), member("M2")], "contact_log": active("M1") + active("M2"),
             "evaluation": [ev("M1", 100, mass=(6, 0, 4)), ev("M2", 100, mass=(6, 1, 3))]}, quotas=ONE_QUOTA)
    m1, m2 = by_member(s)["M1"], by_member(s)["M2"]
    assert m1["测算等次"] == "优秀" and m1["最终等次"] == "基本合格"  # 4 of 10 > 1/3
    assert len(m1["原因"]) == 1 and m1["原因"][0].startswith("群众不满意率40%超过上限")
    assert m1["激励建议"] == "提醒谈话，限期改进"
    assert m2["最终等次"] == "优秀" and m2["原因"] == []  # 3 of 10 is within the limit


def test_adjustment_3_no_contact_all_year_caps_at_basic_only_when_a_contact_quota_applies():
    rows = {"roster": [member("M1"), member("R1", category="离退休党员")],
            "evaluation": [ev("M1", 95), ev("R1", 95)]}
    s = run(rows, scoring_rules={"w_quota": 0}, quotas=[quota("Q01", "联系次数", "季度", 2, 3)])
    m1, r1 = by_member(s)["M1"], by_member(s)["R1"]
    assert (m1["测算等次"], m1["最终等次"], m1["原因"]) == ("优秀", "基本合格", ["全年无联系群众记录"])
    assert r1["原因"] == [] or "全年无联系群众记录" not in r1["原因"]


def test_adjustment_4_excellent_needs_quota_score():
    rows = {"roster": [member("M1")], "contact_log": active("M1", 3),
            "evaluation": [ev("M1", 100, mass=(10, 0, 0), peer=(5, 0, 0, 0))]}
    s = run(rows, quotas=ONE_QUOTA)  # 3 of 4 → 75; total = (40×75 + 6000) / 100 = 90
    r = by_member(s)["M1"]
    assert (r["指标完成分"], r["综合得分"], r["测算等次"], r["最终等次"]) == (75.0, 90.0, "优秀", "合格")
    assert r["原因"] == ["指标完成分75未达到90，不评优秀"]


def test_adjustment_5_excellent_cap_per_unit_with_deterministic_order():
    ids = ["M6", "M2", "M5", "M1", "M4", "M3"]  # row order must not matter
    rows = {"roster": [member(i) for i in ids], "contact_log": sum((active(i) for i in ids), []),
            "evaluation": [ev(i, 100) for i in ids]}  # all tie at 100
    s = run(rows, quotas=ONE_QUOTA)
    grades = {k: v["最终等次"] for k, v in by_member(s).items()}
    # 0.3333 stands for 1/3: 6 graded members keep 2 优秀; ties go to the smallest 党员编号
    assert grades == {"M1": "优秀", "M2": "优秀", "M3": "合格", "M4": "合格", "M5": "合格", "M6": "合格"}
    assert by_member(s)["M3"]["原因"] == ["超出优秀比例上限"]
    assert by_member(s)["M1"]["激励建议"] == "推荐表彰"


def test_adjustment_5_at_least_one_and_order_by_scores_then_id():
    rows = {"roster": [member("A"), member("B"), member("C"), member("D", status="预备党员")],
            "contact_log": sum((active(i) for i in "ABCD"), []),
            "evaluation": [ev("A", 92), ev("B", 95), ev("C", 50), ev("D", 100)]}
    s = run(rows, quotas=ONE_QUOTA)  # graded: A, B, C (D is 预备) → floor(1/3 × 3) = 1
    g = {k: v["最终等次"] for k, v in by_member(s).items()}
    assert g == {"A": "合格", "B": "优秀", "C": "合格", "D": "不评定等次"}


def test_adjustment_5_cap_of_at_least_one_in_a_small_unit():
    rows = {"roster": [member("A"), member("B")], "contact_log": active("A") + active("B"),
            "evaluation": [ev("A", 95), ev("B", 96)]}
    g = {k: v["最终等次"] for k, v in by_member(run(rows, quotas=ONE_QUOTA)).items()}
    assert g == {"A": "合格", "B": "优秀"}  # floor(2/3) = 0, but at least 1


def test_cap_share_typed_to_four_decimals_means_the_simple_fraction():
    from dj_addin.scoring.score import share_as_fraction

    assert share_as_fraction(0.3333) == 1 / 3
    assert share_as_fraction(0.25) == 0.25
    assert share_as_fraction(0.3) == 0.3
    assert share_as_fraction(0.31) == 0.31


def test_adjustment_6_probationary_scored_but_not_graded():
    rows = {"roster": [member("P1", status="预备党员")], "contact_log": active("P1"), "evaluation": [ev("P1", 100)]}
    r = by_member(run(rows, quotas=ONE_QUOTA))["P1"]
    assert (r["综合得分"], r["支部内排名"], r["测算等次"], r["最终等次"]) == (100.0, 1, "优秀", "不评定等次")
    assert r["原因"] == ["预备党员参加评议，不评定等次"]


def test_reasons_recorded_in_order():
    rows = {"roster": [member("M1", status="预备党员")], "evaluation": [ev("M1", 100, violation="是")]}
    r = by_member(run(rows, quotas=[quota("Q01", "联系次数")], scoring_rules={"w_quota": 0}))["M1"]
    assert r["原因"] == ["一票否决：违纪违规", "预备党员参加评议，不评定等次"]


# --------------------------------------------------------------------------- 评分规则

def test_settings_fields_follow_the_schema():
    assert setting_names() == [s.key for s in schema.SCORING_SETTINGS]


def test_settings_missing_or_unreadable_key_falls_back_with_warning():
    book = memory_book({}, scoring_rules={"w_quota": 50, "w_org": "三十", "excellent_cap": 33})
    settings, findings = load_settings(book)
    assert (settings.w_quota, settings.w_org, settings.excellent_cap) == (50, 30, DEFAULT_SETTINGS.excellent_cap)
    by_field = {f.field: f for f in findings}
    assert by_field["权重_组织评价"].level == "警告" and by_field["权重_组织评价"].value == "三十"
    assert by_field["权重_组织评价"].row == 3
    assert by_field["优秀比例上限"].level == "警告"
    assert by_field["优秀分数线"].message.endswith("按默认值 90 计算。")  # missing key
    assert by_field["优秀分数线"].rule == "S003"  # a missing item
    assert by_field["权重_组织评价"].rule == by_field["优秀比例上限"].rule == "C006"  # unusable values


def test_settings_findings_are_reported_by_validation_once():
    from dj_addin.validate import validate_book

    book = memory_book({}, scoring_rules={"w_quota": 0, "w_org": 0, "w_mass": 0, "w_peer": 0, "pass_line": "七十五"})
    found = [(f.rule, f.level, f.field) for f in validate_book(book).findings if f.sheet == schema.SCORING_RULES.name]
    assert ("C006", "错误", "权重_指标完成、权重_组织评价、权重_群众评议、权重_党员互评") in found
    assert [x for x in found if x[2] == "合格分数线"] == [("C006", "警告", "合格分数线")]


def test_weights_summing_to_zero_are_an_error():
    zero = {"w_quota": 0, "w_org": 0, "w_mass": 0, "w_peer": 0}
    settings, findings = load_settings(memory_book({}, scoring_rules=zero))
    assert [f.level for f in findings if f.level == "错误"] == ["错误"]
    assert settings.weights == DEFAULT_SETTINGS.weights


def test_changed_grade_lines_are_used():
    rows = {"roster": [member("M1")], "evaluation": [ev("M1", 85)]}
    assert by_member(run(rows, quotas=NO_QUOTA))["M1"]["测算等次"] == "合格"
    assert by_member(run(rows, quotas=NO_QUOTA, scoring_rules={"excellent_line": 85}))["M1"]["测算等次"] == "优秀"


# --------------------------------------------------------------------------- commands: dj score / dj run / dj rollup

def invoke(*args: str):
    import json

    from click.testing import CliRunner

    from dj_addin.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args])
    doc = json.loads(result.stdout) if "--json" in args and result.stdout.strip().startswith("{") else None
    return result, doc


@pytest.fixture
def example_file(tmp_path):
    return make_book(tmp_path / "支部A.xlsx", rows=worked_example_rows())


def test_dj_score_json_and_nothing_written_without_output(example_file):
    before = example_file.read_bytes()
    result, doc = invoke("score", example_file, "--as-of", "2026-12-31", "--json")
    assert result.exit_code == 0, result.output
    assert doc["as_of"] == "2026-12-31"
    assert {m["党员编号"]: m["综合得分"] for m in doc["members"]} == {"A001": 81.0, "B001": 93.5, "C001": 66.0}
    assert example_file.read_bytes() == before


def test_dj_run_writes_all_three_sheets_and_summarises(example_file, tmp_path):
    out = tmp_path / "out.xlsx"
    result, _ = invoke("run", example_file, "--as-of", "2026-12-31", "-o", out)
    assert result.exit_code == 0, result.output
    assert "支部 D0101：党员 3 名，平均综合得分 80.2；优秀 0，合格 1，基本合格 0，不合格 1，不评定等次 1" in result.output
    names = openpyxl_sheetnames(out)
    assert {schema.FINDINGS.name, schema.ROLLUP.name, schema.RESULTS.name} <= set(names)
    reread = read_book(out)  # the data sheets are still readable as before
    assert len(reread.tables["contact_log"]) == len(worked_example_rows()["contact_log"])


def openpyxl_sheetnames(path) -> list[str]:
    import openpyxl

    return openpyxl.load_workbook(path, read_only=True).sheetnames


def test_errors_make_results_provisional_and_exit_1(tmp_path):
    rows = worked_example_rows()
    rows["contact_log"].append(contact("A001", "T1", "2026-13-05"))  # C002: not a date
    path = make_book(tmp_path / "b.xlsx", rows=rows)
    result, _ = invoke("score", path, "--as-of", "2026-12-31", "--in-place")
    assert result.exit_code == 1, result.output
    assert "暂定" in result.output and "1 个错误" in result.output
    assert (tmp_path / "b.bak-原始.xlsx").exists()
    import openpyxl

    ws = openpyxl.load_workbook(path)[schema.RESULTS.name]
    assert "党员民主评议考评结果\n暂定结果" in str(ws["A1"].value)
    assert schema.FINDINGS.name not in openpyxl.load_workbook(path, read_only=True).sheetnames


def test_dj_rollup_json_and_bad_arguments(example_file, tmp_path):
    result, doc = invoke("rollup", example_file, "--as-of", "2026-06-30", "--json")
    assert result.exit_code == 0  # contacts after an earlier as-of date are left out (C009 提示), not 错误
    periods = {row["期间"] for row in doc["rows"] if row["党员编号"] == "A001" and row["指标代码"] == "Q01"}
    assert periods == {"2026Q1", "2026Q2"}
    result, _ = invoke("rollup", example_file, "--as-of", "明天")
    assert result.exit_code == 2 and "--as-of" in result.stderr
    result, _ = invoke("score", example_file, "-o", tmp_path / "x.xlsx", "--in-place")
    assert result.exit_code == 2
    result, _ = invoke("run", tmp_path / "missing.xlsx")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_weights_zero_is_an_error_in_run(tmp_path):
    path = make_book(tmp_path / "w.xlsx", rows=worked_example_rows(),
                     scoring_rules={"w_quota": 0, "w_org": 0, "w_mass": 0, "w_peer": 0})
    result, doc = invoke("run", path, "--as-of", "2026-12-31", "--json")
    assert result.exit_code == 1
    assert any(f["level"] == "错误" and f["sheet"] == schema.SCORING_RULES.name for f in doc["findings"])
    assert {"rows", "members", "counts"} <= set(doc)


# --------------------------------------------------------------------------- review findings: float noise and order

def test_a_score_exactly_on_a_grade_line_gets_that_grade_whatever_the_float_noise():
    # 组织 98 with these votes gives 74.99999999999999 in binary; it is 75 and must be 合格,
    # the same grade as another member whose 75 comes out exact.
    rows = {"roster": [member("A001"), member("B001")],
            "contact_log": active("A001", 5) + active("B001", 4),
            "evaluation": [ev("A001", 74, mass=(7, 6, 2), peer=(1, 2, 1, 2)),
                           ev("B001", 98, mass=(7, 4, 4), peer=(1, 2, 1, 1))]}
    s = run(rows, quotas=[quota("Q01", "联系次数", "年度", 6, 1)])
    got = by_member(s)
    assert got["A001"]["综合得分"] == got["B001"]["综合得分"] == 75.0
    assert got["A001"]["测算等次"] == got["B001"]["测算等次"] == "合格"


def test_display_rounds_as_excel_does_at_fifteen_digits():
    from dj_addin.scoring.rounding import round_half_away

    assert round_half_away(65.14999999999999) == 65.2  # the float that computing 65.15 gives
    assert round_half_away(84.95) == 85.0 and round_half_away(-0.05) == -0.1
    assert round_half_away(2.675, 2) == 2.68 and round_half_away(70.84) == 70.8


def test_unsatisfied_share_of_exactly_one_third_is_not_above_the_cap():
    rows = {"roster": [member("M1")], "contact_log": active("M1"), "evaluation": [ev("M1", 100, mass=(4, 0, 2))]}
    r = by_member(run(rows, quotas=ONE_QUOTA))["M1"]
    assert "群众不满意率" not in "".join(r["原因"])
    rows["evaluation"] = [ev("M1", 100, mass=(3, 0, 2))]  # 40 % > 1/3
    r = by_member(run(rows, quotas=ONE_QUOTA))["M1"]
    assert r["最终等次"] == "基本合格" and "群众不满意率40%超过上限33.3%" in r["原因"][0]


def test_reason_shows_a_short_quota_score_as_short():
    from dj_addin.scoring.score import _weak_reason

    assert _weak_reason(89.96, 90) == "指标完成分89.96未达到90，不评优秀"
    assert _weak_reason(75.04, 90) == "指标完成分75未达到90，不评优秀"


def test_members_demoted_before_the_cap_do_not_take_an_excellent_place():
    # 6 graded members → 2 places. X and Y score highest but are demoted at steps 2 and 4;
    # the places go to the next two by score, not to them.
    ids = ["X", "Y", "A", "B", "C", "D"]
    rows = {"roster": [member(i) for i in ids],
            "contact_log": sum((active(i) for i in ids if i != "Y"), []) + active("Y", 3),
            "evaluation": [ev("X", 100, mass=(3, 0, 2), peer=(5, 0, 0, 0)),  # 92.0, but 40 % 不满意
                           ev("Y", 100, mass=(5, 0, 0), peer=(5, 0, 0, 0)),  # 90.0, but 指标完成分 75
                           ev("A", 96), ev("B", 95), ev("C", 94), ev("D", 50)]}
    got = by_member(run(rows, quotas=[quota("Q01", "联系次数", "年度", 4, 1)]))
    assert got["X"]["测算等次"] == got["Y"]["测算等次"] == "优秀"
    g = {k: v["最终等次"] for k, v in got.items()}
    assert g["X"] == "基本合格" and g["Y"] == "合格"
    assert (g["A"], g["B"], g["C"]) == ("优秀", "优秀", "合格")
