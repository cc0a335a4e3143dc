"""Mark records: what one marked cell got and what it looked like before, as plain values.

Every renderer (the openpyxl writer, the package splicer, later the live
Excel adapter) applies and restores the same records: a fill is a
``FillValue`` (pattern type plus foreground and background ``Colour``, each
rgb / theme + tint / indexed / auto), never a library object or XML text, so
Excel's ``Interior`` (``Pattern``, ``Color``, ``ThemeColor``, ``TintAndShade``,
``ColorIndex``) can take it as well as styles.xml can.

Stored in the very hidden marks sheet, one text cell per field; the fill has
a strict text encoding (``encode_fill`` / ``parse_fill``)::

    fill:solid fg=rgb:FF00B0F0 bg=indexed:64
    fill:solid fg=theme:4/0.5999938962981048
    fill:-                       (no pattern given: the default empty fill)
    fill:?                       (not representable: a gradient, an unknown form)

Older marks sheets stored the ``<fill>`` XML of styles.xml; it is parsed
safely (defusedxml: no DTD, no entities) into the same value, and anything
else (an XML fragment that is not a plain pattern fill, a DTD, garbage) is
"not representable". Stored records are untrusted input: they become values
here and are written back only through XML libraries, never as text.

Fills that cannot be represented: a cell whose own fill is a gradient (or
any fill this module does not read) is marked with a note only, never
painted, so its fill cannot be lost. A stored record whose previous fill is
not representable (damaged or hostile) restores "no fill" when the cell
still shows our mark colour: a mark colour without a mark would mislead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from dj_addin.cellref import cell_position
from dj_addin.marks.matching import is_our_note
from dj_addin.schema import LEVELS

ERROR, WARNING, _INFO = LEVELS

# Cell marks. 提示 gets a note only: a fill on every hint would drown the real problems.
MARK_RGB: dict[str, str] = {ERROR: "FFFF9999", WARNING: "FFFFEB84"}
MARK_AUTHOR = "党建助手"

MAX_ROW = 1_048_576  # Excel's last row (the last column, XFD, is ``cellref.MAX_COLUMN``)

PATTERNS = frozenset({
    "none", "solid", "mediumGray", "darkGray", "lightGray", "darkHorizontal", "darkVertical", "darkDown",
    "darkUp", "darkGrid", "darkTrellis", "lightHorizontal", "lightVertical", "lightDown", "lightUp",
    "lightGrid", "lightTrellis", "gray125", "gray0625"})  # ST_PatternType
COLOUR_KINDS = ("rgb", "theme", "indexed", "auto")


class RecordError(ValueError):
    """A stored value that does not follow the encoding."""


# ---------------------------------------------------------------- cell references


REF_RE = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,9}")  # canonical: no '$', no leading zeros


def parse_ref(ref: str) -> tuple[int, int] | None:
    """'B12' → (12, 2); None for anything that is not a cell inside Excel's bounds."""
    text = ref.strip().upper() if isinstance(ref, str) else ""
    if not REF_RE.fullmatch(text):
        return None
    try:
        row, col = cell_position(text)
    except ValueError:  # beyond XFD
        return None
    return (row, col) if row <= MAX_ROW else None


# ---------------------------------------------------------------- colours and fills


@dataclass(frozen=True)
class Colour:
    """One colour of a fill. ``value``: 'AARRGGBB' (rgb), a theme or palette index, 1 (auto)."""

    kind: str
    value: str | int
    tint: float = 0.0  # -1 (darker) … 1 (lighter)

    def encode(self) -> str:
        text = f"{self.kind}:{self.value}"
        return f"{text}/{self.tint!r}" if self.tint else text


COLOUR_RE = re.compile(r"(rgb):([0-9A-F]{8})|(theme|indexed):([0-9]{1,3})|(auto):(1)")


def parse_colour(text: str) -> Colour:
    body, _, tint_text = text.partition("/")
    m = COLOUR_RE.fullmatch(body)
    if m is None:
        raise RecordError(f"colour {text!r}")
    kind = m.group(1) or m.group(3) or m.group(5)
    raw = m.group(2) or m.group(4) or m.group(6)
    tint = 0.0
    if tint_text:
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?(e-?[0-9]+)?", tint_text):
            raise RecordError(f"tint {tint_text!r}")
        tint = float(tint_text)
        if not -1.0 <= tint <= 1.0:
            raise RecordError(f"tint {tint_text!r}")
    return make_colour(kind, raw, tint)


