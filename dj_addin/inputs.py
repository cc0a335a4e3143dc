"""Which files a command works on, when given files and folders.

``dj validate|rollup|score|run INPUT…`` and ``dj aggregate`` accept any
number of files and folders, and this module is the one place that finds
them (the merge opens its containers, .zip and .eml, in
``aggregate/inputs.py``). Folders are searched recursively; files that
are not books of ours are skipped and listed with the reason: owner files of
an open workbook (``~$…``, ``.~lock.…#``), our backups (``*.bak-*.xlsx``) and
temporary files, and anything that is not a workbook. A file named
explicitly is taken as it is (the command then says why it cannot be read),
except owner files, backups and temporary files, which a shell glob such as
``*.xlsx`` picks up without the user meaning them.

Pure standard library, so the ribbon, the CLI and the merge share it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dj_addin.xlsx.atomic import TEMP_PREFIX, is_backup_name

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Skipped:
    """A file left out, and why (Chinese, for the listing)."""

    path: Path
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"file": str(self.path), "reason": self.reason}


@dataclass
class Inputs:
    """The books to process, in the order given (folders sorted by path), and what was skipped."""

    books: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    folders: int = 0  # folders searched

    @property
    def several(self) -> bool:
        """More than one book, or a folder: the batch form of output (one line per book, a total)."""
        return len(self.books) > 1 or self.folders > 0


def skip_reason(path: Path, *, named: bool = False, suffixes: tuple[str, ...] = WORKBOOK_SUFFIXES) -> str | None:
    """Why ``path`` is not a book to process, or None. ``named``: the user gave this file itself."""
    name = path.name
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
        return "Excel/WPS 打开工作簿时留下的临时文件"
    if name.startswith(TEMP_PREFIX):
        return "党建助手写入时的临时文件"
    if is_backup_name(name):
        return "党建助手保留的备份"
    if not named and path.suffix.lower() not in suffixes:
        return "不是工作簿"
    return None


def find_inputs(paths: Iterable[str | Path], *, suffixes: tuple[str, ...] = WORKBOOK_SUFFIXES) -> Inputs:
    """Expand files and folders into the books to process (each once) and the skipped files.

    A path that does not exist is kept as a book, so the command reports it
    in its own words; a folder's contents are filtered by ``suffixes``.
    """
    found = Inputs()
    seen: set[str] = set()

    def add(p: Path) -> None:
        key = os.path.normcase(os.path.realpath(p))
        if key not in seen:
            seen.add(key)
            found.books.append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.folders += 1
            for child in _walk(p):
                reason = _special(child) or skip_reason(child, suffixes=suffixes)
                if reason:
                    found.skipped.append(Skipped(child, reason))
                else:
                    add(child)
            continue
        reason = skip_reason(p, named=True, suffixes=suffixes)
        if reason:
            found.skipped.append(Skipped(p, reason))
        else:
            add(p)
    return found


def _walk(folder: Path) -> list[Path]:
    """Every file under ``folder``, sorted; hidden folders and links to folders are not entered."""
    out: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out.extend(Path(root) / f for f in sorted(files))
    return sorted(out, key=lambda p: (len(p.relative_to(folder).parts), str(p)))


def _special(path: Path) -> str | None:
    """A FIFO, a device or a socket found in a folder is never opened."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return "无法访问（链接失效或没有权限）"
    if not stat.S_ISREG(mode):
        return "不是普通文件"
    return None
