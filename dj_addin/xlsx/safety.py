"""Checks on the .xlsx package before anything parses it (S001).

A workbook arrives by email from anyone, so the file is checked cheaply
before a parser sees it: size on disk, what kind of file it is (zip,
legacy .xls, an encrypted OOXML container), the zip's health, the total
uncompressed size (zip bombs), and XML parts that declare a DTD (entity
bombs: OOXML never needs one). Only then is it handed to a reader.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml.ElementTree as SafeET

from dj_addin.errors import UnreadableFile, UsageError

DEFAULT_MAX_BYTES = 100 * 1024 * 1024  # on disk
DEFAULT_MAX_UNZIPPED = 1024 * 1024 * 1024  # all parts together, uncompressed
MAX_RATIO = 200  # uncompressed ÷ compressed for one large part
MAX_PART_BYTES = 50 * 1024 * 1024  # a part larger than this must not be compressed more than MAX_RATIO
MAX_MB_ENV = "DJ_MAX_FILE_MB"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class Package:
    """What the checks learned: sheet names in order and their XML part paths."""

    path: Path
    sheets: tuple[tuple[str, str], ...]  # (sheet name, part path inside the zip)
    # Worksheet part → its bytes as inflated and checked here, when the caller asked to keep
    # them (``keep_sheets``): the reader's scan then need not inflate each sheet a second time.
    sheet_bytes: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)

    @property
    def sheet_names(self) -> list[str]:
        return [name for name, _ in self.sheets]


def _mb(n: int) -> str:
    """A size as people read it: '2.3 MB', '512 KB'."""
    if n < 1024 * 1024:
        return f"{max(n, 1) / 1024:.0f} KB" if n >= 1024 else f"{n} 字节"
    return f"{n / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")


def max_file_bytes() -> int:
    """The size limit for one workbook: ``DJ_MAX_FILE_MB`` (megabytes) when set, else 100 MB."""
    value = os.environ.get(MAX_MB_ENV, "").strip()
    try:
        limit = float(value) if value else None
    except ValueError:
        limit = float("nan")
    if limit is None:
        return DEFAULT_MAX_BYTES
    if not 0 < limit < 1024 * 1024:  # also NaN and infinity
        what = "不是数字" if limit != limit else "不是有效的大小"
        raise UsageError(f"环境变量 {MAX_MB_ENV} 的值「{value[:40]}」{what}；请写一个正数，单位 MB，"
                         f"如 200（不设置时上限为 {DEFAULT_MAX_BYTES // 1024 // 1024} MB）。")
    return int(limit * 1024 * 1024)


def check_package(path: Path, max_bytes: int | None = None,
                  max_unzipped: int | None = None, keep_sheets: bool = False) -> Package:
    """Raise ``UnreadableFile`` with a Chinese message unless ``path`` looks
    like a healthy .xlsx/.xlsm that is safe to parse. ``max_bytes`` defaults
    to :func:`max_file_bytes`, so every caller honours ``DJ_MAX_FILE_MB``.

    Every part is inflated once here, as a stream, before any parser sees it:
    a part that inflates to more than its header declares (a zip that lies
    about its sizes) is refused the moment it does, so the limits hold while
    decompressing, and later readers only meet parts whose sizes are true.
    With ``keep_sheets`` the worksheet parts' bytes are kept (``Package.sheet_bytes``;
    parts up to ``KEEP_PART_BYTES``, ``KEEP_TOTAL_BYTES`` in all).
    """
    name = path.name
    max_bytes = max_file_bytes() if max_bytes is None else max_bytes
    max_unzipped = DEFAULT_MAX_UNZIPPED if max_unzipped is None else max_unzipped
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UnreadableFile(f"找不到文件「{path}」；请检查文件名和路径。") from None
    except OSError:
        raise UnreadableFile(f"无法访问「{path}」（链接失效、路径过长或没有权限）；请检查路径和权限。") from None
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableFile(f"「{path}」是文件夹，不是工作簿。")
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
        raise UnreadableFile(f"「{path}」不是普通文件（可能是管道、设备或套接字），不能当作工作簿读取；"
                             "请给出一个 .xlsx 文件。")
    suffix = path.suffix.lower()
    size = info.st_size
    if size > max_bytes:
        raise UnreadableFile(
            f"文件「{name}」有 {_mb(size)}，超过上限 {_mb(max_bytes)}；请删去无关的工作表或图片后再试，"
            "或拆分成几个文件。")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC):
        if _is_encrypted_ooxml(path):
            raise UnreadableFile(
                f"文件「{name}」设置了打开密码，无法读取；请在 Excel 中打开后依次点「文件→信息→保护工作簿→用密码进行加密」，"
                "清空密码并保存，再试。")
        raise UnreadableFile(
            f"文件「{name}」是旧版 Excel 97-2003 格式（.xls），无法读取；请在 Excel 或 WPS 中打开，"
            "「另存为」Excel 工作簿（.xlsx）后再试。")
    if suffix == ".xls":
        raise UnreadableFile(f"文件「{name}」不是可读取的 .xls 文件；请另存为 .xlsx 后再试。")
    if suffix in (".csv", ".txt", ".et", ".ods", ".numbers", ".xlsb"):
        kind = {".xlsb": "Excel 二进制工作簿（.xlsb）", ".ods": "OpenDocument 表格（.ods）"}.get(suffix, "Excel 工作簿")
        raise UnreadableFile(f"文件「{name}」是{kind}，不是 .xlsx 工作簿；请在 Excel、WPS 或 LibreOffice 中打开并"
                             "「另存为」Excel 工作簿（.xlsx）后再试。" if suffix in (".xlsb", ".ods") else
                             f"文件「{name}」不是 Excel 工作簿；请在 Excel 或 WPS 中打开并「另存为」.xlsx 后再试。")
    if not head.startswith(ZIP_MAGIC):
        raise UnreadableFile(
            f"文件「{name}」不是 Excel 工作簿（.xlsx / .xlsm），或已经损坏；请确认附件完整，"
            "必要时请对方重新发送。")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_entries(name, infos)
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                raise UnreadableFile(_other_package(name, names))
            if "[Content_Types].xml" not in names:
                raise UnreadableFile(f"文件「{name}」缺少内容类型清单（[Content_Types].xml），已损坏；"
                                     "请用 Excel 打开修复后另存为 .xlsx，或请对方重新发送。")
            _check_sizes(name, infos, max_unzipped)
            kept: dict[str, bytes] = {}
            room = KEEP_TOTAL_BYTES if keep_sheets else 0
            with path.open("rb") as raw:
                for part in infos:
                    keep = part.file_size <= min(room, KEEP_PART_BYTES) and part.filename.startswith("xl/worksheets/")
                    data = _inspect_part(name, raw, part, keep)
                    if data is not None:
                        kept[part.filename] = data
                        room -= len(data)
            sheets = _sheet_parts(zf, name, names)
    except UnreadableFile:
        raise
    except zipfile.LargeZipFile:
        raise UnreadableFile(f"文件「{name}」超过普通 zip 的大小，不是正常的工作簿；请检查文件来源。") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError, struct.error):
        raise UnreadableFile(
            f"文件「{name}」已损坏（压缩包结构不完整，可能下载或复制时被截断）；请用 Excel 打开修复后另存，"
            "或请对方重新发送。") from None
    except SafeET.ParseError:
        raise UnreadableFile(f"文件「{name}」的工作簿目录（workbook.xml）损坏，无法读取；"
                             "请用 Excel 打开修复后另存。") from None
    if not sheets:
        raise UnreadableFile(f"文件「{name}」中没有工作表；请使用党建助手模板填写。")
    return Package(path=path, sheets=tuple(sheets), sheet_bytes=kept)


def _other_package(name: str, names: set[str]) -> str:
    """A zip that is not an .xlsx: say what it is, when we can tell."""
    if "mimetype" in names and any(n == "content.xml" for n in names):
        return f"文件「{name}」是 OpenDocument 表格（.ods），不是 .xlsx；请在 LibreOffice 或 WPS 中「另存为」.xlsx 后再试。"
    if "xl/workbook.bin" in names:
        return f"文件「{name}」是 Excel 二进制工作簿（.xlsb），不是 .xlsx；请在 Excel 中「另存为」.xlsx 后再试。"
    if "word/document.xml" in names or "ppt/presentation.xml" in names:
        return f"文件「{name}」是 Word 或 PowerPoint 文件，不是工作簿；请给出 Excel 工作簿（.xlsx）。"
    return f"文件「{name}」不是 Excel 工作簿（缺少 xl/workbook.xml）；请另存为 .xlsx 后再试。"


def _check_entries(name: str, infos: list[zipfile.ZipInfo]) -> None:
    """Entries no Excel writes and no reader may guess at: password-protected, bzip2/LZMA, duplicated."""
    seen: set[str] = set()
    for i in infos:
        entry = _short(i.filename)
        if i.flag_bits & 0x1:
            raise UnreadableFile(f"文件「{name}」中的部件「{entry}」设置了 zip 密码，无法读取；Excel 工作簿不会这样加密，"
                                 "请请对方直接发送原始的 .xlsx 文件（如需保密请另行约定方式）。")
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            method = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}.get(i.compress_type, f"第 {i.compress_type} 种")
            raise UnreadableFile(f"文件「{name}」中的部件「{entry}」使用了 Excel 不支持的压缩方式（{method}），"
                                 "可能是用压缩软件重新打包的；请用 Excel 或 WPS 打开并另存为 .xlsx，或请对方重新发送原文件。")
        # Entries named to escape the package ("../x", "/x") are never extracted and never read
        # (sheets are read only through workbook.xml's relationships), and the writers leave them out.
        folded = i.filename.replace("\\", "/")
        key = folded.lower()
        if key in seen:
            raise UnreadableFile(f"文件「{name}」中的部件「{entry}」出现了两次，不同软件会读到不同的内容，已拒绝读取；"
                                 "请用 Excel 打开后另存为 .xlsx。")
        seen.add(key)


def _short(text: str, keep: int = 60) -> str:
    return text if len(text) <= keep else f"{text[:keep]}…"


def _is_encrypted_ooxml(path: Path) -> bool:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
    except Exception:  # a damaged OLE container: treated as a legacy file below
        return False


def _check_sizes(name: str, infos: list[zipfile.ZipInfo], max_unzipped: int) -> None:
    total = sum(i.file_size for i in infos)
    if total > max_unzipped:
        raise UnreadableFile(
            f"文件「{name}」解压后超过 {_mb(max_unzipped)}（{_mb(total)}），可能已损坏或不安全，已拒绝读取；"
            "请检查文件来源。")
    for i in infos:
        if i.file_size > MAX_PART_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise UnreadableFile(
                f"文件「{name}」中的「{_short(i.filename)}」压缩比异常（{_mb(i.file_size)}），可能是恶意文件，已拒绝读取。")


_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_SKIP = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.DOTALL)  # comments and processing instructions
_ROOT = re.compile(rb"<[A-Za-z_]")
MAX_PROLOG = 1024 * 1024  # an XML part whose root element starts later than this is refused
_CHUNK = 64 * 1024
_XML_PARTS = (".xml", ".rels", ".vml")
_INFLATE_CHUNK = 1024 * 1024  # memory per part while checking, whatever the zip claims
KEEP_PART_BYTES = 16 * 1024 * 1024  # a worksheet part kept for the reader (keep_sheets) at most…
KEEP_TOTAL_BYTES = 64 * 1024 * 1024  # …and all of them together; larger ones are inflated again when scanned


def _inflate(raw, info: zipfile.ZipInfo):
    """The part's bytes, chunk by chunk, straight from the compressed stream.

    Never more than ``_INFLATE_CHUNK`` bytes at a time, and never more than the size
    the zip declares: a part that inflates past it is refused at once. The
    CRC is checked at the end, so a damaged part is caught here too.
    """
    raw.seek(info.header_offset)
    header = raw.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("local header")
    n, m = struct.unpack("<HH", header[26:30])
    raw.seek(info.header_offset + 30 + n + m)
    left = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced, crc, pending = 0, 0, b""
    while True:
        if not pending:
            if left <= 0:
                break
            pending = raw.read(min(_INFLATE_CHUNK, left))
            left -= len(pending)
            if not pending:
                raise EOFError("truncated")
        if inflater is None:
            out, pending = pending, b""
        else:
            out = inflater.decompress(pending, _INFLATE_CHUNK)
            pending = inflater.unconsumed_tail
        produced += len(out)
        if produced > info.file_size:
            raise _Lie()
        crc = zlib.crc32(out, crc)
        yield out
        if inflater is not None and inflater.eof:
            break
    if inflater is not None and not inflater.eof:
        raise EOFError("deflate stream not finished")
    if produced != info.file_size:
        raise _Lie()
    if crc != info.CRC:
        raise zipfile.BadZipFile("crc")


# Excel keeps 15 significant digits; a cell value of thousands of digits is
# damage or an attack (Python refuses to turn more than 4,300 digits into an int).
_HUGE_DIGITS = 1000
_HUGE_NUMBER = re.compile(rb"v>\s*[-+]?[0-9]{%d}" % _HUGE_DIGITS)  # literal-led: fast on big sheets


class _Lie(Exception):
    """A part whose real size is not the size its zip headers declare."""


def _inspect_part(name: str, raw, info: zipfile.ZipInfo, keep: bool = False) -> bytes | None:
    """Inflate one part as a stream (sizes, CRC) and check an XML part's prolog
    (no DTD, no entity declarations, and UTF-8: OOXML parts never need more);
    with ``keep`` return the part's bytes once they passed."""
    is_xml = info.filename.lower().endswith(_XML_PARTS)
    is_sheet = is_xml and info.filename.startswith("xl/worksheets/")
    head = bytearray()
    tail = b""
    chunks: list[bytes] | None = [] if keep else None
    try:
        for chunk in _inflate(raw, info):
            if chunks is not None:
                chunks.append(chunk)
            if is_xml and len(head) <= MAX_PROLOG:
                head += chunk[: MAX_PROLOG + 1 - len(head)]
            if is_sheet:
                if _HUGE_NUMBER.search(tail + chunk):
                    raise UnreadableFile(
                        f"文件「{name}」的工作表（「{_short(info.filename)}」）中有长达几千位的数字，不是 Excel 能保存的数值，"
                        "文件可能已损坏或被改动过；请用 Excel 打开检查后另存，或请对方重新发送。")
                tail = chunk[-(_HUGE_DIGITS + 8):]
    except _Lie:
        raise UnreadableFile(f"文件「{name}」中的部件「{_short(info.filename)}」实际大小与声明不符，"
                             "可能已损坏或是恶意文件，已拒绝读取；请检查文件来源，或请对方重新发送。") from None
    data = None if chunks is None else (chunks[0] if len(chunks) == 1 else b"".join(chunks))
    if not is_xml:
        return data
    verdict = _prolog_verdict(io.BytesIO(bytes(head)))
    if verdict:
        raise UnreadableFile(f"文件「{name}」中的「{_short(info.filename)}」{verdict}，已拒绝读取；请检查文件来源。")
    if _utf16(bytes(head[:4])):
        raise UnreadableFile(f"文件「{name}」中的「{_short(info.filename)}」以 UTF-16 编码保存，党建助手只能读取 Excel 通常的"
                             "UTF-8 编码；请用 Excel 或 WPS 打开后另存为 .xlsx 再试。")
    return data