def make_colour(kind: str, value: str | int, tint: float = 0.0) -> Colour:
    """A checked colour (``RecordError`` when out of range)."""
    if kind == "rgb":
        rgb = str(value).upper()
        rgb = "00" + rgb if len(rgb) == 6 else rgb  # as openpyxl reads six digits
        if not re.fullmatch(r"[0-9A-F]{8}", rgb):
            raise RecordError(f"rgb {value!r}")
        value = rgb
    elif kind in ("theme", "indexed"):
        value = int(value)
        if not 0 <= value <= 255:
            raise RecordError(f"{kind} {value!r}")
    elif kind == "auto":
        value = 1
    else:
        raise RecordError(f"colour kind {kind!r}")
    tint = float(tint or 0.0)
    if not (math.isfinite(tint) and -1.0 <= tint <= 1.0):
        raise RecordError(f"tint {tint!r}")
    return Colour(kind, value, tint + 0.0)


NO_COLOUR = ("rgb", "00000000")  # what readers make of an absent colour: stored as absent


def colour_or_none(colour: Colour) -> Colour | None:
    return None if (colour.kind, colour.value) == NO_COLOUR and not colour.tint else colour


@dataclass(frozen=True)
class FillValue:
    """A cell's fill as values. ``representable=False``: a gradient or a form we do not read."""

    pattern: str | None = None  # ST_PatternType; None: no pattern ("none" or not given: no fill)
    fg: Colour | None = None
    bg: Colour | None = None
    representable: bool = True


NO_FILL = FillValue()
UNKNOWN_FILL = FillValue(representable=False)


def pattern_fill(pattern: str | None, fg: Colour | None = None, bg: Colour | None = None) -> FillValue:
    """A checked fill (``RecordError`` for a pattern type Excel does not have)."""
    if pattern is not None and pattern not in PATTERNS:
        raise RecordError(f"pattern {pattern!r}")
    pattern = None if pattern == "none" else pattern  # the same empty fill (openpyxl reads it so)
    return FillValue(pattern, colour_or_none(fg) if fg else None, colour_or_none(bg) if bg else None)


def mark_fill(rgb: str) -> FillValue:
    """The fill our mark colour ``rgb`` paints."""
    return FillValue("solid", Colour("rgb", rgb))


def mark_rgb_of(fill: FillValue) -> str:
    """Which of our mark colours ``fill`` shows ('' when none)."""
    if fill.pattern != "solid" or fill.fg is None or fill.fg.kind != "rgb" or fill.fg.tint:
        return ""
    return fill.fg.value if fill.fg.value in MARK_RGB.values() else ""


FILL_RE = re.compile(r"fill:(\?|-|[A-Za-z0-9]{1,20})( fg=[^ ]{1,40})?( bg=[^ ]{1,40})?")


def encode_fill(fill: FillValue) -> str:
    if not fill.representable:
        return "fill:?"
    parts = [f"fill:{fill.pattern or '-'}"]
    parts += [f"{name}={c.encode()}" for name, c in (("fg", fill.fg), ("bg", fill.bg)) if c is not None]
    return " ".join(parts)


def parse_fill(text: str | None) -> FillValue:
    """A stored previous fill; never raises: whatever cannot be read is ``UNKNOWN_FILL``."""
    if not isinstance(text, str) or not text:
        return UNKNOWN_FILL
    try:
        if text.startswith("fill:"):
            return decode_fill(text)
        return fill_from_xml(text)  # the older marks sheets
    except RecordError:
        return UNKNOWN_FILL


def decode_fill(text: str) -> FillValue:
    m = FILL_RE.fullmatch(text)
    if m is None:
        raise RecordError(f"fill {text[:40]!r}")
    if m.group(1) == "?":
        if m.group(2) or m.group(3):
            raise RecordError("fill:? with colours")
        return UNKNOWN_FILL
    fg, bg = (parse_colour(g.split("=", 1)[1]) if g else None for g in (m.group(2), m.group(3)))
    return pattern_fill(None if m.group(1) == "-" else m.group(1), fg, bg)


