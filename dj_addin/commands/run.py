"""``dj run BOOK [--as-of DATE] [-o OUT | --in-place] [--json]``: validate, roll up
and score in one go (the ribbon's 一键处理). Also builds the sibling commands
``dj rollup`` and ``dj score``, which differ only in the steps they run.

Every command validates (the exit code says whether the data has 错误:
0 no, 1 yes; 2 could not run) and writes only with -o or --in-place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from dj_addin.pipeline import ALL_STEPS, RunResult, run_book
from dj_addin.commands._common import as_of_option, json_option, parse_as_of, print_json
from dj_addin.commands.validate import output_target

WRITE_HINT = "提示：加 -o 输出文件 或 --in-place 可把结果写入工作簿。"


def run_json(result: RunResult) -> dict[str, Any]:
    """``dj run --json``: the validation document plus the roll-up rows and the members' results."""
    doc = result.report.as_json()
    if result.rollup is not None:
        doc["rows"] = result.rollup.as_json()["rows"]
    if result.scores is not None:
        doc["members"] = result.scores.as_json()["members"]
    if result.dest is not None:
        doc["output"] = str(result.dest)
    return doc


def steps_command(name: str, steps: tuple[str, ...], help_text: str, sheets: str,
                  to_json: Callable[[RunResult], dict[str, Any]]) -> click.Command:
    """A thin command over ``pipeline.run_book`` for the given steps."""

    @click.command(name, help=help_text)
    @click.argument("book", type=click.Path(path_type=Path))
    @as_of_option
    @click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="OUT",
                  help=f"把{sheets}写到新文件 OUT（原文件不变）")
    @click.option("--in-place", is_flag=True, help="直接写回原文件（先保留备份 BOOK.bak.xlsx）")
    @json_option
    @click.pass_context
    def command(ctx: click.Context, book: Path, as_of: str | None, out: Path | None, in_place: bool,
                as_json: bool) -> None:
        dest = output_target(book, out, in_place)
        result = run_book(book, parse_as_of(as_of), None if in_place else dest, steps=steps, in_place=in_place)
        if as_json:
            print_json(to_json(result))
        else:
            for line in result.summary_lines():
                click.echo(line)
            if result.dest is None:
                click.echo(WRITE_HINT)
        ctx.exit(result.exit_code)

    return command


run_command = steps_command(
    "run", ALL_STEPS, "一键处理：校验、指标汇总、考评计分；加 -o 或 --in-place 时写入问题清单、指标汇总和考评结果。",
    "问题清单、标记、指标汇总和考评结果", run_json)


def register(group: click.Group) -> None:
    group.add_command(run_command)
