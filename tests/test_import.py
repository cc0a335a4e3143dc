"""dj import (workbook.md, 导入): other systems' lists brought into 党员名册 / 联系对象."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dj_addin import schema
from dj_addin.cli import main
from dj_addin.errors import UsageError
from dj_addin.importer import import_rows
from dj_addin.xlsx.reader import read_book
from exports import BRANCH_CODE, applicants_list, branch_book, id_card_only, national_roster


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    branch_book(tmp_path / "支部A.xlsx")
    national_roster(tmp_path / "国家系统导出.xlsx")
    applicants_list(tmp_path / "申请人.xlsx")
    id_card_only(tmp_path / "身份证.xlsx")
    return tmp_path


def dj(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_preview_shows_mapping_left_out_and_outcomes_and_writes_nothing(folder: Path) -> None:
    book = folder / "支部A.xlsx"
    before = book.read_bytes()
    code, out = dj("import", book, folder / "国家系统导出.xlsx", "--sheet", "党员名册")
    assert code == 1  # the new rows lack 党员类别: 错误
    assert "学号/工号 → 党员编号" in out and "人员类别 → 党员身份" in out and "手机号码 → 联系电话" in out
    assert "所在党支部 → 所在支部编码" in out and "确定为预备党员时间（支部大会） → 入党日期" in out
    assert "未导入的列：序号、公民身份号码、联系电话" in out
    assert "新增 2 行，已有编号跳过 1 行，拒绝 1 行" in out
    assert "联系电话 13900009999 → 13900001111" in out  # the existing row stays, the difference is listed
    assert "需要补填" in out and "党员类别" in out
    assert "不存在的党支部" in out and "软件工程第一党支部（D0101）" in out
    assert book.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == sorted(
        ["支部A.xlsx", "国家系统导出.xlsx", "申请人.xlsx", "身份证.xlsx"])


def test_output_file_gets_the_new_rows_typed_and_validated(folder: Path) -> None:
    book, out = folder / "支部A.xlsx", folder / "结果.xlsx"
    code, text = dj("import", book, folder / "国家系统导出.xlsx", "--sheet", "党员名册", "-o", out, "--json")
    doc = json.loads(text)
    assert doc["counts"] == {"added": 2, "skipped": 1, "refused": 1}
    assert [a["key"] for a in doc["added"]] == ["S2024102", "2023103"]
    assert [a["target_row"] for a in doc["added"]] == [3, 4]
    assert doc["skipped"][0]["existing_row"] == 2
    assert {"field": "联系电话", "existing": "13900009999", "imported": "13900001111"} in doc["skipped"][0]["differences"]
    assert doc["refused"][0]["row"] == 6 and "编号" in doc["refused"][0]["reason"]
    assert doc["missing_required"] == ["党员类别"]
    assert {f["rule"] for f in doc["findings"] if f["level"] == "错误"} == {"C001"}
    assert all(f["row"] in (3, 4) for f in doc["findings"])
    roster = read_book(out).table("roster")
    assert roster.data["member_id"].tolist() == ["2023101", "S2024102", "2023103"]
    assert roster.data["status"].tolist() == ["正式党员", "预备党员", "正式党员"]  # 预备 → 预备党员
    assert roster.data["branch_code"].tolist()[1] == BRANCH_CODE  # the branch name became its code
    assert roster.data["phone"].tolist()[0] == "13900009999"  # the existing row won
    assert str(roster.data["join_date"].iloc[2].date()) == "2019-04-01"
    assert code == 1


def test_output_that_exists_is_refused_unless_forced(folder: Path) -> None:
    book, out = folder / "支部A.xlsx", folder / "结果.xlsx"
    out.write_bytes(b"keep me")
    code, text = dj("import", book, folder / "国家系统导出.xlsx", "--sheet", "党员名册", "-o", out)
    assert code == 2 and "已存在" in text and out.read_bytes() == b"keep me"
    code, _ = dj("import", book, folder / "国家系统导出.xlsx", "--sheet", "党员名册", "-o", out, "--force")
    assert code == 1 and len(read_book(out).table("roster")) == 3


def test_in_place_keeps_a_backup_and_a_second_import_adds_nothing(folder: Path) -> None:
    book = folder / "支部A.xlsx"
    original = book.read_bytes()
    code, text = dj("import", book, folder / "国家系统导出.xlsx", "--sheet", "党员名册", "--in-place")
    assert "原文件备份" in text
    backups = [p for p in folder.iterdir() if p.name.startswith("支部A.bak")]
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert len(read_book(book).table("roster")) == 3
    code, text = dj("import", book, folder / "国家系统导出.xlsx", "--sheet", "党员名册", "--in-place", "--json")
    doc = json.loads(text)
    assert doc["counts"]["added"] == 0 and doc["counts"]["skipped"] == 3
    assert len(read_book(book).table("roster")) == 3


def test_a_sheet_is_picked_with_source_colon_sheet(folder: Path) -> None:
    src = folder / "国家系统导出.xlsx"
    code, text = dj("import", folder / "支部A.xlsx", f"{src}:党员信息", "--sheet", "党员名册", "--json")
    assert json.loads(text)["sources"][0]["sheet"] == "党员信息"
    code, text = dj("import", folder / "支部A.xlsx", f"{src}:花名册", "--sheet", "党员名册")
    assert code == 2 and "没有工作表「花名册」" in text and "党员信息" in text


def test_a_source_without_a_key_column_names_the_column_to_add(folder: Path) -> None:
    code, text = dj("import", folder / "支部A.xlsx", folder / "身份证.xlsx", "--sheet", "党员名册")
    assert code == 2
    assert "学号" in text and "工号" in text and "身份证号码" in text and "不能作为编号" in text


def test_an_id_card_number_in_a_key_column_is_refused(folder: Path) -> None:
    import openpyxl

    path = folder / "编号是身份证.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["编号", "姓名", "党员类别", "党员身份"])
    wb.active.append(["11010120000505005X", "郑可", "学生党员", "正式党员"])
    wb.active.append(["2023201", "冯亮", "学生党员", "正式党员"])
    wb.save(path)
    result = import_rows(folder / "支部A.xlsx", [str(path)], "党员名册")
    assert [o.key for o in result.plan.added] == ["2023201"]
    assert "身份证号码" in result.plan.refused[0].reason


def test_applicants_go_into_contact_targets_keyed_by_student_number(folder: Path) -> None:
    out = folder / "结果.xlsx"
    code, text = dj("import", folder / "支部A.xlsx", folder / "申请人.xlsx", "--sheet", "联系对象", "-o", out,
                    "--json")
    doc = json.loads(text)
    mapping = {m["source"]: m["column"] for m in doc["sources"][0]["mapping"]}
    assert mapping == {"学号": "对象编号", "姓名": "姓名", "联系方式": "联系电话"}
    assert doc["missing_required"] == ["对象类别", "联系党员编号"]
    targets = read_book(out).table("targets")
    assert targets.data["target_id"].tolist() == ["2025201", "2025202"]


def test_duplicates_inside_the_sources_are_imported_once(folder: Path) -> None:
    src = folder / "国家系统导出.xlsx"
    copy = folder / "再次导出.xlsx"
    shutil.copy(src, copy)
    result = import_rows(folder / "支部A.xlsx", [str(src), str(copy)], "党员名册")
    assert len(result.plan.added) == 2 and len(result.plan.skipped) == 1 + 3


def test_bad_sheet_and_self_import_are_refused(folder: Path) -> None:
    book = folder / "支部A.xlsx"
    with pytest.raises(UsageError, match="可以导入的工作表"):
        import_rows(book, [str(folder / "申请人.xlsx")], "联系记载")
    with pytest.raises(UsageError, match="工作簿本身"):
        import_rows(book, [str(book)], "党员名册")


def test_unreadable_source_is_one_chinese_line(folder: Path) -> None:
    bad = folder / "旧名单.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    code, text = dj("import", folder / "支部A.xlsx", bad, "--sheet", "党员名册")
    assert code == 2 and "另存为" in text
    assert schema.ROSTER.name  # the book is untouched: nothing else was written
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["支部A.xlsx", "国家系统导出.xlsx", "申请人.xlsx", "身份证.xlsx", "旧名单.xls"])
