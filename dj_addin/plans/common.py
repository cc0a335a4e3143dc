"""The shape every output sheet shares, built once for the three builders.

Row 1 a title line merged over the table, row 2 the headers of the schema
sheet, data from row 3; headers frozen, an autofilter over the table, A4
landscape one page wide with the header row on every page, the output tab
colour.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from dj_addin.plans import look
from dj_addin.plans.types import Block, ColumnPlan, PrintSetup, RowColours, SheetPlan, Style, TitleLine, Value, col_letter
from dj_addin.schema import Column, ColType


def columns(spec: Sequence[Column], formats: Mapping[str, str] | None = None, wrap: Iterable[str] = (),
            integers: bool = True) -> tuple[ColumnPlan, ...]:
    """Plan columns from schema columns: width from the schema, ``formats`` by key,
    integer columns shown as "0" (when ``integers``), ``wrap`` columns wrapped at the top."""
    formats = formats or {}
    wrap = set(wrap)
    out = []
    for c in spec:
        fmt = formats.get(c.key) or (look.INTEGER if integers and c.type is ColType.INT else None)
        out.append(ColumnPlan(c.key, c.header, c.width, fmt, look.WRAP if c.key in wrap else Style()))
    return tuple(out)


def main_block(cols: tuple[ColumnPlan, ...], rows: list[list[Value]], title: str,
               title_style: Style = look.TITLE, colours: tuple[RowColours, ...] = (), **extra) -> Block:
    """The sheet's main table at A1: its title line merged over its width, headers in row 2."""
    line = TitleLine(title, title_style, span=max(len(cols), 1), height=look.TITLE_HEIGHT)
    return Block(cols, rows, top=1, left=1, titles=(line,), header_style=look.HEADER, row_colours=colours, **extra)


def table_sheet(name: str, blocks: list[Block], print_area: bool = False, print_setup: PrintSetup | None = None
                ) -> SheetPlan:
    """A sheet whose first block is the main table: frozen headers, autofilter, A4 print."""
    main = blocks[0]
    last = col_letter(main.right)
    bottom = main.header_row + max(len(main.rows), 1)
    area = f"A1:{last}{bottom}" if print_area else None
    return SheetPlan(name=name, blocks=blocks, freeze=f"A{main.first_row}",
                     autofilter=f"A{main.header_row}:{last}{bottom}",
                     print_setup=print_setup or look.table_print(area), tab_color=look.OUTPUT_TAB_COLOR)