def fill_from_xml(xml: str) -> FillValue:
    """A ``<fill>`` element of styles.xml (untrusted) as a value; ``RecordError`` when it is not a
    plain pattern fill. Gradient fills are ``UNKNOWN_FILL``."""
    try:
        root = safe_fromstring(xml.strip(), forbid_dtd=True)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:  # ParseError is a SyntaxError
        raise RecordError(f"fill XML: {exc}") from exc
    if local(root.tag) != "fill" or len(root) != 1 or root.attrib:
        raise RecordError("not a <fill> with one child")
    child = root[0]
    if local(child.tag) == "gradientFill":
        return UNKNOWN_FILL
    if local(child.tag) != "patternFill" or set(child.attrib) - {"patternType"}:
        raise RecordError("not a plain patternFill")
    colours: dict[str, Colour] = {}
    for el in child:
        name = local(el.tag)
        if name not in ("fgColor", "bgColor") or name in colours or len(el):
            raise RecordError(f"unexpected <{name}>")
        colours[name] = colour_from_attrs(dict(el.attrib))
    return pattern_fill(child.get("patternType"), colours.get("fgColor"), colours.get("bgColor"))


def colour_from_attrs(attrs: dict[str, str]) -> Colour:
    tint_text = attrs.pop("tint", "0")
    kinds = [k for k in COLOUR_KINDS if k in attrs]
    if len(kinds) != 1 or set(attrs) != set(kinds):
        raise RecordError(f"colour attributes {sorted(attrs)}")
    kind = kinds[0]
    if kind == "auto" and attrs["auto"] not in ("1", "true"):
        raise RecordError("auto colour off")
    try:
        tint = float(tint_text)
        return make_colour(kind, attrs[kind] if kind != "rgb" else attrs[kind].strip(), tint)
    except ValueError as exc:
        raise RecordError(f"colour {attrs}") from exc


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# ---------------------------------------------------------------- text


ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold replaced by U+FFFD (a file cannot carry them)."""
    return ILLEGAL_XML.sub("\ufffd", text)


# ---------------------------------------------------------------- marks and records


@dataclass(frozen=True)
class Mark:
    """The mark one cell gets: the most severe level and the note text (findings only)."""

    sheet: str
    cell: str
    level: str
    note: str


@dataclass(frozen=True)
class MarkRecord:
    """One marked cell: what it got and what it looked like before.

    Applying: paint ``mark_fill(mark_rgb)`` when ``mark_rgb`` is set, write ``note`` by
    ``MARK_AUTHOR``. Restoring: see ``restore_fill`` and ``restore_note``.
    """

    sheet: str
    cell: str
    mark_rgb: str  # our fill colour ('' when only a note was added)
    prev_fill: FillValue
    prev_note: str | None
    prev_author: str | None
    value: str | None = None  # the cell's value text when marked (None: oldest marks sheets)
    note_key: str | None = None  # ``matching.note_key`` of the note we wrote
    level: str = ""  # '' in marks sheets written before the level column
    note: str | None = None  # the note we wrote (not stored: ``note_key`` stands for it)


def restore_fill(rec: MarkRecord, current: FillValue) -> FillValue | None:
    """The fill to put back on the cell where ``rec`` is found; None: leave the cell's fill.

    The user's repainting wins: only a cell still showing the record's mark colour is changed.
    """
    if not rec.mark_rgb or mark_rgb_of(current) != rec.mark_rgb:
        return None
    return rec.prev_fill if rec.prev_fill.representable else NO_FILL


def restore_note(rec: MarkRecord, current: str | None) -> tuple[str | None, str] | None:
    """(note text or None to remove, author) to put back; None: the user's new note wins."""
    if current is not None and not is_our_note(current):
        return None
    return (rec.prev_note, rec.prev_author or "") if rec.prev_note else (None, "")


def clean_fill(current: FillValue) -> FillValue | None:
    """An orphan cell (our note, no record): our fill comes off, to no fill."""
    return NO_FILL if mark_rgb_of(current) else None
