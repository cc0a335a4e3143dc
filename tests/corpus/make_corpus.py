"""Generate the third-party-style corpus: workbooks as other programs write them.

Run ``python tests/corpus/make_corpus.py OUT_DIR`` (tests call ``make_corpus``).
Every file holds the same small invented roster (``PEOPLE``) so a reader that
reads it can be checked for the same values. Files are generated, never
committed; each entry says what it reproduces and what the reader must do:
``read`` (the roster comes out equal) or ``S001:<phrase>`` (refused with a
Chinese line containing the phrase, which says what to do).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import xlsxwriter

HEADERS = ["党员编号", "姓名", "党员类别", "党员身份", "入党日期"]
PEOPLE = [
    ["2023001", "张小一", "学生党员", "正式党员", dt.date(2021, 6, 1)],
    ["2023002", "李小二", "教职工党员", "预备党员", dt.date(2025, 11, 20)],
    ["2023003", "王小三", "学生党员", "正式党员", dt.date(2019, 12, 30)],
]
META = [["项目", "内容"], ["单位编码", "D0101"], ["单位名称", "示例第一党支部"], ["考核年度", 2026]]

Maker = Callable[[Path], None]
CORPUS: dict[str, tuple[str, str, Maker]] = {}  # file name → (what it reproduces, expected outcome, maker)


def entry(name: str, what: str, expected: str = "read"):
    def register(fn: Maker) -> Maker:
        CORPUS[name] = (what, expected, fn)
        return fn
    return register


# ---------------------------------------------------------------- writers

def _openpyxl_book(path: Path, edit: Callable[[openpyxl.Workbook], None] | None = None) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本信息"
    for r in META:
        ws.append(r)
    ws = wb.create_sheet("党员名册")
    ws.append(HEADERS)
    for p in PEOPLE:
        ws.append(p)
        ws.cell(ws.max_row, 5).number_format = "yyyy-mm-dd"
    if edit:
        edit(wb)
    wb.save(path)


def _xlsxwriter_book(path: Path, options: dict | None = None,
                     edit: Callable[[xlsxwriter.Workbook, object], None] | None = None,
                     rich: bool = False) -> None:
    wb = xlsxwriter.Workbook(str(path), options or {})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    if edit:
        edit(wb, None)
    meta = wb.add_worksheet("基本信息")
    for r, row in enumerate(META):
        meta.write_row(r, 0, row)
    ws = wb.add_worksheet("党员名册")
    ws.write_row(0, 0, HEADERS)
    bold = wb.add_format({"bold": True, "font_color": "red"})
    for r, p in enumerate(PEOPLE, start=1):
        ws.write_string(r, 0, p[0])
        if rich:
            ws.write_rich_string(r, 1, bold, p[1][:1], p[1][1:])
        else:
            ws.write_string(r, 1, p[1])
        ws.write_string(r, 2, p[2])
        ws.write_string(r, 3, p[3])
        ws.write_datetime(r, 4, dt.datetime.combine(p[4], dt.time()), date)
    wb.close()


def _png() -> bytes:
    """A 1×1 red PNG, built by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"\x00\xff\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _rezip(src: Path, dst: Path, rename: Callable[[str], str] = lambda n: n,
           edit: Callable[[str, bytes], bytes] = lambda n, d: d) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            zout.writestr(rename(name), edit(name, zin.read(name)))


def _standard(tmp: Path) -> Path:
    src = tmp.with_name(tmp.stem + ".base.xlsx")
    _openpyxl_book(src)
    return src


# ---------------------------------------------------------------- entries

@entry("openpyxl.xlsx", "openpyxl, shared strings, dates with a number format")
def _(path: Path) -> None:
    _openpyxl_book(path)


@entry("openpyxl_title_rows.xlsx", "merged title and a note above the header row")
def _(path: Path) -> None:
    def edit(wb):
        ws = wb["党员名册"]
        ws.insert_rows(1, 2)
        ws["A1"] = "党员信息表"
        ws.merge_cells("A1:E1")
        ws["A2"] = "导出时间：2026-11-01"
    _openpyxl_book(path, edit)


@entry("openpyxl_hidden_sheets_and_validation.xlsx", "hidden and very hidden sheets, data validation, comments")
def _(path: Path) -> None:
    from openpyxl.comments import Comment
    from openpyxl.worksheet.datavalidation import DataValidation

    def edit(wb):
        ws = wb["党员名册"]
        dv = DataValidation(type="list", formula1='"学生党员,教职工党员"')
        ws.add_data_validation(dv)
        dv.add("C2:C100")
        ws["B2"].comment = Comment("备注", "作者")
        wb.create_sheet("隐藏").sheet_state = "hidden"
        wb.create_sheet("深度隐藏").sheet_state = "veryHidden"
    _openpyxl_book(path, edit)


