"""Rounding for display, the way Excel's ROUND does it.

Python's ``round()`` rounds half to even and works on the binary value, so
``round(2.675, 2)`` gives 2.67 and ``round(0.5)`` gives 0; Excel gives 2.68
and 1. Scores are computed with full precision and only what is shown is
rounded, half away from zero, on the value as Excel holds it: 15
significant digits, so 70.85 shows as 70.9 and 65.14999999999999 (the float
that computing 65.15 gives) shows as 65.2, as a user would expect.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np


def round_half_away(x: Any, digits: int = 1) -> float | None:
    """``x`` rounded half away from zero to ``digits`` decimals.

    ``None`` and NaN give ``None`` (a missing score stays missing);
    infinities are returned unchanged.
    """
    if x is None:
        return None
    f = float(x)
    if math.isnan(f):
        return None
    if math.isinf(f):
        return f
    quantum = Decimal(1).scaleb(-digits)
    # ROUND_HALF_UP in decimal is "half away from zero" for negatives too.
    return float(Decimal(as_excel(f)).quantize(quantum, rounding=ROUND_HALF_UP))


def as_excel(f: float) -> str:
    """The float as Excel keeps it, 15 significant digits, so that float noise
    (74.99999999999999 for 75) never decides a rounding or a grade line."""
    return format(f, ".15g")


def snap(f: float) -> float:
    """``f`` at 15 significant digits (75.0 for 74.99999999999999); NaN stays NaN."""
    return f if math.isnan(f) or math.isinf(f) else float(as_excel(f))


def round_half_away_array(values: Any, digits: int = 1) -> np.ndarray:
    """``round_half_away`` of every value as a float array (None/NaN → NaN), rounding each distinct
    value once: a university's roll-up has hundreds of thousands of cells and few distinct values.
    Values are told apart by their bits (-0.0 is not 0.0), so each gets exactly what
    ``round_half_away`` gives it."""
    arr = np.asarray(values, dtype=float)
    if not arr.size:
        return arr.copy()
    bits, inverse = np.unique(np.ascontiguousarray(arr).view(np.int64), return_inverse=True)
    rounded = [round_half_away(x, digits) for x in bits.view(np.float64).tolist()]
    table = np.array([np.nan if r is None else r for r in rounded], dtype=float)
    return table[inverse.reshape(arr.shape)]
