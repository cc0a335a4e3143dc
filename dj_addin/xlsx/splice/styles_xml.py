"""xl/styles.xml edited as text: find or add fills, fonts, borders, number
formats, cell formats (xf) and differential formats (dxf).

Text editing (not an XML tree) keeps every namespace declaration and
``mc:Ignorable`` prefix exactly as Excel wrote them; ElementTree would drop
the unused ones and Excel would then call the file damaged.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from dj_addin.marks.records import NO_FILL, UNKNOWN_FILL, FillValue, RecordError, fill_from_xml
from dj_addin.xlsx.splice.package import Unsupported, attr, set_attr

# Blocks of CT_Stylesheet in schema order, with the tag of their items.
BLOCKS: tuple[tuple[str, str], ...] = (
    ("numFmts", "numFmt"), ("fonts", "font"), ("fills", "fill"), ("borders", "border"),
    ("cellStyleXfs", "xf"), ("cellXfs", "xf"), ("cellStyles", "cellStyle"), ("dxfs", "dxf"),
    ("tableStyles", ""), ("colors", ""), ("extLst", ""),
)
ITEM_TAG = dict(BLOCKS)


def item_pattern(tag: str) -> re.Pattern:
    return re.compile(rf"<{tag}\b[^>]*?/>|<{tag}\b[^>]*?(?<!/)>.*?</{tag}>", re.S)


def block_pattern(name: str) -> re.Pattern:
    return re.compile(rf"<{name}\b[^>]*?/>|<{name}\b[^>]*?(?<!/)>.*?</{name}>", re.S)


class StyleSheet:
    """The items of styles.xml's blocks, with additions written back by ``xml()``."""

    def __init__(self, xml: bytes) -> None:
        self.text = xml.decode("utf-8")
        if not re.search(r"<styleSheet\b", self.text):
            raise Unsupported("styles.xml uses a namespace prefix")
        self.items: dict[str, list[str]] = {}
        self.changed: set[str] = set()
        self._fill_values: list[FillValue] = []  # fills parsed so far, by index
        self._fill_index: dict[FillValue, int] = {}  # first fill of each representable value
        # Marking 20,000 cells asks the same few questions 20,000 times: remember the answers
        # (cell formats and fills are only ever appended, so an answer never goes stale).
        self._xf_fill: dict[int, FillValue] = {}
        self._with_fill: dict[tuple[int, FillValue], int] = {}
        for name, tag in BLOCKS:
            if not tag:
                continue
            m = block_pattern(name).search(self.text)
            self.items[name] = item_pattern(tag).findall(m.group(0)) if m else []

    def add(self, block: str, item: str, dedupe: bool = True) -> int:
        """Index of ``item`` in ``block`` (appended when not already there)."""
        items = self.items[block]
        if dedupe and item in items:
            return items.index(item)
        items.append(item)
        self.changed.add(block)
        return len(items) - 1

    # ---- number formats are addressed by id, not position
    def num_fmt_id(self, code: str) -> int:
        used = [int(attr(i, "numFmtId") or 0) for i in self.items["numFmts"]]
        for item in self.items["numFmts"]:
            if attr(item, "formatCode") == code:
                return int(attr(item, "numFmtId"))
        new_id = max([163, *used]) + 1
        from xml.sax.saxutils import quoteattr
        self.add("numFmts", f'<numFmt numFmtId="{new_id}" formatCode={quoteattr(code)}/>', dedupe=False)
        return new_id

    def num_fmt_code(self, fmt_id: int) -> str | None:
        for item in self.items["numFmts"]:
            if attr(item, "numFmtId") == str(fmt_id):
                return attr(item, "formatCode")
        return None

    # ---- cells
    def xf(self, index: int) -> str:
        xfs = self.items["cellXfs"]
        if not 0 <= index < len(xfs):
            raise Unsupported(f"cell style {index} not in styles.xml")
        return xfs[index]

    def fill_value(self, xf_index: int) -> FillValue:
        """The fill a cell format shows, as a value (a fill we cannot read: ``UNKNOWN_FILL``)."""
        known = self._xf_fill.get(xf_index)
        if known is not None:
            return known
        fill_id = int(attr(start_tag(self.xf(xf_index)), "fillId") or 0)
        self._parse_fills()
        value = self._fill_values[fill_id] if 0 <= fill_id < len(self._fill_values) else NO_FILL
        self._xf_fill[xf_index] = value
        return value

    def _parse_fills(self) -> None:
        fills = self.items["fills"]
        for i in range(len(self._fill_values), len(fills)):
            try:
                value = fill_from_xml(fills[i])
            except RecordError:
                value = UNKNOWN_FILL
            self._fill_values.append(value)
            if value.representable:
                self._fill_index.setdefault(value, i)

    def with_fill_value(self, xf_index: int, value: FillValue) -> int:
        """Index of a cell format like ``xf_index`` but showing ``value`` (an existing equal fill is reused)."""
        if not value.representable:
            raise ValueError("a fill that is not representable cannot be written")
        key = (xf_index, value)
        known = self._with_fill.get(key)
        if known is not None:
            return known
        self._parse_fills()
        if value not in self._fill_index:
            self.add("fills", fill_xml(value), dedupe=False)
            self._parse_fills()
        index = self._with_fill[key] = self._with_fill_id(xf_index, self._fill_index[value])
        return index

    def _with_fill_id(self, xf_index: int, fill_id: int) -> int:
        xf = self.xf(xf_index)
        tag = start_tag(xf)
        new_tag = set_attr(set_attr(tag, "fillId", str(fill_id)), "applyFill", "1")
        return self.add("cellXfs", new_tag + xf[len(tag):])

    def xml(self) -> bytes:
        text = self.text
        for name in [b for b, _ in BLOCKS if b in self.changed]:
            items = self.items[name]
            m = block_pattern(name).search(text)
            opening = f"<{name}>"
            if m:  # keep the block's own attributes (x14ac:knownFonts…), only the count changes
                opening = m.group(0)[: m.group(0).index(">") + 1]
                if opening.endswith("/>"):
                    opening = opening[:-2].rstrip() + ">"
            block = f'{set_attr(opening, "count", str(len(items)))}{"".join(items)}</{name}>'
            if m:
                text = text[:m.start()] + block + text[m.end():]
            else:
                text = insert_block(text, name, block)
        return text.encode("utf-8")


