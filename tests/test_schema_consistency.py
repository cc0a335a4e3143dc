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


def test_cell_references_agree_with_openpyxl():
    """The one column-letter helper (pure, for the core) says what openpyxl says."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

    from dj_addin.cellref import cell_position, column_letter, column_number

    for n in (1, 2, 26, 27, 52, 53, 702, 703, 16384):
        assert column_letter(n) == get_column_letter(n)
        assert column_number(column_letter(n)) == n == column_index_from_string(get_column_letter(n))
    assert all(column_number(column_letter(n)) == n for n in range(1, 16385))
    for ref in ("A1", "b12", "$C$7", "XFD1048576"):
        letters, row = coordinate_from_string(ref)
        assert cell_position(ref) == (row, column_index_from_string(letters))
    import pytest

    for bad in ("", "A0", "1A", "XFE1", "AAAA1", "A-1", "中1"):
        with pytest.raises(ValueError):
            cell_position(bad)
    for bad in (0, 16385):
        with pytest.raises(ValueError):
            column_letter(bad)
