"""The schema is consistent with itself (no spec needed)."""

from __future__ import annotations

from dj_addin import schema


def test_keys_are_unique_and_headers_unique_per_sheet() -> None:
    assert len({s.key for s in schema.ALL_SHEETS}) == len(schema.ALL_SHEETS)
    assert len({s.name for s in schema.ALL_SHEETS}) == len(schema.ALL_SHEETS)
    for s in schema.ALL_SHEETS:
        assert len(set(s.keys)) == len(s.keys), s.name
        assert len(set(s.headers)) == len(s.headers), s.name


def test_references_point_to_sheets_with_that_key_column() -> None:
    for s in schema.SHEETS:
        for c in s.columns:
            if c.ref:
                assert schema.sheet(c.ref).key_column is not None, (s.name, c.header)
