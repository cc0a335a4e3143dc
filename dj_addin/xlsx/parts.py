"""Which zip part holds each sheet, resolved the way the package says.

A sheet is read only from the part that workbook.xml and its relationships
name. A sheet whose relationship is missing, points outside the package, or
names a part that is not there is refused with the sheet named (S001):
reading "the usual file name" instead would validate data the workbook does
not hold.
"""

from __future__ import annotations

import contextlib
import posixpath
import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeET

from dj_addin.errors import UnreadableFile

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def resolve_target(target: str) -> str | None:
    """A workbook relationship's target as a part name, or None when it leaves the package."""
    if not target or "://" in target or "\\" in target:
        return None
    if target.startswith("/"):
        path = posixpath.normpath(target).lstrip("/")
    else:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(WORKBOOK), target))
    if path in ("", ".") or path.startswith("/") or ".." in path.split("/"):
        return None
    return path


def sheet_parts(path: Path, wanted: list[str], zf: zipfile.ZipFile | None = None) -> dict[str, str]:
    """Sheet name → part name for the sheets in ``wanted``; ``UnreadableFile`` naming the
    first sheet whose part cannot be found by the package's own references.
    ``zf``: the package already open (the reader reads its directory once)."""
    with (contextlib.nullcontext(zf) if zf is not None else zipfile.ZipFile(path)) as z:
        names = set(z.namelist())
        book = SafeET.fromstring(z.read(WORKBOOK))
        rels = SafeET.fromstring(z.read(WORKBOOK_RELS)) if WORKBOOK_RELS in names else None
    by_id = {}
    for rel in (rels if rels is not None else []):
        if rel.tag.rsplit("}", 1)[-1] == "Relationship":
            by_id[rel.get("Id", "")] = rel
    ids = {sh.get("name", ""): sh.get(_REL_ID, "") for sh in book.iter() if sh.tag.rsplit("}", 1)[-1] == "sheet"}
    out: dict[str, str] = {}
    for sheet in wanted:
        rel = by_id.get(ids.get(sheet, ""))
        if rel is None:
            raise _broken(path, sheet, "在文件中找不到它的数据（工作簿关系缺失）")
        part = None if (rel.get("TargetMode") or "").lower() == "external" else resolve_target(rel.get("Target", ""))
        if part is None:
            raise _broken(path, sheet, "的数据指向工作簿以外的位置")
        if part not in names:
            raise _broken(path, sheet, f"的数据部件「{part}」不在文件中")
        out[sheet] = part
    return out


def _broken(path: Path, sheet: str, what: str) -> UnreadableFile:
    return UnreadableFile(f"文件「{path.name}」中的工作表「{sheet}」{what}，文件已损坏，无法读取；"
                          f"请用 Excel 打开文件，确认「{sheet}」完好后另存为 .xlsx，或请对方重新发送。")
