"""A sheet the template pre-fills with formulas prints only its data (workbook.md
"Printing and presentation"; README "Printing").

The template fills 200 rows of 评议.姓名 with a lookup formula. Printed whole,
those rows print (5 pages for any branch); with the print area every writer
now gives it (A1 over the header's columns down to the last data row) a
60-member branch prints its 60 rows. The books are printed whole through
LibreOffice and every member's 党员编号 and 姓名 (the formula's result) is
looked for on 评议's pages. The files are also read back, so the areas are
checked where LibreOffice is missing.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from click.testing import CliRunner

from dj_addin import schema
from dj_addin.aggregate import aggregate
from dj_addin.cli import main
from dj_addin.excel import com
from dj_addin.export import export_book
from dj_addin.importer import import_rows
from dj_addin.pipeline import run_book
from dj_addin.plans.printing import SheetPrinting, is_blank_area, is_table_area, new_area, prefilled
from dj_addin.split import split_book
from dj_addin.template.build import build_template
from dj_addin.template.fill import fill_workbook
from dj_addin.xlsx.sink import FileSink
from tests.builders import DEFAULT_META, clean_rows, make_book

import libreoffice as lo
from conftest import require_libreoffice

AS_OF = dt.date(2026, 12, 31)
EVAL = schema.EVALUATION.name
WIDTH = len(schema.EVALUATION.columns)  # 13: A..M
LAST = openpyxl.utils.get_column_letter(WIDTH)
MEMBERS, ADDED = 60, 10
VOTES = {"self_grade": "合格", "peer_excellent": 20, "peer_pass": 10, "mass_satisfied": 8, "org_score": 85,
         "violation": "否"}


def member(i: int) -> dict:
    """Member i: ID M001…; M001 and M002 are the clean branch's 张三 and 李四 (its other sheets
    name them), the others get a unique two-character name (孙一, 李一, … 陈八)."""
    if i <= 2:
        return clean_rows()["roster"][i - 1]
    return {"member_id": f"M{i:03d}", "name": "赵钱孙李周吴郑王冯陈"[(i - 1) % 10] + "一二五六七八九"[(i - 1) // 10],
            "gender": "男", "category": "教职工党员", "status": "正式党员", "join_date": dt.date(2010, 7, 1)}


def branch(path: Path, members: int = MEMBERS, meta: dict | None = None) -> Path:
    """A branch of ``members`` members made from the template, one 评议 row each."""
    rows = clean_rows()
    rows["roster"] = [member(i) for i in range(1, members + 1)]
    rows["evaluation"] = [{"member_id": f"M{i:03d}", **VOTES} for i in range(1, members + 1)]
    wb = build_template()
    fill_workbook(wb, meta or DEFAULT_META, rows)
    wb.save(path)
    return path


def type_members(path: Path, first: int, count: int) -> Path:
    """The secretary types ``count`` more members into 党员名册 and 评议 (under the formulas' rows) and saves."""
    wb = openpyxl.load_workbook(path)
    roster, evaluation = wb[schema.ROSTER.name], wb[EVAL]
    heads = {ws.title: {c.value: c.column for c in ws[1] if c.value} for ws in (roster, evaluation)}
    for i in range(first, first + count):
        row = 1 + i
        for key, value in member(i).items():
            roster.cell(row=row, column=heads[roster.title][schema.ROSTER.column(key).header], value=value)
        evaluation.cell(row=row, column=1, value=f"M{i:03d}")  # 姓名 (B) keeps the template's formula
        evaluation.cell(row=row, column=heads[EVAL]["互评优秀票"], value=21)
    assert str(evaluation.cell(row=1 + first, column=2).value).startswith("=")
    wb.save(path)
    return path


def areas(path: Path) -> dict[str, str | None]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: (ws.print_area or None) for ws in wb.worksheets}


