"""The house look of output sheets: colours, fonts and formats as plain data.

One place, so every renderer and the mark writer agree (``xlsx/styles.py``
builds its openpyxl objects from these values).
"""

from __future__ import annotations

from dj_addin import schema
from dj_addin.plans.types import Line, PrintSetup, Style
from dj_addin.schema import LEVELS

ERROR, WARNING, INFO = LEVELS

PURPLE = "FF7030A0"
OUTPUT_TAB_COLOR = PURPLE  # nobody uses it for data sheets
GRID_GREY = "FFBFBFBF"
LINK_BLUE = "FF0563C1"
WHITE = "FFFFFFFF"

# Conditional colours (light backgrounds, readable when printed in grey).
LIGHT_RED = "FFFFC7CE"
LIGHT_GREEN = "FFC6EFCE"
LIGHT_ORANGE = "FFFFD8A8"
LIGHT_YELLOW = "FFFFF2CC"
LIGHT_GREY = "FFEDEDED"
LEVEL_RGB: dict[str, str] = {ERROR: LIGHT_RED, WARNING: LIGHT_YELLOW, INFO: LIGHT_GREY}
ROLLUP_STATE_RGB: dict[str, str] = {"未达标": LIGHT_RED, "达标": LIGHT_GREEN, "进行中": LIGHT_GREY}
GRADE_RGB: dict[str, str] = {schema.GRADES[0]: LIGHT_GREEN, schema.GRADES[2]: LIGHT_ORANGE,
                             schema.GRADES[3]: LIGHT_RED}

PERCENT = "0.0%"
ONE_DECIMAL = "0.0"
INTEGER = "0"
DATE = "yyyy-mm-dd"

FONT_NAME: str | None = None  # None: the spreadsheet's default font (a named CJK font comes with print work)

TITLE = Style(font_name=FONT_NAME, bold=True, size=12, vertical="top", wrap=True)
BLOCK_TITLE = Style(font_name=FONT_NAME, bold=True, size=12)  # the title of a table beside the main one
HEADER = Style(font_name=FONT_NAME, bold=True, color=WHITE, fill=PURPLE, horizontal="center", vertical="center",
               wrap=True, border=Line("thin", GRID_GREY))
WRAP = Style(font_name=FONT_NAME, vertical="top", wrap=True)
LINK = Style(font_name=FONT_NAME, color=LINK_BLUE, underline=True)
TITLE_HEIGHT = 30.0

HEADER_ROW = 2  # every output sheet: row 1 a title line, row 2 the headers, data from row 3
FIRST_ROW = 3


def table_print(area: str | None = None) -> PrintSetup:
    """A4 landscape, one page wide, the header row on every page."""
    return PrintSetup(orientation="landscape", paper="A4", fit_width=1, fit_height=0,
                      repeat_rows=(HEADER_ROW, HEADER_ROW), area=area)
