"""A big branch-like workbook for the benchmarks (xlsxwriter, shared strings,
headers from the schema), so that every benchmark measures the same file."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import xlsxwriter

from dj_addin import schema


def make_book(path: Path, members: int, log_rows: int, spoil: float = 0.0, seed: int = 1,
              unit: str = "D0101") -> None:
    """A branch-like workbook: members with assigned contacts, a contact log
    spread over the year; ``spoil`` = share of log rows with one mistake.
    ``unit``: the branch code; other than the default it also prefixes member and
    contact IDs, so that many generated branches can be merged without clashes."""
    prefix = "" if unit == "D0101" else unit
    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(schema.META.name)
    ws.write_row(0, 0, schema.META.kv_headers)
    for r, (key, value) in enumerate((("unit_code", unit), ("unit_name", "测试党委"), ("unit_level", "党支部"),
                                      ("year", 2026), ("template_version", schema.TEMPLATE_VERSION)), start=1):
        ws.write_row(r, 0, [schema.META.column(key).header, value])
    ws = wb.add_worksheet(schema.ROSTER.name)
    ws.write_row(0, 0, schema.ROSTER.headers)
    ids = [f"{prefix}{2020000 + i}" for i in range(members)]
    for i, mid in enumerate(ids, start=1):
        ws.write_row(i, 0, [mid, f"党员{i}", "男", "教职工党员", "正式党员", "无", "无", unit, "文学院"])
        ws.write_datetime(i, 9, dt.datetime(2010, 7, 1), datefmt)
    ws = wb.add_worksheet(schema.TARGETS.name)
    ws.write_row(0, 0, schema.TARGETS.headers)
    targets = [f"{prefix}T{i:06d}" for i in range(members * 3)]
    for i, tid in enumerate(targets, start=1):
        ws.write_row(i, 0, [tid, f"群众{i}", "普通教职工", "群众", "文学院", ids[(i - 1) // 3]])
    ws = wb.add_worksheet(schema.CONTACT_LOG.name)
    ws.write_row(0, 0, schema.CONTACT_LOG.headers)
    start = dt.datetime(2026, 1, 1)
    for i in range(1, log_rows + 1):
        m = rnd.randrange(members)
        date: object = start + dt.timedelta(days=rnd.randrange(360))
        member, method = ids[m], rnd.choice(schema.CONTACT_METHODS)
        if spoil and rnd.random() < spoil:
            kind = rnd.randrange(3)
            date = "2026-13-05" if kind == 0 else date
            member = "X999" if kind == 1 else member
            method = "飞鸽传书" if kind == 2 else method
        if isinstance(date, dt.datetime):
            ws.write_datetime(i, 0, date, datefmt)
        else:
            ws.write(i, 0, date)
        ws.write_row(i, 1, [member, f"党员{m + 1}", targets[m * 3], f"群众{m * 3 + 1}", method,
                            "了解思想工作生活情况，听取意见建议",
                            "希望改善实验室条件" if i % 7 == 0 else None,
                            "已办结" if i % 7 == 0 else "无需办理"])
        if i % 7 == 0:
            ws.write_datetime(i, 9, dt.datetime(2026, 12, 28), datefmt)
        ws.write(i, 10, "是")
    wb.close()
