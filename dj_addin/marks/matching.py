"""Where marked cells went when rows were deleted, inserted or sorted between runs.

A mark record names its cell by address, but between validation and 清除标记
(or the next validation) the user may delete, insert or sort rows: the
marked cell moves and its address now holds another row. So each record
also keeps the cell's value as it was when marked (``value_text``) and a
digest of the note we wrote (``note_key``: our notes mostly name their row,
which tells apart cells of equal value), and ``plan_restore`` matches every
record to the cell that still looks like the one it marked. Both writers
describe cells the same way (``CellState``) and follow the same plan.

Tiers, strongest first; within a tier the record's own address is tried
first, then the nearest row of the same column among the cells that carry
our note (only those: the fast writer never reads the other cells):

0. same value and still exactly the note we wrote;
1. same value, our note with the record's previous note under it, and our
   fill of the record's colour;
2. same value, our note with the record's previous note under it;
3. same value, and our note (or, at its own address only, our fill);
4. its own address only, still carrying our note or our fill: the user
   fixed the value in place.

A record that matches nothing is dropped: the user deleted its row. A cell
with our note that no record claims is an orphan: the writers drop our note
(keeping the user's note beneath it) and, the note proving it ours, our fill.
Records of the older layout (no value) keep to their address, as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from dj_addin.cellref import cell_position, column_letter

from dj_addin.schema import MARK_NOTE_PREFIX

# Our note keeps the user's own note visible beneath this line.
NOTE_SEPARATOR = "\n——原批注——\n"
FORMULA = "="  # the value text of any formula cell: Excel rewrites references when rows move


class Record(Protocol):
    cell: str
    mark_rgb: str
    prev_note: str | None
    value: str | None
    note_key: str | None


@dataclass(frozen=True)
class CellState:
    """What restoring needs to know about one cell."""

    value: str  # ``value_text`` of the cell
    mark_rgb: str  # the mark colour its fill shows ('' when the fill is not one of ours)
    note: str | None


@dataclass
class Plan:
    moves: list[tuple[int, str]]  # (record index, cell to restore it on), in record order
    orphans: list[str]  # cells with our note that no record claims


def value_text(value: Any) -> str:
    """A cell value as text, the same for both writers (they build the same Python value)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def note_key(text: str) -> str:
    """A short digest of a note we wrote (stored with the record instead of the whole text)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def is_our_note(text: str | None) -> bool:
    return bool(text) and text.startswith(MARK_NOTE_PREFIX)


def user_note(text: str) -> str | None:
    """The user's own note kept beneath ours, if any."""
    parts = text.split(NOTE_SEPARATOR, 1)
    return parts[1] if len(parts) == 2 and parts[1] else None


_NOT_OURS = object()


def ours(state: CellState) -> str | None:
    """``note_key`` of the cell's note when it is ours."""
    return note_key(state.note) if is_our_note(state.note) else None


def covered(state: CellState) -> object:
    """The user's note our note says it covers (``_NOT_OURS`` when the note is not ours)."""
    return user_note(state.note) if is_our_note(state.note) else _NOT_OURS


def prev(rec: Record) -> str | None:
    return rec.prev_note or None


def carries_mark(rec: Record, state: CellState) -> bool:
    """Our note, or (only ever asked at the record's own address) our fill of the record's colour."""
    return is_our_note(state.note) or (bool(state.mark_rgb) and state.mark_rgb == rec.mark_rgb)


@dataclass(frozen=True)
class Tier:
    """One degree of likeness: tried at the record's own address, then searched for by key."""

    fits: Callable[[Record, CellState], bool]
    record_key: Callable[[Record], tuple] | None = None  # None: own address only
    cell_key: Callable[[CellState], tuple] | None = None


TIERS = (
    Tier(lambda r, s: s.value == r.value and r.note_key is not None and ours(s) == r.note_key,
         lambda r: (r.value, r.note_key), lambda s: (s.value, ours(s))),
    Tier(lambda r, s: s.value == r.value and covered(s) == prev(r) and s.mark_rgb == r.mark_rgb,
         lambda r: (r.value, prev(r), r.mark_rgb), lambda s: (s.value, covered(s), s.mark_rgb)),
    Tier(lambda r, s: s.value == r.value and covered(s) == prev(r),
         lambda r: (r.value, prev(r)), lambda s: (s.value, covered(s))),
    Tier(lambda r, s: s.value == r.value and carries_mark(r, s),
         lambda r: (r.value,), lambda s: (s.value,)),
    Tier(carries_mark),
)


def plan_restore(records: list[Record], states: dict[str, CellState]) -> Plan:
    """Match the records of one sheet to its cells.

    ``states`` describes every record's own address and every cell of the
    sheet whose note is ours (refs in upper case).
    """
    claimed: dict[str, int] = {}
    pending = []
    for i, rec in enumerate(records):
        if rec.value is None:  # older layout: its address, as before
            claimed.setdefault(rec.cell, i)
        else:
            pending.append(i)
    for tier in TIERS:
        left = []
        for i in pending:
            ref, state = records[i].cell, states.get(records[i].cell)
            if ref not in claimed and state is not None and tier.fits(records[i], state):
                claimed[ref] = i
            else:
                left.append(i)
        pending = left
        if tier.record_key is None or not pending:
            continue
        rows: dict[tuple, list[int]] = {}  # (column, key) → sorted rows of unclaimed cells with our note
        for ref, state in states.items():
            if ref not in claimed and is_our_note(state.note):
                row, col = cell_position(ref)
                rows.setdefault((col, *tier.cell_key(state)), []).append(row)
        for found in rows.values():
            found.sort()
        left = []
        for i in pending:
            row, col = cell_position(records[i].cell)
            found = rows.get((col, *tier.record_key(records[i])))
            at = nearest(found, row) if found else None
            if at is None:
                left.append(i)
                continue
            claimed[f"{column_letter(col)}{found.pop(at)}"] = i
        pending = left
    moves = sorted((i, ref) for ref, i in claimed.items())
    orphans = sorted((ref for ref, s in states.items() if ref not in claimed and is_our_note(s.note)),
                     key=cell_position)
    return Plan(moves, orphans)



def nearest(rows: list[int], row: int) -> int | None:
    """Index in sorted ``rows`` of the row nearest ``row`` (the upper one on a tie)."""
    i = bisect_left(rows, row)
    best = None
    for j in (i - 1, i):
        if 0 <= j < len(rows) and (best is None or abs(rows[j] - row) < abs(rows[best] - row)):
            best = j
    return best
