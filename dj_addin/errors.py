"""Errors that stop a command, each with a plain Chinese message.

The CLI turns a ``DjError`` into one line on stderr and its exit code; the
ribbon shows the same message in a dialog. Nothing else reaches the user.
"""

from __future__ import annotations


class DjError(Exception):
    """A failure the user can act on: the message says what to do."""

    exit_code = 2

    def __init__(self, message: str, *, rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule


class UnreadableFile(DjError):
    """S001: the file cannot be read (not a workbook, legacy, encrypted, damaged, too large)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, rule="S001")


class UsageError(DjError):
    """Bad arguments (a date that is not a date, a missing file…)."""


def describe_unexpected(exc: BaseException, file: str | None = None) -> str:
    """The last line of defence: a failure nobody foresaw, as one Chinese line.

    The line carries no English exception text; the details go to a report
    file in the temporary folder, named in the line, for whoever maintains
    the tool.
    """
    import datetime as dt
    import tempfile
    import traceback
    from pathlib import Path

    where = f"处理「{file}」时" if file else ""
    report = None
    try:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        report = Path(tempfile.gettempdir()) / f"dj-错误报告-{stamp}.txt"
        report.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    except OSError:
        report = None
    detail = f"详细信息已保存在「{report}」，" if report else ""
    return (f"错误：{where}遇到意外问题，未能完成；文件未作改动。{detail}"
            "请把这个文件和出问题的工作簿发给管理员。")
