"""``dj addin build [-o FILE] [--force]`` and ``dj addin install [--file FILE]`` (interfaces.md).

Thin callers of ``dj_addin.addin.build`` and ``dj_addin.addin.install``:
parse, call, print the result's summary or JSON document.
"""

from __future__ import annotations

from pathlib import Path

import click

from dj_addin.addin.build import ADDIN_NAME, build
from dj_addin.addin.install import install_addin
from dj_addin.commands._common import json_option, print_json


@click.group("addin")
def addin_group() -> None:
    """Excel 加载项（.xlam）：生成和安装。"""


_help = click.help_option("-h", "--help", help="显示本帮助并退出。")


@addin_group.command("build")
@_help
@click.option("-o", "--output", "output", default=ADDIN_NAME, show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="输出文件（.xlam）")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖它")
@json_option
def build_command(output: Path, force: bool, as_json: bool) -> None:
    """用 macros 文件夹中的 VBA 和功能区定义，加上已安装的 xlwings，生成加载项 dj_addin.xlam。"""
    result = build(output, force=force)
    if as_json:
        print_json(result.as_json())
    else:
        for line in result.summary_lines():
            click.echo(line)


@addin_group.command("install")
@_help
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path),
              help="要安装的 .xlam 文件（默认现场生成）")
@json_option
def install_command(file: Path | None, as_json: bool) -> None:
    """把加载项复制到 Excel 启动文件夹，并在 xlwings 设置中写入当前的 Python（Windows、macOS）。"""
    result = install_addin(file)
    if as_json:
        print_json(result.as_json())
    else:
        for line in result.summary_lines():
            click.echo(line)


def register(group: click.Group) -> None:
    group.add_command(addin_group)
