"""The job 汇总下级: many unit workbooks → one workbook of the same shape.

``aggregate`` is what ``dj aggregate`` and the ribbon's 汇总下级 call: find the
inputs, load each one in a worker (read, validate, mask, compact), decide
which are merged, concatenate them with provenance under the upper level's
sheets, recompute 指标汇总 and 考评结果, and write every sheet with the
streaming writer, atomically. The inputs are only read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from dj_addin import schema
from dj_addin.aggregate.inputs import Skipped, find_inputs
from dj_addin.aggregate.merge import (Conflict, Limited, Upper, conflicts, merge_books, over_limit, quota_differences,
                                      quota_rows, recompute, upper_level, upper_meta)
from dj_addin.aggregate.report import SourceRow, UnitFigures, comparison_plan, outcomes, sources_plan, unit_figures
from dj_addin.aggregate.select import DUPLICATE, RETURNED, Decision, decide, output_year
from dj_addin.aggregate.sheets import input_plans
from dj_addin.aggregate.worker import load_all
from dj_addin.collector import kept, paused
from dj_addin.errors import UsageError
from dj_addin.model import SheetTable, origin_frame
from dj_addin.plans.inputs import ListSources
from dj_addin.template.layout import TEMPLATE_FONT

Progress = Callable[[int, int, str], None]


@dataclass
class AggregateResult:
    """What one merge did (interfaces.md's document is ``as_json``)."""

    output: Path | None
    decisions: list[Decision]
    refused: list[Skipped]  # containers or paths refused as a whole: returned
    skipped: list[Skipped]  # not workbooks: listed only
    missing_units: list[tuple[str, str]] = field(default_factory=list)  # (单位编码, 单位名称)
    conflicts: list[Conflict] = field(default_factory=list)
    figures: list[UnitFigures] = field(default_factory=list)  # per merged subordinate unit
    unit_code: str | None = None
    unit_name: str | None = None
    year: int | None = None
    as_of: dt.date | None = None
    notes: list[str] = field(default_factory=list)
    limited: list[Limited] = field(default_factory=list)
    scores: Any = None  # scoring.Scores over the merged data
    rollup: Any = None  # rollup.Rollup over the merged data

    @property
    def included(self) -> list[Decision]:
        return [d for d in self.decisions if d.included]

    @property
    def returned(self) -> list[tuple[str, list[str]]]:
        out = [(d.loaded.name, d.reasons) for d in self.decisions if d.outcome == RETURNED]
        return out + [(r.name, [r.reason]) for r in self.refused]

    @property
    def duplicates(self) -> list[str]:
        return [d.loaded.name for d in self.decisions if d.outcome == DUPLICATE]

    @property
    def exit_code(self) -> int:
        """0 all merged; 1 some file was returned; 2 nothing could be merged."""
        if not self.included:
            return 2
        return 1 if self.returned else 0

    def as_json(self) -> dict[str, Any]:
        return {"output": None if self.output is None else str(self.output),
                "included": [d.loaded.name for d in self.included],
                "returned": [{"file": f, "reasons": list(r)} for f, r in self.returned],
                "duplicates": self.duplicates,
                "missing_units": [code for code, _ in self.missing_units],
                "conflicts": [c.as_json() for c in self.conflicts]}

    def summary_lines(self) -> list[str]:
        lines = []
        if not self.included:
            lines.append("没有可以汇总的工作簿，未生成汇总文件。")
        else:
            lines.append(f"汇总单位：{self.unit_code or '（未填）'} {self.unit_name or ''}　考核年度：{self.year}"
                         f"　统计截止：{self.as_of.isoformat() if self.as_of else ''}")
            lines.append(f"已汇总 {len(self.included)} 个文件，退回 {len(self.returned)} 个，"
                         f"重复已忽略 {len(self.duplicates)} 个，跳过 {len(self.skipped)} 个。")
        for f, reasons in self.returned:
            lines.append(f"  退回：{f}：{'；'.join(reasons)}")
        for f in self.duplicates:
            lines.append(f"  重复已忽略：{f}")
        if self.missing_units:
            lines.append("未报送单位：" + "、".join(f"{c} {n}".strip() for c, n in self.missing_units))
        for c in self.conflicts[:10]:
            lines.append(f"  冲突：{c.detail}")
        if len(self.conflicts) > 10:
            lines.append(f"  ……共 {len(self.conflicts)} 项冲突，见「{schema.SOURCES.name}」")
        for n in self.notes:
            lines.append(f"  注意：{n}")
        for fig in self.figures:
            avg = "无" if fig.average is None else f"{fig.average:.1f}"
            lines.append(f"  {fig.unit_code} {fig.unit_name}：党员 {fig.members} 名，联系记载 {fig.contacts} 条，"
                         f"平均综合得分 {avg}")
        if self.output is not None:
            lines.append(f"已写入：{self.output}")
        return lines


def _check_output(out: Path, force: bool, sources: list[Path]) -> Path:
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"汇总文件「{out.name}」须是 .xlsx 文件（不带宏）；例如 -o 汇总_{dt.date.today().year}.xlsx。")
    if out.exists():
        resolved = out.resolve()
        if any(p.resolve() == resolved for p in sources):
            raise UsageError(f"-o 指向了一个待汇总的文件「{out.name}」；请换一个输出文件名。")
        if not force:
            raise UsageError(f"「{out}」已存在；换一个文件名，或加 --force 覆盖它。")
    return out


