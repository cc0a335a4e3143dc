"""The ribbon's entry points run end to end against the xlwings double (tests/xlwings_double.py).

The double is backed by a real openpyxl workbook saved to a real file, so
"the ribbon did what ``dj run --in-place`` does" is checked on the saved
files: same output sheets (values), same marks (fills and notes), and 清除标记
gives the cells' own fills and notes back. 导入名单 runs with the real
importer and 打印评议票 with the real ballots job; the other jobs that work on
files (导出上报, 汇总下级, 拆分下发) are tested with the job function replaced by a recorder: these
tests check the adapter's part (paths, the picker cell, saving first, the
message box, opening the result), not the jobs.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
import types
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
import pandas as pd
import pytest

import xlwings_double as xwd
from dj_addin import pipeline, schema
from dj_addin.addin.buttons import BUTTONS
from dj_addin.demo import generate as demo
from dj_addin.excel import files, ribbon
from dj_addin.excel import render as live_render
from dj_addin.marks.storage import MARKS_SHEET
from dj_addin.template.build import build_template
from dj_addin.template.fill import fill_workbook
from dj_addin.xlsx.reader import read_book

CHECKED = dt.datetime(2026, 11, 24, 9, 30)
AS_OF = dt.date(2026, 11, 24)
NAME = "支部甲.xlsx"  # a Chinese file name, in a Chinese folder name


@pytest.fixture(scope="module")
def demo_branch(tmp_path_factory) -> Path:
    uni = demo.generate_university(31, 2026, AS_OF)
    book = next(b for b in uni.books() if b.level == schema.UNIT_LEVELS[0] and b.rows.get("contact_log"))
    wb = build_template()
    fill_workbook(wb, book.meta, book.rows)
    ws = wb[schema.ROSTER.name]
    header = next(c for row in ws.iter_rows(max_row=5) for c in row if c.value == "党员编号")
    first, second = ws.cell(header.row + 1, header.column), ws.cell(header.row + 2, header.column)
    second.value = first.value  # a duplicate 党员编号: 错误, red marks
    path = tmp_path_factory.mktemp("demo") / NAME
    wb.save(path)
    return path


@pytest.fixture(autouse=True)
def fixed_run(monkeypatch):
    """Both front doors use the same as-of date and check time (问题清单's header shows it)."""
    monkeypatch.setattr(ribbon, "xw", xwd)
    monkeypatch.setattr(files, "temp_folder", lambda: Path("/nonexistent/Temp"))  # pytest's tmp_path is in /tmp
    monkeypatch.setattr(ribbon, "compute", functools.partial(pipeline.compute, checked_at=CHECKED, today=AS_OF))


def live_copy(src: Path, folder: Path, **kw) -> xwd.Book:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, folder / src.name)
    return xwd.calling(xwd.Book(folder / src.name, **kw))


