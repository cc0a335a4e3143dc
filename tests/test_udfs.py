"""Worksheet functions: what Excel passes in, what a cell shows (interfaces.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from dj_addin.udfs import ERROR_PREFIX, dj_completion, dj_grade, dj_mass_score, dj_parse_date, dj_peer_score


@pytest.mark.parametrize("score, grade", [(90.0, "优秀"), (89.99, "合格"), (75, "合格"), (74.9, "基本合格"),
                                          (60.0, "基本合格"), (59.9, "不合格"), (0, "不合格"), ([[81.0]], "合格"),
                                          ("92", "优秀")])
def test_grade(score, grade):
    assert dj_grade(score) == grade


@pytest.mark.parametrize("bad, message", [(None, "得分不能为空"), ("优", "得分不是数字"), (101, "得分应在0到100之间"),
                                          ([[1, 2]], "请只选一个单元格")])
def test_grade_errors_are_chinese_strings(bad, message):
    assert dj_grade(bad) == ERROR_PREFIX + message


def test_mass_score_as_the_worked_example_and_minimum_votes():
    assert dj_mass_score(8.0, 2.0, 0.0) == pytest.approx(92.0)
    assert dj_mass_score(8.0, 2.0, None) == pytest.approx(92.0)  # an empty cell is 0 votes
    assert dj_mass_score([[1.0]], [[2.0]], [[1.0]]) == "#错误：群众评议票数少于5票，不计分"
    assert dj_mass_score(-1, 5, 0) == "#错误：满意票不能为负数"


def test_peer_score():
    assert dj_peer_score(3.0, 5.0, 0.0, 0.0) == pytest.approx(87.5)
    assert dj_peer_score(0, 1, 1, 0) == pytest.approx(70.0)
    assert dj_peer_score(None, None, None, None) == "#错误：没有互评票，不计分"


def test_completion_uncapped_and_target_must_be_positive():
    assert dj_completion(3.0, 2.0) == pytest.approx(1.5)
    assert dj_completion(None, 2.0) == 0.0
    assert dj_completion(1, 0) == "#错误：目标值必须大于0"
    assert dj_completion(1, None) == "#错误：目标值不能为空"
    assert dj_completion("三", 2) == "#错误：实际值不是数字"


@pytest.mark.parametrize("text", ["2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "20260305", 20260305.0,
                                  dt.datetime(2026, 3, 5, 14, 30), [["2026-03-05"]], "２０２６-03-05"])
def test_parse_date_accepted_forms(text):
    assert dj_parse_date(text) == dt.datetime(2026, 3, 5)


@pytest.mark.parametrize("text", ["2026-13-05", "昨天", "3/5/2026"])
def test_parse_date_rejects_with_accepted_forms(text):
    out = dj_parse_date(text)
    assert out.startswith(ERROR_PREFIX + "不是有效日期") and "2026年3月5日" in out


def test_parse_date_empty():
    assert dj_parse_date(None) == ERROR_PREFIX + "日期为空"


@pytest.mark.parametrize("error_value", ["#N/A", "#DIV/0!", "#VALUE!"])
def test_excel_error_values_give_a_chinese_error_not_an_exception(error_value):
    assert dj_grade(error_value) == ERROR_PREFIX + "得分不是数字"
    assert dj_mass_score(error_value, 5, 0) == ERROR_PREFIX + "满意票不是数字"
    assert dj_completion(1, [[error_value]]) == ERROR_PREFIX + "目标值不是数字"
    assert dj_parse_date(error_value).startswith(ERROR_PREFIX + "不是有效日期")


def test_grade_lines_and_votes_are_scorings(monkeypatch):
    """The UDFs read the lines and vote values from the one Settings object scoring uses."""
    import dataclasses

    from dj_addin import udfs

    monkeypatch.setattr(udfs, "_S", dataclasses.replace(udfs._S, excellent_line=85, mass_min_votes=1))
    assert dj_grade(86) == "优秀"
    assert dj_mass_score(1, 0, 0) == pytest.approx(100.0)
