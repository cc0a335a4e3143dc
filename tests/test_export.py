"""导出上报 (``dj_addin.export.export_book``, ``dj export``): the copy sent upward is
masked, free of marks and macros, says when it was forced, and the original never changes."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from dj_addin.cli import main
from dj_addin.errors import UsageError
from dj_addin.export import export_book, report_note, safe_file_name
from dj_addin.pipeline import run_book
from dj_addin.xlsx.reader import read_book
from tests.builders import clean_rows, make_book

AS_OF, TODAY = dt.date(2026, 12, 31), dt.date(2027, 1, 5)
META = {"unit_code": "D0101", "unit_name": "测试党支部", "phone": "13812345678"}


def _clean(tmp_path: Path, name: str = "book.xlsx", meta: dict | None = None) -> Path:
    rows = clean_rows()
    rows["roster"][0]["phone"] = "13812345678"
    rows["roster"][1]["phone"] = 13987654321  # typed as a number
    rows["targets"][0]["phone"] = "010-62751234"
    return make_book(tmp_path / name, meta={**META, **(meta or {})}, rows=rows)


def _broken(tmp_path: Path) -> Path:
    rows = clean_rows()
    rows["contact_log"][1]["date"] = "2026-13-05"  # C002 错误
    return make_book(tmp_path / "broken.xlsx", meta=META, rows=rows)


def _stat(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), os.stat(path).st_mtime_ns


def test_clean_book_exported_next_to_it_masked_dated_and_original_unchanged(tmp_path):
    book = _clean(tmp_path)
    before = _stat(book)
    result = export_book(book, as_of=AS_OF, today=TODAY)
    assert result.exit_code == 0 and not result.refused and not result.forced
    assert result.out == tmp_path / "D0101_测试党支部_2026_报送.xlsx"
    assert _stat(book) == before
    copy = read_book(result.out)
    assert copy.meta.get("report_date") == TODAY
    assert copy.meta.get("phone") == "138****5678"
    assert report_note(copy) is None
    assert copy.frame("roster")["phone"].tolist() == ["138****5678", "139****4321"]
    assert copy.frame("targets")["phone"].tolist()[0] == "010****1234"
    names = openpyxl.load_workbook(result.out, read_only=True).sheetnames
    assert "指标汇总" in names and "考评结果" in names and "问题清单" not in names
    # the copy validates as the original did: masking adds no finding
    assert run_book(result.out, AS_OF).report.counts == result.run.report.counts
    # everything else the user typed is there
    orig = read_book(book)
    for key in ("contact_log", "research", "evaluation"):
        assert copy.frame(key).equals(orig.frame(key))


def test_keep_sensitive_keeps_the_numbers(tmp_path):
    result = export_book(_clean(tmp_path), as_of=AS_OF, today=TODAY, keep_sensitive=True)
    assert read_book(result.out).frame("roster")["phone"].tolist()[0] == "13812345678"
    assert result.masked_cells == 0


def test_refused_while_errors_remain_nothing_written(tmp_path):
    book = _broken(tmp_path)
    before = _stat(book)
    result = export_book(book, as_of=AS_OF, today=TODAY)
    assert result.refused and result.exit_code == 1 and result.out is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.xlsx"]
    assert _stat(book) == before
    assert any("2026-13-05" in line for line in result.summary_lines())


def test_forced_export_says_so_on_meta(tmp_path):
    result = export_book(_broken(tmp_path), as_of=AS_OF, today=TODAY, force=True)
    assert result.forced and result.exit_code == 1 and result.out.exists()
    copy = read_book(result.out)
    note = report_note(copy)
    assert "1 个错误" in note and "强制导出" in note
    # the level above sees it: the merge's validation names the row (an item outside the template)
    findings = run_book(result.out, AS_OF).report.findings
    assert any(f.rule == "S004" and f.field == "报送说明" for f in findings)


def test_marks_removed_from_the_copy(tmp_path):
    book = _broken(tmp_path)
    run_book(book, AS_OF, in_place=True)  # 问题清单 and a red mark on the bad date
    ws = openpyxl.load_workbook(book)["联系记载"]
    assert any(c.comment is not None for row in ws.iter_rows() for c in row)
    result = export_book(book, as_of=AS_OF, today=TODAY, force=True)
    wb = openpyxl.load_workbook(result.out)
    assert "问题清单" not in wb.sheetnames and "_dj_marks" not in wb.sheetnames
    assert not any(c.comment is not None for row in wb["联系记载"].iter_rows() for c in row)


def test_existing_output_refused_unless_forced(tmp_path):
    book = _clean(tmp_path)
    out = tmp_path / "mine.xlsx"
    out.write_bytes(b"keep me")
    with pytest.raises(UsageError):
        export_book(book, out, as_of=AS_OF, today=TODAY)
    assert out.read_bytes() == b"keep me"
    export_book(book, out, as_of=AS_OF, today=TODAY, force=True)
    assert read_book(out).meta.get("report_date") == TODAY
    with pytest.raises(UsageError):
        export_book(book, book, as_of=AS_OF, today=TODAY, force=True)  # never the original
    with pytest.raises(UsageError):
        export_book(book, tmp_path / "x.xlsm", as_of=AS_OF, today=TODAY)


def test_xlsm_input_gives_a_macro_free_xlsx(tmp_path):
    book = _clean(tmp_path)
    xlsm = tmp_path / "宏.xlsm"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(xlsm, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            dst.writestr(info, data)
        dst.writestr("xl/vbaProject.bin", b"\x00fake macro")
    before = _stat(xlsm)
    result = export_book(xlsm, as_of=AS_OF, today=TODAY)
    assert result.out.suffix == ".xlsx" and _stat(xlsm) == before
    with zipfile.ZipFile(result.out) as zf:
        assert not any("vba" in n.lower() for n in zf.namelist())
        assert b"macroEnabled" not in zf.read("[Content_Types].xml")


def test_file_name_is_safe(tmp_path):
    assert safe_file_name('a/b\\c:d*e?"f<g>h|i') == "a_b_c_d_e_f_g_h_i"
    book = _clean(tmp_path, meta={"unit_code": "D0101", "unit_name": "机械/电子:党支部"})
    result = export_book(book, as_of=AS_OF, today=TODAY)
    assert result.out.name == "D0101_机械_电子_党支部_2026_报送.xlsx"


def test_cli_export_json_and_refusal(tmp_path):
    runner = CliRunner()
    broken = _broken(tmp_path)
    res = runner.invoke(main, ["export", str(broken), "--as-of", "2026-12-31"])
    assert res.exit_code == 1 and "未导出" in res.output and "--force" in res.output
    res = runner.invoke(main, ["export", str(_clean(tmp_path, "c.xlsx")), "--as-of", "2026-12-31", "--json"])
    assert res.exit_code == 0, res.output
    import json
    doc = json.loads(res.output)
    assert doc["output"].endswith("D0101_测试党支部_2026_报送.xlsx") and doc["refused"] is False
    res = runner.invoke(main, ["export", str(tmp_path / "c.xlsx"), "--as-of", "2026-12-31"])
    assert res.exit_code == 2 and "已存在" in res.output
    res = runner.invoke(main, ["export", str(tmp_path / "nope.xlsx")])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_text_that_looks_like_a_formula_stays_text_in_the_copy(tmp_path):
    rows = clean_rows()

    def edit(wb):
        cell = wb["党员名册"]["L2"]
        cell.value, cell.data_type = "=1+1", "s"

    book = make_book(tmp_path / "f.xlsx", meta=META, rows=rows, edit=edit)
    assert openpyxl.load_workbook(book)["党员名册"]["L1"].value == "备注"
    result = export_book(book, as_of=AS_OF, today=TODAY)
    cell = openpyxl.load_workbook(result.out)["党员名册"]["L2"]
    assert cell.value == "=1+1" and cell.data_type == "s"
