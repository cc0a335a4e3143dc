"""``dj clear-marks BOOK [-o OUT | --in-place] [--force]``: undo every validation mark.

Cells get back exactly the fill and note they had before they were marked.
Without -o or --in-place it only says how many cells are marked.
"""

from __future__ import annotations

from pathlib import Path

import click
import openpyxl

from dj_addin.errors import UnreadableFile
from dj_addin.xlsx.safety import check_package
from dj_addin.xlsx.marks import read_records
from dj_addin.xlsx.save import clear_marks, keep_backup
from dj_addin.commands._batch import Outcome, Writing, guarded
from dj_addin.commands._common import echo, json_option, print_json
from dj_addin.commands.validate import output_target


def count_marks(book: Path) -> int:
    """Cells currently marked (usable records of our hidden marks sheet)."""
    try:
        wb = openpyxl.load_workbook(book, read_only=True)
        try:
            return len(read_records(wb))
        finally:
            wb.close()
    except Exception as exc:  # noqa: BLE001 - a damaged part the package check cannot see
        raise UnreadableFile(f"文件「{book.name}」的内容损坏，无法读取；请用 Excel 打开修复后另存为 .xlsx，"
                             "或请对方重新发送。") from exc


@click.command("clear-marks")
@click.argument("book", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="OUT",
              help="把清除标记后的工作簿写到新文件 OUT（原文件不变）")
@click.option("--in-place", is_flag=True,
              help="直接写回原文件（先保留备份 BOOK.bak-日期-时间.xlsx，第一次的备份为 BOOK.bak-原始.xlsx）")
@click.option("--force", is_flag=True, help="允许覆盖已存在的输出文件；--in-place 时忽略 Excel/WPS 打开标志")
@json_option
@click.pass_context
def clear_marks_command(ctx: click.Context, book: Path, out: Path | None, in_place: bool, force: bool,
                        as_json: bool) -> None:
    """清除校验标记：把标记过的单元格恢复成原来的颜色和批注。"""
    ctx.meta["dj_file"] = book.name
    dest = output_target(book, out, in_place, force)
    check_package(book)
    if dest is None:
        n = count_marks(book)
        if as_json:
            print_json({"file": book.name, "output": None, "marked": n, "restored": 0})
        else:
            echo(f"「{book.name}」中有 {n} 个单元格带校验标记；加 -o 输出文件 或 --in-place 清除。")
        return

    def job(book: Path, dest: Path | None, in_place: bool) -> Outcome:
        backup = keep_backup(book) if in_place else None
        notices: list[str] = []
        restored = clear_marks(book, dest, notices=notices)
        lines = [f"已清除 {restored} 个单元格的校验标记，写入：{dest}", *notices]
        if backup is not None:
            lines.append(f"原文件备份：{backup}")
        return Outcome(0, {"file": book.name, "output": str(dest), "marked": 0, "restored": restored}, lines)

    outcome = guarded(job, book, dest, Writing(out=out, in_place=in_place, force=force))
    if as_json:
        print_json(outcome.doc)
    else:
        for line in outcome.lines:
            echo(line)


def register(group: click.Group) -> None:
    group.add_command(clear_marks_command)
