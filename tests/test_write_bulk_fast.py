"""xlsx/bulk_xml.py and bulk_zip.py: the merged workbook's fast paths give the same workbook as
the plain ones (text escaping, shared strings, two processes deflating halves of a part), and a
failing or dying helper process never leaves a partial file."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import zipfile
import zlib

import pytest
import python_calamine
from hypothesis import given, settings
from hypothesis import strategies as st

from dj_addin.plans import look
from dj_addin.plans.types import Block, ColumnPlan, SheetPlan
from dj_addin.xlsx import bulk_zip
from dj_addin.xlsx.bulk import write_workbook_bulk
from dj_addin.xlsx.bulk_xml import _slow_text_element, text_element
from dj_addin.xlsx.stream import write_workbook

UTF8_CSV = "csv:Text - txt - csv (StarCalc):44,34,76"  # comma, double quotes, 76: UTF-8
TEXT = st.text(st.sampled_from(list("ab 中文_x0041&<>\t\n\r\x01\x1f\ud800\uffff")), max_size=30)


@given(TEXT)
@settings(max_examples=300, deadline=None)
def test_text_without_anything_to_escape_takes_the_fast_path_to_the_same_xml(text):
    assert text_element(text) == _slow_text_element(text)


@given(st.binary(max_size=300), st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_crc_of_two_halves_combines_to_the_crc_of_the_whole(a, b):
    assert bulk_zip.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def _plans(n: int = 3000):
    cols = (ColumnPlan("d", "日期", 12, look.DATE), ColumnPlan("t", "姓名", 10), ColumnPlan("i", "次数", 8, look.INTEGER),
            ColumnPlan("e", "备注", 10), ColumnPlan("b", "是否", 6), ColumnPlan("x", "内容", 20, style=look.WRAP))
    rows = [[dt.date(2026, 1, 1) + dt.timedelta(days=k % 300), f"党员{k % 97}", k, None if k % 3 else f"注{k}",
             bool(k % 2), f" 第{k}次 <走访> & 记录 "] for k in range(n)]
    return [SheetPlan("联系记载", [Block(cols, rows, header_style=look.HEADER)], freeze="A2"),
            SheetPlan("名册", [Block(cols[:3], [r[:3] for r in rows[:50]])])]


def _parts(path):
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def _values(path):
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_two_processes_write_the_same_package_as_one(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk_zip, "PARALLEL_MIN_COST", 10**12)
    write_workbook_bulk(tmp_path / "one.xlsx", _plans())
    monkeypatch.setattr(bulk_zip, "PARALLEL_MIN_COST", 0)
    halves = []
    split = bulk_zip._split
    monkeypatch.setattr(bulk_zip, "_split", lambda parts: halves.append(split(parts)) or halves[-1])
    write_workbook_bulk(tmp_path / "two.xlsx", _plans())
    assert halves and all(halves[0]) and halves[0][0][-1][0] == halves[0][1][0][0]  # a part cut in two
    assert _parts(tmp_path / "one.xlsx") == _parts(tmp_path / "two.xlsx")
    write_workbook(tmp_path / "ref.xlsx", _plans())
    assert _values(tmp_path / "two.xlsx") == _values(tmp_path / "ref.xlsx")
    assert "xl/sharedStrings.xml" in _parts(tmp_path / "two.xlsx")
    assert sorted(os.listdir(tmp_path)) == ["one.xlsx", "ref.xlsx", "two.xlsx"]  # no scratch left


def test_a_child_that_dies_leaves_its_half_to_the_parent(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk_zip, "PARALLEL_MIN_COST", 0)
    monkeypatch.setattr(bulk_zip, "_child", lambda *args: os._exit(3))
    write_workbook_bulk(tmp_path / "b.xlsx", _plans())
    write_workbook(tmp_path / "ref.xlsx", _plans())
    assert _values(tmp_path / "b.xlsx") == _values(tmp_path / "ref.xlsx")
    assert sorted(os.listdir(tmp_path)) == ["b.xlsx", "ref.xlsx"]


def test_a_failure_in_the_parent_stops_the_child_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk_zip, "PARALLEL_MIN_COST", 0)

    def fail(*args):
        raise OSError("磁盘已满")

    monkeypatch.setattr(bulk_zip, "_here", fail)
    (tmp_path / "b.xlsx").write_bytes(b"old")
    with pytest.raises(OSError):
        write_workbook_bulk(tmp_path / "b.xlsx", _plans())
    assert (tmp_path / "b.xlsx").read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["b.xlsx"]
    assert not multiprocessing.active_children()


@pytest.mark.libreoffice
def test_libreoffice_reads_shared_strings_as_the_inline_text_of_the_renderer(tmp_path, libreoffice):
    plans = _plans(400)
    write_workbook_bulk(tmp_path / "bulk.xlsx", plans)
    write_workbook(tmp_path / "ref.xlsx", plans)
    a, b = libreoffice.convert_all([tmp_path / "bulk.xlsx", tmp_path / "ref.xlsx"], UTF8_CSV, tmp_path / "csv")
    text = a.read_text(encoding="utf-8", errors="replace")
    assert text == b.read_text(encoding="utf-8", errors="replace")
    assert "党员96" in text and "第399次 <走访> & 记录" in text and text.count("\n") >= 400
