"""Finding the header row and mapping header cells to schema columns.

This follows workbook.md's header rules and the refinements learned from
real exports: headers are folded and matched by name or alias; a header with
a trailing note in brackets is matched by the part before the bracket; the
values of an alias column decide which of its candidate columns it is (and
whether it is one at all); an empty column under its own name never hides a
filled alias column. Every decision that is not obvious from the header is
written as a note (shown as an S004 提示), so the user learns why a column
was or was not read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from dj_addin import normalize as nz
from dj_addin.schema import ColType, Column, Sheet, header_candidates, synonyms_for
from dj_addin.cellref import column_letter
from dj_addin.xlsx.grid import Grid

HEADER_SEARCH_ROWS = 10
FIT_SHARE = 0.5  # an alias column is a list column when at least half its values are in the list
_TRAILING_NOTE = re.compile(r"^(.+?)[(\[【〔].*[)\]】〕]$")
_PHONE = re.compile(r"^\+?[\d\-\s()]{5,20}$")


@dataclass
class HeaderMap:
    """What the header row says: schema key → column, extra columns, duplicates, notes."""

    matched: dict[str, int] = field(default_factory=dict)
    extras: dict[str, int] = field(default_factory=dict)  # header as found → column
    dupes: dict[str, list[int]] = field(default_factory=dict)  # key → columns (the first is used)
    notes: dict[str, str] = field(default_factory=dict)  # extra header → why it is not read as a column


def strip_trailing_note(folded: str) -> str:
    """「确定为预备党员时间(支部大会)」→「确定为预备党员时间」 (folded text; '' when there is no note)."""
    m = _TRAILING_NOTE.match(folded)
    return m.group(1) if m else ""


class _Names:
    """Resolves a header cell to the schema keys it may stand for."""

    def __init__(self, spec: Sheet) -> None:
        self.exact = {nz.fold_header(c.header): c.key for c in spec.columns}
        self.alias = header_candidates(spec)

    def resolve(self, value: Any) -> tuple[str, tuple[str, ...]]:
        """('own' | 'alias' | '', keys)."""
        folded = nz.fold_header(value)
        if not folded:
            return "", ()
        for name in (folded, strip_trailing_note(folded)):
            if name in self.exact:
                return "own", (self.exact[name],)
            if name in self.alias:
                return "alias", self.alias[name]
        return "", ()


def find_header_row(grid: Grid, spec: Sheet) -> tuple[int, int]:
    """(0-based row, number of known headers in it): the row among the first
    ten that matches the most known headers, ties to the upper row. A single
    known header counts when no row has more (lists that share only 姓名 with
    our sheets). Rows holding dates are data, whatever words stand beside
    them. Row 1 when no row matches (reported as missing columns)."""
    names = _Names(spec)
    best, best_hits = 0, 0
    for r in range(min(HEADER_SEARCH_ROWS, len(grid.rows))):
        row = grid.rows[r]
        if any(isinstance(v, (dt.date, dt.datetime)) for v in row):
            continue
        keys: set[str] = set()
        for v in row:
            if v is not None:
                keys.update(names.resolve(v)[1][:1])
        if len(keys) > best_hits:
            best, best_hits = r, len(keys)
    return best, best_hits


def _values(body: list[list[Any]], ci: int) -> list[Any]:
    return [row[ci] for row in body if ci < len(row) and not nz.is_blank(row[ci])]


def _has_values(body: list[list[Any]], ci: int) -> bool:
    """Whether column ``ci`` holds anything: stops at the first value (a filled
    column answers at once; only an empty one is read to the end)."""
    return any(ci < len(row) and not nz.is_blank(row[ci]) for row in body)


def fit_share(col: Column, values: list[Any]) -> float:
    """How many of a column's non-blank values suit ``col`` (1.0 for an empty column
    or a column type where any value can be right)."""
    if not values:
        return 1.0
    if col.type is ColType.ENUM:
        syn = synonyms_for(col)
        ok = sum(1 for v in values if nz.parse_enum(v, col.choices, syn) is not nz.INVALID)
    elif col.key == "phone":
        ok = sum(1 for v in values if _PHONE.match(nz.fold_width(nz.text_of(v)).strip()))
    else:
        return 1.0
    return ok / len(values)


def _sample(values: list[Any]) -> str:
    seen = list(dict.fromkeys(nz.text_of(v).strip() for v in values))[:3]
    return "、".join(f"「{s}」" for s in seen)


def match_columns(spec: Sheet, header: list[Any], body: list[list[Any]] | None = None) -> HeaderMap:
    """Header cells (and the rows below them, whose values decide) → ``HeaderMap``.

    A column under the schema's own header wins over an alias, unless it is
    entirely empty and the alias column is filled. An alias column goes to
    the candidate whose list its values fit best; when they fit none it is
    kept as an extra column with a note. Two filled columns for one key are
    duplicates (S005): the first is used.
    """
    body = body or []
    names = _Names(spec)
    hm = HeaderMap()
    own: dict[str, int] = {}
    aliases: list[tuple[int, tuple[str, ...]]] = []
    for ci, value in enumerate(header):
        kind, keys = names.resolve(value)
        if kind == "own":
            key = keys[0]
            if key in own:
                hm.dupes.setdefault(key, [own[key]]).append(ci)
            else:
                own[key] = ci
        elif kind == "alias":
            aliases.append((ci, keys))
        elif nz.fold_header(value):
            hm.extras.setdefault(str(value).strip(), ci)
    hm.matched.update(own)
    filled: dict[int, bool] = {}  # column → holds anything; asked only for columns an alias may replace

    def is_filled(ci: int) -> bool:
        if ci not in filled:
            filled[ci] = _has_values(body, ci)
        return filled[ci]

    def text(ci: int) -> str:
        return str(header[ci]).strip()

    def col_head(key: str) -> str:
        return spec.column(key).header

    for ci, keys in aliases:
        values = _values(body, ci)
        shares = {k: fit_share(spec.column(k), values) for k in keys}
        fitting = sorted((k for k in keys if shares[k] >= FIT_SHARE), key=lambda k: -shares[k])
        if not fitting:
            heads = "」或「".join(col_head(k) for k in keys)
            hm.extras.setdefault(text(ci), ci)
            hm.notes[text(ci)] = (f"「{text(ci)}」看起来是「{heads}」，但其中的值（如{_sample(values)}）"
                                  f"大多不在「{heads}」的可选值内，已作为附加列保留，不参与统计。")
            continue
        placed = False
        for key in fitting:
            current = hm.matched.get(key)
            if current is None:
                hm.matched[key] = ci
                placed = True
                break
            if values and not is_filled(current):  # an empty column never hides a filled one
                hm.matched[key] = ci
                if key in hm.dupes:  # repeats of the empty header are now repeats of this column
                    hm.dupes[key][0] = ci
                hm.extras.setdefault(text(current), current)
                hm.notes[text(current)] = (f"「{text(current)}」列是空的，已改用「{text(ci)}」列"
                                           f"（{column_letter(ci + 1)} 列）作为「{col_head(key)}」。")
                placed = True
                break
        if placed:
            continue
        key = fitting[0]
        current = hm.matched[key]
        if key in own and own[key] == current:
            hm.extras.setdefault(text(ci), ci)
            hm.notes[text(ci)] = (f"「{text(ci)}」是「{col_head(key)}」的别名，但本表已有「{col_head(key)}」列"
                                  f"（{column_letter(current + 1)} 列），此列已保留但不参与统计。")
        elif not values:
            hm.extras.setdefault(text(ci), ci)
            hm.notes[text(ci)] = (f"「{text(ci)}」列是空的；已使用「{text(current)}」列"
                                  f"（{column_letter(current + 1)} 列）作为「{col_head(key)}」。")
        else:
            hm.dupes.setdefault(key, [current]).append(ci)
    return hm