def table(last: int) -> str:
    return f"'{EVAL}'!$A$1:${LAST}${last}"


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """Every kind of workbook written for the 60-member branch, by a short name."""
    tmp = tmp_path_factory.mktemp("prefilled")
    src = branch(tmp / "branch.xlsx")
    out: dict[str, Path] = {"filled": src}
    for engine in ("fast", "openpyxl"):
        run = tmp / f"run_{engine}.xlsx"
        run_book(src, AS_OF, sink=FileSink(src, run, engine=engine))
        out[f"run_{engine}"] = run
        typed = type_members(shutil.copyfile(run, tmp / f"typed_{engine}.xlsx"), MEMBERS + 1, ADDED)
        out[f"typed_{engine}"] = shutil.copyfile(typed, tmp / f"typed_only_{engine}.xlsx")  # not run yet
        run_book(typed, AS_OF, sink=FileSink(typed, in_place=True, engine=engine))
        out[f"again_{engine}"] = typed
    own = shutil.copyfile(src, tmp / "own.xlsx")
    wb = openpyxl.load_workbook(own)
    wb[EVAL].print_area = f"A1:C{MEMBERS + 1}"  # the secretary prints ID, name and self grade only
    wb.save(own)
    run_book(own, AS_OF, in_place=True)
    out["own"] = own
    cleared = shutil.copyfile(out["run_fast"], tmp / "cleared.xlsx")
    wb = openpyxl.load_workbook(cleared)
    wb[EVAL].print_area = None  # 页面布局 → 打印区域 → 取消打印区域: the sheet prints whole
    wb.save(cleared)
    out["cleared"] = cleared
    out["validated"] = tmp / "validated.xlsx"
    done = CliRunner().invoke(main, ["validate", str(src), "--as-of", "2026-12-31", "-o", str(out["validated"])])
    assert done.exit_code in (0, 1), done.output
    out["export"] = export_book(src, tmp / "export.xlsx", force=True, as_of=AS_OF).out
    out["merged"] = tmp / "merged.xlsx"
    aggregate([out["run_fast"]], out["merged"], as_of=AS_OF, workers=1)
    college = branch(tmp / "college.xlsx", meta={**DEFAULT_META, "unit_code": "C01", "unit_name": "学院党委",
                                                 "unit_level": "学院党委"})
    wb = openpyxl.load_workbook(college)
    roster = wb[schema.ROSTER.name]
    branch_col = next(c.column for c in roster[1] if c.value == schema.ROSTER.column("branch_code").header)
    for r in range(2, MEMBERS + 2):
        roster.cell(row=r, column=branch_col, value="D0101")
    units = wb[schema.UNITS.name]
    for c, value in enumerate(("D0101", "一支部", "党支部"), start=1):
        units.cell(row=2, column=c, value=value)
    wb.save(college)
    split_book(college, tmp / "split")
    out["split"] = next((tmp / "split").glob("D0101_*.xlsx"))
    votes = make_book(tmp / "votes.xlsx", rows={"evaluation": [{"member_id": f"M{i:03d}", **VOTES}
                                                               for i in range(1, 6)]},
                      drop_sheets=[s.key for s in schema.SHEETS if s.key not in ("meta", "evaluation")])
    fresh = branch(tmp / "fresh.xlsx")
    wb = openpyxl.load_workbook(fresh)
    ws = wb[EVAL]
    for r in range(2, MEMBERS + 2):  # 评议 still without votes: the 5 rows come from the 计票表
        for c in range(1, WIDTH + 1):
            if c != 2:
                ws.cell(row=r, column=c).value = None
    wb.save(fresh)
    out["imported"] = tmp / "imported.xlsx"
    import_rows(fresh, [str(votes)], EVAL, dest=out["imported"])
    return out


