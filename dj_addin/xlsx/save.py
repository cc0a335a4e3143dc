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

Nothing replaces a file before it is verified (``verify.verify_written``):
every part the write touched parses, the package is whole and openpyxl
opens it. A fast result that fails is thrown away and the reference writer
tries, unless the workbook holds what that writer would drop (images,
threaded comments, validation lists in extension lists: ``fallback_losses``);
then, as when the reference result fails too, the command stops with a
message and the destination is left as it was.

Macros (the VBA project) are kept only when an .xlsm is written back into
itself; every other output is a macro-free .xlsx. Zip entries that the
workbook does not reference are never copied. ``WriteStats.notices`` says
so in Chinese.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

from dj_addin.errors import DjError
from dj_addin.model import Finding
from dj_addin.plans import build_plans
from dj_addin.plans.printing import SheetPrinting
from dj_addin.plans.types import SheetPlan
from dj_addin.results import ResultsTable, RollupTable, ValidationReport
from dj_addin.sink import WriteStats
from dj_addin.xlsx.atomic import atomic_copy, atomic_write, backup_path, keep_backup
from dj_addin.xlsx.marks import MARKS_SHEET
from dj_addin.xlsx.reference import clear_with_openpyxl, save_with_openpyxl
from dj_addin.xlsx.safety import _sheet_parts
from dj_addin.xlsx.verify import VerifyFailed, fallback_losses, package_notices, verify_written
from dj_addin.xlsx.xmltext import clean_findings, clean_plans, clean_report, clean_results, clean_rollup

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


def keeps_macros(src: Path, dest: Path) -> bool:
    """Macros stay only when an .xlsm is written back into itself (``--in-place``)."""
    if src.suffix.lower() != ".xlsm":
        return False
    try:
        return Path(src).resolve() == Path(dest).resolve()
    except OSError:
        return False


def _write_verified(src: Path, dest: Path, engine: str | None, keep: bool,
                    fast, reference) -> tuple[object, str]:
    """Run the chosen writer into a temporary file, verify it, fall back once, then rename.

    ``fast(tmp)`` and ``reference(tmp)`` write the result; the value of the one
    that passed is returned with its engine's name.
    """
    from openpyxl.utils.exceptions import IllegalCharacterError

    from dj_addin.xlsx.splice import Unsupported

    chosen = _engine(engine, src)
    box: dict[str, object] = {}

    def produce(tmp: Path) -> None:
        if chosen == "fast":
            try:
                value = fast(tmp)
                verify_written(tmp, src, keep_macros=keep)
                box["value"], box["engine"] = value, "fast"
                return
            except Unsupported as exc:
                if (engine or DEFAULT_ENGINE) == "fast":
                    raise
                lost = fallback_losses(src, keep_macros=keep)
                if lost:
                    raise DjError(
                        f"「{src.name}」含有{'、'.join(lost)}，快速写入未能安全完成，而备用写入方式会丢失这些内容，"
                        f"所以没有写入「{dest.name}」，原文件没有改动。不写入时仍可查看结果（去掉 -o / --in-place）；"
                        "请把文件交给党建助手的维护人员处理。") from exc
        try:
            value = reference(tmp)
        except IllegalCharacterError as exc:  # openpyxl refuses a character XML cannot hold
            raise DjError(f"无法把结果写入「{dest.name}」，原文件没有改动；请用 Excel 打开「{src.name}」另存为 .xlsx 后再试。") from exc
        try:
            verify_written(tmp, src, keep_macros=keep)
        except VerifyFailed as exc:
            raise DjError(f"写入「{dest.name}」后的检查没有通过，已放弃写入，原文件没有改动；"
                          f"请用 Excel 打开「{src.name}」另存为 .xlsx 后再试。") from exc
        box["value"], box["engine"] = value, "openpyxl"

    atomic_write(dest, produce)
    return box["value"], str(box["engine"])


def sheet_names(src: Path) -> list[str]:
    """The sheets of ``src`` in order, from its workbook part only ([] when unreadable:
    the write itself then reports the problem)."""
    try:
        with zipfile.ZipFile(src) as zf:
            return [name for name, _ in _sheet_parts(zf)]
    except Exception:  # noqa: BLE001 - any damage is reported by the writer
        return []


def save_plans(src: Path, dest: Path, plans: Sequence[SheetPlan], marks_for: Sequence[Finding] | None = None,
               *, engine: str | None = None, printing: Sequence[SheetPrinting] = ()) -> WriteStats:
    """Write ``plans`` (and marks, unless ``marks_for`` is None) into a copy of ``src`` at ``dest``
    (``dest`` may be ``src``). Earlier marks are restored before new ones are made; the result is
    verified before it replaces anything (module docstring). ``printing``: which data sheets print
    (empty ones get a blank print area, ``plans.printing``)."""
    from dj_addin.xlsx.splice import save_fast

    src, dest = Path(src), Path(dest)
    start = time.perf_counter()
    keep = keeps_macros(src, dest)
    notices = package_notices(src, keep_macros=keep)
    plans = clean_plans(plans)
    marks_for = clean_findings(marks_for)
    counts, used = _write_verified(
        src, dest, engine, keep,
        fast=lambda tmp: save_fast(src, tmp, plans, marks_for, keep_macros=keep, printing=printing),
        reference=lambda tmp: save_with_openpyxl(src, tmp, plans, marks_for, keep_macros=keep, printing=printing))
    restored, marked, written = counts
    return WriteStats(dest, restored, marked, written, used, time.perf_counter() - start, notices=notices)


def save_outputs(src: Path, dest: Path, *, report: ValidationReport | None = None,
                 rollup: RollupTable | None = None, results: ResultsTable | None = None,
                 mark: bool = True, engine: str | None = None, printing: Sequence[SheetPrinting] = ()
                 ) -> WriteStats:
    """Write the given results into a copy of ``src`` at ``dest`` (``dest`` may be ``src``).

    With a report, earlier marks are restored first, cells are marked again
    (unless ``mark`` is False) and 问题清单 is recreated. (Builds the plans,
    then ``save_plans``; the pipeline goes through ``xlsx.sink.FileSink``.) ``printing``: as there.
    """
    src = Path(src)
    report, rollup, results = clean_report(report), clean_rollup(rollup), clean_results(results)
    names = sheet_names(src) if report is not None else []
    plans = build_plans(report=report, rollup=rollup, results=results, sheet_names=names)
    marks_for = None if report is None else (list(report.findings) if mark else [])
    return save_plans(src, dest, plans, marks_for, engine=engine, printing=printing)


def clear_marks(src: Path, dest: Path, *, engine: str | None = None, notices: list[str] | None = None) -> int:
    """Restore every marked cell of ``src`` into ``dest``; return the number of cells restored.

    What the user must be told about the package (macros, stray entries) is
    appended to ``notices`` when given.
    """
    from dj_addin.xlsx.splice import clear_fast

    src, dest = Path(src), Path(dest)
    keep = keeps_macros(src, dest)
    if notices is not None:
        notices.extend(package_notices(src, keep_macros=keep))
    n, _ = _write_verified(src, dest, engine, keep,
                           fast=lambda tmp: clear_fast(src, tmp, keep_macros=keep),
                           reference=lambda tmp: clear_with_openpyxl(src, tmp, keep_macros=keep))
    return int(n)
