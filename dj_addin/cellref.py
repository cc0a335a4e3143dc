"""Excel cell references: column letters ↔ numbers, ``'B12'`` → (row, column).

One implementation for the whole package. Pure standard library, because the
core (validation messages name column letters) may not import openpyxl;
the adapters use the same functions so that both sides always agree.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_COLUMN = 16384  # XFD, the last column of a worksheet
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@lru_cache(maxsize=None)
def column_letter(number: int) -> str:
    """1 → ``'A'``, 27 → ``'AA'``, 16384 → ``'XFD'``."""
    if not 1 <= number <= MAX_COLUMN:
        raise ValueError(f"column {number} is outside 1–{MAX_COLUMN}")
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=None)
def column_number(letters: str) -> int:
    """``'A'`` → 1, ``'aa'`` → 27, ``'XFD'`` → 16384."""
    if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
        raise ValueError(f"{letters!r} is not a column name")
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    if number > MAX_COLUMN:
        raise ValueError(f"{letters!r} is beyond the last column XFD")
    return number


def cell_position(ref: str) -> tuple[int, int]:
    """``'B12'`` (or ``'$B$12'``) → (12, 2): row first, so sorting by it is reading order."""
    m = _REF.match(ref)
    if m is None or int(m.group(2)) == 0:
        raise ValueError(f"{ref!r} is not a cell reference")
    return int(m.group(2)), column_number(m.group(1))


def cell_ref(row: int, col: int) -> str:
    """(12, 2) → ``'B12'``: the inverse of ``cell_position``."""
    return f"{column_letter(col)}{row}"


def range_ref(top: int, left: int, bottom: int, right: int) -> str:
    """(1, 1, 3, 2) → ``'A1:B3'``."""
    return f"{cell_ref(top, left)}:{cell_ref(bottom, right)}"
