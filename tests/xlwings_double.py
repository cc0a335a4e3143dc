"""A test double for the small part of the xlwings API the Excel adapter uses.

``dj_addin/excel/`` is run against this instead of Excel (there is none on
this machine). It is backed by a real openpyxl workbook loaded from a real
file; ``Book.save()`` writes it back, so a test can compare the saved file
with what the ``dj`` commands write. Every class has ``__slots__``: reading
or setting any attribute not defined here raises ``AttributeError``, so the
adapter cannot quietly use more of xlwings than is listed here (and than
was checked against xlwings 0.37.8's documentation):

- ``Book.caller()`` (classmethod), ``Book.app``, ``.sheets``, ``.name``, ``.fullname``, ``.save()``
- ``App.status_bar`` (get/set; ``False`` gives it back to Excel), ``.screen_updating`` (get/set),
  ``.alert(prompt, title=, buttons=, mode=)``, ``.books.open(path)``
- ``Sheets``: iteration, ``len``, ``[name]`` / ``[index]``, ``.add(name=, before=, after=)``, ``.active``
- ``Sheet.name`` (get/set), ``.used_range``, ``.range(cell)`` / ``.range((r, c))`` /
  ``.range((r1, c1), (r2, c2))``, ``.visible`` (get/set), ``.delete()``, ``.notes`` (iteration)
- ``Range.value`` (get/set, scalars and 2-D lists), ``.options(ndim=, err_to_str=)``, ``.row``,
  ``.column``, ``.shape``, ``.address``, ``.formula`` (get), ``.color`` (get/set),
  ``.note`` / ``.add_note(text)``, ``.number_format``, ``.column_width``, ``.row_height`` (set),
  ``.merge()``, ``.wrap_text`` (set), ``.font.bold/.italic/.size/.name/.color`` (set),
  ``.add_hyperlink(address, text_to_display, screen_tip)``
- ``Note.text`` (get/set), ``.author`` (get), ``.delete()``, ``.location``

It behaves as Excel does where the adapter depends on it: numbers come back
as floats, dates as datetimes, errors as None (or their text with
``err_to_str``); a string set as a value that starts with ``'`` is stored as
text without it, one starting with ``=`` becomes a formula and one that looks
like a number becomes a number (which is why the adapter writes text with the
apostrophe); ``sheets.add`` without ``before``/``after`` inserts before the
active sheet. Theme and indexed fills come back as one stand-in grey, where
Excel would give the colour they resolve to. Not here: ``sheet.api`` and
anything COM (the adapter uses it on Windows only; see ``excel/com.py``).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.hyperlink import Hyperlink

__version__ = "0.37.8-double"
STAND_IN_GREY = (192, 192, 192)


class App:
    __slots__ = ("_status", "_updating", "alerts", "answers", "books", "history")

    def __init__(self) -> None:
        self._status, self._updating = False, True
        self.alerts: list[dict] = []
        self.answers: list[str] = []  # what the user clicks in the next alerts ("yes", "no")
        self.books = Books()
        self.history: list[tuple[str, object]] = []  # every status bar text and screen updating change

    @property
    def status_bar(self):
        return self._status

    @status_bar.setter
    def status_bar(self, value) -> None:
        self._status = value
        self.history.append(("status_bar", value))

    @property
    def screen_updating(self) -> bool:
        return self._updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self._updating = value
        self.history.append(("screen_updating", value))

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None,
              callback: str | None = None) -> str:
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode,
                            "screen_updating": self.screen_updating})
        if self.answers:
            return self.answers.pop(0)
        return "yes" if buttons == "yes_no" else "ok"


class Books:
    __slots__ = ("opened",)

    def __init__(self) -> None:
        self.opened: list[str] = []

    def open(self, fullname: str):
        self.opened.append(str(fullname))


class Book:
    __slots__ = ("_path", "_wb", "_cached", "_saved", "_app", "saves")
    _caller: Book | None = None

    def __init__(self, path: Path, *, app: App | None = None, saved: bool = True) -> None:
        self._path = Path(path)
        self._wb = openpyxl.load_workbook(self._path)
        self._cached = openpyxl.load_workbook(self._path, data_only=True)  # formulas' last values
        self._saved = saved
        self._app = app or App()
        self.saves = 0

    @classmethod
    def caller(cls) -> Book:
        if cls._caller is None:
            raise RuntimeError("no calling workbook (the double's Book._caller is not set)")
        return cls._caller

    @property
    def app(self) -> App:
        return self._app

    @property
    def sheets(self) -> Sheets:
        return Sheets(self)

    @property
    def name(self) -> str:
        return self._path.name if self._saved else self._path.stem

    @property
    def fullname(self) -> str:
        return str(self._path) if self._saved else self._path.stem

    def save(self, path: str | None = None) -> None:
        self._wb.save(path or self._path)
        self.saves += 1


class Sheets:
    __slots__ = ("_book",)

    def __init__(self, book: Book) -> None:
        self._book = book

    def __iter__(self):
        return iter([Sheet(self._book, ws) for ws in self._book._wb.worksheets])

    def __len__(self) -> int:
        return len(self._book._wb.worksheets)

    def __getitem__(self, key):
        wb = self._book._wb
        return Sheet(self._book, wb.worksheets[key] if isinstance(key, int) else wb[key])

    @property
    def active(self) -> Sheet:
        return Sheet(self._book, self._book._wb.active)

    def add(self, name: str | None = None, before: Sheet | None = None, after: Sheet | None = None) -> Sheet:
        wb = self._book._wb
        if before is not None:
            index = wb.index(before._ws)
        elif after is not None:
            index = wb.index(after._ws) + 1
        else:
            index = wb.index(wb.active)  # Excel: before the active sheet
        return Sheet(self._book, wb.create_sheet(name, index))


class Sheet:
    __slots__ = ("_book", "_ws")

    def __init__(self, book: Book, ws) -> None:
        self._book, self._ws = book, ws

    def __eq__(self, other) -> bool:
        return isinstance(other, Sheet) and other._ws is self._ws

    def __hash__(self) -> int:
        return id(self._ws)

    @property
    def name(self) -> str:
        return self._ws.title

    @name.setter
    def name(self, value: str) -> None:
        self._ws.title = value

    @property
    def visible(self) -> bool:
        return self._ws.sheet_state == "visible"

    @visible.setter
    def visible(self, value: bool) -> None:
        self._ws.sheet_state = "visible" if value else "hidden"

    def delete(self) -> None:
        self._book._wb.remove(self._ws)

    @property
    def used_range(self) -> Range:
        ws = self._ws
        return Range(self, ws.min_row, ws.min_column, max(ws.max_row, ws.min_row), max(ws.max_column, ws.min_column))

    def range(self, first, last=None) -> Range:
        if isinstance(first, str):
            c1, r1, c2, r2 = range_boundaries(first if ":" in first else f"{first}:{first}")
        else:
            r1, c1 = first
            r2, c2 = last if last is not None else first
        return Range(self, r1, c1, r2, c2)

    @property
    def notes(self) -> list[Note]:
        return [Note(Range(self, c.row, c.column, c.row, c.column))
                for row in self._ws.iter_rows() for c in row if c.comment is not None]


def _excel_value(cell, cached, err_to_str: bool):
    value = cell.value
    if cell.data_type == "f":
        value = cached.value
    if cell.data_type == "e" or (cell.data_type == "f" and isinstance(value, str) and value.startswith("#")):
        return value if err_to_str else None
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value == "":
        return None
    return value


def _store(cell, value) -> None:
    """Set a cell as Excel's Range.Value does."""
    if isinstance(value, str):
        if value.startswith("'"):
            cell.value = value[1:]
            cell.data_type = "s"
            return
        if value.startswith("="):
            cell.value = value
            return
        try:
            cell.value = float(value)  # Excel turns "001" into 1
            return
        except ValueError:
            cell.value = value
            return
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    cell.value = value


