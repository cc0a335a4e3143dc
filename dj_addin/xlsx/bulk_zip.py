"""The big parts of a spliced package deflated by two processes, then written as one standard zip.

Building and deflating a university's sheet XML (hundreds of MB) is most of
the time of a merge's write, and nothing else runs then: the parent has the
machine to itself. So the work is cut in two halves of about equal cost (a
part may be cut between two chunks of rows) and a forked child does the
second half while this process does the first. Each half of a part is a raw
deflate stream; the first half ends with a sync flush (byte-aligned, not
final), so the two streams one after the other are one valid deflate stream
(as pigz writes them), and the CRC-32 of the whole is combined from the
halves'. The child writes its deflated bytes to a file beside the output and
reports their CRCs and sizes through a pipe.

The child only saves time: if it fails or dies (memory), this process does
its half itself; if this process fails, the child is stopped and its file
removed. Where ``fork`` is not safe or not available (anywhere but Linux) everything runs here.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Part", "Share", "crc32_combine", "deflate_parts", "write_deflated"]

PARALLEL_MIN_COST = 400_000  # below about this many cells a second process costs more than it saves
READ_BLOCK = 1 << 20


@dataclass
class Part:
    """One zip entry to deflate: its items in order (each turned into bytes by ``produce``) and their costs."""

    name: str
    items: list[Any]
    costs: list[int]


@dataclass
class Share:
    """One process's deflated share of a part: a raw deflate stream (final or sync-flushed)."""

    crc: int
    size: int  # bytes before deflating
    data: bytes | None = None  # this process's share
    where: tuple[Path, int, int] | None = None  # the child's: (file, offset, length)


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A + B from crc32(A), crc32(B) and len(B) (zlib's crc32_combine, which
    Python does not expose): multiply by x^(8·len2) in GF(2) by repeated squaring."""
    if len2 <= 0:
        return crc1

    def times(mat: list[int], vec: int) -> int:
        out, i = 0, 0
        while vec:
            if vec & 1:
                out ^= mat[i]
            vec >>= 1
            i += 1
        return out

    def square(mat: list[int]) -> list[int]:
        return [times(mat, mat[n]) for n in range(32)]

    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = square(odd)  # two zero bits
    odd = square(even)  # four
    while True:
        even = square(odd)  # the first pass: one zero byte
        if len2 & 1:
            crc1 = times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = square(even)
        if len2 & 1:
            crc1 = times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _split(parts: Sequence[Part]) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
    """(part, first item, end item) ranges of the first and the second half of the total cost."""
    total = sum(sum(p.costs) for p in parts)
    half, seen = total / 2, 0
    first: list[tuple[int, int, int]] = []
    second: list[tuple[int, int, int]] = []
    full = False
    for pi, p in enumerate(parts):
        cut = 0
        for cost in p.costs:
            if full or seen + cost / 2 > half:
                full = True
                break
            seen += cost
            cut += 1
        if cut:
            first.append((pi, 0, cut))
        if cut < len(p.items):
            second.append((pi, cut, len(p.items)))
    return first, second


def _deflate(parts: Sequence[Part], ranges, produce: Callable[[Any], bytes], level: int, sink) -> list[tuple]:
    """Deflate each range to ``sink``; (crc, size, compressed length) of each."""
    out = []
    for pi, a, z in ranges:
        p = parts[pi]
        comp = zlib.compressobj(level, zlib.DEFLATED, -15)
        crc = size = length = 0
        for item in p.items[a:z]:
            data = produce(item)
            crc = zlib.crc32(data, crc)
            size += len(data)
            chunk = comp.compress(data)
            sink(chunk)
            length += len(chunk)
        chunk = comp.flush(zlib.Z_FINISH if z == len(p.items) else zlib.Z_SYNC_FLUSH)
        sink(chunk)
        out.append((crc, size, length + len(chunk)))
    return out


def _here(parts, ranges, produce, level) -> dict[tuple[int, int], Share]:
    shares = {}
    for pi, a, z in ranges:
        chunks: list[bytes] = []
        [(crc, size, _)] = _deflate(parts, [(pi, a, z)], produce, level, chunks.append)
        shares[(pi, a)] = Share(crc, size, data=b"".join(chunks))
    return shares


def _child(parts, ranges, produce, level, path: Path, conn) -> None:
    try:
        with open(path, "wb") as f:
            conn.send(("ok", _deflate(parts, ranges, produce, level, f.write)))
    except BaseException as exc:  # the parent does this half itself
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _fork_available() -> bool:
    """Linux (fork is missing on Windows, and on macOS a process that has loaded Apple's
    frameworks, as xlwings does to drive Excel, may crash in a forked child), a second core,
    and this is no daemon (which may have no children)."""
    return (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
            and (os.cpu_count() or 1) > 1 and not multiprocessing.current_process().daemon)


def deflate_parts(parts: Sequence[Part], produce: Callable[[Any], bytes], level: int,
                  scratch: Path) -> dict[int, list[Share]]:
    """Every part's raw deflate shares in order, for ``write_deflated``; ``scratch``: the child's
    file (removed by the caller when the zip is written). ``produce`` must be deterministic:
    either process may turn any item into bytes."""
    total = sum(sum(p.costs) for p in parts)
    everything = [(pi, 0, len(p.items)) for pi, p in enumerate(parts) if p.items]
    shares: dict[tuple[int, int], Share] = {}
    if total < PARALLEL_MIN_COST or not _fork_available():
        shares = _here(parts, everything, produce, level)
    else:
        mine, theirs = _split(parts)
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_child, args=(parts, theirs, produce, level, scratch, send), daemon=True)
        child.start()
        send.close()
        try:
            shares = _here(parts, mine, produce, level)
            try:
                status, found = receive.recv()
            except EOFError:  # the child died
                status, found = "died", None
            child.join()
            if status == "ok":
                offset = 0
                for (pi, a, _), (crc, size, length) in zip(theirs, found):
                    shares[(pi, a)] = Share(crc, size, where=(scratch, offset, length))
                    offset += length
            else:
                shares.update(_here(parts, theirs, produce, level))
        finally:
            receive.close()
            if child.is_alive():
                child.terminate()
                child.join()
    out: dict[int, list[Share]] = {}
    for (pi, _), share in sorted(shares.items()):
        out.setdefault(pi, []).append(share)
    return out


def write_deflated(out: zipfile.ZipFile, name: str, date_time: tuple, shares: Sequence[Share]) -> None:
    """One entry of ``out`` from its deflated shares: CRC and sizes in the local header (no data
    descriptor), registered for the central directory as ``ZipFile.writestr`` does."""
    crc, size, length = shares[0].crc, 0, 0
    for i, s in enumerate(shares):
        if i:
            crc = crc32_combine(crc, s.crc, s.size)
        size += s.size
        length += len(s.data) if s.data is not None else s.where[2]
    zi = zipfile.ZipInfo(name, date_time)
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.CRC, zi.file_size, zi.compress_size = crc, size, length
    zi.header_offset = out.fp.tell()
    out.fp.write(zi.FileHeader(zip64=None))
    for s in shares:
        if s.data is not None:
            out.fp.write(s.data)
            continue
        path, offset, left = s.where
        with open(path, "rb") as f:
            f.seek(offset)
            while left:
                block = f.read(min(READ_BLOCK, left))
                if not block:
                    raise OSError(f"{path}: shorter than written")
                out.fp.write(block)
                left -= len(block)
    out.start_dir = out.fp.tell()
    out.filelist.append(zi)
    out.NameToInfo[zi.filename] = zi
    out._didModify = True
