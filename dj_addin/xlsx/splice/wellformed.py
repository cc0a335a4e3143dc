"""A last check on XML the splicer builds: well-formed, every prefix bound (expat, no tree).

Text and attributes are escaped where they are made; this check is the
second line: a part that would not parse is never written (``Unsupported``
sends the workbook to the reference writer instead).
"""

from __future__ import annotations

from xml.parsers import expat

from dj_addin.xlsx.splice.package import Unsupported


def check_xml(text: str, what: str) -> None:
    parser = expat.ParserCreate("utf-8", namespace_separator=" ")
    try:
        parser.Parse(text.encode("utf-8"), True)
    except expat.ExpatError as exc:
        raise Unsupported(f"{what} would not parse: {exc}") from exc
