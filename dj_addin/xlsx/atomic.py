"""Atomic file replacement, backups and in-place guards: a failed or killed
write never leaves half a workbook, and the untouched original survives.

Every writer produces its result in a temporary file in the destination's
own folder (so ``os.replace`` is a rename on one file system, atomic on
Windows, macOS and Linux) and only then moves it over the destination. A
symbolic link given as the destination is followed: the target is replaced
and the link stays a link. Temporary files carry the writer's process id,
so a run that was killed leaves a file the next run recognises and removes.

Backups (interfaces.md): the first in-place write of a book keeps
``BOOK.bak-原始.xlsx`` forever; later ones keep ``BOOK.bak-YYYYMMDD-HHMMSS.xlsx``,
the five most recent of them.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dj_addin.errors import DjError

TEMP_PREFIX = ".~dj-"
LOCK_PREFIX = ".~dj-lock-"
ORIGINAL_TAG = "原始"
KEEP_BACKUPS = 5
STALE_AFTER_S = 24 * 3600  # a temporary file this old is stale whoever made it
LOCK_WAIT_S = 60.0  # how long a second in-place run waits for the first

_TEMP_NAME = re.compile(r"^\.~dj-(?:lock-)?(\d+)-")
_WHY = {errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "只读的磁盘或文件夹",
        errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘配额已满", errno.EISDIR: "同名的文件夹已存在",
        errno.ENOTDIR: "路径中有一段不是文件夹", errno.ENOENT: "文件夹不存在", errno.EBUSY: "文件正被占用",
        errno.EXDEV: "不能跨磁盘改名", errno.ENAMETOOLONG: "文件名太长"}


# -- where things go --------------------------------------------------------------

def real_target(path: Path) -> Path:
    """The file a path stands for: symbolic links followed, so that writing
    replaces the target and leaves the link a link."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def backup_pattern(path: Path) -> re.Pattern[str]:
    """Names of the backups of ``path`` (both the original and the timestamped ones)."""
    return re.compile(re.escape(path.stem) + r"\.bak-(.+)" + re.escape(path.suffix) + "$", re.IGNORECASE)


BACKUP_NAME = re.compile(r"\.bak-(?:原始|\d{8}-\d{6}(?:-\d+)?)\.[A-Za-z]+$")


def is_backup_name(name: str) -> bool:
    """``支部A.bak-20261201-093000.xlsx`` and ``支部A.bak-原始.xlsx`` are backups."""
    return bool(BACKUP_NAME.search(name))


def original_backup_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.bak-{ORIGINAL_TAG}{path.suffix}")


def backup_path(path: Path, now: dt.datetime | None = None) -> Path:
    """Where the next backup of ``path`` goes: the original backup when the book
    has none yet, else a timestamped one (``-2``, ``-3`` … within one second)."""
    path = Path(path)
    first = original_backup_path(path)
    if not first.exists():
        return first
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    # Count on from the highest backup of this second, not from the first free
    # name: after pruning removed ``stamp`` itself, reusing it would make the
    # newest backup sort as the oldest and be pruned at once.
    taken = [_stamp_key(backup_pattern(path).match(p.name).group(1))[1]
             for p in timestamped_backups(path) if p.name.startswith(f"{path.stem}.bak-{stamp}")]
    if not taken:
        return path.with_name(f"{path.stem}.bak-{stamp}{path.suffix}")
    return path.with_name(f"{path.stem}.bak-{stamp}-{max(taken) + 1}{path.suffix}")


def timestamped_backups(path: Path) -> list[Path]:
    """The timestamped backups of ``path``, oldest first (the original one is not listed)."""
    pattern = backup_pattern(path)
    found = []
    for p in path.parent.iterdir() if path.parent.is_dir() else ():
        m = pattern.match(p.name)
        if m and m.group(1) != ORIGINAL_TAG and re.fullmatch(r"\d{8}-\d{6}(?:-\d+)?", m.group(1)):
            found.append(p)
    return sorted(found, key=lambda p: _stamp_key(pattern.match(p.name).group(1)))


def _stamp_key(stamp: str) -> tuple[str, int]:
    """'20261201-093000-3' → ('20261201-093000', 3): time first, then the count within a second."""
    parts = stamp.split("-")
    return (f"{parts[0]}-{parts[1]}", int(parts[2]) if len(parts) > 2 else 1)


def keep_backup(path: Path, now: dt.datetime | None = None) -> Path:
    """Copy the workbook next to itself before an in-place write; return the backup's path.

    The very first backup is ``BOOK.bak-原始.xlsx`` and is never removed; of
    the timestamped ones, the ``KEEP_BACKUPS`` most recent are kept.
    """
    path = real_target(Path(path))
    bak = backup_path(path, now)
    atomic_copy(path, bak)
    for old in timestamped_backups(path)[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)
    return bak


# -- writing -------------------------------------------------------------------

