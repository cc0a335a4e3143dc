"""Atomic file replacement: a failed write never leaves half a workbook.

Every writer produces its result in a temporary file in the destination's
own folder (so ``os.replace`` is a rename on one file system, atomic on
Windows, macOS and Linux) and only then moves it over the destination.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from dj_addin.errors import DjError


def backup_path(path: Path) -> Path:
    """``支部A.xlsx`` → ``支部A.bak.xlsx`` next to it (interfaces.md: the last backup only)."""
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def atomic_write(dest: Path, produce: Callable[[Path], None]) -> None:
    """Call ``produce(tmp)`` to write a temporary file, then move it onto ``dest``.

    On any failure the temporary file is removed and ``dest`` is left as it was.
    """
    dest = Path(dest)
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise DjError(f"输出文件夹「{folder}」不存在；请先建好文件夹或换一个输出位置。")
    fd, name = tempfile.mkstemp(prefix=".~dj-", suffix=dest.suffix or ".xlsx", dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        produce(tmp)
        os.chmod(tmp, _mode_for(dest))  # mkstemp makes 0600; a workbook is an ordinary file
        os.replace(tmp, dest)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise DjError(f"无法写入「{dest.name}」：文件可能正在 Excel/WPS 中打开，请关闭后重试。") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _mode_for(dest: Path) -> int:
    """The existing file's permissions, or what a new file gets under the umask
    (the one place that reads the umask: every writer goes through here)."""
    try:
        return dest.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_copy(src: Path, dest: Path) -> None:
    """Copy ``src`` onto ``dest`` atomically (used for the in-place backup)."""
    atomic_write(dest, lambda tmp: shutil.copyfile(src, tmp))


def keep_backup(path: Path) -> Path:
    """Copy the workbook to ``BOOK.bak.xlsx`` before an in-place write; return the backup's path."""
    bak = backup_path(path)
    atomic_copy(path, bak)
    return bak
