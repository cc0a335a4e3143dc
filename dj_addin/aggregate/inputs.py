"""What a college secretary has after a week of e-mail, as a list of workbooks.

Inputs are files, folders (searched recursively), ``.zip`` archives and saved
e-mails (``.eml``). Files and folders are found by ``dj_addin.inputs`` (the
finder every command uses: owner files ``~$…``, our backups and temporary
files and anything that is not a workbook are skipped and listed); the merge
adds the containers, refuses a named path that does not exist, and also skips
other backup copies found in a folder (``*.bak*.xlsx``). A container is opened
read-only and its workbooks are taken as bytes, with where they came from
(the archive's name; the e-mail's sender, subject and date) for 汇总来源. An
archive is refused as a whole, with a reason, when a member name climbs out
of the archive (``../``, absolute paths), when it holds another archive, or
when it would expand past the workbook size limit of ``xlsx/safety.py``.
"""

from __future__ import annotations

import email
import email.policy
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from dj_addin import inputs as finder
from dj_addin.xlsx.safety import DEFAULT_MAX_UNZIPPED, max_file_bytes

WORKBOOK_SUFFIXES = finder.WORKBOOK_SUFFIXES
CONTAINER_SUFFIXES = (".zip", ".eml")
ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar", ".tar", ".gz", ".tgz")
NOT_A_WORKBOOK = "不是工作簿（.xlsx/.xlsm）"


@dataclass
class Source:
    """One workbook to merge: a file on disk, or bytes taken out of a container."""

    name: str  # what 汇总来源 shows: the file name (inside its container)
    path: Path | None = None
    data: bytes | None = None
    container: dict[str, str] = field(default_factory=dict)  # 压缩包 / 发件人 / 主题 / 日期
    mtime: float = 0.0

    @property
    def where(self) -> str:
        """The container in words ('' for a plain file)."""
        return "；".join(f"{k}：{v}" for k, v in self.container.items() if v)


@dataclass
class Skipped:
    name: str
    reason: str


@dataclass
class Inputs:
    sources: list[Source] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # not workbooks: listed, not merged
    refused: list[Skipped] = field(default_factory=list)  # containers refused (returned with the reason)


def skip_reason(path: Path) -> str | None:
    """Why a file found in a folder or an archive is not merged (None: a workbook or a container)."""
    reason = finder.skip_reason(path, suffixes=WORKBOOK_SUFFIXES + CONTAINER_SUFFIXES)
    if reason is None and ".bak" in path.name.lower() and path.name.lower().endswith(WORKBOOK_SUFFIXES):
        return "备份文件"  # a copy someone kept (支部.bak.xlsx): not a submission
    if reason == "不是工作簿":
        return NOT_A_WORKBOOK
    return reason


def find_inputs(paths: list[str | Path]) -> Inputs:
    """Every workbook in ``paths`` (files, folders recursively, .zip, .eml), in a stable order:
    ``dj_addin.inputs.find_inputs`` finds the files, each once; containers are opened here."""
    out = Inputs()
    named = {Path(p) for p in paths if not Path(p).is_dir()}
    found = finder.find_inputs(paths, suffixes=WORKBOOK_SUFFIXES + CONTAINER_SUFFIXES)
    for path in found.books:
        if not path.exists():
            out.refused.append(Skipped(str(path), "文件不存在"))
            continue
        reason = None if path in named else skip_reason(path)  # a file named itself is taken as given
        if reason is None and not path.name.lower().endswith(WORKBOOK_SUFFIXES + CONTAINER_SUFFIXES):
            reason = NOT_A_WORKBOOK
        if reason is not None:
            out.skipped.append(Skipped(str(path), reason))
        else:
            _add_file(out, path)
    out.skipped += [Skipped(str(s.path), NOT_A_WORKBOOK if s.reason == "不是工作簿" else s.reason)
                    for s in found.skipped]
    return out


