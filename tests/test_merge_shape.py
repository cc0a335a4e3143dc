"""The merged workbook has the template's shape, so it can be filled and merged again.

Branch workbooks of the demo university are merged into colleges and the colleges
into the university (three levels); a branch and a college are exported and a
college is split. Every one of these workbooks has the template's drop-downs,
number ranges and input hints on the same columns with the same lists, the
template's column formats, and 概览 with the template's formulas, which
LibreOffice recalculates to the figures Python computes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from dj_addin import schema
from dj_addin.aggregate import aggregate
from dj_addin.demo.generate import generate_university
from dj_addin.demo.write import write_university
from dj_addin.export import export_book
from dj_addin.plans.inputs import DATA_ROWS, LISTS_SHEET
from dj_addin.split import split_book
from dj_addin.template import overview
from dj_addin.template.build import write_template
from dj_addin.validate import validate_path
from dj_addin.xlsx.reader import read_book

AS_OF = dt.date(2026, 12, 31)
TODAY = dt.date.today()
HOSTILE = ["=1+1", "+86 电话", "-减号开头", "@SUM(A1)"]


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """The template; two colleges merged from their branches and the university from the colleges;
    a branch and a college exported; a college split into its branches."""
    root = tmp_path_factory.mktemp("shape")
    uni = generate_university(7, 2026, AS_OF)
    branch = uni.colleges[1].branches[0]
    write_university(uni, root)
    _type_hostile_notes(root / uni.colleges[1].book.folder / branch.file_name)
    out = {"template": write_template(root / "template.xlsx")}
    colleges = []
    for c in uni.colleges:
        folder = root / c.book.folder
        merged = root / f"{c.book.code}_汇总.xlsx"
        result = aggregate([folder / b.file_name for b in c.branches], merged, template=folder / c.book.file_name,
                           as_of=AS_OF, workers=1)
        assert result.output == merged
        colleges.append(merged)
    out["college"], out["college2"] = colleges
    top = aggregate(colleges, root / "U_汇总.xlsx", template=root / uni.book.file_name, as_of=AS_OF, workers=1)
    assert top.exit_code == 0, top.returned
    out["university"] = top.output
    out["branch"] = root / uni.colleges[1].book.folder / branch.file_name
    out["branch_export"] = export_book(out["branch"], root / "branch_export.xlsx", as_of=AS_OF, force=True).out
    out["college_export"] = export_book(out["college"], root / "college_export.xlsx", as_of=AS_OF, force=True).out
    split = split_book(out["college2"], root / "split")
    out["split"] = next(u.path for u in split.units if u.roster)
    return out


def _type_hostile_notes(path: Path) -> None:
    """Formula-looking text in 备注 of the first roster rows, typed as text (as Excel keeps '=1+1 typed after ')."""
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.ROSTER.name]
    col = schema.ROSTER.keys.index("note") + 1
    for r, text in enumerate(HOSTILE, start=2):
        ws.cell(r, col).value = text
        ws.cell(r, col).data_type = "s"  # openpyxl would make '=…' a formula
    wb.save(path)


def _list_values(wb, formula: str) -> tuple[str, ...]:
    """The items of a list validation: inline ("a,b") or read from the hidden sheet's range."""
    if formula.startswith('"'):
        return tuple(formula.strip('"').split(","))
    sheet, _, ref = formula.partition("!")
    assert sheet.strip("'") == LISTS_SHEET, formula
    ws = wb[LISTS_SHEET]
    assert ws.sheet_state == "hidden"
    return tuple(c.value for row in ws[ref.replace("$", "")] for c in row)


