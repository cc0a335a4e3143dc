"""One or many books per command: where each result goes, the writing rules
of interfaces.md, and the console/JSON output of a batch.

``validate``, ``rollup``, ``score`` and ``run`` give a per-book job
(``Job``) to ``run_books``, which expands files and folders
(``dj_addin.inputs``), decides each book's destination (``-o``,
``--in-place``, ``--out-dir``; an existing file only with ``--force``; never
an input or a backup), refuses ``--in-place`` while the book is open in
Excel/WPS, lets two runs on one book take turns, and prints either the
book's own summary (one book) or one line per book and a total (several).
The exit code is the highest of the books'; one unreadable book never stops
the others.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from dj_addin.errors import DjError, UsageError, describe_unexpected
from dj_addin.inputs import Inputs, find_inputs
from dj_addin.schema import LEVELS
from dj_addin.xlsx.atomic import book_lock, is_backup_name, real_target, refuse_if_open
from dj_addin.commands._common import counts_text, echo, print_json

SHOWN_SKIPPED = 20


@dataclass
class Outcome:
    """What one book's job did: its exit code, JSON document and summary lines."""

    exit_code: int
    doc: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] | None = None
    written: Path | None = None
    error: str | None = None  # the Chinese line, when the book could not be processed


Job = Callable[[Path, Path | None, bool], Outcome]  # (book, destination or None, in place?)


@dataclass(frozen=True)
class Writing:
    """The writing options of one command line."""

    out: Path | None = None
    in_place: bool = False
    out_dir: Path | None = None
    force: bool = False

    @property
    def writes(self) -> bool:
        return self.out is not None or self.in_place or self.out_dir is not None


def book_arguments(f):
    return click.argument("inputs", metavar="BOOK…", nargs=-1, required=True, type=click.Path(path_type=Path))(f)


def writing_options(what: str):
    """-o / --in-place / --out-dir / --force, with help naming what is written."""
    def decorate(f):
        f = click.option("--force", is_flag=True,
                         help="允许覆盖已存在的输出文件；--in-place 时忽略 Excel/WPS 打开标志")(f)
        f = click.option("--out-dir", "out_dir", type=click.Path(path_type=Path), metavar="DIR",
                         help=f"把每个工作簿的{what}写到文件夹 DIR 中的同名文件（原文件不变）")(f)
        f = click.option("--in-place", is_flag=True,
                         help="直接写回原文件（先保留备份 BOOK.bak-日期-时间.xlsx，第一次的备份为 BOOK.bak-原始.xlsx）")(f)
        f = click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="OUT",
                         help=f"把{what}写到新文件 OUT（原文件不变）")(f)
        return f
    return decorate


# -- destinations --------------------------------------------------------------------

def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_exclusive(writing: Writing) -> None:
    chosen = [name for name, on in (("-o", writing.out is not None), ("--in-place", writing.in_place),
                                    ("--out-dir", writing.out_dir is not None)) if on]
    if len(chosen) > 1:
        raise UsageError(f"{' 和 '.join(chosen)} 只能选一个：-o 写到新文件，--out-dir 写到另一个文件夹，"
                         "--in-place 直接改原文件。")


def destination(book: Path, writing: Writing, books: list[Path]) -> Path | None:
    """Where ``book``'s results go, or None to only report; raise ``UsageError`` for
    a destination that would destroy a file the user did not name for replacing."""
    if writing.in_place:
        return book
    if writing.out is not None:
        out = writing.out
    elif writing.out_dir is not None:  # new files carry no macros: an .xlsm's result is an .xlsx
        out = writing.out_dir / (f"{book.stem}.xlsx" if book.suffix.lower() == ".xlsm" else book.name)
    else:
        return None
    flag = "-o" if writing.out is not None else "--out-dir"
    if writing.out is not None and book.suffix.lower() == ".xlsm" and out.suffix.lower() != ".xlsx":
        raise UsageError(f"输出文件「{out.name}」的扩展名应为 .xlsx：输出文件不含宏；"
                         f"例如 -o {book.stem}_结果.xlsx（要保留宏请用 --in-place）。")
    if writing.out is not None and book.suffix.lower() != ".xlsm" and out.suffix.lower() != book.suffix.lower():
        raise UsageError(f"输出文件「{out.name}」的扩展名应与原文件相同（{book.suffix}）；"
                         f"例如 -o {book.stem}_结果{book.suffix}。")
    if _same(out, book):
        raise UsageError(f"{flag} 指向了原文件；{flag} 只写新文件、不改原文件。"
                         "要直接改原文件请用 --in-place（会先备份）。")
    if any(_same(out, other) for other in books):
        raise UsageError(f"输出文件「{out}」是另一个要处理的工作簿；为避免覆盖，未作改动。请换一个输出位置。")
    if is_backup_name(out.name):
        raise UsageError(f"输出文件「{out.name}」是党建助手的备份文件名；备份不能被覆盖，请换一个文件名。")
    if out.is_dir():
        raise UsageError(f"「{out}」是一个文件夹，不能当作输出文件；请换一个文件名。")
    if (out.exists() or out.is_symlink()) and not writing.force:
        raise UsageError(f"输出文件「{out}」已存在；为避免覆盖，未作改动。请换一个文件名，确实要覆盖请加 --force。")
    return out


