"""The shape every output sheet shares, built once for every builder.

Row 1 a title line merged over the table (the unit, the year and the sheet,
then what the sheet is about), row 2 the headers, data from row 3; headers
frozen, an autofilter over the table, A4 one page wide with the header row
on every page, the unit and year in the page header and page numbers in
the footer, the output tab colour. Columns look the way their kind asks
(codes, dates, grades centred; numbers right; text left and wrapped), with
thin borders; ``fit`` sizes the rows so wrapped text shows whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from dj_addin.plans import look, measure
from dj_addin.plans.types import (Block, ColumnPlan, Formula, PrintSetup, RowColours, SheetPlan, Style, TitleLine, Value,
                                  col_letter)
from dj_addin.schema import ColType, Column

CENTRED_TYPES = (ColType.ID, ColType.DATE, ColType.INT, ColType.ENUM, ColType.BOOL)
WIDEST = 40.0  # a column that does not wrap is widened to its longest value up to this, else wraps


def column_style(c: Column, wrap: set[str], centre: set[str]) -> Style:
    """The look of a column's data cells by its kind: codes, dates, counts centred; numbers right;
    text left, wrapped when listed in ``wrap`` (else widened to fit by ``fit``)."""
    if c.key in centre or (c.type in CENTRED_TYPES and c.key not in wrap):
        return look.CENTRE
    if c.type is ColType.NUMBER and c.key not in wrap:
        return look.NUMBER
    return look.TEXT if c.key in wrap else look.SHORT_TEXT


def columns(spec: Sequence[Column], formats: Mapping[str, str] | None = None, wrap: Iterable[str] = (),
            integers: bool = True, centre: Iterable[str] = (), widths: Mapping[str, float] | None = None
            ) -> tuple[ColumnPlan, ...]:
    """Plan columns from schema columns: width from the schema (or ``widths``), ``formats`` by key,
    integer columns shown as "0" (when ``integers``), dates as dates, the look of each kind."""
    formats, widths = formats or {}, widths or {}
    wrap, centre = set(wrap), set(centre)
    out = []
    for c in spec:
        fmt = formats.get(c.key) or (look.INTEGER if integers and c.type is ColType.INT else None) or (
            look.DATE if c.type is ColType.DATE else None)
        out.append(ColumnPlan(c.key, c.header, widths.get(c.key, c.width), fmt, column_style(c, wrap, centre)))
    return tuple(out)


def title_text(letterhead: look.Letterhead, sheet: str, detail: str = "") -> str:
    """「<单位名称> <考核年度>年度 · <表名>」, then the detail on a second line."""
    head = letterhead.heading(sheet)
    return f"{head}\n{detail}" if detail else head


def main_block(cols: tuple[ColumnPlan, ...], rows: list[list[Value]], title: str,
               title_style: Style = look.TITLE, colours: tuple[RowColours, ...] = (), **extra) -> Block:
    """The sheet's main table at A1: its title line merged over its width, headers in row 2."""
    line = TitleLine(title, title_style, span=max(len(cols), 1), height=look.TITLE_HEIGHT)
    return Block(cols, rows, top=1, left=1, titles=(line,), header_style=look.HEADER, row_colours=colours, **extra)


def sheet_widths(blocks: Sequence[Block]) -> dict[int, float]:
    """The width of every sheet column the blocks set (a later block's width wins, as renderers write)."""
    out: dict[int, float] = {}
    for b in blocks:
        for i, c in enumerate(b.columns):
            if c.width is not None:
                out[b.left + i] = c.width
    return out


