"""Run every registered rule over a Book and collect the findings (validation.md).

Rules say what is wrong (``rules.Hit``); this module turns hits into
``model.Finding``s with the sheet name as the user sees it, the column
letter, the header and the value as found, drops exact repeats, and sorts
them: 级别 (错误, 警告, 提示), then sheet in template order, then row, then column.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dj_addin import normalize as nz
from dj_addin import schema
from dj_addin.context import RunContext
from dj_addin.model import Book, Finding
from dj_addin.results import ValidationReport
from dj_addin.rules import Context, Hit, Rule, ordered_rules

_SHEET_ORDER = {s.key: i for i, s in enumerate(schema.SHEETS)}
_LEVEL_ORDER = {lvl: i for i, lvl in enumerate(schema.LEVELS)}


def validate_run(run: RunContext, *, file: str = "") -> ValidationReport:
    """All findings of every rule for the run's workbook, sorted for reading."""
    book = run.book
    ctx = Context(run)
    findings: dict[tuple, Finding] = {}
    positions: dict = {}
    for rule in ordered_rules():
        for hit in rule.func(ctx):
            f = _finding(book, rule, hit, positions)
            findings.setdefault((f.rule, f.sheet, f.row, f.column, f.field, f.message), f)
    ranks: dict[str, int] = {}
    ordered = sorted(findings.values(), key=lambda f: _sort_key(book, f, ranks))
    if not file and book.path is not None:
        file = Path(book.path).name
    return ValidationReport(file=file, as_of=run.as_of, findings=ordered, checked_at=run.checked_at)


def validate_book(book: Book, as_of: dt.date | None = None, *, file: str = "",
                  today: dt.date | None = None) -> ValidationReport:
    """Validation alone (``dj validate``, 校验全部): builds the run context of ``book``
    at ``as_of`` (None: today, at most 考核年度's last day) and validates it."""
    return validate_run(RunContext.build(book, as_of, today=today), file=file)


def validate_path(path: str | Path, as_of: dt.date | None = None) -> tuple[Book, ValidationReport]:
    """Read and validate one file; ``errors.UnreadableFile`` (S001) propagates."""
    from dj_addin.xlsx.reader import read_book

    book = read_book(path)
    return book, validate_book(book, as_of, file=Path(path).name)


def _finding(book: Book, rule: Rule, hit: Hit, positions: dict) -> Finding:
    """``positions`` caches, per sheet, Excel row → position and the columns looked up."""
    table = book.tables.get(hit.sheet)
    kv = book.kv.get(hit.sheet)
    found = table if table is not None else kv
    spec = schema.sheet(hit.sheet)
    sheet_name = found.name if found is not None and found.found and found.name else spec.name
    column = hit.column
    if column is None:
        column = table.columns.get(hit.key, "") if table is not None else ""
    field = hit.field
    if field is None:
        field = spec.column(hit.key).header if hit.key else ""
    value = hit.value
    pos = None
    if table is not None and hit.row is not None and (book.merged or (value is None and hit.key)):
        rows = positions.get(hit.sheet)
        if rows is None:  # Excel row → position in the table, once per sheet
            rows = positions[hit.sheet] = dict(zip(table.origin["row"].tolist(), range(len(table.origin))))
        pos = rows.get(hit.row)
    if value is None:
        value = ""
        if pos is not None and hit.key:
            column_key = (hit.sheet, hit.key)
            raw = positions.get(column_key)
            if raw is None:  # one array per column: 20,000 findings, not 20,000 frame look-ups
                raw = positions[column_key] = table.raw[hit.key].to_numpy()
            shown = nz.shown_id if spec.column(hit.key).type is schema.ColType.ID else nz.text_of
            value = shown(raw[pos])  # IDs: trimmed and folded, as every message quotes them
        elif table is None and kv is not None and hit.key in kv.items:
            value = nz.text_of(kv.items[hit.key].raw)
    source_unit = source_row = None
    if book.merged and pos is not None:  # the merged row's provenance (aggregation.md)
        origin = positions.get((hit.sheet, "origin"))
        if origin is None:
            origin = positions[(hit.sheet, "origin")] = (table.origin["source_unit"].tolist(),
                                                         table.origin["source_row"].tolist())
        source_unit, source_row = origin[0][pos], int(origin[1][pos])
    return Finding(rule=rule.code, level=hit.level or rule.level, sheet=sheet_name, row=hit.row,
                   column=column, field=field, value=value, message=sentence(hit.message),
                   suggestion=hit.suggestion, source_unit=source_unit, source_row=source_row)


def sentence(message: str) -> str:
    """A message stands alone in JSON and in 问题清单: end it with 。 rather than
    the ； that joins it to its suggestion in notes and in the human output."""
    text = message.rstrip().rstrip("；;，,")
    return text if text.endswith(("。", "！", "？", "）")) else text + "。"


def _sheet_rank(book: Book, sheet_name: str) -> int:
    spec = schema.SHEETS_BY_NAME.get(sheet_name)
    if spec is None:
        for key, t in list(book.tables.items()) + list(book.kv.items()):
            if t.name == sheet_name:
                spec = schema.sheet(key)
                break
    return _SHEET_ORDER.get(spec.key, len(_SHEET_ORDER)) if spec is not None else -1


def _column_rank(letter: str) -> tuple[int, str]:
    return (len(letter), letter)


def _sort_key(book: Book, f: Finding, ranks: dict[str, int]) -> tuple:
    if f.sheet not in ranks:
        ranks[f.sheet] = _sheet_rank(book, f.sheet)
    return (_LEVEL_ORDER.get(f.level, 9), ranks[f.sheet], f.row if f.row is not None else 0,
            _column_rank(f.column), f.rule)
