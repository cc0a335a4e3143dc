"""The pieces of vbaProject.bin, checked against independent readers:
MS-OVBA compression against oletools' decompressor, the compound file against
olefile, the PROJECT stream's encrypted values against what Excel wrote."""

from __future__ import annotations

import io
import random
import struct

import warnings

import olefile
import pytest
from hypothesis import given, settings, strategies as st

with warnings.catch_warnings():  # oletools' pyparsing grammar warns on import
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, decompress_stream

from dj_addin.addin import obfuscation
from dj_addin.addin.cfb import write_cfb
from dj_addin.addin.compression import CHUNK_SIZE, compress
from dj_addin.addin.vba_project import (CLASS, DOCUMENT, STANDARD, Module, ModuleError, build_vba_project,
                                        stored_source)


def roundtrip(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(compress(data))))


@pytest.mark.parametrize("data", [
    b"",
    b"x",
    b"abc",
    b"a" * CHUNK_SIZE,
    b"a" * (CHUNK_SIZE + 1),
    # Long runs late in a chunk: the copy token's maximum length shrinks as the position
    # grows (ms-ovba-compression 1.0.1 got this wrong and corrupted such runs).
    bytes(range(256)) * 15 + b"z" * 600 + bytes(range(256)) * 20,
    (b"Dim i As Integer\r\n" * 700),
    bytes(random.Random(7).randrange(256) for _ in range(3 * CHUNK_SIZE + 17)),  # incompressible
])
def test_compression_round_trips_through_oletools(data) -> None:
    assert roundtrip(data) == data


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.binary(min_size=1, max_size=40), st.integers(1, 300)), max_size=30))
def test_compression_round_trips_repetitive_data(pieces) -> None:
    data = b"".join(piece * times for piece, times in pieces)
    assert roundtrip(data) == data


def test_compression_shrinks_source_text_and_is_deterministic() -> None:
    text = ("Public Function RunPython(PythonCommand As String)\r\n"
            "    Dim i As Integer\r\n    ' comment\r\nEnd Function\r\n") * 300
    packed = compress(text.encode())
    assert len(packed) < len(text) / 4
    assert compress(text.encode()) == packed


def test_compound_file_reads_back_in_olefile() -> None:
    streams = {
        "PROJECT": b"ID=\"x\"\r\n" * 20,
        "PROJECTwm": b"",
        "VBA/_VBA_PROJECT": b"\xcc\x61\xff\xff\x00\x01\x00",
        "VBA/just_below_cutoff": b"b" * 4095,   # mini stream
        "VBA/at_cutoff": b"c" * 4096,           # regular sectors
        "VBA/big": bytes(random.Random(1).randrange(256) for _ in range(70_000)),
        **{f"VBA/m{i}": bytes([i]) * (i * 37) for i in range(1, 30)},  # several directory sectors
    }
    data = write_cfb(streams)
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    for path, content in streams.items():
        assert ole.openstream(path).read() == content, path
        assert ole.get_size(path) == len(content)
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
    assert write_cfb(streams) == data
    assert all(e.color == 1 for e in ole.direntries if e is not None)  # black: a valid red-black tree


@pytest.mark.parametrize("streams", [{"VBA/" + "x" * 40: b""}, {"VBA": b"", "VBA/x": b""},
                                     {"VBA/x": b"", "VBA": b""}])
def test_compound_file_refuses_what_it_cannot_hold(streams) -> None:
    with pytest.raises(ValueError):
        write_cfb(streams)


def test_encrypted_values_read_like_excels() -> None:
    # CMG, DPB and GC of a PROJECT stream Excel wrote (xlwings' quickstart add-in).
    assert obfuscation.decrypt(bytes.fromhex("5D5F8AADDAA8DEA8DEA8DEA8DE")) == bytes(4)
    assert obfuscation.decrypt(bytes.fromhex("5D5F8AADDAADDBADDBAD")) == b"\x00"
    assert obfuscation.decrypt(bytes.fromhex("5D5F8AADDAADDBADDB52")) == b"\xff"
    project_id = "{318BEE36-5BE1-492A-826D-473DB19B0F30}"
    for seed in (0x00, 0x5D, 0x07, 0xFF):
        for plain in (b"", b"\x00", b"\xff", bytes(4), b"password"):
            enc = obfuscation.encrypt(project_id, plain, seed)
            assert obfuscation.decrypt(enc) == plain
            assert enc[2] ^ enc[0] == obfuscation.project_key(project_id)