class Range:
    __slots__ = ("_sheet", "_r1", "_c1", "_r2", "_c2", "_ndim", "_err_to_str")

    def __init__(self, sheet: Sheet, r1: int, c1: int, r2: int, c2: int, ndim=None, err_to_str=False) -> None:
        self._sheet, self._r1, self._c1, self._r2, self._c2 = sheet, r1, c1, r2, c2
        self._ndim, self._err_to_str = ndim, err_to_str

    def options(self, ndim=None, err_to_str=False) -> Range:
        return Range(self._sheet, self._r1, self._c1, self._r2, self._c2, ndim, err_to_str)

    @property
    def row(self) -> int:
        return self._r1

    @property
    def column(self) -> int:
        return self._c1

    @property
    def shape(self) -> tuple[int, int]:
        return self._r2 - self._r1 + 1, self._c2 - self._c1 + 1

    @property
    def address(self) -> str:
        a = f"${get_column_letter(self._c1)}${self._r1}"
        return a if self.shape == (1, 1) else f"{a}:${get_column_letter(self._c2)}${self._r2}"

    def _cells(self):
        ws = self._sheet._ws
        return [[ws.cell(r, c) for c in range(self._c1, self._c2 + 1)] for r in range(self._r1, self._r2 + 1)]

    @property
    def value(self):
        cached = self._sheet._book._cached
        ws = self._sheet._ws
        cws = cached[ws.title] if ws.title in cached.sheetnames else None
        rows = [[_excel_value(c, cws.cell(c.row, c.column) if cws is not None else c, self._err_to_str) for c in row]
                for row in self._cells()]
        if self._ndim == 2:
            return rows
        if self.shape == (1, 1):
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        if self.shape[1] == 1:
            return [r[0] for r in rows]
        return rows

    @value.setter
    def value(self, data) -> None:
        ws = self._sheet._ws
        if not isinstance(data, (list, tuple)):
            for row in self._cells():
                for cell in row:
                    _store(cell, data)
            return
        rows = data if data and isinstance(data[0], (list, tuple)) else [data]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                _store(ws.cell(self._r1 + i, self._c1 + j), v)

    @property
    def formula(self):
        cell = self._sheet._ws.cell(self._r1, self._c1)
        return "" if cell.value is None else str(cell.value)

    @property
    def color(self):
        fill = self._sheet._ws.cell(self._r1, self._c1).fill
        if fill is None or fill.patternType is None:
            return None
        fg = fill.fgColor
        if fg.type == "rgb" and isinstance(fg.rgb, str):
            text = fg.rgb[-6:]
            return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
        return STAND_IN_GREY

    @color.setter
    def color(self, rgb) -> None:
        fill = PatternFill(None) if rgb is None else PatternFill("solid", fgColor="FF%02X%02X%02X" % tuple(rgb))
        for row in self._cells():
            for cell in row:
                cell.fill = fill

    @property
    def note(self):
        cell = self._sheet._ws.cell(self._r1, self._c1)
        return None if cell.comment is None else Note(self)

    def add_note(self, text: str) -> Note:
        self._sheet._ws.cell(self._r1, self._c1).comment = Comment(text, "Excel 用户")
        return Note(self)

    @property
    def number_format(self) -> str:
        return self._sheet._ws.cell(self._r1, self._c1).number_format

    @number_format.setter
    def number_format(self, value: str) -> None:
        for row in self._cells():
            for cell in row:
                cell.number_format = value

    @property
    def column_width(self):
        return self._sheet._ws.column_dimensions[get_column_letter(self._c1)].width

    @column_width.setter
    def column_width(self, value: float) -> None:
        for c in range(self._c1, self._c2 + 1):
            self._sheet._ws.column_dimensions[get_column_letter(c)].width = value

    @property
    def row_height(self):
        return self._sheet._ws.row_dimensions[self._r1].height

    @row_height.setter
    def row_height(self, value: float) -> None:
        for r in range(self._r1, self._r2 + 1):
            self._sheet._ws.row_dimensions[r].height = value

    def merge(self) -> None:
        self._sheet._ws.merge_cells(start_row=self._r1, start_column=self._c1, end_row=self._r2, end_column=self._c2)

    @property
    def wrap_text(self):
        return self._sheet._ws.cell(self._r1, self._c1).alignment.wrap_text

    @wrap_text.setter
    def wrap_text(self, value: bool) -> None:
        for row in self._cells():
            for cell in row:
                al = copy.copy(cell.alignment)
                al.wrap_text = value
                cell.alignment = al

    @property
    def font(self) -> Font:
        return Font(self)

    def add_hyperlink(self, address: str, text_to_display: str | None = None, screen_tip: str | None = None) -> None:
        cell = self._sheet._ws.cell(self._r1, self._c1)
        if address.startswith("#"):
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=address[1:], tooltip=screen_tip)
        else:
            cell.hyperlink = address
        cell.value = text_to_display if text_to_display is not None else address
        cell.data_type = "s"