@entry("xlsxwriter.xlsx", "xlsxwriter, shared strings")
def _(path: Path) -> None:
    _xlsxwriter_book(path)


@entry("xlsxwriter_inline_strings.xlsx", "inline strings (xlsxwriter constant_memory)")
def _(path: Path) -> None:
    _xlsxwriter_book(path, {"constant_memory": True})


@entry("xlsxwriter_rich_text.xlsx", "rich text runs in name cells")
def _(path: Path) -> None:
    _xlsxwriter_book(path, rich=True)


@entry("xlsxwriter_1904.xlsx", "the 1904 date system (Mac Excel)")
def _(path: Path) -> None:
    _xlsxwriter_book(path, {"date_1904": True})


@entry("xlsxwriter_chartsheet_picture.xlsx", "a chart sheet first, a picture, a chart on the data sheet")
def _(path: Path) -> None:
    import io

    wb = xlsxwriter.Workbook(str(path))
    chart_sheet = wb.add_chartsheet("图表")
    meta = wb.add_worksheet("基本信息")
    for r, row in enumerate(META):
        meta.write_row(r, 0, row)
    ws = wb.add_worksheet("党员名册")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, HEADERS)
    for r, p in enumerate(PEOPLE, start=1):
        ws.write_row(r, 0, p[:4])
        ws.write_datetime(r, 4, dt.datetime.combine(p[4], dt.time()), date)
    ws.insert_image("H2", "pixel.png", {"image_data": io.BytesIO(_png())})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=基本信息!$B$4:$B$4"})
    chart_sheet.set_chart(chart)
    chart2 = wb.add_chart({"type": "bar"})
    chart2.add_series({"values": "=基本信息!$B$4:$B$4"})
    ws.insert_chart("H10", chart2)
    wb.close()


@entry("shared_formulas.xlsx", "shared formulas with cached values (as Excel writes them)")
def _(path: Path) -> None:
    base = _standard(path)

    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet2.xml":
            return data
        for r in range(1, 5):
            if r == 1:
                cell = '<c r="F1" t="inlineStr"><is><t>备注</t></is></c>'.encode()
            else:
                f = '<f t="shared" ref="F2:F4" si="0">LEN(B2)</f>' if r == 2 else '<f t="shared" si="0"/>'
                cell = f'<c r="F{r}">{f}<v>3</v></c>'.encode()
            data = re.sub(rb'(<row r="%d"[^>]*>.*?)(</row>)' % r, lambda m: m.group(1) + cell + m.group(2), data,
                          count=1, flags=re.DOTALL)
        return data
    _rezip(base, path, edit=edit)
    base.unlink()


@entry("poi_ooxml_named.xls", "an Office Open XML workbook named .xls (Apache POI exports)")
def _(path: Path) -> None:
    base = _standard(path)
    base.rename(path)


@entry("backslash_parts.xlsx", "part names with backslashes (a Chinese attendance export)")
def _(path: Path) -> None:
    base = _standard(path)
    _rezip(base, path, rename=lambda n: n.replace("/", "\\"))
    base.unlink()


@entry("root_parts.xlsx", "the workbook's parts at the package root, not under xl/")
def _(path: Path) -> None:
    base = _standard(path)

    def rename(n: str) -> str:
        return n[3:] if n.startswith("xl/") else n

    def edit(name: str, data: bytes) -> bytes:
        return data.replace(b'"/xl/', b'"/').replace(b'Target="xl/', b'Target="')
    _rezip(base, path, rename, edit)
    base.unlink()


