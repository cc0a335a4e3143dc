"""What every rule sees: the run context (book, as-of date, 考核年度, settings), and small
vectorised helpers over a sheet's columns (masks in, flagged rows out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import pandas as pd

from dj_addin import normalize as nz
from dj_addin import schema
from dj_addin.context import RunContext
from dj_addin.model import Book, SheetTable


@dataclass
class Context:
    """One validation run: the run context (book, 考核年度, as-of date, today,
    settings, quotas and periods, all settled once in ``dj_addin.context``),
    plus per-run caches (readable/blank flags per column, ID sets, lookups)
    shared by all rules."""

    run: RunContext
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def book(self) -> Book:
        return self.run.book

    @property
    def as_of(self) -> dt.date:
        """The counting cut-off, already clamped into 考核年度."""
        return self.run.as_of

    # -- the year -----------------------------------------------------------
    @property
    def year(self) -> int | None:
        """考核年度 when the book states a valid one (None: R019, year checks skip)."""
        return self.run.known_year

    @property
    def year_start(self) -> pd.Timestamp | None:
        return pd.Timestamp(self.year, 1, 1) if self.year else None

    @property
    def year_end(self) -> pd.Timestamp | None:
        return pd.Timestamp(self.year, 12, 31) if self.year else None

    @property
    def as_of_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_of)

    # -- tables and columns -------------------------------------------------
    def table(self, key: str) -> SheetTable:
        return self.book.tables[key]

    def tables(self) -> Iterator[SheetTable]:
        """Data sheets present in the workbook, in template order."""
        for spec in schema.DATA_SHEETS:
            t = self.book.tables.get(spec.key)
            if t is not None and t.found:
                yield t

    @staticmethod
    def has(t: SheetTable, key: str) -> bool:
        return t.found and key in t.columns

    def _matrices(self, t: SheetTable) -> dict[str, np.ndarray]:
        """Per table, computed once: readable and blank flags for every schema column."""
        ck = ("matrices", t.key)
        if ck not in self._cache:
            keys = t.spec.keys
            if not len(t):
                empty = np.zeros(0, dtype=bool)
                self._cache[ck] = {k: (empty, empty) for k in keys}
                return self._cache[ck]
            errors = _flags(t.errors, keys)
            raw_na = pd.isna((t.raw if t.raw.columns.tolist() == keys else t.raw[keys]).to_numpy())
            blank = raw_na & ~errors
            usable = ~raw_na & ~_flags(t.bad, keys) & ~errors
            for i, col in enumerate(t.spec.columns):  # a blank cell may hold the column's default
                if col.default is not None:
                    usable[:, i] = t.data[col.key].notna().to_numpy() & ~errors[:, i]
            self._cache[ck] = {k: (usable[:, i], blank[:, i]) for i, k in enumerate(keys)}
        return self._cache[ck]

    def usable(self, t: SheetTable, key: str) -> np.ndarray:
        """Cells holding a readable, non-blank value (not bad, not an Excel error), as a bool array."""
        return self._matrices(t)[key][0]

    def blank(self, t: SheetTable, key: str) -> np.ndarray:
        """Cells left empty (an Excel error value is not 'empty': S008 reports it), as a bool array."""
        return self._matrices(t)[key][1]

    def bad_columns(self, t: SheetTable) -> set[str]:
        """Schema keys with at least one unreadable cell (lets rules skip clean columns fast)."""
        ck = ("bad_columns", t.key)
        if ck not in self._cache:
            flags = t.bad.to_numpy(dtype=bool).any(axis=0) if len(t) else []
            self._cache[ck] = {k for k, f in zip(t.bad.columns.tolist(), flags) if f}
        return self._cache[ck]

    def error_columns(self, t: SheetTable) -> set[str]:
        """Schema keys with at least one Excel error value."""
        ck = ("error_columns", t.key)
        if ck not in self._cache:
            flags = t.errors.to_numpy(dtype=bool).any(axis=0) if len(t) else []
            self._cache[ck] = {k for k, f in zip(t.errors.columns.tolist(), flags) if f}
        return self._cache[ck]

    @staticmethod
    def flagged(t: SheetTable, key: str, mask: pd.Series | np.ndarray) -> Iterator[tuple[int, str]]:
        """(Excel row, value as found) of every row where ``mask`` holds (a
        positional bool array, or a Series by row id)."""
        return ((row, value) for _, row, value in Context.cells(t, key, mask))

    @staticmethod
    def cells(t: SheetTable, key: str, mask: pd.Series | np.ndarray) -> Iterator[tuple[int, int, str]]:
        """(row id, Excel row, value as found) of every row where ``mask`` holds:
        rules look values up by the row id (``t.data.at[rid, …]``) and name the Excel row."""
        if isinstance(mask, pd.Series):
            if not mask.index.equals(t.data.index):
                mask = mask.reindex(t.data.index, fill_value=False)
            m = mask.to_numpy(dtype=bool, na_value=False)
        else:
            m = np.asarray(mask, dtype=bool)
        if not m.any():
            return iter(())
        raw = t.raw[key].to_numpy()[m]
        rids = t.data.index.to_numpy()[m]
        rows = t.origin["row"].to_numpy()[m]
        shown = shown_form(t.spec.column(key))
        return ((int(i), int(r), shown(v)) for i, r, v in zip(rids, rows, raw))

    def values(self, t: SheetTable, key: str) -> np.ndarray:
        """A typed column as an array, once per run (rules compare arrays, not Series:
        a pandas operation costs more than the 1,500 comparisons it makes)."""
        ck = ("values", t.key, key)
        if ck not in self._cache:
            self._cache[ck] = t.data[key].to_numpy()
        return self._cache[ck]

    def excel_rows(self, t: SheetTable) -> np.ndarray:
        """The Excel row of every row, by position."""
        ck = ("excel_rows", t.key)
        if ck not in self._cache:
            self._cache[ck] = t.origin["row"].to_numpy()
        return self._cache[ck]

    def at_positions(self, t: SheetTable, key: str, mask: np.ndarray) -> Iterator[tuple[int, int, str]]:
        """(position, Excel row, value as found) of every row where the positional
        bool array ``mask`` holds, like ``cells`` but naming positions (for ``values``)."""
        positions = np.flatnonzero(mask)
        if not len(positions):
            return iter(())
        raw = t.raw[key].to_numpy()[positions]
        rows = self.excel_rows(t)[positions]
        shown = shown_form(t.spec.column(key))
        return ((int(i), int(r), shown(v)) for i, r, v in zip(positions, rows, raw))

    def id_set(self, sheet_key: str, key: str) -> frozenset:
        """``ids`` as a set: readable IDs are always text, so set membership is ``isin``."""
        ck = ("id_set", sheet_key, key)
        if ck not in self._cache:
            self._cache[ck] = frozenset(self.ids(sheet_key, key).tolist())
        return self._cache[ck]

    def first_values(self, sheet_key: str, key: str, value_key: str) -> dict:
        """ID → another column's value (first row wins), e.g. 党员编号 → 姓名."""
        ck = ("first_values", sheet_key, key, value_key)
        if ck not in self._cache:
            t = self.table(sheet_key)
            usable = self.usable(t, key)
            found: dict = {}
            for k, v in zip(self.values(t, key)[usable].tolist(), self.values(t, value_key)[usable].tolist()):
                if k not in found:
                    found[k] = v
            self._cache[ck] = found
        return self._cache[ck]

    @staticmethod
    def row_of(t: SheetTable, rids: pd.Index | np.ndarray | list) -> np.ndarray:
        """Excel rows of row ids (e.g. the first row a repeat names)."""
        return t.origin["row"].to_numpy()[t.origin.index.get_indexer(rids)]

    def dates_before(self, t: SheetTable, key: str, earlier: str) -> Iterator[tuple[int, str, str]]:
        """Rows whose date ``key`` falls before the date ``earlier`` of the same row
        (R006 办结 before 联系, R010 结束 before 开始): (row, value as found, the earlier date)."""
        if not (self.has(t, key) and self.has(t, earlier)):
            return
        first, second = self.values(t, earlier), self.values(t, key)
        mask = self.usable(t, earlier) & self.usable(t, key) & (second < first)
        for pos, row, value in self.at_positions(t, key, mask):
            yield row, value, pd.Timestamp(first[pos]).date().isoformat()

    def first_rows(self, t: SheetTable, key: str) -> np.ndarray:
        """Rows with a readable ID that is not a repeat of an earlier row's (R001
        reports repeats; member-level rules look at the first row only)."""
        ck = ("first_rows", t.key, key)
        if ck not in self._cache:
            usable = self.usable(t, key)
            values = self.values(t, key).tolist()
            repeat = _repeats(values) if all(type(v) is str for v, u in zip(values, usable) if u) else None
            if repeat is None:
                repeat = t.data[key].duplicated(keep="first").to_numpy()
            self._cache[ck] = usable & ~repeat
        return self._cache[ck]

    def ids(self, sheet_key: str, key: str) -> pd.Index:
        """The distinct readable IDs of a column (e.g. every 党员编号 in the roster)."""
        ck = ("ids", sheet_key, key)
        if ck not in self._cache:
            t = self.table(sheet_key)
            col = t.data[key][self.usable(t, key)]
            self._cache[ck] = pd.Index(col.dropna().unique())
        return self._cache[ck]



