"""Validation marks as plain data: which cell gets which mark, and where a
marked cell went when rows moved between runs (``matching``). Renderers
(the xlsx writers, later the live Excel adapter) apply and restore them."""
