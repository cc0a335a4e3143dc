"""``dj validate BOOK… [--as-of DATE] [-o OUT | --in-place | --out-dir DIR] [--force] [--json]``
(interfaces.md).

Reads, validates, prints a summary (or the JSON document), and writes
问题清单 and the cell marks only when asked to with -o, --in-place or
--out-dir. Exit 0: no 错误; 1: the data has 错误; 2: could not run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from dj_addin.results import ValidationReport
from dj_addin.xlsx.reader import read_book
from dj_addin.plans.printing import printing_of
from dj_addin.xlsx.save import keep_backup, save_outputs
from dj_addin.commands._batch import Outcome, Writing, book_arguments, destination, run_books, writing_options
from dj_addin.commands._common import as_of_option, counts_text, findings_lines, json_option, parse_as_of

SHOWN = 20  # findings listed in the human summary
HINT = "提示：加 -o 输出文件、--out-dir 文件夹 或 --in-place 可把问题清单和标记写入工作簿。"


def run_validation(book, as_of: dt.date | None, file: str) -> ValidationReport:
    """The core's validation (kept in one place so tests can stand in for it);
    ``as_of`` None means the default (today, at most the end of 考核年度)."""
    from dj_addin.validate import validate_book

    return validate_book(book, as_of, file=file)


def output_target(book: Path, out: Path | None, in_place: bool, force: bool = False) -> Path | None:
    """Where results go for one book: -o OUT, the book itself with --in-place, or nowhere."""
    from dj_addin.commands._batch import check_exclusive

    writing = Writing(out=out, in_place=in_place, force=force)
    check_exclusive(writing)
    return destination(book, writing, [book])


def summary_lines(report: ValidationReport, limit: int = SHOWN) -> list[str]:
    lines = [f"文件：{report.file}　统计截止：{report.as_of.isoformat()}"]
    if not report.findings:
        lines.append("结果：未发现问题。")
        return lines
    lines.append("结果：" + counts_text(report.counts))
    return lines + findings_lines(report, limit)


def validate_one(as_of: dt.date | None):
    """The per-book job of ``dj validate``."""
    def job(book: Path, dest: Path | None, in_place: bool) -> Outcome:
        read = read_book(book)
        report = run_validation(read, as_of, book.name)
        lines = summary_lines(report)
        written = None
        if dest is not None:
            backup = keep_backup(book) if in_place else None
            written = save_outputs(book, dest, report=report, printing=printing_of(read))
            lines.append(f"已写入：{written.dest}（问题清单，标记了 {written.marked} 个单元格）")
            lines.extend(written.notices)  # macros kept or left out, stray entries
            if backup is not None:
                lines.append(f"原文件备份：{backup}")
        elif report.findings:
            lines.append(HINT)
        return Outcome(1 if report.has_errors else 0, report.as_json(), lines, report.counts,
                       written.dest if written is not None else None)
    return job


@click.command("validate")
@book_arguments
@as_of_option
@writing_options("问题清单和单元格标记")
@json_option
@click.pass_context
def validate_command(ctx: click.Context, inputs: tuple[Path, ...], as_of: str | None, out: Path | None,
                     in_place: bool, out_dir: Path | None, force: bool, as_json: bool) -> None:
    """校验工作簿（可以是多个文件或文件夹）：列出问题；加 -o、--out-dir 或 --in-place 时写入「问题清单」并标记单元格。"""
    writing = Writing(out, in_place, out_dir, force)
    run_books(ctx, inputs, writing, as_json, validate_one(parse_as_of(as_of)), HINT)


def register(group: click.Group) -> None:
    group.add_command(validate_command)