def _check_no_dtd(name: str, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """The entry and part checks of ``check_package`` for a caller that holds an open
    zip (the flavour rewrite checks a package before unpacking it): entries, sizes
    while inflating, CRCs, DTDs, UTF-16 and huge numbers."""
    _check_entries(name, infos)
    try:
        if zf.filename:
            with open(zf.filename, "rb") as raw:
                for part in infos:
                    _inspect_part(name, raw, part)
        else:
            for part in infos:
                _inspect_part(name, zf.fp, part)
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, struct.error):
        raise UnreadableFile(
            f"文件「{name}」已损坏（压缩包结构不完整，可能下载或复制时被截断）；请用 Excel 打开修复后另存，"
            "或请对方重新发送。") from None


def _utf16(start: bytes) -> bool:
    return start[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(start) > 1 and (start[0] == 0 or start[1] == 0))


def _prolog_verdict(fh) -> str:
    """'' when the part's prolog is harmless, else what is wrong (Chinese).

    A DTD can only stand before the root element, but comments and
    whitespace before it may be arbitrarily long, and a part may be UTF-16:
    the prolog is read (comments and processing instructions removed) up to
    the root element, and a prolog longer than ``MAX_PROLOG`` is refused too.
    """
    buf = b""
    utf16: str | None = None
    total = 0
    while True:
        chunk = fh.read(_CHUNK)
        if total == 0:  # UTF-16 parts (BOM or NUL bytes) are scanned decoded
            if chunk[:2] == b"\xff\xfe" or (len(chunk) > 1 and chunk[0] != 0 and chunk[1:2] == b"\x00"):
                utf16 = "utf-16-le"
            elif chunk[:2] == b"\xfe\xff" or chunk[:1] == b"\x00":
                utf16 = "utf-16-be"
        total += len(chunk)
        if utf16 and chunk:
            chunk = chunk.decode(utf16, errors="ignore").lstrip("\ufeff").encode("utf-8")
        buf = _SKIP.sub(b"", buf + chunk)
        opens = [i for i in (buf.find(b"<!--"), buf.find(b"<?")) if i >= 0]
        open_at = min(opens) if opens else len(buf)  # an unfinished comment/PI: look only before it
        region = buf[:open_at]
        root = _ROOT.search(region)
        if _DTD.search(region[:root.start()] if root else region):
            return "含有不安全的 XML 声明（DTD/实体）"
        if root or not chunk:
            return ""
        if total > MAX_PROLOG:
            return "开头异常（很长的注释或声明）"
        buf = buf[max(0, open_at - 16):]  # a declaration split across chunks stays whole


