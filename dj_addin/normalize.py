"""Turning cell values as found into typed values (workbook.md, general rules).

Pure functions of one value, shared by the file reader, the live Excel
adapter and the UDFs. Each ``parse_*`` returns the typed value, ``None`` for
a blank cell, or the ``INVALID`` marker when the value cannot be
interpreted (the reader keeps the value as found; validation reports it).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import re
import unicodedata
from typing import Any, Iterable, Mapping

from dj_addin.schema import BOOL_FALSE, BOOL_TRUE, IDS_SEPARATORS


class _Invalid:
    """Marker for a value that could not be interpreted."""

    _instance = None

    def __new__(cls) -> "_Invalid":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "INVALID"

    def __bool__(self) -> bool:
        return False


INVALID: Any = _Invalid()

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 with Excel's leap-year bug
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!"})

_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space


def fold_width(text: str) -> str:
    """Full-width ASCII letters, digits and punctuation → half-width."""
    return text.translate(_FULLWIDTH)


def is_blank(value: Any) -> bool:
    """A cell counts as empty: None, NaN, '' or only white space."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return False


def is_excel_error(value: Any) -> bool:
    return isinstance(value, str) and value.strip() in EXCEL_ERRORS


_HEADER_STRIP = re.compile(r"[\s\u200b\ufeff*＊]+")


def fold_header(text: Any) -> str:
    """A header as compared: trimmed, spaces, line breaks and required-marks
    removed, full-width folded. ``' 联系\\n日期 '`` → ``'联系日期'``."""
    if text is None:
        return ""
    s = fold_width(str(text))
    s = unicodedata.normalize("NFKC", s)
    return _HEADER_STRIP.sub("", s)