def test_module_kinds_come_from_the_file() -> None:
    bas = Module.from_text('Attribute VB_Name = "A"\nSub X()\nEnd Sub\n', "A.bas")
    doc = Module.from_text('Attribute VB_Name = "ThisWorkbook"\n'
                           'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\n', "ThisWorkbook.cls")
    cls = Module.from_text("VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n"
                           'Attribute VB_Name = "Dict"\r\nAttribute VB_Exposed = True\r\nPrivate x\r\n', "Dict.cls")
    assert (bas.name, bas.kind) == ("A", STANDARD) and bas.source.endswith("End Sub\r\n")
    assert (doc.name, doc.kind) == ("ThisWorkbook", DOCUMENT)
    assert (cls.name, cls.kind) == ("Dict", CLASS)
    assert cls.source == ('Attribute VB_Name = "Dict"\r\n'
                          'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"\r\n'
                          'Attribute VB_Exposed = True\r\nAttribute VB_TemplateDerived = False\r\n'
                          'Attribute VB_Customizable = False\r\nPrivate x\r\n')
    assert stored_source("a\nb") == "a\r\nb\r\n"


@pytest.mark.parametrize("text, name, message", [
    ('Attribute VB_Name = "A"\n\' 党建\n', "A.bas", "line 2 is not ASCII"),
    ("Sub X()\nEnd Sub\n", "A.bas", "Attribute VB_Name"),
    ('Attribute VB_Name = "A"\n', "A.txt", ".bas or .cls"),
])
def test_bad_modules_are_refused_with_the_file_named(text, name, message) -> None:
    with pytest.raises(ModuleError, match=message) as err:
        Module.from_text(text, name)
    assert name in str(err.value)


def _dir_modules(vba: bytes) -> list[tuple[str, int]]:
    """(module name, MODULETYPE id) from the decompressed dir stream, walking its records."""
    ole = olefile.OleFileIO(io.BytesIO(vba))
    data = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    pos, name, found = 0, None, []
    while pos < len(data):
        record, size = struct.unpack_from("<HI", data, pos)
        pos += 6
        payload = data[pos:pos + (6 if record == 0x0009 else size)]  # PROJECTVERSION's size is "Reserved"
        pos += len(payload)
        if record == 0x0019:
            name = payload.decode("cp1252")
        elif record in (0x0021, 0x0022):
            found.append((name, record))
    return found


def test_project_lists_every_module_with_its_type_and_source() -> None:
    modules = [
        Module.from_text('Attribute VB_Name = "ThisWorkbook"\n'
                         'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\n', "ThisWorkbook.cls"),
        Module.from_text('Attribute VB_Name = "Cb"\nSub OnButton(control As IRibbonControl)\nEnd Sub\n', "Cb.bas"),
        Module.from_text("VERSION 1.0 CLASS\nBEGIN\nEND\nAttribute VB_Name = \"K\"\nPublic v\n", "K.cls"),
    ]
    vba = build_vba_project(modules, "Proj")
    project = olefile.OleFileIO(io.BytesIO(vba)).openstream("PROJECT").read().decode("cp1252")
    assert "Document=ThisWorkbook/&H00000000\r\nModule=Cb\r\nClass=K\r\n" in project
    assert 'Name="Proj"' in project
    assert _dir_modules(vba) == [("ThisWorkbook", 0x22), ("Cb", 0x21), ("K", 0x22)]
    parser = VBA_Parser("vbaProject.bin", data=vba)
    codes = {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    assert codes == {m.name: m.source for m in modules}


def test_two_modules_with_one_name_are_refused() -> None:
    a = Module.from_text('Attribute VB_Name = "A"\n', "A.bas")
    with pytest.raises(ModuleError, match="share a name"):
        build_vba_project([a, Module.from_text('Attribute VB_Name = "a"\n', "a2.bas")], "P")
