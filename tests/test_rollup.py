"""指标汇总: metrics, periods, quotas, completion and the per-unit summary (scoring.md).

``memory_book`` builds a ``Book`` through the reader's own grid → table code
(no file), so these tests and the property tests stay fast; the worked
example in test_scoring.py goes through a real .xlsx file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping

import pytest

from dj_addin import schema
from dj_addin.context import RunContext
from dj_addin.model import Book
from dj_addin.xlsx.reader import book_from_grids, read_book
from dj_addin.xlsx.grid import Grid
from dj_addin.rollup.table import Rollup, rollup
from builders import DEFAULT_META, make_book

AS_OF = dt.date(2026, 12, 31)


def memory_book(rows: Mapping[str, Iterable[Mapping[str, Any]]] | None = None, *,
                meta: Mapping[str, Any] | None = None, quotas: Iterable[tuple] | None = None,
                scoring_rules: Mapping[str, Any] | None = None, drop: Iterable[str] = ()) -> Book:
    """A Book as the reader makes it from a workbook with these rows (like builders.make_book,
    except that optional data sheets without rows are left out, i.e. read as empty)."""
    rows = dict(rows or {})
    if "quotas" not in rows:
        rows["quotas"] = [dict(zip(schema.QUOTAS.keys, t)) for t in (quotas if quotas is not None
                                                                     else schema.DEFAULT_QUOTAS)]
    grids: dict[str, Grid] = {}
    for spec in schema.READ_SHEETS:
        if spec.key in set(drop):
            continue
        if spec.kind is schema.SheetKind.DATA and not spec.required and spec.key not in rows:
            continue  # read as an empty sheet; leaving it out keeps hypothesis examples cheap
        if spec.kind is schema.SheetKind.KV:
            items = {**DEFAULT_META, **(meta or {})} if spec.key == schema.META.key else dict(scoring_rules or {})
            grid_rows = [list(spec.kv_headers)] + [[c.header, items[c.key]] for c in spec.columns if c.key in items]
        else:
            grid_rows = [spec.headers] + [[_cell(r.get(k)) for k in spec.keys] for r in rows.get(spec.key, ())]
        grids[spec.name] = Grid(spec.name, grid_rows)
    return book_from_grids(list(grids), grids)


def _cell(value: Any) -> Any:
    return "、".join(value) if isinstance(value, tuple) else value


def member(mid: str, **kw: Any) -> dict[str, Any]:
    return {"member_id": mid, "name": "党员" + mid, "category": "教职工党员", "status": "正式党员", **kw}


def contact(mid: str, tid: str, date: dt.date, **kw: Any) -> dict[str, Any]:
    return {"date": date, "member_id": mid, "target_id": tid, "method": "谈心谈话", "content": "了解思想和工作情况", **kw}


def target(tid: str, mid: str) -> dict[str, Any]:
    return {"target_id": tid, "name": "对象" + tid, "target_type": "普通教职工", "member_id": mid}


def quota(code: str, metric: str, kind: str = "年度", target_value: float = 1, weight: float = 1,
          scope: str = "全体党员") -> tuple:
    return (code, "指标" + code, scope, metric, kind, target_value, weight)


def rows_of(r: Rollup, mid: str, code: str) -> dict[str, tuple]:
    """period → (实际值, 完成率, 状态) of one member and quota."""
    sel = r.rows[(r.rows["member_id"] == mid) & (r.rows["quota_code"] == code)]
    return {p: (a, rate, s) for p, a, rate, s in zip(sel["period"], sel["actual"], sel["rate"], sel["state"])}


# --------------------------------------------------------------------------- periods and states

def test_quarters_up_to_as_of_current_in_progress_later_not_listed():
    log = [contact("M1", "T1", dt.date(2026, 1, 5)), contact("M1", "T1", dt.date(2026, 2, 5)),
           contact("M1", "T1", dt.date(2026, 7, 1))]
    book = memory_book({"roster": [member("M1")], "targets": [target("T1", "M1")], "contact_log": log},
                       quotas=[quota("Q01", "联系次数", "季度", 2, 3)])
    r = rollup(RunContext.build(book, dt.date(2026, 8, 15)))
    assert rows_of(r, "M1", "Q01") == {"2026Q1": (2, 1.0, "达标"), "2026Q2": (0, 0.0, "未达标"),
                                       "2026Q3": (1, 0.5, "进行中")}
    # completion = mean over the ended quarters only: (1 + 0) / 2
    assert r.quota_score["M1"] == pytest.approx(50.0)
    assert r.unmet == {"M1": ["Q01"]}


def test_before_any_period_ends_the_current_one_gives_the_figure():
    book = memory_book({"roster": [member("M1")], "contact_log": [contact("M1", "T1", dt.date(2026, 1, 5))]},
                       quotas=[quota("Q01", "联系次数", "季度", 2, 3), quota("Q02", "联系对象人数", "年度", 4, 1)])
    r = rollup(RunContext.build(book, dt.date(2026, 2, 1)))
    assert rows_of(r, "M1", "Q01") == {"2026Q1": (1, 0.5, "进行中")}
    assert rows_of(r, "M1", "Q02") == {"2026": (1, 0.25, "进行中")}
    assert r.quota_score["M1"] == pytest.approx(100 * (3 * 0.5 + 1 * 0.25) / 4)
    assert r.unmet == {}


def test_as_of_after_the_year_is_clamped_to_its_last_day():
    book = memory_book({"roster": [member("M1")]}, quotas=[quota("Q01", "联系次数", "季度", 1)])
    r = rollup(RunContext.build(book, dt.date(2027, 3, 1)))
    assert r.as_of == AS_OF
    assert set(rows_of(r, "M1", "Q01")) == {"2026Q1", "2026Q2", "2026Q3", "2026Q4"}


def test_rows_outside_the_year_or_after_as_of_do_not_count():
    log = [contact("M1", "T1", dt.date(2025, 12, 31)), contact("M1", "T1", dt.date(2026, 3, 1)),
           contact("M1", "T1", dt.date(2026, 9, 30)), contact("M1", "T1", dt.date(2027, 1, 1))]
    book = memory_book({"roster": [member("M1")], "contact_log": log}, quotas=[quota("Q", "联系次数", "年度", 5)])
    assert rows_of(rollup(RunContext.build(book, dt.date(2026, 9, 1))), "M1", "Q") == {"2026": (1, 0.2, "进行中")}
    assert rows_of(rollup(RunContext.build(book, AS_OF)), "M1", "Q") == {"2026": (2, 0.4, "未达标")}


def test_rate_uncapped_for_display_capped_for_scoring():
    log = [contact("M1", f"T{i}", dt.date(2026, 3, i + 1)) for i in range(6)]
    book = memory_book({"roster": [member("M1")], "contact_log": log}, quotas=[quota("Q", "联系次数", "年度", 2)])
    r = rollup(RunContext.build(book, AS_OF))
    row = r.rows.iloc[0]
    assert (row["rate"], row["rate_capped"], row["state"]) == (3.0, 1.0, "达标")
    assert r.quota_score["M1"] == 100.0
    table = r.to_table().rows
    assert list(table.columns) == [c.key for c in schema.ROLLUP.columns]
    assert table.loc[0, "rate"] == 3.0


# --------------------------------------------------------------------------- metrics

def test_each_metric_counts_its_own_sheet():
    roster = [member("C1", cadre_level="处级干部", branch_post="书记"), member("M2")]
    research = [
        {"member_id": "C1", "start_date": dt.date(2026, 4, 1), "end_date": dt.date(2026, 4, 3), "days": None,
         "topic": "调研", "has_report": "是", "report_title": "报告"},  # blank days → 3 from the dates
        {"member_id": "C1", "start_date": dt.date(2026, 5, 1), "end_date": dt.date(2026, 5, 9), "days": 2.5,
         "topic": "调研", "has_report": "否"},
        {"member_id": "C1", "start_date": dt.date(2026, 6, 1), "end_date": dt.date(2026, 6, 2), "days": "两天",
         "topic": "调研", "has_report": "是"},  # unreadable days → 0, still a trip and a report
    ]
    rows = {
        "roster": roster, "research": research,
        "reception": [{"date": dt.date(2026, 5, 8), "leader_id": "C1", "visitors": 5}] * 3,
        "point_visits": [{"cadre_id": "C1", "date": dt.date(2026, 6, 1), "content": "走访"}] * 2,
        "forums": [{"date": dt.date(2026, 6, 1), "topic": "座谈", "reason": "其他", "host_id": "C1"},
                   {"date": dt.date(2026, 7, 1), "topic": "座谈", "reason": "其他", "host_id": "M2"}],
        "activities": [{"date": dt.date(2026, 9, 1), "name": "活动", "brand": "其他", "member_ids": ("C1", "M2")},
                       {"date": dt.date(2026, 9, 2), "name": "活动", "brand": "其他", "member_ids": ("m2",)}],
    }
    quotas = [quota("D", "调研天数", target_value=100), quota("N", "调研次数", target_value=100),
              quota("R", "调研报告数", target_value=100), quota("J", "接待日次数", target_value=100),
              quota("V", "联系点走访次数", target_value=100), quota("F", "主持座谈会次数", target_value=100),
              quota("A", "载体活动次数", target_value=100)]
    r = rollup(RunContext.build(memory_book(rows, quotas=quotas), AS_OF))
    actual = {code: rows_of(r, "C1", code)["2026"][0] for code in "DNRJVFA"}
    assert actual == {"D": 5.5, "N": 3, "R": 2, "J": 3, "V": 2, "F": 1, "A": 1}
    assert rows_of(r, "M2", "A")["2026"][0] == 2  # IDs compare case-insensitively
    assert rows_of(r, "M2", "F")["2026"][0] == 1


def test_ratio_quotas_do_not_apply_when_nothing_to_count():
    rows = {"roster": [member("M1"), member("M2")], "targets": [target("T1", "M1"), target("T2", "M1")],
            "contact_log": [contact("M1", "T1", dt.date(2026, 3, 1), request="修路", handling="已反馈上级"),
                            contact("M1", "T9", dt.date(2026, 3, 2), request="加灯", handling="办理中"),
                            contact("M2", "T2", dt.date(2026, 3, 3))]}  # T2 is M1's: not M2's coverage
    quotas = [quota("Q03", "结对对象覆盖率", target_value=1, weight=2), quota("Q04", "意见办结率", target_value=0.9),
              quota("Q05", "载体活动次数", target_value=2)]
    r = rollup(RunContext.build(memory_book(rows, quotas=quotas), AS_OF))
    assert rows_of(r, "M1", "Q03") == {"2026": (0.5, 0.5, "未达标")}
    assert rows_of(r, "M1", "Q04")["2026"][0] == 0.5
    assert rows_of(r, "M2", "Q03") == {} and rows_of(r, "M2", "Q04") == {}
    # M2: only Q05 applies (0 of 2) → 0; M1: (2×0.5 + 1×0.5/0.9 + 1×0) / 4
    assert r.quota_score["M2"] == 0.0
    assert r.quota_score["M1"] == pytest.approx(100 * (2 * 0.5 + 0.5 / 0.9) / 4)


def test_scope_of_quotas_follows_the_roster():
    roster = [member("S1", cadre_level="校级干部"), member("P1", category="学生党员", branch_post="支委"),
              member("R1", category="离退休党员")]
    quotas = [quota("ALL", "联系次数"), quota("STU", "联系次数", scope="学生党员"),
              quota("SCH", "调研天数", scope="校级干部"), quota("COM", "联系次数", scope="支委")]
    r = rollup(RunContext.build(memory_book({"roster": roster}, quotas=quotas), AS_OF))
    applied = r.rows.groupby("member_id")["quota_code"].apply(set).to_dict()
    assert applied == {"S1": {"ALL", "SCH"}, "P1": {"ALL", "STU", "COM"}}
    assert pd_isna(r.quota_score["R1"])  # no applicable quota: the component is missing


def pd_isna(v: Any) -> bool:
    return v != v  # NaN


def test_unusable_quota_rows_are_skipped_and_defaults_used_when_sheet_missing_or_empty():
    rows = {"roster": [member("M1")],
            "quotas": [dict(zip(schema.QUOTAS.keys, q)) for q in
                       [quota("A", "联系次数"), quota("A", "联系次数", target_value=3), quota("B", "未知口径"),
                        quota("C", "联系次数", target_value=0), quota("D", "联系次数", weight=-1)]]}
    r = rollup(RunContext.build(memory_book(rows), AS_OF))
    assert [q.code for q in r.quotas] == ["A"] and r.quotas[0].target == 1
    missing = rollup(RunContext.build(memory_book({"roster": [member("M1")]}, drop=["quotas"]), AS_OF))
    empty = rollup(RunContext.build(memory_book({"roster": [member("M1")], "quotas": []}), AS_OF))
    defaults = [q[0] for q in schema.DEFAULT_QUOTAS]
    assert [q.code for q in missing.quotas] == defaults == [q.code for q in empty.quotas]


def test_roster_duplicates_and_blank_ids_counted_once():
    roster = [member("M1"), member("m1", name="重复"), {"name": "无编号", "category": "教职工党员"}]
    r = rollup(RunContext.build(memory_book({"roster": roster}, quotas=[quota("Q", "联系次数")]), AS_OF))
    assert list(r.members.index) == ["M1"]
    assert len(r.rows) == 1


# --------------------------------------------------------------------------- per-unit summary and outputs

def test_unit_summary_per_branch_blank_branch_is_the_books_unit():
    roster = [member("M1"), member("M2", branch_code="D0102"), member("M3", branch_code="D0102")]
    log = [contact("M1", "T", dt.date(2026, 2, 1)), contact("M2", "T", dt.date(2026, 2, 1)),
           contact("M3", "T", dt.date(2026, 5, 1))]
    book = memory_book({"roster": roster, "contact_log": log}, quotas=[quota("Q01", "联系次数", "季度")])
    r = rollup(RunContext.build(book, dt.date(2026, 7, 15)))
    s = r.unit_summary
    got = {(b, p): (n, m) for b, p, n, m in zip(s["branch_code"], s["period"], s["members"], s["met"])}
    assert got == {("D0101", "2026Q1"): (1, 1), ("D0101", "2026Q2"): (1, 0),
                   ("D0102", "2026Q1"): (2, 1), ("D0102", "2026Q2"): (2, 1)}
    assert "2026Q3" not in set(s["period"])  # not ended
    assert r.unit_members.to_dict() == {"D0101": 1, "D0102": 2}
    table = r.to_table().unit_summary
    assert list(table.columns) == ["branch_code", "unit_members", "quota_code", "quota_name", "period",
                                   "members", "met", "rate"]
    assert dict(zip(table["branch_code"], table["unit_members"])) == {"D0101": 1, "D0102": 2}


def test_rollup_json_has_the_interface_keys(tmp_path):
    path = make_book(tmp_path / "b.xlsx", rows={"roster": [member("M1")],
                                                 "contact_log": [contact("M1", "T1", dt.date(2026, 3, 1))]},
                     quotas=[quota("Q02", "联系对象人数", target_value=3)])
    doc = rollup(RunContext.build(read_book(path), AS_OF)).as_json()
    assert doc["file"] == "b.xlsx" and doc["as_of"] == "2026-12-31"
    assert doc["rows"] == [{"党员编号": "M1", "指标代码": "Q02", "期间": "2026", "目标值": 3.0, "实际值": 1.0,
                            "完成率": 0.3333, "状态": "未达标"}]


# --------------------------------------------------------------------------- periods and rounding

def test_periods_end_on_their_last_day():
    from dj_addin.rollup.periods import periods_for, quarter_periods

    q = quarter_periods(2026)
    assert [(p.label, p.start, p.end) for p in q][1] == ("2026Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert q[0].ended(dt.date(2026, 3, 31)) and not q[1].ended(dt.date(2026, 6, 29))
    assert [p.label for p in periods_for("季度", 2026, dt.date(2026, 4, 1))] == ["2026Q1", "2026Q2"]
    assert [p.label for p in periods_for("年度", 2026, dt.date(2025, 12, 31))] == []


@pytest.mark.parametrize("x, digits, shown", [(70.85, 1, 70.9), (2.675, 2, 2.68), (0.05, 1, 0.1), (-0.25, 1, -0.3),
                                              (80.95, 1, 81.0), (1 / 3, 4, 0.3333), (2 / 3, 4, 0.6667),
                                              (None, 1, None), (float("nan"), 1, None)])
def test_round_half_away_from_zero_like_excel(x, digits, shown):
    from dj_addin.scoring.rounding import round_half_away

    assert round_half_away(x, digits) == shown
