"""The very hidden marks sheet: records as rows of text, read back strictly.

Columns (in this order; a marks sheet of an older layout lacks the last ones
and still clears): sheet, cell, mark_rgb, prev_fill, prev_note, prev_author,
value, note_key, level. ``prev_fill`` is ``records.encode_fill`` text (older
sheets: ``<fill>`` XML, parsed safely). A row that does not hold a sheet name
and a cell inside Excel's bounds is dropped (its cell, if it still carries our
note, is then cleaned as an orphan).

The sheet is ours only when it is hidden and its header is ours: a user's
sheet that happens to be called ``_dj_marks`` (visible, or with other
headers) is never read as records, overwritten, moved or hidden; our marks
then go into the first free name ``_dj_marks2``, ``_dj_marks3``…
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from dj_addin.cellref import cell_ref
from dj_addin.marks.records import (MARK_RGB, MarkRecord, encode_fill, parse_fill, parse_ref,
                                    xml_text)
from dj_addin.schema import LEVELS

MARKS_SHEET = "_dj_marks"  # internal, very hidden; not a user-facing name
MARKS_COLUMNS = ("sheet", "cell", "mark_rgb", "prev_fill", "prev_note", "prev_author", "value", "note_key", "level")
HEADER_KEY = MARKS_COLUMNS[:4]  # every layout ever written starts so
VALUE_COLUMN = MARKS_COLUMNS.index("value")
NAME_RE = re.compile(re.escape(MARKS_SHEET) + r"[0-9]*")


def is_marks_header(header: Sequence) -> bool:
    return tuple(header[: len(HEADER_KEY)]) == HEADER_KEY


def may_be_marks_sheet(name: str, state: str | None) -> bool:
    """Whether a sheet could be ours by name and state (its header decides)."""
    return bool(NAME_RE.fullmatch(name)) and state in ("hidden", "veryHidden")


def new_marks_sheet_name(names: Iterable[str]) -> str:
    """``_dj_marks``, or the first ``_dj_marks<n>`` no sheet uses (names compare as Excel does)."""
    taken = {n.casefold() for n in names}
    if MARKS_SHEET.casefold() not in taken:
        return MARKS_SHEET
    n = 2
    while f"{MARKS_SHEET}{n}".casefold() in taken:
        n += 1
    return f"{MARKS_SHEET}{n}"


def record_row(rec: MarkRecord) -> list[str | None]:
    """A record as the text cells of one row ('' and None are stored as empty cells)."""
    values = [rec.sheet, rec.cell, rec.mark_rgb, encode_fill(rec.prev_fill), rec.prev_note, rec.prev_author,
              rec.value, rec.note_key, rec.level]
    return [xml_text(v) if v else None for v in values]


def text(v) -> str | None:
    if v is None or v == "":
        return None
    return v if isinstance(v, str) else str(v)


def record_from_row(values: Sequence, header: Sequence) -> MarkRecord | None:
    """A record from one stored row (``header``: the sheet's first row); None when unusable."""
    values = (list(values) + [None] * len(MARKS_COLUMNS))[: len(MARKS_COLUMNS)]
    sheet, cell, rgb, fill, note, author, value, key, level = (text(v) for v in values)
    where = parse_ref(cell) if cell else None
    if not sheet or where is None:
        return None
    has_value = len(header) > VALUE_COLUMN and header[VALUE_COLUMN] == "value"
    return MarkRecord(sheet, cell_ref(*where), rgb if rgb in MARK_RGB.values() else "", parse_fill(fill),
                      note, author, (value or "") if has_value else None,
                      key if key and re.fullmatch(r"[0-9a-f]{16}", key) else None,
                      level if level in LEVELS else "")


def records_from_rows(rows: Iterable[Sequence]) -> list[MarkRecord]:
    """All usable records of a marks sheet's rows (header first)."""
    rows = iter(rows)
    header = [text(v) for v in next(rows, ())]
    if not is_marks_header(header):
        return []
    return [rec for rec in (record_from_row(list(r), header) for r in rows) if rec is not None]
