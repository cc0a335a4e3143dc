"""Helpers shared by the commands: option parsing and output."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

import click

from dj_addin.errors import UsageError
from dj_addin.normalize import INVALID, parse_date


def parse_as_of(value: str | None) -> dt.date | None:
    """``--as-of`` in any accepted date form, or None for the default."""
    if value is None:
        return None
    d = parse_date(value)
    if d is None or d is INVALID:
        raise UsageError(f"--as-of 的值「{value}」不是有效日期；请写成 2026-12-31 这样的日期。")
    return d


def as_of_option(f):
    return click.option("--as-of", "as_of", metavar="DATE",
                        help="统计截止日期（默认今天，最晚为考核年度最后一天）")(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 文档（供其他程序使用）")(f)


def print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")
