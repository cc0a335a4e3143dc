"""The cyclic garbage collector paused while big plain structures are built, and told
which objects a merge keeps to the end.

``paused`` serves the reader (grids of millions of row lists), the merge's plans and
the bulk writer (which also forks: a collection in the child would touch, and so copy,
every page the parent holds). Neither makes reference cycles; what is freed is freed
by reference counting as always.

A merge holds hundreds of books in the parent process (millions of strings,
arrays and frames) for the whole run. Python's collector walks every object it
tracks each time its oldest generation is due, so without help it walks the
books again and again while the next ones are unpickled and while the merged
sheets are built: unpickling a book took 11.5 ms instead of 4.8 ms with 300
books held, and building the roll-up's rows twice as long. ``kept`` hands the
job a ``keep()`` to call when what it holds is settled (a book received, the
merged book built): those objects move to the collector's permanent
generation (``gc.freeze``) and are not walked again; when the job ends they go
back to the collector (``gc.unfreeze``), so nothing leaks. Young objects are
collected as always, and memory is freed by reference counting as always.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def kept() -> Iterator[Callable[[], None]]:
    """``keep()`` freezes what is alive now until the block ends. A process that froze
    objects itself before (``gc.get_freeze_count()``) keeps its own policy: ``keep`` does nothing."""
    if gc.get_freeze_count():
        yield _nothing
        return
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def _nothing() -> None:
    return None


@contextmanager
def paused() -> Iterator[None]:
    """The collector paused for the block: while millions of lists and tuples of plain values
    are made, it would walk every live object every few hundred of them (it made a
    400,000-row sheet's grids cost twice their building, and a merge's plans twice theirs)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
