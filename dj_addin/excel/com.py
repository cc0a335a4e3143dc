"""What only Excel's COM object model offers (Windows): the rest of a plan and a few checks.

xlwings 0.37.8 has no desktop implementation of frozen panes or page setup
(``Sheet.freeze_panes`` is xlwings Server only), no borders, alignment,
conditional formats on the desktop for our use, nor a folder picker; on
Windows ``sheet.api`` is the pywin32 COM object and offers them all. Every
extra is cosmetic: one that fails is skipped (the values are already
written) rather than undoing the run. Not exercised by the tests here (no
Excel on this machine); README asks Windows users to report problems.
"""

from __future__ import annotations

import contextlib
import sys

from dj_addin.plans.types import PAPER_CODES, ChartSpec, SheetPlan, Style, col_letter, range_ref
from dj_addin.xlsx.sheets import page_codes

XL_ALIGN = {"left": -4131, "center": -4108, "right": -4152, "top": -4160, "bottom": -4107}
XL_LINE = {"thin": (1, 2), "medium": (1, -4138), "dashed": (-4115, 2), "dotted": (-4118, 2),
           "double": (-4119, 4), "hair": (1, 1)}  # (LineStyle, Weight)
XL_EXPRESSION = 2  # FormatConditions.Add Type
XL_PORTRAIT, XL_LANDSCAPE = 1, 2
XL_SHEET_VERY_HIDDEN = 2
MSO_FOLDER_PICKER, MSO_FILE_PICKER = 4, 3
XL_COLUMN_CLUSTERED, XL_BAR_CLUSTERED, XL_LINE_MARKERS = 51, 57, 65


def available() -> bool:
    return sys.platform == "win32"


def bgr(argb: str) -> int:
    """Excel's colour integer (blue, green, red) of an ARGB hex."""
    r, g, b = int(argb[-6:-4], 16), int(argb[-4:-2], 16), int(argb[-2:], 16)
    return r + 256 * g + 65536 * b


def interior_pattern(rng) -> int | None:
    try:
        return int(rng.api.Interior.Pattern)
    except Exception:
        return None


def read_only(book) -> bool:
    try:
        return bool(book.api.ReadOnly)
    except Exception:
        return False


def very_hide(sheet) -> None:
    with contextlib.suppress(Exception):
        sheet.api.Visible = XL_SHEET_VERY_HIDDEN


def is_very_hidden(sheet) -> bool:
    try:
        return int(sheet.api.Visible) == XL_SHEET_VERY_HIDDEN
    except Exception:
        return False


def pick(app, folder: bool, title: str) -> str | None:
    """Office's own folder or file picker; None when cancelled (or not available)."""
    try:
        dialog = app.api.FileDialog(MSO_FOLDER_PICKER if folder else MSO_FILE_PICKER)
        dialog.Title = title
        dialog.AllowMultiSelect = False
        if dialog.Show() != -1:
            return None
        return str(dialog.SelectedItems(1))
    except Exception:
        return None


def _style(rng, style: Style) -> None:
    if style.horizontal in XL_ALIGN:
        rng.HorizontalAlignment = XL_ALIGN[style.horizontal]
    if style.vertical in XL_ALIGN:
        rng.VerticalAlignment = XL_ALIGN[style.vertical]
    if style.border is not None:
        line, weight = XL_LINE.get(style.border.style, (1, 2))
        borders = rng.Borders
        for index in (7, 8, 9, 10, 11, 12):  # edges and inside lines
            with contextlib.suppress(Exception):
                borders(index).LineStyle, borders(index).Weight = line, weight
                borders(index).Color = bgr(style.border.color)


def _styles(ws, plan: SheetPlan) -> None:
    for block in plan.blocks:
        for i, line in enumerate(block.titles):
            _style(ws.Range(range_ref(block.top + i, block.left, block.top + i, block.left + line.span - 1)), line.style)
        _style(ws.Range(range_ref(block.header_row, block.left, block.header_row, block.right)), block.header_style)
        if block.rows:
            for i, col in enumerate(block.columns):
                c = block.left + i
                _style(ws.Range(range_ref(block.first_row, c, block.last_row, c)), col.style)


def _row_colours(ws, plan: SheetPlan) -> None:
    for block in plan.blocks:
        if not block.rows:
            continue
        area = ws.Range(range_ref(block.first_row, block.left, block.last_row, block.right))
        for rule in block.row_colours:
            letter = col_letter(block.col(rule.column))
            for text, rgb in rule.colours.items():
                formula = f'=${letter}{block.first_row}="{text.replace(chr(34), chr(34) * 2)}"'
                condition = area.FormatConditions.Add(XL_EXPRESSION, Formula1=formula)
                condition.Interior.Color = bgr(rgb)


def _freeze(sheet, plan: SheetPlan) -> None:
    from dj_addin.cellref import cell_position

    row, col = cell_position(plan.freeze)
    sheet.activate()
    window = sheet.book.app.api.ActiveWindow
    window.FreezePanes = False
    window.SplitRow, window.SplitColumn = row - 1, col - 1
    window.FreezePanes = True


def _no_grid(sheet) -> None:
    sheet.activate()
    sheet.book.app.api.ActiveWindow.DisplayGridlines = False