@pytest.fixture(scope="module")
def pages(books, tmp_path_factory) -> dict[str, list[str]]:
    """Short name → the texts of 评议's pages, every book printed whole in one soffice run."""
    require_libreoffice()
    names = [n for n in books if n not in ("filled", "validated", "imported", "split")]
    pdfs = lo.convert_all([books[n] for n in names], "pdf", tmp_path_factory.mktemp("pdf"))
    out = {}
    for name, pdf in zip(names, pdfs):
        texts = lo.pdf_page_texts(pdf)
        sheets = openpyxl.load_workbook(books[name], read_only=True).sheetnames
        counts = lo.pages_per_sheet(pdf, sheets)
        mine = [t for t in texts if lo.page_header(t).endswith(EVAL)]
        assert len(mine) == counts[EVAL], name
        out[name] = mine
    return out


def printed_members(texts: list[str]) -> dict[str, str]:
    """党员编号 → the line it prints on, over 评议's pages."""
    return {line.split()[0]: line for t in texts for line in t.splitlines()
            if line.split() and line.split()[0].startswith("M0")}


# ---------------------------------------------------------------- which area, pure


def test_only_the_sheet_with_template_formulas_is_prefilled():
    formulas = set()
    wb = build_template()
    for sheet in schema.SHEETS:
        if sheet.kind is schema.SheetKind.DATA:
            ws = wb[sheet.name]
            if any(isinstance(c.value, str) and c.value.startswith("=") for row in ws.iter_rows(min_row=2)
                   for c in row):
                formulas.add(sheet.name)
            assert prefilled(sheet) == (sheet.name in formulas), sheet.name
    assert formulas == {EVAL}


def test_a_prefilled_sheet_prints_its_table_and_follows_its_data_but_a_users_area_stays():
    rows = SheetPrinting(EVAL, False, 1, WIDTH, prefilled=True, last_row=61, template_width=WIDTH)
    empty = SheetPrinting(EVAL, True, 1, WIDTH, prefilled=True, last_row=1, template_width=WIDTH)
    assert new_area(None, rows) == "A1:M61"
    assert new_area("$N$2", rows) == "A1:M61" and new_area("$A$1:$M$61", empty) == "N2"
    assert new_area("'评议'!$A$1:$M$47", rows) == "A1:M61"  # ours from an earlier run: follows the rows
    wider = SheetPrinting(EVAL, False, 1, WIDTH + 1, prefilled=True, last_row=70, template_width=WIDTH)
    assert new_area("$A$1:$M$61", wider) == "A1:N70"  # set before the user added a column
    for own in ("$A$1:$C$61", "$B$1:$M$61", "$A$2:$M$61", "$A$1:$M$1", "$A$1:$M$20,$A$40:$M$61", "$A$1:$Z$61"):
        assert new_area(own, rows) == own, own
    assert is_table_area("$A$1:$M$30", rows)  # a hand-set area of our shape is taken for ours (README)
    roster = SheetPrinting(schema.ROSTER.name, False, 1, 12, template_width=12)  # not prefilled
    assert not is_table_area("$A$1:$L$40", roster) and new_area("$A$1:$L$40", roster) == "$A$1:$L$40"
    assert new_area(None, roster) is None and not is_blank_area("A1:M61")


def test_the_live_workbook_gets_the_same_area_through_com():
    def sheet(name, area):
        return SimpleNamespace(name=name, api=SimpleNamespace(PageSetup=SimpleNamespace(PrintArea=area)))

    class Sheets(dict):
        def __iter__(self):
            return iter(self.values())

    book = SimpleNamespace(sheets=Sheets({EVAL: sheet(EVAL, "$A$1:$M$47"), "x": sheet("x", "$A$1:$C$9")}))
    com.settle_printing(book, [SheetPrinting(EVAL, False, 1, WIDTH, True, 61, WIDTH),
                               SheetPrinting("x", False, 1, 12, True, 61, 12)])
    assert book.sheets[EVAL].api.PageSetup.PrintArea == "A1:M61"
    assert book.sheets["x"].api.PageSetup.PrintArea == "$A$1:$C$9"  # the user's


