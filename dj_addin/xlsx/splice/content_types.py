"""``[Content_Types].xml``: which content type each part has, edited as XML.

A part's type is its Override, else the Default for its extension; the
functions here read and change one parsed tree, which ``Package`` keeps
as bytes between edits.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET

from dj_addin.xlsx.splice.rels import local_name, xml_bytes
from dj_addin.xlsx.splice.unsupported import Unsupported

CONTENT_TYPES = "[Content_Types].xml"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_BOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_MACRO_BOOKS = ("application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                  "application/vnd.ms-excel.template.macroEnabled.main+xml")


def parse_types(data: bytes | None) -> ET.Element:
    if data is None:
        raise Unsupported("no [Content_Types].xml")
    return SafeET.fromstring(data)


def types_xml(root: ET.Element) -> bytes:
    return xml_bytes(root, CT_NS)


def _overrides(root: ET.Element, part: str) -> list[ET.Element]:
    return [el for el in root if local_name(el.tag) == "Override" and el.get("PartName", "").lstrip("/") == part]


def type_of(root: ET.Element, part: str) -> str | None:
    """The part's content type: its Override, else the Default for its extension."""
    for el in _overrides(root, part):
        return el.get("ContentType")
    ext = part.rsplit(".", 1)[-1].lower() if "." in part else ""
    for el in root:
        if local_name(el.tag) == "Default" and (el.get("Extension") or "").lower() == ext:
            return el.get("ContentType")
    return None


def set_override(root: ET.Element, part: str, content_type: str | None) -> None:
    """The part's Override replaced by ``content_type`` (removed when None)."""
    for el in _overrides(root, part):
        root.remove(el)
    if content_type:
        ET.SubElement(root, f"{{{CT_NS}}}Override", {"PartName": "/" + part, "ContentType": content_type})


def add_default(root: ET.Element, ext: str, content_type: str) -> bool:
    """A Default for ``ext`` unless one exists; True when added."""
    if any(local_name(el.tag) == "Default" and (el.get("Extension") or "").lower() == ext.lower() for el in root):
        return False
    root.insert(0, ET.Element(f"{{{CT_NS}}}Default", {"Extension": ext, "ContentType": content_type}))
    return True


def prune_overrides(root: ET.Element, keep: set[str]) -> bool:
    """Overrides only for parts in ``keep``; True when any went."""
    stale = [el for el in root if local_name(el.tag) == "Override" and el.get("PartName", "").lstrip("/") not in keep]
    for el in stale:
        root.remove(el)
    return bool(stale)
