"""Worksheet functions (interfaces.md): DJ_GRADE, DJ_MASS_SCORE, DJ_PEER_SCORE,
DJ_COMPLETION, DJ_PARSE_DATE, as pure functions with the default settings.

They take what Excel passes (floats for integers, None for empty cells,
datetimes, strings, 1×1 two-dimensional lists for single-cell ranges) and
return what a cell can show: a float, a string or a datetime, or a Chinese
error string starting with ``#错误：`` instead of raising. The Excel adapter
wraps them with xlwings decorators; nothing here imports xlwings.

The rules themselves are scoring's, not copies: the grade lines
(``score.grade_for``), the vote values and minimum votes
(``score.vote_score`` with ``mass_values``/``peer_values``) and 完成率
(``table.completion_rate``), with the default Settings.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

from dj_addin import normalize as nz
from dj_addin.rollup.table import completion_rate
from dj_addin.schema import DATE_FORMS_TEXT
from dj_addin.scoring.rounding import snap
from dj_addin.scoring.score import PEER_MIN_VOTES, grade_for, mass_values, peer_values, vote_score
from dj_addin.scoring.settings import DEFAULT_SETTINGS

ERROR_PREFIX = "#错误："
_S = DEFAULT_SETTINGS


class _UdfError(ValueError):
    """A message for the cell."""


def _scalar(value: Any) -> Any:
    """A 1×1 range arrives as [[v]] (or [v]); anything bigger is an error."""
    while isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise _UdfError("请只选一个单元格")
        value = value[0]
    return value


def _number(value: Any, what: str, *, blank: float | None = None) -> float:
    value = _scalar(value)
    f = nz.parse_number(value)
    if f is None:
        if blank is None:
            raise _UdfError(f"{what}不能为空")
        return blank
    if f is nz.INVALID:
        raise _UdfError(f"{what}不是数字")
    return float(f)


def _count(value: Any, what: str) -> float:
    f = _number(value, what, blank=0.0)
    if f < 0:
        raise _UdfError(f"{what}不能为负数")
    return f


def _safe(func):
    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        try:
            return func(*args)
        except _UdfError as exc:
            return ERROR_PREFIX + str(exc)
    return wrapper


@_safe
def dj_grade(score: Any) -> str:
    """测算等次 of a 综合得分: ≥ 90 优秀, ≥ 75 合格, ≥ 60 基本合格, else 不合格 (the default lines)."""
    s = snap(_number(score, "得分"))
    if s < 0 or s > 100:
        raise _UdfError("得分应在0到100之间")
    return grade_for(s, _S)


@_safe
def dj_mass_score(satisfied: Any, basic: Any, unsatisfied: Any) -> float | str:
    """群众评议分: vote-weighted mean of 100/60/0; an error when votes < 群众评议最少票数."""
    counts = [_count(satisfied, "满意票"), _count(basic, "基本满意票"), _count(unsatisfied, "不满意票")]
    value = vote_score(counts, mass_values(_S), _S.mass_min_votes)
    if math.isnan(value):
        raise _UdfError(f"群众评议票数少于{_S.mass_min_votes:g}票，不计分")
    return value


@_safe
def dj_peer_score(excellent: Any, passed: Any, basic: Any, failed: Any) -> float | str:
    """党员互评分: vote-weighted mean of 100/80/60/0; an error when there are no votes."""
    counts = [_count(excellent, "优秀票"), _count(passed, "合格票"), _count(basic, "基本合格票"),
              _count(failed, "不合格票")]
    value = vote_score(counts, peer_values(_S), PEER_MIN_VOTES)
    if math.isnan(value):
        raise _UdfError("没有互评票，不计分")
    return value


@_safe
def dj_completion(actual: Any, target: Any) -> float | str:
    """完成率 = 实际值 / 目标值, uncapped (format the cell as a percentage)."""
    t = _number(target, "目标值")
    if t <= 0:
        raise _UdfError("目标值必须大于0")
    a = _number(actual, "实际值", blank=0.0)
    if a < 0:
        raise _UdfError("实际值不能为负数")
    rate = completion_rate(a, t)
    if not math.isfinite(rate):
        raise _UdfError("数值过大，无法计算")
    return rate


@_safe
def dj_parse_date(text: Any) -> dt.datetime | str:
    """A date typed in any accepted form (2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305)
    as a real date (a datetime, which Excel shows as a date)."""
    value = _scalar(text)
    if isinstance(value, float) and math.isnan(value):
        value = None
    d = nz.parse_date(value)
    if d is None:
        raise _UdfError("日期为空")
    if d is nz.INVALID:
        raise _UdfError(f"不是有效日期，可写成 {DATE_FORMS_TEXT}")
    return dt.datetime(d.year, d.month, d.day)
