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
from dataclasses import dataclass, field
from pathlib import Path

from dj_addin.results import ResultsTable, RollupTable, ValidationReport
from dj_addin.xlsx.atomic import atomic_copy, atomic_write, backup_path, keep_backup
from dj_addin.xlsx.marks import MARKS_SHEET
from dj_addin.xlsx.reference import clear_with_openpyxl, save_with_openpyxl

__all__ = ["WriteStats", "save_outputs", "clear_marks", "atomic_write", "atomic_copy", "backup_path",
           "keep_backup", "MARKS_SHEET", "ENGINES"]

ENGINES = ("fast", "openpyxl")
DEFAULT_ENGINE = "auto"  # tests pin one engine through this


@dataclass
class WriteStats:
    """What one write did (for the CLI's and the ribbon's closing message)."""

    dest: Path
    restored: int = 0  # cells whose previous marks were undone first
    marked: int = 0  # cells marked now
    sheets: list[str] = field(default_factory=list)  # output sheets written
    engine: str = "openpyxl"
    seconds: float = 0.0


def _engine(engine: str | None, src: Path) -> str:
    engine = engine or DEFAULT_ENGINE
    if engine not in ("auto", *ENGINES):
        raise ValueError(f"unknown engine {engine!r}")
    if engine == "auto":
        return "fast" if src.suffix.lower() in (".xlsx", ".xlsm") else "openpyxl"
    return engine


def save_outputs(src: Path, dest: Path, *, report: ValidationReport | None = None,
                 rollup: RollupTable | None = None, results: ResultsTable | None = None,
                 mark: bool = True, engine: str | None = None) -> WriteStats:
    """Write the given results into a copy of ``src`` at ``dest`` (``dest`` may be ``src``).

    With a report, earlier marks are restored first, cells are marked again
    (unless ``mark`` is False) and 问题清单 is recreated.
    """
    from dj_addin.xlsx.splice import Unsupported, save_fast

    src, dest = Path(src), Path(dest)
    start = time.perf_counter()
    chosen = _engine(engine, src)
    outputs = dict(report=report, rollup=rollup, results=results, mark=mark)
    box: dict[str, object] = {}

    def produce(tmp: Path) -> None:
        if chosen == "fast":
            try:
                box["counts"], box["engine"] = save_fast(src, tmp, **outputs), "fast"
                return
            except Unsupported:
                if (engine or DEFAULT_ENGINE) == "fast":
                    raise
        box["counts"], box["engine"] = save_with_openpyxl(src, tmp, **outputs), "openpyxl"

    atomic_write(dest, produce)
    restored, marked, written = box["counts"]
    return WriteStats(dest, restored, marked, written, str(box["engine"]), time.perf_counter() - start)


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
