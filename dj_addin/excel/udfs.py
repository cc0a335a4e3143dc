"""Worksheet functions for Excel: xlwings decorators over the core's ``dj_addin.udfs``.

The add-in's hidden xlwings.conf sheet names this module (``UDF MODULES =
dj_addin.excel.udfs``); xlwings' 导入函数 (Import Functions) registers them
in the add-in, never in the data workbook, which stays macro-free. Each
function only calls the single implementation in the core (same settings
and grade lines as scoring). Excel shows the docstring in its function
wizard and each ``doc`` beside the argument, so they are Chinese. The
names are upper case because xlwings names the Excel function after the
Python function. A workbook using them shows values only where the add-in
is installed; the template's own formulas are native for that reason.
"""

from __future__ import annotations

import xlwings as xw

from dj_addin import udfs as core

CATEGORY = "党建助手"


@xw.func(category=CATEGORY)
@xw.arg("score", doc="综合得分（0 到 100 的数，或含得分的单元格）")
def DJ_GRADE(score):
    """按默认等次线（90 优秀、75 合格、60 基本合格）给出综合得分的测算等次。"""
    return core.dj_grade(score)


@xw.func(category=CATEGORY)
@xw.arg("satisfied", doc="满意票数")
@xw.arg("basic", doc="基本满意票数")
@xw.arg("unsatisfied", doc="不满意票数")
def DJ_MASS_SCORE(satisfied, basic, unsatisfied):
    """群众评议分：满意 100、基本满意 60、不满意 0 分，按票数加权平均；票数不足时显示原因。"""
    return core.dj_mass_score(satisfied, basic, unsatisfied)


@xw.func(category=CATEGORY)
@xw.arg("excellent", doc="优秀票数")
@xw.arg("passed", doc="合格票数")
@xw.arg("basic", doc="基本合格票数")
@xw.arg("failed", doc="不合格票数")
def DJ_PEER_SCORE(excellent, passed, basic, failed):
    """党员互评分：优秀 100、合格 80、基本合格 60、不合格 0 分，按票数加权平均。"""
    return core.dj_peer_score(excellent, passed, basic, failed)


@xw.func(category=CATEGORY)
@xw.arg("actual", doc="实际值（空白按 0）")
@xw.arg("target", doc="目标值（大于 0）")
def DJ_COMPLETION(actual, target):
    """完成率 = 实际值 ÷ 目标值（不封顶；请把单元格设为百分比格式）。"""
    return core.dj_completion(actual, target)


@xw.func(category=CATEGORY)
@xw.arg("text", doc="日期文字，如 2026-03-05、2026/3/5、2026.3.5、2026年3月5日、20260305")
def DJ_PARSE_DATE(text):
    """把各种写法的日期变成真正的日期（请把单元格设为日期格式）。"""
    return core.dj_parse_date(text)


FUNCTIONS = (DJ_GRADE, DJ_MASS_SCORE, DJ_PEER_SCORE, DJ_COMPLETION, DJ_PARSE_DATE)
