"""The .xlsx package as parts: read what is needed, change a few, copy the rest.

Parts are kept as bytes; ``Package.save`` writes a new zip in which every
part that was not changed is copied as it was, compressed bytes included.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT = REL_NS + "/"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"


class Unsupported(Exception):
    """The fast path cannot change this package safely: use the reference writer."""


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
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def parse_rels(xml: bytes | None) -> list[Rel]:
    if not xml:
        return []
    out = []
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", xml.decode("utf-8")):
        out.append(Rel(attr(tag, "Id") or "", attr(tag, "Type") or "", attr(tag, "Target") or "",
                       attr(tag, "TargetMode")))
    return out


def rels_xml(rels: list[Rel]) -> bytes:
    body = "".join(
        f'<Relationship Id={quoteattr(r.id)} Type={quoteattr(r.type)} Target={quoteattr(r.target)}'
        + (f" TargetMode={quoteattr(r.mode)}" if r.mode else "") + "/>" for r in rels)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{body}</Relationships>").encode("utf-8")


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
    """The parts of one .xlsx; changes are kept in ``parts`` until ``save``."""

    path: Path
    names: list[str]
    parts: dict[str, bytes] = field(default_factory=dict)  # changed or added parts
    removed: set[str] = field(default_factory=set)
    zf: zipfile.ZipFile | None = None

    @classmethod
    def open(cls, path: Path) -> "Package":
        zf = zipfile.ZipFile(path)
        return cls(path, [i.filename for i in zf.infolist()], zf=zf)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Package":
        zf = zipfile.ZipFile(io.BytesIO(data))
        return cls(Path("<memory>"), zf.namelist(), zf=zf)

    def close(self) -> None:
        if self.zf is not None:
            self.zf.close()

    def exists(self, name: str) -> bool:
        return name not in self.removed and (name in self.parts or name in self.names)

    def read(self, name: str) -> bytes | None:
        if name in self.removed:
            return None
        if name in self.parts:
            return self.parts[name]
        if name in self.names:
            return self.zf.read(name)
        return None

    def write(self, name: str, data: bytes) -> None:
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

    # ---- [Content_Types].xml
    def set_override(self, part: str, content_type: str | None) -> None:
        ct = self.read("[Content_Types].xml").decode("utf-8")
        pattern = r'<Override\b[^>]*PartName="/' + re.escape(part) + r'"[^>]*/>'
        ct = re.sub(pattern, "", ct)
        if content_type:
            ct = ct.replace("</Types>", f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>')
        self.write("[Content_Types].xml", ct.encode("utf-8"))

    def ensure_default(self, ext: str, content_type: str) -> None:
        ct = self.read("[Content_Types].xml").decode("utf-8")
        if not re.search(r'<Default\b[^>]*Extension="' + re.escape(ext) + '"', ct, re.I):
            ct = re.sub(r"(<Types\b[^>]*>)", rf'\1<Default Extension="{ext}" ContentType="{content_type}"/>', ct, 1)
            self.write("[Content_Types].xml", ct.encode("utf-8"))

    def remove_tree(self, part: str) -> None:
        """Remove a part, its rels and every internal part only it pointed to (drawings → charts…)."""
        for rel in self.rels(part):
            if rel.mode != "External":
                target = resolve(part, rel.target)
                if self.exists(target):
                    self.remove_tree(target)
        if self.exists(rels_path(part)):
            self.remove(rels_path(part))
        self.remove(part)
        self.set_override(part, None)

    def save(self, dest: Path) -> None:
        order = [n for n in self.names if n not in self.removed] + [n for n in self.parts if n not in self.names]
        # New and changed parts carry the source package's own timestamp, so that
        # the same input and results always give the same bytes.
        stamp = next((self.zf.getinfo(n).date_time for n in ("xl/workbook.xml", "[Content_Types].xml")
                      if n in self.names), (1980, 1, 1, 0, 0, 0))
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
            for name in order:
                if name in self.parts:
                    zi = zipfile.ZipInfo(name, date_time=stamp)
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    zi.external_attr = 0o600 << 16
                    out.writestr(zi, self.parts[name], compresslevel=6)
                elif not copy_raw(self.zf, self.zf.getinfo(name), out):
                    info = self.zf.getinfo(name)
                    zi = zipfile.ZipInfo(name, date_time=info.date_time)
                    zi.compress_type = info.compress_type
                    zi.external_attr = info.external_attr
                    out.writestr(zi, self.zf.read(name))


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
