"""The file reader: messy workbooks made by other programs read to the same
typed tables as a clean one (workbook.md, general rules)."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dj_addin import schema
from dj_addin.errors import UnreadableFile
from dj_addin.normalize import INVALID
from dj_addin.xlsx.reader import read_book

LOG = schema.CONTACT_LOG
ROSTER = schema.ROSTER


def h(sheet: schema.Sheet, key: str) -> str:
    return sheet.column(key).header


ROSTER_ROWS = [
    {"member_id": "2023001", "name": "张三", "category": "教职工党员", "status": "正式党员",
     "join_date": dt.date(2010, 7, 1), "phone": "13812345678"},
    {"member_id": "S2024002", "name": "李四", "category": "学生党员", "status": "预备党员",
     "join_date": dt.date(2025, 11, 20)},
]
LOG_ROWS = [
    {"date": dt.date(2026, 3, 5), "member_id": "2023001", "target_id": "T01", "method": "电话/网络",
     "content": "了解工作生活情况", "handling": "已办结", "closed_date": dt.date(2026, 3, 9), "reported": "是"},
    {"date": dt.date(2026, 4, 1), "member_id": "S2024002", "target_id": "T02", "method": "谈心谈话",
     "content": "交流学习体会", "handling": "无需办理", "reported": "否"},
]


def write_clean(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = schema.META.name
    ws.append(list(schema.META.kv_headers))
    ws.append([h(schema.META, "unit_code"), "D0101"])
    ws.append([h(schema.META, "year"), 2026])
    for sheet, rows in ((ROSTER, ROSTER_ROWS), (LOG, LOG_ROWS)):
        ws = wb.create_sheet(sheet.name)
        ws.append(sheet.headers)
        for row in rows:
            ws.append([row.get(k) for k in sheet.keys])
    wb.save(path)
    return path


def write_messy(path: Path) -> Path:
    """The same data as an export from another system would look."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = " " + schema.META.name + " "
    ws.append(["说明：本表由某系统导出"])
    ws.append(list(schema.META.kv_headers))
    ws.append([h(schema.META, "year"), "２０２６"])
    ws.append([" " + h(schema.META, "unit_code"), "ｄ０１０１"])

    ws = wb.create_sheet(ROSTER.name)
    ws.append(["党员信息表"])
    ws.merge_cells("A1:F1")
    ws.append(["导出时间：2026-11-01"])
    # shuffled, aliases, stray spaces and line breaks, an extra column
    ws.append(["籍贯", " 手机号 ", "党籍\n状态", "学号/工号", "姓 名", "人员类别", "入党时间"])
    ws.append(["湖北", "13812345678", "正式", "２０２３００１", " 张三 ", "教工", "2010年7月1日"])
    ws.append([None] * 7)
    ws.append(["四川", None, "预备党员", "s2024002", "李四", "学生党员", "20251120"])

    ws = wb.create_sheet(LOG.name)
    ws.append(["联系记载表（2026年度）"])
    ws.append(["主要内容", "日期", "对象编号", "党员编号", "联系形式", "备注说明", "办理结果", "办结日期",
               "已向组织汇报"])
    ws.append(["了解工作生活情况", "2026/3/5", "t01", "2023001", "微信", "x", "已解决", "2026.3.9", "Y"])
    ws.append([])
    ws.append(["  交流学习体会 ", 46113, "T02", "Ｓ２０２４００２", "谈心谈话", None, None, None, "×"])
    wb.save(path)
    return path


def comparable(table, keys) -> pd.DataFrame:
    return table.data[keys].reset_index(drop=True)


