"""The .xlsx package as parts: read what is needed, change a few, copy the rest.

Parts are kept as bytes; ``Package.save`` writes a new zip in which every
part that was not changed is copied as it was, compressed bytes included
(``zipparts``).

Relationships (``rels``) and content types (``content_types``) are read and
written with an XML library, never spliced as text. What goes into the new
zip is decided by reference: a part is written only when it can be reached
from the package's root relationships (so removing a sheet removes exactly
the parts nothing else still points to), zip entries whose names could
escape a folder are never read or written, and macros (the VBA project) are
carried only when asked.

The names of the modules this one was split into are imported here too, so
``from dj_addin.xlsx.splice.package import attr, Rel, CT_WORKSHEET …`` keeps working.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from dj_addin.xlsx.splice import content_types as types
from dj_addin.xlsx.splice.content_types import (CONTENT_TYPES, CT_BOOK, CT_COMMENTS, CT_MACRO_BOOKS, CT_NS,  # noqa: F401
                                                CT_VML, CT_WORKSHEET)
from dj_addin.xlsx.splice.rels import (PKG_REL_NS, REL_NS, RT, RT_VBA, Rel, new_rel_id, parse_rels,  # noqa: F401
                                       rels_path, rels_xml, resolve, unused_name)
from dj_addin.xlsx.splice.unsupported import Unsupported  # noqa: F401
from dj_addin.xlsx.splice.xmltags import (KNOWN_PREFIXES, attr, bind_prefixes, set_attr, start_tags,  # noqa: F401
                                          text_xml, unescape)
from dj_addin.xlsx.splice.zipparts import copy_entry, copy_raw, entries, safe_name, write_part  # noqa: F401


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
    infos: dict[str, zipfile.ZipInfo] = field(default_factory=dict)  # each name's first entry

    def __post_init__(self) -> None:
        self._listed = set(self.names)

    @classmethod
    def _from_zip(cls, path: Path, zf: zipfile.ZipFile) -> "Package":
        names, foreign, infos = entries(zf)
        return cls(path, names, zf=zf, foreign=foreign, infos=infos)

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
            return self.zf.read(self.infos[name])
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

    # ---- [Content_Types].xml
    def _types(self) -> ET.Element:
        return types.parse_types(self.read(CONTENT_TYPES))

    def _set_types(self, root: ET.Element) -> None:
        self.write(CONTENT_TYPES, types.types_xml(root))

    def content_type(self, part: str) -> str | None:
        """The part's content type: its Override, else the Default for its extension."""
        return types.type_of(self._types(), part)

    def set_override(self, part: str, content_type: str | None) -> None:
        root = self._types()
        types.set_override(root, part, content_type)
        self._set_types(root)

    def ensure_default(self, ext: str, content_type: str) -> None:
        root = self._types()
        if types.add_default(root, ext, content_type):
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
        root = self._types()
        if types.prune_overrides(root, keep):  # overrides only for parts that are written
            self._set_types(root)
        order = [n for n in self.names if n not in self.removed and n in keep]
        order += [n for n in self.parts if n not in self._listed and n in keep]
        dropped = self.foreign + [n for n in self.names if n not in self.removed and n not in keep]
        # New and changed parts carry the source package's own timestamp, so that
        # the same input and results always give the same bytes.
        stamp = next((self.infos[n].date_time for n in ("xl/workbook.xml", CONTENT_TYPES)
                      if n in self._listed), (1980, 1, 1, 0, 0, 0))
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
            for name in order:
                if name in self.parts:
                    write_part(out, name, self.parts[name], stamp)
                else:
                    copy_entry(self.zf, self.infos[name], out)
        return dropped


def clean_copy(src: Path, dest: Path, *, keep_macros: bool) -> list[str]:
    """Copy a package keeping only what it references (see ``Package.save``)."""
    pkg = Package.open(src)
    try:
        return pkg.save(dest, keep_macros=keep_macros)
    finally:
        pkg.close()
