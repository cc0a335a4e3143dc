"""Marks that cannot corrupt: the same records in both writers, a user's ``_dj_marks`` sheet left
alone, stored records treated as untrusted input, cells Excel cannot hold skipped with a finding."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import Color, GradientFill, PatternFill

from dj_addin import schema
from dj_addin.marks.records import MARK_RGB, encode_fill
from dj_addin.marks.storage import MARKS_COLUMNS
from dj_addin.xlsx.marks import fill_value
from dj_addin.xlsx.save import MARKS_SHEET, clear_marks, save_outputs
from test_write_support import LOG, ROSTER, color_key, finding, make_workbook, sample_report

ENGINES = ("fast", "openpyxl")


def colourful_book(path: Path) -> Path:
    """User fills of every colour form Excel writes (theme + tint, indexed, auto, patterns with two
    colours, a gradient) and user notes, on cells the findings mark."""
    book = make_workbook(path)
    wb = openpyxl.load_workbook(book)
    ws = wb[LOG]
    ws["A3"].fill = PatternFill("solid", fgColor=Color(theme=5, tint=-0.249977111117893))
    ws["A4"].fill = PatternFill("solid", fgColor=Color(indexed=22), bgColor=Color(indexed=64))
    ws["A5"].fill = PatternFill("darkGrid", fgColor=Color(theme=9, tint=0.3999755851924192), bgColor="FFFFFF00")
    ws["A6"].fill = PatternFill("lightUp", fgColor=Color(auto=True))
    ws["B4"].fill = GradientFill(degree=90, stop=("FF0000FF", "FFFFFFFF"))
    ws["B4"].comment = Comment("渐变底色", "书记")
    ws["D2"].comment = Comment("对象待确认 & <核对>", "张")
    wb.save(book)
    return book


def fills_and_notes(path: Path, sheets=(ROSTER, LOG)) -> dict:
    """Every cell's fill (gradients included) and note, as a user sees them."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for name in sheets:
        for row in wb[name].iter_rows():
            for c in row:
                f = c.fill
                if getattr(f, "tagname", "") == "gradientFill":
                    fill = ("gradient", f.degree, tuple(color_key(s.color) for s in f.stop))
                else:
                    fill = (f.patternType, color_key(f.fgColor), color_key(f.bgColor))
                key = (c.value, fill, c.comment.text if c.comment else None, c.comment.author if c.comment else None)
                if key[1:] != ((None, ("rgb", "00000000", 0.0), ("rgb", "00000000", 0.0)), None, None) or c.value:
                    out[(name, c.coordinate)] = key
    return out


def stored_rows(path: Path, name: str = MARKS_SHEET) -> list[tuple]:
    ws = openpyxl.load_workbook(path)[name]
    assert ws.sheet_state == "veryHidden"
    return list(ws.iter_rows(max_col=len(MARKS_COLUMNS), values_only=True))


COLOUR_REPORT = [finding("错误", LOG, r, "A") for r in range(2, 7)] + [
    finding("警告", LOG, 4, "B"), finding("错误", LOG, 2, "D"), finding("警告", ROSTER, 2, "B")]


def test_both_writers_apply_and_restore_the_same_records(tmp_path):
    book = colourful_book(tmp_path / "支部A.xlsx")
    before = fills_and_notes(book)
    seen = {}
    for engine in ENGINES:
        out = tmp_path / f"{engine}.xlsx"
        steps = []
        save_outputs(book, out, report=sample_report(COLOUR_REPORT), engine=engine)
        steps.append((fills_and_notes(out), stored_rows(out)))
        save_outputs(out, out, report=sample_report(COLOUR_REPORT[2:]), engine=engine)
        steps.append((fills_and_notes(out), stored_rows(out)))
        assert clear_marks(out, out, engine=engine) == 6
        steps.append((fills_and_notes(out), None))
        seen[engine] = steps
    assert seen["fast"] == seen["openpyxl"]  # fills, notes and every stored field, at every step
    assert seen["fast"][2][0] == before
    marked, rows = seen["fast"][0]
    assert marked[(LOG, "A3")][1] == ("solid", ("rgb", MARK_RGB["错误"], 0.0), ("rgb", "00000000", 0.0))
    assert marked[(LOG, "B4")][1][0] == "gradient"  # a fill we cannot record is never painted
    assert marked[(LOG, "B4")][2].startswith(schema.MARK_NOTE_PREFIX) and "渐变底色" in marked[(LOG, "B4")][2]
    stored = {r[1]: r[3] for r in rows[1:]}
    assert stored["A3"] == "fill:solid fg=theme:5/-0.249977111117893"
    assert stored["A4"] == "fill:solid fg=indexed:22 bg=indexed:64"
    assert stored["A6"] == "fill:lightUp fg=auto:1"
    assert stored["B4"] == "fill:?"