def text_of(value: Any) -> str:
    """A cell value as text the way a user sees it (7.0 → '7')."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def shown_id(value: Any) -> str:
    """An ID cell as every message quotes it: the trimmed, folded ID when it is
    readable (「 ｓ2024002 」→「S2024002」), else the value as found."""
    parsed = parse_id(value)
    return parsed if isinstance(parsed, str) else text_of(value)


def parse_text(value: Any) -> str | None:
    if is_blank(value):
        return None
    return text_of(value).strip()


def parse_id(value: Any) -> str | None:
    """IDs: trimmed, full-width folded, upper-cased (IDs compare case-insensitively).

    A number stored as a number (``2023001.0``) becomes ``'2023001'``.
    """
    if value.__class__ is str and value.isascii() and value.isalnum():  # the usual ID: nothing to trim or fold
        return value.upper()
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return INVALID
    if isinstance(value, (dt.date, dt.datetime)):
        return INVALID
    if isinstance(value, float) and (abs(value) >= EXACT_DIGITS_LIMIT or not value.is_integer()):
        # Excel keeps 15 significant digits: an 18-digit number (an ID card
        # number typed into a number cell) has already lost its last digits.
        return INVALID if abs(value) >= EXACT_DIGITS_LIMIT else text_of(value)
    s = fold_width(text_of(value)).strip()
    s = _SPACES.sub("", s)
    return s.upper() if s else None


_SPACES = re.compile(r"\s+")
EXACT_DIGITS_LIMIT = 1e15  # numbers from here on are not stored exactly by Excel


_IDS_SPLIT = re.compile("[" + re.escape(IDS_SEPARATORS) + r"\s]+")


def parse_ids(value: Any) -> tuple[str, ...] | None:
    """One or more IDs separated by 、 , ， ; ； or spaces."""
    if is_blank(value):
        return None
    s = fold_width(text_of(value))
    parts = [p for p in _IDS_SPLIT.split(s) if p]
    ids = tuple(dict.fromkeys(p.upper() for p in parts))
    return ids or None


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MIN_SERIAL, _MAX_SERIAL = 1, 2958465  # 1900-01-01 .. 9999-12-31


def serial_to_date(serial: float) -> dt.date | None:
    if not (_MIN_SERIAL <= serial <= _MAX_SERIAL):
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(value: Any) -> dt.date | None:
    """A date in any accepted form (workbook.md): a real date, an Excel serial
    number, or text such as 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return _checked_date(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return _checked_date(value.year, value.month, value.day)
    if isinstance(value, bool):
        return INVALID
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            value = math.floor(value)  # a date with a time of day
        if 19000101 <= value <= 21001231:  # 20260305 typed as a number
            return _ymd(str(int(value)))
        return _serial_date(float(value))
    s = fold_width(str(value)).strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            return _checked_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if re.fullmatch(r"\d+(\.\d+)?", s):  # a serial number stored as text
        return _serial_date(float(s)) if float(s) > 59 else INVALID
    return INVALID


def _serial_date(serial: float) -> dt.date | Any:
    """An Excel serial as a date, held to the years a typed date may have (MIN_YEAR..MAX_YEAR):
    132321 is 2262-04-12, a typo, and beyond what a datetime64[ns] column can hold."""
    d = serial_to_date(serial)
    return d if d is not None and MIN_YEAR <= d.year <= MAX_YEAR else INVALID


def date_from_text(value: Any) -> dt.date | None:
    """A date written in one of the text forms (2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日,
    20260305), with any year a calendar holds; None for anything else, numbers and serials
    included. Lets a caller tell "not a date" from "a real date outside the allowed years"."""
    s = fold_width(str(value)).strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def _ymd(s: str) -> dt.date | Any:
    return _checked_date(int(s[:4]), int(s[4:6]), int(s[6:8]))


MIN_YEAR, MAX_YEAR = 1900, 2200  # outside this a typed year is a typo, not a date


def _checked_date(y: int, m: int, d: int) -> dt.date | Any:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return INVALID
    try:
        return dt.date(y, m, d)
    except ValueError:
        return INVALID


def parse_number(value: Any) -> float | None:
    """A number; text such as '12', '１２', '3.5' is accepted."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return INVALID
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else INVALID
    if isinstance(value, (dt.date, dt.datetime)):
        return INVALID
    s = fold_width(str(value)).strip().replace(",", "")
    m = _NUMBER_WITH_UNIT.match(s)  # '2026年', '3次', '20 天'
    if m:
        s = m.group(1)
    try:
        f = float(s)
    except ValueError:
        return INVALID
    return f if math.isfinite(f) else INVALID


_NUMBER_WITH_UNIT = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(?:年|个|人|次|天|日|项|份|篇|条|票|分|人次)$")


def parse_int(value: Any) -> float | None:
    """A whole number (kept as float so tables stay numeric; NaN for blank)."""
    f = parse_number(value)
    if f is None or f is INVALID:
        return f
    return f if float(f).is_integer() else INVALID


def parse_bool(value: Any) -> bool | None:
    """是/否 and the accepted variants: Y/N, 1/0, √/×, TRUE/FALSE."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if value == 1:
            return True
        if value == 0:
            return False
        return INVALID
    s = fold_width(str(value)).strip().lower()
    if s in BOOL_TRUE:
        return True
    if s in BOOL_FALSE:
        return False
    return INVALID


def parse_enum(value: Any, choices: Iterable[str], synonyms: Mapping[str, str] | None = None) -> str | None:
    """A list value, after trimming, width folding and the synonym table."""
    if is_blank(value):
        return None
    s = fold_width(text_of(value)).strip()
    s = _SPACES.sub("", s)
    choices = tuple(choices)
    if s in choices:
        return s
    for choice in choices:  # full-width '／' or case differences
        if fold_width(choice) == s:
            return choice
    if synonyms:
        hit = synonyms.get(s) or synonyms.get(s.lower())
        if hit:
            return hit
    return INVALID


def closest_choice(value: Any, choices: Iterable[str], synonyms: Mapping[str, str] | None = None) -> str | None:
    """The list value closest to what was typed, for the message's suggestion."""
    s = fold_width(text_of(value)).strip()
    choices = tuple(choices)
    if not s or not choices:
        return None
    return _closest(s, choices)


@functools.lru_cache(maxsize=4096)
def _closest(s: str, choices: tuple[str, ...]) -> str | None:
    """A log where every row has the same slip asks the same question thousands of times."""
    contained = [c for c in choices if s in c or c in s]
    if contained:
        return max(contained, key=lambda c: difflib.SequenceMatcher(None, s, c).ratio())
    hits = difflib.get_close_matches(s, choices, n=1, cutoff=0.0)
    return hits[0] if hits else None
