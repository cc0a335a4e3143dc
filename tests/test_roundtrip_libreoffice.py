"""Round trips through a real spreadsheet engine (LibreOffice headless).

Every kind of workbook the tool writes opens in LibreOffice and renders to PDF
with its Chinese text (pdftotext finds strings we know are there): the template,
a demo branch after 一键处理 (问题清单, marks, 指标汇总, 考评结果). And a workbook
re-saved by LibreOffice reads back to the same tables and gives the same
findings, so a user who opens and saves in LibreOffice (or WPS) loses nothing.
The template's 概览 formulas are checked against Python in test_overview.py.

Conversions are batched: one soffice run for every PDF, one for the re-save.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dj_addin import pipeline, schema
from dj_addin.demo import generate as demo
from dj_addin.template.build import build_template
from dj_addin.template.fill import fill_workbook
from dj_addin.xlsx.reader import read_book

import libreoffice as lo  # module-scoped fixtures use it directly; the marker skips or requires soffice

pytestmark = pytest.mark.libreoffice

AS_OF = dt.date(2026, 12, 31)


def _college_with_mistakes(folder: Path) -> tuple[list[Path], Path, Path]:
    """(branch books, college book, the branch with planted mistakes) of one demo college,
    written through the template as dj demo writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    uni = demo.generate_university(demo.DEFAULT_SEED, 2026, AS_OF)
    planted = {m.unit_code for m in uni.planted if m.is_error}
    college = next(c for c in uni.colleges if any(b.code in planted for b in c.branches))
    paths = {}
    for unit in [*college.branches, college.book]:
        wb = build_template()
        fill_workbook(wb, unit.meta, unit.rows)
        paths[unit.code] = folder / f"{unit.code}.xlsx"
        wb.save(paths[unit.code])
    branches = [paths[b.code] for b in college.branches]
    mistaken = next(paths[b.code] for b in college.branches if b.code in planted)
    return branches, paths[college.book.code], mistaken


def _branch_with_mistakes(folder: Path) -> Path:
    return _college_with_mistakes(folder)[2]


def _job(module: str, name: str):
    """A job function of the package, or None while its module has not landed. Only modules inside
    this package's folder count (an editable install elsewhere can answer for a missing one);
    a module that is there but fails to import fails the test."""
    import dj_addin

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not Path(spec.origin).resolve().is_relative_to(
            Path(dj_addin.__file__).resolve().parent):
        return None
    return getattr(importlib.import_module(module), name, None)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    """Every kind of workbook the tool writes, by kind (only the jobs the package has)."""
    folder = tmp_path_factory.mktemp("written")
    books: dict[str, Path] = {}
    template = folder / "template.xlsx"
    build_template().save(template)
    books["template"] = template
    branches, college, branch = _college_with_mistakes(folder / "college")
    processed = folder / "processed.xlsx"
    result = pipeline.run_book(branch, AS_OF, processed)  # 问题清单, marks, 指标汇总, 考评结果
    assert result.report.findings and set(result.written_sheets) >= {s.name for s in schema.OUTPUT_SHEETS[:3]}
    books["processed"] = processed
    if (export_book := _job("dj_addin.export", "export_book")) is not None:
        export_book(processed, folder / "exported.xlsx", as_of=AS_OF, force=True)  # it has 错误 on purpose
        books["exported"] = folder / "exported.xlsx"
    if (aggregate := _job("dj_addin.aggregate", "aggregate")) is not None:
        aggregate(branches, folder / "merged.xlsx", template=college, as_of=AS_OF)
        books["merged"] = folder / "merged.xlsx"
    if (split_book := _job("dj_addin.split", "split_book")) is not None:
        # the merged book, so that the units get members: an empty 党员名册 is left out of printing
        split_book(books.get("merged", college), folder / "split")
        books["split"] = max(sorted((folder / "split").rglob("*.xlsx")),
                             key=lambda p: len(read_book(p).frame(schema.ROSTER.key)))
    if (make_ballots := _job("dj_addin.ballots", "make_ballots")) is not None:
        make_ballots(branch, folder / "ballots.xlsx", mass_copies=2)
        books["ballots"] = folder / "ballots.xlsx"
    return books


