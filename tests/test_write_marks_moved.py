"""Marks follow their cells when the user deletes, inserts or sorts rows between runs."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from dj_addin.schema import MARK_NOTE_PREFIX
from dj_addin.xlsx.save import MARKS_SHEET, clear_marks, save_outputs
from dj_addin.xlsx.marks import MARKS_COLUMNS
from dj_addin.xlsx.styles import MARK_RGB
from test_write_support import (book, engine, LOG, delete_row, edited, expected_after, finding, insert_row,  # noqa: F401
                                reverse_rows, sample_report, snapshot, typed_book)


def has_our_marks(path: Path) -> list[tuple[str, str]]:
    wb = openpyxl.load_workbook(path)
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if (c.comment and MARK_NOTE_PREFIX in c.comment.text) or (
                        c.fill.patternType == "solid" and c.fill.fgColor.rgb in MARK_RGB.values()):
                    found.append((ws.title, c.coordinate))
    return found


CHANGES = {"delete marked row": lambda ws: delete_row(ws, 2),
           "delete row above marks": lambda ws: delete_row(ws, 2) or delete_row(ws, 2),
           "delete user-noted row": lambda ws: delete_row(ws, 3),
           "insert row": insert_row,
           "reverse rows": reverse_rows}


@pytest.mark.parametrize("change", list(CHANGES))
def test_rows_changed_between_validate_and_clear(book, tmp_path, change):
    out = tmp_path / "marked.xlsx"
    save_outputs(book, out, report=sample_report())
    edited(out, CHANGES[change])
    clear_marks(out, out)
    assert snapshot(out) == expected_after(book, CHANGES[change], tmp_path)
    assert has_our_marks(out) == []
    assert MARKS_SHEET not in openpyxl.load_workbook(out).sheetnames


@pytest.mark.parametrize("change", list(CHANGES))
def test_rows_changed_then_validate_again_then_clear(book, tmp_path, change):
    out = tmp_path / "marked.xlsx"
    save_outputs(book, out, report=sample_report())
    edited(out, CHANGES[change])
    save_outputs(out, out, report=sample_report())  # marks the same addresses again
    clear_marks(out, out)
    assert snapshot(out) == expected_after(book, CHANGES[change], tmp_path)
    assert has_our_marks(out) == []


def test_same_values_the_user_note_follows_its_row(book, tmp_path):
    """Several marked cells with one value: the previous note under ours tells them apart."""
    report = sample_report([finding("错误", LOG, r, "B", "R002", "P001", "编号不在名册中") for r in (2, 3, 4, 5)])
    out = tmp_path / "marked.xlsx"
    save_outputs(book, out, report=report)
    edited(out, lambda ws: delete_row(ws, 2))
    assert clear_marks(out, out) == 3  # the deleted row's record is dropped
    after = snapshot(out)
    assert after[(LOG, "B2")][1:] == ("solid", ("rgb", "FF00B0F0", 0.0), "请核对编号", "王书记")
    assert after == expected_after(book, lambda ws: delete_row(ws, 2), tmp_path)


def test_value_fixed_in_place_gets_its_own_fill_back(book, tmp_path):
    out = tmp_path / "marked.xlsx"
    save_outputs(book, out, report=sample_report())
    edited(out, lambda ws: setattr(ws["B3"], "value", "P002"))
    clear_marks(out, out)
    cell = openpyxl.load_workbook(out)[LOG]["B3"]
    assert (cell.value, cell.fill.fgColor.rgb, cell.comment.text) == ("P002", "FF00B0F0", "请核对编号")


def test_stale_mark_without_record_is_cleaned(book, tmp_path):
    """Our note on a cell no record names (left by an older version): ours goes, the user's stays."""
    wb = openpyxl.load_workbook(book)
    ws = wb[LOG]
    ws["D4"].fill = PatternFill("solid", fgColor=MARK_RGB["错误"])
    ws["D4"].comment = Comment(f"{MARK_NOTE_PREFIX}错误 C001：旧标记\n——原批注——\n我的备注", "党建助手")
    ws["E5"].fill = PatternFill("solid", fgColor="FF00FF00")  # the user's own colour: kept
    ws["E5"].comment = Comment(f"{MARK_NOTE_PREFIX}警告 C001：旧标记", "党建助手")
    ws["F6"].fill = PatternFill("solid", fgColor=MARK_RGB["错误"])  # our colour but no note of ours: not proven
    wb.save(book)
    assert clear_marks(book, book) == 2
    after = openpyxl.load_workbook(book)[LOG]
    assert (after["D4"].fill.patternType, after["D4"].comment.text) == (None, "我的备注")
    assert (after["E5"].fill.fgColor.rgb, after["E5"].comment) == ("FF00FF00", None)
    assert after["F6"].fill.fgColor.rgb == MARK_RGB["错误"]


