"""``dj export BOOK [-o OUT] [--force] [--keep-sensitive] [--json]``: 导出上报
(``dj_addin.export.export_book``): the masked, mark-free copy to e-mail upward."""

from __future__ import annotations

from pathlib import Path

import click

from dj_addin.commands._common import as_of_option, json_option, parse_as_of, print_json
from dj_addin.export import export_book


@click.command("export")
@click.argument("book", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path), metavar="OUT",
              help="上报副本的文件名（默认：工作簿旁边的 <单位编码>_<单位名称>_<考核年度>_报送.xlsx）")
@click.option("--force", is_flag=True, help="数据还有错误时也导出（「基本信息」会注明）；上报副本已存在时覆盖它")
@click.option("--keep-sensitive", is_flag=True, help="不遮蔽联系电话等敏感信息（默认遮蔽，如 138****5678）")
@as_of_option
@json_option
@click.pass_context
def export_command(ctx: click.Context, book: Path, out: Path | None, force: bool, keep_sensitive: bool,
                   as_of: str | None, as_json: bool) -> None:
    """导出上报：校验、更新指标汇总和考评结果、遮蔽敏感信息、清除校验标记，另存为上报用的新文件。"""
    result = export_book(book, out, force=force, keep_sensitive=keep_sensitive, as_of=parse_as_of(as_of))
    if as_json:
        print_json(result.as_json())
    else:
        for line in result.summary_lines():
            click.echo(line)
        if result.refused:
            click.echo("提示：确认要带着错误上报时，加 --force。")
    ctx.exit(result.exit_code)


def register(group: click.Group) -> None:
    group.add_command(export_command)
