"""Helpers shared by the commands: option parsing and output."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from dj_addin import context, jsondoc


def parse_as_of(value: str | None) -> dt.date | None:
    """``--as-of`` as typed, or None for the default (``context.parse_as_of`` says what is accepted)."""
    return context.parse_as_of(value, label="--as-of 的值")


def as_of_option(f):
    return click.option("--as-of", "as_of", metavar="DATE",
                        help="统计截止日期（默认今天，最晚为考核年度最后一天）")(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 文档（供其他程序使用）")(f)


def print_json(doc: Any) -> None:
    """Every --json document goes out here: valid JSON, non-finite numbers as null with a finding."""
    sys.stdout.write(jsondoc.dumps(doc) + "\n")
