"""The content decides the kind of file, not its name (workbook.md).

Excel opens packages that differ from what openpyxl writes, and real
exports use them: an Office Open XML workbook named ``.xls`` (Apache POI
exports), part names with backslashes (some Chinese attendance systems),
parts at the package root instead of under ``xl/``, and the Strict Open
XML flavour (namespaces under purl.oclc.org). python-calamine and the
package checks expect the standard layout, so such a package is rewritten
into a standard one in a temporary folder first; a standard package is
passed through untouched (one look at the zip's directory and the first
bytes of workbook.xml: see bench/bench_flavours.py).

Files that only pretend to be workbooks (an HTML table or SpreadsheetML
2003 XML saved as ``.xls``, as many web systems export) are refused with an
S001 message that says how to 另存为 .xlsx. A real Excel 97-2003 file (an
OLE compound file) goes on to the package checks, which say the same.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from dj_addin.errors import UnreadableFile
from dj_addin.xlsx.safety import DEFAULT_MAX_UNZIPPED, ZIP_MAGIC, _check_no_dtd, _check_sizes

WORKBOOK = "xl/workbook.xml"
STRICT_MARK = b"purl.oclc.org/ooxml/"
OFFICE_DOCUMENT = "/officeDocument"
STANDARD_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")

# Strict Open XML namespaces → their transitional equivalents (most specific first).
STRICT_TO_TRANSITIONAL: tuple[tuple[bytes, bytes], ...] = (
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships/metadata/core-properties",
     b"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"),
    (b"http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"),
    (b"http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes",
     b"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"),
    (b"http://purl.oclc.org/ooxml/officeDocument/sharedTypes",
     b"http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes"),
    (b"http://purl.oclc.org/ooxml/officeDocument/customXml",
     b"http://schemas.openxmlformats.org/officeDocument/2006/customXml"),
    (b"http://purl.oclc.org/ooxml/spreadsheetml/main", b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"),
    (b"http://purl.oclc.org/ooxml/drawingml/", b"http://schemas.openxmlformats.org/drawingml/2006/"),
    (b"http://purl.oclc.org/ooxml/", b"http://schemas.openxmlformats.org/"),
)

_TEXT_WORKBOOK = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(html|table|meta|head|!doctype html|workbook)\b",
                            re.IGNORECASE | re.DOTALL)
_TARGET = re.compile(rb'(Target|PartName)="([^"]*)"')


def _refuse_text_workbooks(path: Path, head: bytes) -> None:
    """An HTML page or SpreadsheetML 2003 file saved under a workbook's name."""
    text = head.lstrip(b"\xef\xbb\xbf")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head.decode("utf-16", errors="ignore").encode("utf-8")
    if _TEXT_WORKBOOK.match(text[:4096]):
        raise UnreadableFile(
            f"文件「{path.name}」其实是网页或 XML 格式导出的表格，不是 Excel 工作簿；请在 Excel 或 WPS 中打开，"
            "「另存为」Excel 工作簿（.xlsx）后再试。")


def is_workbook_package(zf: zipfile.ZipFile) -> bool:
    """A spreadsheet package at all: some part is a workbook (an .ods or a .docx is not)."""
    return any(n.replace("\\", "/").endswith("workbook.xml") for n in zf.namelist())


def needs_rewrite(path: Path, zf: zipfile.ZipFile) -> bool:
    """True when the package is not in the standard layout the readers expect."""
    names = zf.namelist()
    if WORKBOOK not in names or any("\\" in n for n in names):
        return True
    with zf.open(WORKBOOK) as fh:
        workbook = fh.read(MAX_WORKBOOK_XML)
    if STRICT_MARK in workbook[:2048] or _ODD_STATE.search(workbook):
        return True
    rels = "xl/_rels/workbook.xml.rels"
    return rels in names and _SKIPPED_SHEET_TYPES.search(zf.read(rels)) is not None


MAX_WORKBOOK_XML = 1024 * 1024  # workbook.xml lists sheets and names: small
# Sheet states other than Excel's three (exceljs has written state="show"): read as visible.
_ODD_STATE = re.compile(rb'<(?:\w+:)?sheet\b[^>]*\bstate="(?!visible"|hidden"|veryHidden")[^"]*"')
# Excel 4 macro sheets and dialog sheets hold no table; python-calamine refuses a
# workbook that has one, so they are left out of the standard copy.
_SKIPPED_SHEET_TYPES = re.compile(rb'Type="[^"]*/(?:xlMacrosheet|xlIntlMacrosheet|dialogsheet)"')


@contextlib.contextmanager
def standard_package(path: Path, max_bytes: int | None = None) -> Iterator[Path]:
    """Yield a path to the workbook in the standard layout: ``path`` itself when it
    already is one (or is not a zip at all, or larger than ``max_bytes``: the
    package checks report it before anything parses it), else a standard copy
    in a temporary folder under the same name (``.xlsx`` for any other suffix)."""
    with contextlib.ExitStack() as stack:
        yield _prepare(Path(path), max_bytes, stack)


