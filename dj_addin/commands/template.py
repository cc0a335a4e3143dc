"""``dj template``: write a fresh blank workbook (the repository's
``workbook_template.xlsx`` is exactly this output).

It never overwrites a workbook unless asked (``--force``): the default name
may well be a secretary's filled workbook. The file is written atomically,
so a failed write leaves nothing behind.
"""

from __future__ import annotations

import errno
import time
from pathlib import Path

import click

from dj_addin.errors import DjError
from dj_addin.template.build import build_template, save_deterministic
from dj_addin.xlsx.atomic import atomic_write

SUFFIX = ".xlsx"
_WHY = {errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "只读的磁盘或文件夹",
        errno.ENOSPC: "磁盘空间不足"}


@click.command("template")
@click.option("-o", "--output", "output", default="workbook_template.xlsx", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="输出文件（.xlsx）")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖它（原文件的内容会丢失）")
def template_command(output: Path, force: bool) -> None:
    """生成一份空白工作簿模板。"""
    check_output(output, force)
    started = time.perf_counter()
    wb = build_template()
    try:
        atomic_write(output, lambda tmp: save_deterministic(wb, tmp))  # an ordinary file's permissions
    except OSError as exc:  # atomic_write already turns a locked file into a DjError
        why = _WHY.get(exc.errno or 0, "该位置不能保存文件")
        raise DjError(f"无法在「{output.parent}」中写入「{output.name}」（{why}）；"
                      "请检查文件夹和写入权限，或换一个输出位置。") from exc
    seconds = time.perf_counter() - started
    click.echo(f"已生成空白工作簿「{output}」（{len(wb.sheetnames)} 个工作表，用时 {seconds:.1f} 秒）。"
               "请先在「基本信息」中填写单位编码、名称、层级和考核年度。")


def check_output(output: Path, force: bool) -> None:
    """Refuse a name that is not .xlsx, and an existing file unless ``force``."""
    if output.suffix.lower() != SUFFIX:
        raise DjError(f"输出文件「{output.name}」的扩展名不是 .xlsx；模板是不含宏的 .xlsx 工作簿，"
                      f"请改用 .xlsx 结尾的文件名，例如「{_example(output)}」。")
    if output.exists() and not force:
        raise DjError(f"文件「{output}」已存在，为避免覆盖已填写的内容，未作改动。"
                      "请换一个文件名；确实要用空白模板覆盖它，请加 --force。")


def _example(output: Path) -> str:
    stem = output.stem if output.stem and not output.stem.startswith(".") else "工作簿"
    return f"{stem}{SUFFIX}"


def register(group: click.Group) -> None:
    group.add_command(template_command)
