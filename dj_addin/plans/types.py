"""What an output sheet looks like, as plain data (no spreadsheet library).

A ``SheetPlan`` describes one output sheet completely: table blocks placed
at a row and column (title lines, a header row, typed columns, a 2-D list
of plain values, row colours, links), frozen panes, autofilter, print
setup, tab colour and charts. Builders make plans from the core's results
by pure code; renderers (openpyxl, the package splicer, the streaming
xlsxwriter writer, later the live Excel writer) only turn a plan into
cells, so every engine writes the same sheet and one test holds them to it.

Cells are named the way Excel users name them (``"A3"``, ``"A2:H40"``),
rows and columns are 1-based; colours are ARGB hex (``"FF7030A0"``); row
heights are points (whole pixels, multiples of 0.75, render alike everywhere).
Values are ``str``/``int``/``float``/``bool``/``date``/``datetime``/``None``
only (``plans.values.plain`` makes them from pandas cells).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Union

from dj_addin.cellref import cell_position as split_cell  # noqa: F401 (re-exported for renderers)
from dj_addin.cellref import cell_ref, range_ref  # noqa: F401  (re-exported for the renderers)
from dj_addin.cellref import column_letter as col_letter



@dataclass(frozen=True)
class Formula:
    """A native worksheet formula (without the leading '='), e.g. ``Formula("SUM(D3:D20)")``.
    Plain text starting with '=' is never a formula; only this is."""

    text: str


Value = Union[str, int, float, bool, dt.date, dt.datetime, Formula, None]


# ---------------------------------------------------------------- cell addresses


def quote_sheet(name: str) -> str:
    """A sheet name as a formula or link names it: ``'联系记载'`` (quotes doubled)."""
    return "'" + name.replace("'", "''") + "'"


# ---------------------------------------------------------------- looks


@dataclass(frozen=True)
class Line:
    """One border line (the same on every side of the cell it frames)."""

    style: str = "thin"  # thin, medium, dashed, dotted, double, hair
    color: str = "FF000000"


@dataclass(frozen=True)
class Style:
    """How a cell looks. Fields left at their default are not written, so a
    renderer leaves the engine's defaults (and the file stays small)."""

    font_name: str | None = None  # e.g. a named CJK font for print
    size: float | None = None
    bold: bool = False
    italic: bool = False
    color: str | None = None  # font colour
    underline: bool = False
    fill: str | None = None  # solid background
    horizontal: str | None = None  # left, center, right
    vertical: str | None = None  # top, center, bottom
    wrap: bool = False
    border: Line | None = None
    charset: int | None = None  # font charset: 134 (GB2312) lets Excel substitute a CJK font (宋体)

    def over(self, base: Style) -> Style:
        """``base`` with every field set here replacing it (a link's font over a column's wrap)."""
        default = Style()
        changes = {f.name: getattr(self, f.name) for f in fields(self)
                   if getattr(self, f.name) != getattr(default, f.name)}
        return replace(base, **changes)

    @property
    def has_font(self) -> bool:
        return bool(self.font_name or self.size or self.bold or self.italic or self.color or self.underline
                    or self.charset)

    @property
    def has_alignment(self) -> bool:
        return bool(self.horizontal or self.vertical or self.wrap)


@dataclass(frozen=True)
class ColumnPlan:
    """One column of a block: its header, width, the number format of its values
    and how its data cells look. ``width`` is what the file stores (Excel
    character units including the cell padding, as openpyxl writes it)."""

    key: str
    header: str
    width: float | None = None
    number_format: str | None = None  # "0.0%", "0", "yyyy-mm-dd"; None: the engine's General
    style: Style = Style()
    column_format: str | None = None  # the whole column's number format (cells typed later too): "@" keeps 001
    header_style: Style | None = None  # this column's header cell, instead of the block's header_style


@dataclass(frozen=True)
class TitleLine:
    """A line of text above a block's header row (merged over ``span`` columns)."""

    text: str
    style: Style = Style()
    span: int = 1  # columns merged from the block's left column; 1 = not merged
    height: float | None = None  # row height in points