# ---------------------------------------------------------------- the files


def test_the_template_leaves_its_formula_rows_out_and_filling_prints_the_members(books):
    template = openpyxl.load_workbook(Path(__file__).resolve().parents[1] / "workbook_template.xlsx")
    assert is_blank_area(template[EVAL].print_area)
    assert areas(books["filled"])[EVAL] == table(MEMBERS + 1)


@pytest.mark.parametrize("engine", ["fast", "openpyxl"])
def test_run_sets_the_table_and_moves_it_with_rows_typed_later(books, engine):
    assert areas(books[f"run_{engine}"])[EVAL] == table(MEMBERS + 1)
    assert areas(books[f"typed_{engine}"])[EVAL] == table(MEMBERS + 1)  # typed in Excel, not run yet
    assert areas(books[f"again_{engine}"])[EVAL] == table(MEMBERS + ADDED + 1)
    assert areas(books[f"again_{engine}"])[schema.ROSTER.name] is None  # no formulas: prints whole


def test_a_print_area_the_user_set_survives(books):
    assert areas(books["own"])[EVAL] == f"'{EVAL}'!$A$1:$C${MEMBERS + 1}"


def test_validate_export_split_import_and_merge_decide_too(books):
    for name in ("validated", "export"):
        assert areas(books[name])[EVAL] == table(MEMBERS + 1), name
    assert is_blank_area(areas(books["split"])[EVAL])  # 下发 carries no votes: 评议 starts empty
    assert areas(books["split"])[schema.ROSTER.name] is None
    assert areas(books["imported"])[EVAL] == table(6)
    merged = openpyxl.load_workbook(books["merged"])[EVAL]  # written without the template's formulas
    assert not merged.print_area and merged.max_row == MEMBERS + 1
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for row in merged.iter_rows() for c in row)


# ---------------------------------------------------------------- what prints


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["run_fast", "run_openpyxl", "export", "merged"])
def test_sixty_members_print_on_two_pages_each_with_id_and_name(pages, name):
    got = pages[name]
    assert len(got) == 2, name  # 200 formula rows printed 5
    printed = printed_members(got)
    assert set(printed) == {f"M{i:03d}" for i in range(1, MEMBERS + 1)}
    for i in range(1, MEMBERS + 1):  # the lookup formula's result (the merged book has values only, and
        if name != "merged":         # these files were never opened in Excel: no cached names to merge)
            assert member(i)["name"] in printed[f"M{i:03d}"]
    assert "M060" in got[-1]  # the last page holds the last member, no blank page after it


@pytest.mark.libreoffice
def test_without_the_area_the_formula_rows_print_blank_pages(pages):
    assert len(pages["cleared"]) >= 5
    assert not any("M0" in t for t in pages["cleared"][2:])


@pytest.mark.libreoffice
@pytest.mark.parametrize("engine", ["fast", "openpyxl"])
def test_rows_typed_later_print_after_the_next_run(pages, engine):
    added = {f"M{i:03d}" for i in range(MEMBERS + 1, MEMBERS + ADDED + 1)}
    assert not added & set(printed_members(pages[f"typed_{engine}"]))  # not before the run (说明 says so)
    printed = printed_members(pages[f"again_{engine}"])
    assert added <= set(printed) and len(printed) == MEMBERS + ADDED
    assert all(member(i)["name"] in printed[f"M{i:03d}"] for i in range(MEMBERS + 1, MEMBERS + ADDED + 1))
    assert len(pages[f"again_{engine}"]) == 2


@pytest.mark.libreoffice
def test_the_users_area_prints_as_they_set_it(pages):
    got = pages["own"]
    assert got and all("互评优秀票" not in t for t in got) and "自评等次" in got[0]
    assert set(printed_members(got)) == {f"M{i:03d}" for i in range(1, MEMBERS + 1)}
