"""MS-OVBA §2.4.1 compression: how VBA source and the ``dir`` stream are stored.

Written here rather than taken from PyPI's ``ms-ovba-compression`` 1.0.1,
whose copy-token step computes the maximum match length as
``0xFFFF << bit_count + 3`` instead of ``(0xFFFF >> bit_count) + 3`` and so
corrupts long repeated runs. The algorithm is short: the input is cut into
chunks of 4,096 bytes; each chunk is a sequence of flag bytes, each followed
by up to eight tokens, a token being a literal byte or a copy token
(offset, length) pointing back into the same chunk. The tests round-trip
every module through oletools' decompressor, which is the reference here.

Matches are found through a table of the positions of every three-byte
prefix in the chunk, nearest first, so a 50 KB module compresses in well
under a second; the longest match wins, the nearest among equals. The output
depends on the input only (deterministic builds).
"""

from __future__ import annotations

import struct

CHUNK_SIZE = 4096
_MIN_MATCH = 3
_MAX_CANDIDATES = 256  # positions tried per byte: plenty for source text, bounded for runs


def compress(data: bytes) -> bytes:
    """A CompressedContainer (signature byte 0x01, then the chunks) holding ``data``."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK_SIZE):
        out += _chunk(data[start:start + CHUNK_SIZE])
    return bytes(out)


def _chunk(chunk: bytes) -> bytes:
    """One CompressedChunk: header, then tokens, or the raw bytes when tokens would be longer."""
    body = _tokens(chunk)
    if len(body) <= CHUNK_SIZE:
        header = 0xB000 | (len(body) + 2 - 3)  # compressed flag 1, signature 0b011, size - 3
        return struct.pack("<H", header) + body
    raw = chunk.ljust(CHUNK_SIZE, b"\x00")  # §2.4.1.3.10: a raw chunk is always 4,096 bytes
    return struct.pack("<H", 0x3000 | (CHUNK_SIZE + 2 - 3)) + raw


def _tokens(chunk: bytes) -> bytes:
    """The TokenSequences of one chunk (§2.4.1.3.7 – §2.4.1.3.9)."""
    out = bytearray()
    seen: dict[bytes, list[int]] = {}
    pos, end = 0, len(chunk)
    while pos < end:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            offset, length = _longest_match(chunk, pos, seen)
            if length >= _MIN_MATCH:
                bit_count = max((pos - 1).bit_length(), 4)  # smallest b with 2**b >= pos
                token = ((offset - 1) << (16 - bit_count)) | (length - _MIN_MATCH)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                step = length
            else:
                out.append(chunk[pos])
                step = 1
            for p in range(pos, min(pos + step, end - _MIN_MATCH + 1)):
                seen.setdefault(chunk[p:p + _MIN_MATCH], []).append(p)
            pos += step
        out[flag_at] = flags
    return bytes(out)


def _longest_match(chunk: bytes, pos: int, seen: dict[bytes, list[int]]) -> tuple[int, int]:
    """(offset, length) of the longest earlier match for ``chunk[pos:]``; length 0 if none."""
    candidates = seen.get(chunk[pos:pos + _MIN_MATCH])
    if not candidates:
        return 0, 0
    bit_count = max((pos - 1).bit_length(), 4)
    max_length = min((0xFFFF >> bit_count) + 3, len(chunk) - pos)
    best_offset = best_length = 0
    for start in reversed(candidates[-_MAX_CANDIDATES:]):
        length = _MIN_MATCH
        while length < max_length and chunk[start + length] == chunk[pos + length]:
            length += 1  # a match may run into the bytes it copies (start + length >= pos)
        if length > best_length:
            best_offset, best_length = pos - start, length
            if length == max_length:
                break
    return best_offset, best_length
