"""A small writer of MS-CFB version 3 compound files (the container of ``vbaProject.bin``).

olefile, the maintained reader, cannot create files; PyPI's writers were
not fit (``cfbwrite`` is AGPL-3.0, ``ms-cfb`` 0.0.6 imports a package it does
not declare, ``cfb`` reads only). What a VBA project needs is a small,
write-once subset: 512-byte sectors, one FAT (with DIFAT entries in the
header only, enough for files up to about 7 MB), a directory, and a mini
stream for the streams shorter than 4,096 bytes. Every timestamp and CLSID
is zero and the layout depends only on the streams, so the same streams
give the same bytes. The tests read the result back with olefile.

Siblings are kept as a balanced binary tree, every node black, in the
order the format prescribes (shorter names first, then by upper-cased name):
a valid red-black tree that every reader accepts.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
_FREESECT, _ENDOFCHAIN, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF
_HEADER_DIFAT = 109
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_BLACK = 1


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, "_Entry"] = field(default_factory=dict)
    sid: int = 0
    start: int = _ENDOFCHAIN
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams``, keyed by path (``"VBA/dir"``); storages are implied."""
    root = _Entry("Root Entry", _ROOT)
    for path, data in streams.items():
        *folders, name = path.split("/")
        node = root
        for folder in folders:
            node = node.children.setdefault(folder, _Entry(folder, _STORAGE))
            if node.kind != _STORAGE:
                raise ValueError(f"{folder} is a stream, not a storage: {path}")
        if name in node.children:
            raise ValueError(f"duplicate stream {path}")
        node.children[name] = _Entry(name, _STREAM, data=bytes(data))
    entries = _number(root)

    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for e in entries:
        if e.kind != _STREAM or not e.data:
            continue
        if len(e.data) < MINI_CUTOFF:
            e.start = len(minifat)
            count = -(-len(e.data) // MINI_SECTOR)
            minifat += [len(minifat) + i + 1 for i in range(count - 1)] + [_ENDOFCHAIN]
            mini += e.data.ljust(count * MINI_SECTOR, b"\x00")
        else:
            big.append(e)

    n_dir = -(-len(entries) * 128 // SECTOR)
    n_minifat = -(-len(minifat) * 4 // SECTOR)
    n_mini = -(-len(mini) // SECTOR)
    n_big = [-(-len(e.data) // SECTOR) for e in big]
    content = n_dir + n_minifat + n_mini + sum(n_big)
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_fat + content:
        n_fat += 1
    if n_fat > _HEADER_DIFAT:
        raise ValueError("VBA project too large for this writer (more than 109 FAT sectors)")

    fat: list[int] = [_FATSECT] * n_fat
    def chain(count: int) -> int:
        first = len(fat)
        fat.extend(first + i + 1 for i in range(count - 1))
        fat.append(_ENDOFCHAIN)
        return first
    dir_start = chain(n_dir)
    minifat_start = chain(n_minifat) if n_minifat else _ENDOFCHAIN
    root.start = chain(n_mini) if n_mini else _ENDOFCHAIN
    for e, count in zip(big, n_big):
        e.start = chain(count)
    fat += [_FREESECT] * (n_fat * (SECTOR // 4) - len(fat))

    dir_bytes = b"".join(_dir_entry(e, len(mini)) for e in entries)
    sectors = [
        struct.pack(f"<{len(fat)}I", *fat),
        _pad(dir_bytes, fill=_empty_dir_entry()),
        _pad(struct.pack(f"<{len(minifat)}I", *minifat), fill=b"\xff\xff\xff\xff"),
        _pad(bytes(mini)),
        *(_pad(e.data) for e in big),
    ]
    header = _header(n_fat, dir_start, minifat_start, n_minifat)
    return header + b"".join(sectors)


def _number(root: _Entry) -> list[_Entry]:
    """Give every entry its directory index and link siblings as balanced trees."""
    entries = [root]
    def visit(node: _Entry) -> None:
        kids = sorted(node.children.values(), key=lambda e: (len(e.name), e.name.upper()))
        for kid in kids:
            kid.sid = len(entries)
            entries.append(kid)
        node.child = _tree(kids)
        for kid in kids:
            visit(kid)
    visit(root)
    return entries


def _tree(ordered: list[_Entry]) -> int:
    """Link ``ordered`` as a balanced binary search tree; return the root's index."""
    if not ordered:
        return _NOSTREAM
    mid = len(ordered) // 2
    node = ordered[mid]
    node.left = _tree(ordered[:mid])
    node.right = _tree(ordered[mid + 1:])
    return node.sid


def _dir_entry(e: _Entry, mini_size: int) -> bytes:
    name = e.name.encode("utf-16-le")
    if len(name) > 62:
        raise ValueError(f"stream name too long: {e.name}")
    size = mini_size if e.kind == _ROOT else len(e.data)
    start = e.start if (e.kind != _STORAGE) else 0
    if e.kind == _STREAM and not e.data:
        start = _ENDOFCHAIN
    return struct.pack("<64sHBBIII16sIQQIQ", name, len(name) + 2, e.kind, _BLACK, e.left, e.right,
                       e.child, b"\x00" * 16, 0, 0, 0, start, size)


def _empty_dir_entry() -> bytes:
    return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM,
                       b"\x00" * 16, 0, 0, 0, 0, 0)


def _pad(data: bytes, fill: bytes = b"\x00") -> bytes:
    if not data:
        return b""
    missing = -len(data) % SECTOR
    return data + (fill * (missing // len(fill) + 1))[:missing]


def _header(n_fat: int, dir_start: int, minifat_start: int, n_minifat: int) -> bytes:
    difat = list(range(n_fat)) + [_FREESECT] * (_HEADER_DIFAT - n_fat)
    return struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x00" * 16,
        0x003E, 0x0003, 0xFFFE, 9, 6, b"\x00" * 6,
        0, n_fat, dir_start, 0, MINI_CUTOFF, minifat_start, n_minifat, _ENDOFCHAIN, 0, *difat)
