"""``dj validate BOOK [--as-of DATE] [-o OUT | --in-place] [--json]`` (interfaces.md).

Reads, validates, prints a summary (or the JSON document), and writes
问题清单 and the cell marks only when asked to with -o or --in-place.
Exit 0: no 错误; 1: the data has 错误; 2: could not run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import click

from dj_addin.errors import UsageError
from dj_addin.results import ValidationReport
from dj_addin.xlsx.reader import read_book
from dj_addin.schema import LEVELS
from dj_addin.xlsx.save import keep_backup, save_outputs
from dj_addin.commands._common import as_of_option, json_option, parse_as_of, print_json

SHOWN = 20  # findings listed in the human summary


def run_validation(book, as_of: dt.date | None, file: str) -> ValidationReport:
    """The core's validation (kept in one place so tests can stand in for it);
    ``as_of`` None means the default (today, at most the end of 考核年度)."""
    from dj_addin.validate import validate_book

    return validate_book(book, as_of, file=file)


def output_target(book: Path, out: Path | None, in_place: bool) -> Path | None:
    """Where results go: -o OUT, the book itself with --in-place, or nowhere."""
    if out is not None and in_place:
        raise UsageError("-o 和 --in-place 只能选一个：要么写到新文件，要么直接改原文件。")
    if in_place:
        return book
    if out is None:
        return None
    if book.suffix.lower() == ".xlsm" and out.suffix.lower() != ".xlsx":
        raise UsageError(f"输出文件「{out.name}」的扩展名应为 .xlsx：输出文件不含宏；"
                         f"例如 -o {book.stem}_结果.xlsx（要保留宏请用 --in-place）。")
    if book.suffix.lower() != ".xlsm" and out.suffix.lower() != book.suffix.lower():
        raise UsageError(f"输出文件「{out.name}」的扩展名应与原文件相同（{book.suffix}）；"
                         f"例如 -o {book.stem}_结果{book.suffix}。")
    if out.exists() and book.exists() and out.resolve() == book.resolve():
        raise UsageError("-o 指向了原文件；-o 只写新文件、不改原文件。要直接改原文件请用 --in-place（会先备份）。")
    return out


def summary_lines(report: ValidationReport, limit: int = SHOWN) -> list[str]:
    counts = report.counts
    lines = [f"文件：{report.file}　统计截止：{report.as_of.isoformat()}"]
    if not report.findings:
        lines.append("结果：未发现问题。")
        return lines
    lines.append("结果：" + "，".join(f"{lv} {counts.get(lv, 0)} 个" for lv in LEVELS))
    shown = sorted(report.findings, key=lambda f: (LEVELS.index(f.level) if f.level in LEVELS else 9))[:limit]
    by_sheet: dict[str, list] = defaultdict(list)
    for f in shown:
        by_sheet[f.sheet or "（整个文件）"].append(f)
    for sheet, fs in by_sheet.items():
        lines.append(f"【{sheet}】")
        for f in sorted(fs, key=lambda f: (LEVELS.index(f.level) if f.level in LEVELS else 9, f.row or 0)):
            cell = f"{f.column}{f.row}：" if f.row and f.column else ""  # the message itself names the row
            lines.append(f"  [{f.level}] {cell}{f.message}{f.suggestion}")
    rest = len(report.findings) - len(shown)
    if rest > 0:
        lines.append(f"……另有 {rest} 条未列出，完整清单见「问题清单」工作表（用 -o 或 --in-place 写入）。")
    return lines


@click.command("validate")
@click.argument("book", type=click.Path(path_type=Path))
@as_of_option
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="OUT",
              help="把问题清单和单元格标记写到新文件 OUT（原文件不变）")
@click.option("--in-place", is_flag=True, help="直接写回原文件（先保留备份 BOOK.bak.xlsx）")
@json_option
@click.pass_context
def validate_command(ctx: click.Context, book: Path, as_of: str | None, out: Path | None, in_place: bool,
                     as_json: bool) -> None:
    """校验工作簿：列出问题；加 -o 或 --in-place 时写入「问题清单」并标记单元格。"""
    dest = output_target(book, out, in_place)
    as_of_date = parse_as_of(as_of)
    data = read_book(book)
    report = run_validation(data, as_of_date, book.name)
    written = backup = None
    if dest is not None:
        backup = keep_backup(book) if in_place else None
        written = save_outputs(book, dest, report=report)
    if as_json:
        print_json(report.as_json())
    else:
        for line in summary_lines(report):
            click.echo(line)
        if written is not None:
            click.echo(f"已写入：{written.dest}（问题清单，标记了 {written.marked} 个单元格）")
            for line in written.notices:
                click.echo(line)
            if backup is not None:
                click.echo(f"原文件备份：{backup}")
        elif report.findings:
            click.echo("提示：加 -o 输出文件 或 --in-place 可把问题清单和标记写入工作簿。")
    ctx.exit(1 if report.has_errors else 0)


def register(group: click.Group) -> None:
    group.add_command(validate_command)