def shown_form(col: schema.Column):
    """How a message quotes a cell of this column as found: IDs trimmed and folded (one
    form everywhere), anything else as its text."""
    return nz.shown_id if col.type is schema.ColType.ID else nz.text_of


_NS_PER_DAY = 86_400_000_000_000


def whole_days(spans: np.ndarray) -> np.ndarray:
    """``Series.dt.days`` of a timedelta64[ns] array: whole days, rounded down (NaT → NaN)."""
    ns = spans.astype("timedelta64[ns]").view("int64")
    days = (ns // _NS_PER_DAY).astype(float)
    days[np.isnat(spans)] = np.nan
    return days


def _repeats(values: list) -> np.ndarray | None:
    """``duplicated(keep="first")`` of a column whose readable values are text (None: a
    value that cannot go in a set; the caller asks pandas)."""
    seen: set = set()
    repeat = np.zeros(len(values), dtype=bool)
    try:
        for i, v in enumerate(values):
            if v in seen:
                repeat[i] = True
            else:
                seen.add(v)
    except TypeError:
        return None
    return repeat


def _flags(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    return (frame if frame.columns.tolist() == keys else frame[keys]).to_numpy(dtype=bool)


def header(sheet_key: str, key: str) -> str:
    """The schema header of a column (what the user sees)."""
    return schema.sheet(sheet_key).column(key).header


def at(row: int | None, field_name: str, value: str) -> str:
    """Message opening that names the row, the field and the value."""
    where = f"第{row}行" if row is not None else ""
    if value == "":
        return f"{where}「{field_name}」为空"
    return f"{where}「{field_name}」为 {value}"

