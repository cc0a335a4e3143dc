"""dj aggregate: the upward merge of the demo university's branch workbooks.

The demo generator writes realistic branches (two of them with planted 错误,
so they are returned). Workbooks are written once per module into a tmp
folder; every test merges copies, so the generated files stay untouched.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import shutil
import zipfile
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from dj_addin import schema
from dj_addin.aggregate import aggregate
from dj_addin.cli import main as cli_main
from dj_addin.demo.generate import generate_university, write_university
from dj_addin.xlsx.reader import read_book

AS_OF = dt.date(2026, 12, 31)
RESULT_KEYS = ["member_id", "name", "branch_code", "quota_score", "org_score", "mass_score", "peer_score",
               "total", "rank", "computed_grade", "final_grade", "reasons"]


def _uni():
    return generate_university(7, 2026, AS_OF)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    """The demo university with one member also on a second branch's roster (a transfer)."""
    uni = _uni()
    c1 = uni.colleges[0]
    moved = dict(c1.branches[0].rows["roster"][3])
    c1.branches[1].rows["roster"].append(moved)  # same 党员编号 in D0101 and D0102
    out = tmp_path_factory.mktemp("demo")
    write_university(uni, out)
    colleges = []
    for c in uni.colleges:
        folder = out / c.book.folder
        colleges.append({"code": c.book.code, "book": folder / c.book.file_name,
                         "branches": [folder / b.file_name for b in c.branches]})
    return {"uni": uni, "dir": out, "colleges": colleges, "top": out / uni.book.file_name, "moved": moved}


def _sheet_column(path: Path, sheet: str, header: str) -> list:
    """The values under ``header`` in an output sheet (wherever its header row is), to the first blank."""
    rows = list(openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if header in r)
    col = rows[top].index(header)
    values = []
    for r in rows[top + 1:]:
        if col >= len(r) or r[col] is None:
            break
        values.append(r[col])
    return values


def _results(result) -> pd.DataFrame:
    frame = result.scores.to_table().members
    return frame[RESULT_KEYS].sort_values("member_id").reset_index(drop=True)


def test_three_level_merge_equals_direct_merge(demo, tmp_path):
    college_books = []
    for c in demo["colleges"]:
        out = tmp_path / f"{c['code']}.xlsx"
        r = aggregate(c["branches"], out, template=c["book"], as_of=AS_OF, workers=1)
        assert r.exit_code == 1  # each college has one branch with planted 错误
        college_books.append(out)
    top = aggregate(college_books, tmp_path / "U.xlsx", template=demo["top"], as_of=AS_OF, workers=1)
    assert top.exit_code == 0, top.returned  # cross-unit duplicate inside C01 is not an 错误 one level up
    accepted = [p for c in demo["colleges"] for p in c["branches"]
                if not any(u in p.name for u in ("D0104", "D0202"))]
    direct = aggregate(accepted, tmp_path / "direct.xlsx", template=demo["top"], as_of=AS_OF, workers=1)
    assert len(direct.included) == len(accepted)
    pd.testing.assert_frame_equal(_results(top), _results(direct))
    # the written 考评结果 sheet holds the same members
    written = _sheet_column(tmp_path / "U.xlsx", schema.RESULTS.name, "党员编号")
    assert sorted(map(str, written)) == sorted(_results(direct)["member_id"].astype(str))
    # the transferred member is listed as a conflict, not resolved
    moved = str(demo["moved"]["member_id"])
    assert any(c.key == moved and c.kind == "党员编号重复" for c in top.conflicts)
    sheet = openpyxl.load_workbook(tmp_path / "U.xlsx", read_only=True)[schema.SOURCES.name]
    assert any(moved in str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)


def test_provenance_survives_two_merges(demo, tmp_path):
    c = demo["colleges"][1]
    college = tmp_path / "C.xlsx"
    aggregate(c["branches"], college, template=c["book"], as_of=AS_OF, workers=1)
    top = tmp_path / "U.xlsx"
    aggregate([college], top, template=demo["top"], as_of=AS_OF, workers=1)
    log = read_book(top).tables[schema.CONTACT_LOG.key]
    assert log.provenance_columns
    branch = read_book(c["branches"][0])
    code = branch.unit_code
    mine = log.origin["source_unit"] == code
    assert mine.sum() == len(branch.tables[schema.CONTACT_LOG.key])
    rid = log.data.index[mine][7]
    src_row = int(log.origin.at[rid, "source_row"])
    own = branch.tables[schema.CONTACT_LOG.key]
    own_rid = own.data.index[own.origin["row"] == src_row][0]
    for key in ("member_id", "target_id", "date"):
        assert log.data.at[rid, key] == own.data.at[own_rid, key]
    # phones are masked one level up
    roster = read_book(top).tables[schema.ROSTER.key].data
    assert roster["phone"].dropna().str.contains(r"\*\*\*\*").all()


