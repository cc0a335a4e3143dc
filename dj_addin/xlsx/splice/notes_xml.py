"""Cell notes of one sheet: the legacy comments part and its VML drawing.

Notes that are not touched keep their XML (rich text, size, visibility);
a changed note gets plain text (escaped, characters XML cannot hold
replaced); a new note gets a new VML shape. Both parts are built once per
sheet (the cost is linear in the notes) and parsed before they are written
(the comments part whole, the new shapes together): a part that would not
parse is refused (``Unsupported``: the reference writer takes over), never
written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dj_addin.marks.records import parse_ref, xml_text
from dj_addin.xlsx.splice.cells_xml import split_ref
from dj_addin.xlsx.splice.package import (CT_COMMENTS, CT_VML, RT, Package, Rel, Unsupported, attr, new_rel_id, resolve, text_xml,
                      unescape, unused_name)
from dj_addin.xlsx.splice.wellformed import check_xml

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
COMMENT_RE = re.compile(r"<comment\b[^>]*?(?:/>|>.*?</comment>)", re.S)
T_RE = re.compile(r"<t\b[^>]*?(?:/>|>(.*?)</t>)", re.S)
LEGACY_BEFORE = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                 "tableParts", "extLst")


def comment_text(element: str) -> str:
    body = re.sub(r"<rPh\b.*?</rPh>", "", element, flags=re.S)
    return "".join(unescape(m.group(1) or "") for m in T_RE.finditer(body))


@dataclass
class Note:
    text: str
    author: str
    element: str | None = None  # the original XML when unchanged


@dataclass
class SheetNotes:
    """All notes of one sheet, keyed by cell reference."""

    pkg: Package
    sheet_part: str
    notes: dict[str, Note] = field(default_factory=dict)
    comments_part: str | None = None
    vml_part: str | None = None
    head: str = f'<comments xmlns="{MAIN_NS}">'
    tail: str = "</comments>"
    authors: list[str] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, pkg: Package, sheet_part: str) -> "SheetNotes":
        self = cls(pkg, sheet_part)
        for rel in pkg.rels(sheet_part):
            if "threadedComment" in rel.type:  # Excel 365 comments: their notes are placeholders
                raise Unsupported("threaded comments")
            if rel.type == RT + "comments":
                self.comments_part = resolve(sheet_part, rel.target)
        if self.comments_part is None:
            return self
        text = pkg.read(self.comments_part).decode("utf-8")
        root = re.search(r"<comments\b[^>]*>", text)
        if root is None:
            raise Unsupported("comments part uses a namespace prefix")
        self.head = text[: root.end()]
        end = text.find("</commentList>")
        self.tail = text[end + len("</commentList>"):] if end >= 0 else "</comments>"
        self.authors = [unescape(a) for a in re.findall(r"<author>(.*?)</author>", text, re.S)]
        for element in COMMENT_RE.findall(text):
            tag = element[: element.index(">") + 1]
            author_id = int(attr(tag, "authorId") or 0)
            author = self.authors[author_id] if author_id < len(self.authors) else ""
            ref = (attr(tag, "ref") or "").upper()
            if parse_ref(ref) is None:
                raise Unsupported(f"note on {ref[:20]!r}")
            self.notes[ref] = Note(comment_text(element), author, element)
        return self

    def get(self, ref: str) -> Note | None:
        return self.notes.get(ref)

    def set(self, ref: str, text: str | None, author: str | None) -> None:
        """Replace (or with ``text=None`` remove) the note of a cell."""
        if text is None:
            if ref in self.notes:
                del self.notes[ref]
                self.changed.add(ref)
            return
        self.notes[ref] = Note(text, author or "")
        self.changed.add(ref)

    # ---------------------------------------------------------------- writing
    def _comments_xml(self) -> bytes:
        ids = {a: i for i, a in reversed(list(enumerate(self.authors)))}
        items = []
        for ref in sorted(self.notes, key=split_ref):
            note = self.notes[ref]
            if note.element is not None and ref not in self.changed:
                items.append(note.element)
                continue
            author = xml_text(note.author)
            if author not in ids:
                ids[author] = len(self.authors)
                self.authors.append(author)
            items.append(f'<comment ref="{ref}" authorId="{ids[author]}"><text><t xml:space="preserve">'
                         f'{text_xml(xml_text(note.text))}</t></text></comment>')  # ref: checked on load or planned
        authors = "".join(f"<author>{text_xml(xml_text(a))}</author>" for a in self.authors)
        xml = f'{self.head}<authors>{authors}</authors><commentList>{"".join(items)}</commentList>{self.tail}'
        check_xml(xml, "comments part")  # our own output (the file's untouched notes included)
        return xml.encode("utf-8")

    def save(self, sheet_xml: str, sheet_index: int) -> str:
        """Write the parts; return the sheet XML with its <legacyDrawing> as needed."""
        if not self.changed:
            return sheet_xml
        rels = self.pkg.rels(self.sheet_part)
        # the notes' drawing is the one <legacyDrawing> names (legacyDrawingHF is another VML part)
        legacy = re.search(r"<legacyDrawing\b[^>]*?\s\w+:id=\"([^\"]+)\"",
                           sheet_xml[max(sheet_xml.rfind("</sheetData>"), 0):])
        vml_rel = next((r for r in rels if legacy and r.id == legacy.group(1)), None)
        vml = VmlNotes(self.pkg.read(resolve(self.sheet_part, vml_rel.target)) if vml_rel else None, sheet_index)
        vml.replace(self.changed, [ref for ref in sorted(self.changed, key=split_ref) if ref in self.notes])
        names = self.pkg.all_names()
        if not self.notes:  # nothing left: drop the comments part (and the drawing if it only held notes)
            rels = [r for r in rels if r.type != RT + "comments"]
            if self.comments_part:
                self.pkg.remove(self.comments_part)
                self.pkg.set_override(self.comments_part, None)
            if vml_rel is not None and vml.empty():
                rels = [r for r in rels if r is not vml_rel]
                self.pkg.remove(resolve(self.sheet_part, vml_rel.target))
                sheet_xml = re.sub(r"<legacyDrawing\b[^>]*/>", "", sheet_xml)
            elif vml_rel is not None:
                self.pkg.write(resolve(self.sheet_part, vml_rel.target), vml.xml())
            self.pkg.set_rels(self.sheet_part, rels)
            return sheet_xml
        if self.comments_part is None:
            self.comments_part = unused_name(names, "xl/comments{n}.xml")
            rels.append(Rel(new_rel_id(rels), RT + "comments", "/" + self.comments_part))
            self.pkg.set_override(self.comments_part, CT_COMMENTS)
        self.pkg.write(self.comments_part, self._comments_xml())
        if vml_rel is None:
            vml_part = unused_name(names, "xl/drawings/vmlDrawing{n}.vml")
            vml_rel = Rel(new_rel_id(rels), RT + "vmlDrawing", "/" + vml_part)
            rels.append(vml_rel)
            self.pkg.ensure_default("vml", CT_VML)
            sheet_xml = add_legacy_drawing(sheet_xml, vml_rel.id)
        self.pkg.write(resolve(self.sheet_part, vml_rel.target), vml.xml())
        self.pkg.set_rels(self.sheet_part, rels)
        return sheet_xml


def add_legacy_drawing(sheet_xml: str, rid: str) -> str:
    m = re.search(r'xmlns:(\w+)="http://schemas.openxmlformats.org/officeDocument/2006/relationships"', sheet_xml)
    prefix = m.group(1) if m else "r"
    if not m:
        root = re.search(r"<worksheet\b[^>]*?(?=/?>)", sheet_xml)
        sheet_xml = (sheet_xml[: root.end()] + ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                     'relationships"' + sheet_xml[root.end():])
    element = f'<legacyDrawing {prefix}:id="{rid}"/>'
    after_data = max(sheet_xml.rfind("</sheetData>"), sheet_xml.rfind("<sheetData/>"), 0)
    tail = sheet_xml[after_data:]  # only the elements after the rows can follow legacyDrawing
    for tag in LEGACY_BEFORE:
        m = re.search(rf"<{tag}\b", tail)
        if m:
            at = after_data + m.start()
            return sheet_xml[:at] + element + sheet_xml[at:]
    at = sheet_xml.rindex("</worksheet>")
    return sheet_xml[:at] + element + sheet_xml[at:]


SHAPE_RE = re.compile(r"<(\w+):shape\b[^>]*?(?:/>|>.*?</\1:shape>)", re.S)


class VmlNotes:
    """Note shapes of a VML drawing; other shapes (form controls…) are kept as they are."""

    def __init__(self, data: bytes | None, sheet_index: int) -> None:
        if data is None:
            block = sheet_index + 1
            self.text = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
                         ' xmlns:x="urn:schemas-microsoft-com:office:excel">'
                         f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
                         '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
                         'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
                         '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype></xml>')
            self.next_id = block * 1024 + 1
        else:
            self.text = data.decode("utf-8", errors="strict")
            ids = [int(i) for i in re.findall(r'id="_x0000_s(\d+)"', self.text)]
            m = re.search(r'data="(\d+)', self.text)
            self.next_id = max(ids, default=(int(m.group(1)) if m else sheet_index + 1) * 1024) + 1
        self.pending: list[str] = []
        self.ns = {}
        for prefix, uri in re.findall(r'xmlns:(\w+)="(urn:schemas-microsoft-com:[^"]+)"', self.text):
            self.ns[uri.rsplit(":", 1)[-1]] = prefix
        if not {"vml", "office", "excel"} <= set(self.ns):
            raise Unsupported("VML drawing without the usual namespace prefixes")

    def _find(self, ref: str) -> re.Match | None:
        row, col = split_ref(ref)
        for m in SHAPE_RE.finditer(self.text):
            shape = m.group(0)
            if 'ObjectType="Note"' not in shape:
                continue
            r = re.search(r":Row>(\d+)<", shape)
            c = re.search(r":Column>(\d+)<", shape)
            if r and c and int(r.group(1)) == row - 1 and int(c.group(1)) == col - 1:
                return m
        return None

    def replace(self, remove: set[str], add: list[str]) -> None:
        """Drop the note shapes of ``remove`` (one pass), then add shapes for ``add``."""
        cells = {split_ref(ref) for ref in remove}

        def keep(m: re.Match) -> str:
            shape = m.group(0)
            if 'ObjectType="Note"' in shape:
                r = re.search(r":Row>(\d+)<", shape)
                c = re.search(r":Column>(\d+)<", shape)
                if r and c and (int(r.group(1)) + 1, int(c.group(1)) + 1) in cells:
                    return ""
            return shape

        self.text = SHAPE_RE.sub(keep, self.text)
        for ref in add:
            self.add(ref, check=False)
        self._flush()

    def remove(self, ref: str) -> None:
        self._flush()
        m = self._find(ref)
        if m is not None:
            self.text = self.text[: m.start()] + self.text[m.end():]

    def add(self, ref: str, check: bool = True) -> None:
        """Queue a note shape for ``ref`` (joined into the drawing once, by ``_flush``)."""
        if check:
            self._flush()
            if self._find(ref) is not None:
                return
        row, col = split_ref(ref)
        v, o, x = self.ns["vml"], self.ns["office"], self.ns["excel"]
        shape = (f'<{v}:shape id="_x0000_s{self.next_id}" type="#_x0000_t202" style="position:absolute;'
                 f'margin-left:59.25pt;margin-top:1.5pt;width:240pt;height:120pt;z-index:1;visibility:hidden" '
                 f'fillcolor="#ffffe1" {o}:insetmode="auto"><{v}:fill color2="#ffffe1"/>'
                 f'<{v}:shadow on="t" color="black" obscured="t"/><{v}:path {o}:connecttype="none"/>'
                 f'<{v}:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></{v}:textbox>'
                 f'<{x}:ClientData ObjectType="Note"><{x}:MoveWithCells/><{x}:SizeWithCells/>'
                 f'<{x}:Anchor>{col}, 15, {max(row - 2, 0)}, 10, {col + 4}, 15, {row + 6}, 4</{x}:Anchor>'
                 f'<{x}:AutoFill>False</{x}:AutoFill><{x}:Row>{row - 1}</{x}:Row><{x}:Column>{col - 1}</{x}:Column>'
                 f'</{x}:ClientData></{v}:shape>')
        self.next_id += 1
        self.pending.append(shape)

    def _flush(self) -> None:
        """Insert the queued shapes in one step (adding them one by one would copy the drawing each time)."""
        if not self.pending:
            return
        shapes = "".join(self.pending)
        self.pending = []
        decl = " ".join(f'xmlns:{p}="urn:x-check:{k}"' for k, p in self.ns.items()
                        if k in ("vml", "office", "excel"))
        check_xml(f"<check {decl}>{shapes}</check>", "note shapes")
        at = self.text.rindex("</xml>")
        self.text = self.text[:at] + shapes + self.text[at:]

    def empty(self) -> bool:
        self._flush()
        return SHAPE_RE.search(self.text) is None

    def xml(self) -> bytes:
        self._flush()
        return self.text.encode("utf-8")
