"""``dj clear-marks BOOK [-o OUT | --in-place]``: undo every validation mark.

Cells get back exactly the fill and note they had before they were marked.
Without -o or --in-place it only says how many cells are marked.
"""

from __future__ import annotations

from pathlib import Path

import click
import openpyxl

from dj_addin.xlsx.safety import check_package
from dj_addin.xlsx.marks import read_records
from dj_addin.xlsx.save import clear_marks, keep_backup
from dj_addin.commands._common import json_option, print_json
from dj_addin.commands.validate import output_target


def count_marks(book: Path) -> int:
    """Cells currently marked (usable records of our hidden marks sheet)."""
    wb = openpyxl.load_workbook(book, read_only=True)
    try:
        return len(read_records(wb))
    finally:
        wb.close()


@click.command("clear-marks")
@click.argument("book", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="OUT",
              help="把清除标记后的工作簿写到新文件 OUT（原文件不变）")
@click.option("--in-place", is_flag=True, help="直接写回原文件（先保留备份 BOOK.bak.xlsx）")
@json_option
def clear_marks_command(book: Path, out: Path | None, in_place: bool, as_json: bool) -> None:
    """清除校验标记：把标记过的单元格恢复成原来的颜色和批注。"""
    dest = output_target(book, out, in_place)
    check_package(book)
    if dest is None:
        n = count_marks(book)
        if as_json:
            print_json({"file": book.name, "output": None, "marked": n, "restored": 0})
        else:
            click.echo(f"「{book.name}」中有 {n} 个单元格带校验标记；加 -o 输出文件 或 --in-place 清除。")
        return
    backup = keep_backup(book) if in_place else None
    notices: list[str] = []
    restored = clear_marks(book, dest, notices=notices)
    if as_json:
        print_json({"file": book.name, "output": str(dest), "marked": 0, "restored": restored})
    else:
        click.echo(f"已清除 {restored} 个单元格的校验标记，写入：{dest}")
        for line in notices:
            click.echo(line)
        if backup is not None:
            click.echo(f"原文件备份：{backup}")


def register(group: click.Group) -> None:
    group.add_command(clear_marks_command)