def _sheet_parts(zf: zipfile.ZipFile, name: str | None = None,
                 names: set[str] | None = None) -> list[tuple[str, str]]:
    """Sheet names in workbook order with the paths of their XML parts.

    A sheet whose relationship points outside the package (an absolute
    address, a path climbing out with ``..``, an external link) or at a part
    that is not there is S001, naming the sheet: reading some other part in
    its place would validate data the workbook does not hold.
    """
    name = name if name is not None else Path(str(zf.filename or "")).name
    names = names if names is not None else set(zf.namelist())
    wb_path = "xl/workbook.xml"
    rels_path = "xl/_rels/workbook.xml.rels"
    wb = SafeET.fromstring(zf.read(wb_path))
    if rels_path not in names:
        raise UnreadableFile(f"文件「{name}」缺少工作表目录（{rels_path}），工作簿已损坏；"
                             "请用 Excel 打开修复后另存为 .xlsx，或请对方重新发送。")
    rels = SafeET.fromstring(zf.read(rels_path))
    targets: dict[str, tuple[str, bool]] = {}  # rId → (part, stays inside the package)
    if rels is not None:  # noqa: SIM102 - kept for a reader that passes None
        for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "").replace("\\", "/")
            external = rel.get("TargetMode", "") == "External" or "://" in target or re.match(r"[A-Za-z]:", target)
            if target.startswith("/"):
                part = posixpath.normpath(target).lstrip("/")
            else:
                part = posixpath.normpath(posixpath.join("xl", target))
            inside = not external and not part.startswith("..")
            targets[rel.get("Id", "")] = (part if inside else rel.get("Target", ""), inside)
    out: list[tuple[str, str]] = []
    sheets = wb.find(f"{_NS_MAIN}sheets")
    for sh in (sheets if sheets is not None else []):
        sheet_name = sh.get("name", "")
        rid = sh.get(f"{_NS_REL}id", "")
        part, inside = targets.get(rid, ("", True))
        if not rid or rid not in targets or part in ("", "xl"):
            raise UnreadableFile(f"文件「{name}」中工作表「{_short(sheet_name)}」在文件中找不到它的数据（工作簿关系缺失），"
                                 "工作簿已损坏；请用 Excel 打开修复后另存为 .xlsx，或请对方重新发送。")
        if not inside:
            raise UnreadableFile(f"文件「{name}」中工作表「{_short(sheet_name)}」的数据指向工作簿以外的位置"
                                 f"（「{_short(part)}」），可能是恶意文件，已拒绝读取；请检查文件来源。")
        if part and part not in names:
            raise UnreadableFile(f"文件「{name}」中工作表「{_short(sheet_name)}」的数据部件「{_short(part)}」不在文件中，"
                                 "工作簿已损坏；请用 Excel 打开修复后另存为 .xlsx，或请对方重新发送。")
        out.append((sheet_name, part))
    return out


# The sheet scan lives in its own module; re-exported for callers that import it from here.
from dj_addin.xlsx.sheet_scan import SheetScan, scan_sheet  # noqa: E402,F401
