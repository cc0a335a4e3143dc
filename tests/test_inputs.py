"""Finding the books to work on: one finder (dj_addin.inputs) for every command; the merge
(aggregate/inputs.py) takes its files from it and adds .zip and .eml containers."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from dj_addin.aggregate.inputs import find_inputs as merge_inputs
from dj_addin.inputs import find_inputs


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "收件箱"
    (inbox / "二级" / "三级").mkdir(parents=True)
    (inbox / ".hidden").mkdir()
    for name in ("一支部.xlsx", "二级/二支部.xlsm", "二级/三级/三支部.xlsx", ".hidden/藏起来.xlsx",
                 "~$一支部.xlsx", "一支部.bak-原始.xlsx", "一支部.bak-20261201-093000.xlsx", ".~dj-1234-ab.xlsx",
                 "说明.txt", "支部副本.bak.xlsx"):
        (inbox / name).write_bytes(b"PK")
    with zipfile.ZipFile(inbox / "附件.zip", "w") as zf:
        zf.writestr("四支部.xlsx", b"PK")
        zf.writestr("~$四支部.xlsx", b"owner")
    return inbox


def test_the_merge_finds_the_same_books_as_every_command_plus_its_containers(tmp_path):
    inbox = _inbox(tmp_path)
    books = find_inputs([inbox])
    merged = merge_inputs([inbox])
    plain = [str(p) for p in books.books if p.suffix != ".xlsx" or ".bak" not in p.name]
    assert [s.name for s in merged.sources if s.path is not None] == plain  # same files, same order
    assert [Path(p).name for p in plain] == ["一支部.xlsx", "二支部.xlsm", "三支部.xlsx"]  # shallow first
    assert [s.name for s in merged.sources if s.path is None] == ["附件.zip/四支部.xlsx"]
    skipped = {Path(s.name).name for s in merged.skipped}
    assert skipped == {"~$一支部.xlsx", "一支部.bak-原始.xlsx", "一支部.bak-20261201-093000.xlsx",
                       ".~dj-1234-ab.xlsx", "说明.txt", "支部副本.bak.xlsx", "~$四支部.xlsx"}
    assert all(s.reason for s in merged.skipped) and not merged.refused
    assert not any("藏起来" in s.name for s in merged.sources)  # hidden folders are not entered


def test_named_files_as_the_merge_takes_them(tmp_path):
    inbox = _inbox(tmp_path)
    book, copy, notes = inbox / "一支部.xlsx", inbox / "支部副本.bak.xlsx", inbox / "说明.txt"
    found = merge_inputs([book, book, copy, notes, inbox / "~$一支部.xlsx", tmp_path / "没有这个.xlsx"])
    assert [Path(s.name).name for s in found.sources] == ["一支部.xlsx", "支部副本.bak.xlsx"]  # each once
    assert {Path(s.name).name: s.reason for s in found.skipped}.keys() == {"说明.txt", "~$一支部.xlsx"}
    assert [(Path(r.name).name, r.reason) for r in found.refused] == [("没有这个.xlsx", "文件不存在")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_in_the_inbox_is_listed_not_opened(tmp_path):
    inbox = _inbox(tmp_path)
    os.mkfifo(inbox / "管道.xlsx")
    found = merge_inputs([inbox])
    assert "管道.xlsx" in {Path(s.name).name for s in found.skipped}
    assert "管道.xlsx" not in {Path(s.name).name for s in found.sources}
