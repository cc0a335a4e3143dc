"""Start tags and attributes of XML edited as text (sheet parts, workbook.xml, styles.xml).

Big parts are changed as text so that whatever their producer wrote around
the change stays byte for byte; these helpers find one tag, read or set one
attribute, and escape what is put in. Every edited part is parsed before it
is kept (``wellformed``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from dj_addin.xlsx.splice.rels import REL_NS

# Prefixes a writer may use in a sheet part, with the namespace each must be bound to.
KNOWN_PREFIXES = {
    "r": REL_NS,
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "x14ac": "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac",
    "xr": "http://schemas.microsoft.com/office/spreadsheetml/2014/revision",
}


def start_tags(name: str, xml: str) -> list[str]:
    """Every start tag ``<name …>`` of ``xml``; a ``>`` inside a quoted attribute value is no end."""
    return re.findall(r"<" + re.escape(name) + r"""\b(?:[^>"']|"[^"]*"|'[^']*')*>""", xml)


@lru_cache(maxsize=256)
def _attr_pattern(name: str) -> re.Pattern:
    return re.compile(r'(?:^|\s)' + re.escape(name) + r'\s*=\s*("([^"]*)"|\'([^\']*)\')')


def attr(tag: str, name: str) -> str | None:
    """An attribute of one start tag (``name`` may carry a prefix, e.g. ``r:id``)."""
    m = _attr_pattern(name).search(tag)  # compiled once per name: this runs per cell when marking
    if not m:
        return None
    return unescape(m.group(2) if m.group(2) is not None else m.group(3))


def set_attr(tag: str, name: str, value: str) -> str:
    """The start tag with ``name`` set to ``value`` (added before the closing bracket when absent)."""
    pattern = r'(\s' + re.escape(name) + r'\s*=\s*)("[^"]*"|\'[^\']*\')'
    if re.search(pattern, tag):
        return re.sub(pattern, lambda m: m.group(1) + quoteattr(value), tag, count=1)
    end = -2 if tag.endswith("/>") else -1
    return f"{tag[:end]} {name}={quoteattr(value)}{tag[end:]}"


def unescape(text: str) -> str:
    def ent(m: re.Match) -> str:
        s = m.group(1)
        if s.startswith("#x"):
            return chr(int(s[2:], 16))
        if s.startswith("#"):
            return chr(int(s[1:]))
        return {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}[s]
    return re.sub(r"&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);", ent, text)


def text_xml(text: str) -> str:
    """Text for element content (line breaks and spaces kept)."""
    return escape(text).replace("\r", "&#13;")


def _uses_prefix(xml: str, prefix: str, start: int) -> bool:
    """Whether ``prefix:`` begins an element or attribute name after ``start`` (str.find: fast on big parts)."""
    needle = prefix + ":"
    at = xml.find(needle, start)
    while at != -1:
        after = at + len(needle)
        if xml[at - 1] in "< \t\r\n" and after < len(xml) and (xml[after].isalpha() or xml[after] == "_"):
            return True
        at = xml.find(needle, after)
    return False


def bind_prefixes(xml: str) -> str:
    """``xml`` with every well-known prefix it uses (``r:id``…) declared on the root element.

    Text edits may add an element such as ``<legacyDrawing r:id=…>`` to a part
    whose producer declared that prefix only locally (openpyxl declares it on
    ``<tablePart>``); declaring it once more at the root is always correct.
    """
    root = re.search(r"""<(?![?!])(?:[^>"'/]|"[^"]*"|'[^']*'|/(?!>))*""", xml)
    if root is None:
        return xml
    declared = set(re.findall(r"\sxmlns:([\w.-]+)\s*=", root.group(0)))
    # one literal search per known prefix the root does not declare (usually none): cheap on big sheets
    missing = [p for p in sorted(KNOWN_PREFIXES) if p not in declared
               and _uses_prefix(xml, p, root.end())]
    if not missing:
        return xml
    decl = "".join(f' xmlns:{p}="{KNOWN_PREFIXES[p]}"' for p in missing)
    return xml[:root.end()] + decl + xml[root.end():]
