"""``dj score BOOK… [--as-of DATE] [-o OUT | --in-place | --out-dir DIR] [--force] [--json]``: 考评计分 (scoring.md)."""

from __future__ import annotations

import click

from dj_addin.pipeline import SCORE
from dj_addin.commands.run import steps_command

score_command = steps_command(
    "score", (SCORE,), "考评计分（可以是多个文件或文件夹）：计算综合得分、排名和等次；"
    "加 -o、--out-dir 或 --in-place 时写入「考评结果」。",
    "考评结果", lambda result: result.scores.as_json())


def register(group: click.Group) -> None:
    group.add_command(score_command)
