"""``vbaProject.bin`` from VBA modules as text (MS-OVBA §2.3), source only, no compiled code.

The project holds the streams MS-OVBA requires: ``PROJECT`` (text: module
list, name, protection), ``PROJECTwm`` (module names in Unicode),
``VBA/_VBA_PROJECT`` (version 0xFFFF: there is no compiled p-code, so Excel
compiles the source when it loads the add-in, as it does with xlwings' own
shipped add-in), ``VBA/dir`` (project and module records, compressed) and one
compressed stream per module. Values Excel writes that readers ignore
(version stamps, cookies) are copied from an add-in Excel saved.

Module kinds: ``.bas`` is a standard module (type 0x0021, ``Module=`` in
PROJECT); ``.cls`` is a class (type 0x0022, ``Class=``) unless its VB_Base is
the workbook's or a worksheet's, which makes it a document module (0x0022,
``Document=``). A class file as VBE exports it starts with a
``VERSION 1.0 CLASS`` / ``BEGIN`` … ``END`` block that is not part of the
stored source; :func:`stored_source` drops it and adds the attributes VBE
adds on import, so what olevba reads back is exactly that function's result.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

from dj_addin.addin.cfb import write_cfb
from dj_addin.addin.compression import compress
from dj_addin.addin.obfuscation import encrypt

STANDARD, CLASS, DOCUMENT = "standard", "class", "document"
CODE_PAGE = 1252
LCID = 0x0409
PROJECT_ID = "{6F1E3C2A-9B4D-4E61-A0C7-5D8B2E4F7A13}"  # fixed: same bytes on every build
_CLASS_BASE = '"0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'
_DOCUMENT_BASES = ('"0{00020819-0000-0000-C000-000000000046}"',  # ThisWorkbook
                   '"0{00020820-0000-0000-C000-000000000046}"')  # a worksheet
_OFFICE_LIBID = ("*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\\Program Files (x86)\\Common Files"
                 "\\Microsoft Shared\\OFFICE16\\MSO.DLL#Microsoft Office 16.0 Object Library")
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_EXPORT_HEADER = re.compile(r"\AVERSION 1\.0 CLASS\r\nBEGIN\r\n(?:.*\r\n)*?END\r\n")
_NAME = re.compile(r'\AAttribute VB_Name = "([A-Za-z][A-Za-z0-9_]*)"\r\n')


class ModuleError(ValueError):
    """A module text that cannot go into a VBA project (named in the message)."""


@dataclass(frozen=True)
class Module:
    """One VBA module: its name, kind and stored source (CRLF line ends, cp1252 text)."""

    name: str
    kind: str
    source: str

    @classmethod
    def from_text(cls, text: str, filename: str) -> "Module":
        """A module from a ``.bas`` or ``.cls`` file's text; the kind comes from both."""
        if not text.isascii():
            bad = next(i for i, line in enumerate(text.splitlines(), 1) if not line.isascii())
            raise ModuleError(f"{filename}: line {bad} is not ASCII (VBA modules must be ASCII-only)")
        source = stored_source(text)
        match = _NAME.match(source)
        if match is None:
            raise ModuleError(f'{filename}: the first line must be Attribute VB_Name = "<name>"')
        if filename.lower().endswith(".bas"):
            kind = STANDARD
        elif filename.lower().endswith(".cls"):
            kind = DOCUMENT if any(f"VB_Base = {b}" in source for b in _DOCUMENT_BASES) else CLASS
        else:
            raise ModuleError(f"{filename}: a VBA module is a .bas or .cls file")
        return cls(match.group(1), kind, source)


def stored_source(text: str) -> str:
    """The source as the project stores it: CRLF line ends, no export header, VBE's class attributes."""
    text = re.sub(r"\r?\n", "\r\n", text)
    if not text.endswith("\r\n"):
        text += "\r\n"
    header = _EXPORT_HEADER.match(text)
    if header is None:
        return text
    text = text[header.end():]
    if "Attribute VB_Base" not in text:
        text = re.sub(r"\A(Attribute VB_Name = .*\r\n)", rf"\1Attribute VB_Base = {_CLASS_BASE}\r\n", text)
    if "Attribute VB_TemplateDerived" not in text:
        text = re.sub(r"(Attribute VB_Exposed = .*\r\n)",
                      r"\1Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = False\r\n",
                      text, count=1)
    return text


