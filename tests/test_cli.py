"""The command line speaks Chinese even for mistyped commands and options."""

from __future__ import annotations

from pathlib import Path

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


@pytest.mark.parametrize("args, expected", [
    (["demo", "--seed", "abc"], "--seed 的值无效：「abc」不是整数"),
    (["demo", "--out", "README.md"], "「README.md」是文件，不是文件夹"),
])
def test_parameter_errors_are_chinese(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and expected in result.output
    assert "is not" not in result.output and "Invalid value" not in result.output


def test_unwritable_output_is_a_chinese_line(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["demo", "--out", str(blocker / "sub")])
    assert result.exit_code == 2
    assert result.output.startswith("错误：") or "错误：" in result.output
    assert "Traceback" not in result.output and "Errno" not in result.output


def test_help_is_chinese() -> None:
    result = CliRunner().invoke(main, ["validate", "-h"])
    assert "显示本帮助并退出。" in result.output and "Show this message" not in result.output


@pytest.mark.parametrize("command", ["validate", "run", "clear-marks"])
def test_output_must_be_a_new_workbook_of_the_same_kind(tmp_path, command) -> None:
    import shutil

    book = tmp_path / "支部.xlsx"
    shutil.copy(Path(__file__).resolve().parents[1] / "workbook_template.xlsx", book)
    before = book.read_bytes()
    for out, expected in ((tmp_path / "结果.csv", "扩展名应与原文件相同"), (book, "-o 指向了原文件")):
        result = CliRunner().invoke(main, [command, str(book), "-o", str(out)])
        assert result.exit_code == 2 and expected in result.output, result.output
    assert book.read_bytes() == before and not (tmp_path / "结果.csv").exists()
