"""How the template looks: colours, fonts, borders, number formats, print
setup and row heights, shared by every sheet the template builds."""

from __future__ import annotations

from dataclasses import replace

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from dj_addin.plans.inputs import column_format  # noqa: F401 (the template's column formats, shared)
from dj_addin.plans.types import Line, Style

DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
TEXT_FORMAT = "@"
INT_FORMAT = "0"

# The named CJK font of every cell (charset GB2312 lets Excel substitute 宋体 where 等线 is missing);
# the same as the output sheets' (plans/look.py).
FONT_NAME = "等线"
CHARSET = 134


def cjk_font(**kw) -> Font:
    """A font in the house CJK face."""
    return Font(name=FONT_NAME, charset=CHARSET, **kw)


RED = "FFC00000"
GRID_GREY = "FFBFBFBF"
NOTE_GREY = "FF7F7F7F"
FORMULA_GOLD = "FFFFF2CC"
_THIN = Side(style="thin", color=GRID_GREY)
GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
REQUIRED_FILL = PatternFill("solid", fgColor=RED)
REQUIRED_FONT = cjk_font(bold=True, color="FFFFFFFF")
OPTIONAL_RGB = "FFFCE4D6"
OPTIONAL_FILL = PatternFill("solid", fgColor=OPTIONAL_RGB)
OPTIONAL_FONT = cjk_font(bold=True, color="FF000000")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
TITLE_FONT = cjk_font(bold=True, size=16, color=RED)
SECTION_FONT = cjk_font(bold=True, size=12, color=RED)
NOTE_FONT = cjk_font(italic=True, color=NOTE_GREY)
WRAP_TOP = Alignment(vertical="top", wrap_text=True)
FORMULA_FILL = PatternFill("solid", fgColor=FORMULA_GOLD)
TAB_INFO = "FF2F5597"
TAB_KV = "FF7F7F7F"
TAB_DATA = RED


# The same looks as plain plan styles (plans.types.Style), for sheets the template shares with the
# merged workbook (概览, the data sheets' headers): every renderer draws them.
PLAIN_FONT = Style(font_name=FONT_NAME, charset=CHARSET)
TEMPLATE_FONT = Style(font_name=FONT_NAME, charset=CHARSET, size=11)  # the workbook's default (default_font)
PLAIN_GRID = Line("thin", GRID_GREY)
HEADER_REQUIRED = Style(font_name=FONT_NAME, charset=CHARSET, bold=True, color="FFFFFFFF", fill=RED,
                        horizontal="center", vertical="center", wrap=True, border=PLAIN_GRID)
HEADER_OPTIONAL = replace(HEADER_REQUIRED, color="FF000000", fill=OPTIONAL_RGB)
NOTE_STYLE = Style(font_name=FONT_NAME, charset=CHARSET, italic=True, color=NOTE_GREY)
HEADER_HEIGHT = 30  # the data sheets' header row (points)


def default_font(wb) -> None:
    """The workbook's default font (every cell without its own) in the house CJK face."""
    from openpyxl.styles.colors import Color
    from openpyxl.utils.indexed_list import IndexedList

    wb._fonts = IndexedList([Font(name=FONT_NAME, sz=11, family=2, charset=CHARSET, color=Color(theme=1))])


def style_header(cell, required: bool) -> None:
    cell.font = REQUIRED_FONT if required else OPTIONAL_FONT
    cell.fill = REQUIRED_FILL if required else OPTIONAL_FILL
    cell.alignment = HEADER_ALIGN
    cell.border = GRID


def print_setup(ws: Worksheet, title_rows: str | None = "1:1") -> None:
    """A4 landscape, fitted to one page wide, on every sheet."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    if title_rows:
        ws.print_title_rows = title_rows
    ws.page_margins.top, ws.page_margins.bottom = 0.75, 0.7
    ws.oddHeader.center.text = "&A"
    ws.oddHeader.center.font = f"{FONT_NAME},Regular"
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.font = f"{FONT_NAME},Regular"


def row_height(text: str, width: float) -> float:
    """A row height that shows all of a wrapped text in a column ``width`` wide.

    Excel neither auto-fits merged cells nor rows of a generated file, so the
    height is estimated: a CJK character takes two width units, others one.
    """
    usable = max(width - 2, 10)
    lines = 0
    for part in text.split("\n"):
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in part)
        lines += max(1, -(-units // int(usable)))
    return lines * 16.5