def test_messy_workbook_reads_to_the_same_tables(tmp_path: Path) -> None:
    clean = read_book(write_clean(tmp_path / "clean.xlsx"))
    messy = read_book(write_messy(tmp_path / "messy.xlsx"))
    assert messy.unit_code == clean.unit_code == "D0101"
    assert messy.year == clean.year == 2026
    roster_keys = ["member_id", "name", "category", "status", "cadre_level", "branch_post", "join_date", "phone"]
    pd.testing.assert_frame_equal(comparable(messy.table("roster"), roster_keys),
                                  comparable(clean.table("roster"), roster_keys))
    log_keys = ["date", "member_id", "target_id", "method", "content", "handling", "closed_date", "reported"]
    pd.testing.assert_frame_equal(comparable(messy.table("contact_log"), log_keys),
                                  comparable(clean.table("contact_log"), log_keys))
    assert not messy.table("contact_log").bad.any().any()
    assert not messy.table("roster").bad.any().any()


def test_excel_row_numbers_and_header_row_are_kept(tmp_path: Path) -> None:
    book = read_book(write_messy(tmp_path / "messy.xlsx"))
    roster = book.table("roster")
    assert roster.header_row == 3
    assert list(roster.data.index) == [4, 6]  # the blank row 5 is skipped
    assert list(book.table("contact_log").data.index) == [3, 5]
    assert roster.columns["member_id"] == "D"  # found under the alias 学号/工号
    assert roster.headers_found["member_id"] == "学号/工号"


def test_extra_columns_are_kept(tmp_path: Path) -> None:
    book = read_book(write_messy(tmp_path / "messy.xlsx"))
    roster = book.table("roster")
    assert roster.extra_columns == {"籍贯": "A"}
    assert list(roster.data["籍贯"]) == ["湖北", "四川"]
    assert "备注说明" in book.table("contact_log").data.columns