class Font:
    __slots__ = ("_range",)

    def __init__(self, rng: Range) -> None:
        self._range = rng

    def _set(self, **changes) -> None:
        for row in self._range._cells():
            for cell in row:
                f = copy.copy(cell.font)
                for k, v in changes.items():
                    setattr(f, k, v)
                cell.font = f

    bold = property(lambda self: None, lambda self, v: self._set(bold=v))
    italic = property(lambda self: None, lambda self, v: self._set(italic=v))
    size = property(lambda self: None, lambda self, v: self._set(size=v))
    name = property(lambda self: None, lambda self, v: self._set(name=v))
    color = property(lambda self: None, lambda self, v: self._set(color="FF%02X%02X%02X" % tuple(v)))


class Note:
    __slots__ = ("_range",)

    def __init__(self, rng: Range) -> None:
        self._range = rng

    def _cell(self):
        return self._range._sheet._ws.cell(self._range._r1, self._range._c1)

    @property
    def text(self) -> str:
        return self._cell().comment.text

    @text.setter
    def text(self, value: str) -> None:
        self._cell().comment = Comment(value, self._cell().comment.author)

    @property
    def author(self) -> str:
        return self._cell().comment.author

    def delete(self) -> None:
        self._cell().comment = None

    @property
    def location(self) -> Range:
        return self._range


def calling(book: Book) -> Book:
    """Make ``book`` what ``Book.caller()`` returns (as RunPython does)."""
    Book._caller = book
    return book