def build_vba_project(modules: list[Module], project_name: str) -> bytes:
    """The bytes of ``vbaProject.bin`` holding ``modules`` (source only)."""
    names = [m.name for m in modules]
    if len({n.lower() for n in names}) != len(names):
        raise ModuleError(f"two modules share a name: {', '.join(sorted(names))}")
    streams = {
        "PROJECT": _project_stream(modules, project_name),
        "PROJECTwm": _project_wm(modules),
        "VBA/_VBA_PROJECT": b"\xcc\x61\xff\xff\x00\x01\x00",
        "VBA/dir": compress(_dir_stream(modules, project_name)),
    }
    for m in modules:
        streams[f"VBA/{m.name}"] = compress(m.source.encode("cp1252"))
    return write_cfb(streams)


def _project_stream(modules: list[Module], project_name: str) -> bytes:
    lines = [f'ID="{PROJECT_ID}"']
    for m in modules:
        lines.append({STANDARD: f"Module={m.name}", CLASS: f"Class={m.name}",
                      DOCUMENT: f"Document={m.name}/&H00000000"}[m.kind])
    lines += [f'Name="{project_name}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"']
    for key, plain in (("CMG", bytes(4)), ("DPB", b"\x00"), ("GC", b"\xff")):
        lines.append(f'{key}="{encrypt(PROJECT_ID, plain).hex().upper()}"')
    lines += ["", "[Host Extender Info]", _HOST_EXTENDER, ""]
    return "\r\n".join(lines).encode("cp1252")


def _project_wm(modules: list[Module]) -> bytes:
    out = bytearray()
    for m in modules:
        out += m.name.encode("cp1252") + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def _rec(record_id: int, payload: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def _text_rec(record_id: int, text: str, unicode_id: int) -> bytes:
    """A record with an MBCS string followed by its Unicode twin (docstrings, stream names…)."""
    return _rec(record_id, text.encode("cp1252")) + _rec(unicode_id, text.encode("utf-16-le"))


def _dir_stream(modules: list[Module], project_name: str) -> bytes:
    """The decompressed ``dir`` stream (§2.3.4.2): information, references, modules."""
    u32, u16 = (lambda v: struct.pack("<I", v)), (lambda v: struct.pack("<H", v))
    out = bytearray()
    out += _rec(0x0001, u32(1))                      # PROJECTSYSKIND: 32-bit Windows
    out += _rec(0x0002, u32(LCID))                   # PROJECTLCID
    out += _rec(0x0014, u32(LCID))                   # PROJECTLCIDINVOKE
    out += _rec(0x0003, u16(CODE_PAGE))              # PROJECTCODEPAGE
    out += _rec(0x0004, project_name.encode("cp1252"))
    out += _text_rec(0x0005, "", 0x0040)             # PROJECTDOCSTRING
    out += _text_rec(0x0006, "", 0x003D)             # PROJECTHELPFILEPATH (twice)
    out += _rec(0x0007, u32(0))                      # PROJECTHELPCONTEXT
    out += _rec(0x0008, u32(0))                      # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 0x61EEF783, 3)  # PROJECTVERSION (as Excel wrote it)
    out += _text_rec(0x000C, "", 0x003C)             # PROJECTCONSTANTS
    # The Office library, for IRibbonControl (VBA and Excel are the host's own).
    out += _text_rec(0x0016, "Office", 0x003E)       # REFERENCENAME
    libid = _OFFICE_LIBID.encode("cp1252")
    out += _rec(0x000D, u32(len(libid)) + libid + u32(0) + u16(0))  # REFERENCEREGISTERED
    out += _rec(0x000F, u16(len(modules)))           # PROJECTMODULES count
    out += _rec(0x0013, u16(0xFFFF))                 # PROJECTCOOKIE
    for m in modules:
        out += _rec(0x0019, m.name.encode("cp1252"))         # MODULENAME
        out += _rec(0x0047, m.name.encode("utf-16-le"))      # MODULENAMEUNICODE
        out += _text_rec(0x001A, m.name, 0x0032)             # MODULESTREAMNAME
        out += _text_rec(0x001C, "", 0x0048)                 # MODULEDOCSTRING
        out += _rec(0x0031, u32(0))                          # MODULEOFFSET: source at 0, no p-code
        out += _rec(0x001E, u32(0))                          # MODULEHELPCONTEXT
        out += _rec(0x002C, u16(0xFFFF))                     # MODULECOOKIE
        out += struct.pack("<HI", 0x0021 if m.kind == STANDARD else 0x0022, 0)  # MODULETYPE
        out += struct.pack("<HI", 0x002B, 0)                 # module terminator
    out += struct.pack("<HI", 0x0010, 0)                     # dir terminator
    return bytes(out)


def read_module_file(path: Path) -> Module:
    """A module from a file in macros/ or in the installed xlwings package."""
    try:
        text = path.read_bytes().decode("ascii")
    except UnicodeDecodeError as exc:
        raise ModuleError(f"{path.name}: byte {exc.start} is not ASCII (VBA modules must be ASCII-only)") from exc
    return Module.from_text(text, path.name)