def _page(ws, plan: SheetPlan) -> None:
    p = plan.print_setup
    ps = ws.PageSetup
    ps.Orientation = XL_LANDSCAPE if p.orientation == "landscape" else XL_PORTRAIT
    if p.paper in PAPER_CODES:
        ps.PaperSize = PAPER_CODES[p.paper]
    if p.fit_width is not None or p.fit_height is not None:
        ps.Zoom = False
        ps.FitToPagesWide = p.fit_width or False
        ps.FitToPagesTall = p.fit_height or False
    if p.scale is not None:
        ps.Zoom = p.scale
    if p.repeat_rows:
        ps.PrintTitleRows = f"${p.repeat_rows[0]}:${p.repeat_rows[1]}"
    for text, parts in ((p.header, ("LeftHeader", "CenterHeader", "RightHeader")),
                        (p.footer, ("LeftFooter", "CenterFooter", "RightFooter"))):
        for attr, value in zip(parts, (text.left, text.center, text.right)):
            if value:
                setattr(ps, attr, page_codes(value))
    if p.margins is not None:
        m, inch = p.margins, 72.0  # points per inch
        ps.LeftMargin, ps.RightMargin = m.left * inch, m.right * inch
        ps.TopMargin, ps.BottomMargin = m.top * inch, m.bottom * inch
        ps.HeaderMargin, ps.FooterMargin = m.header * inch, m.footer * inch
    if p.center_horizontally:
        ps.CenterHorizontally = True
    if p.area:
        ps.PrintArea = p.area


def _chart(ws, plan: SheetPlan, spec: ChartSpec) -> None:
    block = plan.block_for(spec)
    if not block.rows:
        return
    anchor = ws.Range(spec.anchor)
    cm = 72 / 2.54  # points per centimetre
    shape = ws.ChartObjects().Add(anchor.Left, anchor.Top, spec.width * cm, spec.height * cm)
    chart = shape.Chart
    chart.ChartType = XL_COLUMN_CLUSTERED if spec.kind == "column" else XL_BAR_CLUSTERED
    series = chart.SeriesCollection().NewSeries()
    v, c = block.col(spec.values), block.col(spec.categories)
    series.Name = f"={ws.Range(range_ref(block.header_row, v, block.header_row, v)).Address(External=True)}"
    series.Values = ws.Range(range_ref(block.first_row, v, block.last_row, v))
    series.XValues = ws.Range(range_ref(block.first_row, c, block.last_row, c))
    if spec.color:
        series.Format.Fill.ForeColor.RGB = bgr(spec.color)
    if spec.data_labels:
        series.HasDataLabels = True
    if spec.target:
        t = block.col(spec.target)
        line = chart.SeriesCollection().NewSeries()
        line.Name = f"={ws.Range(range_ref(block.header_row, t, block.header_row, t)).Address(External=True)}"
        line.Values = ws.Range(range_ref(block.first_row, t, block.last_row, t))
        line.ChartType = XL_LINE_MARKERS
        line.Format.Line.ForeColor.RGB = bgr(spec.target_color)
    chart.HasTitle = True
    chart.ChartTitle.Text = spec.title
    chart.HasLegend = spec.legend
    axis = chart.Axes(2)  # xlValue
    if spec.y_format:
        axis.TickLabels.NumberFormat = spec.y_format
    if spec.y_min is not None:
        axis.MinimumScale = spec.y_min
    if spec.y_max is not None:
        axis.MaximumScale = spec.y_max
    if spec.y_title:
        axis.HasTitle = True
        axis.AxisTitle.Text = spec.y_title


def settle_printing(book, printing) -> None:
    """Empty data sheets out of printing, the others back in (``plans.printing``); cosmetic like the rest."""
    from dj_addin.plans.printing import new_area

    names = {s.name for s in book.sheets}
    for choice in printing:
        if choice.sheet not in names:
            continue
        with contextlib.suppress(Exception):
            ps = book.sheets[choice.sheet].api.PageSetup
            area = new_area(ps.PrintArea or None, choice)
            if area != (ps.PrintArea or None):
                ps.PrintArea = area or ""


def finish_sheet(sheet, plan: SheetPlan) -> None:
    """Alignment and borders, row colours, print setup, panes, autofilter, page breaks, grid lines, tab colour, charts."""
    ws = sheet.api
    steps = [lambda: _styles(ws, plan), lambda: _row_colours(ws, plan), lambda: _page(ws, plan)]
    if plan.freeze:
        steps.append(lambda: _freeze(sheet, plan))
    if plan.autofilter:
        steps.append(lambda: ws.Range(plan.autofilter).AutoFilter())
    for row in plan.row_breaks:
        steps.append(lambda r=row: ws.HPageBreaks.Add(ws.Range(f"A{r + 1}")))
    if not plan.show_grid:
        steps.append(lambda: _no_grid(sheet))
    if plan.tab_color:
        steps.append(lambda: setattr(ws.Tab, "Color", bgr(plan.tab_color)))
    steps.extend((lambda s=spec: _chart(ws, plan, s)) for spec in plan.charts)
    for step in steps:
        with contextlib.suppress(Exception):
            step()
