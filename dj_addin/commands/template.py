"""``dj template``: write a fresh blank workbook (the repository's
``workbook_template.xlsx`` is exactly this output)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from ..template import build_template, save_deterministic
from ..write.atomic import atomic_write


@click.command("template")
@click.option("-o", "--output", "output", default="workbook_template.xlsx", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="输出文件")
def template_command(output: Path) -> None:
    """生成一份空白工作簿模板。"""
    started = time.perf_counter()
    wb = build_template()
    atomic_write(output, lambda tmp: _save(wb, tmp))
    seconds = time.perf_counter() - started
    click.echo(f"已生成空白工作簿「{output}」（{len(wb.sheetnames)} 个工作表，用时 {seconds:.1f} 秒）。"
               "请先在「基本信息」中填写单位编码、名称、层级和考核年度。")


def _save(wb, tmp: Path) -> None:
    save_deterministic(wb, tmp)
    # The temporary file is private (0600); a template is an ordinary document.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)


def register(group: click.Group) -> None:
    group.add_command(template_command)
