"""The demo's reporting cycle: every branch exports its workbook (导出上报), the
exports travel to their college the way they do in real life, each college
merges what arrived, and the university merges the colleges.

What arrives is deliberately imperfect, so the merge has something to show:
in the first college one branch's export comes as a saved e-mail (.eml) with
the workbook attached; in the last college two exports come inside one .zip
and the last branch sends nothing at all (未报送). Branches that still have
错误 export by force (报送说明 says so) and are returned by the merge.

Determinism: the e-mail has a fixed date, sender and MIME boundary, the zip
entries and every written workbook fixed timestamps, and every file in an
inbox a fixed modification time, so the same seed, year and as-of date give
the same files.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from dj_addin.demo.units import College, UnitBook, University
from dj_addin.demo.write import fixed_timestamp, restamp_file

INBOX = "收件箱"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass
class Delivery:
    """How one branch's export reached its college."""

    branch: UnitBook
    export: Path
    how: str  # "xlsx" | "eml" | "zip" | "none"
    container: Path | None = None


@dataclass
class Cycle:
    exports: dict[str, Any] = field(default_factory=dict)  # branch code → ExportResult
    deliveries: list[Delivery] = field(default_factory=list)
    merges: dict[str, Any] = field(default_factory=dict)  # unit code → AggregateResult
    merged_files: dict[str, Path] = field(default_factory=dict)  # unit code → merged workbook


def report_day(uni: University) -> dt.date:
    """The day the branches send their workbooks: the as-of date."""
    return uni.as_of


def export_branch(branch: UnitBook, path: Path, uni: University) -> Any:
    """导出上报 of one branch workbook, next to it, with fixed timestamps."""
    from dj_addin.export import export_book

    result = export_book(path, force=True, as_of=uni.as_of, today=report_day(uni))
    if result.out is not None:
        restamp_file(result.out, fixed_timestamp(uni.year))
    return result


def _how(college: College, index: int, last_college: bool) -> str:
    n = len(college.branches)
    if not last_college and index == 0:
        return "eml"
    if last_college and index == n - 1:
        return "none"
    if last_college and index < 2:
        return "zip"
    return "xlsx"


def _eml(export: Path, branch: UnitBook, college: College, stamp: dt.datetime) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{branch.meta.get('filler') or branch.name} <{branch.code.lower()}@example.edu.cn>"
    msg["To"] = f"{college.book.name} <{college.book.code.lower()}@example.edu.cn>"
    msg["Subject"] = f"{branch.name} {branch.year} 年度工作簿报送"
    msg["Date"] = format_datetime(stamp)
    msg.set_content(f"{college.book.name}：\n\n附件是{branch.name}{branch.year}年度的工作簿，请查收。\n")
    msg.add_attachment(export.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=export.name)
    msg.set_boundary("dj-demo-boundary")
    return msg.as_bytes()


def _zip(members: list[Path], stamp: dt.datetime) -> bytes:
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in members:
            info = zipfile.ZipInfo(p.name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, p.read_bytes())
    return out.getvalue()


def deliver(uni: University, out_dir: Path, exports: dict[str, Path]) -> list[Delivery]:
    """Put each college's incoming exports into ``<college folder>/收件箱`` (see the module docstring)."""
    from dj_addin.xlsx.atomic import atomic_write

    stamp = fixed_timestamp(uni.year)
    sent = dt.datetime.combine(report_day(uni), dt.time(9, 30), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    deliveries: list[Delivery] = []
    for ci, college in enumerate(uni.colleges):
        inbox = out_dir / college.book.folder / INBOX
        inbox.mkdir(parents=True, exist_ok=True)
        zipped: list[Delivery] = []
        for bi, branch in enumerate(college.branches):
            export = exports.get(branch.code)
            if export is None:
                continue
            how = _how(college, bi, ci == len(uni.colleges) - 1)
            d = Delivery(branch, export, how)
            if how == "xlsx":
                d.container = inbox / export.name
                data = export.read_bytes()
                atomic_write(d.container, lambda tmp, data=data: tmp.write_bytes(data))
            elif how == "eml":
                d.container = inbox / f"{branch.name}报送.eml"
                data = _eml(export, branch, college, sent)
                atomic_write(d.container, lambda tmp, data=data: tmp.write_bytes(data))
            elif how == "zip":
                zipped.append(d)
            deliveries.append(d)
        if zipped:
            archive = inbox / f"{college.short_name}报送材料.zip"
            data = _zip([d.export for d in zipped], stamp)
            atomic_write(archive, lambda tmp, data=data: tmp.write_bytes(data))
            for d in zipped:
                d.container = archive
        for p in inbox.iterdir():  # the merge lists file times: fixed ones keep the demo reproducible
            os.utime(p, (stamp.timestamp(), stamp.timestamp()))
    return deliveries


def merged_name(book: UnitBook) -> str:
    return f"{book.code}_{book.name}_{book.year}_汇总.xlsx"


def merge_up(uni: University, out_dir: Path, written: dict[str, Path]) -> tuple[dict[str, Any], dict[str, Path]]:
    """Each college merges its inbox (with its own workbook as the template: 基本信息
    and 下级单位), then the university merges the colleges' merged workbooks."""
    from dj_addin.aggregate import aggregate

    stamp = fixed_timestamp(uni.year)
    merges: dict[str, Any] = {}
    files: dict[str, Path] = {}
    for college in uni.colleges:
        folder = out_dir / college.book.folder
        out = folder / merged_name(college.book)
        merges[college.book.code] = aggregate([folder / INBOX], out, template=written[college.book.code],
                                              as_of=uni.as_of, workers=1, force=True)
        restamp_file(out, stamp)
        os.utime(out, (stamp.timestamp(), stamp.timestamp()))
        files[college.book.code] = out
    out = out_dir / merged_name(uni.book)
    merges[uni.book.code] = aggregate([files[c.book.code] for c in uni.colleges], out,
                                      template=written[uni.book.code], as_of=uni.as_of, workers=1, force=True)
    restamp_file(out, stamp)
    files[uni.book.code] = out
    return merges, files
