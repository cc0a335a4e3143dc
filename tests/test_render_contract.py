"""Every renderer writes the same sheets from the same plans.

The renderers: openpyxl into a new workbook, the reference file writer
(openpyxl into the loaded book), the package splicer (fast file writer)
and the streaming xlsxwriter writer (a new workbook). Each output is read
back through openpyxl (values, number formats, widths, panes, filters,
conditional formats, links, print setup, charts, merges, tab colour) and
through python-calamine (values), and LibreOffice opens every one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from dj_addin import schema
from dj_addin.plans import Letterhead, build_plans
from dj_addin.plans.types import Block, ColumnPlan, Line, Link, Margins, PageText, PrintSetup, SheetPlan, Style, TitleLine
from dj_addin.xlsx.save import save_plans
from dj_addin.xlsx.sheets import render_plans
from dj_addin.xlsx.stream import write_workbook
from test_write_support import LOG, ROSTER, make_workbook, sample_report, sample_results, sample_rollup

OUTPUTS = (schema.FINDINGS.name, schema.ROLLUP.name, schema.RESULTS.name)
RENDERERS = ("openpyxl", "reference", "splice", "stream")
TRICKY = ["=SUM(A1:A3)", "+1", "-2", "@x", "=1+1", "http://example.com", "'quoted"]


LETTERHEAD = Letterhead("测试党支部", 2026, {"Q01": "每季度联系群众", "Q02": "年度联系群众人数"}, frozenset({"Q02"}))


def sample_plans(provisional: bool = True) -> list[SheetPlan]:
    return build_plans(report=sample_report(), rollup=sample_rollup(), results=sample_results(provisional),
                       sheet_names=[ROSTER, LOG], letterhead=LETTERHEAD)


def render(kind: str, plans: list[SheetPlan], folder: Path) -> Path:
    """``plans`` written by renderer ``kind``; the file's stem names the renderer (LibreOffice needs distinct stems)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{kind}.xlsx"
    if kind == "openpyxl":
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        render_plans(wb, plans)
        wb.save(out)
    elif kind == "stream":
        write_workbook(out, plans)
    else:
        src = make_workbook(folder / f"src_{kind}.xlsx")
        save_plans(src, out, plans, None, engine="fast" if kind == "splice" else "openpyxl")
    return out


def rgb(color) -> str | None:
    return color.rgb if color is not None and color.type == "rgb" else None


def column_widths(ws) -> dict[int, float]:
    """Width by column number; a <col> element may cover a range of columns."""
    return {c: dim.width for dim in ws.column_dimensions.values() if dim.customWidth
            for c in range(dim.min, (dim.max or dim.min) + 1)}


def chart_title(chart) -> str:
    return "".join(r.t for p in chart.title.tx.rich.p for r in (p.r or []))


def chart_features(chart) -> tuple:
    """Series (kind, values reference), data labels shown, bar colour, target line of a rendered chart."""
    def colour(series):
        fill = series.graphicalProperties.solidFill if series.graphicalProperties is not None else None
        return fill if isinstance(fill, str) or fill is None else (getattr(fill.srgbClr, "val", fill.srgbClr))

    def ref(series):
        return series.val.numRef.f.replace("'", "")

    bars = [(ref(s), colour(s)) for s in chart.series]
    labels = chart.dataLabels.showVal if chart.dataLabels is not None else None
    if labels is None:
        labels = any(s.dLbls is not None and s.dLbls.showVal for s in chart.series)
    lines = [(type(c).__name__, [ref(s) for s in c.series]) for c in getattr(chart, "_charts", [])
             if c is not chart]
    return bars, bool(labels), lines


