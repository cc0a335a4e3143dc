"""File adapter for 导入: one sheet of another system's export → a typed table.

A source is any workbook the reader accepts (the same package checks and
flavours, title rows, aliases, values deciding between candidates). The
sheet is the one named in ``SOURCE:工作表名``; otherwise a sheet named like
the target, else the sheet whose header row matches the most of the
target's headers (ties to the first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dj_addin import normalize as nz
from dj_addin.errors import UnreadableFile, UsageError
from dj_addin.model import SheetTable
from dj_addin.schema import Sheet
from dj_addin.xlsx.flavours import standard_package
from dj_addin.xlsx.grid import ENGINES
from dj_addin.xlsx.headers import find_header_row
from dj_addin.xlsx.safety import check_package, max_file_bytes
from dj_addin.xlsx.tables import grid_to_table


@dataclass(frozen=True)
class SourceRef:
    """``SOURCE`` or ``SOURCE:工作表名`` as typed."""

    path: Path
    sheet: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path.name}:{self.sheet}" if self.sheet else self.path.name


def parse_source(text: str) -> SourceRef:
    """Split ``SOURCE:工作表名``; a path that exists as typed (``C:\\名单.xlsx``) is taken whole."""
    whole = Path(text)
    if whole.exists() or ":" not in text:
        return SourceRef(whole)
    left, _, sheet = text.rpartition(":")
    if left and Path(left).exists():
        return SourceRef(Path(left), sheet.strip() or None)
    return SourceRef(whole)


def read_source(ref: SourceRef, spec: Sheet) -> SheetTable:
    """The chosen sheet of a source read as ``spec`` (UnreadableFile / UsageError in Chinese)."""
    if not ref.path.exists():
        raise UsageError(f"找不到导入来源「{ref.path}」；请检查文件名和路径。")
    limit = max_file_bytes()
    with standard_package(ref.path, limit) as std:
        package = check_package(std, max_bytes=limit)
        names = package.sheet_names
        if ref.sheet is not None:
            chosen = [n for n in names if nz.fold_header(n) == nz.fold_header(ref.sheet)]
            if not chosen:
                found = "、".join(f"「{n}」" for n in names)
                raise UsageError(f"「{ref.path.name}」中没有工作表「{ref.sheet}」；其中的工作表有：{found}。")
            names = chosen[:1]
        try:
            grids = ENGINES["calamine"](std, names)
        except Exception as exc:  # the parser's own types for damaged parts
            raise UnreadableFile(
                f"文件「{ref.path.name}」内容损坏，无法读取（{type(exc).__name__}）；请用 Excel 打开修复后另存为 .xlsx，"
                "或请对方重新发送。") from exc
    same_name = [n for n in names if nz.fold_header(n) == nz.fold_header(spec.name)]
    if same_name:
        name = same_name[0]
    else:
        scores = {n: find_header_row(grids[n], spec)[1] for n in names}
        name = max(names, key=lambda n: scores[n])  # max keeps the first of equals
    return grid_to_table(spec, grids[name])
