"""``dj ballots BOOK [-o OUT] [--copies N] [--force]``: 打印评议票 (scoring.md 评议票)."""

from __future__ import annotations

from pathlib import Path

import click

from dj_addin.ballots import make_ballots
from dj_addin.commands._common import json_option, print_json


@click.command("ballots")
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件（默认「<工作簿名>_评议票.xlsx」，放在工作簿旁边）")
@click.option("--copies", default=20, show_default=True, type=int, help="群众评议票的份数")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖它")
@json_option
def ballots_command(book: Path, out: Path | None, copies: int, force: bool, as_json: bool) -> None:
    """打印评议票：按党员名册生成党员互评票、群众评议票和计票表（A4，可直接打印）。"""
    result = make_ballots(book, out, mass_copies=copies, force=force)
    if as_json:
        print_json(result.as_json())
    else:
        for line in result.summary_lines():
            click.echo(line)


def register(group: click.Group) -> None:
    group.add_command(ballots_command)