def _prepare(path: Path, max_bytes: int | None, stack: contextlib.ExitStack) -> Path:
    try:
        if not path.is_file() or (max_bytes is not None and path.stat().st_size > max_bytes):
            return path
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return path  # the package checks say what is wrong
    if not head.startswith(ZIP_MAGIC):
        if not head.startswith(b"\xd0\xcf\x11\xe0"):
            _refuse_text_workbooks(path, head)
        return path
    try:
        with zipfile.ZipFile(path) as zf:
            if not is_workbook_package(zf):
                return path  # the package checks say what it is not
            rewrite = needs_rewrite(path, zf)
            if not rewrite and path.suffix.lower() in STANDARD_SUFFIXES:
                return path
            name = path.name if path.suffix.lower() in STANDARD_SUFFIXES else f"{path.stem}.xlsx"  # messages name it
            dest = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dj-pkg-"))) / name
            if rewrite:
                infos = zf.infolist()
                _check_sizes(path.name, infos, DEFAULT_MAX_UNZIPPED)  # before anything is unpacked
                _check_no_dtd(path.name, zf, infos)
                _rewrite(zf, dest)
            else:
                shutil.copyfile(path, dest)  # a standard package under a foreign name (.xls)
            return dest
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, KeyError, ValueError, OSError,
            RuntimeError, NotImplementedError):  # also zip passwords and unknown compression
        return path  # damaged: the package checks say so in their own words


def _office_document(parts: dict[str, bytes]) -> str:
    """The workbook part named by the package's root relationships ('' when none)."""
    rels = parts.get("_rels/.rels", b"")
    for m in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        tag = m.group(0)
        kind = re.search(rb'Type="([^"]*)"', tag)
        target = re.search(rb'Target="([^"]*)"', tag)
        if kind and target and kind.group(1).decode("utf-8", "replace").endswith(OFFICE_DOCUMENT):
            return posixpath.normpath(target.group(1).decode("utf-8", "replace").replace("\\", "/").lstrip("/"))
    for name in parts:
        if name.endswith("workbook.xml") and "/_rels/" not in name:
            return name
    return ""


def _rels_of(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _plain_sheets(workbook: bytes, rels: bytes) -> bytes:
    """workbook.xml with odd sheet states made visible and macro/dialog sheets left out."""
    workbook = re.sub(rb'(<(?:\w+:)?sheet\b[^>]*\bstate=")(?!visible"|hidden"|veryHidden")[^"]*"',
                      rb'\1visible"', workbook)
    skipped = set()
    for m in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        if _SKIPPED_SHEET_TYPES.search(m.group(0)):
            rid = re.search(rb'\bId="([^"]*)"', m.group(0))
            if rid:
                skipped.add(rid.group(1))
    for rid in skipped:
        workbook = re.sub(rb'<(?:\w+:)?sheet\b[^>]*\b(?:\w+:)?id="' + re.escape(rid) + rb'"[^>]*/>', b"", workbook)
    return workbook


def _rewrite(zf: zipfile.ZipFile, dest: Path) -> None:
    """Write a standard copy of ``zf``: forward slashes, the workbook's folder as
    ``xl/``, transitional namespaces. Relative references inside the moved folder
    stay valid; absolute ones and the root relationships are rewritten."""
    parts: dict[str, bytes] = {}
    for info in zf.infolist():
        name = info.filename.replace("\\", "/").lstrip("/")
        if name and not name.endswith("/") and name not in parts:
            parts[name] = zf.read(info)
    workbook = _office_document(parts)
    folder = posixpath.dirname(workbook)
    moved: dict[str, str] = {}
    if workbook and folder != "xl":
        prefix = folder + "/" if folder else ""
        for name in parts:
            if name.startswith(prefix) and name not in ("[Content_Types].xml", "_rels/.rels") \
                    and not name.startswith("docProps/"):
                moved[name] = "xl/" + name[len(prefix):]

    def fix_refs(data: bytes) -> bytes:
        def one(m: re.Match) -> bytes:
            target = m.group(2).decode("utf-8", "replace").replace("\\", "/")
            if target.startswith("/") and target.lstrip("/") in moved:
                target = "/" + moved[target.lstrip("/")]
            return m.group(1) + b'="' + target.encode("utf-8") + b'"'
        return _TARGET.sub(one, data)

    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            if name.endswith((".xml", ".rels", ".vml")) or name == "[Content_Types].xml":
                for strict, transitional in STRICT_TO_TRANSITIONAL:
                    if strict in data:
                        data = data.replace(strict, transitional)
                data = fix_refs(data)
                if name == workbook:
                    data = _plain_sheets(data, parts.get(_rels_of(workbook), b""))
                if name == "_rels/.rels" and workbook in moved:
                    data = re.sub(rb'Target="/?' + re.escape(workbook.encode("utf-8")) + rb'"',
                                  b'Target="' + moved[workbook].encode("utf-8") + b'"', data)
            out.writestr(moved.get(name, name), data)
