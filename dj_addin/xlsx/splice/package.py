"""The .xlsx package as parts: read what is needed, change a few, copy the rest.

Parts are kept as bytes; ``Package.save`` writes a new zip in which every
part that was not changed is copied as it was, compressed bytes included.

Relationships and content types are read and written with an XML library,
never spliced as text. What goes into the new zip is decided by reference:
a part is written only when it can be reached from the package's root
relationships (so removing a sheet removes exactly the parts nothing else
still points to), zip entries whose names could escape a folder are never
read or written, and macros (the VBA project) are carried only when asked.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

import defusedxml.ElementTree as SafeET

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT = REL_NS + "/"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CONTENT_TYPES = "[Content_Types].xml"
RT_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
CT_BOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_MACRO_BOOKS = ("application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                  "application/vnd.ms-excel.template.macroEnabled.main+xml")
# Prefixes a writer may use in a sheet part, with the namespace each must be bound to.
KNOWN_PREFIXES = {
    "r": REL_NS,
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "x14ac": "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac",
    "xr": "http://schemas.microsoft.com/office/spreadsheetml/2014/revision",
}


class Unsupported(Exception):
    """The fast path cannot change this package safely: use the reference writer."""


def start_tags(name: str, xml: str) -> list[str]:
    """Every start tag ``<name …>`` of ``xml``; a ``>`` inside a quoted attribute value is no end."""
    return re.findall(r"<" + re.escape(name) + r"""\b(?:[^>"']|"[^"]*"|'[^']*')*>""", xml)


def attr(tag: str, name: str) -> str | None:
    """An attribute of one start tag (``name`` may carry a prefix, e.g. ``r:id``)."""
    m = re.search(r'(?:^|\s)' + re.escape(name) + r'\s*=\s*("([^"]*)"|\'([^\']*)\')', tag)
    if not m:
        return None
    return unescape(m.group(2) if m.group(2) is not None else m.group(3))


def set_attr(tag: str, name: str, value: str) -> str:
    """The start tag with ``name`` set to ``value`` (added before the closing bracket when absent)."""
    pattern = r'(\s' + re.escape(name) + r'\s*=\s*)("[^"]*"|\'[^\']*\')'
    if re.search(pattern, tag):
        return re.sub(pattern, lambda m: m.group(1) + quoteattr(value), tag, count=1)
    end = -2 if tag.endswith("/>") else -1
    return f"{tag[:end]} {name}={quoteattr(value)}{tag[end:]}"


def unescape(text: str) -> str:
    def ent(m: re.Match) -> str:
        s = m.group(1)
        if s.startswith("#x"):
            return chr(int(s[2:], 16))
        if s.startswith("#"):
            return chr(int(s[1:]))
        return {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}[s]
    return re.sub(r"&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);", ent, text)


def text_xml(text: str) -> str:
    """Text for element content (line breaks and spaces kept)."""
    return escape(text).replace("\r", "&#13;")


@dataclass
class Rel:
    id: str
    type: str
    target: str
    mode: str | None = None


def rels_path(part: str) -> str:
    """``xl/workbook.xml`` → ``xl/_rels/workbook.xml.rels``; the package root ``""`` → ``_rels/.rels``."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def safe_name(name: str) -> bool:
    """Whether a zip entry name is a plain part name: no absolute path, drive, backslash or ``..``."""
    if not name or name.startswith("/") or "\\" in name or ":" in name.split("/", 1)[0]:
        return False
    return ".." not in name.split("/") and "\x00" not in name


def resolve(source_part: str, target: str) -> str:
    """The part a relationship of ``source_part`` points to. A target that would leave
    the package comes back as a name no part can have (``safe_name`` refuses it)."""
    if target.startswith("/"):
        path = posixpath.normpath(target).lstrip("/")
    else:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))
    return path if safe_name(path) and path != "." else "../" + path


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_rels(xml: bytes | None) -> list[Rel]:
    if not xml:
        return []
    out = []
    for el in SafeET.fromstring(xml):
        if _local(el.tag) == "Relationship":
            out.append(Rel(el.get("Id") or "", el.get("Type") or "", el.get("Target") or "", el.get("TargetMode")))
    return out


def rels_xml(rels: list[Rel]) -> bytes:
    root = ET.Element(f"{{{PKG_REL_NS}}}Relationships")
    for r in rels:
        attrs = {"Id": r.id, "Type": r.type, "Target": r.target}
        if r.mode:
            attrs["TargetMode"] = r.mode
        ET.SubElement(root, f"{{{PKG_REL_NS}}}Relationship", attrs)
    return _xml_bytes(root, PKG_REL_NS)


def _xml_bytes(root: ET.Element, default_ns: str) -> bytes:
    """Serialize a one-namespace tree (relationships, content types) with that namespace as the default."""
    def plain(el: ET.Element) -> ET.Element:
        ns, _, local = el.tag[1:].partition("}") if el.tag.startswith("{") else (default_ns, "", el.tag)
        if ns != default_ns or any(k.startswith("{") for k in el.attrib):
            raise Unsupported(f"unexpected markup {el.tag!r} in a package part")
        out = ET.Element(local, dict(el.attrib))
        out.extend(plain(child) for child in el)
        return out

    top = plain(root)
    top.set("xmlns", default_ns)
    body = ET.tostring(top, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body).encode("utf-8")


def _uses_prefix(xml: str, prefix: str, start: int) -> bool:
    """Whether ``prefix:`` begins an element or attribute name after ``start`` (str.find: fast on big parts)."""
    needle = prefix + ":"
    at = xml.find(needle, start)
    while at != -1:
        after = at + len(needle)
        if xml[at - 1] in "< \t\r\n" and after < len(xml) and (xml[after].isalpha() or xml[after] == "_"):
            return True
        at = xml.find(needle, after)
    return False


def bind_prefixes(xml: str) -> str:
    """``xml`` with every well-known prefix it uses (``r:id``…) declared on the root element.

    Text edits may add an element such as ``<legacyDrawing r:id=…>`` to a part
    whose producer declared that prefix only locally (openpyxl declares it on
    ``<tablePart>``); declaring it once more at the root is always correct.
    """
    root = re.search(r"""<(?![?!])(?:[^>"'/]|"[^"]*"|'[^']*'|/(?!>))*""", xml)
    if root is None:
        return xml
    declared = set(re.findall(r"\sxmlns:([\w.-]+)\s*=", root.group(0)))
    # one literal search per known prefix the root does not declare (usually none): cheap on big sheets
    missing = [p for p in sorted(KNOWN_PREFIXES) if p not in declared
               and _uses_prefix(xml, p, root.end())]
    if not missing:
        return xml
    decl = "".join(f' xmlns:{p}="{KNOWN_PREFIXES[p]}"' for p in missing)
    return xml[:root.end()] + decl + xml[root.end():]


def new_rel_id(rels: list[Rel]) -> str:
    used = {r.id for r in rels}
    n = len(rels) + 1
    while f"rId{n}" in used:
        n += 1
    return f"rId{n}"


def unused_name(existing: set[str], pattern: str) -> str:
    """``pattern`` with ``{n}`` replaced by the smallest number not in ``existing``."""
    n = 1
    while pattern.format(n=n) in existing:
        n += 1
    return pattern.format(n=n)


@dataclass
class Package:
    """The parts of one .xlsx; changes are kept in ``parts`` until ``save``.

    ``names`` holds only entries with plain names: an entry such as
    ``../../evil`` is listed in ``foreign`` and is never read or copied.
    """

    path: Path
    names: list[str]
    parts: dict[str, bytes] = field(default_factory=dict)  # changed or added parts
    removed: set[str] = field(default_factory=set)
    zf: zipfile.ZipFile | None = None
    foreign: list[str] = field(default_factory=list)  # entries with unsafe names, or repeated

    def __post_init__(self) -> None:
        self._listed = set(self.names)
        # a repeated name is read from its first entry (zipfile's own lookup gives the last)
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in (self.zf.infolist() if self.zf is not None else []):
            self._infos.setdefault(info.filename, info)

    @classmethod
    def _from_zip(cls, path: Path, zf: zipfile.ZipFile) -> "Package":
        names, foreign, seen = [], [], set()
        for info in zf.infolist():
            name = info.filename
            if info.is_dir():
                continue
            if not safe_name(name) or name in seen:
                foreign.append(name)
                continue
            seen.add(name)
            names.append(name)
        return cls(path, names, zf=zf, foreign=foreign)

    @classmethod
    def open(cls, path: Path) -> "Package":
        return cls._from_zip(Path(path), zipfile.ZipFile(path))

    @classmethod
    def from_bytes(cls, data: bytes) -> "Package":
        return cls._from_zip(Path("<memory>"), zipfile.ZipFile(io.BytesIO(data)))

    def close(self) -> None:
        if self.zf is not None:
            self.zf.close()

    def exists(self, name: str) -> bool:
        return name not in self.removed and (name in self.parts or name in self._listed)

    def read(self, name: str) -> bytes | None:
        if name in self.removed:
            return None
        if name in self.parts:
            return self.parts[name]
        if name in self._listed:
            return self.zf.read(self._infos[name])
        return None

    def write(self, name: str, data: bytes) -> None:
        if not safe_name(name):
            raise Unsupported(f"unsafe part name {name!r}")
        self.removed.discard(name)
        self.parts[name] = data

    def remove(self, name: str) -> None:
        self.parts.pop(name, None)
        self.removed.add(name)

    def all_names(self) -> set[str]:
        return {n for n in self.names if n not in self.removed} | set(self.parts)

    def rels(self, part: str) -> list[Rel]:
        return parse_rels(self.read(rels_path(part)))

    def set_rels(self, part: str, rels: list[Rel]) -> None:
        if rels:
            self.write(rels_path(part), rels_xml(rels))
        elif self.exists(rels_path(part)):
            self.remove(rels_path(part))

    # ---- [Content_Types].xml, edited as XML
    def _types(self) -> ET.Element:
        data = self.read(CONTENT_TYPES)
        if data is None:
            raise Unsupported("no [Content_Types].xml")
        return SafeET.fromstring(data)

    def _set_types(self, root: ET.Element) -> None:
        self.write(CONTENT_TYPES, _xml_bytes(root, CT_NS))

    def content_type(self, part: str) -> str | None:
        """The part's content type: its Override, else the Default for its extension."""
        root = self._types()
        for el in root:
            if _local(el.tag) == "Override" and el.get("PartName", "").lstrip("/") == part:
                return el.get("ContentType")
        ext = part.rsplit(".", 1)[-1].lower() if "." in part else ""
        for el in root:
            if _local(el.tag) == "Default" and (el.get("Extension") or "").lower() == ext:
                return el.get("ContentType")
        return None

    def set_override(self, part: str, content_type: str | None) -> None:
        root = self._types()
        for el in [el for el in root if _local(el.tag) == "Override" and el.get("PartName", "").lstrip("/") == part]:
            root.remove(el)
        if content_type:
            ET.SubElement(root, f"{{{CT_NS}}}Override", {"PartName": "/" + part, "ContentType": content_type})
        self._set_types(root)

    def ensure_default(self, ext: str, content_type: str) -> None:
        root = self._types()
        if any(_local(el.tag) == "Default" and (el.get("Extension") or "").lower() == ext.lower() for el in root):
            return
        el = ET.Element(f"{{{CT_NS}}}Default", {"Extension": ext, "ContentType": content_type})
        root.insert(0, el)
        self._set_types(root)

    def remove_tree(self, part: str) -> None:
        """Forget a part. What it pointed to stays as long as anything else points to
        it: ``save`` writes only the parts still reachable from the package root."""
        if self.exists(rels_path(part)):
            self.remove(rels_path(part))
        self.remove(part)
        self.set_override(part, None)

    # ---- what the new package holds
    def reachable(self) -> set[str]:
        """Every part reachable from ``_rels/.rels`` through internal relationships."""
        seen: set[str] = set()
        stack = [""]
        while stack:
            part = stack.pop()
            for rel in self.rels(part):
                if (rel.mode or "").lower() == "external":
                    continue
                target = resolve(part, rel.target)
                if target not in seen and self.exists(target):
                    seen.add(target)
                    stack.append(target)
        return seen

    def strip_macros(self) -> bool:
        """Drop the VBA project (the parts then go with it) and make the workbook a plain
        .xlsx workbook; True when there was something to drop."""
        book = next((resolve("", r.target) for r in self.rels("") if r.type.endswith("/officeDocument")), "")
        rels = self.rels(book)
        kept = [r for r in rels if r.type != RT_VBA]
        changed = len(kept) != len(rels)
        if changed:
            self.set_rels(book, kept)
        if self.content_type(book) in CT_MACRO_BOOKS:
            self.set_override(book, CT_BOOK)
            changed = True
        return changed

    def save(self, dest: Path, *, keep_macros: bool = False) -> list[str]:
        """Write the package to ``dest``; return the entries of the source left out
        (unreachable parts, unsafe names, the VBA project unless ``keep_macros``)."""
        if not keep_macros:
            self.strip_macros()
        keep = self.reachable() | {CONTENT_TYPES, rels_path("")}
        keep |= {rels_path(p) for p in keep if self.exists(rels_path(p))}
        self._prune_types(keep)
        order = [n for n in self.names if n not in self.removed and n in keep]
        order += [n for n in self.parts if n not in self._listed and n in keep]
        dropped = self.foreign + [n for n in self.names if n not in self.removed and n not in keep]
        # New and changed parts carry the source package's own timestamp, so that
        # the same input and results always give the same bytes.
        stamp = next((self._infos[n].date_time for n in ("xl/workbook.xml", CONTENT_TYPES)
                      if n in self._listed), (1980, 1, 1, 0, 0, 0))
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
            for name in order:
                if name in self.parts:
                    zi = zipfile.ZipInfo(name, date_time=stamp)
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    zi.external_attr = 0o600 << 16
                    out.writestr(zi, self.parts[name], compresslevel=6)
                elif not copy_raw(self.zf, self._infos[name], out):
                    info = self._infos[name]
                    zi = zipfile.ZipInfo(name, date_time=info.date_time)
                    zi.compress_type = info.compress_type
                    zi.external_attr = info.external_attr
                    out.writestr(zi, self.zf.read(info))
        return dropped

    def _prune_types(self, keep: set[str]) -> None:
        """Overrides only for parts that are written."""
        root = self._types()
        stale = [el for el in root if _local(el.tag) == "Override" and el.get("PartName", "").lstrip("/") not in keep]
        if stale:
            for el in stale:
                root.remove(el)
            self._set_types(root)


def clean_copy(src: Path, dest: Path, *, keep_macros: bool) -> list[str]:
    """Copy a package keeping only what it references (see ``Package.save``)."""
    pkg = Package.open(src)
    try:
        return pkg.save(dest, keep_macros=keep_macros)
    finally:
        pkg.close()


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