def inputs(path: Path) -> dict[str, dict]:
    """Per data and 项目/内容 sheet: column header (or item) → what its validation does, where it starts."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, dict] = {}
    for spec in schema.SHEETS:
        if spec.kind not in (schema.SheetKind.DATA, schema.SheetKind.KV):
            continue
        ws = wb[spec.name]
        found = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                if spec.kind is schema.SheetKind.DATA:
                    name = ws.cell(1, rng.min_col).value
                    assert rng.max_row >= DATA_ROWS, (spec.name, name, str(rng))
                else:
                    name = ws.cell(rng.min_row, 1).value
                items = _list_values(wb, dv.formula1) if dv.type == "list" else (dv.formula1, dv.formula2)
                found[name] = (rng.coord.split(":")[0], dv.type, items, dv.errorStyle, dv.error, dv.errorTitle,
                               dv.prompt, dv.promptTitle, bool(dv.allow_blank))
        out[spec.name] = found
    return out


def column_formats(path: Path) -> dict[str, dict[str, str]]:
    """Per data sheet: header → the number format of its whole column."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for spec in schema.DATA_SHEETS:
        ws = wb[spec.name]
        out[spec.name] = {ws.cell(1, c).value: dim.number_format for dim in ws.column_dimensions.values()
                          for c in range(dim.min, (dim.max or dim.min) + 1)
                          if dim.number_format != "General" and ws.cell(1, c).value in spec.headers}
    return out


SHAPED = ("college", "university", "branch_export", "college_export", "split")


@pytest.mark.parametrize("name", SHAPED)
def test_drop_downs_are_the_templates(books, name):
    expected = inputs(books["template"])
    got = inputs(books[name])
    assert got == expected
    # the plan gave them all: lists on every enum and 是/否 column, hints on IDs and dates
    log = expected[schema.CONTACT_LOG.name]
    assert log["联系方式"][2] == schema.CONTACT_LOG.column("method").choices
    assert log["已向组织汇报"][2] == schema.BOOL_VALUES
    assert expected[schema.TARGETS.name]["对象类别"][2] == schema.TARGETS.column("target_type").choices  # long list
    assert expected[schema.META.name]["考核年度"][1:3] == ("whole", ("2000", "2100"))


@pytest.mark.parametrize("name", SHAPED)
def test_column_formats_tab_colours_and_freeze_are_the_templates(books, name):
    assert column_formats(books[name]) == column_formats(books["template"])
    assert column_formats(books["template"])[schema.ROSTER.name]["党员编号"] == "@"  # an ID typed later stays text
    template, got = openpyxl.load_workbook(books["template"]), openpyxl.load_workbook(books[name])
    for spec in schema.SHEETS:
        a, b = template[spec.name], got[spec.name]
        assert b.sheet_properties.tabColor.rgb == a.sheet_properties.tabColor.rgb, spec.name
        if spec.kind in (schema.SheetKind.DATA, schema.SheetKind.KV):
            assert b.freeze_panes == a.freeze_panes, spec.name
    assert got.sheetnames[:len(schema.SHEETS)] == [s.name for s in schema.SHEETS]
    assert got[LISTS_SHEET].sheet_state == "hidden"  # (after the output sheets that 一键处理 added to a branch)


def test_scoring_rules_keep_their_meanings_and_percentages(books):
    for name in ("template", "college", "university"):
        ws = openpyxl.load_workbook(books[name])[schema.SCORING_RULES.name]
        rows = {ws.cell(r, 1).value: (ws.cell(r, 2).number_format, ws.cell(r, 3).value)
                for r in range(2, ws.max_row + 1)}
        cap = schema.SCORING_RULES.column("excellent_cap").header
        assert rows[cap][0] == "0.0%", name  # 0.3333 shows as 33.3%
        assert ws["C1"].value == "含义" and all(note for _, note in rows.values()), name  # every item explained
        assert set(rows) == set(schema.SCORING_RULES.headers), name


def _formulas(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)[schema.OVERVIEW.name]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=")}


