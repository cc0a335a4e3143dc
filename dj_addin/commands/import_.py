"""``dj import BOOK SOURCE… --sheet SHEET [--in-place | -o OUT] [--force] [--json]`` (interfaces.md).

Brings the rows of other systems' exports into one data sheet of BOOK
(workbook.md, 导入) through ``dj_addin.importer.import_rows``; shows the
column mapping, what was left out, the rows added, skipped and refused, and
the findings on the new rows. Nothing is written without -o or --in-place.
Exit 0: no 错误 on the new rows; 1: they have 错误; 2: could not run.
"""

from __future__ import annotations

from pathlib import Path

import click

from dj_addin.commands._common import as_of_option, json_option, parse_as_of, print_json
from dj_addin.commands.validate import output_target
from dj_addin.errors import UsageError
from dj_addin.importer import ImportResult, import_rows
from dj_addin.schema import LEVELS

SHOWN = 10  # rows listed per kind in the human summary


def summary_lines(result: ImportResult) -> list[str]:
    p = result.plan
    lines = [f"导入到：{result.book.name}「{p.sheet.name}」"]
    for s in p.sources:
        lines.append(f"来源：{s.label}「{s.sheet}」（表头在第{s.header_row}行，{s.rows} 行数据）")
        lines.append("  列的对应：" + "；".join(
            f"{m.source} → {m.column}" if m.source != m.column else m.column for m in s.mapping))
        if s.left_out:
            lines.append("  未导入的列：" + "、".join(o.source for o in s.left_out))
            for o in s.left_out:
                if o.reason != "不是本表的列":
                    lines.append(f"    {o.letter} 列：{o.reason}")
    lines.append(f"结果：新增 {len(p.added)} 行，已有编号跳过 {len(p.skipped)} 行，拒绝 {len(p.refused)} 行。")
    for o in p.skipped[:SHOWN]:
        where = f"已在「{p.sheet.name}」第{o.existing_row}行，保留原行" if o.existing_row else o.reason
        diff = "；不同之处：" + "，".join(f"{d.field} {d.existing or '（空）'} → {d.imported}"
                                       for d in o.differences) if o.differences else "，内容相同"
        lines.append(f"  跳过 {o.source} 第{o.row}行 {o.key} {o.name}：{where}{diff}")
    for o in p.refused[:SHOWN]:
        lines.append(f"  拒绝 {o.source} 第{o.row}行 {o.name}：{o.reason}")
    rest = max(len(p.skipped) - SHOWN, 0) + max(len(p.refused) - SHOWN, 0)
    if rest:
        lines.append(f"  ……另有 {rest} 行未列出（用 --json 查看全部）。")
    for src, row, value in p.unknown_units[:SHOWN]:
        lines.append(f"  注意 {src} 第{row}行：支部「{value}」不是已知的单位，已原样写入；"
                     f"已知的单位有：{p.known_unit_names}。")
    if p.missing_required and p.added:
        lines.append("需要补填：来源中没有必填列「" + "」「".join(p.missing_required)
                     + f"」，请在「{p.sheet.name}」的新增行中补填。")
    if p.added:
        counts = result.counts
        lines.append("新增行的校验：" + "，".join(f"{lv} {counts[lv]} 个" for lv in LEVELS))
        shown = sorted(result.findings, key=lambda f: (LEVELS.index(f.level), f.row or 0))[:SHOWN]
        for f in shown:
            lines.append(f"  [{f.level}] {f.message}{f.suggestion}")
        if len(result.findings) > SHOWN:
            lines.append(f"  ……另有 {len(result.findings) - SHOWN} 条（写入后运行 dj validate 查看全部）。")
    return lines


@click.command("import")
@click.argument("book", type=click.Path(path_type=Path))
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE…")
@click.option("--sheet", "sheet", required=True, metavar="SHEET", help="导入到哪个工作表（如 党员名册、联系对象）")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="OUT",
              help="把导入后的工作簿写到新文件 OUT（原文件不变）")
@click.option("--in-place", is_flag=True, help="直接写回原文件（先保留备份）")
@click.option("--force", is_flag=True, help="允许覆盖已存在的 OUT")
@as_of_option
@json_option
@click.pass_context
def import_command(ctx: click.Context, book: Path, sources: tuple[str, ...], sheet: str, out: Path | None,
                   in_place: bool, force: bool, as_of: str | None, as_json: bool) -> None:
    """导入其他系统导出的名单：SOURCE 可写成「文件:工作表名」；显示列的对应、新增/跳过/拒绝的行和新增行的校验结果。"""
    dest = output_target(book, out, in_place, force)
    if out is not None and out.exists() and not force:
        raise UsageError(f"输出文件「{out.name}」已存在；为免覆盖，请换一个文件名，或加 --force 覆盖它。")
    result = import_rows(book, list(sources), sheet, dest=dest, as_of=parse_as_of(as_of))
    if as_json:
        print_json(result.as_json())
    else:
        for line in summary_lines(result):
            click.echo(line)
        if result.written is not None:
            click.echo(f"已写入：{result.written}")
            if result.backup is not None:
                click.echo(f"原文件备份：{result.backup}")
        else:
            click.echo("提示：以上是预览，工作簿未改动；加 -o 输出文件 或 --in-place 写入。")
    ctx.exit(1 if result.has_errors else 0)


def register(group: click.Group) -> None:
    group.add_command(import_command)