STRICT = ((b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
          (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
           b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
          (b"http://schemas.openxmlformats.org/drawingml/2006/", b"http://purl.oclc.org/ooxml/drawingml/"))


@entry("strict_open_xml.xlsx", "Strict Open XML (namespaces under purl.oclc.org), as Excel saves it")
def _(path: Path) -> None:
    base = _standard(path)

    def edit(name: str, data: bytes) -> bytes:
        for transitional, strict in STRICT:
            data = data.replace(transitional, strict)
        if name == "xl/workbook.xml":
            data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
        return data
    _rezip(base, path, edit=edit)
    base.unlink()


@entry("strict_backslash_root.xlsx", "Strict, backslashes and root parts at once")
def _(path: Path) -> None:
    strict = path.with_name("s.tmp.xlsx")
    CORPUS["strict_open_xml.xlsx"][2](strict)
    _rezip(strict, path, rename=lambda n: (n[3:] if n.startswith("xl/") else n).replace("/", "\\"),
           edit=lambda n, d: d.replace(b'"/xl/', b'"/').replace(b'Target="xl/', b'Target="'))
    strict.unlink()


@entry("sheet_state_show.xlsx", "a sheet state Excel does not write (state=\"show\", as exceljs once wrote)")
def _(path: Path) -> None:
    base = _standard(path)
    _rezip(base, path, edit=lambda n, d: d.replace(b'state="visible" r:id="rId2"', b'state="show" r:id="rId2"')
           if n == "xl/workbook.xml" else d)
    base.unlink()


@entry("macro_and_dialog_sheets.xlsm", "an Excel 4 macro sheet and a dialog sheet beside the data")
def _(path: Path) -> None:
    base = _standard(path)
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = b"http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
    dialog = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/dialogsheet"

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            return data.replace(b"</sheets>", b'<sheet name="Macro1" sheetId="90" r:id="rIdM"/>'
                                b'<sheet name="Dialog1" sheetId="91" r:id="rIdD"/></sheets>')
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>",
                                b'<Relationship Id="rIdM" Type="' + rel + b'" Target="macrosheets/sheet1.xml"/>'
                                b'<Relationship Id="rIdD" Type="' + dialog + b'" Target="dialogsheets/sheet1.xml"/>'
                                b"</Relationships>")
        return data
    _rezip(base, path, edit=edit)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/macrosheets/sheet1.xml", b'<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/'
                    b'excel/2006/main" ' + ns.replace(b"xmlns=", b"xmlns:x=") + b"><x:sheetData/></xm:macrosheet>")
        zf.writestr("xl/dialogsheets/sheet1.xml", b"<dialogsheet " + ns + b"><sheetData/></dialogsheet>")
    base.unlink()


@entry("html_table.xls", "an HTML table saved as .xls (web systems' 导出Excel)", "S001:另存为")
def _(path: Path) -> None:
    rows = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in p) + "</tr>" for p in [HEADERS] + PEOPLE)
    path.write_text(f"<html><head><meta charset='utf-8'></head><body><table>{rows}</table></body></html>",
                    encoding="utf-8")


@entry("spreadsheetml_2003.xls", "SpreadsheetML 2003 XML saved as .xls", "S001:另存为")
def _(path: Path) -> None:
    path.write_text('<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
                    '<Worksheet ss:Name="党员名册"/></Workbook>', encoding="utf-8")


@entry("ole_legacy.xls", "a real Excel 97-2003 file (OLE compound file)", "S001:另存为")
def _(path: Path) -> None:
    import olefile  # noqa: F401 - the reader's own dependency; a minimal OLE header is enough to be recognised

    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4088)


@entry("encrypted.xlsx", "password-protected OOXML (an encrypted OLE container)", "S001:密码")
def _(path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    base = _standard(path)
    with base.open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    base.unlink()


@entry("truncated.xlsx", "a workbook cut off in transfer", "S001:请")
def _(path: Path) -> None:
    base = _standard(path)
    data = base.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    base.unlink()


@entry("csv_named.xlsx", "comma-separated text named .xlsx", "S001:请")
def _(path: Path) -> None:
    path.write_text("\n".join(",".join(map(str, p)) for p in [HEADERS] + PEOPLE), encoding="utf-8")


def make_corpus(out: Path, libreoffice: bool = True) -> dict[str, tuple[str, str]]:
    """Write every corpus file into ``out``; return name → (what, expected).
    With ``libreoffice`` (and soffice installed) LibreOffice conversions are added."""
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, tuple[str, str]] = {}
    for name, (what, expected, maker) in CORPUS.items():
        maker(out / name)
        made[name] = (what, expected)
    if libreoffice:
        made.update(_libreoffice(out))
    return made


def _libreoffice(out: Path) -> dict[str, tuple[str, str]]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import libreoffice as lo  # tests/libreoffice.py

    if not lo.available():
        return {}
    src = out / "lo_source.xlsx"
    _openpyxl_book(src)
    made: dict[str, tuple[str, str]] = {}
    folder = out / "lo"
    for fmt, name, what, expected in (("xlsx", "libreoffice.xlsx", "saved by LibreOffice Calc", "read"),
                                      ("xls", "libreoffice.xls", "a real .xls written by LibreOffice", "S001:另存为"),
                                      ("ods", "libreoffice.ods", "OpenDocument spreadsheet", "S001:另存为")):
        converted = lo.convert(src, fmt, folder)
        converted.rename(out / name)
        made[name] = (what, expected)
    src.unlink()
    folder.rmdir()
    return made


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus_out")
    for name, (what, expected) in make_corpus(target).items():
        print(f"{name}\t{expected}\t{what}")
