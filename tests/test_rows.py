"""Rows that stay traceable: row ids, provenance, concatenation, per-unit filter, compact form.

The books are the demo's branches (with their planted mistakes), read through
the same grid → table code as files; a merged workbook is written with the
provenance columns a merge adds and read back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from builders import make_book, memory_book
from dj_addin import rows as rowops
from dj_addin import schema
from dj_addin.demo import generate as demo
from dj_addin.model import ROW_ID, Book
from dj_addin.rollup.table import roster_members
from dj_addin.validate import validate_book
from dj_addin.xlsx.reader import read_book

AS_OF = dt.date(2026, 11, 24)
LOG = schema.CONTACT_LOG.key


@pytest.fixture(scope="module")
def branches() -> list[Book]:
    """Three demo branches (the two with planted mistakes first), each spoilt a little more:
    an impossible date, a repeated member, a log row entered twice, an unknown member."""
    uni = demo.generate_university(31, 2026, AS_OF)
    units = sorted(uni.branches(), key=lambda b: not uni.planted_in(b.code))[:3]
    books = []
    for i, b in enumerate(units):
        rows = {k: [dict(r) for r in v] for k, v in b.rows.items()}
        log, roster = rows[LOG], rows[schema.ROSTER.key]
        log[2 + i]["date"] = "2026-13-05"
        log[5]["member_id"] = "X999"
        log.insert(9, dict(log[8]))
        log[12]["member_name"] = "某某某"
        log[14].update(handling="办理中", date=dt.date(2026, 2, 1), closed_date=None)
        log[16]["target_id"] = rows[schema.TARGETS.key][-1]["target_id"]
        roster.append(dict(roster[1 + i]))
        books.append(memory_book(meta=b.meta, rows=rows))
    return books


def _key(f) -> tuple:
    return (f.rule, f.level, f.sheet, f.row, f.column, f.field, f.value, f.message, f.suggestion)


def _renumbered(book: Book, start: int = 7_000_000) -> Book:
    """The same book with row ids that are nothing like the Excel rows (descending, far away)."""
    out = Book(path=book.path, sheet_names=book.sheet_names, kv=book.kv, merged=book.merged)
    for key, t in book.tables.items():
        rid = pd.Index(start - 3 * np.arange(len(t)), dtype="int64", name=ROW_ID)
        frames = {a: getattr(t, a).set_axis(rid) for a in ("data", "raw", "bad", "errors", "origin")}
        out.tables[key] = dataclasses.replace(t, **frames)
    return out


def test_rules_use_the_row_id_not_the_excel_row(branches: list[Book]) -> None:
    book = branches[0]
    before = validate_book(book, AS_OF).findings
    after = validate_book(_renumbered(book), AS_OF).findings
    assert len(before) > 10
    assert {f.rule for f in before} >= {"R001", "C002", "R002", "R004", "R005", "R008", "R009", "K001"}
    assert [_key(f) for f in after] == [_key(f) for f in before]
    mid_year = dt.date(2026, 6, 30)  # rows after the as-of date: C009 names the first of them
    before = validate_book(book, mid_year).findings
    assert "C009" in {f.rule for f in before}
    assert [_key(f) for f in validate_book(_renumbered(book), mid_year).findings] == [_key(f) for f in before]


def test_branch_findings_have_no_provenance_and_the_json_keys_of_interfaces(branches: list[Book]) -> None:
    f = validate_book(branches[0], AS_OF).findings[0]
    assert f.source_unit is None and f.source_row is None
    assert list(f.as_json()) == ["rule", "level", "sheet", "row", "column", "field", "value", "message",
                                 "suggestion"]


def test_a_read_book_knows_its_own_unit_and_rows(branches: list[Book]) -> None:
    book = branches[0]
    log = book.table(LOG)
    assert set(log.origin["source_unit"]) == {book.unit_code}
    assert log.origin["source_row"].tolist() == log.rows.tolist() == list(range(2, len(log) + 2))
    assert not book.merged and rowops.units(book) == [book.unit_code]


def test_concatenated_findings_name_the_merged_row_and_the_source(branches: list[Book]) -> None:
    merged = rowops.concat_books(branches)
    log = merged.table(LOG)
    assert len(log) == sum(len(b.table(LOG)) for b in branches)
    assert log.data.index.is_unique and log.rows.tolist() == list(range(2, len(log) + 2))
    own = {b.unit_code: {(f.rule, f.sheet, f.row, f.column, f.value) for f in validate_book(b, AS_OF).findings
                         if f.row is not None and f.sheet == schema.CONTACT_LOG.name and f.rule.startswith("C")}
           for b in branches}
    found = [f for f in validate_book(merged, AS_OF).findings
             if f.sheet == schema.CONTACT_LOG.name and f.rule.startswith("C") and f.row is not None]
    offset = {b.unit_code: sum(len(x.table(LOG)) for x in branches[:i]) for i, b in enumerate(branches)}
    assert found
    for f in found:
        # the merged row is the source row shifted by the rows of the books before
        assert f.row == f.source_row + offset[f.source_unit]
        assert (f.rule, f.sheet, f.source_row, f.column, f.value) in own[f.source_unit]
    for unit, cells in own.items():  # every cell finding of every branch is found again, at its unit
        assert {(r, row, v) for r, s, row, c, v in cells} <= {(f.rule, f.source_row, f.value) for f in found
                                                               if f.source_unit == unit}
    js = found[0].as_json()
    assert js["source_unit"] == found[0].source_unit and js["source_row"] == found[0].source_row


def test_filter_per_unit_gives_the_branch_its_own_rows_back(branches: list[Book]) -> None:
    merged = rowops.concat_books(branches)
    for b in branches:
        mine = rowops.unit_book(merged, b.unit_code)
        for key, t in b.tables.items():
            got = mine.table(key)
            assert got.origin["source_row"].tolist() == t.rows.tolist()
            for attr in ("data", "raw", "bad", "errors"):
                pd.testing.assert_frame_equal(getattr(got, attr).reset_index(drop=True),
                                              getattr(t, attr).reset_index(drop=True)[getattr(got, attr).columns],
                                              check_dtype=False)
        assert rowops.units(mine) == [b.unit_code] or all(not len(t) for t in mine.tables.values())


def test_merging_merged_books_keeps_the_first_source(branches: list[Book]) -> None:
    once = rowops.concat_books(branches[:2])
    twice = rowops.concat_books([branches[2], once])
    log, first = twice.table(LOG), branches[0].table(LOG)
    n2 = len(branches[2].table(LOG))
    part = log.origin.iloc[n2:n2 + len(first)]
    assert set(part["source_unit"]) == {branches[0].unit_code}
    assert part["source_row"].tolist() == first.rows.tolist()


def test_value_as_found_survives_concat_filter_and_compact(branches: list[Book]) -> None:
    book = branches[0]
    log = book.table(LOG)
    found = log.as_found()
    assert found, "the demo plants unreadable cells in 联系记载"
    for key, values in found.items():
        assert log.data.loc[values.index, key].isna().all() or schema.CONTACT_LOG.column(key).default is not None
    written = log.for_writing()
    for key, values in found.items():
        assert written.loc[values.index, key].tolist() == values.tolist()  # what the user typed
    small = log.compact()
    pd.testing.assert_frame_equal(small.for_writing(), written)
    merged = rowops.concat_books([rowops.compact_book(b) for b in branches])
    back = rowops.unit_book(merged, book.unit_code).table(LOG)
    assert back.compacted
    assert back.for_writing().reset_index(drop=True).equals(written.reset_index(drop=True))


def test_compact_tables_pickle_smaller(branches: list[Book]) -> None:
    book = branches[0]
    full, small = pickle.dumps(book), pickle.dumps(rowops.compact_book(book))
    assert len(small) < 0.7 * len(full)
    back = pickle.loads(small)
    assert back.table(LOG).for_writing().equals(book.table(LOG).for_writing())


def test_excel_error_cells_are_written_back_as_found(tmp_path: Path) -> None:
    def spoil(wb):
        wb[schema.ROSTER.name]["C2"] = "#N/A"  # an Excel error value as a cell holds it

    path = make_book(tmp_path / "b.xlsx", rows={"roster": [{"member_id": "M1", "name": "张三", "gender": "男"}]},
                     edit=spoil)
    roster = read_book(path).table(schema.ROSTER.key)
    assert roster.for_writing().iloc[0]["gender"] == "#N/A"


def test_a_merged_workbook_read_back_keeps_its_provenance(tmp_path: Path) -> None:
    rows = [{"member_id": "M1", "name": "张三", "来源单位编码": "D0201", "来源行": 7},
            {"member_id": "M2", "name": "李四", "来源单位编码": "D0202", "来源行": 3},
            {"member_id": "M3", "name": "王五"}]  # typed into the merged workbook by hand
    keys = [*schema.ROSTER.keys, "来源单位编码", "来源行"]
    path = make_book(tmp_path / "m.xlsx", meta={"unit_code": "D02", "unit_level": "党委"},
                     rows={"roster": rows}, columns={"roster": keys})
    book = read_book(path)
    roster = book.table(schema.ROSTER.key)
    assert book.merged and not roster.extra_columns
    assert roster.origin["source_unit"].tolist() == ["D0201", "D0202", "D02"]
    assert roster.origin["source_row"].tolist() == [7, 3, 4]
    findings = validate_book(book, dt.date(2026, 6, 30)).findings
    assert not [f for f in findings if f.rule == "S004"]
    c001 = [f for f in findings if f.rule == "C001" and f.sheet == schema.ROSTER.name and f.row == 2]
    assert c001 and all((f.source_unit, f.source_row) == ("D0201", 7) for f in c001)
    assert roster.for_writing(provenance=True)[schema.SOURCE_ROW_HEADER].tolist() == [7, 3, 4]


def test_blank_branch_code_is_filled_by_each_rows_source_unit(branches: list[Book]) -> None:
    a = memory_book(meta={"unit_code": "D0301"}, rows={"roster": [{"member_id": "A1", "name": "甲"}]})
    b = memory_book(meta={"unit_code": "D0302"}, rows={"roster": [{"member_id": "B1", "name": "乙"},
                                                                   {"member_id": "B2", "name": "丙",
                                                                    "branch_code": "D0399"}]})
    merged = rowops.concat_books([a, b], kv=memory_book(meta={"unit_code": "D03"}).kv)
    assert roster_members(merged)["branch_code"].to_dict() == {"A1": "D0301", "B1": "D0302", "B2": "D0399"}
    assert roster_members(a)["branch_code"].tolist() == ["D0301"]
