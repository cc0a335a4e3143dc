"""The bad-input corpus (tests/bad_inputs/generate.py) run through the ``dj``
command line: each case gets its expected outcome, and none shows a
traceback, hangs, changes an input, prints English exception text or
reports a finding outside the workbook."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from bad_inputs.generate import CASES, INJECTIONS, Case, outcomes_table
from dj_addin.cli import main

TIME_LIMIT_S = 60
ENGLISH = re.compile(r"Traceback|[A-Z][a-z]+(?:Error|Exception|Warning)\b|Errno|NoneType|has no attribute|"
                     r"object is not|invalid literal|is encrypted|password required|Exceeds the limit|"
                     r"No such file|Permission denied|Bad CRC|BadZip|Calamine|WorksheetNotFound")
COLUMN = re.compile(r"^[A-Z]{1,3}$")


@pytest.fixture(autouse=True)
def no_hang():
    def expired(signum, frame):
        raise TimeoutError(f"took longer than {TIME_LIMIT_S} s")
    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TIME_LIMIT_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_the_corpus_is_large_and_the_table_is_current():
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)
    assert {c.command for c in CASES} == {"validate", "rollup", "score", "run", "clear-marks"}
    table = Path(__file__).parent / "bad_inputs" / "OUTCOMES.md"
    assert table.read_text(encoding="utf-8") == outcomes_table(), "run: python tests/bad_inputs/generate.py"


def snapshot(root: Path) -> dict[Path, bytes]:
    out = {}
    for p in root.rglob("*"):
        if p.is_symlink() or not p.is_file():
            continue
        out[p] = p.read_bytes()
    return out


def inject(case: Case, monkeypatch) -> None:
    if case.fault == "EROFS":
        from dj_addin.xlsx import atomic

        def read_only(folder, suffix):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(folder / "x"))
        monkeypatch.setattr(atomic, "_mkstemp", read_only)
    elif case.fault == "ENOSPC":
        from dj_addin.xlsx import save, splice

        def full(src, tmp, *a, **kw):
            Path(tmp).write_bytes(b"\0" * 1024)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))
        monkeypatch.setattr(splice, "save_fast", full)
        monkeypatch.setattr(save, "save_with_openpyxl", full)


def run_case(case: Case, folder: Path, monkeypatch, as_json: bool):
    folder.mkdir(parents=True)
    book = case.build(folder)
    args = [a.replace("{dir}", str(folder)).replace("{out}", str(folder / "结果" / f"结果{book.suffix}"))
            for a in case.args]
    if "{out}" in case.args:
        (folder / "结果").mkdir()
    before = snapshot(folder)
    with monkeypatch.context() as m:
        for k, v in case.env.items():
            m.setenv(k, v)
        inject(case, m)
        result = CliRunner().invoke(main, [case.command, str(book), *args] + (["--json"] if as_json else []))
    return book, args, before, result


def check_common(case: Case, folder: Path, book: Path, before: dict[Path, bytes], result) -> None:
    text = result.stdout + result.stderr
    assert result.exit_code == case.exit, (result.exit_code, text[-2000:])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert not ENGLISH.search(text), ENGLISH.search(text).group(0) + " in " + text[-1500:]
    in_place = "--in-place" in case.args and case.exit in (0, 1)
    for path, data in before.items():
        if in_place and path.resolve() == book.resolve():
            continue
        assert path.read_bytes() == data, f"{path.name} changed"
    leftovers = [p.name for p in folder.rglob(".~dj-*")]
    assert not leftovers, leftovers
    if in_place:
        originals = list(book.resolve().parent.glob("*.bak-原始.xlsx"))
        assert len(originals) == 1 and originals[0].read_bytes() == before[book.resolve()]


def sheet_extents(book: Path) -> dict[str, int]:
    from dj_addin.xlsx.safety import check_package
    from dj_addin.xlsx.sheet_scan import scan_sheet

    try:
        package = check_package(book.resolve())
    except Exception:  # noqa: BLE001 - an unreadable book has no findings to bound
        return {}
    return {name: scan_sheet(book.resolve(), part).max_row for name, part in package.sheets}


def check_findings_in_bounds(book: Path, doc: dict) -> None:
    extents = sheet_extents(book)
    for f in doc.get("findings", []):
        if f.get("row") is None:
            continue
        assert f["sheet"] in extents, f
        assert 1 <= f["row"] <= max(extents[f["sheet"]], 1), (f, extents[f["sheet"]])
        assert f.get("column") is None or COLUMN.match(f["column"]), f


def check_outputs(case: Case, folder: Path, book: Path, args: list[str]) -> None:
    """What was written opens, and text that looks like a formula stayed text in every sheet."""
    written = [Path(a) for a in args if "结果" in a and a.endswith((".xlsx", ".xlsm"))] or [book.resolve()]
    for out in written:
        import zipfile

        with zipfile.ZipFile(out) as zf:  # nothing that escapes the package is carried into what we write
            assert not [n for n in zf.namelist() if n.startswith("/") or ".." in n.split("/")]
        wb = openpyxl.load_workbook(out)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        formula = str(cell.value)
                        assert not any(p.lstrip("=+-@")[:6] in formula for p in INJECTIONS), \
                            (ws.title, cell.coordinate, formula)


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.xfail(reason=c.pending, strict=True))
                                  if c.pending else c for c in CASES], ids=[c.name for c in CASES])
def test_case(case: Case, tmp_path, monkeypatch):
    # people's output
    book, args, before, result = run_case(case, tmp_path / "human", monkeypatch, as_json=False)
    check_common(case, tmp_path / "human", book, before, result)
    if case.exit == 2 and case.rule in ("S001", "-"):
        assert case.fragment in result.stderr, result.stderr
    if case.writes:
        check_outputs(case, tmp_path / "human", book, args)
    # the JSON document, from a fresh copy of the inputs
    book, args, before, result = run_case(case, tmp_path / "json", monkeypatch, as_json=True)
    check_common(case, tmp_path / "json", book, before, result)
    doc = json.loads(result.stdout)
    docs = doc["files"] if "files" in doc else [doc]
    if case.exit == 2 and case.rule in ("S001", "-"):
        assert set(doc) == {"error", "file"} and case.fragment in doc["error"], doc
        assert doc["error"] == result.stderr.strip()
        return
    if "findings" not in doc and "files" not in doc:  # rollup/score documents carry no findings: ask run
        result = CliRunner().invoke(main, ["run", str(book), *[a for a in args if a != "-o" and "结果" not in a],
                                           "--json"])
        doc = json.loads(result.stdout)
        docs = [doc]
    for d in docs:
        if "findings" in d:
            check_findings_in_bounds(Path(d.get("path", book)), d)
    if case.rule:
        hits = [f for f in doc["findings"] if f["rule"] == case.rule]
        assert hits, sorted({f["rule"] for f in doc["findings"]})
        assert any(case.fragment in f"{f['message']}{f['value']}{f['field']}{f['suggestion']}" for f in hits), hits
    if case.name == "several-with-one-damaged":
        assert sorted(bool(d.get("error")) for d in docs) == [False, False, True]
        assert [Path(s["file"]).name for s in doc["skipped"]] == ["~$一支部.xlsx"]
