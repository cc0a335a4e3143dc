"""A worksheet's XML edited as text: the style index of a few cells.

Only the rows that hold a changed cell are rebuilt; everything else in the
sheet is copied character for character. Cells that do not exist yet are
inserted in column order (rows in row order).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from dj_addin.cellref import cell_position as split_ref  # 'B12' → (12, 2)
from dj_addin.cellref import column_letter as letter
from dj_addin.cellref import column_number

from dj_addin.xlsx.splice.package import Unsupported, attr, set_attr

ROW_RE = re.compile(r"<row\b[^>]*?/>|<row\b[^>]*?(?<!/)>.*?</row>", re.S)
CELL_RE = re.compile(r"<c\b[^>]*?/>|<c\b[^>]*?(?<!/)>.*?</c>", re.S)
COL_RE = re.compile(r"<col\b[^>]*>")
ROW_START_RE = re.compile(r'<row\b(?:[^>]*?\sr="(\d+)")?')
CELL_REF_RE = re.compile(r'<c\s+r="([A-Z]{1,3})\d+"')


def start_tag(element: str) -> str:
    return element[: element.index(">") + 1]


class SheetCells:
    """Where the rows of one sheet are, read once; styles of cells; edits written by ``xml()``."""

    def __init__(self, xml: bytes) -> None:
        self.text = xml.decode("utf-8")
        m = re.search(r"<sheetData\b[^>]*?/>|<sheetData\b[^>]*?(?<!/)>", self.text)
        if not m:
            raise Unsupported("sheetData not found (namespace prefix?)")
        self.data_open = m
        self.data_end = self.text.find("</sheetData>") if not m.group(0).endswith("/>") else m.end()
        # Where each row starts (one C-speed scan); a row's full extent is matched only when needed.
        self.row_starts: dict[int, int] = {}
        self.row_numbers: list[int] = []
        self._rows: dict[int, re.Match] = {}
        self._cells: dict[int, dict[int, str]] = {}  # rows parsed into cells so far
        if self.data_end > m.end():
            for rm in ROW_START_RE.finditer(self.text, m.end(), self.data_end):
                if rm.group(1) is None:
                    raise Unsupported("row without number")
                r = int(rm.group(1))
                self.row_starts[r] = rm.start()
                self.row_numbers.append(r)
        self.col_styles = self._col_styles()
        self.new_styles: dict[tuple[int, int], int] = {}

    def _col_styles(self) -> list[tuple[int, int, int]]:
        cols = re.search(r"<cols\b.*?</cols>", self.text[: self.data_open.start()], re.S)
        out = []
        for tag in COL_RE.findall(cols.group(0) if cols else ""):
            out.append((int(attr(tag, "min") or 0), int(attr(tag, "max") or 0), int(attr(tag, "style") or 0)))
        return out

    def row_match(self, row: int) -> re.Match | None:
        if row not in self._rows:
            start = self.row_starts.get(row)
            self._rows[row] = ROW_RE.match(self.text, start) if start is not None else None
        return self._rows[row]

    def cells_of(self, row: int) -> dict[int, str]:
        """Column → cell element of a row (as read: edits are kept apart until ``xml()``)."""
        if row not in self._cells:
            rm = self.row_match(row)
            out = {}
            for cm in CELL_RE.finditer(rm.group(0)) if rm is not None else ():
                cell = cm.group(0)
                quick = CELL_REF_RE.match(cell)  # the usual '<c r="B12"': no attribute search
                if quick is not None:
                    out[column_number(quick.group(1))] = cell
                    continue
                ref = attr(start_tag(cell), "r")
                if ref is None:
                    raise Unsupported("cell without reference")
                out[split_ref(ref)[1]] = cell
            self._cells[row] = out
        return self._cells[row]

    def style(self, ref: str) -> int:
        """The cell format a cell shows (its own, else its row's, else its column's)."""
        row, col = split_ref(ref)
        if (row, col) in self.new_styles:
            return self.new_styles[(row, col)]
        cell = self.cells_of(row).get(col)
        if cell is not None:
            return int(attr(start_tag(cell), "s") or 0)
        rm = self.row_match(row)
        if rm is not None:
            tag = start_tag(rm.group(0))
            if attr(tag, "customFormat") in ("1", "true") and attr(tag, "s"):
                return int(attr(tag, "s"))
        for lo, hi, s in self.col_styles:
            if lo <= col <= hi:
                return s
        return 0

    def set_style(self, ref: str, s: int) -> None:
        self.new_styles[split_ref(ref)] = s

    def _row_xml(self, row: int, styles: dict[int, int]) -> str:
        rm = self.row_match(row)
        if rm is None:
            cells = "".join(f'<c r="{letter(c)}{row}" s="{s}"/>' for c, s in sorted(styles.items()))
            return f'<row r="{row}">{cells}</row>'
        tag = start_tag(rm.group(0))
        existing = self.cells_of(row)
        merged: dict[int, str] = dict(existing)
        for col, s in styles.items():
            cell = existing.get(col)
            if cell is None:
                merged[col] = f'<c r="{letter(col)}{row}" s="{s}"/>'
            else:
                ctag = start_tag(cell)
                merged[col] = set_attr(ctag, "s", str(s)) + cell[len(ctag):]
        new_tag = re.sub(r'\sspans="[^"]*"', "", tag)
        if new_tag.endswith("/>"):
            new_tag = new_tag[:-2].rstrip() + ">"
        return new_tag + "".join(merged[c] for c in sorted(merged)) + "</row>"

    def xml(self) -> bytes:
        if not self.new_styles:
            return self.text.encode("utf-8")
        by_row: dict[int, dict[int, int]] = {}
        for (row, col), s in self.new_styles.items():
            by_row.setdefault(row, {})[col] = s
        edits: list[tuple[int, int, str]] = []  # (start, end, text), in document order
        numbers = sorted(self.row_numbers)
        for row in sorted(by_row):
            text = self._row_xml(row, by_row[row])
            rm = self.row_match(row)
            if rm is not None:
                edits.append((rm.start(), rm.end(), text))
            else:
                i = bisect_right(numbers, row)  # the first existing row after this one
                at = self.row_starts[numbers[i]] if i < len(numbers) else self.data_end
                edits.append((at, at, text))
        out, pos = [], 0
        text = self.text
        if self.data_open.group(0).endswith("/>"):  # an empty <sheetData/>: rows go into a new element
            body = "".join(e[2] for e in sorted(edits, key=lambda e: e[0]))
            return (text[: self.data_open.start()] + "<sheetData>" + body + "</sheetData>"
                    + text[self.data_open.end():]).encode("utf-8")
        for start, end, new in sorted(edits, key=lambda e: (e[0], e[1] - e[0])):
            out.append(text[pos:start])
            out.append(new)
            pos = end
        out.append(text[pos:])
        return "".join(out).encode("utf-8")