def test_unreadable_cells_are_kept_as_found_and_flagged(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = LOG.name
    ws.append(LOG.headers)
    ws.append(["2026-13-05", "2023001", None, "T01", None, "飞鸽传书", "谈话内容", None, "已解决", None, "也许"])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    log = read_book(path).table("contact_log")
    assert log.raw.loc[2, "date"] == "2026-13-05" and bool(log.bad.loc[2, "date"])
    assert pd.isna(log.data.loc[2, "date"])
    assert log.raw.loc[2, "method"] == "飞鸽传书" and bool(log.bad.loc[2, "method"])
    assert log.raw.loc[2, "reported"] == "也许" and bool(log.bad.loc[2, "reported"])
    assert log.data.loc[2, "handling"] == "已办结" and not log.bad.loc[2, "handling"]


def test_alias_never_overrides_the_real_header_and_duplicates_are_reported(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = ROSTER.name
    ws.append(["学号", "党员编号", "姓名", "姓名", "党员类别", "党员身份"])
    ws.append(["X1", "2023001", "张三", "张三丰", "教职工党员", "正式党员"])
    path = tmp_path / "dup.xlsx"
    wb.save(path)
    roster = read_book(path).table("roster")
    assert roster.data["member_id"].tolist() == ["2023001"]
    assert roster.data["学号"].tolist() == ["X1"]
    assert roster.duplicate_columns == {"name": ["C", "D"]}
    assert roster.data["name"].tolist() == ["张三"]


def test_merged_cells_in_the_data_area_take_the_top_left_value(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = LOG.name
    ws.append(LOG.headers)
    for content in ("第一次谈话内容", "第二次谈话内容"):
        ws.append([None, None, None, "T01", None, "谈心谈话", content])
    ws["A2"] = dt.date(2026, 5, 6)
    ws["B2"] = "2023001"
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    log = read_book(path).table("contact_log")
    assert log.merged_ranges == ["A2:A3", "B2:B3"]
    assert log.data["member_id"].tolist() == ["2023001", "2023001"]
    assert log.data["date"].tolist() == [pd.Timestamp(2026, 5, 6)] * 2


def test_excel_error_values_are_flagged(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = LOG.name
    ws.append(LOG.headers)
    ws.append([dt.date(2026, 1, 5), "2023001", None, "T01", None, "谈心谈话", "谈话内容"])
    ws["D2"].value = "#REF!"
    ws["D2"].data_type = "e"
    path = tmp_path / "err.xlsx"
    wb.save(path)
    for engine in ("calamine", "openpyxl"):
        log = read_book(path, engine=engine).table("contact_log")
        assert bool(log.errors.loc[2, "target_id"]), engine
        assert log.raw.loc[2, "target_id"] == "#REF!"
        assert not log.bad.loc[2, "target_id"]


def test_both_engines_read_the_same_tables(tmp_path: Path) -> None:
    path = write_messy(tmp_path / "messy.xlsx")
    a, b = read_book(path, engine="calamine"), read_book(path, engine="openpyxl")
    for key in ("roster", "contact_log"):
        pd.testing.assert_frame_equal(a.table(key).data[a.table(key).spec.keys],
                                      b.table(key).data[b.table(key).spec.keys])
    assert a.meta.get("unit_code") == b.meta.get("unit_code")


def test_missing_sheets_read_as_empty_tables_with_all_columns(tmp_path: Path) -> None:
    book = read_book(write_clean(tmp_path / "clean.xlsx"))
    research = book.table("research")
    assert not research.found and len(research) == 0
    assert list(research.data.columns) == schema.RESEARCH.keys
    assert not book.scoring_rules.found


def test_xlsm_is_read(tmp_path: Path) -> None:
    src = write_clean(tmp_path / "clean.xlsx")
    dst = tmp_path / "宏.xlsm"
    shutil.copy(src, dst)
    assert len(read_book(dst).table("roster")) == 2


@pytest.mark.parametrize("content, phrase", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "97-2003"),
    (b"hello, this is not a workbook", "不是 Excel 工作簿"),
])
def test_non_workbooks_are_refused_in_chinese(tmp_path: Path, content: bytes, phrase: str) -> None:
    path = tmp_path / "附件.xlsx"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as info:
        read_book(path)
    assert phrase in info.value.message and "附件.xlsx" in info.value.message


def test_truncated_zip_is_refused(tmp_path: Path) -> None:
    src = write_clean(tmp_path / "clean.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(src.read_bytes()[:-200])
    with pytest.raises(UnreadableFile) as info:
        read_book(broken)
    assert "损坏" in info.value.message


def test_size_limit_is_checked_before_parsing(tmp_path: Path) -> None:
    src = write_clean(tmp_path / "clean.xlsx")
    with pytest.raises(UnreadableFile) as info:
        read_book(src, max_bytes=1000)
    assert "超过上限" in info.value.message


def test_dtd_in_a_part_is_refused(tmp_path: Path) -> None:
    src = write_clean(tmp_path / "clean.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bomb, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"<workbook", b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><workbook', 1)
            zout.writestr(info, data)
    with pytest.raises(UnreadableFile) as info:
        read_book(bomb)
    assert "不安全" in info.value.message


def test_kv_sheet_unknown_items_and_bad_values(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = schema.META.name
    ws.append(list(schema.META.kv_headers))
    ws.append([h(schema.META, "year"), "明年"])
    ws.append(["自定义项", "x"])
    path = tmp_path / "kv.xlsx"
    wb.save(path)
    meta = read_book(path).meta
    assert meta.items["year"].value is INVALID and meta.items["year"].raw == "明年"
    assert meta.get("year") is None
    assert "自定义项" in meta.unknown_items


def test_size_limit_is_configurable_by_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_clean(tmp_path / "clean.xlsx")
    monkeypatch.setenv("DJ_MAX_FILE_MB", "0.001")
    with pytest.raises(UnreadableFile) as info:
        read_book(src)
    assert "超过上限" in info.value.message
    monkeypatch.setenv("DJ_MAX_FILE_MB", "5")
    assert read_book(src).unit_code == "D0101"


def test_an_empty_header_row_is_not_replaced_by_the_first_data_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = LOG.name
    ws.append([None] * len(LOG.headers))
    ws.append([dt.date(2026, 3, 5), "2023001", None, "T01", None, "谈心谈话", "谈话内容"])
    path = tmp_path / "noheader.xlsx"
    wb.save(path)
    log = read_book(path).table("contact_log")
    assert log.header_row == 1
    assert log.columns == {} and log.extra_columns == {}
    assert "date" in log.missing_columns and "member_id" in log.missing_columns