def _units_table(upper: Upper, decisions: list[Decision]) -> SheetTable | None:
    """下级单位 of the output when the upper level lists none: the merged units themselves."""
    t = upper.book.tables[schema.UNITS.key]
    if len(t):
        return None
    rows = {}
    for d in decisions:
        if d.included:
            x = d.loaded
            rows.setdefault(str(x.unit_code), {"unit_code": str(x.unit_code), "unit_name": x.unit_name,
                                               "unit_level": x.unit_level, "leader": None, "must_report": True})
    data = pd.DataFrame(list(rows.values()), columns=t.data.columns)
    data.index = pd.RangeIndex(len(data), name=t.data.index.name)
    from dataclasses import replace

    return replace(t, data=data, origin=origin_frame(list(range(2, len(data) + 2)), index=data.index),
                   compacted=True, _as_found={})


def aggregate(inputs, out, *, template=None, include_errors: bool = False, as_of: dt.date | None = None,
              workers: int | None = None, force: bool = False, progress: Progress | None = None,
              row_limit: int | None = None) -> AggregateResult:
    """Merge the workbooks in ``inputs`` (files, folders, .zip, .eml) into a new workbook ``out``
    (None: check and compute only, write nothing). ``row_limit``: rows per merged data sheet
    (default ``DJ_MAX_ROWS`` or 500,000)."""
    with kept() as keep:  # what the merge holds is walked by the garbage collector once (collector.py)
        return _aggregate(inputs, out, template, include_errors, as_of, workers, force, progress, row_limit, keep)


