"""How much room a text needs on paper: width units and wrapped row heights (pure).

Excel stores a column width in units of the default font's digit width
(about 7 pixels at 11 pt); a CJK character of an 11-pt font is about two
of them, a Latin letter or digit of a CJK font a little more than one.
The estimate errs on the generous side, so a row given this height never
prints its wrapped text over the next row (Excel and LibreOffice do not
auto-fit the rows of a file written by a program). The plans size their
rows with it, and the tests check the rendered files with the same
function, from the text and the column width read back.
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache

WIDE = 2.0  # width units of a CJK / full-width character at 11 pt (14.7 px against a 7-px digit, rounded down: LibreOffice draws them narrower still)
NARROW = 1.1  # a Latin letter, digit or space
PADDING = 1.0  # the cell's own margins, in width units
LINE = 17.25  # points per line of 11-pt text (CJK fonts such as WenQuanYi Micro Hei space lines widely)
ROW_PADDING = 3.75  # points above and below the lines
BASE_SIZE = 11.0


@lru_cache(maxsize=65536)
def text_units(text: str, size: float = BASE_SIZE) -> float:
    """The width of the longest line of ``text`` in column-width units."""
    scale = size / BASE_SIZE
    return max((sum(WIDE if unicodedata.east_asian_width(ch) in "WF" else NARROW for ch in line)
                for line in str(text).split("\n")), default=0.0) * scale


def fits(text: str, width: float, size: float = BASE_SIZE) -> bool:
    """``text`` shows whole on one line in a column ``width`` wide."""
    return text_units(text, size) <= max(width - PADDING, 0)


@lru_cache(maxsize=65536)
def lines_needed(text: str, width: float, size: float = BASE_SIZE) -> int:
    """The lines ``text`` takes when wrapped in a column ``width`` wide (hard breaks kept;
    a line wraps character by character, as CJK text does)."""
    usable = max(width - PADDING, 1.0)
    scale = size / BASE_SIZE
    total = 0
    for line in str(text).split("\n"):
        count, used = 1, 0.0
        for ch in line:
            w = (WIDE if unicodedata.east_asian_width(ch) in "WF" else NARROW) * scale
            if used + w > usable and used > 0:
                count, used = count + 1, 0.0
            used += w
        total += count
    return max(total, 1)


def height_for(lines: int, size: float = BASE_SIZE) -> float:
    """The row height in points for ``lines`` lines (whole pixels: multiples of 0.75)."""
    points = lines * LINE * (size / BASE_SIZE) + ROW_PADDING
    return math.ceil(points / 0.75) * 0.75


def row_height(cells: list[tuple[str, float]], size: float = BASE_SIZE) -> float:
    """The height a row of wrapped cells ``(text, column width)`` needs to show all of them."""
    return height_for(max((lines_needed(t, w, size) for t, w in cells if t), default=1), size)


def width_for(texts, minimum: float = 0.0, maximum: float = 60.0, size: float = BASE_SIZE) -> float:
    """A column width that shows the longest of ``texts`` on one line (between the bounds), in whole
    units (every renderer stores whole units alike)."""
    need = max((text_units(str(t), size) for t in texts if t is not None and t != ""), default=0.0) + PADDING
    return float(math.ceil(min(max(need, minimum), maximum)))
