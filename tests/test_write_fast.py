"""The fast writer against the reference (openpyxl) writer.

Contract: for the same input and results, both give the same cells, fills,
notes and output sheets; marks written by one are undone by the other; the
fast writer copies the parts it does not change and its output opens in
openpyxl and in LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
import xlsxwriter

from dj_addin import schema
from dj_addin.xlsx.save import MARKS_SHEET, clear_marks, save_outputs
from dj_addin.xlsx.splice import Unsupported
from dj_addin.xlsx.marks import MARKS_COLUMNS
from test_write_support import (LOG, ROSTER, edited, expected_after, finding, make_workbook, reverse_rows,
                                sample_report, sample_results, sample_rollup, snapshot, typed_book)


def make_xlsxwriter_book(path: Path) -> Path:
    """The same sheets written by another producer: shared strings, Excel-style VML notes."""
    wb = xlsxwriter.Workbook(str(path))
    blue = wb.add_format({"bg_color": "#00B0F0"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(ROSTER)
    ws.write_row(0, 0, schema.ROSTER.headers)
    ws.write_row(1, 0, ["P001", "张三", "男", "教职工党员", "正式党员"])
    ws.write_row(2, 0, ["P002", "李四", "女", "学生党员", "预备党员"])
    log = wb.add_worksheet(LOG)
    log.write_row(0, 0, schema.CONTACT_LOG.headers)
    for i in range(5):
        log.write_datetime(i + 1, 0, dt.datetime(2026, 3, i + 1), date)
        log.write_row(i + 1, 1, ["P001", "张三", f"T{i:03d}", "", "谈心谈话", "了解学习生活情况"])
    log.write_string(1, 0, "2026-13-05")
    log.write_string(2, 1, "P001", blue)
    log.write_comment("B3", "请核对编号", {"author": "王书记"})
    log.write_comment("C2", "用户批注", {"author": "张"})
    wb.close()
    return path


BUILDERS = {"openpyxl": make_workbook, "xlsxwriter": make_xlsxwriter_book}


def full_snapshot(path: Path) -> dict:
    """Everything a user sees that the writers produce, sheet by sheet."""
    wb = openpyxl.load_workbook(path)
    out = {"sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets], "active": wb.active.title}
    for ws in wb.worksheets:
        if ws.title == MARKS_SHEET:
            out[ws.title] = sorted(ws.iter_rows(min_row=2, values_only=True))  # every field, fills too
            continue
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                key = (c.value, c.fill.patternType, c.fill.fgColor.rgb if c.fill.fgColor.type == "rgb" else
                       (c.fill.fgColor.type, c.fill.fgColor.theme), c.number_format,
                       c.comment.text if c.comment else None, c.comment.author if c.comment else None,
                       c.hyperlink.location if c.hyperlink else None, bool(c.font.b))
                if key != (None, None, "00000000", "General", None, None, None, False):
                    cells[c.coordinate] = key
        out[ws.title] = {
            "cells": cells, "freeze": ws.freeze_panes, "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "filter": ws.auto_filter.ref, "tab": ws.sheet_properties.tabColor.rgb if ws.sheet_properties.tabColor else None,
            "cf": sorted((str(rng.sqref), tuple(r.formula)) for rng in ws.conditional_formatting for r in rng.rules),
            "charts": len(ws._charts), "orientation": ws.page_setup.orientation,
            # a <col> element may cover a range of columns (xlsxwriter groups equal widths)
            "widths": {get_column_letter(c): d.width for d in ws.column_dimensions.values() if d.width
                       for c in range(d.min, (d.max or d.min) + 1)},
        }
    return out


@pytest.fixture(params=list(BUILDERS))
def book(request, tmp_path):
    return BUILDERS[request.param](tmp_path / "支部A.xlsx")


def run_cycle(book: Path, folder: Path, engine: str) -> tuple[dict, dict]:
    """validate (+ rollup, results) → validate again → snapshots after each."""
    out = folder / f"{engine}.xlsx"
    s1 = save_outputs(book, out, report=sample_report(), rollup=sample_rollup(), results=sample_results(True),
                      engine=engine)
    assert s1.engine == engine and s1.marked == 4
    first = full_snapshot(out)
    again = sample_report([finding("错误", LOG, 6, "D", "R003", "T004", "对象不存在"),
                           finding("警告", LOG, 3, "B", "R002", "P001", "编号不在名册中"),
                           finding("警告", LOG, 4, "L", "C001", "", "缺少办结日期"),  # no such cell yet
                           finding("错误", LOG, 40, "C", "C001", "", "空行")])  # no such row yet
    save_outputs(out, out, report=again, engine=engine)
    return first, full_snapshot(out)


def test_both_engines_give_the_same_workbook(book, tmp_path):
    fast = run_cycle(book, tmp_path, "fast")
    reference = run_cycle(book, tmp_path, "openpyxl")
    assert fast[0] == reference[0]
    assert fast[1] == reference[1]
    assert fast[1][LOG]["cells"]["C40"][4].startswith(schema.MARK_NOTE_PREFIX)
    assert fast[1][LOG]["cells"]["L4"][2] == fast[1][LOG]["cells"]["B3"][2]  # yellow


@pytest.mark.parametrize("marker, clearer", [("fast", "openpyxl"), ("openpyxl", "fast")])
def test_marks_of_one_engine_undone_by_the_other(book, tmp_path, marker, clearer):
    before = snapshot(book)
    out = tmp_path / "out.xlsx"
    save_outputs(book, out, report=sample_report(), engine=marker)
    save_outputs(out, out, report=sample_report(), engine=clearer)
    assert clear_marks(out, out, engine=marker) == 4
    assert snapshot(out) == before


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_fast_copies_untouched_parts(book, tmp_path):
    out = tmp_path / "out.xlsx"
    report = sample_report([finding("错误", LOG, 2, "A")])  # marks only the log sheet
    save_outputs(book, out, report=report, engine="fast")
    before, after = parts(book), parts(out)
    assert openpyxl.load_workbook(book).sheetnames[0] == ROSTER
    roster_part = "xl/worksheets/sheet1.xml"  # both producers name the first sheet's part so
    assert after[roster_part] == before[roster_part]
    unchanged = [n for n in before if n in after and after[n] == before[n]]
    assert "xl/theme/theme1.xml" in unchanged and "docProps/core.xml" in unchanged
    assert after["xl/worksheets/sheet2.xml"] != before["xl/worksheets/sheet2.xml"]  # the marked log
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(out) as zout:
        assert zout.testzip() is None  # every CRC checks out
        for name in (roster_part, "xl/theme/theme1.xml"):  # compressed bytes copied as they were
            assert (zout.getinfo(name).compress_size, zout.getinfo(name).CRC) == \
                (zin.getinfo(name).compress_size, zin.getinfo(name).CRC)


def test_fast_falls_back_on_threaded_comments(tmp_path):
    book = make_workbook(tmp_path / "支部A.xlsx")
    data = parts(book)
    rels = "xl/worksheets/_rels/sheet2.xml.rels"
    extra = ('<Relationship Id="rIdT" Type="http://schemas.microsoft.com/office/2017/10/relationships/'
             'threadedComment" Target="../threadedComments/threadedComment1.xml"/></Relationships>')
    data[rels] = data[rels].replace(b"</Relationships>", extra.encode())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in data.items():
            zf.writestr(name, content)
    book.write_bytes(buf.getvalue())
    with pytest.raises(Unsupported):
        save_outputs(book, tmp_path / "x.xlsx", report=sample_report(), engine="fast")
    assert not (tmp_path / "x.xlsx").exists()
    stats = save_outputs(book, tmp_path / "y.xlsx", report=sample_report())
    assert stats.engine == "openpyxl" and stats.marked == 4


@pytest.mark.libreoffice
def test_fast_output_opens_in_libreoffice(book, tmp_path, libreoffice):
    out = tmp_path / "fast" / "out.xlsx"
    out.parent.mkdir()
    save_outputs(book, out, report=sample_report(), rollup=sample_rollup(), results=sample_results(), engine="fast")
    converted = libreoffice.convert(out, "xlsx", tmp_path / "lo")
    wb = openpyxl.load_workbook(converted)
    assert {schema.FINDINGS.name, schema.ROLLUP.name, schema.RESULTS.name} <= set(wb.sheetnames)
    assert wb[schema.FINDINGS.name]["A3"].value == "错误"
    assert wb[LOG]["A2"].comment.text.startswith(schema.MARK_NOTE_PREFIX)
    assert wb[LOG]["B3"].fill.fgColor.rgb.endswith("FFEB84")
    assert wb[schema.RESULTS.name].cell(3, 1).value == "P001"


@pytest.mark.libreoffice
def test_contract_on_a_workbook_saved_by_libreoffice(tmp_path, libreoffice):
    """A third producer (its own styles, shared strings and note drawings) as input."""
    (tmp_path / "src").mkdir()
    src = make_workbook(tmp_path / "src" / "支部A.xlsx")
    book = libreoffice.convert(src, "xlsx", tmp_path / "lo")
    before = snapshot(book)
    fast, reference = run_cycle(book, tmp_path, "fast"), run_cycle(book, tmp_path, "openpyxl")
    assert fast == reference
    out = tmp_path / "fast.xlsx"
    assert clear_marks(out, out, engine="fast") == 4
    assert snapshot(out) == before


def excel_saved_workbook(tmp_path: Path) -> Path:
    """A workbook saved by Excel itself (xlwings ships one): mc:Ignorable, xr:uid, VBA."""
    import importlib.util

    spec = importlib.util.find_spec("xlwings")
    src = Path(spec.origin).parent / "quickstart.xlsm" if spec and spec.origin else None
    if src is None or not src.exists():
        pytest.skip("no Excel-saved sample workbook (xlwings' quickstart.xlsm) on this machine")
    dest = tmp_path / "excel.xlsm"
    dest.write_bytes(src.read_bytes())
    return dest


def test_excel_saved_workbook_keeps_its_markup_and_macros_in_place(tmp_path):
    """-o gives a macro-free .xlsx; writing the .xlsm back into itself keeps its VBA byte for byte."""
    book = excel_saved_workbook(tmp_path)
    sheet = openpyxl.load_workbook(book).sheetnames[0]
    before, original = snapshot(book, (sheet,)), parts(book)
    report = sample_report([finding("错误", sheet, 1, "A"), finding("警告", sheet, 5, "C"), finding("提示", sheet, 2, "B")])
    outs = {}
    for engine in ("fast", "openpyxl"):
        outs[engine] = tmp_path / f"{engine}.xlsx"
        stats = save_outputs(book, outs[engine], report=report, rollup=sample_rollup(), results=sample_results(),
                             engine=engine)
        assert stats.engine == engine
        assert any("宏" in line and "没有写入" in line for line in stats.notices)
        assert not any("vbaProject" in n for n in parts(outs[engine]))
        assert b"macroEnabled" not in parts(outs[engine])["[Content_Types].xml"]
    assert full_snapshot(outs["fast"]) == full_snapshot(outs["openpyxl"])
    for engine in ("fast", "openpyxl"):
        own = tmp_path / f"own-{engine}.xlsm"
        own.write_bytes(book.read_bytes())
        stats = save_outputs(own, own, report=report, engine=engine)
        assert any("已原样保留" in line for line in stats.notices)
        assert parts(own)["xl/vbaProject.bin"] == original["xl/vbaProject.bin"]
        assert b"macroEnabled" in parts(own)["[Content_Types].xml"]
    after = parts(tmp_path / "own-fast.xlsm")
    root = re.compile(rb"<worksheet\b[^>]*>")
    assert root.search(after["xl/worksheets/sheet1.xml"]).group(0) == root.search(original["xl/worksheets/sheet1.xml"]).group(0)
    assert b'mc:Ignorable="x14ac x16r2 xr"' in after["xl/styles.xml"]
    own = tmp_path / "own-fast.xlsm"
    assert clear_marks(own, own, engine="fast") == 3
    assert snapshot(own, (sheet,)) == before
    assert parts(own)["xl/vbaProject.bin"] == original["xl/vbaProject.bin"]


@pytest.mark.parametrize("seed", range(2))
def test_random_runs_agree_and_clear_exactly(tmp_path, seed):
    """Random findings (also on empty cells, several per cell); between runs the user
    paints one marked cell and writes a note on another. Both engines agree at every
    step, and clearing gives back the cells as they were, except the user's new
    fill and new note, which win."""
    import random

    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    rnd = random.Random(seed)
    book = make_workbook(tmp_path / "支部A.xlsx")
    paths = {e: tmp_path / f"{e}.xlsx" for e in ("fast", "openpyxl")}
    for p in paths.values():
        p.write_bytes(book.read_bytes())
    blank = (None, None, ("rgb", "00000000", 0.0), None, None)
    for step in range(3):
        base = snapshot(paths["fast"])
        assert snapshot(paths["openpyxl"]) == base
        report = sample_report([
            finding(rnd.choice(("错误", "警告", "提示")), rnd.choice((LOG, ROSTER)), rnd.randrange(1, 12),
                    rnd.choice("ABCDGHK"), message=f"问题{i}") for i in range(rnd.randrange(1, 15))])
        for e, p in paths.items():
            save_outputs(p, p, report=report, engine=e)
        assert full_snapshot(paths["fast"]) == full_snapshot(paths["openpyxl"]), step
        painted, noted = (rnd.choice(report.findings) for _ in range(2))
        cell_p, cell_n = ((f.sheet, f"{f.column}{f.row}") for f in (painted, noted))
        for p in paths.values():
            wb = openpyxl.load_workbook(p)
            wb[cell_p[0]][cell_p[1]].fill = PatternFill("solid", fgColor="FF123456")
            wb[cell_n[0]][cell_n[1]].comment = Comment(f"我的批注{step}", "书记")
            wb.save(p)
        expected = dict(base)
        v = list(expected.get(cell_p, blank))
        v[1:3] = ["solid", ("rgb", "FF123456", 0.0)]
        expected[cell_p] = tuple(v)
        v = list(expected.get(cell_n, blank))
        v[3:5] = [f"我的批注{step}", "书记"]
        expected[cell_n] = tuple(v)
        for e, p in paths.items():
            clear_marks(p, p, engine=e)
            assert snapshot(p) == expected, (e, step)


@pytest.mark.parametrize("marker, clearer", [("fast", "openpyxl"), ("openpyxl", "fast")])
def test_one_engine_marks_the_other_follows_moved_rows(tmp_path, marker, clearer):
    book = typed_book(tmp_path / "支部A.xlsx")
    report = sample_report(sample_report().findings + [finding("警告", LOG, r, "H") for r in range(2, 9)])
    out = tmp_path / "marked.xlsx"
    save_outputs(book, out, report=report, engine=marker)
    edited(out, reverse_rows)
    clear_marks(out, out, engine=clearer)
    assert snapshot(out) == expected_after(book, reverse_rows, tmp_path)


def test_both_engines_store_the_same_values(tmp_path):
    """Mark records agree field by field (the previous fill too), cell values of every kind included."""
    book = typed_book(tmp_path / "支部A.xlsx")
    report = sample_report([finding("错误", LOG, r, "H") for r in range(2, 10)])
    stored = {}
    for e in ("fast", "openpyxl"):
        out = tmp_path / f"{e}.xlsx"
        save_outputs(book, out, report=report, engine=e)
        rows = openpyxl.load_workbook(out)[MARKS_SHEET].iter_rows(max_col=len(MARKS_COLUMNS), values_only=True)
        stored[e] = list(rows)
    assert stored["fast"] == stored["openpyxl"]
    value = {r[1]: r[MARKS_COLUMNS.index("value")] for r in stored["fast"]}
    fill = {r[1]: r[MARKS_COLUMNS.index("prev_fill")] for r in stored["fast"]}
    assert (fill["H2"], fill["H3"]) == ("fill:-", "fill:solid fg=rgb:FF92D050")
    assert (value["H2"], value["H3"], value["H5"], value["H6"], value["H9"]) == \
        ("2026-03-01T08:30:15.250000", "3.25", "TRUE", "=", None)  # an empty cell: an empty value


def test_output_sheets_do_not_select_their_tabs(book, tmp_path):
    """The small workbook's first sheet is its selected tab; spliced in, a second selected tab
    would group the sheets in Excel (an edit would then change both)."""
    out = tmp_path / "out.xlsx"
    save_outputs(book, out, report=sample_report(), rollup=sample_rollup(), results=sample_results(True), engine="fast")

    def selected(path: Path) -> list[str]:
        with zipfile.ZipFile(path) as zf:
            return sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")
                          and re.search(rb'<sheetView\b[^>]*tabSelected="(1|true)"', zf.read(n)))

    assert len(selected(out)) == len(selected(book)) <= 1
    wb = openpyxl.load_workbook(out)
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == \
        [ws.title for ws in openpyxl.load_workbook(book).worksheets if ws.sheet_view.tabSelected]