@pytest.mark.parametrize("name", ("college", "university"))
def test_overview_has_the_templates_formulas(books, name):
    expected = _formulas(books["template"])
    assert len(expected) == len(overview.FIGURES) + 3  # the figures, 考核年度, 统计日期, 统计季度
    # all but the member-by-member figure, which a merged workbook carries as a value (it would
    # recalculate members × log rows on every edit: minutes at a university's size)
    silent = overview.figure_cells()["silent_members"]
    assert _formulas(books[name]) == {c: f for c, f in expected.items() if c != silent}
    template, got = (openpyxl.load_workbook(books[n])[schema.OVERVIEW.name] for n in ("template", name))
    book = read_book(books[name])
    assert got[silent].value == overview.compute_overview(book, TODAY)["silent_members"]
    assert isinstance(got[silent].value, int) and got[silent].value < len(book.tables[schema.ROSTER.key])
    assert "汇总时" in got[silent].offset(column=1).value and "不随数据更新" in got[silent].offset(column=1).value
    assert got.protection.sheet and not got.sheet_view.showGridLines
    assert sorted(map(str, got.merged_cells.ranges)) == sorted(map(str, template.merged_cells.ranges))
    assert got[f"A{overview.COUNTING_NOTE_ROW}"].value == overview.COUNTING_NOTE
    for cell in ("A1", "B6", "A5", "C6"):
        a, b = template[cell], got[cell]
        def looks(c):
            return c.font.b, c.font.sz or 11, c.font.name, c.fill.fgColor.rgb, c.number_format, c.alignment.horizontal
        assert looks(b) == looks(a), cell
    assert {c: round(d.width) for c, d in got.column_dimensions.items() if d.width} == \
           {c: round(d.width) for c, d in template.column_dimensions.items() if d.width}


@pytest.mark.libreoffice
def test_overview_recalculates_to_pythons_figures(books, tmp_path, libreoffice):
    names = ("college", "university", "college_export")
    recalculated = libreoffice.recalculate_all([books[n] for n in names], tmp_path / "lo")
    for name, path in zip(names, recalculated):
        ws = openpyxl.load_workbook(path, data_only=True)[schema.OVERVIEW.name]
        got = {key: ws[cell].value for key, cell in overview.figure_cells().items()}
        book = read_book(books[name])
        assert got == overview.compute_overview(book, TODAY), name
        assert got["members"] == len(book.tables[schema.ROSTER.key]) > 0, name
        assert got["contacts_year"] > 0 and got["contacts_year"] == got["contacts_q1"] + got["contacts_q2"] + \
            got["contacts_q3"] + got["contacts_q4"], name
        assert ws[f"B{overview.YEAR_ROW}"].value == 2026


def test_three_levels_keep_the_shape_and_the_rows(books):
    top = read_book(books["university"])
    colleges = [read_book(books[n]) for n in ("college", "college2")]
    for spec in schema.DATA_SHEETS:
        if spec is schema.QUOTAS or spec is schema.UNITS:  # the upper level's own
            continue
        assert len(top.tables[spec.key]) == sum(len(c.tables[spec.key]) for c in colleges), spec.name
    book, report = validate_path(books["university"], AS_OF)
    assert not [f for f in report.findings if f.sheet in (LISTS_SHEET, schema.OVERVIEW.name)]
    assert not [f for f in report.findings if f.level == schema.LEVELS[0]]  # no 错误: it can go up again


@pytest.mark.parametrize("name", ("college2", "university"))
def test_text_that_looks_like_a_formula_stays_text(books, name):
    wb = openpyxl.load_workbook(books[name])
    notes = [c for row in wb[schema.ROSTER.name].iter_rows(min_row=2) for c in row if c.value in HOSTILE]
    assert sorted(c.value for c in notes) == sorted(HOSTILE) and all(c.data_type == "s" for c in notes)
    formulas = [(ws.title, c.coordinate) for ws in wb.worksheets if ws.title != schema.OVERVIEW.name
                for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not formulas  # the only formulas are 概览's own


def test_a_merged_copy_of_the_hostile_branch_still_reads_the_same(books, tmp_path):
    """Merging the merged workbook again changes none of the rows a branch typed."""
    again = aggregate([books["college2"]], tmp_path / "again.xlsx", as_of=AS_OF, workers=1)
    a, b = read_book(books["college2"]), read_book(again.output)
    for spec in schema.DATA_SHEETS:
        if spec is schema.QUOTAS or spec is schema.UNITS:  # the level's own (here: the merged units)
            continue
        ta, tb = a.tables[spec.key], b.tables[spec.key]
        assert ta.data.reset_index(drop=True).equals(tb.data.reset_index(drop=True)), spec.name
        assert (ta.origin["source_unit"].tolist(), ta.origin["source_row"].tolist()) == \
               (tb.origin["source_unit"].tolist(), tb.origin["source_row"].tolist()), spec.name

