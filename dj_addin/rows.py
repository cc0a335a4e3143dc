"""Rows that stay traceable: concatenate Books, filter a Book per unit, compact it.

Every table row has a row id (the index of ``data``/``raw``/``bad``/``errors``
and ``origin``) and an origin: the Excel row in this workbook, the unit whose
workbook first held the row (来源单位编码) and its row there (来源行). These
functions keep both, so that a merged book can be validated like any other and
its findings still name the cell the user typed, and a compact table can be
written back without losing a value as found (``SheetTable.for_writing``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from dj_addin import schema
from dj_addin.cellref import column_letter
from dj_addin.model import ROW_ID, Book, KVTable, SheetTable, origin_frame

__all__ = ["settle_origin", "units", "concat_tables", "concat_books", "filter_table", "unit_book",
           "compact_book", "MERGED_HEADER_ROW"]

# The sheets of a concatenation are numbered as a merged sheet is written:
# the header in row 1, the rows from row 2 in order.
MERGED_HEADER_ROW = 1


def settle_origin(book: Book) -> Book:
    """After reading: rows without a 来源单位编码 come from this workbook (its own
    单位编码); a book whose sheets carry 来源单位编码/来源行 is a merged book."""
    own = book.unit_code
    for t in book.tables.values():
        units = t.origin["source_unit"]
        if units.isna().any():
            t.origin["source_unit"] = units.where(units.notna(), own)
        if t.provenance_columns:
            book.merged = True
    return book


def units(book: Book) -> list[str | None]:
    """The distinct source units of the book's rows, in order of first appearance."""
    seen: dict[str | None, None] = {}
    for t in book.tables.values():
        seen.update(dict.fromkeys(t.origin["source_unit"].tolist()))
    return list(seen)


def concat_tables(tables: Sequence[SheetTable]) -> SheetTable:
    """The rows of ``tables`` (one sheet of several books) one after another.

    Row ids are renumbered 0…n−1 (the only operation that does so); the Excel
    row becomes the row the merged sheet will have (``MERGED_HEADER_ROW`` + 1
    on); source unit and source row are kept as they are, so merging merged
    books still names the first workbook. Extra columns are the union, blank
    where a table lacks one. Full tables give a full table; if any is
    compact, the result is compact.
    """
    if not tables:
        raise ValueError("concat_tables needs at least one table")
    spec = tables[0].spec
    if any(t.spec.key != spec.key for t in tables):
        raise ValueError("concat_tables joins tables of one sheet only")
    n = sum(len(t) for t in tables)
    rid = pd.RangeIndex(n, name=ROW_ID)
    offsets = np.cumsum([0] + [len(t) for t in tables])
    nonempty = [t for t in tables if len(t)] or [tables[0]]

    data = pd.concat([t.data for t in nonempty], ignore_index=True, sort=False)
    for name in data.columns[len(spec.keys):]:  # extra columns: blank (None) where a table lacks them
        data[name] = data[name].astype(object).where(data[name].notna(), None)
    data.index = rid

    origin = origin_frame(np.arange(n) + MERGED_HEADER_ROW + 1,
                          np.concatenate([t.origin["source_unit"].to_numpy(dtype=object) for t in tables]),
                          np.concatenate([t.origin["source_row"].to_numpy(dtype="int64") for t in tables]),
                          index=rid)

    found_keys = {k for t in tables for k in t.columns}
    present = [k for k in spec.keys if k in found_keys]
    extras = list(data.columns[len(spec.keys):])
    out = SheetTable(spec=spec, found=any(t.found for t in tables), name=spec.name,
                     header_row=MERGED_HEADER_ROW, last_row=MERGED_HEADER_ROW + n)
    # The merged sheet's layout: every schema column in template order, extra columns, then provenance.
    out.columns = {k: column_letter(spec.keys.index(k) + 1) for k in present}
    out.headers_found = {k: spec.column(k).header for k in present}
    out.extra_columns = {h: column_letter(len(spec.keys) + i + 1) for i, h in enumerate(extras)}
    out.provenance_columns = {"source_unit": column_letter(len(spec.keys) + len(extras) + 1),
                              "source_row": column_letter(len(spec.keys) + len(extras) + 2)}
    out.data, out.origin = data, origin

    if any(t.compacted for t in tables):
        found: dict[str, list[pd.Series]] = {}
        for t, off in zip(tables, offsets):
            for key, values in t.as_found().items():
                pos = t.data.index.get_indexer(values.index)
                found.setdefault(key, []).append(pd.Series(values.to_numpy(dtype=object), index=pos + off))
        out.compacted = True
        out.raw = out.bad = out.errors = data.iloc[:0, :0]
        out._as_found = {k: _renamed(pd.concat(parts)) for k, parts in found.items()}
    else:
        for attr in ("raw", "bad", "errors"):
            frame = pd.concat([getattr(t, attr) for t in nonempty], ignore_index=True)
            frame.index = rid
            setattr(out, attr, frame)
    return out


