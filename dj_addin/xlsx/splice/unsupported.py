"""The one error of the fast writer: the package cannot be changed safely this way."""

from __future__ import annotations


class Unsupported(Exception):
    """The fast path cannot change this package safely: use the reference writer."""