def _add_file(out: Inputs, path: Path) -> None:
    lower = path.name.lower()
    if lower.endswith(".zip"):
        _add_zip(out, path.name, path.read_bytes(), {"压缩包": path.name}, path.stat().st_mtime)
    elif lower.endswith(".eml"):
        _add_eml(out, path)
    else:
        out.sources.append(Source(str(path), path=path, mtime=path.stat().st_mtime))


def _unsafe_name(name: str) -> bool:
    pure = PurePosixPath(name.replace("\\", "/"))
    return (pure.is_absolute() or ".." in pure.parts or (len(name) > 1 and name[1] == ":")
            or posixpath.normpath(str(pure)).startswith(".."))


def _add_zip(out: Inputs, label: str, data: bytes, container: dict[str, str], mtime: float) -> None:
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        out.refused.append(Skipped(label, "压缩包已损坏，无法打开；请对方重新发送"))
        return
    bad = [i.filename for i in infos if _unsafe_name(i.filename)]
    if bad:
        out.refused.append(Skipped(label, f"压缩包中的文件名「{bad[0]}」指向压缩包以外的位置，为安全起见拒收整个压缩包"))
        return
    nested = [i.filename for i in infos if i.filename.lower().endswith(ARCHIVE_SUFFIXES)]
    if nested:
        out.refused.append(Skipped(label, f"压缩包里又有压缩包「{nested[0]}」，不予展开；请解压后直接发送工作簿"))
        return
    total = sum(i.file_size for i in infos)
    limit = min(DEFAULT_MAX_UNZIPPED, max(max_file_bytes() * 10, max_file_bytes()))
    big = [i for i in infos if i.file_size > max_file_bytes()]
    if big or total > limit:
        out.refused.append(Skipped(label, f"压缩包解压后超过大小上限（{total // (1024 * 1024)} MB），不予展开"))
        return
    for info in sorted(infos, key=lambda i: i.filename):
        name = info.filename.replace("\\", "/")
        reason = skip_reason(Path(PurePosixPath(name).name))
        shown = f"{label}/{name}"
        if reason is not None or name.lower().endswith(".eml"):
            out.skipped.append(Skipped(shown, reason or "压缩包中的邮件文件不予展开，已跳过"))
            continue
        try:
            member = zf.read(info)
        except Exception:  # CRC errors, unsupported compression
            out.refused.append(Skipped(shown, "压缩包中的这个文件已损坏，无法取出"))
            continue
        out.sources.append(Source(shown, data=member, container=dict(container), mtime=mtime))


def _add_eml(out: Inputs, path: Path) -> None:
    try:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        container = {"邮件": path.name, "发件人": str(msg.get("From", "") or ""),
                     "主题": str(msg.get("Subject", "") or ""), "日期": str(msg.get("Date", "") or "")}
        parts = list(msg.iter_attachments())
    except Exception:
        out.refused.append(Skipped(str(path), "邮件文件无法解析；请把附件另存后直接汇总"))
        return
    found = False
    for part in parts:
        fname = part.get_filename() or ""
        shown = f"{path.name}/{fname}"
        lower = fname.lower()
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:
            out.refused.append(Skipped(shown, "邮件附件无法解码"))
            continue
        if lower.endswith(WORKBOOK_SUFFIXES) and not fname.startswith("~$"):
            if len(payload) > max_file_bytes():
                out.refused.append(Skipped(shown, "附件超过大小上限，不予汇总"))
                continue
            out.sources.append(Source(shown, data=payload, container=container, mtime=path.stat().st_mtime))
            found = True
        elif lower.endswith(".zip"):
            _add_zip(out, shown, payload, dict(container, 压缩包=fname), path.stat().st_mtime)
            found = True
        else:
            out.skipped.append(Skipped(shown, "邮件附件不是工作簿，已跳过"))
    if not found:
        out.skipped.append(Skipped(str(path), "邮件中没有工作簿附件，已跳过"))
