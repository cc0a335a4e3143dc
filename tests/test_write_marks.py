"""Cell marks: red/yellow fills and 【校验】 notes that come off exactly."""

from __future__ import annotations

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from dj_addin.schema import MARK_NOTE_PREFIX
from dj_addin.xlsx.save import MARKS_SHEET, clear_marks, save_outputs
from dj_addin.xlsx.styles import MARK_RGB
from test_write_support import book, engine, pin_engine, LOG, ROSTER, finding, make_workbook, sample_report, snapshot  # noqa: F401 (fixtures)





def test_marks_fill_and_note_by_level(book, tmp_path):
    out = tmp_path / "out.xlsx"
    stats = save_outputs(book, out, report=sample_report())
    assert stats.marked == 4  # the file-level finding has no cell
    ws = openpyxl.load_workbook(out)[LOG]
    assert ws["A2"].fill.fgColor.rgb == MARK_RGB["错误"]
    assert ws["B3"].fill.fgColor.rgb == MARK_RGB["警告"]
    assert ws["A2"].comment.text.startswith(MARK_NOTE_PREFIX)
    assert "不是有效日期" in ws["A2"].comment.text and "2026-03-05" in ws["A2"].comment.text
    # 提示: a note, but the cell keeps its own pattern
    assert ws["G4"].fill.patternType == "gray125"
    assert ws["G4"].comment.text.startswith(MARK_NOTE_PREFIX)
    # the user's note stays readable under ours
    assert "请核对编号" in ws["B3"].comment.text


def test_validate_twice_then_clear_gives_the_original(book, tmp_path):
    before = snapshot(book)
    save_outputs(book, book, report=sample_report())
    save_outputs(book, book, report=sample_report())
    n = clear_marks(book, book)
    assert n == 4
    assert snapshot(book) == before
    assert MARKS_SHEET not in openpyxl.load_workbook(book).sheetnames


def test_second_run_unmarks_fixed_cells(book, tmp_path):
    before = snapshot(book)
    save_outputs(book, book, report=sample_report())
    only_one = sample_report([finding("错误", LOG, 5, "D", "R003", "T003", "对象不存在")])
    stats = save_outputs(book, book, report=only_one)
    assert (stats.restored, stats.marked) == (4, 1)
    now = snapshot(book)
    assert now[(LOG, "A2")] == before[(LOG, "A2")]
    assert now[(LOG, "B3")] == before[(LOG, "B3")]
    assert now[(LOG, "D5")][2][1] == MARK_RGB["错误"]


def test_user_recolour_and_new_note_win(book, tmp_path):
    save_outputs(book, book, report=sample_report())
    wb = openpyxl.load_workbook(book)
    ws = wb[LOG]
    ws["A2"].fill = PatternFill("solid", fgColor="FF00FF00")  # user paints the marked cell green
    ws["B3"].comment = Comment("我已核对", "王书记")  # and replaces our note with their own
    wb.save(book)
    save_outputs(book, book, report=sample_report([]))  # all fixed: restore only
    ws = openpyxl.load_workbook(book)[LOG]
    assert ws["A2"].fill.fgColor.rgb == "FF00FF00"
    assert ws["B3"].comment.text == "我已核对"
    assert ws["B3"].fill.fgColor.rgb == "FF00B0F0"  # fill was still ours: back to the user's blue
    assert ws["C2"].comment.text == "用户批注"


def test_several_findings_on_one_cell(book, tmp_path):
    report = sample_report([finding("警告", LOG, 3, "B", "R004", message="姓名不符"),
                            finding("错误", LOG, 3, "B", "R002", message="编号不在名册")])
    save_outputs(book, book, report=report)
    cell = openpyxl.load_workbook(book)[LOG]["B3"]
    assert cell.fill.fgColor.rgb == MARK_RGB["错误"]
    assert "姓名不符" in cell.comment.text and "编号不在名册" in cell.comment.text


def test_unplaceable_findings_are_not_marked(book, tmp_path):
    report = sample_report([finding("错误", "不存在的表", 2, "A"), finding("错误", LOG, None, "A"),
                            finding("错误", LOG, 2, ""), finding("错误", "", None, "")])
    before = snapshot(book)
    stats = save_outputs(book, book, report=report)
    assert stats.marked == 0
    assert snapshot(book) == before
    assert MARKS_SHEET not in openpyxl.load_workbook(book).sheetnames


def test_marks_sheet_is_very_hidden_and_mark_false_only_restores(book, tmp_path):
    save_outputs(book, book, report=sample_report())
    wb = openpyxl.load_workbook(book)
    assert wb[MARKS_SHEET].sheet_state == "veryHidden"
    assert wb.active.title == ROSTER
    before_marks = snapshot(make_workbook(tmp_path / "fresh.xlsx"))
    stats = save_outputs(book, book, report=sample_report(), mark=False)
    assert (stats.restored, stats.marked) == (4, 0)
    assert snapshot(book) == before_marks
