"""The house look of output sheets: colours, fonts and formats as plain data.

One place, so every renderer and the mark writer agree (``xlsx/styles.py``
builds its openpyxl objects from these values).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dj_addin import schema
from dj_addin.plans.types import Line, Margins, PageText, PrintSetup, Style
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
WHOLE_PERCENT = "0%"
ONE_DECIMAL = "0.0"
INTEGER = "0"
DATE = "yyyy-mm-dd"

# The named CJK font of every printed cell. A file can name only one font per
# cell, so the fallback is expressed by the charset: GB2312 (134) tells Excel
# and WPS to substitute a Chinese font (宋体) where 等线 is not installed;
# LibreOffice substitutes its own CJK font (fonts-wqy-microhei here).
FONT_NAME = "等线"
FONT_FALLBACK = "宋体"
CHARSET = 134
BLACK = "FF000000"
BORDER = Line("thin", BLACK)

TITLE = Style(font_name=FONT_NAME, charset=CHARSET, bold=True, size=14, horizontal="center", vertical="center",
              wrap=True)
SUBTITLE = Style(font_name=FONT_NAME, charset=CHARSET, size=10.5, horizontal="left", vertical="center", wrap=True)
BLOCK_TITLE = Style(font_name=FONT_NAME, charset=CHARSET, bold=True, size=12, vertical="center")
HEADER = Style(font_name=FONT_NAME, charset=CHARSET, bold=True, color=WHITE, fill=PURPLE, horizontal="center",
               vertical="center", wrap=True, border=BORDER)
TEXT = Style(font_name=FONT_NAME, charset=CHARSET, horizontal="left", vertical="center", wrap=True, border=BORDER)
SHORT_TEXT = Style(font_name=FONT_NAME, charset=CHARSET, horizontal="left", vertical="center", border=BORDER)
CENTRE = Style(font_name=FONT_NAME, charset=CHARSET, horizontal="center", vertical="center", border=BORDER)
NUMBER = Style(font_name=FONT_NAME, charset=CHARSET, horizontal="right", vertical="center", border=BORDER)
WRAP = TEXT
LINK = Style(font_name=FONT_NAME, charset=CHARSET, color=LINK_BLUE, underline=True)
SIGNATURE = Style(font_name=FONT_NAME, charset=CHARSET, size=12, horizontal="left", vertical="bottom")
TITLE_HEIGHT = 30.0
SUBTITLE_HEIGHT = 20.25

HEADER_ROW = 2  # every output sheet: row 1 a title line, row 2 the headers, data from row 3
FIRST_ROW = 3


MARGINS = Margins(left=0.5, right=0.5, top=0.75, bottom=0.7, header=0.3, footer=0.3)
FOOTER = PageText(center="第 {page} 页 共 {pages} 页", font_name=FONT_NAME, size=9)


@dataclass(frozen=True)
class Letterhead:
    """Who a printed sheet belongs to: 单位名称 and 考核年度 for the page header and titles,
    and the quota names that go beside their codes."""

    unit_name: str = ""
    year: int | None = None
    quota_names: Mapping[str, str] = field(default_factory=dict)
    ratio_quotas: frozenset[str] = frozenset()  # quotas whose 目标值 and 实际值 are ratios (shown as %)

    def heading(self, sheet: str) -> str:
        """「<单位名称> <考核年度>年度 · <表名>」 (the parts that are known)."""
        who = " ".join(p for p in (self.unit_name, f"{self.year}年度" if self.year else "") if p)
        return f"{who} · {sheet}" if who else sheet

    def quota(self, code: str) -> str:
        """「每季度联系群众（Q01）」, or the code alone when its name is unknown."""
        name = self.quota_names.get(code)
        return f"{name}（{code}）" if name else code


def page_header(letterhead: Letterhead, sheet: str) -> PageText:
    return PageText(center=letterhead.heading(sheet), font_name=FONT_NAME, size=10)


def table_print(area: str | None = None, letterhead: Letterhead | None = None, sheet: str = "",
                repeat: tuple[int, int] | None = (HEADER_ROW, HEADER_ROW), orientation: str = "landscape"
                ) -> PrintSetup:
    """A4, one page wide, the header row on every page, the unit and year on top, page numbers below."""
    return PrintSetup(orientation=orientation, paper="A4", fit_width=1, fit_height=0, repeat_rows=repeat, area=area,
                      header=page_header(letterhead or Letterhead(), sheet), footer=FOOTER, margins=MARGINS,
                      center_horizontally=True)