def cli_copy(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / src.name
    shutil.copy(src, path)
    pipeline.run_book(path, None, in_place=True, checked_at=CHECKED)
    return path


def values(path: Path, sheet: str) -> list[list]:
    ws = openpyxl.load_workbook(path)[sheet]
    out = []
    for row in ws.iter_rows(values_only=True):
        out.append([v.replace(tzinfo=None) if isinstance(v, dt.datetime) else
                    (dt.datetime(v.year, v.month, v.day) if isinstance(v, dt.date) else
                     (None if v == "" else v)) for v in row])
    while out and all(v is None for v in out[-1]):
        out.pop()
    return out


def formats(path: Path, sheet: str) -> dict:
    """Number formats, merged ranges, column widths and links of an output sheet."""
    ws = openpyxl.load_workbook(path)[sheet]
    cells = {c.coordinate: c.number_format for row in ws.iter_rows() for c in row
             if c.value is not None and c.number_format != "General"}
    widths = {get_column_letter(c): d.width for d in ws.column_dimensions.values() if d.width
              for c in range(d.min, (d.max or d.min) + 1)}  # a <col> element may cover a range of columns
    links = {c.coordinate: c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink is not None}
    return {"cells": cells, "merged": sorted(str(m) for m in ws.merged_cells.ranges), "widths": widths, "links": links}


def assert_same_book(a, b, data_only=False) -> None:
    assert a.sheet_names == b.sheet_names or data_only
    for key, table in b.tables.items():
        for part in ("data",) if data_only else ("data", "raw", "bad", "errors", "origin"):
            pd.testing.assert_frame_equal(getattr(a.tables[key], part), getattr(table, part), obj=f"{key}.{part}")
    for key, kv in b.kv.items():
        assert a.kv[key].items == kv.items, key


def looks(path: Path) -> dict[tuple[str, str], tuple]:
    """(sheet, cell) → (fill colour or None, note text or None) of every data sheet cell with either."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title.startswith(MARKS_SHEET) or ws.title in ("问题清单", "指标汇总", "考评结果"):
            continue
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb if c.fill is not None and c.fill.patternType == "solid" else None
                note = c.comment.text if c.comment is not None else None
                if note is not None or (fill and fill in ("FFFF9999", "FFFFEB84")):
                    out[(ws.title, c.coordinate)] = (fill, note)
    return out


def test_run_equals_dj_run_in_place(demo_branch, tmp_path):
    book = live_copy(demo_branch, tmp_path / "功能区")
    ribbon.dispatch("btnRun")
    book.save()
    expected = cli_copy(demo_branch, tmp_path / "命令行")
    got = tmp_path / "功能区" / NAME
    for sheet in ("问题清单", "指标汇总", "考评结果"):
        assert values(got, sheet) == values(expected, sheet), sheet
        assert formats(got, sheet) == formats(expected, sheet), sheet
    marks = looks(got)
    assert marks == looks(expected)
    assert len(marks) > 5 and any(fill == "FFFF9999" for fill, _ in marks.values())  # red and yellow
    assert openpyxl.load_workbook(got).sheetnames == openpyxl.load_workbook(expected).sheetnames
    assert values(got, MARKS_SHEET) == values(expected, MARKS_SHEET)  # the same mark records, row for row
    alert = book.app.alerts[-1]
    assert "错误" in alert["prompt"] and "保存" in alert["prompt"] and alert["mode"] == "info"
    assert book.app.screen_updating is True and book.app.status_bar is False
    shown = [v for k, v in book.app.history if k == "status_bar" and v]
    assert any("指标汇总" in v for v in shown) and any("标记" in v for v in shown)  # progress on the status bar
    assert ("screen_updating", False) in book.app.history
    assert_same_book(read_book(got), read_book(demo_branch), data_only=True)  # the data untouched


def test_live_reader_gives_the_file_readers_book(demo_branch, tmp_path):
    from dj_addin.excel.live import read_live_book

    book = live_copy(demo_branch, tmp_path / "a")
    assert_same_book(read_live_book(book), read_book(demo_branch))


def test_run_twice_then_clear_gives_the_cells_back(demo_branch, tmp_path):
    src = tmp_path / "own" / NAME
    src.parent.mkdir()
    wb = openpyxl.load_workbook(demo_branch)
    ws = wb[schema.ROSTER.name]
    ws["A3"].comment = openpyxl.comments.Comment("用户自己的批注", "书记")
    ws["B3"].fill = openpyxl.styles.PatternFill("solid", fgColor="FF00B050")
    wb.save(src)
    before = looks(src)
    book = live_copy(src, tmp_path / "live")
    ribbon.dispatch("btnValidate")
    ribbon.dispatch("btnValidate")
    book.save()
    marked = looks(tmp_path / "live" / NAME)
    assert len(marked) > len(before)
    ribbon.dispatch("btnClearMarks")
    book.save()
    after = tmp_path / "live" / NAME
    assert looks(after) == before
    ws = openpyxl.load_workbook(after)[schema.ROSTER.name]
    assert ws["B3"].fill.fgColor.rgb == "FF00B050"
    assert not any(n.startswith(MARKS_SHEET) for n in openpyxl.load_workbook(after).sheetnames)
    assert "已清除" in book.app.alerts[-1]["prompt"]


def test_failure_mid_write_leaves_the_workbook_as_it_was(demo_branch, tmp_path, monkeypatch):
    book = live_copy(demo_branch, tmp_path / "x")
    ribbon.dispatch("btnValidate")  # earlier marks and 问题清单 exist: the failure must keep them
    book.save()
    first = tmp_path / "x" / NAME
    before_names = openpyxl.load_workbook(first).sheetnames
    before_looks, before_report = looks(first), values(first, "问题清单")
    calls = {"n": 0}
    real = live_render.render_block

    def failing(sheet, block):
        calls["n"] += 1
        if calls["n"] == 3:  # 指标汇总 half written
            raise RuntimeError("injected")
        return real(sheet, block)

    monkeypatch.setattr(live_render, "render_block", failing)
    monkeypatch.setattr(ribbon, "log_path", lambda: tmp_path / "日志.log")
    ribbon.dispatch("btnRun")
    book.save()
    assert calls["n"] == 3
    assert openpyxl.load_workbook(first).sheetnames == before_names
    assert looks(first) == before_looks
    assert values(first, "问题清单") == before_report
    alert = book.app.alerts[-1]
    assert alert["mode"] == "critical" and "工作簿保持原样" in alert["prompt"] and "日志.log" in alert["prompt"]
    assert "RuntimeError" not in alert["prompt"] and "Traceback" not in alert["prompt"]
    assert "injected" in (tmp_path / "日志.log").read_text(encoding="utf-8")
    assert book.app.screen_updating is True


def test_failure_while_marking_puts_the_cells_back(demo_branch, tmp_path, monkeypatch):
    from dj_addin.excel import marks as live_marks

    book = live_copy(demo_branch, tmp_path / "m")
    before = looks(demo_branch)
    real, calls = live_marks.write_note, {"n": 0}

    def failing(rng, text):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("injected")
        return real(rng, text)

    monkeypatch.setattr(live_marks, "write_note", failing)
    monkeypatch.setattr(ribbon, "log_path", lambda: tmp_path / "e.log")
    ribbon.dispatch("btnValidate")
    book.save()
    path = tmp_path / "m" / NAME
    assert looks(path) == before
    assert openpyxl.load_workbook(path).sheetnames == openpyxl.load_workbook(demo_branch).sheetnames


def test_every_button_has_an_entry_point_and_back():
    entry_points = {name for name, f in vars(ribbon).items() if callable(f) and hasattr(f, "label")}
    assert set(BUTTONS.values()) == entry_points
    for name in BUTTONS.values():
        assert callable(getattr(ribbon, name))


def test_unknown_button_says_so_in_chinese(demo_branch, tmp_path):
    book = live_copy(demo_branch, tmp_path / "u")
    ribbon.dispatch("btnGone")
    alert = book.app.alerts[-1]
    assert "btnGone" in alert["prompt"] and "重新安装" in alert["prompt"] and alert["mode"] == "critical"


def test_about_and_help(demo_branch, tmp_path):
    book = live_copy(demo_branch, tmp_path / "h")
    ribbon.dispatch("btnAbout")
    assert "xlwings 0.37.8-double" in book.app.alerts[-1]["prompt"]
    ribbon.dispatch("btnHelp")
    assert "一键处理" in book.app.alerts[-1]["prompt"]


def test_text_that_looks_like_a_formula_or_number_stays_text(tmp_path):
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "t.xlsx")
    book = xwd.Book(tmp_path / "t.xlsx")
    sheet = book.sheets[0]
    sheet.range((1, 1)).value = [[live_render.cell_value(v) for v in ("=1+1", "001", "2026-03-05", 7, None)]]
    assert sheet.range((1, 1), (1, 5)).value == ["=1+1", "001", "2026-03-05", 7.0, None]


# ---------------------------------------------------------------- the workbook's file


def test_never_saved_workbook_asks_to_save_first(demo_branch, tmp_path):
    book = live_copy(demo_branch, tmp_path / "n", saved=False)
    ribbon.dispatch("btnExport")
    alert = book.app.alerts[-1]
    assert "还没有保存过" in alert["prompt"] and "另存为" in alert["prompt"]
    assert book.saves == 0


@pytest.mark.parametrize("where", ["INetCache/Content.Outlook/AB12", "Temp/Rar$DIa0.123"])
def test_attachment_in_a_temp_folder_asks_to_save_elsewhere(demo_branch, tmp_path, monkeypatch, where):
    monkeypatch.setattr(files, "temp_folder", lambda: tmp_path / "Temp")
    book = live_copy(demo_branch, tmp_path.joinpath(*where.split("/")))
    ribbon.dispatch("btnAggregate")
    assert "只读" in book.app.alerts[-1]["prompt"] and book.saves == 0


def fake_module(monkeypatch, name: str, **funcs):
    module = types.ModuleType(name)
    for k, v in funcs.items():
        setattr(module, k, v)
    monkeypatch.setitem(__import__("sys").modules, name, module)


class Result:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    def summary_lines(self):
        return ["（任务摘要）"]


def test_export_confirms_errors_then_forces_and_opens_the_copy(demo_branch, tmp_path, monkeypatch):
    calls = []

    def export_book(path, out=None, *, force=False, **kw):
        calls.append((Path(path), force))
        out = Path(path).with_name("上报.xlsx")
        if not force:
            return Result(refused=True, run=Result(error_count=3), out=None)
        out.write_bytes(b"x")
        return Result(refused=False, out=out)

    fake_module(monkeypatch, "dj_addin.export", export_book=export_book)
    book = live_copy(demo_branch, tmp_path / "e")
    book.app.answers = ["yes"]
    ribbon.dispatch("btnExport")
    path = tmp_path / "e" / NAME
    assert calls == [(path, False), (path, True)]
    assert book.saves == 1  # saved first: the job reads what the user sees
    assert "3 个错误" in book.app.alerts[0]["prompt"] and book.app.alerts[0]["buttons"] == "yes_no"
    assert book.app.books.opened == [str(path.with_name("上报.xlsx"))]
    assert "上报.xlsx" in book.app.alerts[-1]["prompt"]
    book.app.answers = ["no"]
    ribbon.dispatch("btnExport")
    assert "已取消" in book.app.alerts[-1]["prompt"] and len(calls) == 3


def test_aggregate_and_split_take_the_folder_typed_on_meta(demo_branch, tmp_path, monkeypatch):
    got = {}

    def aggregate(inputs, out, *, template=None, progress=None, **kw):
        progress(1, 2, "支部A.xlsx")
        got["aggregate"] = (inputs, out, template)
        Path(out).write_bytes(b"x")
        return Result(output=Path(out))

    def split_book(path, out_dir, *, force=False, progress=None):
        got["split"] = (path, out_dir)
        return Result(units=[1, 2, 3], out_dir=out_dir)

    fake_module(monkeypatch, "dj_addin.aggregate", aggregate=aggregate)
    fake_module(monkeypatch, "dj_addin.split", split_book=split_book)
    book = live_copy(demo_branch, tmp_path / "g")
    ribbon.dispatch("btnAggregate")
    assert "D2" in book.app.alerts[-1]["prompt"] and "aggregate" not in got
    folder = tmp_path / "下级 上报"
    folder.mkdir()
    book.sheets[schema.META.name].range(files.PATH_CELL).value = "'" + str(folder)
    ribbon.dispatch("btnAggregate")
    inputs, out, template = got["aggregate"]
    path = tmp_path / "g" / NAME
    assert inputs == [folder] and template == path and out == path.with_name("支部甲_汇总.xlsx")
    assert book.app.books.opened == [str(out)]
    ribbon.dispatch("btnSplit")
    assert got["split"] == (path, folder)
    assert "3 个下级单位" in book.app.alerts[-1]["prompt"]
    from dj_addin.excel.live import read_live_book

    assert read_live_book(book).kv["meta"].items == read_book(demo_branch).kv["meta"].items  # D2 is not data


def test_import_goes_to_the_active_sheet_and_writes_a_copy(tmp_path):
    """End to end with the real importer: the rows land in the copy, the open workbook is not changed."""
    from exports import branch_book, national_roster

    (tmp_path / "i").mkdir()
    branch_book(tmp_path / "i" / NAME)
    national_roster(tmp_path / "国家系统导出.xlsx")
    book = xwd.calling(xwd.Book(tmp_path / "i" / NAME))
    book._wb.active = book._wb.sheetnames.index(schema.META.name)
    ribbon.dispatch("btnImportRows")
    assert "请先点到要导入的工作表" in book.app.alerts[-1]["prompt"]
    book._wb.active = book._wb.sheetnames.index(schema.ROSTER.name)
    ribbon.dispatch("btnImportRows")
    assert "D2" in book.app.alerts[-1]["prompt"] and book.app.books.opened == []
    book.sheets[schema.META.name].range(files.PATH_CELL).value = "'" + str(tmp_path / "国家系统导出.xlsx")
    ribbon.dispatch("btnImportRows")
    path, copy = tmp_path / "i" / NAME, tmp_path / "i" / "支部甲_导入后.xlsx"
    assert book.app.books.opened == [str(copy)]
    prompt = book.app.alerts[-1]["prompt"]
    assert "新增 2 行，已有编号跳过 1 行，拒绝 1 行" in prompt and "本工作簿未改动" in prompt
    assert len(read_book(copy).tables["roster"].data) == len(read_book(path).tables["roster"].data) + 2


def test_ballots_writes_and_opens_the_printable_file(demo_branch, tmp_path):
    """End to end with the real ballots job."""
    book = live_copy(demo_branch, tmp_path / "b")
    ribbon.dispatch("btnBallots")
    out = tmp_path / "b" / "支部甲_评议票.xlsx"
    assert book.app.books.opened == [str(out)] and out.is_file()
    assert "评议票已写入" in book.app.alerts[-1]["prompt"] and book.app.alerts[-1]["mode"] == "info"
    ribbon.dispatch("btnBallots")  # a second time: a new name, nothing overwritten
    assert book.app.books.opened[-1] == str(tmp_path / "b" / "支部甲_评议票(2).xlsx")


def test_a_job_error_shows_its_own_message(demo_branch, tmp_path, monkeypatch):
    from dj_addin.errors import UsageError

    def export_book(path, out=None, **kw):
        raise UsageError("上报文件已存在，请先移走。")

    fake_module(monkeypatch, "dj_addin.export", export_book=export_book)
    book = live_copy(demo_branch, tmp_path / "j")
    ribbon.dispatch("btnExport")
    assert "上报文件已存在" in book.app.alerts[-1]["prompt"] and book.app.alerts[-1]["mode"] == "critical"


# ---------------------------------------------------------------- the double is strict


def test_the_double_refuses_what_it_does_not_define(tmp_path):
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "s.xlsx")
    book = xwd.Book(tmp_path / "s.xlsx")
    with pytest.raises(AttributeError):
        book.sheets[0].api  # noqa: B018
    with pytest.raises(AttributeError):
        book.sheets[0].range("A1").clear_contents()
    with pytest.raises(AttributeError):
        book.app.calculation = "manual"


def test_the_adapter_names_only_what_the_double_defines():
    """Every xlwings member name the adapter's modules use (outside the Windows-only ``com``) is in the double."""
    import ast
    import inspect

    import xlwings

    from dj_addin.excel import files as f, live, marks, render, sink, ui

    def members(classes):
        return {n for cls in classes for n in dir(cls) if not n.startswith("_")}

    real = members((xlwings.App, xlwings.main.Books, xlwings.Book, xlwings.main.Sheets, xlwings.Sheet,
                    xlwings.Range, xlwings.main.Font, xlwings.main.Note))
    double = members((xwd.App, xwd.Books, xwd.Book, xwd.Sheets, xwd.Sheet, xwd.Range, xwd.Font, xwd.Note))
    from dataclasses import fields

    from dj_addin import model
    from dj_addin.marks.records import Mark
    from dj_addin.plans.types import Block, ColumnPlan, SheetPlan, TitleLine
    from dj_addin.xlsx.grid import Grid

    # our own data's fields that happen to share a name with an xlwings member (block.rows, col.width …)
    own = {fld.name for cls in (Block, ColumnPlan, SheetPlan, TitleLine, Mark, Grid, model.Book,
                                marks.Journal, sink.LiveSink) for fld in fields(cls)}
    used = set()
    for module in (f, live, marks, render, sink, ui, ribbon):
        used |= {n.attr for n in ast.walk(ast.parse(inspect.getsource(module))) if isinstance(n, ast.Attribute)}
    assert (used & real) - double - own == set()
    assert "api" not in used  # COM only through excel/com.py


def test_live_reader_sees_error_values_and_offset_used_ranges_as_the_file_reader(tmp_path):
    from builders import clean_rows, make_book

    from dj_addin.excel.live import read_live_book

    def edit(wb):
        ws = wb[schema.ROSTER.name]
        ws.insert_rows(1, 2)  # the table starts lower down: the used range does not begin at A1
        ws.insert_cols(1)
        ws.cell(5, 3).value = "#N/A"
        ws.cell(5, 3).data_type = "e"
        ws.cell(6, 4).value = 12.5  # a number where text is expected

    path = make_book(tmp_path / "错误值.xlsx", rows=clean_rows(), edit=edit)
    book = xwd.Book(path)
    assert book.sheets[schema.ROSTER.name].used_range.row > 1
    live, file = read_live_book(book), read_book(path)
    assert_same_book(live, file)
    assert file.tables["roster"].errors.to_numpy().any()  # the error value is really there
