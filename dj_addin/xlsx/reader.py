"""File adapter, reading side: a workbook on disk → ``model.Book``.

``read_book`` checks the package (S001), reads the sheets it knows into
grids with python-calamine, and turns each grid into typed tables. The live
Excel adapter builds grids from xlwings ranges and calls ``book_from_grids``,
so both adapters share everything after the grid.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Iterator

from dj_addin import normalize as nz
from dj_addin.branch_names import translate_branch_names
from dj_addin.collector import paused
from dj_addin.cellref import column_letter
from dj_addin.errors import UnreadableFile, UsageError
from dj_addin.model import Book, KVTable
from dj_addin.rows import settle_origin
from dj_addin.schema import READ_SHEETS, SheetKind
from dj_addin.xlsx.flavours import standard_package
from dj_addin.xlsx.grid import ENGINES, Grid, read_grid_sparse
from dj_addin.xlsx.parts import sheet_parts
from dj_addin.xlsx.safety import DEFAULT_MAX_BYTES, MAX_MB_ENV, check_package, max_file_bytes
from dj_addin.xlsx.sheet_scan import SheetScan, scan_sheet
from dj_addin.xlsx.tables import empty_table, grid_to_kv, grid_to_table

__all__ = ["read_book", "book_from_grids", "match_sheet_names", "DEFAULT_MAX_BYTES", "MAX_MB_ENV", "max_file_bytes"]


def match_sheet_names(found: list[str]) -> dict[str, str]:
    """Schema sheet key → sheet name as found (names matched after trimming and width folding)."""
    by_folded = {nz.fold_header(s.name): s.key for s in READ_SHEETS}
    out: dict[str, str] = {}
    for name in found:
        key = by_folded.get(nz.fold_header(name))
        if key and key not in out:
            out[key] = name
    return out


def book_from_grids(sheet_names: list[str], grids: dict[str, Grid], path: Path | None = None) -> Book:
    """Typed tables from grids of the sheets that ``match_sheet_names`` picked."""
    wanted = match_sheet_names(sheet_names)
    book = Book(path=path, sheet_names=list(sheet_names))
    for spec in READ_SHEETS:  # the key–value sheets first: 基本信息 names the unit of the rows
        if spec.kind is SheetKind.KV:
            name = wanted.get(spec.key)
            grid = grids.get(name) if name else None
            book.kv[spec.key] = grid_to_kv(spec, grid) if grid is not None else KVTable(spec=spec)
    for spec in READ_SHEETS:
        if spec.kind is not SheetKind.KV:
            name = wanted.get(spec.key)
            grid = grids.get(name) if name else None
            book.tables[spec.key] = grid_to_table(spec, grid, book.unit_code) if grid is not None else empty_table(spec)
    translate_branch_names(book)
    return settle_origin(book)


def read_book(path: str | Path, *, engine: str = "calamine", max_bytes: int | None = None) -> Book:
    """Read a workbook into plain typed tables; raise ``UnreadableFile`` (S001)
    with a Chinese message for anything that is not a healthy .xlsx/.xlsm.
    Files larger than ``max_bytes`` (default: ``max_file_bytes()``, i.e. ``DJ_MAX_FILE_MB``) are refused
    before anything parses them."""
    with paused():  # reading makes millions of row lists and no cycles (dj_addin.collector)
        return _read_book(Path(path), engine, max_bytes)


def _read_book(path: Path, engine: str, max_bytes: int | None) -> Book:
    limit_bytes = max_file_bytes() if max_bytes is None else max_bytes
    with standard_package(path, limit_bytes) as std:  # the content decides the kind of file, not its name
        package = check_package(std, max_bytes=limit_bytes, keep_sheets=True)
        wanted = match_sheet_names(package.sheet_names)
        limit = max_rows()
        with _opened(std) as zf:  # one read of the zip's directory for the parts and the scans
            try:
                parts = sheet_parts(std, list(wanted.values()), zf=zf)
            except UnreadableFile:
                raise
            except Exception as exc:  # workbook.xml or its relationships damaged
                raise UnreadableFile(f"文件「{path.name}」的工作表目录已损坏，无法读取；请用 Excel 打开修复后另存为 .xlsx，"
                                     "或请对方重新发送。") from exc
            scans = {name: scan_sheet(std, parts[name], rows_above=limit, cells_above=MAX_GRID_CELLS,
                                      cols_above=MAX_COLUMNS, zf=zf, data=package.sheet_bytes.get(parts[name]))
                     for name in wanted.values()}
        for name, sc in scans.items():
            _check_limits(path, name, sc, limit)
        dense = [n for n, sc in scans.items() if sc.extent <= MAX_GRID_CELLS]
        try:
            grids = ENGINES[engine](std, dense, {n: scans[n].max_row for n in dense})
            for name in (n for n in scans if n not in dense):
                grids[name] = read_grid_sparse(std, name, scans[name].max_row)
        except UnreadableFile:
            raise
        except Exception as exc:  # the parsers raise their own types for damaged parts
            raise UnreadableFile(
                f"文件「{path.name}」内容损坏，工作表「{'」「'.join(wanted.values())}」中有读不出的数据；"
                "请用 Excel 打开修复后另存为 .xlsx，或请对方重新发送。") from exc
        for name, grid in grids.items():
            _times_as_typed(std, parts.get(name, ""), grid)
    for name, grid in grids.items():
        grid.errors.update(scans[name].errors)
    return book_from_grids(package.sheet_names, grids, path=path)


@contextmanager
def _opened(path: Path) -> Iterator[zipfile.ZipFile]:
    """The package as a zip (``check_package`` has just read it whole); a file
    that changed since is damaged, as ``scan_sheet`` says of it."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(f"文件「{path.name}」中的工作表数据已损坏；请用 Excel 打开修复后另存，"
                             "或请对方重新发送。") from exc
    with zf:
        yield zf


