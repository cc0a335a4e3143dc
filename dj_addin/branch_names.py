"""Branch names instead of codes (workbook.md, refinements learned from real exports).

Rosters exported by other systems name a member's branch (所在党支部 =
「软件工程第一党支部」) where our sheet wants its code. A name that matches
基本信息.单位名称 or a 下级单位.单位名称 is translated to that unit's code
right after reading; any other value is kept as found, and C005 reports it
with the known names when the column's header is one that holds names.
Pure pandas: shared by the file reader and the live Excel adapter.
"""

from __future__ import annotations

from dj_addin import normalize as nz
from dj_addin import schema
from dj_addin.model import Book, SheetTable

_TABLES = (schema.ROSTER.key,)  # sheets whose unit column may hold names


def _fold(value: object) -> str:
    return nz.fold_header(value).upper()


def known_units(book: Book) -> dict[str, str]:
    """Unit code → unit name, for this unit (基本信息) and every 下级单位 row with both."""
    out: dict[str, str] = {}
    code, name = book.meta.get("unit_code"), book.meta.get("unit_name")
    if code:
        out[str(code)] = str(name or "")
    units = book.tables.get(schema.UNITS.key)
    if units is not None and len(units):
        for c, n in zip(units.data["unit_code"], units.data["unit_name"]):
            if c and c not in out:
                out[str(c)] = str(n or "")
    return out


def names_header(t: SheetTable, key: str) -> bool:
    """The column's header (as found, bracketed note ignored) is one that holds names."""
    found = nz.fold_header(t.headers_found.get(key, ""))
    names = {nz.fold_header(a) for a in schema.NAME_VALUED_ALIASES}
    from dj_addin.xlsx.headers import strip_trailing_note  # a pure string helper

    return found in names or strip_trailing_note(found) in names


def translate_branch_names(book: Book) -> int:
    """Replace unit names by codes in the unit columns; return how many cells changed."""
    units = known_units(book)
    by_name = {_fold(n): c for c, n in units.items() if n}
    changed = 0
    for key in _TABLES:
        t = book.tables.get(key)
        if t is None or not len(t) or t.spec.unit_column not in t.columns or not by_name:
            continue
        col = t.data[t.spec.unit_column]
        mapped = col.map(lambda v: by_name.get(_fold(v)) if v is not None and v not in units else None)
        hit = mapped.notna()
        if hit.any():
            t.data.loc[hit, t.spec.unit_column] = mapped[hit]
            changed += int(hit.sum())
    return changed


def unknown_branch_names(book: Book, t: SheetTable) -> list[tuple[int, str]]:
    """(Excel row, value as found) of unit cells under a names header that match no known unit."""
    key = t.spec.unit_column
    if key is None or key not in t.columns or not names_header(t, key):
        return []
    units = known_units(book)
    out = []
    for rid, value in t.data[key].items():
        if value is not None and value == value and str(value) not in units:
            out.append((int(t.rows.at[rid]), nz.text_of(t.raw.at[rid, key])))
    return out
