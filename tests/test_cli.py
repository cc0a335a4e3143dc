"""The command line speaks Chinese even for mistyped commands and options."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from dj_addin.cli import main


@pytest.mark.parametrize("args, expected", [
    (["validate"], "缺少参数 BOOK"),
    (["validat", "x.xlsx"], "没有命令「validat」（是不是 validate？）"),
    (["validate", "x.xlsx", "--in-plac"], "没有选项 --in-plac（是不是 --in-place？）"),
    (["validate", "x.xlsx", "--as-of"], "选项 --as-of 后面需要一个值"),
    (["validate", "x.xlsx", "--as-of", "明天"], "不是有效日期"),
    (["validate", "不存在.xlsx"], "找不到文件"),
])
def test_usage_errors_are_one_chinese_line_and_exit_2(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误：") and expected in lines[0]
    assert "Traceback" not in result.output and "Error:" not in result.output


def test_every_command_of_the_spec_is_there() -> None:
    for name in ("template", "demo", "validate", "clear-marks", "rollup", "score", "run"):
        result = CliRunner().invoke(main, [name, "-h"])
        assert result.exit_code == 0, name
