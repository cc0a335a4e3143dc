"""Atomic writes: ordinary permissions, nothing left behind."""

from __future__ import annotations


def test_atomic_write_gives_ordinary_permissions(tmp_path):
    import os
    import stat

    from dj_addin.xlsx.atomic import atomic_write

    new = tmp_path / "新.xlsx"
    atomic_write(new, lambda tmp: tmp.write_bytes(b"x"))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask
    existing = tmp_path / "旧.xlsx"
    existing.write_bytes(b"old")
    existing.chmod(0o640)
    atomic_write(existing, lambda tmp: tmp.write_bytes(b"new"))
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640 and existing.read_bytes() == b"new"