def atomic_write(dest: Path, produce: Callable[[Path], None]) -> None:
    """Call ``produce(tmp)`` to write a temporary file, then move it onto ``dest``.

    On any failure the temporary file is removed and ``dest`` is left as it
    was; an error names ``dest`` (the file the user asked for), never the
    temporary file.
    """
    given = Path(dest)
    dest = real_target(given)
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        why = "不是文件夹" if folder.exists() else "不存在"
        raise DjError(f"输出文件夹「{folder}」{why}；请先建好文件夹或换一个输出位置。文件「{given.name}」未写入。")
    if dest.is_dir():
        raise DjError(f"「{given}」是一个文件夹，不能当作输出文件；请换一个文件名。")
    clean_stale_temporaries(folder)
    try:
        fd, name = _mkstemp(folder, dest.suffix or ".xlsx")
    except OSError as exc:
        raise _write_error(given, exc) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        produce(tmp)
        os.chmod(tmp, _mode_for(dest))  # mkstemp makes 0600; a workbook is an ordinary file
        os.replace(tmp, dest)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        if _is_file_locked(dest):
            raise DjError(f"无法写入「{given.name}」：文件可能正在 Excel/WPS 中打开，请关闭后重试。"
                          "文件未作改动。") from exc
        raise _write_error(given, exc) from exc
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is not None and Path(exc.filename) in (tmp, dest):
            raise _write_error(given, exc) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _mkstemp(folder: Path, suffix: str) -> tuple[int, str]:
    """A new private file ``.~dj-<pid>-<random><suffix>`` in ``folder``."""
    while True:
        name = folder / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}{suffix}"
        try:
            return os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600), str(name)
        except FileExistsError:
            continue


def _write_error(dest: Path, exc: OSError) -> DjError:
    why = _WHY.get(exc.errno or 0, "该位置不能保存文件")
    return DjError(f"无法在「{dest.parent}」中写入「{dest.name}」（{why}）；"
                   "请检查文件夹和写入权限、磁盘空间，或换一个输出位置。原文件未作改动。")


def _is_file_locked(path: Path) -> bool:
    """On Windows an open workbook refuses the rename; elsewhere a permission error is just that."""
    return os.name == "nt" and path.exists()


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


# -- what a killed run leaves behind ---------------------------------------------

def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process (or a platform that cannot tell)
    return True


def clean_stale_temporaries(folder: Path) -> list[Path]:
    """Remove temporary and lock files of runs that died (their process is gone,
    or the file is older than a day); return what was removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = _TEMP_NAME.match(entry.name)
        if not m or not entry.is_file(follow_symlinks=False):
            continue
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
        except OSError:
            continue
        if old or not _pid_alive(int(m.group(1))):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


# -- in-place guards ---------------------------------------------------------------

def owner_files(path: Path) -> list[Path]:
    """Files Excel, WPS or LibreOffice keep beside a workbook while it is open:
    ``~$BOOK.xlsx``, ``~$`` replacing the first two characters, ``.~lock.BOOK.xlsx#``."""
    path = Path(path)
    names = {f"~${path.name}", f".~lock.{path.name}#"}
    if len(path.name) > 2:
        names.add(f"~${path.name[2:]}")
    return [path.with_name(n) for n in sorted(names) if path.with_name(n).exists()]


def refuse_if_open(path: Path, given: Path | None = None) -> None:
    """``--in-place`` refuses while Excel or WPS has the book open (interfaces.md)."""
    given = Path(given or path)
    path = real_target(Path(path))
    shown = given.name
    found = owner_files(path) + (owner_files(given) if given != path else [])  # opened through the link, or not
    if found:
        raise DjError(f"「{shown}」似乎正在 Excel/WPS 中打开（旁边有「{found[0].name}」）；请先保存并关闭它再运行。"
                      "确认没有打开、只是残留的临时文件，可加 --force。文件未作改动。")
    if os.name == "nt":  # an open workbook cannot be opened for writing there
        try:
            with open(path, "r+b"):
                pass
        except PermissionError:
            raise DjError(f"「{shown}」正被其他程序占用（可能在 Excel/WPS 中打开）；请关闭后重试。文件未作改动。") from None


@contextmanager
def book_lock(path: Path, wait_s: float = LOCK_WAIT_S) -> Iterator[Path]:
    """Hold ``.~dj-lock-<pid>-…`` beside the book while it is changed in place, so
    that two runs on one book take turns; a lock whose process died is taken over."""
    path = real_target(Path(path))
    folder = path.parent if str(path.parent) else Path(".")
    mine = folder / f"{LOCK_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{path.name}"
    mine.write_text(str(os.getpid()), encoding="ascii")
    deadline = time.monotonic() + wait_s
    try:
        while True:
            holders = [p for p in _locks_of(folder, path.name) if p != mine]
            live = [p for p in holders if _pid_alive(_lock_pid(p))]
            for dead in set(holders) - set(live):
                dead.unlink(missing_ok=True)
            # the oldest live claim wins; ties broken by name, so exactly one goes ahead
            claims = sorted(live + [mine], key=_claim_key)
            if claims[0] == mine:
                break
            if time.monotonic() > deadline:
                raise DjError(f"「{path.name}」正由另一个党建助手命令处理；请等它结束后再运行。文件未作改动。")
            time.sleep(0.05)
        yield mine
    finally:
        mine.unlink(missing_ok=True)


def _locks_of(folder: Path, name: str) -> list[Path]:
    out = []
    for p in folder.glob(f"{LOCK_PREFIX}*-{name}"):
        m = re.match(re.escape(LOCK_PREFIX) + r"(\d+)-[0-9a-f]{8}-(.+)$", p.name)
        if m and m.group(2) == name:
            out.append(p)
    return out


def _lock_pid(p: Path) -> int:
    m = re.match(re.escape(LOCK_PREFIX) + r"(\d+)-", p.name)
    return int(m.group(1)) if m else 0


def _claim_key(p: Path) -> tuple[int, str]:
    try:
        return (p.stat().st_mtime_ns, p.name)
    except OSError:
        return (0, p.name)
