"""The plan of 问题清单: the counts first, then every finding, sorted, each linked to its cell.

The title line says whose sheet it is and the counts, then when the check
ran, the as-of date and the file; findings are sorted by 级别, then by
sheet in the workbook's order (file-level findings first), then by row and
column. Long texts wrap and their rows are tall enough to show them.
"""

from __future__ import annotations

from collections.abc import Sequence

from dj_addin import schema
from dj_addin.model import Finding
from dj_addin.plans import look
from dj_addin.plans.common import columns, main_block, table_sheet, title_text
from dj_addin.plans.types import MAX_LINKS, Link, RowColours, SheetPlan
from dj_addin.plans.values import plain
from dj_addin.results import ValidationReport
from dj_addin.schema import LEVELS

WRAPPED = ("value", "message", "suggestion")
CENTRED = ("level", "column")
LINK_TIP = "跳到这个单元格"


def count_line(report: ValidationReport) -> str:
    if not report.findings:
        return "未发现问题"
    counts = report.counts
    return "，".join(f"{level} {counts.get(level, 0)} 个" for level in LEVELS)


def title(report: ValidationReport, letterhead: look.Letterhead | None = None) -> str:
    checked = report.checked_at.strftime("%Y-%m-%d %H:%M:%S")
    detail = (f"结果：{count_line(report)}　校验时间：{checked}　统计截止：{report.as_of.isoformat()}　"
              f"文件：{report.file}")
    return title_text(letterhead or look.Letterhead(), schema.FINDINGS.name, detail)


def sort_findings(findings: Sequence[Finding], sheet_order: Sequence[str]) -> list[Finding]:
    """By 级别, then sheet in workbook order (file-level first, unknown sheets last), row, column."""
    order = {name: i for i, name in enumerate(sheet_order)}

    def key(f: Finding) -> tuple:
        level = LEVELS.index(f.level) if f.level in LEVELS else len(LEVELS)
        return (level, order.get(f.sheet, -1 if not f.sheet else len(order)), f.sheet, f.row or 0,
                len(f.column), f.column)

    return sorted(findings, key=key)


def link_for(index: int, f: Finding, sheet_names: Sequence[str] | set[str]) -> Link | None:
    """A link from the 工作表 cell to the finding's cell, when that sheet exists."""
    if not f.sheet or f.sheet not in sheet_names:
        return None
    return Link(index, "sheet", f.sheet, f"{f.column or 'A'}{f.row or 1}", LINK_TIP)


def findings_plan(report: ValidationReport, sheet_names: Sequence[str],
                  letterhead: look.Letterhead | None = None) -> SheetPlan:
    """``sheet_names``: the sheets of the workbook written to, in order (sorting and links)."""
    spec = schema.FINDINGS
    cols = columns(spec.columns, wrap=WRAPPED, centre=CENTRED, integers=False)
    findings = sort_findings(report.findings, sheet_names)
    rows = [[plain(getattr(f, c.key)) for c in cols] for f in findings]
    names = set(sheet_names)
    links = [link for i, f in enumerate(findings) if (link := link_for(i, f, names)) is not None][:MAX_LINKS]
    colours = (RowColours("level", dict(look.LEVEL_RGB)),)
    block = main_block(cols, rows, title(report, letterhead), colours=colours, links=links, link_style=look.LINK)
    return table_sheet(spec.name, [block], letterhead=letterhead)
