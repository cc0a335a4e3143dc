"""What the tool writes prints like an official document (workbook.md "Printing and presentation").

A demo branch after 一键处理, and its ballots, are checked in the files
(every text fits its column or wraps in a row tall enough, computed from
the text and the width read back; the chart lies inside the print area)
and printed once through LibreOffice to PDF, whose text must carry the
titles, the page header and 「第 1 页 共」, the signature line and the quota
names. The README's pictures are made by docs/make_pictures.py, run here
into a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, range_boundaries

from dj_addin import schema
from dj_addin.ballots import make_ballots
from dj_addin.commands.demo import run_demo
from dj_addin.plans import measure
from dj_addin.plans.ballots import MASS_SHEET, MIN_SCALE, PEER_SHEET, TALLY_SHEET
from tests.test_ballots_print import pages_per_ballot as ballot_pages

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = (schema.FINDINGS.name, schema.ROLLUP.name, schema.RESULTS.name)
DEFAULT_WIDTH = 8.43


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return run_demo(tmp_path_factory.mktemp("demo"), seed=1, year=2026, as_of=dt.date(2026, 12, 31)).out_dir


@pytest.fixture(scope="module")
def branch(demo) -> Path:
    return next(demo.rglob("D0101_*.xlsx"))


@pytest.fixture(scope="module")
def ballots(branch, tmp_path_factory) -> Path:
    return make_ballots(branch, tmp_path_factory.mktemp("ballots") / "评议票.xlsx", mass_copies=3).out


def widths_of(ws) -> dict[int, float]:
    out = {}
    for dim in ws.column_dimensions.values():
        if dim.customWidth and dim.width:
            for c in range(dim.min, (dim.max or dim.min) + 1):
                out[c] = dim.width
    return out


def too_tight(ws) -> list[str]:
    """Cells whose text does not fit: wider than the column without wrapping, or
    wrapped into more lines than the row's height shows (merged cells use their whole width)."""
    widths = widths_of(ws)
    merged = {}
    for rng in ws.merged_cells.ranges:
        merged[(rng.min_row, rng.min_col)] = sum(widths.get(c, DEFAULT_WIDTH) for c in range(rng.min_col,
                                                                                          rng.max_col + 1))
    bad = []
    for row in ws.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value or cell.value.startswith("="):
                continue
            width = merged.get((cell.row, cell.column), widths.get(cell.column, DEFAULT_WIDTH))
            size = cell.font.sz or measure.BASE_SIZE
            if cell.alignment.wrap_text:
                given = ws.row_dimensions[cell.row].height or measure.height_for(1)
                need = measure.row_height([(cell.value, width)], size)
                if given < need:
                    bad.append(f"{cell.coordinate}: needs {need} pt, has {given}")
            elif not measure.fits(cell.value, width, size):
                bad.append(f"{cell.coordinate}: {cell.value!r} wider than {width}")
    return bad


def test_every_text_fits_its_column_or_wraps_in_a_tall_enough_row(branch, ballots):
    wb = openpyxl.load_workbook(branch)
    for name in OUTPUTS:
        assert too_tight(wb[name]) == [], name
    wb = openpyxl.load_workbook(ballots)
    for name in (PEER_SHEET, MASS_SHEET, TALLY_SHEET):
        assert too_tight(wb[name]) == [], name


def test_the_chart_is_inside_the_print_area(branch):
    ws = openpyxl.load_workbook(branch)[schema.ROLLUP.name]
    (chart,) = ws._charts
    left, top, right, bottom = range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))
    start = chart.anchor._from
    assert left <= start.col + 1 <= right and top <= start.row + 1 <= bottom
    cm = sum(widths_of(ws).get(c, DEFAULT_WIDTH) for c in range(start.col + 1, right + 1)) * 7 / 96 * 2.54
    assert chart.width <= cm  # it ends before the print area's right edge
    rows = [ws.row_dimensions[r].height or 15 for r in range(start.row + 1, bottom + 1)]
    assert sum(rows) >= chart.height / 2.54 * 72  # and before its bottom
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == schema.ROLLUP.headers[0])
    assert start.row + 1 < header  # the chart comes before the per-member detail


def test_results_are_by_unit_then_rank_with_quota_names(branch):
    ws = openpyxl.load_workbook(branch)[schema.RESULTS.name]
    keys = schema.RESULTS.keys
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3) if row[0].value and row[keys.index("rank")]
            .value is not None]
    ranks = [(r[keys.index("branch_code")], r[keys.index("rank")]) for r in rows]
    assert ranks == sorted(ranks) and len(ranks) > 10
    advice = [r[keys.index("advice")] for r in rows if "未达标指标" in (r[keys.index("advice")] or "")]
    assert advice and all("（Q" in a for a in advice)  # 「每季度联系群众（Q01）」, not a bare code


