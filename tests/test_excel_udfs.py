"""The worksheet functions as the add-in registers them: xlwings decorators over the core's ``udfs``.

On Linux xlwings' decorators do nothing, so the decorators' arguments are
checked by importing the module under a recording stand-in for ``xlwings``;
the values are the ones Excel passes (floats, None, datetimes, 2-D lists,
error values as text such as '#N/A').
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re
import sys
import types
from pathlib import Path

import pytest

from dj_addin import udfs as core
from dj_addin.addin.buttons import UDF_MODULE

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def registered(monkeypatch):
    """dj_addin.excel.udfs imported under a stand-in xlwings that records what the decorators say."""
    seen: dict[str, dict] = {}

    def func(**kw):
        def deco(f):
            seen.setdefault(f.__name__, {"args": {}})["func"] = kw
            return f
        return deco

    def arg(name, **kw):
        def deco(f):
            seen.setdefault(f.__name__, {"args": {}})["args"][name] = kw
            return f
        return deco

    fake = types.ModuleType("xlwings")
    fake.func, fake.arg, fake.ret = func, arg, lambda **kw: (lambda f: f)
    monkeypatch.setitem(sys.modules, "xlwings", fake)
    monkeypatch.delitem(sys.modules, UDF_MODULE, raising=False)
    module = importlib.import_module(UDF_MODULE)
    yield module, seen
    sys.modules.pop(UDF_MODULE, None)


def test_every_function_is_registered_with_chinese_descriptions(registered):
    module, seen = registered
    names = {f.__name__ for f in module.FUNCTIONS}
    assert names == {"DJ_GRADE", "DJ_MASS_SCORE", "DJ_PEER_SCORE", "DJ_COMPLETION", "DJ_PARSE_DATE"}
    for f in module.FUNCTIONS:
        assert seen[f.__name__]["func"] == {"category": "党建助手"}
        assert CJK.search(f.__doc__), f.__name__  # the function wizard shows the docstring
        params = list(inspect.signature(f).parameters)
        assert set(seen[f.__name__]["args"]) == set(params), f.__name__
        for p in params:
            assert CJK.search(seen[f.__name__]["args"][p]["doc"]), (f.__name__, p)


def test_the_functions_call_the_single_core_implementation(registered):
    module, _ = registered
    source = inspect.getsource(module)
    assert "grade_for" not in source and "vote_score" not in source  # no second copy of the rules
    assert module.DJ_GRADE(90.0) == core.dj_grade(90.0) == "优秀"


@pytest.mark.parametrize("call, expected", [
    (("DJ_GRADE", 74.9), "基本合格"),
    (("DJ_GRADE", [[95.0]]), "优秀"),
    (("DJ_GRADE", None), core.ERROR_PREFIX + "得分不能为空"),
    (("DJ_GRADE", "#N/A"), core.ERROR_PREFIX + "得分不是数字"),
    (("DJ_MASS_SCORE", 8.0, 2.0, None), 92.0),
    (("DJ_MASS_SCORE", [[8.0]], [[2.0]], [[0.0]]), 92.0),
    (("DJ_PEER_SCORE", 5.0, 5.0, 0.0, 0.0), 90.0),
    (("DJ_COMPLETION", None, 4.0), 0.0),
    (("DJ_COMPLETION", 6.0, 4.0), 1.5),
    (("DJ_PARSE_DATE", "2026年3月5日"), dt.datetime(2026, 3, 5)),
    (("DJ_PARSE_DATE", dt.datetime(2026, 3, 5)), dt.datetime(2026, 3, 5)),
    (("DJ_PARSE_DATE", 20260305.0), dt.datetime(2026, 3, 5)),
])
def test_values_excel_passes(registered, call, expected):
    module, _ = registered
    name, *args = call
    got = getattr(module, name)(*args)
    assert got == (pytest.approx(expected) if isinstance(expected, float) else expected)


@pytest.mark.parametrize("name, args", [("DJ_MASS_SCORE", ("#N/A", 1.0, 1.0)), ("DJ_PEER_SCORE", ("#DIV/0!", 0, 0, 0)),
                                        ("DJ_COMPLETION", (1.0, "#VALUE!")), ("DJ_PARSE_DATE", ("#REF!",))])
def test_error_values_give_a_chinese_message_not_an_exception(registered, name, args):
    module, _ = registered
    got = getattr(module, name)(*args)
    assert isinstance(got, str) and got.startswith(core.ERROR_PREFIX) and CJK.search(got)


def test_only_the_excel_package_imports_xlwings():
    root = Path(__file__).resolve().parents[1] / "dj_addin"
    importing = re.compile(r"^\s*(import xlwings|from xlwings)", re.M)
    found = {p.relative_to(root).as_posix() for p in root.rglob("*.py") if importing.search(p.read_text("utf-8"))}
    assert found and all(p.startswith("excel/") for p in found), found