def _aggregate(inputs, out, template, include_errors: bool, as_of: dt.date | None, workers: int | None,
               force: bool, progress: Progress | None, row_limit: int | None,
               keep: Callable[[], None]) -> AggregateResult:
    from dj_addin.plans.results import results_plan
    from dj_addin.plans.rollup import rollup_plan
    from dj_addin.xlsx.reader import max_rows
    from dj_addin.xlsx.safety import max_file_bytes
    from dj_addin.xlsx.bulk import write_workbook_bulk
    from dj_addin.xlsx.xmltext import clean_plans

    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    max_file_bytes(), max_rows()  # a bad DJ_MAX_FILE_MB / DJ_MAX_ROWS stops the run here, not in every worker
    found = find_inputs(list(inputs))
    if out is not None:
        out = _check_output(Path(out), force, [s.path for s in found.sources if s.path is not None])
    upper = upper_level(Path(template) if template is not None else None)
    if template is not None:  # the upper level's own workbook often sits in the folder of its units' books
        own = Path(template).resolve()
        found.skipped += [Skipped(s.name, "本级工作簿（--template），不作为下级汇总") for s in found.sources
                          if s.path is not None and s.path.resolve() == own]
        found.sources = [s for s in found.sources if s.path is None or s.path.resolve() != own]
    loaded = load_all(found.sources, as_of, workers, progress, keep)
    year = output_year(loaded, upper.book.year if upper.from_template else None)
    decisions = decide(loaded, year, upper.units, include_errors)
    result = AggregateResult(None, decisions, found.refused, found.skipped, year=year)
    chosen = [d for d in decisions if d.included]
    if not chosen:
        return result
    upper_quotas = quota_rows(upper.book)
    for d in chosen:
        diff = quota_differences(upper_quotas, d.loaded.book)
        if diff:
            d.warnings.append(f"「{schema.QUOTAS.name}」与上级不同（{'；'.join(diff[:5])}），按上级的指标计算")
    meta = upper_meta(upper, chosen[0].loaded, year)
    merged = merge_books([d.loaded.book for d in chosen], upper, meta)
    units = _units_table(upper, decisions)
    if units is not None:
        merged.tables[schema.UNITS.key] = units
    keep()
    result.conflicts = conflicts(merged)
    calc = recompute(merged, as_of)
    keep()
    result.scores, result.rollup, result.as_of = calc.scores, calc.rollup, calc.as_of
    result.unit_code, result.unit_name = meta.get("unit_code"), meta.get("unit_name")
    got = {str(d.loaded.unit_code) for d in chosen}
    result.missing_units = [(c, n) for c, n in upper.expected_units() if c not in got]
    limit = row_limit if row_limit is not None else max_rows()
    result.limited = over_limit(merged, limit)
    result.notes = [x.note for x in result.limited]
    result.notes += [f"{d.loaded.name}：{w}" for d in chosen for w in d.warnings]
    if include_errors and any(d.loaded.errors for d in chosen):
        result.notes.append("部分文件含错误仍被汇总（--include-errors），考评结果为暂定。")
    result.figures = _figures(chosen, calc)
    with paused():  # millions of plain values and no cycles (collector.py)
        lists = ListSources()
        shaped = input_plans(merged, {x.sheet: x.note for x in result.limited},
                             f"{result.unit_code or ''} {result.unit_name or ''}".strip(), len(chosen),
                             calc.letterhead, lists, today=dt.date.today())
        errors = sum(d.loaded.errors for d in chosen)
        lh = calc.letterhead
        outputs = [rollup_plan(calc.rollup.to_table(), lh),
                   results_plan(calc.scores.to_table(errors > 0, errors), lh)]
        outputs.append(sources_plan(_source_rows(result), [(s.name, s.reason) for s in found.skipped],
                                    result.missing_units, result.conflicts, result.notes, lh))
        activity = merged.tables[schema.ACTIVITIES.key].data
        unit_of = pd.Series([str(d.loaded.unit_code) for d in chosen
                             for _ in range(len(d.loaded.book.tables[schema.ACTIVITIES.key]))], dtype=object)
        outputs.append(comparison_plan(result.figures, [q.code for q in calc.rollup.quotas],
                                       outcomes(activity, unit_of), lh))
        hidden = [p for p in (lists.plan(),) if p is not None]  # the long drop-down lists, last as in the template
        # the input-shaped sheets' text is cleaned column by column (sheets.plain_column)
        plans = shaped + clean_plans(outputs) + hidden if out is not None else []
    keep()
    if out is not None:
        write_workbook_bulk(out, plans, default_font=TEMPLATE_FONT)
        result.output = out
    return result


def _figures(chosen: list[Decision], calc) -> list[UnitFigures]:
    units = []
    for d in chosen:
        b = d.loaded.book
        roster = b.tables[schema.ROSTER.key]
        branches = {str(x) for x in roster.data["branch_code"].dropna()}
        branches |= {str(x) for x in roster.origin["source_unit"].dropna()} | {str(d.loaded.unit_code)}
        units.append((str(d.loaded.unit_code), d.loaded.unit_name or "", branches, len(roster),
                      len(b.tables[schema.CONTACT_LOG.key])))
    return unit_figures(units, calc.rollup.unit_summary, calc.scores.members)


def _source_rows(result: AggregateResult) -> list[SourceRow]:
    rows = []
    for d in result.decisions:
        x = d.loaded
        reason = "；".join(d.reasons + d.warnings)
        rows.append(SourceRow(Path(x.name).name if not x.container else x.name, x.where, x.unit_code, x.unit_name,
                              x.report_date, x.template_version, x.sha256, x.row_counts,
                              None if x.book is None else x.errors, x.warnings, d.outcome, reason))
    for r in result.refused:
        rows.append(SourceRow(r.name, "", None, None, None, None, "", {}, None, None, RETURNED, r.reason))
    return rows
