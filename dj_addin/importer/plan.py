"""What an import will do (workbook.md, 导入): pure, on plain tables.

Given the target book and the source tables (read by ``xlsx.sources``),
``plan_import`` decides, row by row, what happens: a row with a new key is
added; a row whose key the sheet already has is skipped, the existing row
wins, and the differences are listed; a row without a key, or whose key is
an ID-card number, is refused. It also records which source column went to
which of ours, which were left out, and which required columns the source
lacks (the secretary must fill those in). Nothing here touches a file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dj_addin import normalize as nz
from dj_addin import schema
from dj_addin.branch_names import known_units
from dj_addin.errors import UsageError
from dj_addin.model import Book, SheetTable
from dj_addin.schema import Sheet

ID_CARD = re.compile(r"^\d{17}[\dX]$")  # an 18-digit 居民身份证号码


@dataclass(frozen=True)
class Mapped:
    source: str  # header as found in the source
    letter: str  # its column letter in the source
    column: str  # our header


@dataclass(frozen=True)
class LeftOut:
    source: str
    letter: str
    reason: str


@dataclass
class SourcePlan:
    """One source sheet: how it was read and mapped."""

    label: str  # file name (and :sheet when picked)
    sheet: str  # sheet name as found
    header_row: int
    rows: int  # non-blank rows read
    mapping: list[Mapped] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"source": self.label, "sheet": self.sheet, "header_row": self.header_row, "rows": self.rows,
                "mapping": [{"source": m.source, "letter": m.letter, "column": m.column} for m in self.mapping],
                "left_out": [{"source": o.source, "letter": o.letter, "reason": o.reason} for o in self.left_out]}


@dataclass(frozen=True)
class Difference:
    field: str
    existing: str
    imported: str


@dataclass
class RowOutcome:
    """One source row: added, skipped (existing key) or refused."""

    source: str
    row: int  # Excel row in the source
    key: str
    name: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # schema key → cell value to write (added rows)
    existing_row: int | None = None  # skipped: the row that stays
    differences: list[Difference] = field(default_factory=list)
    reason: str = ""  # refused: why
    target_row: int | None = None  # added: the Excel row it went to (set after writing)

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"source": self.source, "row": self.row, "key": self.key, "name": self.name}
        if self.target_row is not None:
            doc["target_row"] = self.target_row
        if self.existing_row is not None:
            doc["existing_row"] = self.existing_row
            doc["differences"] = [{"field": d.field, "existing": d.existing, "imported": d.imported}
                                  for d in self.differences]
        if self.reason:
            doc["reason"] = self.reason
        return doc


@dataclass
class ImportPlan:
    sheet: Sheet
    sources: list[SourcePlan] = field(default_factory=list)
    added: list[RowOutcome] = field(default_factory=list)
    skipped: list[RowOutcome] = field(default_factory=list)
    refused: list[RowOutcome] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)  # our required headers no source had
    unknown_units: list[tuple[str, int, str]] = field(default_factory=list)  # (source, row, name) kept as found
    known_unit_names: str = ""


def import_spec(sheet: Sheet) -> Sheet:
    """The target sheet's definition with the key headers other systems use
    (学号/工号 for 对象编号): sources are read with it, the workbook never is."""
    extra = schema.IMPORT_KEY_ALIASES.get(sheet.key, ())
    if not extra or sheet.key_column is None:
        return sheet
    from dataclasses import replace

    cols = tuple(replace(c, aliases=c.aliases + tuple(a for a in extra if a not in c.aliases))
                 if c.key == sheet.key_column else c for c in sheet.columns)
    return replace(sheet, columns=cols)


def importable_sheet(name: str) -> Sheet:
    """The data sheet called ``name``; it must have a key column (rows are matched by key)."""
    by_name = {nz.fold_header(s.name): s for s in schema.DATA_SHEETS}
    spec = by_name.get(nz.fold_header(name))
    allowed = "、".join(f"「{s.name}」" for s in schema.DATA_SHEETS if s.key_column)
    if spec is None or spec.key_column is None:
        raise UsageError(f"--sheet「{name}」不能导入；可以导入的工作表有：{allowed}。")
    return spec


def key_column_missing(label: str, spec: Sheet, t: SheetTable) -> str:
    """The message for a source without a key column: names the column to add."""
    key = spec.column(spec.key_column)
    others = "、".join(a for a in import_spec(spec).column(spec.key_column).aliases if "/" not in a)
    id_cards = [h for h in t.extra_columns if nz.fold_header(h) in {nz.fold_header(x) for x in schema.ID_CARD_HEADERS}]
    card = f"；表中的「{id_cards[0]}」是身份证号码，不能作为编号" if id_cards else ""
    return (f"导入来源「{label}」中没有「{key.header}」列（也认 {others}）{card}。"
            f"请在来源表中加一列「学号」或「工号」，填上每人的学号/工号后再导入。")


def _cell(col: schema.Column, typed: Any, raw: Any, bad: bool) -> Any:
    """The value written into our sheet: the typed value (synonyms applied, IDs
    folded, dates as dates); an unreadable cell as found, so validation flags it."""
    if raw is None:
        return None
    if bad:
        return nz.text_of(raw).strip()
    if typed is None or (isinstance(typed, float) and typed != typed):
        return None
    if isinstance(typed, pd.Timestamp):
        return typed.date()
    if isinstance(typed, float) and typed.is_integer() and col.is_numeric:
        return int(typed)
    return typed


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return schema.BOOL_VALUES[0] if value else schema.BOOL_VALUES[1]
    if isinstance(value, (tuple, list)):
        return "、".join(map(str, value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return nz.text_of(value).strip()


def _existing_rows(book: Book, spec: Sheet) -> dict[str, tuple[int, dict[str, Any]]]:
    """Key → (Excel row, typed values) of the target sheet's rows (first row wins)."""
    t = book.tables[spec.key]
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    if not len(t):
        return out
    for row, rec in zip(t.rows.to_numpy(), t.data[spec.keys].to_dict("records")):  # Excel rows
        key = rec.get(spec.key_column)
        if isinstance(key, str) and key not in out:
            out[key] = (int(row), rec)
    return out


