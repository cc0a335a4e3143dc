"""A corpus of workbooks carrying the features other programs write, for the write contract.

    python tests/feature_books.py OUT_DIR     # writes the corpus (LibreOffice copies when soffice is there)

Every book has the data sheets 党员名册 and 联系记载 (so validation marks
land on sheets that carry the features) plus a hidden list sheet and a
right-to-left notes sheet. Features, and the producer that writes them:

- xlsxwriter: an Excel table, an autofilter, data validations (plain and in
  the x14 extension list, as Excel writes lists on other sheets), conditional
  formats, defined names (global, sheet-local, print area), notes, an Excel
  365 threaded comment with its person list, an image, a chart, hyperlinks
  (external and internal), sheet protection, a hidden sheet, a right-to-left
  sheet, shared formulas (as Excel writes a filled-down formula);
- openpyxl: the same where openpyxl can (no image: that needs Pillow),
  with inline strings instead of shared strings;
- LibreOffice: the xlsxwriter book saved again by LibreOffice Calc.

Parts that the producers cannot write (x14 validations, threaded comments,
shared formulas) are added to the package as Excel writes them.
"""

from __future__ import annotations

import io
import re
import struct
import sys
import zipfile
import zlib
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dj_addin import schema  # noqa: E402

ROSTER, LOG = schema.ROSTER.name, schema.CONTACT_LOG.name
LISTS, NOTES_SHEET = "名单", "备注"
MEMBERS = [["P001", "张三", "男", "教职工党员", "正式党员"], ["P002", "李四", "女", "学生党员", "预备党员"],
           ["P003", "王五", "男", "学生党员", "正式党员"]]
LOG_ROWS = 6
FORMULA_COL = "M"  # a filled-down formula beside the log: shared formulas once Excel has saved it

X14_VALIDATION = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    f"<x14:formula1><xm:f>{LISTS}!$A$1:$A$4</xm:f></x14:formula1><xm:sqref>D2:D40</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>")
THREADED_NS = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
PERSON_ID = "{6A1D1A2B-3C4D-4E5F-8A9B-0C1D2E3F4A5B}"
THREADED_PARTS = {
    "xl/threadedComments/threadedComment1.xml": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<ThreadedComments xmlns="{THREADED_NS}" '
        'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<threadedComment ref="B2" dT="2026-03-01T08:00:00.00" personId="{PERSON_ID}" '
        'id="{11111111-2222-4333-8444-555555555555}"><text>这条记录请补充对象编号</text></threadedComment>'
        f'<threadedComment ref="B2" dT="2026-03-02T09:00:00.00" personId="{PERSON_ID}" '
        'id="{11111111-2222-4333-8444-666666666666}" parentId="{11111111-2222-4333-8444-555555555555}">'
        "<text>已补充</text></threadedComment></ThreadedComments>"),
    "xl/persons/person.xml": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<personList xmlns="{THREADED_NS}" '
        'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<person displayName="王书记" id="{PERSON_ID}" userId="wang@example.org" providerId="None"/></personList>'),
}
THREADED_TYPES = {"xl/threadedComments/threadedComment1.xml": "application/vnd.ms-excel.threadedcomments+xml",
                  "xl/persons/person.xml": "application/vnd.ms-excel.person+xml"}
RT_THREADED = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
RT_PERSON = "http://schemas.microsoft.com/office/2017/10/relationships/person"