@dataclass(frozen=True)
class RowColours:
    """Live row colours: every data row of the block whose ``column`` holds one of
    the texts gets that background (a conditional format, so edits recolour)."""

    column: str  # column key
    colours: Mapping[str, str]  # cell text → ARGB


@dataclass(frozen=True)
class Link:
    """A link from a data cell of the block to a cell of a sheet of the same workbook."""

    row: int  # 0-based index into Block.rows
    column: str  # column key of the linking cell
    sheet: str
    cell: str = "A1"
    tooltip: str = ""

    @property
    def location(self) -> str:
        return f"{quote_sheet(self.sheet)}!{self.cell}"


@dataclass
class Block:
    """A table placed on a sheet: title lines from ``top``, then the header row,
    then one sheet row per entry of ``rows`` (values in column order)."""

    columns: tuple[ColumnPlan, ...]
    rows: list[list[Value]]
    top: int = 1
    left: int = 1
    titles: tuple[TitleLine, ...] = ()
    header_style: Style = Style()
    header_height: float | None = None
    row_height: float | None = None  # every data row (wrapped text on paper); None: automatic
    row_colours: tuple[RowColours, ...] = ()
    links: Sequence[Link] = ()
    link_style: Style = Style()
    cell_formats: Mapping[tuple[int, str], str] = field(default_factory=dict)  # (row index, key) → number format
    footer: tuple[TitleLine, ...] = ()  # lines under the data rows (a signature line), one blank row between

    @property
    def footer_row(self) -> int:
        """The sheet row of the first footer line."""
        return self.last_row + 2

    @property
    def header_row(self) -> int:
        return self.top + len(self.titles)

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        """The last data row (the header row when there are no rows)."""
        return self.header_row + len(self.rows)

    @property
    def right(self) -> int:
        return self.left + len(self.columns) - 1

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def bottom(self) -> int:
        """The last sheet row the block uses (its footer lines included)."""
        return self.footer_row + len(self.footer) - 1 if self.footer else self.last_row

    def col(self, key: str) -> int:
        """The sheet column of the column ``key``."""
        return self.left + self.keys.index(key)

    def number_format(self, index: int, column: ColumnPlan) -> str | None:
        """The number format of data row ``index`` in ``column`` (a cell's own, else the column's)."""
        return self.cell_formats.get((index, column.key), column.number_format) if self.cell_formats \
            else column.number_format


@dataclass(frozen=True)
class Cell:
    """One cell placed anywhere on the sheet (a form rather than a table: 概览's labels and
    formulas), merged to the right over ``span`` columns when more than 1."""

    ref: str  # "B2"
    value: Value
    style: Style = Style()
    number_format: str | None = None
    span: int = 1


@dataclass(frozen=True)
class Validation:
    """A data validation over ``cells`` ("C2:C5000"): a drop-down list, a whole-number range, or
    only the hint shown when a cell is selected (``kind`` "any"). A list is ``choices`` written
    inline, or ``source``, a range holding them ("'_lists'!$A$1:$A$9"). An ``error`` text makes the
    spreadsheet check typed values (``error_style`` "warning" lets the user keep them)."""

    cells: str
    kind: str = "any"  # list, whole, any
    choices: tuple[str, ...] = ()
    source: str | None = None
    minimum: int | None = None  # whole: between minimum and maximum
    maximum: int | None = None
    error_style: str = "stop"  # stop, warning, information
    error_title: str = ""
    error: str = ""
    prompt_title: str = ""
    prompt: str = ""

    @property
    def formula1(self) -> str | None:
        """The first formula as the file stores it: the list (quoted, comma-separated) or its range, the minimum."""
        if self.kind == "list":
            return self.source if self.source else '"' + ",".join(self.choices) + '"'
        return None if self.minimum is None else str(self.minimum)

    @property
    def formula2(self) -> str | None:
        return None if self.maximum is None else str(self.maximum)


# ---------------------------------------------------------------- the page


