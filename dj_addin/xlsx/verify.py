"""Checks on a package just written, before it may replace anything.

Both writers produce a temporary file; ``verify_written`` looks at it
before the rename: the zip is whole, its entry names are plain, every part
the write touched (new, or different from the source) parses as XML with
its namespaces bound, every relationship of a touched part points at a part
that exists, every part has a content type, macros are there only when they
are meant to be, and openpyxl can open the result. A failure raises
``VerifyFailed``; the caller then tries the other writer or stops, and the
original is never touched.

``package_notices`` says, in Chinese, what of the source does not go into
the output (macros, stray zip entries), so that nothing is dropped or kept
without a word.
"""

from __future__ import annotations

import posixpath
import zipfile
from xml.parsers import expat
from pathlib import Path

import defusedxml.ElementTree as SafeET

from dj_addin.xlsx.splice.package import (CONTENT_TYPES, CT_MACRO_BOOKS, RT_VBA, Package, Unsupported, resolve,
                                          safe_name)

XML_SUFFIXES = (".xml", ".rels", ".vml")
CT_VBA = "application/vnd.ms-office.vbaProject"


class VerifyFailed(Unsupported):
    """The written package failed a check; ``str(exc)`` says which (English, for logs and tests)."""


def check_xml(name: str, data: bytes) -> None:
    """Raise ``VerifyFailed`` unless ``data`` is well-formed XML with every prefix bound and no DTD.

    expat with namespace processing and no handlers: no tree is built, so a
    20,000-row sheet is checked in tens of milliseconds.
    """
    parser = expat.ParserCreate(namespace_separator="}")

    def no_dtd(*_args) -> None:
        raise VerifyFailed(f"{name} declares a DTD")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise VerifyFailed(f"{name} does not parse: {exc}") from exc


def _touched(out: zipfile.ZipFile, src: zipfile.ZipFile | None) -> list[zipfile.ZipInfo]:
    """Entries of ``out`` that are new or differ from the source's entry of that name."""
    before = {i.filename: (i.CRC, i.file_size) for i in src.infolist()} if src is not None else {}
    return [i for i in out.infolist() if before.get(i.filename) != (i.CRC, i.file_size)]


def verify_written(out_path: Path, src_path: Path | None, *, keep_macros: bool) -> None:
    """Raise ``VerifyFailed`` unless the package at ``out_path`` is sound (see the module docstring)."""
    try:
        _verify_zip(out_path, src_path, keep_macros)
    except VerifyFailed:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError) as exc:
        raise VerifyFailed(f"written package unreadable: {exc}") from exc
    _verify_openpyxl(out_path, keep_macros)


def _verify_zip(out_path: Path, src_path: Path | None, keep_macros: bool) -> None:
    src = zipfile.ZipFile(src_path) if src_path is not None and zipfile.is_zipfile(src_path) else None
    try:
        with zipfile.ZipFile(out_path) as zf:
            infos = zf.infolist()
            names = [i.filename for i in infos]
            bad_names = [n for n in names if not safe_name(n)]
            if bad_names or len(set(names)) != len(names):
                raise VerifyFailed(f"unsafe or repeated entry names: {bad_names or 'duplicates'}")
            broken = zf.testzip()
            if broken is not None:
                raise VerifyFailed(f"bad CRC in {broken}")
            if CONTENT_TYPES not in names:
                raise VerifyFailed("no [Content_Types].xml")
            pkg = Package.open(out_path)
            try:
                touched = _touched(zf, src)
                for info in touched:
                    if info.filename.endswith(XML_SUFFIXES) or info.filename == CONTENT_TYPES:
                        check_xml(info.filename, zf.read(info))
                _check_rels(pkg, [i.filename for i in touched])
                _check_types(pkg, names)
                _check_macros(pkg, names, keep_macros)
            finally:
                pkg.close()
    finally:
        if src is not None:
            src.close()


def _check_rels(pkg: Package, touched: list[str]) -> None:
    for name in touched:
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        part = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")])
        if name == "_rels/.rels":
            part = ""
        for rel in pkg.rels(part):
            if (rel.mode or "").lower() == "external":
                continue
            target = resolve(part, rel.target)
            if not safe_name(target) or not pkg.exists(target):
                raise VerifyFailed(f"{name}: {rel.id} points to a missing part {rel.target!r}")


def _check_types(pkg: Package, names: list[str]) -> None:
    root = SafeET.fromstring(pkg.read(CONTENT_TYPES))
    overrides, defaults = set(), set()
    for el in root:
        kind = el.tag.rsplit("}", 1)[-1]
        if kind == "Override":
            overrides.add(el.get("PartName", "").lstrip("/"))
        elif kind == "Default":
            defaults.add((el.get("Extension") or "").lower())
    for name in names:
        if name == CONTENT_TYPES or name.endswith(".rels"):
            continue
        if name not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults:
            raise VerifyFailed(f"{name} has no content type")


