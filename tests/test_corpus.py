"""Robustness on workbooks written by other programs (issue 9, corpus).

Every file of the generated corpus (tests/corpus/make_corpus.py: xlsxwriter,
openpyxl, LibreOffice, hand-built packages reproducing POI, backslash parts,
root parts, Strict Open XML…) either reads to the same roster, or is refused
with an S001 line that says what to do; never a traceback, never a hang.
tests/corpus/OUTCOMES.md records the outcomes, including third-party
fixtures run locally.
"""

from __future__ import annotations

import datetime as dt
import signal
from pathlib import Path

import pytest

from corpus.make_corpus import CORPUS, PEOPLE, make_corpus
from dj_addin.errors import UnreadableFile
from dj_addin.xlsx.reader import read_book

SECONDS_PER_FILE = 30


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    make_corpus(folder, libreoffice=False)
    return folder


class _Timeout(Exception):
    pass


def read_within_limit(path: Path):
    def alarm(signum, frame):
        raise _Timeout(f"{path.name} took more than {SECONDS_PER_FILE} s")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(SECONDS_PER_FILE)
    try:
        return read_book(path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check(path: Path, expected: str) -> None:
    if expected == "read":
        roster = read_within_limit(path).table("roster")
        assert roster.found, path.name
        got = roster.data[["member_id", "name", "category", "status"]].values.tolist()
        assert got == [p[:4] for p in PEOPLE], path.name
        assert [d.date() for d in roster.data["join_date"]] == [p[4] for p in PEOPLE], path.name
        return
    phrase = expected.split(":", 1)[1]
    with pytest.raises(UnreadableFile) as info:
        read_within_limit(path)
    message = info.value.message
    assert phrase in message and "请" in message and path.name in message, message


@pytest.mark.parametrize("name", list(CORPUS))
def test_every_corpus_file_reads_or_says_what_to_do(corpus: Path, name: str) -> None:
    check(corpus / name, CORPUS[name][1])


@pytest.mark.libreoffice
def test_libreoffice_files_read_or_say_what_to_do(tmp_path: Path) -> None:
    from corpus.make_corpus import _libreoffice

    made = _libreoffice(tmp_path)
    assert set(made) == {"libreoffice.xlsx", "libreoffice.xls", "libreoffice.ods"}
    for name, (_, expected) in made.items():
        check(tmp_path / name, expected)


def test_a_standard_package_is_read_in_place_without_a_copy(corpus: Path, monkeypatch) -> None:
    import shutil

    from dj_addin.xlsx import flavours

    def no_copy(*a, **k):
        raise AssertionError("a standard workbook was copied")
    monkeypatch.setattr(flavours, "_rewrite", no_copy)
    monkeypatch.setattr(shutil, "copyfile", no_copy)
    assert len(read_book(corpus / "openpyxl.xlsx").table("roster")) == len(PEOPLE)


def test_1904_dates_are_the_same_days(corpus: Path) -> None:
    roster = read_book(corpus / "xlsxwriter_1904.xlsx").table("roster")
    assert roster.data["join_date"].iloc[0].date() == dt.date(2021, 6, 1)


def test_a_rewritten_package_is_checked_for_dtds_before_it_is_unpacked(corpus: Path, tmp_path: Path) -> None:
    import zipfile

    bad = tmp_path / "反斜杠带DTD.xlsx"
    with zipfile.ZipFile(corpus / "backslash_parts.xlsx") as zin, zipfile.ZipFile(bad, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name.endswith("styles.xml"):
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + data.split(b"?>", 1)[-1]
            zout.writestr(name, data)
    with pytest.raises(UnreadableFile, match="DTD"):
        read_book(bad)


def test_size_limit_comes_before_any_rewrite(corpus: Path) -> None:
    with pytest.raises(UnreadableFile, match="超过上限"):
        read_book(corpus / "strict_open_xml.xlsx", max_bytes=100)
