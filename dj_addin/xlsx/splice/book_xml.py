"""xl/workbook.xml: the sheet list and sheet-local defined names.

The file is edited as text so that everything else in it (markup
compatibility prefixes, extension lists) stays byte for byte; every value
put in is escaped, and the result is parsed before it is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

import defusedxml.ElementTree as SafeET

from dj_addin.xlsx.splice.package import (RT, Package, Rel, Unsupported, attr, new_rel_id, resolve, safe_name, set_attr,
                                          start_tags, text_xml, unescape)

WORKBOOK = "xl/workbook.xml"
DEFINED_NAME = re.compile(r"""<definedName\b(?:[^>"'/]|"[^"]*"|'[^']*'|/(?!>))*(?:/>|>.*?</definedName>)""", re.S)
DEFINED_NAMES_BEFORE = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr",
                        "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


@dataclass
class SheetEntry:
    tag: str  # the <sheet .../> element as found
    name: str
    rid: str
    part: str


class WorkbookXml:
    """The sheets of a workbook, in order, with their parts; edits are written by ``save``."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        data = pkg.read(WORKBOOK)
        if data is None:
            raise Unsupported("no xl/workbook.xml")
        self.text = data.decode("utf-8")
        if not re.search(r"<workbook\b", self.text):
            raise Unsupported("workbook.xml uses a namespace prefix")
        m = re.search(r'xmlns:(\w+)="http://schemas.openxmlformats.org/officeDocument/2006/relationships"', self.text)
        if not m:
            raise Unsupported("no relationships namespace in workbook.xml")
        self.r = m.group(1)
        self.rels = pkg.rels(WORKBOOK)
        by_id = {r.id: r for r in self.rels}
        self.sheets: list[SheetEntry] = []
        for tag in start_tags("sheet", self.sheets_block()):
            rid = attr(tag, f"{self.r}:id")
            rel = by_id.get(rid)
            if rel is None:
                raise Unsupported("sheet without relationship")
            part = resolve(WORKBOOK, rel.target)
            if not safe_name(part) or not pkg.exists(part):
                raise Unsupported(f"sheet part {rel.target!r} is not in the package")
            self.sheets.append(SheetEntry(tag, attr(tag, "name"), rid, part))
        self.names: list[str] = DEFINED_NAME.findall(self.text)

    def sheets_block(self) -> str:
        return re.search(r"<sheets\b[^>]*>.*?</sheets>", self.text, re.S).group(0)

    def index(self, name: str) -> int | None:
        for i, s in enumerate(self.sheets):
            if s.name == name:
                return i
        return None

    def part(self, name: str) -> str | None:
        i = self.index(name)
        return None if i is None else self.sheets[i].part

    # ---- defined names local to a sheet (print titles, filters) follow its position
    def _shift(self, start: int, delta: int, removed: int | None = None) -> None:
        """Sheet positions from ``start`` on moved by ``delta``: local names and the active tab follow."""
        out = []
        for dn in self.names:
            local = attr(dn, "localSheetId")
            if local is not None and int(local) >= start:
                tag = start_tags("definedName", dn)[0]
                dn = set_attr(tag, "localSheetId", str(int(local) + delta)) + dn[len(tag):]
            out.append(dn)
        self.names = out
        for key in ("activeTab", "firstSheet"):
            m = re.search(rf'\b{key}="(\d+)"', self.text)
            if not m:
                continue
            value = int(m.group(1))
            if removed is not None and value == removed:
                value = 0
            elif value >= start:
                value += delta
            self.text = self.text[:m.start()] + f'{key}="{value}"' + self.text[m.end():]

    def drop_local_names(self, index: int) -> None:
        self.names = [dn for dn in self.names if attr(dn, "localSheetId") != str(index)]

    def local_value(self, index: int, name: str) -> str | None:
        """The formula of the defined name ``name`` local to sheet ``index`` (``_xlnm.Print_Area``), if any."""
        for dn in self.names:
            if attr(dn, "localSheetId") == str(index) and attr(dn, "name") == name:
                m = re.search(r">(.*)</definedName>", dn, re.S)
                return unescape(m.group(1)) if m else ""
        return None

    def set_local_value(self, index: int, name: str, value: str | None) -> None:
        """Set (None: remove) the defined name ``name`` local to sheet ``index``."""
        self.names = [dn for dn in self.names
                      if not (attr(dn, "localSheetId") == str(index) and attr(dn, "name") == name)]
        if value is not None:
            self.names.append(f'<definedName name={quoteattr(name)} localSheetId="{index}">{text_xml(value)}'
                              "</definedName>")

    def add_local_names(self, index: int, names: list[str]) -> None:
        for dn in names:
            tag = start_tags("definedName", dn)[0]
            self.names.append(set_attr(tag, "localSheetId", str(index)) + dn[len(tag):])

    # ---- sheets
    def remove(self, name: str) -> None:
        i = self.index(name)
        entry = self.sheets.pop(i)
        self.drop_local_names(i)
        self._shift(i + 1, -1, removed=i)
        # Its parts go when the package is saved, unless something else still points to them.
        self.rels = [r for r in self.rels if r.id != entry.rid]

    def insert(self, index: int, name: str, part: str, state: str | None = None) -> SheetEntry:
        used = [int(attr(s.tag, "sheetId") or 0) for s in self.sheets]
        rid = new_rel_id(self.rels)
        self.rels.append(Rel(rid, RT + "worksheet", "/" + part))
        tag = f'<sheet name={quoteattr(name)} sheetId="{max(used, default=0) + 1}"'
        tag += f" state={quoteattr(state)}" if state else ""
        tag += f' {self.r}:id="{rid}"/>'
        self._shift(index, +1)
        entry = SheetEntry(tag, name, rid, part)
        self.sheets.insert(index, entry)
        return entry

    def save(self) -> None:
        block = self.sheets_block()
        opening = block[: block.index(">") + 1]
        text = self.text.replace(block, opening + "".join(s.tag for s in self.sheets) + "</sheets>")
        names = f"<definedNames>{''.join(self.names)}</definedNames>" if self.names else ""
        m = re.search(r"<definedNames\b[^>]*?(?:/>|>.*?</definedNames>)", text, re.S)
        if m:
            text = text[:m.start()] + names + text[m.end():]
        elif names:
            for tag in DEFINED_NAMES_BEFORE:
                m = re.search(rf"<{tag}\b", text)
                if m:
                    break
            at = m.start() if m else text.rindex("</workbook>")
            text = text[:at] + names + text[at:]
        data = text.encode("utf-8")
        try:
            SafeET.fromstring(data)
        except SafeET.ParseError as exc:
            raise Unsupported(f"workbook.xml would not parse: {exc}") from exc
        self.pkg.write(WORKBOOK, data)
        self.pkg.set_rels(WORKBOOK, self.rels)