def plan_import(book: Book, spec: Sheet, sources: list[tuple[str, SheetTable]]) -> ImportPlan:
    """Decide every source row's fate (see the module docstring). Raises
    ``UsageError`` for a source without a key column: nothing is imported then."""
    plan = ImportPlan(sheet=spec)
    existing = _existing_rows(book, spec)
    units = known_units(book)
    by_unit_name = {nz.fold_header(n).upper(): c for c, n in units.items() if n}
    plan.known_unit_names = "、".join(f"{n}（{c}）" if n else c for c, n in units.items())
    found_keys: set[str] = set()
    added_here: dict[str, RowOutcome] = {}  # keys added by this import so far, across sources
    for label, t in sources:
        if spec.key_column not in t.columns:
            raise UsageError(key_column_missing(label, spec, t))
        sp = SourcePlan(label=label, sheet=t.name, header_row=t.header_row, rows=len(t))
        for key, letter in sorted(t.columns.items(), key=lambda kv: (len(kv[1]), kv[1])):
            sp.mapping.append(Mapped(t.headers_found[key], letter, spec.column(key).header))
        for head, letter in sorted(t.extra_columns.items(), key=lambda kv: (len(kv[1]), kv[1])):
            reason = t.header_notes.get(head, "不是本表的列")
            sp.left_out.append(LeftOut(head, letter, reason))
        for key, letters in t.duplicate_columns.items():
            for letter in letters[1:]:
                sp.left_out.append(LeftOut(spec.column(key).header, letter,
                                           f"与 {letters[0]} 列重复，只导入 {letters[0]} 列"))
        plan.sources.append(sp)
        found_keys.update(t.columns)
        _plan_rows(plan, spec, label, t, existing, added_here, by_unit_name, units)
    plan.missing_required = [c.header for c in spec.columns if c.required and c.key not in found_keys]
    return plan


def _plan_rows(plan: ImportPlan, spec: Sheet, label: str, t: SheetTable,
               existing: dict[str, tuple[int, dict[str, Any]]], added_here: dict[str, "RowOutcome"],
               by_unit_name: dict[str, str], units: dict[str, str]) -> None:
    key_col = spec.key_column
    cols = [spec.column(k) for k in spec.keys if k in t.columns]
    data = t.data[[c.key for c in cols]].to_dict("records")
    raw = t.raw[[c.key for c in cols]].to_dict("records")
    bad = t.bad[[c.key for c in cols]].to_dict("records")
    key_head = t.headers_found.get(key_col, spec.column(key_col).header)
    for row, d, r, b in zip(t.rows.to_numpy(), data, raw, bad):  # Excel rows of the source
        row = int(row)
        key = d.get(key_col)
        name = _shown(d.get("name")) if d.get("name") is not None else ""
        if not isinstance(key, str) or b.get(key_col):
            why = "没有编号" if r.get(key_col) is None else f"「{key_head}」为 {nz.text_of(r.get(key_col))}，不是有效编号"
            plan.refused.append(RowOutcome(label, row, nz.text_of(r.get(key_col)).strip(), name,
                                           reason=f"{why}；请补上学号/工号后再导入这一行。"))
            continue
        if ID_CARD.match(key):
            plan.refused.append(RowOutcome(label, row, key, name,
                                           reason=f"「{key_head}」为 {key}，是身份证号码，不能作为编号；请改填学号/工号。"))
            continue
        values = {c.key: _cell(c, d[c.key], r[c.key], b[c.key]) for c in cols}
        unit = spec.unit_column
        if unit and isinstance(values.get(unit), str) and values[unit] not in units:
            code = by_unit_name.get(nz.fold_header(values[unit]).upper())
            if code:
                values[unit] = code
            elif units:
                plan.unknown_units.append((label, row, values[unit]))
        if key in existing or key in added_here:
            if key in existing:
                at_row, old = existing[key]
            else:
                first = added_here[key]
                at_row, old = None, first.values
            diffs = []
            for c in cols:
                new = values.get(c.key)
                if c.key == key_col or new is None:
                    continue
                before = _shown(old.get(c.key)) if old.get(c.key) is not None else ""
                if before != _shown(new):
                    diffs.append(Difference(c.header, before, _shown(new)))
            outcome = RowOutcome(label, row, key, name, existing_row=at_row if at_row is not None else 0,
                                 differences=diffs)
            if at_row is None:
                outcome.reason = f"与「{added_here[key].source}」第{added_here[key].row}行的编号相同，只导入先出现的一行"
            plan.skipped.append(outcome)
            continue
        outcome = RowOutcome(label, row, key, name, values=values)
        added_here[key] = outcome
        plan.added.append(outcome)