def test_records_mark_the_cells_of_one_writer_and_clear_with_the_other(tmp_path):
    book = colourful_book(tmp_path / "支部A.xlsx")
    before = fills_and_notes(book)
    for marker, clearer in (("fast", "openpyxl"), ("openpyxl", "fast")):
        out = tmp_path / f"{marker}.xlsx"
        save_outputs(book, out, report=sample_report(COLOUR_REPORT), engine=marker)
        save_outputs(out, out, report=sample_report(COLOUR_REPORT), engine=clearer)
        clear_marks(out, out, engine=marker)
        assert fills_and_notes(out) == before


# ---------------------------------------------------------------- a user's sheet called _dj_marks


def with_users_marks_sheet(path: Path, state: str) -> Path:
    book = make_workbook(path)
    wb = openpyxl.load_workbook(book)
    ws = wb.create_sheet(MARKS_SHEET, 1)  # not last: between the data sheets
    ws.append(["sheet", "cell", "我的备注"] if state == "visible" else ["编号", "备注"])
    ws.append([LOG, "A2", "这是我自己的表，不许动"])
    ws.sheet_state = state
    wb.save(book)
    return book


def users_sheet(path: Path) -> tuple:
    wb = openpyxl.load_workbook(path)
    ws = wb[MARKS_SHEET]
    return ws.sheet_state, wb.sheetnames.index(MARKS_SHEET), list(ws.iter_rows(values_only=True))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("state", ["visible", "hidden"])
def test_a_users_sheet_named_like_ours_is_never_taken(tmp_path, engine, state):
    book = with_users_marks_sheet(tmp_path / "支部A.xlsx", state)
    before, theirs = fills_and_notes(book), users_sheet(book)
    stats = save_outputs(book, book, report=sample_report(), engine=engine)
    assert stats.engine == engine and stats.marked == 4
    assert users_sheet(book) == theirs
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[-1] == "_dj_marks2" and wb["_dj_marks2"].sheet_state == "veryHidden"
    assert [r[1] for r in stored_rows(book, "_dj_marks2")[1:]] == ["A2", "B3", "G4", "B2"]
    assert save_outputs(book, book, report=sample_report(), engine=engine).restored == 4
    assert users_sheet(book) == theirs
    assert clear_marks(book, book, engine=engine) == 4
    assert fills_and_notes(book) == before and users_sheet(book) == theirs
    assert "_dj_marks2" not in openpyxl.load_workbook(book).sheetnames


def test_the_other_writer_finds_our_marks_by_header_and_state(tmp_path):
    book = with_users_marks_sheet(tmp_path / "支部A.xlsx", "visible")
    before = fills_and_notes(book)
    save_outputs(book, book, report=sample_report(), engine="openpyxl")
    save_outputs(book, book, report=sample_report(), engine="fast")
    assert clear_marks(book, book, engine="openpyxl") == 4
    assert fills_and_notes(book) == before


# ---------------------------------------------------------------- stored records are untrusted


HOSTILE_FILLS = {
    "A2": '<fill><patternFill patternType="solid"><fgColor rgb="FF00B0F0"/></patternFill></fill></fills><evil/>',
    "B3": '<!DOCTYPE fill [<!ENTITY x "evil">]><fill><patternFill patternType="&x;"/></fill>',
    "G4": 'fill:solid fg=rgb:FF00B0F0"/><evil/>',
    "B2": "<<<]]>garbage",
}


def replace_stored(path: Path, change) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[MARKS_SHEET]
    for row in ws.iter_rows(min_row=2):
        change(row)
    wb.save(path)


def styles_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/styles.xml")


