"""MS-OVBA §2.4.3 data encryption: the CMG, DPB and GC values of the PROJECT stream.

The PROJECT stream must carry the project's protection state (CMG), password
(DPB) and visibility (GC), each "encrypted" with a simple XOR scheme keyed on
the project id. The seed and the ignored filler bytes are normally random;
here they are fixed so that the build is deterministic (they protect
nothing: the scheme only obscures). :func:`decrypt` exists so that tests can
read back both what we write and what Excel wrote.
"""

from __future__ import annotations

import struct

_VERSION = 2
_SEED = 0x00  # (seed & 6) / 2 filler bytes: none


def project_key(project_id: str) -> int:
    """The key: the sum of the bytes of the project id's text, modulo 256."""
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt(project_id: str, data: bytes, seed: int = _SEED) -> bytes:
    """``data`` as §2.4.3.2 encrypts it (without the hex encoding the stream uses)."""
    key = project_key(project_id)
    enc1, enc2 = key ^ seed, _VERSION ^ seed
    out = bytearray([seed, enc2, enc1])
    unenc1 = key
    for _ in range((seed & 6) // 2):
        byte = 0
        enc = byte ^ ((enc2 + unenc1) & 0xFF)
        out.append(enc)
        enc2, enc1, unenc1 = enc1, enc, byte
    for byte in struct.pack("<I", len(data)) + data:
        enc = byte ^ ((enc2 + unenc1) & 0xFF)
        out.append(enc)
        enc2, enc1, unenc1 = enc1, enc, byte
    return bytes(out)


def decrypt(data: bytes) -> bytes:
    """§2.4.3.3: the plain bytes of an encrypted value (checks version and key consistency)."""
    seed, version_enc, key_enc = data[0], data[1], data[2]
    if version_enc ^ seed != _VERSION:
        raise ValueError("not MS-OVBA encrypted data (version)")
    key = key_enc ^ seed
    unenc1, enc1, enc2 = key, key_enc, version_enc
    pos = 3
    for _ in range((seed & 6) // 2):
        byte = data[pos] ^ ((enc2 + unenc1) & 0xFF)
        enc2, enc1, unenc1 = enc1, data[pos], byte
        pos += 1
    plain = bytearray()
    for enc in data[pos:]:
        byte = enc ^ ((enc2 + unenc1) & 0xFF)
        plain.append(byte)
        enc2, enc1, unenc1 = enc1, enc, byte
    length = struct.unpack("<I", bytes(plain[:4]))[0]
    if length != len(plain) - 4:
        raise ValueError("MS-OVBA encrypted data has the wrong length")
    return bytes(plain[4:])
