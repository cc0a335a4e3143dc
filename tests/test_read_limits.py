"""The reader at the edges of a sheet: documented limits refuse at once with a
Chinese message (S001); sheets that only look big are read by what they hold."""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from builders import make_book
from dj_addin import schema
from dj_addin.errors import UnreadableFile, UsageError
from dj_addin.xlsx import reader
from dj_addin.xlsx.reader import read_book

LOG = schema.CONTACT_LOG


def _log_rows(n: int) -> list[dict]:
    return [{"date": "2026-03-05", "member_id": f"M{i}", "member_name": "张三", "target_id": "T1",
             "target_name": "李四", "method": "走访", "content": "了解思想工作生活情况"} for i in range(n)]


def _sheet_part(path: Path, name: str) -> str:
    from dj_addin.xlsx.safety import check_package

    return dict(check_package(path).sheets)[name]


def _fill_down(path: Path, first: int, last: int = 1_048_576) -> None:
    """A formula in column L from row ``first`` to ``last`` whose results are
    empty text, stored as Excel stores a filled-down formula."""
    part = _sheet_part(path, LOG.name)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    head = (f'<row r="{first}"><c r="L{first}" t="str"><f t="shared" ref="L{first}:L{last}" si="0">'
            f'IF(A{first}="","",1)</f><v></v></c></row>')
    rows = "".join(f'<row r="{r}"><c r="L{r}" t="str"><f t="shared" si="0"/><v></v></c></row>'
                   for r in range(first + 1, last + 1))
    xml = parts[part].decode()
    xml = re.sub(r"<sheetData\s*/>", "<sheetData></sheetData>", xml)
    parts[part] = xml.replace("</sheetData>", head + rows + "</sheetData>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)


def test_a_formula_filled_down_to_the_last_row_reads_the_rows_that_hold_data(tmp_path: Path) -> None:
    path = make_book(tmp_path / "b.xlsx", rows={"contact_log": _log_rows(30)})
    _fill_down(path, 32)
    log = read_book(path).table(LOG.key)
    assert len(log) == 30 and log.rows.tolist() == list(range(2, 32))


def test_a_sheet_with_more_rows_than_the_limit_is_refused_at_once(tmp_path: Path, monkeypatch) -> None:
    path = make_book(tmp_path / "b.xlsx", rows={"contact_log": _log_rows(24)})  # 25 rows with the header
    monkeypatch.setenv(reader.MAX_ROWS_ENV, "20")
    with pytest.raises(UnreadableFile) as exc:
        read_book(path)
    assert f"工作表「{LOG.name}」有 25 行填有内容" in exc.value.message and "20 行的上限" in exc.value.message
    assert reader.MAX_ROWS_ENV in exc.value.message
    monkeypatch.setenv(reader.MAX_ROWS_ENV, "25")
    assert len(read_book(path).table(LOG.key)) == 24


def test_rows_that_only_touch_the_sheet_do_not_count_against_the_limit(tmp_path: Path, monkeypatch) -> None:
    path = make_book(tmp_path / "b.xlsx", rows={"contact_log": _log_rows(5)})
    _fill_down(path, 7, 200)
    monkeypatch.setenv(reader.MAX_ROWS_ENV, "20")
    assert len(read_book(path).table(LOG.key)) == 5


def test_an_unreadable_row_limit_is_a_usage_error(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(reader.MAX_ROWS_ENV, "很多")
    with pytest.raises(UsageError, match=reader.MAX_ROWS_ENV):
        read_book(make_book(tmp_path / "b.xlsx"))


def _wide(path: Path, columns: int, rows: int = 3) -> Path:
    def widen(wb) -> None:
        ws = wb[LOG.name]
        for c in range(len(LOG.keys) + 1, columns + 1):
            ws.cell(1, c, f"备注{c}")
            for r in range(2, rows + 2):
                ws.cell(r, c, f"x{r}")

    return make_book(path, rows={"contact_log": _log_rows(rows)}, edit=widen)


def test_a_header_wider_than_the_column_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as exc:
        read_book(_wide(tmp_path / "w.xlsx", reader.MAX_COLUMNS + 1, rows=1))
    assert f"有 {reader.MAX_COLUMNS + 1:,} 列填有内容" in exc.value.message and "上限" in exc.value.message


def test_many_extra_columns_are_kept_without_fragmenting_the_frame(tmp_path: Path) -> None:
    path = _wide(tmp_path / "w.xlsx", 400)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        log = read_book(path).table(LOG.key)
    assert len(log.extra_columns) == 400 - len(LOG.keys)
    assert log.data["备注400"].tolist() == ["x2", "x3", "x4"]


def test_a_stray_value_far_right_is_not_a_wide_sheet(tmp_path: Path) -> None:
    def stray(wb) -> None:
        wb[LOG.name]["XFD2"] = "x"

    log = read_book(make_book(tmp_path / "s.xlsx", rows={"contact_log": _log_rows(2)}, edit=stray)).table(LOG.key)
    assert len(log) == 2


def test_a_long_narrow_sheet_is_measured_by_its_real_width(tmp_path: Path) -> None:
    """Without cells beyond column Z the width was taken as 26, so 400,000 rows of
    11 columns looked like 10 million cells and went to the slow sparse reader."""
    from dj_addin.xlsx.sheet_scan import scan_sheet

    path = make_book(tmp_path / "b.xlsx", rows={"contact_log": _log_rows(3)})
    scan = scan_sheet(path, _sheet_part(path, LOG.name))
    assert scan.max_col == len(LOG.keys) and scan.max_row == 4