# -- running ---------------------------------------------------------------------------

def guarded(job: Job, book: Path, dest: Path | None, writing: Writing) -> Outcome:
    """Run one book's job; in place, only when the book is not open and no other run holds it."""
    if not writing.in_place:
        return job(book, dest, False)
    if not writing.force:
        refuse_if_open(book)
    with book_lock(real_target(book)):
        return job(book, dest, True)


def run_books(ctx: click.Context, inputs: tuple[Path, ...], writing: Writing, as_json: bool, job: Job,
              hint: str) -> None:
    """Process every book and exit with the highest exit code."""
    check_exclusive(writing)
    found = find_inputs(inputs)
    several = len(inputs) > 1 or found.folders > 0
    if not several and found.books:
        book = found.books[0]
        ctx.meta["dj_file"] = book.name
        outcome = guarded(job, book, destination(book, writing, found.books), writing)
        if as_json:
            print_json(outcome.doc)
        else:
            for line in outcome.lines:
                echo(line)
        ctx.exit(outcome.exit_code)
    if not found.books:
        listed = "；".join(f"「{s.path}」{s.reason}" for s in found.skipped[:3])
        raise UsageError("没有找到要处理的工作簿" + (f"（跳过了 {len(found.skipped)} 个文件：{listed}）" if listed else "")
                         + "；请给出 .xlsx 工作簿或包含它们的文件夹。")
    if writing.out is not None and len(found.books) > 1:
        raise UsageError("处理多个工作簿时不能用 -o；请用 --out-dir 文件夹（写到同名文件）或 --in-place。")
    if writing.out_dir is not None:
        _make_out_dir(writing.out_dir)
    taken: set[str] = set()  # destinations written by this run: a second book of the same name must not replace one
    outcomes = [_one_of_many(job, book, writing, found, taken) for book in found.books]
    if as_json:
        print_json({"files": [o.doc for o in outcomes], "skipped": [s.as_json() for s in found.skipped]})
    else:
        _print_batch(found, outcomes, writing, hint)
    failed = sum(o.error is not None for o in outcomes)
    if failed and not as_json:
        echo(f"错误：{failed} 个工作簿无法处理（原因见上）；其余已处理完。", err=True)
    ctx.exit(max(o.exit_code for o in outcomes))


def _make_out_dir(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out-dir 的「{folder}」是一个文件，不是文件夹；请指定一个文件夹。")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"无法建立输出文件夹「{folder}」（{exc.strerror or '没有权限'}）；请换一个位置。") from exc


def _one_of_many(job: Job, book: Path, writing: Writing, found: Inputs, taken: set[str]) -> Outcome:
    """One book of a batch: every failure becomes an outcome, never an end of the batch."""
    try:
        dest = destination(book, writing, found.books)
        if dest is not None and not writing.in_place:
            key = os.path.normcase(os.path.abspath(dest))
            if key in taken:
                raise UsageError(f"「{dest}」已由本次处理的另一个同名工作簿写入；同名工作簿请分开处理。")
            taken.add(key)
        outcome = guarded(job, book, dest, writing)
    except DjError as exc:
        outcome = failure(book, f"错误：{exc.message}", exc.exit_code)
    except (KeyboardInterrupt, SystemExit):
        raise
    except click.exceptions.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - one book's surprise must not stop the others
        outcome = failure(book, describe_unexpected(exc, book.name))
    outcome.doc.setdefault("path", str(book))
    return outcome


def failure(book: Path, line: str, exit_code: int = 2) -> Outcome:
    return Outcome(exit_code, {"error": line, "file": book.name, "path": str(book)}, [line], error=line)


def _print_batch(found: Inputs, outcomes: list[Outcome], writing: Writing, hint: str) -> None:
    totals = {lv: 0 for lv in LEVELS}
    for book, o in zip(found.books, outcomes):
        if o.error is not None:
            echo(f"{book}：无法处理——{o.error.removeprefix('错误：')}")
            continue
        for lv in LEVELS:
            totals[lv] += (o.counts or {}).get(lv, 0)
        where = f"；已写入 {o.written}" if o.written is not None else ""
        echo(f"{book}：{counts_text(o.counts or {})}{where}")
    failed = sum(o.error is not None for o in outcomes)
    done = len(outcomes) - failed
    extra = (f"；{failed} 个无法处理" if failed else "") + (f"；跳过 {len(found.skipped)} 个文件" if found.skipped else "")
    echo(f"合计：{len(outcomes)} 个工作簿，已处理 {done} 个：{counts_text(totals)}{extra}。")
    for s in found.skipped[:SHOWN_SKIPPED]:
        echo(f"跳过：{s.path}（{s.reason}）")
    if len(found.skipped) > SHOWN_SKIPPED:
        echo(f"……另有 {len(found.skipped) - SHOWN_SKIPPED} 个跳过的文件未列出（加 --json 可看全部）。")
    if not writing.writes and any(o.error is None for o in outcomes):
        echo(hint)
