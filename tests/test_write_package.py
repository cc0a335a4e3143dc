"""Package-level safety of write-back, each defect with a workbook built the way it was found.

The writers must never drop a sheet, write a part that does not parse, read
a part the workbook does not reference, or carry macros and stray zip
entries into an output without saying so.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeET
import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.table import Table

from dj_addin import schema
from dj_addin.cli import main
from dj_addin.errors import DjError, UnreadableFile
from dj_addin.xlsx import save as save_module
from dj_addin.xlsx.reader import read_book
from dj_addin.xlsx.save import clear_marks, save_outputs
from test_write_support import LOG, ROSTER, make_workbook, sample_report, snapshot

FINDINGS = schema.FINDINGS.name
ENGINES = ("fast", "openpyxl")
VBA_TYPE = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rebuild(path: Path, data: dict[str, bytes], dest: Path | None = None) -> Path:
    """Write ``data`` (name → bytes, in order) as a zip at ``dest`` (default: ``path``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in data.items():
            zf.writestr(name, content)
    dest = dest or path
    dest.write_bytes(buf.getvalue())
    return dest


def assert_every_part_parses(path: Path) -> None:
    for name, content in parts(path).items():
        if name.endswith((".xml", ".rels", ".vml")):
            SafeET.fromstring(content)  # raises on malformed XML or an unbound prefix


def data_cells(path: Path, sheet: str) -> list[tuple]:
    return [tuple(r) for r in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


def sheet_part(path: Path, sheet: str) -> str:
    """The part holding ``sheet``, as the package references it."""
    data = parts(path)
    rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="(\w+)"'.encode(), data["xl/workbook.xml"]).group(1)
    target = re.search(rb'Target="([^"]+)" Id="' + rid + rb'"|Id="' + rid + rb'"[^>]*Target="([^"]+)"',
                       data["xl/_rels/workbook.xml.rels"])
    target = (target.group(1) or target.group(2)).decode()
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


# ---- issue 8: an Excel table and an autofilter; characters XML cannot hold

def table_book(path: Path) -> Path:
    """openpyxl declares the r prefix only on <tablePart>: adding notes used to leave r:id unbound."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = ROSTER
    ws.append(schema.ROSTER.headers)
    ws.append(["P001", "张三", "男", "教职工党员", "正式党员"])
    ws.append(["P002", "李四", "女", "学生党员", "预备党员"])
    ws.add_table(Table(displayName="名册表", ref="A1:E3"))
    log = wb.create_sheet(LOG)
    log.append(schema.CONTACT_LOG.headers)
    log.append(["2026-13-05", "P001", "张三", "T001", "", "谈心谈话", "了解学习生活情况"])
    log.auto_filter.ref = "A1:L2"
    wb.save(path)
    return path


@pytest.mark.parametrize("in_place", [False, True])
def test_marks_on_a_sheet_with_an_excel_table_keep_it_well_formed(tmp_path, in_place):
    book = table_book(tmp_path / "支部A.xlsx")
    dest = book if in_place else tmp_path / "out.xlsx"
    stats = save_outputs(book, dest, report=sample_report())
    assert stats.engine == "fast" and stats.marked == 4
    assert_every_part_parses(dest)
    wb = openpyxl.load_workbook(dest)
    assert list(wb[ROSTER].tables) == ["名册表"] and wb[ROSTER].tables["名册表"].ref == "A1:E3"
    assert wb[LOG].auto_filter.ref == "A1:L2"
    assert wb[ROSTER]["B2"].comment.text.startswith(schema.MARK_NOTE_PREFIX)
    assert clear_marks(dest, dest) == 4
    assert list(openpyxl.load_workbook(dest)[ROSTER].tables) == ["名册表"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_file_name_with_control_characters_does_not_break_the_findings_sheet(tmp_path, engine):
    book = make_workbook(tmp_path / "支部\x01A\x1f.xlsx")
    report = dataclasses.replace(sample_report(), file=book.name)
    out = tmp_path / "out.xlsx"
    save_outputs(book, out, report=report, engine=engine)
    assert_every_part_parses(out)
    header = openpyxl.load_workbook(out)[FINDINGS]["A1"].value
    assert "支部\ufffdA\ufffd.xlsx" in header


# ---- issue 14: an old output sheet whose relationships point at data parts

def hostile_findings_sheet(tmp_path: Path) -> Path:
    """A workbook that already has 问题清单, whose relationships point at the data sheets' parts."""
    book = make_workbook(tmp_path / "src.xlsx")
    first = tmp_path / "支部A.xlsx"
    save_outputs(book, first, report=sample_report(), engine="fast")
    data = parts(first)
    part = sheet_part(first, FINDINGS)
    rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    extra = "".join(
        f'<Relationship Id="rIdX{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="/{sheet_part(first, name)}"/>' for i, name in enumerate((ROSTER, LOG)))
    body = data.get(rels, b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                          b"</Relationships>")
    data[rels] = body.replace(b"</Relationships>", extra.encode() + b"</Relationships>")
    return rebuild(first, data)


@pytest.mark.parametrize("engine", [None, "fast"])
def test_replacing_an_output_sheet_removes_only_parts_nothing_else_references(tmp_path, engine):
    book = hostile_findings_sheet(tmp_path)
    roster, log = data_cells(book, ROSTER), data_cells(book, LOG)
    out = tmp_path / "out.xlsx"
    save_outputs(book, out, report=sample_report(), engine=engine)
    wb = openpyxl.load_workbook(out)
    assert {ROSTER, LOG, FINDINGS} <= set(wb.sheetnames)
    assert data_cells(out, ROSTER) == roster and data_cells(out, LOG) == log


def test_an_output_sheet_sharing_a_data_sheets_part_gets_its_own(tmp_path):
    """问题清单's workbook relationship names 党员名册's part: writing 问题清单 must not overwrite the roster."""
    book = make_workbook(tmp_path / "src.xlsx")
    first = tmp_path / "支部A.xlsx"
    save_outputs(book, first, report=sample_report(), engine="fast")
    data = parts(first)
    roster_part, findings_part = sheet_part(first, ROSTER), sheet_part(first, FINDINGS)
    rels = data["xl/_rels/workbook.xml.rels"].decode()
    data["xl/_rels/workbook.xml.rels"] = re.sub(
        r'(Target=")/?(?:xl/)?' + re.escape(findings_part.removeprefix("xl/")) + '"',
        rf'\1/{roster_part}"', rels).encode()
    rebuild(first, data)
    roster = data_cells(first, ROSTER)
    out = tmp_path / "out.xlsx"
    save_outputs(first, out, report=sample_report(), engine="fast")
    assert data_cells(out, ROSTER) == roster
    assert openpyxl.load_workbook(out)[FINDINGS]["A3"].value == "错误"


# ---- issue 14: a '>' inside an attribute of the source sheet XML

@pytest.mark.parametrize("where", ["root", "row", "cell"])
def test_a_greater_than_sign_inside_an_attribute_gives_an_output_that_reopens(tmp_path, where):
    book = make_workbook(tmp_path / "支部A.xlsx")
    data = parts(book)
    part = sheet_part(book, LOG)
    xml = data[part]
    if where == "root":
        xml = xml.replace(b"<worksheet ", b'<worksheet extra="a>b" ', 1)
    elif where == "row":
        xml = xml.replace(b'<row r="2"', b'<row r="2" extra="a>b"', 1)
    else:
        xml = re.sub(rb'<c r="A2"([^>]*)>', rb'<c r="A2"\1 extra="1>0">', xml, count=1)
    data[part] = xml
    rebuild(book, data)
    before = data_cells(book, LOG)
    out = tmp_path / "out.xlsx"
    stats = save_outputs(book, out, report=sample_report())
    assert stats.marked == 4
    assert_every_part_parses(out)
    assert data_cells(out, LOG) == before
    assert openpyxl.load_workbook(out)[LOG]["B3"].fill.fgColor.rgb.endswith("FFEB84")


# ---- issue 14: only referenced parts are read

def with_log_target(tmp_path: Path, target: str | None) -> Path:
    """联系记载's relationship pointed at ``target`` (None: no relationship); its real part stays in the zip."""
    book = make_workbook(tmp_path / "支部A.xlsx")
    data = parts(book)
    rels = data["xl/_rels/workbook.xml.rels"].decode()
    log_target = "/" + sheet_part(book, LOG)
    if target is None:
        rels = re.sub(r'<Relationship [^>]*Target="' + re.escape(log_target) + r'"[^>]*/>', "", rels)
    else:
        rels = rels.replace(f'Target="{log_target}"', f'Target="{target}"')
    data["xl/_rels/workbook.xml.rels"] = rels.encode()
    return rebuild(book, data)


@pytest.mark.parametrize("target, says", [
    ("worksheets/missing.xml", "不在文件中"),
    ("../../sheet2.xml", "工作簿以外"),
    ("../../xl/worksheets/sheet2.xml", "工作簿以外"),
    ("file:///etc/passwd", "工作簿以外"),
    (None, "关系缺失"),
])
def test_a_sheet_whose_reference_is_broken_is_refused_with_its_name(tmp_path, target, says):
    book = with_log_target(tmp_path, target)
    with pytest.raises(UnreadableFile) as err:
        read_book(book)
    assert f"「{LOG}」" in str(err.value) and says in str(err.value)
    assert not re.search(r"[A-Z][a-z]+(Error|NotFound)", str(err.value))
    result = CliRunner().invoke(main, ["validate", str(book)])
    assert result.exit_code == 2 and "未发现问题" not in result.output


# ---- issue 14: macros and stray entries

def with_macros(path: Path, suffix: str) -> Path:
    """The sample workbook with a VBA project, as an .xlsm (or renamed to .xlsx), plus stray zip entries."""
    book = make_workbook(path.with_name("plain.xlsx"))
    data = parts(book)
    data["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 not really OLE, never executed"
    rels = data["xl/_rels/workbook.xml.rels"].decode()
    data["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", f'<Relationship Id="rIdVba" Type="{VBA_TYPE}" Target="vbaProject.bin"/></Relationships>').encode()
    ct = data["[Content_Types].xml"].decode()
    ct = ct.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    ct = ct.replace("</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    data["[Content_Types].xml"] = ct.encode()
    data["../../evil.txt"] = b"outside"
    data["xl/stray.bin"] = b"nothing references me"
    data["xl/\x1b[2Jclear.bin"] = b"a terminal escape in a name"
    return rebuild(book, data, path.with_suffix(suffix))


def assert_macro_free(path: Path) -> None:
    data = parts(path)
    assert not any("vbaProject" in n for n in data)
    assert b"macroEnabled" not in data["[Content_Types].xml"]
    assert VBA_TYPE.encode() not in data["xl/_rels/workbook.xml.rels"]
    assert "../../evil.txt" not in data and "xl/stray.bin" not in data
    openpyxl.load_workbook(path)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("suffix", [".xlsm", ".xlsx"])
def test_outputs_of_o_carry_no_macros_or_stray_entries_and_say_so(tmp_path, engine, suffix):
    book = with_macros(tmp_path / "支部A", suffix)
    original = book.read_bytes()
    out = tmp_path / "out.xlsx"
    stats = save_outputs(book, out, report=sample_report(), engine=engine)
    assert stats.engine == engine
    assert_macro_free(out)
    assert any("宏" in line and "没有写入" in line for line in stats.notices)
    assert any("evil.txt" in line and "stray.bin" in line for line in stats.notices)
    assert not any("\x1b" in line for line in stats.notices)  # names from the file are printed safely
    assert book.read_bytes() == original


@pytest.mark.parametrize("engine", ENGINES)
def test_in_place_on_an_xlsm_keeps_its_macros_and_says_so(tmp_path, engine):
    book = with_macros(tmp_path / "支部A", ".xlsm")
    vba = parts(book)["xl/vbaProject.bin"]
    stats = save_outputs(book, book, report=sample_report(), engine=engine)
    data = parts(book)
    assert data["xl/vbaProject.bin"] == vba and b"macroEnabled" in data["[Content_Types].xml"]
    assert "../../evil.txt" not in data and "xl/stray.bin" not in data
    assert any("已原样保留" in line for line in stats.notices)
    notices: list[str] = []
    clear_marks(book, book, engine=engine, notices=notices)
    assert parts(book)["xl/vbaProject.bin"] == vba and any("已原样保留" in line for line in notices)


def test_in_place_on_a_renamed_xlsx_drops_the_macros(tmp_path):
    book = with_macros(tmp_path / "支部A", ".xlsx")
    stats = save_outputs(book, book, report=sample_report())
    assert_macro_free(book)
    assert any("没有写入" in line for line in stats.notices)


def test_cli_o_from_an_xlsm_writes_an_xlsx_and_in_place_keeps_the_macros(tmp_path):
    book = with_macros(tmp_path / "支部A", ".xlsm")
    refused = CliRunner().invoke(main, ["validate", str(book), "-o", str(tmp_path / "out.xlsm")])
    assert refused.exit_code == 2 and ".xlsx" in refused.output
    done = CliRunner().invoke(main, ["validate", str(book), "-o", str(tmp_path / "out.xlsx")])
    assert done.exit_code in (0, 1) and "宏" in done.output
    assert_macro_free(tmp_path / "out.xlsx")
    vba = parts(book)["xl/vbaProject.bin"]
    kept = CliRunner().invoke(main, ["validate", str(book), "--in-place"])
    assert kept.exit_code in (0, 1) and "已原样保留" in kept.output
    assert parts(book)["xl/vbaProject.bin"] == vba


# ---- the verify step

def test_a_fast_result_that_fails_verification_falls_back_to_openpyxl(tmp_path, monkeypatch):
    from dj_addin.xlsx import splice

    book = make_workbook(tmp_path / "支部A.xlsx")
    real = splice.save_fast

    def spoiled(src, tmp, *args, **kw):
        counts = real(src, tmp, *args, **kw)
        data = parts(tmp)
        data["xl/workbook.xml"] = data["xl/workbook.xml"].replace(b"</sheets>", b"<sheets>", 1)
        rebuild(tmp, data)
        return counts

    monkeypatch.setattr(splice, "save_fast", spoiled)
    stats = save_outputs(book, book, report=sample_report())
    assert stats.engine == "openpyxl"
    assert_every_part_parses(book)
    assert openpyxl.load_workbook(book)[LOG]["A2"].comment.text.startswith(schema.MARK_NOTE_PREFIX)


def test_when_both_writers_fail_verification_nothing_is_replaced(tmp_path, monkeypatch):
    from dj_addin.xlsx.verify import VerifyFailed

    book = make_workbook(tmp_path / "支部A.xlsx")
    original, before = book.read_bytes(), snapshot(book)

    def always_fails(*a, **k):
        raise VerifyFailed("simulated")

    monkeypatch.setattr(save_module, "verify_written", always_fails)
    with pytest.raises(DjError) as err:
        save_outputs(book, book, report=sample_report())
    assert "原文件没有改动" in str(err.value)
    assert book.read_bytes() == original and snapshot(book) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [book.name]
