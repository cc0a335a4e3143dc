"""``dj rollup BOOK… [--as-of DATE] [-o OUT | --in-place | --out-dir DIR] [--force] [--json]``: 指标汇总 (scoring.md)."""

from __future__ import annotations

import click

from dj_addin.pipeline import ROLLUP
from dj_addin.commands.run import steps_command

rollup_command = steps_command(
    "rollup", (ROLLUP,), "指标汇总（可以是多个文件或文件夹）：统计每名党员每项指标的完成情况；"
    "加 -o、--out-dir 或 --in-place 时写入「指标汇总」。",
    "指标汇总", lambda result: result.rollup.as_json())


def register(group: click.Group) -> None:
    group.add_command(rollup_command)
