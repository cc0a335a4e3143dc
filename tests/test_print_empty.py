"""Empty data sheets are not printed with the book (workbook.md "Printing and presentation").

Every writer of a workbook decides from the rows it writes: the template, `dj run`
through both engines (a copy and in place), export, split, merge and import.
The books are printed whole through LibreOffice, as a secretary prints them,
and every page is given to the sheet its page header names: an empty sheet
has no page, a sheet that has rows (again) has its pages. The files are also
read back, so the print areas are checked where LibreOffice is missing.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from dj_addin import schema
from dj_addin.aggregate import aggregate
from dj_addin.cli import main
from dj_addin.export import export_book
from dj_addin.importer import import_rows
from dj_addin.pipeline import run_book
from dj_addin.plans.printing import SheetPrinting, is_blank_area, new_area
from dj_addin.split import split_book
from dj_addin.template.build import build_template
from dj_addin.template.fill import fill_workbook
from dj_addin.xlsx.sink import FileSink
from tests.builders import DEFAULT_META, clean_rows, make_book

import libreoffice as lo
from conftest import require_libreoffice

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 12, 31)
UNITS, RECEPTION, ROSTER, LOG = (schema.UNITS.name, schema.sheet("reception").name, schema.ROSTER.name,
                                 schema.CONTACT_LOG.name)
DATA = [s.name for s in schema.SHEETS if s.kind is schema.SheetKind.DATA]
RECEPTION_ROW = {"date": dt.date(2026, 6, 8), "leader_id": "M001", "visitors": 4, "issues": 2, "resolved": 2}


def branch(path: Path, *, reception: bool = False) -> Path:
    """A branch made from the template with no 下级单位 and (unless ``reception``) no 接待日 rows."""
    rows = clean_rows()
    rows["reception"] = [RECEPTION_ROW] if reception else []
    wb = build_template()
    fill_workbook(wb, DEFAULT_META, rows)
    wb.save(path)
    return path


def add_reception_row(path: Path) -> Path:
    """The secretary types a 接待日 row (in Excel; openpyxl here) and saves."""
    wb = openpyxl.load_workbook(path)
    ws = wb[RECEPTION]
    headers = [c.value for c in ws[1]]
    spec = schema.sheet("reception")
    for key, value in RECEPTION_ROW.items():
        ws.cell(row=2, column=headers.index(spec.column(key).header) + 1, value=value)
    wb.save(path)
    return path


def areas(path: Path) -> dict[str, str | None]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: (ws.print_area or None) for ws in wb.worksheets}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """Every kind of workbook written, by a short name."""
    tmp = tmp_path_factory.mktemp("empty")
    out: dict[str, Path] = {"template": tmp / "template.xlsx"}
    shutil.copyfile(ROOT / "workbook_template.xlsx", out["template"])
    src = branch(tmp / "branch.xlsx")
    for engine in ("fast", "openpyxl"):
        run = tmp / f"run_{engine}.xlsx"
        run_book(src, AS_OF, sink=FileSink(src, run, engine=engine))
        out[f"run_{engine}"] = run
        again = add_reception_row(shutil.copyfile(run, tmp / f"again_{engine}.xlsx"))
        run_book(again, AS_OF, sink=FileSink(again, in_place=True, engine=engine))
        out[f"again_{engine}"] = again
    out["validated"] = tmp / "validated.xlsx"
    done = CliRunner().invoke(main, ["validate", str(src), "--as-of", "2026-12-31", "-o", str(out["validated"])])
    assert done.exit_code in (0, 1), done.output
    out["export"] = export_book(src, tmp / "export.xlsx", force=True, as_of=AS_OF).out
    college = make_book(tmp / "college.xlsx", meta={"unit_code": "C01", "unit_name": "学院党委", "unit_level": "学院党委"},
                        rows={"units": [{"unit_code": "D0101", "unit_name": "一支部", "unit_level": "党支部"},
                                        {"unit_code": "D0102", "unit_name": "空支部", "unit_level": "党支部"}],
                              "roster": [{"member_id": "M1", "name": "张三", "category": "教职工党员",
                                          "status": "正式党员", "branch_code": "D0101"}]})
    split_book(college, tmp / "split")
    out["split_full"] = next((tmp / "split").glob("D0101_*.xlsx"))
    out["split_empty"] = next((tmp / "split").glob("D0102_*.xlsx"))
    out["merged"] = tmp / "merged.xlsx"
    aggregate([out["run_fast"]], out["merged"], as_of=AS_OF, workers=1)
    units = make_book(tmp / "units.xlsx", rows={"units": [{"unit_code": "D9", "unit_name": "九支部", "unit_level": "党支部"}]},
                      drop_sheets=[s.key for s in schema.SHEETS if s.key not in ("meta", "units")])
    out["imported"] = tmp / "imported.xlsx"
    import_rows(src, [str(units)], UNITS, dest=out["imported"])
    return out


@pytest.fixture(scope="module")
def pages(books, tmp_path_factory) -> dict[str, dict[str, int]]:
    """Short name → sheet → pages, every book printed whole in one soffice run."""
    require_libreoffice()
    names = list(books)
    pdfs = lo.convert_all([books[n] for n in names], "pdf", tmp_path_factory.mktemp("pdf"))
    out = {}
    for name, pdf in zip(names, pdfs):
        sheets = openpyxl.load_workbook(books[name], read_only=True).sheetnames
        out[name] = lo.pages_per_sheet(pdf, sheets) | {"(all)": len(lo.pdf_page_texts(pdf))}
    return out


# ---------------------------------------------------------------- which area, pure


def test_an_empty_sheet_gets_a_blank_cell_and_loses_it_with_rows_but_a_users_area_stays():
    empty = SheetPrinting(ROSTER, True, header_row=3, width=12)
    assert empty.blank_cell == "M4"  # right of the header, below it
    assert new_area(None, empty) == "M4"
    assert new_area("$M$4", empty) == "M4"
    assert new_area("$M$4", SheetPrinting(ROSTER, False, 3, 12)) is None
    assert new_area("$A$1:$L$40", empty) == "$A$1:$L$40"  # the user's own
    assert new_area("$A$1:$L$40", SheetPrinting(ROSTER, False, 3, 12)) == "$A$1:$L$40"
    assert is_blank_area("'党员名册'!$M$2") and is_blank_area("M2:M2") and not is_blank_area("A1:B2")
    assert not is_blank_area("M2:N2") and not is_blank_area(None) and not is_blank_area("$A$1,$C$3")


# ---------------------------------------------------------------- the files


def test_the_template_leaves_every_data_sheet_without_rows_out(books):
    got = areas(books["template"])
    for name in DATA:
        if name == schema.QUOTAS.name:  # holds the default quotas
            assert got[name] is None
        else:
            assert is_blank_area(got[name]), name
            ws = openpyxl.load_workbook(books["template"])[name]
            cell = ws[got[name].split("!")[-1].replace("$", "")]
            assert cell.value is None and ws.cell(1, cell.column - 1).value  # blank, just right of the header


@pytest.mark.parametrize("engine", ["fast", "openpyxl"])
def test_run_decides_from_the_rows_each_time(books, engine):
    first, again = areas(books[f"run_{engine}"]), areas(books[f"again_{engine}"])
    assert is_blank_area(first[UNITS]) and is_blank_area(first[RECEPTION])
    assert first[ROSTER] is None and first[LOG] is None
    assert is_blank_area(again[UNITS]) and again[RECEPTION] is None  # the new row prints again


def test_a_print_area_the_user_set_is_kept(tmp_path):
    src = branch(tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(src)
    wb[UNITS].print_area = "A1:E3"  # the secretary wants the empty header page after all
    wb[ROSTER].print_area = "A1:C3"
    wb.save(src)
    run_book(src, AS_OF, in_place=True)
    got = areas(src)
    assert got[UNITS] == "'下级单位'!$A$1:$E$3" and got[ROSTER] == "'党员名册'!$A$1:$C$3"
    assert is_blank_area(got[RECEPTION])


def test_export_split_merge_and_import_decide_too(books):
    validated = areas(books["validated"])  # dj validate -o
    assert is_blank_area(validated[RECEPTION]) and validated[ROSTER] is None
    assert is_blank_area(areas(books["export"])[RECEPTION]) and areas(books["export"])[ROSTER] is None
    full, empty = areas(books["split_full"]), areas(books["split_empty"])
    assert full[ROSTER] is None and is_blank_area(full[LOG])
    assert is_blank_area(empty[ROSTER])  # a unit without members
    merged = areas(books["merged"])
    assert is_blank_area(merged[RECEPTION]) and not merged[ROSTER]
    imported = areas(books["imported"])
    assert imported[UNITS] is None and is_blank_area(imported[RECEPTION])


# ---------------------------------------------------------------- what prints


@pytest.mark.libreoffice
def test_the_printed_template_has_only_the_sheets_that_hold_something(pages):
    got = pages["template"]
    printed = {name for name, n in got.items() if n and name != "(all)"}
    assert printed == {schema.README.name, "概览", schema.META.name, schema.QUOTAS.name, schema.SCORING_RULES.name}
    assert got["(all)"] == sum(n for name, n in got.items() if name != "(all)")  # every page has its sheet


@pytest.mark.libreoffice
@pytest.mark.parametrize("engine", ["fast", "openpyxl"])
def test_a_processed_branch_prints_no_empty_sheet_and_a_sheet_that_gains_rows_prints_again(pages, engine):
    first, again = pages[f"run_{engine}"], pages[f"again_{engine}"]
    assert first[UNITS] == first[RECEPTION] == 0
    for name in (ROSTER, LOG, schema.RESULTS.name, schema.ROLLUP.name, schema.FINDINGS.name):
        assert first[name] >= 1, name
    assert again[UNITS] == 0 and again[RECEPTION] == 1
    assert again["(all)"] == first["(all)"] + 1


@pytest.mark.libreoffice
def test_export_split_merge_and_import_print_no_empty_sheet(pages):
    assert pages["validated"][RECEPTION] == 0 and pages["validated"][schema.FINDINGS.name] >= 1
    assert pages["export"][RECEPTION] == 0 and pages["export"][ROSTER] >= 1
    assert pages["split_full"][ROSTER] == 1 and pages["split_full"][LOG] == 0
    assert pages["split_empty"][ROSTER] == 0
    assert pages["merged"][RECEPTION] == 0 and pages["merged"][ROSTER] >= 1
    assert pages["imported"][UNITS] == 1 and pages["imported"][RECEPTION] == 0