@pytest.fixture(scope="module")
def pdf_texts(written, tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("pdf")
    staged = tmp_path_factory.mktemp("staged")  # distinct names for one soffice run
    sources = [shutil.copyfile(path, staged / f"{kind}.xlsx") for kind, path in written.items()]
    pdfs = lo.convert_all([Path(s) for s in sources], "pdf", out)
    return {kind: subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                 check=True, timeout=120).stdout
            for kind, pdf in zip(written, pdfs)}


@pytest.mark.parametrize("kind", ["exported", "merged", "split", "ballots"])
def test_other_jobs_books_render_with_chinese_text(written, pdf_texts, kind):
    if kind not in written:
        pytest.skip(f"the job writing the {kind} workbook is not in the package yet")
    text = pdf_texts[kind]
    if kind == "ballots":
        assert "评议" in text and read_book(written["processed"]).frame("roster")["name"].iloc[0] in text
    else:
        assert schema.ROSTER.column("member_id").header in text or schema.CONTACT_LOG.column("date").header in text
        assert schema.ROSTER.column("name").header in text


def test_template_renders_with_chinese_text(pdf_texts):
    text = pdf_texts["template"]
    for header in (schema.ROSTER.column("member_id").header, schema.CONTACT_LOG.column("date").header,
                   schema.TARGETS.column("target_id").header):
        assert header in text


def test_processed_branch_renders_findings_rollup_and_results(written, pdf_texts):
    text = pdf_texts["processed"]
    result = pipeline.compute(read_book(written["processed"]), AS_OF)
    first_error = next(f for f in result.report.findings if f.level == schema.LEVELS[0])
    assert first_error.field in text and first_error.sheet in text  # a 问题清单 line
    for header in (schema.ROLLUP.columns[0].header, schema.RESULTS.columns[0].header):
        assert header in text
    for word in ("达标", "综合得分", "最终等次"):
        assert word in text


def _formula_headers(path: Path) -> dict[str, set[str]]:
    """Sheet name → headers of columns holding formulas (the template's lookups, such as 评议's 姓名).
    openpyxl stores no cached value for them, so the reader sees blanks; LibreOffice computes them on
    load and saves the results. Those columns differ by design, and are compared apart."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, set[str]] = {}
    for ws in wb.worksheets:
        headers = [c.value for c in ws[1]] if ws.max_row else []
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if c.data_type == "f" and c.column <= len(headers):
                    out.setdefault(ws.title, set()).add(headers[c.column - 1])
    wb.close()
    return out


def _tables(book, formulas: dict[str, set[str]]) -> dict[str, pd.DataFrame]:
    out = {}
    for key, table in book.tables.items():
        sheet = schema.sheet(key)
        skip = [c.key for c in sheet.columns if c.header in formulas.get(sheet.name, ())]
        out[key] = table.data.drop(columns=[c for c in skip if c in table.data]).reset_index(drop=True)
    return out


def _finding_keys(path: Path) -> list[tuple]:
    report = pipeline.compute(read_book(path), AS_OF, (pipeline.VALIDATE,), file="book.xlsx").report
    return sorted((f.rule, f.level, f.sheet, f.row or 0, f.column, f.value, f.message) for f in report.findings)


def test_resaved_by_libreoffice_reads_back_the_same(tmp_path, libreoffice):
    src = _branch_with_mistakes(tmp_path)
    out = tmp_path / "lo"
    resaved = libreoffice.convert_all([src], libreoffice.XLSX, out)[0]
    assert resaved.read_bytes() != src.read_bytes()  # LibreOffice wrote its own package
    before, after = read_book(src), read_book(resaved)
    assert before.sheet_names == after.sheet_names
    assert {k: v.items for k, v in before.kv.items()} == {k: v.items for k, v in after.kv.items()}
    formulas = _formula_headers(src)
    old, new = _tables(before, formulas), _tables(after, formulas)
    assert old.keys() == new.keys()
    for key in old:
        pd.testing.assert_frame_equal(old[key], new[key], check_dtype=False, obj=key)
    assert _finding_keys(src) == _finding_keys(resaved)
