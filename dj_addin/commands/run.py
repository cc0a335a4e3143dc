"""``dj run BOOK… [--as-of DATE] [-o OUT | --in-place | --out-dir DIR] [--force] [--json]``:
validate, roll up and score in one go (the ribbon's 一键处理). Also builds the
sibling commands ``dj rollup`` and ``dj score``, which differ only in the
steps they run.

Every command validates (the exit code says whether the data has 错误:
0 no, 1 yes; 2 could not run) and writes only with -o, --in-place or --out-dir.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

import click

from dj_addin.pipeline import ALL_STEPS, RunResult, run_book
from dj_addin.commands._batch import Outcome, Writing, book_arguments, run_books, writing_options
from dj_addin.commands._common import as_of_option, findings_lines, json_option, parse_as_of

SHOWN = 10  # first findings in the summary (interfaces.md: as validate shows them, up to 10)
HINT = "提示：加 -o 输出文件、--out-dir 文件夹 或 --in-place 可把结果写入工作簿。"


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


def summary_with_findings(result: RunResult) -> list[str]:
    """The pipeline's summary with the first findings after the counts, before where it was written."""
    lines = result.summary_lines()
    findings = findings_lines(result.report, SHOWN)
    at = next((i for i, line in enumerate(lines) if line.startswith(("已写入：", "提示："))), len(lines))
    return lines[:at] + findings + lines[at:]


def steps_job(steps: tuple[str, ...], as_of: dt.date | None,
              to_json: Callable[[RunResult], dict[str, Any]]):
    def job(book: Path, dest: Path | None, in_place: bool) -> Outcome:
        result = run_book(book, as_of, None if in_place else dest, steps=steps, in_place=in_place)
        lines = summary_with_findings(result) + ([HINT] if result.dest is None else [])
        return Outcome(result.exit_code, to_json(result), lines, result.report.counts, result.dest)
    return job


def steps_command(name: str, steps: tuple[str, ...], help_text: str, sheets: str,
                  to_json: Callable[[RunResult], dict[str, Any]]) -> click.Command:
    """A thin command over ``pipeline.run_book`` for the given steps."""

    @click.command(name, help=help_text)
    @book_arguments
    @as_of_option
    @writing_options(sheets)
    @json_option
    @click.pass_context
    def command(ctx: click.Context, inputs: tuple[Path, ...], as_of: str | None, out: Path | None,
                in_place: bool, out_dir: Path | None, force: bool, as_json: bool) -> None:
        writing = Writing(out, in_place, out_dir, force)
        run_books(ctx, inputs, writing, as_json, steps_job(steps, parse_as_of(as_of), to_json), HINT)

    return command


run_command = steps_command(
    "run", ALL_STEPS, "一键处理（可以是多个文件或文件夹）：校验、指标汇总、考评计分；"
    "加 -o、--out-dir 或 --in-place 时写入问题清单、指标汇总和考评结果。",
    "问题清单、标记、指标汇总和考评结果", run_json)


def register(group: click.Group) -> None:
    group.add_command(run_command)