@dataclass(frozen=True)
class PageText:
    """A page header or footer; ``{page}``, ``{pages}`` and ``{sheet}`` are filled in
    by the spreadsheet when printing (renderers translate them to the engine's codes)."""

    left: str = ""
    center: str = ""
    right: str = ""
    font_name: str | None = None
    size: float | None = None

    def __bool__(self) -> bool:
        return bool(self.left or self.center or self.right)


@dataclass(frozen=True)
class Margins:
    """Page margins in inches (Excel's unit)."""

    left: float = 0.7
    right: float = 0.7
    top: float = 0.75
    bottom: float = 0.75
    header: float = 0.3
    footer: float = 0.3


@dataclass(frozen=True)
class PrintSetup:
    orientation: str = "landscape"  # or portrait
    paper: str = "A4"  # A4, A3, letter
    fit_width: int | None = 1  # pages across; None: no fit-to-page scaling
    fit_height: int | None = 0  # pages down; 0: as many as needed
    repeat_rows: tuple[int, int] | None = None  # rows printed on every page (first, last)
    area: str | None = None  # "A1:L40"; None: everything
    header: PageText = PageText()
    footer: PageText = PageText()
    margins: Margins | None = None  # None: the engine's defaults
    center_horizontally: bool = False
    scale: int | None = None  # percent (10–400), with fit_width/fit_height None: keeps manual page breaks


MAX_LINKS = 65_530  # Excel keeps at most this many links per sheet

PAPER_CODES: dict[str, int] = {"letter": 1, "A3": 8, "A4": 9}  # Excel's paperSize numbers


# ---------------------------------------------------------------- charts


@dataclass(frozen=True)
class ChartSpec:
    """A chart of one series: the values of column ``values`` of block ``block``
    against its column ``categories`` (the header of ``values`` is the series name)."""

    kind: str  # "column" (vertical bars) or "bar" (horizontal)
    title: str
    block: int  # index into SheetPlan.blocks
    categories: str  # column key
    values: str  # column key
    anchor: str  # top-left cell
    width: float = 15.0  # centimetres
    height: float = 7.5
    y_title: str = ""
    y_format: str | None = None  # value axis number format, e.g. "0%"
    y_min: float | None = None
    y_max: float | None = None
    legend: bool = True
    data_labels: bool = False  # the value on every bar
    target: str | None = None  # column key of a second series drawn as a line (a target per category)
    color: str | None = None  # bar colour (ARGB)
    target_color: str = "FFC00000"


# ---------------------------------------------------------------- the sheet


@dataclass
class SheetPlan:
    """One output sheet, complete. Renderers recreate the sheet from it."""

    name: str
    blocks: list[Block]
    freeze: str | None = None  # the top-left cell of the scrolling part: "A3" freezes rows 1–2
    autofilter: str | None = None  # "A2:H40"
    print_setup: PrintSetup = PrintSetup()
    tab_color: str | None = None
    charts: list[ChartSpec] = field(default_factory=list)
    row_heights: dict[int, float] = field(default_factory=dict)  # sheet row → points (overrides blocks)
    row_breaks: tuple[int, ...] = ()  # a page break after each of these sheet rows
    show_grid: bool = True  # the screen's grid lines (never printed)
    widths: dict[int, float] = field(default_factory=dict)  # sheet column → width (beside the blocks' own)
    cells: list[Cell] = field(default_factory=list)  # single cells beside (or instead of) the blocks
    validations: list[Validation] = field(default_factory=list)  # drop-downs, ranges and input hints
    protected: bool = False  # sheet protection without a password (guards formulas against typing over)
    hidden: bool = False  # a hidden sheet (the long drop-down lists); never printed, so no print setup

    @property
    def max_row(self) -> int:
        rows = [max(b.bottom, b.top) for b in self.blocks] + [split_cell(c.ref)[0] for c in self.cells]
        return max(rows, default=0)

    def block_for(self, chart: ChartSpec) -> Block:
        return self.blocks[chart.block]
