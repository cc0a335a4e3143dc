"""The workbook's file, for the jobs that work on files, and the paths the user picks.

导出上报, 打印评议票, 汇总下级, 拆分下发 and 导入名单 are file jobs: they read the
saved workbook. So the workbook must be a saved .xlsx/.xlsm in an ordinary
folder: a workbook never saved (its fullname has no folder), one opened
read-only, or one opened straight from an e-mail attachment (Outlook and
webmail open those read-only from a temporary folder, and a result written
there is lost when the mail program cleans up) gets a message asking to
save it as .xlsx first (文件 → 另存为). Unsaved edits are saved before
the job reads the file, so the job sees what the user sees.

Pickers: on Windows Office's own folder/file dialog (COM ``FileDialog``;
xlwings 0.37.8 has none of its own); elsewhere, or when the dialog is not
available, the path typed into cell ``PATH_CELL`` of 基本信息 (beside its
项目/内容 table, which the reader ignores).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dj_addin import schema
from dj_addin.errors import DjError
from dj_addin.excel import com
from dj_addin.excel.live import book_path

PATH_CELL = "D2"  # on 基本信息: a folder or a file typed by the user where no picker exists
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
ATTACHMENT_MARKS = ("content.outlook", "inetcache", "temporary internet files", "outlook temp",
                    "com.microsoft.outlook", "downloads/attachments")


class NeedsSaving(DjError):
    """The workbook is not a saved file this job can read."""


def temp_folder() -> Path:
    return Path(tempfile.gettempdir())


def in_temp_folder(path: Path) -> bool:
    text = str(path).replace("\\", "/").casefold()
    if any(mark in text for mark in ATTACHMENT_MARKS):
        return True
    try:
        temp = temp_folder().resolve()
        return temp in path.resolve().parents
    except OSError:
        return False


def saved_path(book, ui=None, *, save: bool = True) -> Path:
    """The workbook's file, saved now; ``NeedsSaving`` with what to do when it cannot be used."""
    path = book_path(book)
    if path is None:
        raise NeedsSaving(f"工作簿「{book.name}」还没有保存过。请先点“文件 → 另存为”，把它保存为 .xlsx 文件"
                          "（保存到“文档”等常用文件夹），再点这个按钮。")
    if path.suffix.casefold() not in WORKBOOK_SUFFIXES:
        raise NeedsSaving(f"工作簿「{path.name}」不是 .xlsx 格式。请点“文件 → 另存为”，保存类型选"
                          "“Excel 工作簿 (*.xlsx)”，再点这个按钮。")
    if (com.available() and com.read_only(book)) or in_temp_folder(path):
        raise NeedsSaving(f"工作簿「{path.name}」是以只读方式打开的（例如直接从邮件附件打开，"
                          "它在临时文件夹里，关闭邮件后可能被删除）。请先点“文件 → 另存为”，"
                          "把它保存到“文档”等常用文件夹，再点这个按钮。")
    if save:
        book.save()
    return path


def typed_path(book) -> Path | None:
    """The path typed into 基本信息!D2, if any."""
    names = [s.name for s in book.sheets]
    if schema.META.name not in names:
        return None
    value = book.sheets[schema.META.name].range(PATH_CELL).value
    text = str(value or "").strip().strip('"')
    return Path(os.path.expanduser(text)) if text else None


def pick_path(book, *, folder: bool, title: str) -> Path | None:
    """A folder or file: Office's picker on Windows, else 基本信息!D2 (None: nothing chosen)."""
    if com.available():
        chosen = com.pick(book.app, folder, title)
        if chosen:
            return Path(chosen)
    return typed_path(book)


def where_to_type(folder: bool) -> str:
    what, example = ("文件夹", r"D:\汇总\2026") if folder else ("文件", r"D:\名单\党员名单.xlsx")
    return (f"请在「{schema.META.name}」工作表的 {PATH_CELL} 单元格里填写{what}的完整路径"
            f"（例如 {example}；macOS 上如 /Users/名字/Documents/汇总），再点这个按钮。")