def shown(value: Value, number_format: str | None) -> str:
    """About what a cell shows (for sizing): percentages as '100.0%', numbers as typed."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        return "0000"  # a total: a few digits
    if isinstance(value, float) and number_format and number_format.endswith("%"):
        return f"{value * 100:.1f}%"
    if isinstance(value, float) and number_format == look.ONE_DECIMAL:
        return f"{value:.1f}"
    return str(value)


def shown_texts(values: list[Value], number_format: str | None) -> set[str]:
    """``{shown(v, number_format) for v in values}``, each distinct value shown once (a roll-up
    column has hundreds of thousands of cells and few distinct values). Values are told apart by
    type as well (1, 1.0 and True show differently); -0.0 equals 0.0, so float zeros are shown one by one."""
    try:
        distinct = {(v.__class__, v) for v in values}
    except TypeError:  # an unhashable value: every cell shown
        return {shown(v, number_format) for v in values}
    texts = {shown(v, number_format) for _, v in distinct}
    if (float, 0.0) in distinct:
        texts |= {shown(v, number_format) for v in values if v.__class__ is float and v == 0.0}
    return texts


def widen(block: Block) -> Block:
    """The block with every column that does not wrap made wide enough for its longest value."""
    cols = list(block.columns)
    changed = False
    for i, c in enumerate(cols):
        if c.style.wrap or c.width is None:
            continue
        texts = shown_texts([row[i] for row in block.rows], c.number_format)
        need = measure.width_for(texts, maximum=WIDEST + 1)
        if need > WIDEST:  # too long for one line: wrap instead
            cols[i], changed = replace(c, style=replace(c.style, wrap=True)), True
        elif need > c.width:
            cols[i], changed = replace(c, width=need), True
    return replace(block, columns=tuple(cols)) if changed else block


def fit(plan: SheetPlan) -> SheetPlan:
    """Row heights that show every wrapped cell whole, titles and footers included
    (heights only where more than one line is needed). Widths are the plan's own."""
    plan = replace(plan, blocks=[widen(b) for b in plan.blocks])
    widths = sheet_widths(plan.blocks)
    default = measure.height_for(1)

    def span_width(left: int, span: int) -> float:
        return sum(widths.get(c, 8.43) for c in range(left, left + span))

    heights = dict(plan.row_heights)

    def need(row: int, h: float) -> None:
        if h > default or row in heights:
            heights[row] = max(h, heights.get(row, 0.0))

    for b in plan.blocks:
        for i, line in enumerate(b.titles):
            size = line.style.size or measure.BASE_SIZE
            h = measure.row_height([(line.text, span_width(b.left, line.span))], size)
            need(b.top + i, max(h, line.height or 0.0))
        for i, line in enumerate(b.footer):
            size = line.style.size or measure.BASE_SIZE
            h = measure.row_height([(line.text, span_width(b.left, line.span))], size)
            need(b.footer_row + i, max(h, line.height or 0.0))
        if b.header_style.wrap:
            h = measure.row_height([(c.header, widths.get(b.left + i, 8.43)) for i, c in enumerate(b.columns)])
            need(b.header_row, max(h, b.header_height or 0.0))
        wrapped = [(i, widths.get(b.left + i, 8.43)) for i, c in enumerate(b.columns) if c.style.wrap]
        if not wrapped:
            continue
        for r, values in enumerate(b.rows):  # every row at least one line high, so the table looks even
            cells = [(v, w) for i, w in wrapped if isinstance(v := values[i], str) and v]
            h = measure.row_height(cells) if cells else default
            heights[b.first_row + r] = max(h, heights.get(b.first_row + r, 0.0), b.row_height or 0.0)
    return replace(plan, row_heights=heights)


def table_sheet(name: str, blocks: list[Block], print_area: bool = False, print_setup: PrintSetup | None = None,
                letterhead: look.Letterhead | None = None) -> SheetPlan:
    """A sheet whose first block is the main table: frozen headers, autofilter, A4 print, rows sized."""
    main = blocks[0]
    last = col_letter(main.right)
    bottom = main.header_row + max(len(main.rows), 1)
    area = f"A1:{last}{max(bottom, main.bottom)}" if print_area else None
    plan = SheetPlan(name=name, blocks=blocks, freeze=f"A{main.first_row}",
                     autofilter=f"A{main.header_row}:{last}{bottom}",
                     print_setup=print_setup or look.table_print(area, letterhead, name),
                     tab_color=look.OUTPUT_TAB_COLOR)
    return fit(plan)
