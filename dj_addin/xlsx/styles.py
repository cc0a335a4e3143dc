"""Colours and formats of what the tool writes (one place, so the fast and
the reference writer and the tests agree)."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from dj_addin.marks.records import MARK_AUTHOR, MARK_RGB  # noqa: F401 (the marks' colours live with the records)
from dj_addin.plans import look
from dj_addin.schema import LEVELS

ERROR, WARNING, INFO = LEVELS

# The output sheets' look is plain data in plans.look; these are its openpyxl forms.
OUTPUT_TAB_COLOR = look.OUTPUT_TAB_COLOR
TITLE_FONT = Font(bold=True, size=12)
HEADER_FONT = Font(bold=True, color=look.WHITE)
HEADER_FILL = PatternFill("solid", fgColor=look.PURPLE)
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
THIN = Side(style="thin", color=look.GRID_GREY)
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LINK_FONT = Font(color=look.LINK_BLUE, underline="single")

LIGHT_RED, LIGHT_GREEN, LIGHT_ORANGE, LIGHT_GREY = look.LIGHT_RED, look.LIGHT_GREEN, look.LIGHT_ORANGE, look.LIGHT_GREY
LEVEL_RGB: dict[str, str] = look.LEVEL_RGB

PERCENT = look.PERCENT
ONE_DECIMAL = look.ONE_DECIMAL

