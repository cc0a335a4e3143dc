"""The import job: read the sources, plan, write, validate (workbook.md, 导入).

``import_rows`` is the one function behind ``dj import`` and, later, the
ribbon's 导入名单 button (Excel add-in): both pass the book, the sources and
the target sheet, and show the returned ``ImportResult``.

Writing follows the rules of every command: nothing is written without a
destination; ``dest`` equal to the book means in place (a backup first,
then an atomic replace); any other ``dest`` is a new file. The imported rows
are validated like typed ones: the written workbook (or, without a
destination, the same workbook in a temporary folder) is read back and
validated, and the findings on the new rows are returned.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dj_addin.errors import UsageError
from dj_addin.importer.plan import ImportPlan, import_spec, importable_sheet, plan_import
from dj_addin.model import Finding
from dj_addin.schema import LEVELS
from dj_addin.xlsx.append import append_to_sheet
from dj_addin.xlsx.atomic import atomic_copy, atomic_write, keep_backup
from dj_addin.xlsx.reader import read_book
from dj_addin.xlsx.sources import parse_source, read_source


@dataclass
class ImportResult:
    """What an import did, for the console, the JSON document and the ribbon."""

    book: Path
    plan: ImportPlan
    written: Path | None = None
    backup: Path | None = None
    findings: list[Finding] = field(default_factory=list)  # on the added rows

    @property
    def counts(self) -> dict[str, int]:
        return {lv: sum(1 for f in self.findings if f.level == lv) for lv in LEVELS}

    @property
    def has_errors(self) -> bool:
        return any(f.level == LEVELS[0] for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        p = self.plan
        return {
            "file": self.book.name, "sheet": p.sheet.name,
            "output": str(self.written) if self.written else None,
            "backup": str(self.backup) if self.backup else None,
            "sources": [s.as_json() for s in p.sources],
            "counts": {"added": len(p.added), "skipped": len(p.skipped), "refused": len(p.refused)},
            "added": [o.as_json() for o in p.added],
            "skipped": [o.as_json() for o in p.skipped],
            "refused": [o.as_json() for o in p.refused],
            "missing_required": p.missing_required,
            "unknown_units": [{"source": s, "row": r, "value": v} for s, r, v in p.unknown_units],
            "finding_counts": self.counts,
            "findings": [f.as_json() for f in self.findings],
        }


def import_rows(book: str | Path, sources: list[str], sheet: str, *, dest: Path | None = None,
                as_of: dt.date | None = None) -> ImportResult:
    """Bring the rows of ``sources`` (``path`` or ``path:工作表名``) into the sheet
    ``sheet`` of ``book``; write into ``dest`` (the book itself: in place, with a
    backup) or nowhere. Raises ``DjError`` subclasses with Chinese messages."""
    from dj_addin.validate import validate_book

    book = Path(book)
    spec = importable_sheet(sheet)
    target = read_book(book)
    if not target.tables[spec.key].found:
        raise UsageError(f"「{book.name}」中没有工作表「{spec.name}」；请先用党建助手模板建好工作簿。")
    tables = []
    for text in sources:
        ref = parse_source(text)
        if ref.path.exists() and ref.path.resolve() == book.resolve():
            raise UsageError(f"导入来源「{ref.path.name}」就是要导入的工作簿本身；请指定其他系统导出的名单。")
        tables.append((ref.label, read_source(ref, import_spec(spec))))
    plan = plan_import(target, spec, tables)
    result = ImportResult(book=book, plan=plan)
    rows = [o.values for o in plan.added]
    with tempfile.TemporaryDirectory(prefix="dj-import-") as folder:
        out = dest if dest is not None else Path(folder) / f"import{book.suffix}"
        if rows and dest is not None and dest.exists() and dest.resolve() == book.resolve():
            result.backup = keep_backup(book)
        in_place = dest is not None and dest.exists() and dest.resolve() == book.resolve()
        keep = in_place and book.suffix.lower() == ".xlsm"  # macros only in place
        if rows:
            atomic_write(out, lambda tmp: append_to_sheet(book, tmp, spec.key, rows, keep_macros=keep))
        elif dest is not None and out.resolve() != book.resolve():
            atomic_copy(book, out)  # -o always yields the named file
        if dest is not None:
            result.written = dest
        if rows:
            checked = read_book(out)
            report = validate_book(checked, as_of, file=book.name)
            table = checked.tables[spec.key]
            where: dict[str, int] = {}
            for row, key in zip(table.rows.to_numpy(), table.data[spec.key_column]):
                if isinstance(key, str):
                    where[key] = int(row)  # the last Excel row with the key: the appended one
            for o in plan.added:
                o.target_row = where.get(o.key)
            new_rows = {o.target_row for o in plan.added if o.target_row is not None}
            result.findings = [f for f in report.findings if f.sheet == table.name and f.row in new_rows]
    return result
