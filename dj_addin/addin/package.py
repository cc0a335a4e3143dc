"""The Office package of the add-in: the parts of a macro-enabled ``.xlam`` around ``vbaProject.bin``.

An ``.xlam`` is a zip whose workbook part has the add-in content type
``application/vnd.ms-excel.addin.macroEnabled.main+xml``; the ribbon is a
``customUI/customUI14.xml`` part reached from the package's relationships.
The one worksheet is the add-in's ``xlwings.conf`` sheet (xlwings reads its
settings from a sheet of that name in the add-in; hidden, as every sheet of
an add-in is). Entries have a fixed timestamp, order and attributes, so the
same parts give the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
RIBBON_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_PART = "customUI/customUI14.xml"
CONFIG_SHEET = "xlwings.conf"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def content_types() -> str:
    sml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return (_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ADDIN_CONTENT_TYPE}"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sml}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{sml}.styles+xml"/>'
            f'<Override PartName="/xl/vbaProject.bin" ContentType="{VBA_CONTENT_TYPE}"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '</Types>')


def _relationships(rels: list[tuple[str, str, str]]) -> str:
    body = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in rels)
    return _HEAD + f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>'


def package_rels() -> str:
    return _relationships([
        ("rId1", f"{_REL}/officeDocument", "xl/workbook.xml"),
        ("rId2", RIBBON_RELATIONSHIP, RIBBON_PART),
        ("rId3", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
         "docProps/core.xml"),
    ])


def workbook_rels() -> str:
    return _relationships([
        ("rId1", f"{_REL}/worksheet", "worksheets/sheet1.xml"),
        ("rId2", f"{_REL}/styles", "styles.xml"),
        ("rId3", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin"),
    ])


def workbook() -> str:
    return (_HEAD + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<workbookPr codeName="ThisWorkbook"/>'
            '<bookViews><workbookView visibility="hidden"/></bookViews>'
            f'<sheets><sheet name="{CONFIG_SHEET}" sheetId="1" r:id="rId1"/></sheets>'
            '</workbook>')


def config_sheet(settings: list[tuple[str, str]]) -> str:
    """The ``xlwings.conf`` sheet: one setting per row, key in A, value in B (inline strings)."""
    rows = []
    for r, (key, value) in enumerate(settings, 1):
        cells = "".join(f'<c r="{col}{r}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
                        for col, text in (("A", key), ("B", value)))
        rows.append(f'<row r="{r}">{cells}</row>')
    return (_HEAD + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetPr codeName="Sheet1"/>'
            f'<sheetData>{"".join(rows)}</sheetData></worksheet>')


def styles() -> str:
    return (_HEAD + f'<styleSheet xmlns="{_MAIN}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '</styleSheet>')


def core_properties(title: str, description: str) -> str:
    """Title and description: Excel's Add-ins dialog shows them. No dates, so builds stay equal."""
    return (_HEAD + '<cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:title>{escape(title)}</dc:title><dc:description>{escape(description)}</dc:description>'
            '</cp:coreProperties>')


def write_package(parts: dict[str, bytes]) -> bytes:
    """A zip of ``parts`` in the given order, with fixed timestamps and attributes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, data, compresslevel=9)
    return buffer.getvalue()
