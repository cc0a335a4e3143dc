"""``dj docs``: write the workbook reference (``docs/workbook.md``,
``docs/validation.md``) generated from the schema and the rule registry.

The repository's ``docs/`` is exactly this output (a test compares them).
It writes only the files it generates, into the folder named by ``-o``;
``--check`` writes nothing and says whether that folder is up to date.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dj_addin import docs


@click.command("docs")
@click.option("-o", "--output", "folder", default="docs", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help=f"输出文件夹（其中同名的 {docs.WORKBOOK_MD}、{docs.VALIDATION_MD} 会被覆盖）")
@click.option("--check", is_flag=True, help="只检查、不写入：文件夹中的文档与生成结果不一致时退出码为 1")
def docs_command(folder: Path, check: bool) -> None:
    """由工作簿定义生成工作簿说明文档（工作表、列、类型、下拉选项、别名、校验规则）。"""
    if check:
        stale = [name for name, text in docs.render().items()
                 if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text]
        if stale:
            click.echo(f"「{folder}」中的文档与工作簿定义不一致：{'、'.join(stale)}；请运行 dj docs -o {folder} 重新生成。",
                       err=True)
            sys.exit(1)
        click.echo(f"「{folder}」中的文档与工作簿定义一致。")
        return
    written = docs.write(folder)
    click.echo(f"已生成 {len(written)} 个文档：{'、'.join(str(p) for p in written)}。")


def register(group: click.Group) -> None:
    group.add_command(docs_command)
