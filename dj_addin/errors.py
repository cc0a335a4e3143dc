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