def _renamed(s: pd.Series) -> pd.Series:
    s.index = pd.Index(s.index, dtype="int64", name=ROW_ID)
    return s


def concat_books(books: Sequence[Book], kv: Mapping[str, KVTable] | None = None) -> Book:
    """One book holding every data sheet of ``books`` concatenated (``concat_tables``).

    Key–value sheets (基本信息, 评分规则) cannot be concatenated: they are ``kv``
    when given (the upper level's), else the first book's. The result is a
    merged book: its findings name 来源单位编码 and 来源行.
    """
    if not books:
        raise ValueError("concat_books needs at least one book")
    out = Book(path=None, merged=True)
    out.kv = dict(kv if kv is not None else books[0].kv)
    for key in books[0].tables:
        out.tables[key] = concat_tables([b.tables[key] for b in books])
    found = {spec.key for b in books for spec in schema.READ_SHEETS
             if (b.tables.get(spec.key) or b.kv.get(spec.key)) is not None
             and (b.tables.get(spec.key) or b.kv.get(spec.key)).found}
    out.sheet_names = [s.name for s in schema.READ_SHEETS if s.key in found]
    return out


def filter_table(t: SheetTable, mask: np.ndarray | pd.Series) -> SheetTable:
    """The rows of ``t`` where ``mask`` holds (positional bool array or a
    Series by row id), keeping row ids, Excel rows and provenance."""
    if isinstance(mask, pd.Series):
        mask = mask.reindex(t.data.index, fill_value=False).to_numpy(dtype=bool)
    mask = np.asarray(mask, dtype=bool)
    keep = t.data.index[mask]
    out = replace(t, data=t.data[mask], origin=t.origin[mask])
    if t.compacted:
        out._as_found = {k: v[v.index.isin(keep)] for k, v in t.as_found().items()}
        out._as_found = {k: v for k, v in out._as_found.items() if len(v)}
    else:
        out.raw, out.bad, out.errors = t.raw[mask], t.bad[mask], t.errors[mask]
    return out


def unit_book(book: Book, unit: str | None) -> Book:
    """The rows of one source unit (来源单位编码), every data sheet, as a book of
    its own: the same rows, values as found and source rows as that unit's
    workbook had (ids and Excel rows are the merged book's). Key–value sheets
    are the merged book's."""
    out = replace(book, tables={}, kv=dict(book.kv))
    for key, t in book.tables.items():
        src = t.origin["source_unit"]
        out.tables[key] = filter_table(t, (src.isna() if unit is None else src == unit).to_numpy(dtype=bool))
    return out


def compact_book(book: Book) -> Book:
    """The book with every table compact (``SheetTable.compact``): what a worker
    process hands back after validation."""
    return replace(book, tables={k: t.compact() for k, t in book.tables.items()})
