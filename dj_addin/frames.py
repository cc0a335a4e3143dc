"""DataFrames built from plain numpy arrays, as they are and cheaply.

Reading one branch workbook builds some seventy small frames (typed data,
cells as found, flags and origin of thirteen sheets). Built the usual way,
from a ``pd.Series`` per column, each frame costs a few hundred microseconds
of pandas' checks, which made a third of the time of reading a book. A dict
of plain arrays is no cheaper and not the same: pandas infers a type for an
object column (text becomes its ``str`` type, date objects ``datetime64``).

``frame_of`` hands the arrays to pandas as they are (``DataFrame._from_arrays``
without its checks, the way pandas' own readers build frames) after checking
here what those checks would: 1-D numpy arrays of the index's length, of the
types the tables hold. Anything else, or a pandas without that constructor,
takes the usual way, with the same result.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["frame_of", "block_frame"]

# object, bool, int64, float64, datetime64[ns]: what the tables' columns hold
_KINDS = frozenset({np.dtype(object), np.dtype(bool), np.dtype("int64"), np.dtype("float64"),
                    np.dtype("datetime64[ns]")})
_FROM_ARRAYS = getattr(pd.DataFrame, "_from_arrays", None)


def frame_of(columns: Mapping[str, np.ndarray], index: pd.Index) -> pd.DataFrame:
    """A frame of these columns in this order, each keeping its array's dtype.

    The arrays are copied into the frame's blocks (pandas stacks the columns of
    one dtype), so the caller may go on using them."""
    arrays = list(columns.values())
    n = len(index)
    if _FROM_ARRAYS is not None and isinstance(index, pd.Index) and all(
            a.__class__ is np.ndarray and a.ndim == 1 and len(a) == n and a.dtype in _KINDS for a in arrays):
        return _FROM_ARRAYS(arrays, columns=pd.Index(list(columns)), index=index,
                            verify_integrity=False)
    return _frame_slowly(columns, index)


def _frame_slowly(columns: Mapping[str, np.ndarray], index: pd.Index) -> pd.DataFrame:
    """The usual way (a Series per column); ``frame_of`` must give the same frame."""
    return pd.DataFrame({k: pd.Series(a, index=index, dtype=np.asarray(a).dtype) for k, a in columns.items()},
                        index=index, columns=pd.Index(list(columns)))


def block_frame(block: np.ndarray, keys: Sequence[str], index: pd.Index) -> pd.DataFrame:
    """A frame of one dtype from a 2-D array holding one column per row
    (``block[i]`` is column ``keys[i]``), kept as it is (no inference)."""
    return pd.DataFrame(block.T, index=index, columns=_columns(tuple(keys)), dtype=block.dtype)


@lru_cache(maxsize=256)
def _columns(keys: tuple[str, ...]) -> pd.Index:
    """The column labels of a sheet's schema keys, made once (an Index cannot be
    changed, so frames share it; pandas infers its type the same every time)."""
    return pd.Index(list(keys))