def fill_xml(value: FillValue) -> str:
    """A ``<fill>`` item built as XML (never spliced from stored text)."""
    fill = ET.Element("fill")
    pattern = ET.SubElement(fill, "patternFill")
    if value.pattern is not None:
        pattern.set("patternType", value.pattern)
    for tag, colour in (("fgColor", value.fg), ("bgColor", value.bg)):
        if colour is not None:
            el = ET.SubElement(pattern, tag)
            el.set(colour.kind, "1" if colour.kind == "auto" else str(colour.value))
            if colour.tint:
                el.set("tint", repr(colour.tint))
    return ET.tostring(fill, encoding="unicode")


def start_tag(item: str) -> str:
    return item[: item.index(">") + 1]


def insert_block(text: str, name: str, block: str) -> str:
    """Put a missing block before the first block that follows it in schema order."""
    names = [b for b, _ in BLOCKS]
    for later in names[names.index(name) + 1:]:
        m = re.search(rf"<{later}\b", text)
        if m:
            return text[:m.start()] + block + text[m.start():]
    end = text.rindex("</styleSheet>")
    return text[:end] + block + text[end:]


def merge_styles(big: StyleSheet, small: StyleSheet) -> tuple[dict[int, int], dict[int, int]]:
    """Copy every cell format and dxf of ``small`` into ``big``; return (xf map, dxf map)."""
    xf_map: dict[int, int] = {}
    for i, xf in enumerate(small.items["cellXfs"]):
        tag = start_tag(xf)
        new = tag
        for key, block in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            idx = int(attr(tag, key) or 0)
            items = small.items[block]
            if items:
                new = set_attr(new, key, str(big.add(block, items[min(idx, len(items) - 1)])))
        fmt = int(attr(tag, "numFmtId") or 0)
        if fmt >= 164:
            code = small.num_fmt_code(fmt)
            new = set_attr(new, "numFmtId", str(big.num_fmt_id(code) if code else 0))
        new = set_attr(new, "xfId", "0")
        xf_map[i] = big.add("cellXfs", new + xf[len(tag):])
    dxf_map = {i: big.add("dxfs", d) for i, d in enumerate(small.items["dxfs"])}
    return xf_map, dxf_map
