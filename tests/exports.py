"""Workbooks shaped like real exports, filled with invented people.

Each builder reproduces one layout found in rosters and lists that other
systems export (the national Party-member system, a students' list, a list
of 入党申请人): title rows, their header words, their values. Every name,
number and phone is made up.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from dj_addin import schema
from dj_addin.template.build import build_template
from dj_addin.template.fill import append_rows, set_meta

BRANCH_CODE, BRANCH_NAME = "D0101", "软件工程第一党支部"


def national_roster(path: Path, title: str = "党员信息") -> Path:
    """The national system's roster: a merged title, 人员类别 holding 正式党员/预备党员,
    an empty 联系电话 beside a filled 手机号码, branch names, bracketed notes."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["党员基本信息表"])
    ws.merge_cells("A1:K1")
    ws.append(["序号", "姓名", "性别", "学号/工号", "公民身份号码", "人员类别", "所在党支部",
               "确定为预备党员时间（支部大会）", "联系电话", "手机号码", "备注（包括未及时转正原因，其他）"])
    ws.append([1, "王小明", "男", "2023101 ", "110101200001010011", "正式党员", BRANCH_NAME,
               "2022年5月20日", None, "13900001111", None])
    ws.append([2, "赵丽丽", "女", "ｓ2024102", "110101200202020022", "预备", BRANCH_NAME,
               "2025-06-01", None, "13900002222", "延长预备期"])
    ws.append([3, "孙大海", "男", "2023103", "110101199903030033", "正式党员", "不存在的党支部",
               "2019.4.1", None, "13900003333", None])
    ws.append([4, "钱多多", "女", None, "110101200104040044", "预备党员", BRANCH_NAME, "2025/9/1", None,
               "13900004444", None])
    wb.save(path)
    return path


def applicants_list(path: Path, title: str = "申请人名单") -> Path:
    """A list of 入党申请人: a merged title and headers sharing only 姓名 with 联系对象."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["2026年入党申请人名单"])
    ws.merge_cells("A1:H1")
    ws.append(["序号", "党支部", "学号", "姓名", "性别", "出生年月", "申请入党时间", "联系方式"])
    ws.append([1, BRANCH_NAME, "2025201", "周一鸣", "男", "2006.05", "2025-10-08", "13700001111"])
    ws.append([2, BRANCH_NAME, "2025202", "吴晓燕", "女", "2006.11", "2025-10-09", "13700002222"])
    wb.save(path)
    return path


def id_card_only(path: Path) -> Path:
    """A list that names people by ID-card number only: no key column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["姓名", "身份证号码", "人员类别", "所在党支部"])
    ws.append(["郑可", "110101200005050055", "正式党员", BRANCH_NAME])
    wb.save(path)
    return path


def branch_book(path: Path, members: list[dict] | None = None) -> Path:
    """A branch workbook from the template, with 基本信息 and a few members."""
    wb = build_template()
    set_meta(wb, {"unit_code": BRANCH_CODE, "unit_name": BRANCH_NAME, "unit_level": "党支部", "year": 2026})
    rows = members if members is not None else [
        {"member_id": "2023101", "name": "王小明", "gender": "男", "category": "学生党员", "status": "正式党员",
         "join_date": dt.date(2022, 5, 20), "phone": "13900009999"},
    ]
    append_rows(wb, schema.ROSTER.key, rows)
    wb.save(path)
    return path
