"""评议票 of real branch sizes print legibly (scoring.md, workbook.md "Printing and presentation").

A branch of 46 members and one of 150: every 党员互评票 lists every member,
and rather than shrinking a long list onto one page it goes on over more
pages, each printed at 85 % or more with the title and header again. The
ballots are printed through LibreOffice; the pages are counted per sheet by
their page header and their text must carry the title and every name.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from dj_addin.ballots import make_ballots
from dj_addin.plans.ballots import MASS_SHEET, MIN_SCALE, PEER_SHEET, TALLY_SHEET
from tests.builders import make_book

import libreoffice as lo
from conftest import require_libreoffice

SIZES = (46, 150)
UNIT = "测试党支部"


def name_of(i: int) -> str:
    """Names that are no part of one another (党员1 is part of 党员10)."""
    return f"成员{chr(0x4E00 + i)}{chr(0x4E00 + 500 + i)}"


def branch(path: Path, size: int) -> Path:
    roster = [{"member_id": f"2026{i:04d}", "name": name_of(i), "gender": "女" if i % 2 else "男",
               "category": "学生党员", "status": "预备党员" if i % 9 == 0 else "正式党员",
               "phone": f"1380000{i:04d}", "branch_code": "D0101"} for i in range(size)]
    return make_book(path, meta={"unit_name": UNIT}, rows={"roster": roster})


@pytest.fixture(scope="module")
def ballots(tmp_path_factory) -> dict[int, Path]:
    tmp = tmp_path_factory.mktemp("ballots")
    out = {}
    for n in SIZES:
        result = make_ballots(branch(tmp / f"b{n}.xlsx", n), tmp / f"票{n}.xlsx", mass_copies=2)
        assert result.peer_pages > 1 and f"分 {result.peer_pages} 页打印" in "".join(result.summary_lines())
        out[n] = result.out
    return out


def pages_per_ballot(ws) -> int:
    """How many pages one ballot takes: the 「第 1 份」 pages (titles carry 第 p 页（本票共 P 页）)."""
    pages = {m.group(1) for row in ws.iter_rows(max_col=1) for c in row
             if isinstance(c.value, str) and (m := re.search(r"本票共 (\d+) 页", c.value))}
    return int(pages.pop()) if pages else 1


@pytest.mark.parametrize("size", SIZES)
def test_every_page_is_legible_and_a_ballot_per_voter(ballots, size):
    wb = openpyxl.load_workbook(ballots[size])
    for name in (PEER_SHEET, MASS_SHEET):
        ws = wb[name]
        assert ws.page_setup.orientation == "portrait" and str(ws.page_setup.paperSize) == "9"  # A4
        scale = ws.page_setup.scale or 100  # 100 % is the default, not written
        assert MIN_SCALE <= scale <= 100, (name, scale)
        assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
    peer = wb[PEER_SHEET]
    per = pages_per_ballot(peer)
    assert per > 1  # a long list goes on over more pages
    assert len(peer.row_breaks.brk) == size * per - 1  # every page ends with a break
    titles = [c.value for c in peer["A"] if isinstance(c.value, str) and c.value.endswith("党员互评票")]
    assert len(titles) == size * per  # the title again on every page
    headers = [r for r in range(1, peer.max_row + 1) if peer.cell(r, 3).value == "姓名"]
    assert len(headers) == size * per  # and the header row
    ids = [c.value for c in peer["B"] if isinstance(c.value, str) and c.value.startswith("2026")]
    assert len(ids) == size * size and len(set(ids)) == size  # every voter's ballot lists every member once
    phones = {f"1380000{i:04d}" for i in range(size)}
    assert not phones & {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row}


@pytest.fixture(scope="module")
def printed(ballots, tmp_path_factory) -> dict[int, Path]:
    require_libreoffice()
    sizes = list(ballots)
    pdfs = lo.convert_all([ballots[n] for n in sizes], "pdf", tmp_path_factory.mktemp("pdf"), timeout=600)
    return dict(zip(sizes, pdfs))


@pytest.mark.libreoffice
@pytest.mark.parametrize("size", SIZES)
def test_printed_ballots_carry_the_title_and_every_name_on_pages_that_do_not_overflow(ballots, printed, size):
    per = pages_per_ballot(openpyxl.load_workbook(ballots[size])[PEER_SHEET])
    pages = lo.pdf_page_texts(printed[size])
    counts = lo.pages_per_sheet(printed[size], [PEER_SHEET, MASS_SHEET, TALLY_SHEET])
    assert counts[PEER_SHEET] == size * per  # no page ran over onto another
    mass_per = counts[MASS_SHEET] // 2
    assert counts[MASS_SHEET] == 2 * mass_per and counts[TALLY_SHEET] >= 1
    peer = [p for p in pages if lo.page_header(p).endswith(PEER_SHEET)]
    for p in peer:
        assert f"{UNIT} 2026年度党员民主评议党员互评票" in p and "优秀" in p and "不合格" in p
    first_ballot = "".join(peer[:per])
    missing = [name_of(i) for i in range(size) if name_of(i) not in first_ballot]
    assert missing == []
    assert "评议日期" in peer[per - 1] and "1/3" in peer[0]
    text = "".join(peer)
    assert all(text.count(name_of(i)) == size for i in range(size))  # on every voter's ballot, once
