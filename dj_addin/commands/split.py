"""``dj split BOOK --out DIR [--force] [--json]``: 下发 (``dj_addin.split.split_book``):
one pre-filled workbook per unit of 下级单位."""

from __future__ import annotations

from pathlib import Path

import click

from dj_addin.commands._common import json_option, print_json
from dj_addin.split import split_book


@click.command("split")
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="写入下发工作簿的文件夹（没有时自动建立）")
@click.option("--force", is_flag=True, help="文件夹中已有同名工作簿时覆盖它们")
@json_option
@click.pass_context
def split_command(ctx: click.Context, book: Path, out_dir: Path, force: bool, as_json: bool) -> None:
    """拆分下发：为「下级单位」中的每个单位写一个预先填好的工作簿（本单位党员、联系对象、上级的指标设置和评分规则）。"""

    def progress(done: int, total: int, name: str) -> None:
        if not as_json and name:
            click.echo(f"  [{done + 1}/{total}] {name}", err=True)

    result = split_book(book, out_dir, force=force, progress=progress)
    if as_json:
        print_json(result.as_json())
    else:
        for line in result.summary_lines():
            click.echo(line)
    ctx.exit(result.exit_code)


def register(group: click.Group) -> None:
    group.add_command(split_command)