@pytest.mark.parametrize("engine", ENGINES)
def test_hostile_previous_fills_are_never_spliced(tmp_path, engine):
    book = make_workbook(tmp_path / "支部A.xlsx")
    save_outputs(book, book, report=sample_report(), engine="fast")

    def poison(row):
        row[3].value = HOSTILE_FILLS[row[1].value]
    replace_stored(book, poison)
    assert clear_marks(book, book, engine=engine) == 4
    xml = styles_xml(book)
    ET.fromstring(xml)  # well-formed
    assert b"evil" not in xml and b"DOCTYPE" not in xml
    ws = openpyxl.load_workbook(book)[LOG]
    for ref in ("A2", "B3"):  # the cells still showed our colour: back to no fill, note back
        assert ws[ref].fill.patternType is None
    assert ws["B3"].comment.text == "请核对编号"
    assert ws["G4"].fill.patternType == "gray125"  # 提示: never painted, its own pattern stays
    assert ws["A2"].comment is None


@pytest.mark.parametrize("engine", ENGINES)
def test_old_records_with_fill_xml_still_restore_exactly(tmp_path, engine):
    """Marks sheets written before the neutral encoding stored styles.xml's <fill> text."""
    book = make_workbook(tmp_path / "支部A.xlsx")
    before = fills_and_notes(book)
    wb = openpyxl.load_workbook(book)
    xml = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                xml[(ws.title, c.coordinate)] = openpyxl.xml.functions.tostring(c.fill.to_tree()).decode()
    save_outputs(book, book, report=sample_report(), engine=engine)

    def old_layout(row):
        assert row[3].value.startswith("fill:")
        row[3].value = xml[(row[0].value, row[1].value)]
    replace_stored(book, old_layout)
    assert save_outputs(book, book, report=sample_report(), engine=engine).restored == 4
    assert stored_rows(book)[1][3].startswith("fill:")  # written back in the new encoding
    clear_marks(book, book, engine=engine)
    assert fills_and_notes(book) == before


@pytest.mark.parametrize("engine", ENGINES)
def test_stored_cells_excel_cannot_hold_are_dropped(tmp_path, engine):
    book = make_workbook(tmp_path / "支部A.xlsx")
    before = fills_and_notes(book)
    save_outputs(book, book, report=sample_report(), engine=engine)
    wb = openpyxl.load_workbook(book)
    ws = wb[MARKS_SHEET]
    for i, ref in enumerate(("A2000000", "XFE2", "ZZZZ9", "A1:B2", "=A1")):
        ws.append([LOG, ref, MARK_RGB["错误"], encode_fill(fill_value(PatternFill())), "批注", "我", "", None])
    wb.save(book)
    assert clear_marks(book, book, engine=engine) == 4
    assert fills_and_notes(book) == before


# ---------------------------------------------------------------- cells Excel cannot hold


@pytest.mark.parametrize("engine", ENGINES)
def test_findings_beyond_excels_bounds_are_listed_not_marked(tmp_path, engine):
    book = make_workbook(tmp_path / "支部A.xlsx")
    report = sample_report([finding("错误", LOG, 2_000_000, "A", message="远处的问题"),
                            finding("警告", LOG, 3, "XFE", message="太靠右"),
                            finding("错误", LOG, 2, "A", message="近处的问题")])
    stats = save_outputs(book, book, report=report, engine=engine)
    assert stats.engine == engine and stats.marked == 1
    wb = openpyxl.load_workbook(book)  # the file opens
    assert wb[LOG].max_row < 100
    rows = list(wb[schema.FINDINGS.name].iter_rows(min_row=3, values_only=True))
    texts = ["".join(str(v) for v in r if v is not None) for r in rows]
    notices = [t for t in texts if "无法在单元格上标记" in t]
    assert len(notices) == 2 and any("远处的问题" in t for t in notices) and any("太靠右" in t for t in notices)
    assert clear_marks(book, book, engine=engine) == 1


@pytest.mark.libreoffice
def test_output_with_unplaceable_findings_opens_in_libreoffice(tmp_path, libreoffice):
    (tmp_path / "src").mkdir()
    book = make_workbook(tmp_path / "src" / "支部A.xlsx")
    report = sample_report([finding("错误", LOG, 2_000_000, "A"), finding("错误", LOG, 2, "XFE")])
    save_outputs(book, book, report=report, engine="fast")
    converted = libreoffice.convert(book, "xlsx", tmp_path / "lo")
    assert schema.FINDINGS.name in openpyxl.load_workbook(converted).sheetnames