def drop_value_column(path: Path) -> None:
    """Make the marks sheet look like one written before the value column existed."""
    wb = openpyxl.load_workbook(path)
    ws = wb[MARKS_SHEET]
    column = MARKS_COLUMNS.index("value") + 1
    assert ws.cell(1, column).value == "value"
    ws.delete_cols(column, len(MARKS_COLUMNS) + 1 - column)
    wb.save(path)


def test_old_marks_sheet_without_values_still_clears(book, tmp_path):
    before = snapshot(book)
    out = tmp_path / "marked.xlsx"
    save_outputs(book, out, report=sample_report())
    drop_value_column(out)
    assert clear_marks(out, out) == 4
    assert snapshot(out) == before
    save_outputs(book, out, report=sample_report())
    drop_value_column(out)
    assert save_outputs(out, out, report=sample_report()).restored == 4  # re-marking restores first
    clear_marks(out, out)
    assert snapshot(out) == before


def test_typed_values_follow_sorted_rows(tmp_path):
    book = typed_book(tmp_path / "支部A.xlsx")
    report = sample_report([finding(("错误", "警告", "提示")[r % 3], LOG, r, "H") for r in range(2, 9)])
    out = tmp_path / "marked.xlsx"
    save_outputs(book, out, report=report)
    edited(out, reverse_rows)
    clear_marks(out, out)
    assert has_our_marks(out) == []
    assert snapshot(out) == expected_after(book, reverse_rows, tmp_path)


def test_equal_values_told_apart_by_our_note(book, tmp_path):
    """Equal values and no notes, only the user's fill differs: the note we wrote names the row."""
    wb = openpyxl.load_workbook(book)
    wb[LOG]["B4"].fill = PatternFill("solid", fgColor="FFFFC000")
    wb.save(book)
    report = sample_report([finding("警告", LOG, r, "B", "R002", "P001", f"第{r}行编号不在名册中") for r in (2, 4, 5)])
    for change in (lambda ws: delete_row(ws, 2), lambda ws: delete_row(ws, 3), insert_row, reverse_rows):
        out = tmp_path / "marked.xlsx"
        save_outputs(book, out, report=report)
        edited(out, change)
        clear_marks(out, out)
        assert snapshot(out) == expected_after(book, change, tmp_path)


@pytest.mark.parametrize("seed", range(3))
def test_random_marks_and_row_changes(book, tmp_path, seed):
    """Random findings (several per cell, on empty cells too), random row changes, two rounds."""
    import random

    rnd = random.Random(seed)
    changes = [lambda ws: delete_row(ws, rnd.randrange(2, 6)), lambda ws: insert_row(ws, rnd.randrange(2, 6)),
               reverse_rows]
    expected = tmp_path / "expected.xlsx"
    expected.write_bytes(book.read_bytes())
    for _ in range(2):
        report = sample_report([finding(rnd.choice(("错误", "警告", "提示")), LOG, rnd.randrange(2, 10),
                                        rnd.choice("ABCDEGK"), message=f"问题{i}") for i in range(rnd.randrange(1, 12))])
        save_outputs(book, book, report=report)
        change = rnd.choice(changes)
        state = rnd.getstate()
        edited(book, change)
        rnd.setstate(state)  # the same row for the never-marked copy
        edited(expected, change)
    clear_marks(book, book)
    assert has_our_marks(book) == []
    assert snapshot(book) == snapshot(expected)
