"""File adapter, writing side: findings, marks and output sheets → workbook, atomically.

``save_outputs`` writes 问题清单 / 指标汇总 / 考评结果 and the reversible cell
marks; ``clear_marks`` puts every marked cell back as it was. Both write a
temporary file next to ``dest`` and move it into place only when complete,
so ``src`` may equal ``dest`` and a failure leaves ``dest`` untouched.

Two engines give the same cells, fills, notes and output sheets (a contract
test holds them to it): ``"openpyxl"`` loads and saves the whole workbook
(the reference; cost follows the workbook), ``"fast"`` changes only the parts
of the .xlsx package that change (cost follows the results and the marked
sheets). ``"auto"`` (the default) uses the fast one and falls back to the
reference for packages it does not handle (``fast.Unsupported``).
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

from dj_addin.model import Finding
from dj_addin.plans import build_plans
from dj_addin.plans.types import SheetPlan
from dj_addin.results import ResultsTable, RollupTable, ValidationReport
from dj_addin.sink import WriteStats
from dj_addin.xlsx.atomic import atomic_copy, atomic_write, backup_path, keep_backup
from dj_addin.xlsx.marks import MARKS_SHEET
from dj_addin.xlsx.reference import clear_with_openpyxl, save_with_openpyxl
from dj_addin.xlsx.safety import _sheet_parts

__all__ = ["WriteStats", "save_plans", "save_outputs", "clear_marks", "atomic_write", "atomic_copy", "backup_path",
           "keep_backup", "MARKS_SHEET", "ENGINES"]

ENGINES = ("fast", "openpyxl")
DEFAULT_ENGINE = "auto"  # tests pin one engine through this


def _engine(engine: str | None, src: Path) -> str:
    engine = engine or DEFAULT_ENGINE
    if engine not in ("auto", *ENGINES):
        raise ValueError(f"unknown engine {engine!r}")
    if engine == "auto":
        return "fast" if src.suffix.lower() in (".xlsx", ".xlsm") else "openpyxl"
    return engine


def sheet_names(src: Path) -> list[str]:
    """The sheets of ``src`` in order, from its workbook part only ([] when unreadable:
    the write itself then reports the problem)."""
    try:
        with zipfile.ZipFile(src) as zf:
            return [name for name, _ in _sheet_parts(zf)]
    except Exception:  # noqa: BLE001 - any damage is reported by the writer
        return []


def save_plans(src: Path, dest: Path, plans: Sequence[SheetPlan], marks_for: Sequence[Finding] | None = None,
               *, engine: str | None = None) -> WriteStats:
    """Write ``plans`` (and marks, unless ``marks_for`` is None) into a copy of ``src`` at ``dest``
    (``dest`` may be ``src``). Earlier marks are restored before new ones are made."""
    from dj_addin.xlsx.splice import Unsupported, save_fast

    src, dest = Path(src), Path(dest)
    start = time.perf_counter()
    chosen = _engine(engine, src)
    box: dict[str, object] = {}

    def produce(tmp: Path) -> None:
        if chosen == "fast":
            try:
                box["counts"], box["engine"] = save_fast(src, tmp, plans, marks_for), "fast"
                return
            except Unsupported:
                if (engine or DEFAULT_ENGINE) == "fast":
                    raise
        box["counts"], box["engine"] = save_with_openpyxl(src, tmp, plans, marks_for), "openpyxl"

    atomic_write(dest, produce)
    restored, marked, written = box["counts"]
    return WriteStats(dest, restored, marked, written, str(box["engine"]), time.perf_counter() - start)


def save_outputs(src: Path, dest: Path, *, report: ValidationReport | None = None,
                 rollup: RollupTable | None = None, results: ResultsTable | None = None,
                 mark: bool = True, engine: str | None = None) -> WriteStats:
    """Write the given results into a copy of ``src`` at ``dest`` (``dest`` may be ``src``).

    With a report, earlier marks are restored first, cells are marked again
    (unless ``mark`` is False) and 问题清单 is recreated. (Builds the plans,
    then ``save_plans``; the pipeline goes through ``xlsx.sink.FileSink``.)
    """
    src = Path(src)
    names = sheet_names(src) if report is not None else []
    plans = build_plans(report=report, rollup=rollup, results=results, sheet_names=names)
    marks_for = None if report is None else (list(report.findings) if mark else [])
    return save_plans(src, dest, plans, marks_for, engine=engine)


def clear_marks(src: Path, dest: Path, *, engine: str | None = None) -> int:
    """Restore every marked cell of ``src`` into ``dest``; return the number of cells restored."""
    from dj_addin.xlsx.splice import Unsupported, clear_fast

    src, dest = Path(src), Path(dest)
    chosen = _engine(engine, src)
    box: dict[str, int] = {}

    def produce(tmp: Path) -> None:
        if chosen == "fast":
            try:
                box["n"] = clear_fast(src, tmp)
                return
            except Unsupported:
                if (engine or DEFAULT_ENGINE) == "fast":
                    raise
        box["n"] = clear_with_openpyxl(src, tmp)

    atomic_write(dest, produce)
    return box["n"]
