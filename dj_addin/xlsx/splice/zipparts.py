"""The zip under a package: which entries may be read, and copying them as they are.

Entries with names that could escape a folder (``../…``, absolute paths,
drives, backslashes) or that repeat an earlier name are never read or
written. Unchanged entries are copied with their compressed bytes, so a
big data sheet costs a file copy, not an inflate and a deflate.
"""

from __future__ import annotations

import zipfile

COMPRESS_LEVEL = 6


def safe_name(name: str) -> bool:
    """Whether a zip entry name is a plain part name: no absolute path, drive, backslash or ``..``."""
    if not name or name.startswith("/") or "\\" in name or ":" in name.split("/", 1)[0]:
        return False
    return ".." not in name.split("/") and "\x00" not in name


def entries(zf: zipfile.ZipFile) -> tuple[list[str], list[str], dict[str, zipfile.ZipInfo]]:
    """The plain part names in zip order, the entries left out (unsafe or repeated names),
    and each name's first entry (zipfile's own lookup gives the last of a repeated name)."""
    names, foreign, infos = [], [], {}
    for info in zf.infolist():
        if info.is_dir():
            continue
        name = info.filename
        if not safe_name(name) or name in infos:
            foreign.append(name)
            continue
        infos[name] = info
        names.append(name)
    return names, foreign, infos


def write_part(out: zipfile.ZipFile, name: str, data: bytes, stamp: tuple) -> None:
    """A new or changed part, deflated, with the given timestamp (the same input gives the same bytes)."""
    zi = zipfile.ZipInfo(name, date_time=stamp)
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.external_attr = 0o600 << 16
    out.writestr(zi, data, compresslevel=COMPRESS_LEVEL)


def copy_entry(src: zipfile.ZipFile, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
    """An unchanged entry: its compressed bytes when possible, else inflated and written again."""
    if copy_raw(src, info, out):
        return
    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    zi.compress_type = info.compress_type
    zi.external_attr = info.external_attr
    out.writestr(zi, src.read(info))


def copy_raw(src: zipfile.ZipFile, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> bool:
    """Copy one member's compressed bytes as they are (no inflate/deflate); False when
    the member is unusual (encrypted, zip64, unknown method) and must be copied normally.

    zipfile has no public raw copy, so this writes the local header and data the
    way ``ZipFile.writestr`` does and registers the entry for the central directory.
    """
    if (info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
            or max(info.file_size, info.compress_size, info.header_offset) >= 0x7FFFFFFF):
        return False
    fp = src.fp
    fp.seek(info.header_offset)
    header = fp.read(30)
    if header[:4] != b"PK\x03\x04":
        return False
    name_len, extra_len = int.from_bytes(header[26:28], "little"), int.from_bytes(header[28:30], "little")
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    data = fp.read(info.compress_size)
    if len(data) != info.compress_size:
        return False
    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    zi.compress_type, zi.external_attr = info.compress_type, info.external_attr
    zi.CRC, zi.compress_size, zi.file_size = info.CRC, info.compress_size, info.file_size
    zi.flag_bits = info.flag_bits & 0x800  # no data descriptor: sizes and CRC are in the header
    zi.header_offset = out.fp.tell()
    out.fp.write(zi.FileHeader(zip64=False))
    out.fp.write(data)
    out.start_dir = out.fp.tell()
    out.filelist.append(zi)
    out.NameToInfo[zi.filename] = zi
    out._didModify = True
    return True
