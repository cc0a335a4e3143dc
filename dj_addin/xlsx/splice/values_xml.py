"""The values of a few cells, read from their XML the way openpyxl reads them.

Mark records keep the marked cell's value (``relocate.value_text``); the fast
writer builds the same Python value openpyxl would (shared and inline
strings, numbers, booleans, dates by their number format) so that the two
writers store and compare the same text. The shared strings are read only
when a cell needs them.
"""

from __future__ import annotations

import re

from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

from dj_addin.marks.matching import FORMULA, value_text
from dj_addin.xlsx.splice.book_xml import WORKBOOK, WorkbookXml
from dj_addin.xlsx.splice.notes_xml import comment_text
from dj_addin.xlsx.splice.package import RT, Package, Unsupported, attr, resolve, unescape
from dj_addin.xlsx.splice.styles_xml import StyleSheet

SI_RE = re.compile(r"<si\b[^>]*?(?:/>|>.*?</si>)", re.S)
V_RE = re.compile(r"<v\b[^>]*?(?:/>|>(.*?)</v>)", re.S)
IS_RE = re.compile(r"<is\b[^>]*?(?:/>|>.*?</is>)", re.S)
F_RE = re.compile(r"<f\b")


class CellValues:
    """Value text of cell elements of one workbook."""

    def __init__(self, pkg: Package, book: WorkbookXml, styles: StyleSheet) -> None:
        self.pkg, self.book, self.styles = pkg, book, styles
        pr = re.search(r"<workbookPr\b[^>]*>", book.text)
        self.epoch = CALENDAR_MAC_1904 if pr and attr(pr.group(0), "date1904") in ("1", "true") else WINDOWS_EPOCH
        self._strings: list[str] | None = None
        self._parsed: dict[int, str] = {}
        self._date_kind: dict[int, tuple[bool, bool]] = {}

    def text(self, element: str | None) -> str:
        """``value_text`` of a ``<c>`` element (``None``: the cell does not exist)."""
        if element is None:
            return ""
        tag = element[: element.index(">") + 1]
        if F_RE.search(element):
            return FORMULA
        kind = attr(tag, "t") or "n"
        if kind == "inlineStr":
            m = IS_RE.search(element)
            return comment_text(m.group(0)) if m else ""
        m = V_RE.search(element)
        raw = unescape(m.group(1) or "") if m else ""
        if not raw:
            return ""
        if kind == "n":
            number = float(raw) if ("." in raw or "e" in raw.lower()) else int(raw)
            is_date, is_delta = self.date_kind(int(attr(tag, "s") or 0))
            if is_date:
                try:
                    return value_text(from_excel(number, self.epoch, timedelta=is_delta))
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return value_text(number)
        if kind == "s":
            return self.shared(int(raw))
        if kind == "b":
            return value_text(bool(int(raw)))
        if kind == "d":
            return value_text(from_ISO8601(raw))
        return raw  # str, e (errors)

    def date_kind(self, xf_index: int) -> tuple[bool, bool]:
        """(is a date, is a duration) for a cell format, as openpyxl decides it."""
        if xf_index not in self._date_kind:
            xfs = self.styles.items["cellXfs"]
            fmt_id = int(attr(xfs[xf_index][: xfs[xf_index].index(">") + 1], "numFmtId") or 0) \
                if 0 <= xf_index < len(xfs) else 0
            code = self.styles.num_fmt_code(fmt_id) or builtin_format_code(fmt_id)
            self._date_kind[xf_index] = (bool(code) and is_date_format(code), bool(code) and is_timedelta_format(code))
        return self._date_kind[xf_index]

    def shared(self, index: int) -> str:
        if self._strings is None:
            rel = next((r for r in self.book.rels if r.type == RT + "sharedStrings"), None)
            data = self.pkg.read(resolve(WORKBOOK, rel.target)) if rel is not None else None
            text = data.decode("utf-8") if data else ""
            if text and not re.search(r"<sst\b", text):
                raise Unsupported("shared strings use a namespace prefix")
            self._strings = SI_RE.findall(text)  # located once; each item parsed only when asked for
        if index not in self._parsed:
            self._parsed[index] = comment_text(self._strings[index]) if 0 <= index < len(self._strings) else ""
        return self._parsed[index]