def _check_macros(pkg: Package, names: list[str], keep_macros: bool) -> None:
    if keep_macros:
        return
    book = next((resolve("", r.target) for r in pkg.rels("") if r.type.endswith("/officeDocument")), "")
    if any(r.type == RT_VBA for r in pkg.rels(book)) or pkg.content_type(book) in CT_MACRO_BOOKS:
        raise VerifyFailed("macros carried into an output that must have none")
    if any(pkg.content_type(n) == CT_VBA for n in names):
        raise VerifyFailed("a VBA project part carried into an output that must have none")


def _verify_openpyxl(out_path: Path, keep_macros: bool) -> None:
    """openpyxl opens the workbook (read-only: workbook, styles, shared strings, sheet list)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(out_path, read_only=True, keep_vba=keep_macros)
    except Exception as exc:  # whatever openpyxl raises for a package it cannot open
        raise VerifyFailed(f"openpyxl cannot open the result: {type(exc).__name__}: {exc}") from exc
    wb.close()


def has_macros(pkg: Package) -> bool:
    book = next((resolve("", r.target) for r in pkg.rels("") if r.type.endswith("/officeDocument")), "")
    return (any(r.type == RT_VBA for r in pkg.rels(book)) or pkg.content_type(book) in CT_MACRO_BOOKS
            or any(n.lower().endswith("vbaproject.bin") for n in pkg.names))


def printable(text: str) -> str:
    """A name from the file, safe to print on a terminal (no control or escape characters)."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def package_notices(src: Path, *, keep_macros: bool) -> list[str]:
    """What the user is told about the source package: macros kept or left out, stray entries left out."""
    try:
        pkg = Package.open(src)
    except (zipfile.BadZipFile, OSError):
        return []
    try:
        notices = []
        if has_macros(pkg):
            if keep_macros:
                notices.append(f"「{src.name}」中的宏（VBA）已原样保留；党建助手从不运行宏。")
            else:
                notices.append(f"「{src.name}」中的宏（VBA）没有写入输出文件：输出是不含宏的 .xlsx；"
                               "只有 --in-place 写回 .xlsm 时才保留宏。")
        try:
            reachable = pkg.reachable()
        except (SafeET.ParseError, Unsupported):
            reachable = set(pkg.names)
        stray = pkg.foreign + [n for n in pkg.names if n not in reachable and n != CONTENT_TYPES
                               and not n.endswith(".rels") and not n.lower().endswith("vbaproject.bin")]
        if stray:
            shown = "、".join(f"「{printable(n[:60])}」" for n in stray[:3])
            more = f"等 {len(stray)} 个" if len(stray) > 3 else ""
            notices.append(f"「{src.name}」中有不属于工作簿内容的压缩包条目 {shown}{more}，没有写入输出文件。")
        return notices
    finally:
        pkg.close()


# ---- what the reference writer would lose

# Extension lists openpyxl drops on load, by the uri Excel gives them.
_EXT_URIS = {
    b"{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}": "引用其他工作表的下拉列表（数据验证）",
    b"{78C0D931-6437-407d-A8EE-F0AAD7539E65}": "新版条件格式（数据条、图标集）",
    b"{05C60535-1F16-4fd2-B633-F4F36F0B64E0}": "迷你图",
    b"{3A4CF648-6AED-40f4-86FF-DC5316D8AED3}": "切片器",
}
# Relationship types (last path segment) of parts openpyxl neither reads nor keeps.
_LOST_RELS = {"threadedComment": "新版批注（对话式批注）", "slicer": "切片器", "timeline": "日程表",
              "ctrlProp": "表单控件", "control": "ActiveX 控件", "oleObject": "嵌入的对象",
              "customXml": "自定义 XML 数据"}


def fallback_losses(src: Path, *, keep_macros: bool) -> list[str]:
    """What of ``src`` the openpyxl writer would drop, in Chinese ([] when nothing is lost).

    Only asked when the fast writer cannot finish: a write that would lose
    images, threaded comments or validation lists stops with a message instead.
    """
    import importlib.util

    try:
        pkg = Package.open(src)
    except (zipfile.BadZipFile, OSError):
        return []
    lost: dict[str, None] = {}
    try:
        for part in pkg.reachable():
            for rel in pkg.rels(part):
                kind = rel.type.rsplit("/", 1)[-1]
                target = resolve(part, rel.target)
                if (rel.mode or "").lower() == "external" or not pkg.exists(target):
                    continue
                if kind in _LOST_RELS:
                    lost[_LOST_RELS[kind]] = None
                if kind == "image" and importlib.util.find_spec("PIL") is None:
                    lost["图片"] = None
            if pkg.content_type(part) == "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml":
                data = pkg.read(part) or b""
                if b"<extLst" in data or b":extLst" in data:
                    lost.update((name, None) for uri, name in _EXT_URIS.items() if uri in data)
    except (SafeET.ParseError, Unsupported):
        return []
    finally:
        pkg.close()
    return list(lost)