def _times_as_typed(path: Path, part: str, grid: Grid) -> None:
    """python-calamine turns a date-formatted serial below 1 (0, 0.5, even -1) into
    a time of day; no data sheet holds times, so the number typed is put back,
    and messages show 「0.5」, not 「12:00:00」."""
    if _TIME not in set(map(type, chain.from_iterable(grid.rows))):  # one pass in C; times are rare
        return
    where = [(r, c) for r, row in enumerate(grid.rows) if _TIME in set(map(type, row))
             for c, v in enumerate(row) if isinstance(v, dt.time)]
    if not where or not part:
        return
    with zipfile.ZipFile(path) as zf:
        data = zf.read(part)
    start = 0  # cells stand in the sheet in row order, so each search starts where the last one ended
    for r, c in where:
        ref = f"{column_letter(c + 1)}{r + 1}".encode()
        m = _stored_value(data, ref, start) or (_stored_value(data, ref, 0) if start else None)
        if m:
            start = m.end()
            try:
                grid.rows[r][c] = float(m.group(2))
            except ValueError:
                pass


_TIME = dt.time
# A cell's stored value; the reference is group 1, the value group 2. Matched in place only.
_STORED_VALUE = re.compile(rb'c r="([A-Z]+\d+)"[^>]*>(?:<(?:\w+:)?f[^>]*?(?:/>|>.*?</(?:\w+:)?f>))?'
                           rb'<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>', re.DOTALL)


def _stored_value(data: bytes, ref: bytes, start: int) -> re.Match[bytes] | None:
    """The stored value of the cell ``<c r="ref">`` (or ``<x:c r=…>``), looked for from ``start``.

    The reference is found by a plain substring search and the cell matched in
    place, so each cell costs a search from where the last one ended, not a
    pass of a regular expression over the whole sheet."""
    needle = b'c r="' + ref + b'"'
    at = data.find(needle, start)
    while at > 0:
        if data[at - 1] in b"<:":
            m = _STORED_VALUE.match(data, at)
            if m:
                return m
        at = data.find(needle, at + 1)
    return None


# Above this many cells (rows × columns reached) a sheet is streamed sparsely
# instead of read into a dense grid: 6 million is about 500,000 rows of 12 columns.
MAX_GRID_CELLS = 6_000_000

# Limits of one data sheet (README, 'Reading workbooks'), counted in rows and
# columns that hold something: beyond them the file is refused at once (S001)
# rather than read for minutes. 500,000 rows is the merged-sheet limit of
# aggregation.md; no template sheet has more than 20 columns, and exports with
# a few hundred extra columns are read (kept as extra columns).
DEFAULT_MAX_ROWS = 500_000
MAX_ROWS_ENV = "DJ_MAX_ROWS"
MAX_COLUMNS = 1_000


def max_rows() -> int:
    """Rows per data sheet: ``DJ_MAX_ROWS`` when set, else 500,000."""
    value = os.environ.get(MAX_ROWS_ENV, "").strip()
    try:
        return int(float(value)) if value else DEFAULT_MAX_ROWS
    except ValueError:
        raise UsageError(f"环境变量 {MAX_ROWS_ENV} 的值「{value}」不是数字；请写每个工作表的行数上限，如 800000。") from None


def _check_limits(path: Path, sheet: str, scan: SheetScan, limit: int) -> None:
    if scan.filled_rows > limit:
        raise UnreadableFile(
            f"文件「{path.name}」的工作表「{sheet}」有 {scan.filled_rows:,} 行填有内容，超过每个工作表 "
            f"{limit:,} 行的上限，未读取；请把数据拆分到多个工作簿，或删除多余的行。"
            f"确需读取更大的表时，可设置环境变量 {MAX_ROWS_ENV}。")
    if scan.filled_cols > MAX_COLUMNS:
        raise UnreadableFile(
            f"文件「{path.name}」的工作表「{sheet}」有 {scan.filled_cols:,} 列填有内容，超过每个工作表 "
            f"{MAX_COLUMNS:,} 列的上限，未读取；请删除表格右侧多余的列后重新校验。")