def png(width: int = 4, height: int = 3) -> bytes:
    """A small red PNG, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xcc\x20\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def log_row(i: int) -> list:
    return [f"2026-03-{i + 1:02d}", MEMBERS[i % 3][0], MEMBERS[i % 3][1], f"T{i:03d}", f"群众{i}", "谈心谈话",
            "了解学习生活情况", "希望增加自习室开放时间", "已办结"]


# ---- producers

def xlsxwriter_book(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    red = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    blue = wb.add_format({"bg_color": "#00B0F0"})
    roster = wb.add_worksheet(ROSTER)
    roster.add_table(0, 0, len(MEMBERS), len(schema.ROSTER.headers) - 1,
                     {"name": "名册表", "style": "Table Style Medium 2", "data": MEMBERS,
                      "columns": [{"header": h} for h in schema.ROSTER.headers]})
    roster.conditional_format(1, 0, 40, 0, {"type": "formula", "criteria": '=LEFT($A2,1)<>"P"', "format": red})
    roster.protect("", {"format_cells": True, "sort": True, "autofilter": True})
    roster.write_string(2, 1, MEMBERS[1][1], blue)
    log = wb.add_worksheet(LOG)
    log.write_row(0, 0, schema.CONTACT_LOG.headers)
    for i in range(LOG_ROWS):
        log.write_row(i + 1, 0, log_row(i))
        log.write_formula(f"{FORMULA_COL}{i + 2}", f"=LEN(B{i + 2})&\"位\"", None, f"{len(log_row(i)[1])}位")
    log.write_string(1, 0, "2026-13-05")  # a date validation will flag
    log.autofilter(0, 0, LOG_ROWS, len(schema.CONTACT_LOG.headers) - 1)
    log.data_validation(1, 5, 40, 5, {"validate": "list", "source": ["谈心谈话", "走访", "电话/网络"]})
    log.conditional_format(1, 1, 40, 1, {"type": "cell", "criteria": "==", "value": '"P999"', "format": red})
    log.write_comment("C3", "请核对姓名", {"author": "王书记"})
    log.write_url("I2", "https://example.org/党建/办结?id=1&x=2", string="已办结")
    log.write_url("J3", f"internal:'{ROSTER}'!A2", string="见名册")
    log.insert_image("O2", "logo.png", {"image_data": io.BytesIO(png()), "x_scale": 4, "y_scale": 4})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "联系次数", "categories": f"='{LOG}'!$B$2:$B${LOG_ROWS + 1}",
                      "values": f"='{LOG}'!$A$2:$A${LOG_ROWS + 1}"})
    log.insert_chart("O8", chart)
    log.print_area(0, 0, LOG_ROWS, 12)
    lists = wb.add_worksheet(LISTS)
    lists.write_column(0, 0, ["T000", "T001", "T002", "T003"])
    lists.hide()
    notes = wb.add_worksheet(NOTES_SHEET)
    notes.right_to_left()
    notes.write_row(0, 0, ["事项", "说明"])
    notes.write_row(1, 0, ["提醒", "季度末前补录"])
    notes.write_comment("B2", "[Threaded comment]\n\nYour version of Excel allows you to read this threaded comment; "
                              "however, any edits to it will get removed if the file is opened in a newer version "
                              "of Excel. Learn more: https://go.microsoft.com/fwlink/?linkid=870924\n\nComment:\n"
                              "    这条记录请补充对象编号", {"author": "tc=" + PERSON_ID})
    wb.define_name("党员编号列", f"='{ROSTER}'!$A$2:$A$40")
    wb.define_name(f"'{LOG}'!重点", f"='{LOG}'!$B$2:$B$4")
    wb.close()
    return excel_touches(path, shared_formulas=True, x14=True, threaded=True)


def openpyxl_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    roster = wb.active
    roster.title = ROSTER
    roster.append(schema.ROSTER.headers)
    for m in MEMBERS:
        roster.append(m)
    roster.add_table(Table(displayName="名册表", ref=f"A1:E{len(MEMBERS) + 1}"))
    roster["B3"].fill = PatternFill("solid", fgColor="FF00B0F0")
    roster.conditional_formatting.add("A2:A40", FormulaRule(formula=['LEFT($A2,1)<>"P"'], fill=PatternFill(
        "solid", bgColor="FFFFC7CE")))
    roster.protection.sheet = True
    roster.protection.formatCells = False
    log = wb.create_sheet(LOG)
    log.append(schema.CONTACT_LOG.headers)
    for i in range(LOG_ROWS):
        log.append(log_row(i))
        log[f"{FORMULA_COL}{i + 2}"] = f'=LEN(B{i + 2})&"位"'
    log["A2"] = "2026-13-05"
    log.auto_filter.ref = f"A1:L{LOG_ROWS + 1}"
    dv = DataValidation(type="list", formula1='"谈心谈话,走访,电话/网络"', allow_blank=True)
    dv.add("F2:F40")
    log.add_data_validation(dv)
    log.conditional_formatting.add("B2:B40", CellIsRule(operator="equal", formula=['"P999"'], fill=PatternFill(
        "solid", bgColor="FFFFC7CE")))
    log["C3"].comment = Comment("请核对姓名", "王书记")
    log["I2"].hyperlink = "https://example.org/党建/办结?id=1&x=2"
    log["J3"].value = "见名册"
    log["J3"].hyperlink = f"#'{ROSTER}'!A2"
    log.freeze_panes = "B2"
    chart = BarChart()
    chart.add_data(Reference(log, min_col=13, min_row=1, max_row=LOG_ROWS + 1), titles_from_data=True)
    log.add_chart(chart, "O8")
    lists = wb.create_sheet(LISTS)
    for v in ("T000", "T001", "T002", "T003"):
        lists.append([v])
    lists.sheet_state = "hidden"
    notes = wb.create_sheet(NOTES_SHEET)
    notes.sheet_view.rightToLeft = True
    notes.append(["事项", "说明"])
    notes.append(["提醒", "季度末前补录"])
    wb.defined_names["党员编号列"] = DefinedName("党员编号列", attr_text=f"'{ROSTER}'!$A$2:$A$40")
    log.defined_names["重点"] = DefinedName("重点", attr_text=f"'{LOG}'!$B$2:$B$4")
    log.print_area = f"A1:M{LOG_ROWS + 1}"
    wb.save(path)
    return excel_touches(path, shared_formulas=False, x14=True, threaded=False)


# ---- what Excel adds that the producers cannot write

def excel_touches(path: Path, *, shared_formulas: bool, x14: bool, threaded: bool) -> Path:
    with zipfile.ZipFile(path) as zf:
        data = {n: zf.read(n) for n in zf.namelist()}
    parts = sheet_parts(data)
    if x14:
        key = parts[ROSTER]
        xml = data[key].decode()
        xml = xml.replace("</worksheet>", X14_VALIDATION + "</worksheet>") if "<extLst>" not in xml else xml
        data[key] = xml.encode()
    if shared_formulas:
        key = parts[LOG]
        data[key] = share_formulas(data[key].decode(), FORMULA_COL, 2, LOG_ROWS + 1).encode()
    if threaded:
        key = parts[NOTES_SHEET]
        folder, name = key.rsplit("/", 1)
        rels_name = f"{folder}/_rels/{name}.rels"
        data[rels_name] = data[rels_name].replace(
            b"</Relationships>", f'<Relationship Id="rIdTc1" Type="{RT_THREADED}" '
            'Target="../threadedComments/threadedComment1.xml"/></Relationships>'.encode())
        data["xl/_rels/workbook.xml.rels"] = data["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", f'<Relationship Id="rIdPs1" Type="{RT_PERSON}" Target="persons/person.xml"/>'
            "</Relationships>".encode())
        overrides = "".join(f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t in THREADED_TYPES.items())
        data["[Content_Types].xml"] = data["[Content_Types].xml"].replace(b"</Types>", overrides.encode() + b"</Types>")
        data.update({p: x.encode() for p, x in THREADED_PARTS.items()})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in data.items():
            zf.writestr(name, content)
    path.write_bytes(buf.getvalue())
    return path


def sheet_parts(data: dict[str, bytes]) -> dict[str, str]:
    """Sheet name → part, read from workbook.xml and its relationships."""
    rels = {m.group(1).decode(): m.group(2).decode() for m in re.finditer(
        rb'<Relationship\b(?=[^>]*\bId="([^"]+)")(?=[^>]*\bTarget="([^"]+)")[^>]*>', data["xl/_rels/workbook.xml.rels"])}
    out = {}
    for m in re.finditer(rb'<sheet\b[^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', data["xl/workbook.xml"]):
        target = rels[m.group(2).decode()]
        out[m.group(1).decode()] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


def share_formulas(xml: str, col: str, first: int, last: int) -> str:
    """Turn the formulas of ``col`` rows first..last into one shared formula group, as Excel saves them."""
    def one(m: re.Match) -> str:
        row = int(m.group(2))
        if row == first:
            return f'{m.group(1)}<f t="shared" ref="{col}{first}:{col}{last}" si="0">{m.group(3)}</f>'
        return f'{m.group(1)}<f t="shared" si="0"/>'
    pattern = re.compile(rf'(<c r="{col}(\d+)"[^>]*>)<f>(.*?)</f>')
    out = pattern.sub(lambda m: one(m) if first <= int(m.group(2)) <= last else m.group(0), xml)
    assert out.count('t="shared"') == last - first + 1, "no formulas to share"
    return out


PRODUCERS = {"xlsxwriter": xlsxwriter_book, "openpyxl": openpyxl_book}


def build_corpus(folder: Path, libreoffice=None) -> dict[str, Path]:
    """Every book of the corpus in ``folder``; ``libreoffice`` (tests/libreoffice.py) adds its copies."""
    folder.mkdir(parents=True, exist_ok=True)
    books = {name: make(folder / f"{name}.xlsx") for name, make in PRODUCERS.items()}
    if libreoffice is not None:
        converted = libreoffice.convert(books["xlsxwriter"], "xlsx", folder / "lo")
        books["libreoffice"] = converted.rename(folder / "libreoffice.xlsx")
    return books


if __name__ == "__main__":
    import libreoffice as lo

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "feature_books")
    for name, path in build_corpus(out, lo if lo.available() else None).items():
        print(f"{name}: {path}")
