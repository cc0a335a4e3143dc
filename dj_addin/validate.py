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
from dj_addin.rules.context import shown_form

_SHEET_ORDER = {s.key: i for i, s in enumerate(schema.SHEETS)}
_LEVEL_ORDER = {lvl: i for i, lvl in enumerate(schema.LEVELS)}


def validate_run(run: RunContext, *, file: str = "") -> ValidationReport:
    """All findings of every rule for the run's workbook, sorted for reading."""
    book = run.book
    ctx = Context(run)
    findings: dict[tuple, Finding] = {}
    make = _FindingMaker(book)
    for rule in ordered_rules():
        for hit in rule.func(ctx):
            f = make(rule, hit)
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


class _FindingMaker:
    """Turns hits into findings for one book. A book with many findings (a log
    entered twice: hundreds of R009) pays the look-ups of a sheet and of a
    column once, not once per hit: sheet names, column letters, headers, the
    Excel row → position map and the raw arrays are cached on first use."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.sheets: dict[str, tuple] = {}  # sheet key → (table, kv, spec, sheet name)
        self.letters: dict[tuple[str, str], str] = {}  # (sheet, key) → column letter
        self.headers: dict[tuple[str, str], str] = {}  # (sheet, key) → header
        self.positions: dict = {}  # sheet → Excel row → position; (sheet, key) → raw values, shown form

    def _sheet(self, sheet_key: str) -> tuple:
        got = self.sheets.get(sheet_key)
        if got is None:
            table = self.book.tables.get(sheet_key)
            kv = self.book.kv.get(sheet_key)
            found = table if table is not None else kv
            spec = schema.sheet(sheet_key)
            name = found.name if found is not None and found.found and found.name else spec.name
            got = self.sheets[sheet_key] = (table, kv, spec, name)
        return got

    def _letter(self, sheet_key: str, key: str, table) -> str:
        got = self.letters.get((sheet_key, key))
        if got is None:
            got = self.letters[(sheet_key, key)] = table.columns.get(key, "") if table is not None else ""
        return got

    def _header(self, sheet_key: str, key: str, spec) -> str:
        got = self.headers.get((sheet_key, key))
        if got is None:
            got = self.headers[(sheet_key, key)] = spec.column(key).header if key else ""
        return got

    def _position(self, sheet_key: str, table, row: int) -> int | None:
        rows = self.positions.get(sheet_key)
        if rows is None:  # Excel row → position in the table, once per sheet
            rows = self.positions[sheet_key] = dict(zip(table.origin["row"].tolist(), range(len(table.origin))))
        return rows.get(row)

    def __call__(self, rule: Rule, hit: Hit) -> Finding:
        table, kv, spec, sheet_name = self._sheet(hit.sheet)
        column = hit.column if hit.column is not None else self._letter(hit.sheet, hit.key, table)
        field = hit.field if hit.field is not None else self._header(hit.sheet, hit.key, spec)
        value = hit.value
        merged = self.book.merged
        pos = None
        if table is not None and hit.row is not None and (merged or (value is None and hit.key)):
            pos = self._position(hit.sheet, table, hit.row)
        if value is None:
            value = ""
            if pos is not None and hit.key:
                column_key = (hit.sheet, hit.key)
                raw = self.positions.get(column_key)
                if raw is None:  # one array per column: 20,000 findings, not 20,000 frame look-ups
                    raw = self.positions[column_key] = (table.raw[hit.key].to_numpy(), shown_form(spec.column(hit.key)))
                value = raw[1](raw[0][pos])  # IDs: trimmed and folded, as every message quotes them
            elif table is None and kv is not None and hit.key in kv.items:
                value = nz.text_of(kv.items[hit.key].raw)
        source_unit = source_row = None
        if merged and pos is not None:  # the merged row's provenance (aggregation.md)
            origin = self.positions.get((hit.sheet, "origin"))
            if origin is None:
                origin = self.positions[(hit.sheet, "origin")] = (table.origin["source_unit"].tolist(),
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


def _sort_key(book: Book, f: Finding, ranks: dict[str, int]) -> tuple:
    """Level, sheet in template order, row, column (AA after Z: by length, then letters), rule."""
    rank = ranks.get(f.sheet)
    if rank is None:
        rank = ranks[f.sheet] = _sheet_rank(book, f.sheet)
    return (_LEVEL_ORDER.get(f.level, 9), rank, f.row if f.row is not None else 0, len(f.column), f.column, f.rule)
