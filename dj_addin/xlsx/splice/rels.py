"""Relationship parts (``_rels/*.rels``): read and written with an XML library, never as text.

A relationship's target is resolved against its source part; a target that
would leave the package resolves to a name no part can have, so it is never
read or written.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET

from dj_addin.xlsx.splice.unsupported import Unsupported
from dj_addin.xlsx.splice.zipparts import safe_name

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT = REL_NS + "/"
RT_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


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


def resolve(source_part: str, target: str) -> str:
    """The part a relationship of ``source_part`` points to. A target that would leave
    the package comes back as a name no part can have (``safe_name`` refuses it)."""
    if target.startswith("/"):
        path = posixpath.normpath(target).lstrip("/")
    else:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))
    return path if safe_name(path) and path != "." else "../" + path


def local_name(tag: str) -> str:
    """``{namespace}name`` → ``name``."""
    return tag.rsplit("}", 1)[-1]


def parse_rels(xml: bytes | None) -> list[Rel]:
    if not xml:
        return []
    out = []
    for el in SafeET.fromstring(xml):
        if local_name(el.tag) == "Relationship":
            out.append(Rel(el.get("Id") or "", el.get("Type") or "", el.get("Target") or "", el.get("TargetMode")))
    return out


def rels_xml(rels: list[Rel]) -> bytes:
    root = ET.Element(f"{{{PKG_REL_NS}}}Relationships")
    for r in rels:
        attrs = {"Id": r.id, "Type": r.type, "Target": r.target}
        if r.mode:
            attrs["TargetMode"] = r.mode
        ET.SubElement(root, f"{{{PKG_REL_NS}}}Relationship", attrs)
    return xml_bytes(root, PKG_REL_NS)


def xml_bytes(root: ET.Element, default_ns: str) -> bytes:
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