def _copy(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return dest


def _write_variant(tmp_path: Path, name: str, change) -> Path:
    """A branch workbook from the demo with its 基本信息 changed by ``change(meta)``."""
    uni = _uni()
    b = copy.deepcopy(uni.colleges[0].branches[0])
    change(b.meta)
    from dj_addin.template.build import build_template
    from dj_addin.template.fill import fill_workbook

    wb = build_template()
    fill_workbook(wb, b.meta, b.rows)
    path = tmp_path / name
    wb.save(path)
    return path


def test_returned_duplicate_year_unknown_unreadable_skipped(demo, tmp_path):
    c = demo["colleges"][0]
    inbox = tmp_path / "inbox"
    first = _copy(c["branches"][0], inbox / "a" / "D0101_old.xlsx")
    second = _copy(c["branches"][0], inbox / "b" / "D0101_new.xlsx")
    os.utime(first, (1_700_000_000, 1_700_000_000))
    os.utime(second, (1_800_000_000, 1_800_000_000))
    _copy(c["branches"][1], inbox / "D0102.xlsx")
    _copy(c["branches"][3], inbox / "D0104.xlsx")  # planted 错误
    (inbox / "broken.xlsx").write_bytes(b"not a workbook at all")
    (inbox / "~$D0102.xlsx").write_bytes(b"owner")
    (inbox / "notes.txt").write_text("hello")
    _write_variant(inbox, "old_year.xlsx", lambda m: m.update(year=2025))
    _write_variant(inbox, "stranger.xlsx", lambda m: m.update(unit_code="D0999", unit_name="外单位支部"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in inbox.rglob("*") if p.is_file()}
    r = aggregate([inbox], tmp_path / "out.xlsx", template=c["book"], as_of=AS_OF, workers=2)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in inbox.rglob("*") if p.is_file()}
    assert before == after  # inputs' bytes and modification times unchanged
    doc = r.as_json()
    assert list(doc) == ["output", "included", "returned", "duplicates", "missing_units", "conflicts"]
    names = {Path(x).name for x in doc["included"]}
    assert names == {"D0101_new.xlsx", "D0102.xlsx", "stranger.xlsx"}
    assert [Path(x).name for x in doc["duplicates"]] == ["D0101_old.xlsx"]
    returned = {Path(x["file"]).name: x["reasons"] for x in doc["returned"]}
    assert set(returned) == {"D0104.xlsx", "broken.xlsx", "old_year.xlsx"}
    assert "2025" in returned["old_year.xlsx"][0]
    assert "错误" in returned["D0104.xlsx"][0]
    assert "D0104" in doc["missing_units"] and "D0103" in doc["missing_units"]
    assert any("D0999" in n and "下级单位" in n for n in r.notes)
    skipped = {Path(s.name).name for s in r.skipped}
    assert skipped == {"~$D0102.xlsx", "notes.txt"}
    assert r.exit_code == 1
    # 汇总来源 lists every file with its outcome
    rows = list(openpyxl.load_workbook(r.output, read_only=True)[schema.SOURCES.name].iter_rows(values_only=True))
    outcome = {Path(str(x[0])).name: x[8] for x in rows[2:2 + 8]}
    assert outcome["D0101_old.xlsx"] == "重复已忽略" and outcome["broken.xlsx"] == "已退回"
    assert outcome["stranger.xlsx"] == "已汇总"


def test_later_report_date_wins_over_file_time(tmp_path):
    late = _write_variant(tmp_path, "late.xlsx", lambda m: m.update(report_date=dt.date(2026, 12, 20)))
    early = _write_variant(tmp_path, "early.xlsx", lambda m: m.update(report_date=dt.date(2026, 12, 1)))
    os.utime(late, (1_700_000_000, 1_700_000_000))  # the later report is the older file
    r = aggregate([late, early], tmp_path / "out.xlsx", as_of=AS_OF, workers=1)
    assert [Path(d.loaded.name).name for d in r.included] == ["late.xlsx"]
    assert [Path(x).name for x in r.duplicates] == ["early.xlsx"]


def test_zip_and_eml_inputs(demo, tmp_path):
    c = demo["colleges"][0]
    archive = tmp_path / "来自支部.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(c["branches"][0], "报表/D0101.xlsx")
        zf.write(c["branches"][1], "D0102.xlsx")
        zf.writestr("readme.txt", "x")
    msg = EmailMessage()
    msg["From"], msg["Subject"], msg["Date"] = "书记 <sec@example.edu>", "研究生党支部报表", "Tue, 01 Dec 2026 08:00:00 +0800"
    msg.set_content("附件是本支部的工作簿。")
    msg.add_attachment(c["branches"][2].read_bytes(), maintype="application", subtype="octet-stream",
                       filename="D0103.xlsx")
    mail = tmp_path / "mail.eml"
    mail.write_bytes(msg.as_bytes())
    r = aggregate([archive, mail], tmp_path / "out.xlsx", template=c["book"], as_of=AS_OF, workers=1)
    assert sorted(str(d.loaded.unit_code) for d in r.included) == ["D0101", "D0102", "D0103"]
    mailed = next(d.loaded for d in r.included if d.loaded.unit_code == "D0103")
    assert mailed.container["发件人"].startswith("书记") and mailed.container["主题"] == "研究生党支部报表"
    rows = list(openpyxl.load_workbook(r.output, read_only=True)[schema.SOURCES.name].iter_rows(values_only=True))
    text = " ".join(str(v) for row in rows for v in row if v)
    assert "来自支部.zip" in text and "sec@example.edu" in text
    assert hashlib.sha256(c["branches"][2].read_bytes()).hexdigest() in text


def test_hostile_archives_are_refused(demo, tmp_path, monkeypatch):
    book = demo["colleges"][0]["branches"][0]
    traversal = tmp_path / "evil.zip"
    with zipfile.ZipFile(traversal, "w") as zf:
        zf.write(book, "../../escape.xlsx")
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as zf:
        zf.write(traversal, "inner.zip")
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.xlsx", b"\0" * 3_000_000)
    monkeypatch.setenv("DJ_MAX_FILE_MB", "1")
    r = aggregate([traversal, nested, big], tmp_path / "out.xlsx", as_of=AS_OF, workers=1)
    reasons = {Path(f).name: " ".join(rs) for f, rs in r.returned}
    assert "压缩包以外" in reasons["evil.zip"]
    assert "压缩包里又有压缩包" in reasons["nested.zip"]
    assert "大小上限" in reasons["big.zip"]
    assert r.exit_code == 2 and r.output is None and not (tmp_path / "out.xlsx").exists()
    assert not (tmp_path.parent / "escape.xlsx").exists()


def test_include_errors_merges_and_marks(demo, tmp_path):
    c = demo["colleges"][0]
    r = aggregate(c["branches"], tmp_path / "out.xlsx", template=c["book"], include_errors=True, as_of=AS_OF,
                  workers=1)
    assert len(r.included) == len(c["branches"]) and r.exit_code == 0
    assert any("--include-errors" in n for n in r.notes)
    results = openpyxl.load_workbook(r.output, read_only=True)[schema.RESULTS.name]
    assert "暂定" in " ".join(str(v) for row in results.iter_rows(max_row=4, values_only=True) for v in row if v)


def test_row_limit_keeps_details_below(demo, tmp_path):
    c = demo["colleges"][1]
    r = aggregate(c["branches"], tmp_path / "out.xlsx", template=c["book"], as_of=AS_OF, workers=1, row_limit=300)
    assert {x.sheet for x in r.limited} >= {schema.CONTACT_LOG.name}
    book = read_book(r.output)
    assert len(book.tables[schema.CONTACT_LOG.key]) == 0
    assert len(book.tables[schema.ROSTER.key]) == sum(f.members for f in r.figures)  # roster fits
    ws = openpyxl.load_workbook(r.output, read_only=True)[schema.CONTACT_LOG.name]
    assert "超过汇总上限" in str(next(ws.iter_rows(max_row=1, values_only=True))[0])
    results = _sheet_column(r.output, schema.RESULTS.name, "党员编号")
    assert len(results) == len(r.scores.members) > 0  # results still go up


def test_formula_like_text_stays_text(tmp_path):
    def hostile(m):
        m.update(unit_name="=HYPERLINK(\"http://x\",\"点我\")")

    uni = _uni()
    b = copy.deepcopy(uni.colleges[0].branches[0])
    b.rows["roster"][0]["note"] = "=1+1"
    b.rows["roster"][1]["note"] = "+86 电话"
    b.rows["roster"][2]["note"] = "-减号开头"
    b.rows["roster"][3]["note"] = "@SUM(A1)"
    hostile(b.meta)
    from dj_addin.template.build import build_template
    from dj_addin.template.fill import fill_workbook

    wb = build_template()
    fill_workbook(wb, b.meta, b.rows)
    for ws in wb.worksheets:  # the input holds these as text (openpyxl would make '=…' a formula)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in ("=1+1", b.meta["unit_name"]):
                    cell.data_type = "s"
    src = tmp_path / "in.xlsx"
    wb.save(src)
    r = aggregate([src], tmp_path / "out.xlsx", as_of=AS_OF, workers=1)
    out = openpyxl.load_workbook(r.output)
    notes = [cell for row in out[schema.ROSTER.name].iter_rows(min_row=2) for cell in row
             if isinstance(cell.value, str) and cell.value[:1] in "=+-@"]
    assert {c.value for c in notes} >= {"=1+1", "+86 电话", "-减号开头", "@SUM(A1)"}
    assert all(c.data_type == "s" for c in notes)
    sources = [c for row in out[schema.SOURCES.name].iter_rows() for c in row if str(c.value).startswith("=HYPER")]
    assert sources and all(c.data_type == "s" for c in sources)


def test_xlsm_input_gives_macro_free_xlsx(demo, tmp_path):
    src = _copy(demo["colleges"][0]["branches"][0], tmp_path / "D0101.xlsm")
    r = aggregate([src], tmp_path / "out.xlsx", as_of=AS_OF, workers=1)
    assert r.output.suffix == ".xlsx"
    names = zipfile.ZipFile(r.output).namelist()
    assert not any("vba" in n.lower() for n in names)


def test_cli_json_exit_codes_and_force(demo, tmp_path):
    c = demo["colleges"][1]
    out = tmp_path / "out.xlsx"
    runner = CliRunner()
    args = ["aggregate", *map(str, c["branches"]), "--template", str(c["book"]), "-o", str(out),
            "--as-of", "2026-12-31", "--workers", "1", "--json"]
    res = runner.invoke(cli_main, args)
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    assert doc["output"] == str(out) and len(doc["returned"]) == 1
    res = runner.invoke(cli_main, args)  # the output exists now
    assert res.exit_code == 2 and "--force" in res.output
    stamp = out.stat().st_mtime_ns
    assert out.stat().st_mtime_ns == stamp
    res = runner.invoke(cli_main, args + ["--force"])
    assert res.exit_code == 1
    ok = [p for p in c["branches"] if "D0202" not in p.name]
    res = runner.invoke(cli_main, ["aggregate", *map(str, ok), "--template", str(c["book"]), "-o",
                                   str(tmp_path / "ok.xlsx"), "--as-of", "2026-12-31", "--workers", "1"])
    assert res.exit_code == 0 and "已汇总 2 个文件" in res.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"junk")
    res = runner.invoke(cli_main, ["aggregate", str(bad), "-o", str(tmp_path / "none.xlsx")])
    assert res.exit_code == 2 and "没有可以汇总" in res.output
    assert "Traceback" not in res.output


