"""Talking to the user inside Excel: the status bar, screen updating, message boxes.

Every message box goes through ``App.alert`` (xlwings' MsgBox, on Windows
and macOS); a long run shows its progress on the status bar and gives it
back to Excel afterwards (``status_bar = False``), screen updating is
restored in every case. Messages are Chinese and short; the title is always
党建助手 so the user knows which program speaks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

TITLE = "党建助手"
MAX_LINES = 25  # a message box taller than the screen hides its OK button


class Ui:
    def __init__(self, app) -> None:
        self.app = app

    def status(self, text: str) -> None:
        try:
            self.app.status_bar = text
        except Exception:  # the status bar is a nicety, never a reason to stop
            pass

    def progress(self, done: int, total: int, item: str) -> None:
        share = f"{done}/{total}" if total else ""
        self.status(f"党建助手：{item or '处理中'} {share}".strip())

    @contextlib.contextmanager
    def busy(self, text: str) -> Iterator[None]:
        """Status bar showing ``text``; both it and screen updating are given back afterwards."""
        updating = self.app.screen_updating
        self.status(f"党建助手：{text}……")
        try:
            yield
        finally:
            self.app.screen_updating = updating
            with contextlib.suppress(Exception):
                self.app.status_bar = False

    def tell(self, lines: list[str] | str, *, critical: bool = False) -> None:
        lines = [lines] if isinstance(lines, str) else list(lines)
        if len(lines) > MAX_LINES:
            lines = lines[: MAX_LINES - 1] + [f"……（另有 {len(lines) - MAX_LINES + 1} 行未显示）"]
        self.app.alert("\n".join(lines), title=TITLE, mode="critical" if critical else "info")

    def ask(self, text: str) -> bool:
        """A yes/no question; True for 是."""
        return self.app.alert(text, title=TITLE, buttons="yes_no", mode="info") == "yes"
