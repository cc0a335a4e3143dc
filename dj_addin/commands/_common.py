"""Helpers shared by the commands: option parsing and output.

Output goes through ``echo`` and ``print_json``: a reader that stops early
(``dj … | head``) closes the pipe, and the command then finishes its work
quietly and keeps its exit code instead of failing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections import defaultdict
from typing import Any

import click

from dj_addin import context, jsondoc
from dj_addin.schema import LEVELS


def parse_as_of(value: str | None) -> dt.date | None:
    """``--as-of`` as typed, or None for the default (``context.parse_as_of`` says what is accepted)."""
    return context.parse_as_of(value, label="--as-of 的值")


def as_of_option(f):
    return click.option("--as-of", "as_of", metavar="DATE",
                        help="统计截止日期（默认今天，最晚为考核年度最后一天）")(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 文档（供其他程序使用）")(f)


# -- output that survives a closed pipe ---------------------------------------------

def _stdout_gone() -> None:
    """stdout was closed by its reader: send the rest of our output nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests): replace the object
        sys.stdout = open(os.devnull, "w", encoding="utf-8")


def echo(line: str = "", err: bool = False) -> None:
    """One line for people; long values cut (``shorten_values``)."""
    try:
        click.echo(shorten_values(line), err=err)
    except BrokenPipeError:
        if not err:
            _stdout_gone()


def print_json(doc: Any) -> None:
    """Every --json document goes out here: valid JSON, non-finite numbers as null with a finding;
    a reader that stops early does not make the command fail."""
    try:
        sys.stdout.write(jsondoc.dumps(doc) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_gone()


# -- values shown in a terminal --------------------------------------------------

SHOWN_CHARS = 60  # of a long value quoted in a message
LONG_VALUE = 120  # values longer than this are cut
_QUOTED = re.compile(r"「([^」]{%d,})」" % (LONG_VALUE + 1))
_LONG_RUN = re.compile(r"[^\s，。；：、「」（）…/\\]{%d,}" % (LONG_VALUE + 1))  # an unquoted value
MAX_LINE = 2000


def shorten(value: Any, keep: int = SHOWN_CHARS) -> str:
    """A value for a message: cut when long, saying how long it was."""
    text = str(value)
    if len(text) <= LONG_VALUE:
        return text
    return f"{text[:keep]}…（共 {len(text)} 个字符）"


def shorten_values(line: str) -> str:
    """Every 「quoted value」 longer than ``LONG_VALUE`` characters is cut, and so is a very long line."""
    if len(line) <= LONG_VALUE:
        return line
    line = _QUOTED.sub(lambda m: f"「{m.group(1)[:SHOWN_CHARS]}…」（共 {len(m.group(1))} 个字符）", line)
    line = _LONG_RUN.sub(lambda m: f"{m.group(0)[:SHOWN_CHARS]}…（共 {len(m.group(0))} 个字符）", line)
    if len(line) > MAX_LINE:
        line = f"{line[:MAX_LINE // 2]}…（这一行共 {len(line)} 个字符，已截断）"
    return line


# -- the first findings, as validate shows them ---------------------------------------

def findings_lines(report, limit: int) -> list[str]:
    """Up to ``limit`` findings, 错误 first, grouped by sheet, and how many were left out."""
    if not report.findings:
        return []
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    shown = sorted(report.findings, key=lambda f: rank.get(f.level, 9))[:limit]
    by_sheet: dict[str, list] = defaultdict(list)
    for f in shown:
        by_sheet[f.sheet or "（整个文件）"].append(f)
    lines = []
    for sheet, fs in by_sheet.items():
        lines.append(f"【{sheet}】")
        for f in sorted(fs, key=lambda f: (rank.get(f.level, 9), f.row or 0)):
            cell = f"{f.column}{f.row}：" if f.row and f.column else ""  # the message itself names the row
            lines.append(f"  [{f.level}] {cell}{f.message}{f.suggestion}")
    rest = len(report.findings) - len(shown)
    if rest > 0:
        lines.append(f"……另有 {rest} 条未列出，完整清单见「问题清单」工作表（用 -o 或 --in-place 写入）。")
    return lines


def counts_text(counts: dict[str, int]) -> str:
    return "，".join(f"{lv} {counts.get(lv, 0)} 个" for lv in LEVELS)