def test_comparison_sheet_has_units_chart_and_outcomes(demo, tmp_path):
    c = demo["colleges"][0]
    folder = c["book"].parent  # the college's own workbook sits among its branches' books
    r = aggregate([folder], tmp_path / "out.xlsx", template=c["book"], as_of=AS_OF, workers=1)
    own = [s.reason for s in r.skipped if Path(s.name).name == c["book"].name]
    assert own == ["本级工作簿（--template），不作为下级汇总"]
    assert [f.unit_code for f in r.figures] == ["D0101", "D0102", "D0103", "D0105"]
    assert all(f.members > 0 and f.average is not None for f in r.figures)
    names = zipfile.ZipFile(r.output).namelist()
    assert any(n.startswith("xl/charts/chart") for n in names)
    rows = list(openpyxl.load_workbook(r.output, read_only=True)[schema.COMPARISON.name].iter_rows(values_only=True))
    text = [str(v) for row in rows for v in row if v is not None]
    assert "十百千工程" in text and "平均综合得分" in text
    acts = pd.concat([pd.DataFrame(b.rows["activities"]) for b in demo["uni"].colleges[0].branches
                      if b.code != "D0104"])
    brand = acts[acts["brand"] == "十百千工程"]
    if len(brand):
        total_qty = pd.to_numeric(brand["outcome_qty"], errors="coerce").sum()
        sums = [row for row in rows if row and row[0] == "十百千工程"]
        assert abs(sum(float(row[3] or 0) for row in sums) - total_qty) < 1e-6


@pytest.mark.libreoffice
def test_libreoffice_opens_the_merged_workbook(demo, tmp_path, libreoffice):
    c = demo["colleges"][1]
    r = aggregate(c["branches"], tmp_path / "out.xlsx", template=c["book"], as_of=AS_OF, workers=1)
    converted = libreoffice.convert(r.output, "xlsx", tmp_path / "lo")
    again = read_book(converted)
    assert len(again.tables[schema.ROSTER.key]) == sum(f.members for f in r.figures)
