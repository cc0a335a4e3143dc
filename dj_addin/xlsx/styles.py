"""Colours and formats of what the tool writes (one place, so the fast and
the reference writer and the tests agree)."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from dj_addin.schema import LEVELS

ERROR, WARNING, INFO = LEVELS

# Cell marks. 提示 gets a note only: a fill on every hint would drown the real problems.
MARK_RGB: dict[str, str] = {ERROR: "FFFF9999", WARNING: "FFFFEB84"}
MARK_AUTHOR = "党建助手"

OUTPUT_TAB_COLOR = "FF7030A0"  # purple: nobody uses it for data sheets
TITLE_FONT = Font(bold=True, size=12)
HEADER_FONT = Font(bold=True, color="FFFFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="FF7030A0")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
THIN = Side(style="thin", color="FFBFBFBF")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LINK_FONT = Font(color="FF0563C1", underline="single")

# Conditional colours (light backgrounds, readable when printed in grey).
LIGHT_RED = "FFFFC7CE"
LIGHT_GREEN = "FFC6EFCE"
LIGHT_ORANGE = "FFFFD8A8"
LIGHT_GREY = "FFEDEDED"
LEVEL_RGB: dict[str, str] = {ERROR: LIGHT_RED, WARNING: "FFFFF2CC", INFO: LIGHT_GREY}

PERCENT = "0.0%"
ONE_DECIMAL = "0.0"