def look(path: Path, plans: list[SheetPlan]) -> dict:
    """What a user would see and print, read back with openpyxl."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for plan in plans:
        ws = wb[plan.name]
        cells = {}
        for block in plan.blocks:
            for r in range(block.top, block.last_row + 1):
                for c in range(block.left, block.right + 1):
                    cell = ws.cell(r, c)
                    fmt = cell.number_format if r >= block.first_row else None
                    cells[cell.coordinate] = (cell.value, fmt, cell.font.b, rgb(cell.fill.fgColor)
                                              if cell.fill.patternType == "solid" else None,
                                              bool(cell.alignment.wrap_text), cell.font.name, cell.font.charset,
                                              cell.alignment.horizontal, cell.border.left.style)
            for i in range(len(block.footer)):
                cell = ws.cell(block.footer_row + i, block.left)
                cells[cell.coordinate] = (cell.value, cell.font.name, cell.font.sz)
        widths = {c: round(w, 2) for c, w in column_widths(ws).items()}
        rules = sorted((str(cf.sqref), tuple(r.formula), rgb(r.dxf.fill.bgColor))
                       for cf in ws.conditional_formatting for r in cf.rules)
        links = {c.coordinate: c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink}
        ps = ws.page_setup
        fit = [1 if v is None else int(v) for v in (ps.fitToWidth, ps.fitToHeight)]  # absent = 1 (OOXML default)
        printing = (ps.orientation, str(ps.paperSize), *fit,
                    ws.sheet_properties.pageSetUpPr.fitToPage, ws.print_title_rows, ws.print_area)
        charts = [(type(ch).__name__, ch.type, chart_title(ch), ch.anchor._from.col, ch.anchor._from.row)
                  for ch in ws._charts]
        chart_parts = [chart_features(ch) for ch in ws._charts]
        heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height}
        page = (ws.oddHeader.center.text, ws.oddFooter.center.text, ps.orientation,
                ws.print_options.horizontalCentered, [b.id for b in ws.row_breaks.brk])
        out[plan.name] = dict(cells=cells, widths=widths, freeze=ws.freeze_panes, filter=ws.auto_filter.ref,
                              heights=heights, page=page, chart_parts=chart_parts,
                              rules=rules, links=links, printing=printing, charts=charts,
                              merged=sorted(str(m) for m in ws.merged_cells.ranges),
                              tab=rgb(ws.sheet_properties.tabColor))
    return out


def values(path: Path, names) -> dict:
    """Values as python-calamine reads them (numbers as numbers, text as text)."""
    reader = CalamineWorkbook.from_path(str(path))
    try:
        return {n: [row for row in reader.get_sheet_by_name(n).to_python() if any(v != "" for v in row)]
                for n in names}
    finally:
        reader.close()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("contract")
    plans = sample_plans()
    return {kind: render(kind, plans, folder / kind) for kind in RENDERERS}


def test_every_renderer_writes_the_same_sheets(rendered):
    plans = sample_plans()
    looks = {kind: look(path, plans) for kind, path in rendered.items()}
    reference = looks["openpyxl"]
    for kind, got in looks.items():
        for name in OUTPUTS:
            for part, expected in reference[name].items():
                assert got[name][part] == expected, f"{kind}: {name} {part} differs"
    findings = reference[schema.FINDINGS.name]
    assert findings["freeze"] == "A3" and findings["filter"] == "A2:H7"
    assert findings["links"]["B3"] == f"'{LOG}'!A2" and "B6" not in findings["links"]
    assert findings["printing"][:6] == ("landscape", "9", 1, 0, True, "$2:$2")
    assert findings["page"][:2] == ("测试党支部 2026年度 · 问题清单", "第 &P 页 共 &N 页")
    assert findings["cells"]["A1"][0].startswith("测试党支部 2026年度 · 问题清单\n结果：错误 ")  # the counts first
    assert findings["cells"]["A3"][5:] == ("等线", 134, "center", "thin")  # a named CJK font, centred code, borders
    assert findings["cells"]["G3"][4] and findings["cells"]["G3"][7] == "left"  # 问题 wraps, left
    rollup = reference[schema.ROLLUP.name]
    # the chart first (A3, inside the print area), then 达标率 by quota, the unit summary and the detail
    by_quota, summary, detail = next(p for p in plans if p.name == schema.ROLLUP.name).blocks
    assert rollup["charts"] == [("BarChart", "col", "各指标达标率（已结束的期间）", 0, 2)]  # A3
    assert by_quota.header_row >= 3 + 16  # the chart's rows are reserved above the table it draws
    q1, q2 = by_quota.first_row, by_quota.last_row
    assert rollup["chart_parts"] == [([(f"指标汇总!$C${q1}:$C${q2}", "7030A0")], True,
                                      [("LineChart", [f"指标汇总!$D${q1}:$D${q2}"])])]  # values on bars, a target line
    assert rollup["cells"][f"B{q1}"][0] == "每季度联系群众"
    head, first, last = detail.header_row, detail.first_row, detail.last_row
    assert rollup["printing"][-2:] == (f"${head}:${head}", f"'{schema.ROLLUP.name}'!$A$1:$L${last}")
    assert rollup["page"][4] == [detail.top - 1]  # the detail starts a page
    assert rollup["cells"][f"E{summary.first_row}"][0] == "2026年第1季度"
    assert rollup["rules"] == [(f"A{first}:L{last}", (f'$L{first}="未达标"',), "FFFFC7CE")]  # only 未达标 coloured
    results = reference[schema.RESULTS.name]
    assert results["cells"]["A1"][0].startswith("测试党支部 2026年度党员民主评议考评结果\n暂定")
    assert results["cells"]["A1"][3] == "FFFFD8A8"  # the 暂定 title is orange
    assert results["cells"]["H3"][:2] == (91.2, "0.0") and results["cells"]["H3"][7] == "right"
    signature = next(v for k, v in results["cells"].items() if isinstance(v[0], str) and v[0].startswith("支部书记"))
    assert "审核人" in signature[0] and "（盖章）" in signature[0]
    assert results["printing"][-1].endswith("$A$1:$M$6")  # the signature line prints


def test_calamine_reads_the_same_values_from_every_renderer(rendered):
    got = {kind: values(path, OUTPUTS) for kind, path in rendered.items()}
    for kind in RENDERERS:
        assert got[kind] == got["openpyxl"], kind
    rollup = got["openpyxl"][schema.ROLLUP.name]
    head = next(i for i, row in enumerate(rollup) if row[:12] == schema.ROLLUP.headers)  # the detail's headers
    assert rollup[head + 1][9] == 0.5  # a rate is a number (shown as 50.0%)


def test_widths_follow_the_schema(rendered):
    for kind, path in rendered.items():
        ws = openpyxl.load_workbook(path)[schema.FINDINGS.name]
        assert column_widths(ws)[7] == schema.FINDINGS.column("message").width, kind


def tricky_plan() -> list[SheetPlan]:
    cols = (ColumnPlan("text", "文本", 20), ColumnPlan("n", "数", 8, "0"), ColumnPlan("d", "日期", 12, "yyyy-mm-dd"))
    rows = [[t, i, dt.date(2026, 3, i + 1)] for i, t in enumerate(TRICKY)]
    block = Block(cols, rows, links=[Link(0, "text", "其他", "B2")], link_style=Style(color="FF0563C1", underline=True))
    return [SheetPlan("其他", [Block((ColumnPlan("x", "x", 5),), [], top=1)]), SheetPlan("文本", [block])]


@pytest.mark.parametrize("kind", RENDERERS)
def test_text_that_looks_like_a_formula_stays_text(kind, tmp_path):
    path = render(kind, tricky_plan(), tmp_path)
    ws = openpyxl.load_workbook(path)["文本"]
    assert [ws.cell(r, 1).value for r in range(2, 2 + len(TRICKY))] == TRICKY
    assert all(ws.cell(r, 1).data_type == "s" for r in range(2, 2 + len(TRICKY)))
    assert ws["C2"].value == dt.datetime(2026, 3, 1) and ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["A2"].hyperlink.location == "'其他'!B2"
    assert [row[0] for row in values(path, ["文本"])["文本"][1:]] == TRICKY


def print_ready_plan() -> list[SheetPlan]:
    """What the print work will use: a CJK font, borders, row heights, page header and footer, margins."""
    cell = Style(font_name="WenQuanYi Micro Hei", size=10.5, vertical="top", wrap=True, border=Line("thin", "FF000000"))
    cols = (ColumnPlan("name", "姓名", 10, style=cell), ColumnPlan("rate", "完成率", 9, "0.0%", style=cell))
    block = Block(cols, [["张三", 0.5], ["李四", 1.25]], titles=(TitleLine("测试党支部 2026年度 · 指标汇总",
                  Style(font_name="WenQuanYi Micro Hei", bold=True, size=14), span=2, height=30),),
                  header_style=Style(font_name="WenQuanYi Micro Hei", bold=True, border=Line("medium", "FF000000")),
                  header_height=24, row_height=31.5)
    setup = PrintSetup(orientation="portrait", paper="A4", fit_width=1, fit_height=0, repeat_rows=(2, 2),
                       area="A1:B4", header=PageText(center="测试党支部 2026年度 · 指标汇总", font_name="SimSun", size=10),
                       footer=PageText(center="第 {page} 页 共 {pages} 页"), margins=Margins(0.5, 0.5, 0.8, 0.8, 0.3, 0.3),
                       center_horizontally=True)
    return [SheetPlan("打印", [block], freeze="A3", print_setup=setup, row_heights={4: 39})]  # heights in whole pixels (0.75 pt): xlsxwriter rounds to them


@pytest.mark.parametrize("kind", ["openpyxl", "stream"])
def test_print_ready_fields_render(kind, tmp_path):
    ws = openpyxl.load_workbook(render(kind, print_ready_plan(), tmp_path))["打印"]
    assert ws.oddHeader.center.text == "测试党支部 2026年度 · 指标汇总"
    assert ws.oddHeader.center.font == "SimSun,Regular" and ws.oddHeader.center.size == 10
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert [ws.row_dimensions[r].height for r in (1, 2, 3, 4)] == [30, 24, 31.5, 39]
    assert ws["A3"].font.name == "WenQuanYi Micro Hei" and ws["A3"].font.sz == 10.5
    assert ws["A3"].border.left.style == "thin" and ws["B2"].border.bottom.style == "medium"
    assert ws["B4"].number_format == "0.0%" and ws["A1"].font.b and [m.coord for m in ws.merged_cells.ranges] == ["A1:B1"]
    assert ws.page_setup.orientation == "portrait" and ws.print_options.horizontalCentered
    assert (ws.page_margins.left, ws.page_margins.top) == (0.5, 0.8)
    assert ws.print_area == "'打印'!$A$1:$B$4"


@pytest.mark.libreoffice
def test_libreoffice_opens_every_rendering(rendered, tmp_path, libreoffice):
    tricky = render("stream", tricky_plan(), tmp_path / "tricky")
    paths = list(rendered.values()) + [tricky.rename(tricky.with_name("tricky.xlsx"))]
    converted = libreoffice.convert_all(paths, "xlsx", tmp_path / "lo")
    for path in converted[:-1]:
        wb = openpyxl.load_workbook(path)
        assert set(OUTPUTS) <= set(wb.sheetnames), path.name
        assert wb[schema.FINDINGS.name]["A3"].value == "错误"
        assert wb[schema.RESULTS.name]["H3"].value == 91.2
    ws = openpyxl.load_workbook(converted[-1])["文本"]
    assert [ws.cell(r, 1).value for r in range(2, 2 + len(TRICKY))] == TRICKY  # LibreOffice made no formula


def test_stream_writes_atomically(tmp_path, monkeypatch):
    import dj_addin.xlsx.stream as stream

    out = tmp_path / "merged.xlsx"
    out.write_bytes(b"old")

    def boom(wb, plan, formats):
        raise RuntimeError("disk full")

    monkeypatch.setattr(stream, "write_sheet", boom)
    with pytest.raises(RuntimeError):
        write_workbook(out, sample_plans())
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["merged.xlsx"]
