"""``dj aggregate INPUT… -o OUT [--template FILE] [--include-errors] [--as-of DATE] [--workers N]
[--force] [--json]``: merge the subordinate units' workbooks (the ribbon's 汇总下级)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dj_addin.aggregate import aggregate
from dj_addin.commands._common import as_of_option, echo, json_option, parse_as_of, print_json


WRITE_HINT = "提示：加 -o 输出文件 可把汇总结果写入新工作簿。"


def console_progress(done: int, total: int, name: str) -> None:
    """Files done / total and the current file, on one line of stderr."""
    text = f"\r已处理 {done}/{total} 个文件" + (f"：{Path(name).name}" if name else "")
    sys.stderr.write(text[:100].ljust(100))
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


@click.command("aggregate", help="汇总下级：把下级单位报送的工作簿（文件、文件夹、.zip、.eml）汇总成一个新工作簿。")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="OUT",
              help="汇总结果写到新文件 OUT（.xlsx）；不加时只检查和统计，不写文件")
@click.option("--template", type=click.Path(path_type=Path), metavar="FILE",
              help="本级工作簿或模板：基本信息、下级单位、指标设置和评分规则取自它")
@click.option("--include-errors", is_flag=True, help="含错误的文件也汇总（标明后汇总，考评结果为暂定）")
@as_of_option
@click.option("--workers", type=click.IntRange(min=1), metavar="N", help="并行读取的进程数（默认全部 CPU 核）")
@click.option("--force", is_flag=True, help="OUT 已存在时覆盖它")
@json_option
@click.pass_context
def aggregate_command(ctx: click.Context, inputs: tuple[Path, ...], out: Path | None, template: Path | None,
                      include_errors: bool, as_of: str | None, workers: int | None, force: bool,
                      as_json: bool) -> None:
    result = aggregate(list(inputs), out, template=template, include_errors=include_errors,
                       as_of=parse_as_of(as_of), workers=workers, force=force,
                       progress=None if as_json else console_progress)
    if as_json:
        print_json(result.as_json())
    else:
        for line in result.summary_lines():
            echo(line)
        if out is None and result.included:
            echo(WRITE_HINT)
    ctx.exit(result.exit_code)


def register(group: click.Group) -> None:
    group.add_command(aggregate_command)