def test_ballots_list_every_member_once_per_ballot_and_total_with_formulas(branch, ballots):
    from dj_addin.xlsx.reader import read_book

    roster = read_book(branch).frame(schema.ROSTER.key)
    wb = openpyxl.load_workbook(ballots)
    peer = wb[PEER_SHEET]
    ids = [c.value for c in peer["B"] if c.value in set(roster["member_id"])]
    assert len(ids) == len(roster) ** 2  # one ballot per member, each listing every member
    per = ballot_pages(peer)  # a long list goes on over pages rather than shrinking
    assert len(peer.row_breaks.brk) == len(roster) * per - 1  # every ballot starts a page
    assert peer.page_setup.orientation == "portrait" and str(peer.page_setup.paperSize) == "9"  # A4
    assert MIN_SCALE <= (peer.page_setup.scale or 100) <= 100  # legible (100 % is not written)
    mass = wb[MASS_SHEET]
    assert [c.value for c in mass[4]][4:7] == ["满意", "基本满意", "不满意"]
    assert len(mass.row_breaks.brk) == 3 * ballot_pages(mass) - 1  # 3 copies
    tally = wb[TALLY_SHEET]
    headers = [c.value for c in tally[2]]
    assert headers[:10] == schema.EVALUATION.headers[:10]  # 评议's columns: the counts paste in one go
    assert str(tally.cell(3, 11).value).startswith("=SUM(D3:G3)")
    last = 2 + len(roster) + 1
    assert tally.cell(last, 1).value == "合计" and tally.cell(last, 4).value == f"=SUM(D3:D{last - 1})"
    phones = {str(p) for p in roster["phone"] if isinstance(p, str) and p}
    texts = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert not phones & texts  # no phone number is printed


def test_ballots_never_overwrite_without_force(branch, tmp_path):
    from dj_addin.errors import DjError

    out = tmp_path / "票.xlsx"
    out.write_bytes(b"mine")
    with pytest.raises(DjError, match="已存在"):
        make_ballots(branch, out)
    assert out.read_bytes() == b"mine"
    make_ballots(branch, out, force=True, mass_copies=1)
    assert TALLY_SHEET in openpyxl.load_workbook(out).sheetnames
    with pytest.raises(DjError, match="份数"):
        make_ballots(branch, tmp_path / "x.xlsx", mass_copies=0)
    with pytest.raises(DjError, match="原工作簿"):
        make_ballots(branch, branch, force=True)


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout


@pytest.mark.libreoffice
def test_printed_pages_carry_titles_page_numbers_signature_and_quota_names(branch, ballots, tmp_path, libreoffice):
    wb = openpyxl.load_workbook(branch)
    for ws in list(wb.worksheets):
        if ws.title not in OUTPUTS:
            wb.remove(ws)
    outputs = tmp_path / "outputs.xlsx"
    wb.save(outputs)
    book_pdf, ballots_pdf = libreoffice.convert_all([outputs, ballots], "pdf", tmp_path / "pdf")
    text = pdf_text(book_pdf)
    unit = openpyxl.load_workbook(branch)[schema.META.name]
    name = next(r[1].value for r in unit.iter_rows() if r[0].value == "单位名称")
    assert f"{name} 2026年度 · {schema.FINDINGS.name}" in text  # the page header
    assert f"{name} 2026年度党员民主评议考评结果" in text
    assert "第 1 页 共" in text
    assert "支部书记（签字）" in text and "（盖章）" in text
    for quota in ("每季度联系群众", "群众意见办结", "参加载体活动"):
        assert quota in text
    assert "2026年第1季度" in text and "各指标达标率" in text
    wb = openpyxl.load_workbook(ballots)
    from dj_addin.xlsx.reader import read_book

    members = len(read_book(branch).frame(schema.ROSTER.key))
    pages = libreoffice.pages_per_sheet(ballots_pdf, [PEER_SHEET, MASS_SHEET, TALLY_SHEET])
    assert pages[PEER_SHEET] == members * ballot_pages(wb[PEER_SHEET])  # whole pages, none running over
    assert pages[PEER_SHEET] == len(wb[PEER_SHEET].row_breaks.brk) + 1
    assert pages[MASS_SHEET] == 3 * ballot_pages(wb[MASS_SHEET]) and 1 <= pages[TALLY_SHEET] <= 3
    ballot_text = pdf_text(ballots_pdf)
    for words in ("党员互评票", "群众评议票", "计票表", "基本合格", "基本满意", "1/3", "评议日期", "第 1 页 共"):
        assert words in ballot_text


@pytest.mark.libreoffice
def test_the_readme_pictures_script_runs(demo, tmp_path, libreoffice):
    spec = importlib.util.spec_from_file_location("make_pictures", ROOT / "docs" / "make_pictures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pictures = module.make_pictures(tmp_path / "pictures", demo_dir=demo)
    assert [p.name for p in pictures] == ["results_page.png", "rollup_page.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pictures)
