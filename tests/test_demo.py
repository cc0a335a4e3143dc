"""``dj demo``: the sample university is realistic, complete, deterministic,
reads back cleanly, and its planted mistakes are exactly where it says.

The university is generated and written once per module (about 4 s); the
second run for the determinism check goes through the CLI.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from rich.console import Console

from dj_addin.demo import generate as demo
from dj_addin import schema
from dj_addin.cli import main
from dj_addin.commands.demo import print_summary, resolve_period, run_demo
from dj_addin.export import report_note
from dj_addin.normalize import parse_date
from dj_addin.xlsx.reader import read_book

SEED, YEAR, AS_OF = 31, 2026, dt.date(2026, 11, 24)
ACTIVITY_DATES = {  # sheet → date columns of activities that must lie in the year, up to the as-of date
    "contact_log": ("date", "closed_date"), "research": ("start_date", "end_date"), "reception": ("date",),
    "point_visits": ("date",), "briefings": ("date",), "forums": ("date",), "activities": ("date",),
    "targets": ("pair_date",), "contact_points": ("start_date",),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("demo_a"), seed=SEED, year=YEAR, as_of=AS_OF)


@pytest.fixture(scope="module")
def uni(run) -> demo.University:
    return run.university


@pytest.fixture(scope="module")
def books(run):
    return {wb.book.code: read_book(wb.path) for wb in run.written}


def _planted_cells(uni: demo.University, *, errors: bool) -> set[tuple[str, str, int, str]]:
    return {(p.unit_code, p.sheet, p.row, p.column) for p in uni.planted if p.is_error == errors}


def _cell_date(value) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


# --------------------------------------------------------------------------
# Structure and realism of the generated data
# --------------------------------------------------------------------------

def test_structure_colleges_branches_and_sizes(uni):
    assert len(uni.colleges) >= 2
    for college in uni.colleges:
        assert 3 <= len(college.branches) <= 5
        assert re.fullmatch(r"C\d\d", college.book.code)
        assert college.book.level in (schema.UNIT_LEVELS[1], schema.UNIT_LEVELS[2])  # 党总支 / 学院党委
        assert college.book.meta["parent_code"] == "U"
        # 下级单位 lists exactly the college's branches, all to report
        assert [u["unit_code"] for u in college.book.rows["units"]] == [b.code for b in college.branches]
        assert all(u["must_report"] for u in college.book.rows["units"])
        for branch in college.branches:
            assert re.fullmatch(college.book.code.replace("C", "D") + r"\d\d", branch.code)
            assert 15 <= branch.count("roster") <= 60
            assert branch.meta["parent_code"] == college.book.code
            assert branch.meta["parent_name"] == college.book.name
            assert branch.relpath.parent == college.book.relpath.parent  # one folder per college
    assert uni.book.code == "U" and uni.book.level == schema.UNIT_LEVELS[3]
    assert [u["unit_code"] for u in uni.book.rows["units"]] == [c.book.code for c in uni.colleges]
    members = sum(b.count("roster") for b in uni.branches())
    logs = sum(b.count("contact_log") for b in uni.branches())
    assert 150 <= members <= 600 and logs >= 10 * members


def test_meta_is_filled_for_every_workbook(uni):
    for book in uni.books():
        meta = book.meta
        assert meta["unit_code"] == book.code and meta["unit_name"] == book.name
        assert meta["unit_level"] == book.level and meta["year"] == YEAR
        assert meta["secretary"] and meta["filler"] and meta["phone"]
        assert meta["report_date"] == AS_OF and meta["template_version"] == schema.TEMPLATE_VERSION
        assert book.file_name == f"{book.code}_{book.name}_{YEAR}.xlsx"


def test_roster_is_realistic(uni):
    roster = pd.DataFrame([r for b in uni.branches() for r in b.rows["roster"]])
    assert roster["member_id"].is_unique  # unique across the university: no false 汇总 conflicts
    assert set(roster["category"]) == set(schema.MEMBER_CATEGORIES)
    assert (roster["category"] == schema.MEMBER_CATEGORIES[2]).mean() < 0.1  # 少量离退休
    assert set(roster["status"]) == set(schema.MEMBER_STATUSES)
    assert set(roster["gender"]) == set(schema.GENDERS)
    assert roster["name"].str.fullmatch(r"[\u4e00-\u9fff]{2,4}").all()
    school = roster[roster["cadre_level"] == schema.CADRE_LEVELS[0]]
    assert 1 <= len(school) <= 2
    for college in uni.colleges:
        ids = {r["member_id"] for b in college.branches for r in b.rows["roster"]
               if r["cadre_level"] == schema.CADRE_LEVELS[1]}
        assert 2 <= len(ids) <= 5
    for branch in uni.branches():
        posts = Counter(r["branch_post"] for r in branch.rows["roster"])
        assert posts[schema.BRANCH_POSTS[0]] == 1  # one 书记
        assert posts[schema.BRANCH_POSTS[1]] + posts[schema.BRANCH_POSTS[2]] >= 2


def test_every_cadre_has_one_contact_point_in_its_workbook(uni):
    for branch in uni.branches():
        cadres = {r["member_id"] for r in branch.rows["roster"] if r["cadre_level"] != schema.CADRE_LEVELS[2]}
        points = Counter(r["cadre_id"] for r in branch.rows["contact_points"])
        assert set(points) == cadres and all(n == 1 for n in points.values())
        assert {r["member_id"] for r in branch.rows["research"]} <= cadres
        school = {r["member_id"] for r in branch.rows["roster"] if r["cadre_level"] == schema.CADRE_LEVELS[0]}
        assert {r["leader_id"] for r in branch.rows["reception"]} == school
    all_branches = {b.code for b in uni.branches()}
    assert all(p["branch_code"] in all_branches for b in uni.branches() for p in b.rows["contact_points"])


def test_assigned_contacts_per_member(uni):
    for branch in uni.branches():
        per_member = Counter(t["member_id"] for t in branch.rows["targets"])
        for r in branch.rows["roster"]:
            n = per_member[r["member_id"]]
            if r["category"] == schema.MEMBER_CATEGORIES[2]:
                assert n <= 1
            elif r["branch_post"] == schema.BRANCH_POSTS[3] and r["cadre_level"] == schema.CADRE_LEVELS[2]:
                assert 2 <= n <= 4
            else:
                assert 4 <= n <= 6  # committee and cadres: enough for their higher quota
        for t in branch.rows["targets"]:
            assert t["target_type"] in schema.TARGET_TYPES and t["political"] in schema.POLITICAL_STATUSES


def test_activity_lies_in_the_year_up_to_the_as_of_date(uni):
    planted = _planted_cells(uni, errors=True) | _planted_cells(uni, errors=False)
    quarters = Counter()
    for branch in uni.branches():
        for sheet, columns in ACTIVITY_DATES.items():
            for i, row in enumerate(branch.rows[sheet]):
                for col in columns:
                    if (branch.code, sheet, i + demo.FIRST_DATA_ROW, col) in planted or row[col] is None:
                        continue
                    assert dt.date(YEAR, 1, 1) <= row[col] <= AS_OF, (branch.code, sheet, col, row[col])
        for row in branch.rows["contact_log"]:
            if isinstance(row["date"], dt.date):
                quarters[(row["date"].month - 1) // 3 + 1] += 1
    assert all(quarters[q] > 500 for q in (1, 2, 3)) and quarters[4] > 100


def test_log_rows_are_consistent(uni):
    """What validation checks on clean rows holds: names match, no double entries,
    closed requests have a closing date after the contact, nothing open is overdue."""
    planted = _planted_cells(uni, errors=True)
    methods = Counter()
    for branch in uni.branches():
        names = {r["member_id"]: r["name"] for r in branch.rows["roster"]}
        targets = {t["target_id"]: t for t in branch.rows["targets"]}
        seen = set()
        for i, row in enumerate(branch.rows["contact_log"]):
            excel_row = i + demo.FIRST_DATA_ROW
            if any((branch.code, "contact_log", excel_row, c) in planted for c in schema.CONTACT_LOG.keys):
                continue
            methods[row["method"]] += 1
            target = targets[row["target_id"]]
            assert row["target_name"] == target["name"]
            member = demo.cell_text(row["member_id"]).translate({0xFF10 + d: 0x30 + d for d in range(10)})
            assert target["member_id"] == member and row["member_name"] == names[member]
            assert len(row["content"]) >= 4
            when = parse_date(row["date"])  # some dates are typed as text (planted unusual inputs)
            key = (member, row["target_id"], when, row["method"])
            assert key not in seen
            seen.add(key)
            if row["handling"] in (schema.HANDLING_STATES[2], "已解决"):
                assert when < row["closed_date"] <= AS_OF
            if row["handling"] == schema.HANDLING_STATES[1]:
                assert (AS_OF - when).days <= 30
            if row["request"]:
                assert row["handling"]
    assert set(methods) >= set(schema.CONTACT_METHODS)


def test_other_sheets_are_filled_realistically(uni):
    brands, violations = Counter(), 0
    for branch in uni.branches():
        secretaries = {r["member_id"] for r in branch.rows["roster"]
                       if r["branch_post"] in schema.BRANCH_POSTS[:2]}
        assert branch.rows["forums"] and branch.rows["briefings"] and branch.rows["activities"]
        for f in branch.rows["forums"]:
            assert f["host_id"] in secretaries and f["rectified"] <= f["opinions"]
            if f["reason"] in schema.FORUM_REASONS[:4]:
                assert f["outside"] > 0
        for b in branch.rows["briefings"]:
            assert b["answered"] <= b["opinions"]
        for r in branch.rows["reception"]:
            assert r["resolved"] <= r["issues"]
        for r in branch.rows["research"]:
            span = (r["end_date"] - r["start_date"]).days + 1
            assert r["days"] is None or 0 < r["days"] <= span
            assert bool(r["report_title"]) == r["has_report"]
        for a in branch.rows["activities"]:
            brands[a["brand"]] += 1
        evaluation = branch.rows["evaluation"]
        assert [e["member_id"] for e in evaluation] == [r["member_id"] for r in branch.rows["roster"]]
        assert all(0 <= e["org_score"] <= 100 for e in evaluation)
        assert all(sum(e[k] for k in ("mass_satisfied", "mass_basic", "mass_unsatisfied")) >= 5 for e in evaluation)
        violations += sum(e["violation"] for e in evaluation)
    assert set(brands) >= set(schema.ACTIVITY_BRANDS[:4])
    assert violations == 1  # a rare case, not a pattern


def test_same_seed_same_data_other_seed_differs(uni):
    again = demo.generate_university(SEED, YEAR, AS_OF)
    assert again.books() == uni.books() and again.planted == uni.planted
    other = demo.generate_university(SEED + 1, YEAR, AS_OF)
    assert other.books() != uni.books()


def test_default_period_is_this_year_up_to_today():
    today = dt.date(2026, 11, 24)
    assert resolve_period(None, None, today=today) == (2026, today)
    assert resolve_period(2025, None, today=today) == (2025, dt.date(2025, 12, 31))
    assert resolve_period(None, dt.date(2025, 6, 30), today=today) == (2025, dt.date(2025, 6, 30))


# --------------------------------------------------------------------------
# The written workbooks
# --------------------------------------------------------------------------

def test_every_workbook_reads_back_with_expected_counts(uni, books):
    for book in uni.books():
        read = books[book.code]
        assert read.unit_code == book.code and read.year == YEAR
        for sheet in schema.REQUIRED_SHEETS:
            assert (read.tables[sheet.key].found if sheet.key in read.tables else read.kv[sheet.key].found)
        for key, table in read.tables.items():
            assert table.found and not table.missing_columns and not table.extra_columns
            expected = len(schema.DEFAULT_QUOTAS) if key == "quotas" else book.count(key)
            assert len(table.data) == expected, (book.code, key)
        assert read.meta.get("report_date") == AS_OF


def test_only_the_planted_mistakes_are_unreadable(uni, books):
    planted = _planted_cells(uni, errors=True)
    for code, read in books.items():
        for key, table in read.tables.items():
            bad = table.bad.stack()
            for (row, col), flag in bad[bad].items():
                assert (code, key, row, col) in planted, (code, key, row, col, table.raw.loc[row, col])
            assert not table.errors.to_numpy().any()


def test_planted_mistakes_are_where_the_result_says(uni, books):
    errors = [p for p in uni.planted if p.is_error]
    assert {p.rule for p in errors} == {"R002", "C002", "R007", "C005"}
    assert len({p.unit_code for p in errors}) == 2  # two branches carry the slips
    for p in errors:
        table = books[p.unit_code].tables[p.sheet]
        data = table.data.loc[p.row]
        if p.rule in ("C002", "C005"):
            assert table.bad.loc[p.row, p.column] and table.raw.loc[p.row, p.column] == p.value
        elif p.rule == "R002":
            assert data[p.column] == p.value
            assert p.value not in set(books[p.unit_code].frame("roster")["member_id"])
        elif p.rule == "R007":
            assert data["handling"] == schema.HANDLING_STATES[2] and pd.isna(data["closed_date"])


def test_unusual_inputs_are_read_as_meant(uni, books):
    accepted = [p for p in uni.planted if not p.is_error]
    kinds = {(p.sheet, p.column) for p in accepted}
    assert {("contact_log", "date"), ("contact_log", "method"), ("contact_log", "member_id")} <= kinds
    assert not _planted_cells(uni, errors=True) & _planted_cells(uni, errors=False)
    for p in accepted:
        table = books[p.unit_code].tables[p.sheet]
        assert not table.bad.loc[p.row, p.column]
        value = table.data.loc[p.row, p.column]
        if isinstance(p.expected, dt.date):
            value = pd.Timestamp(value).date()
        assert value == p.expected, p


def test_clean_ids_resolve(uni, books):
    typos = {(p.unit_code, p.row) for p in uni.planted if p.rule == "R002"}
    for branch in uni.branches():
        read = books[branch.code]
        roster = set(read.frame("roster")["member_id"])
        targets = read.frame("targets")
        log = read.frame("contact_log")
        unknown = log.index[~log["member_id"].isin(roster)]
        assert {(branch.code, r) for r in unknown} == {t for t in typos if t[0] == branch.code}
        assert log["target_id"].isin(set(targets["target_id"])).all()
        assert targets["member_id"].isin(roster).all()
        for key, col in (("research", "member_id"), ("reception", "leader_id"), ("contact_points", "cadre_id"),
                         ("point_visits", "cadre_id"), ("forums", "host_id"), ("evaluation", "member_id")):
            assert read.frame(key)[col].isin(roster).all(), key
        assert all(set(ids) <= roster for ids in read.frame("activities")["member_ids"])


def test_college_and_university_workbooks_list_their_units(uni, books):
    for college in uni.colleges:
        units = books[college.book.code].frame("units")
        assert list(units["unit_code"]) == [b.code for b in college.branches]
        assert len(books[college.book.code].frame("roster")) == 0
    assert list(books["U"].frame("units")["unit_code"]) == [c.book.code for c in uni.colleges]


def test_cli_second_run_gives_identical_files(run, tmp_path):
    out = tmp_path / "demo_b"
    args = ["demo", "--out", str(out), "--seed", str(SEED), "--year", str(YEAR), "--as-of", AS_OF.isoformat(),
            "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    first = {p.relative_to(run.out_dir): p.read_bytes() for p in run.out_dir.rglob("*") if p.is_file()}
    second = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # the workbooks, the exports, what arrived in the inboxes (.xlsx, .eml, .zip) and the merges
    assert first.keys() == second.keys() and len(first) == len(run.university.books()) + len(run.extra_files)
    assert all(first[k] == second[k] for k in first)  # byte-identical, timestamps included
    doc = json.loads(result.output)
    assert [u["unit_code"] for u in doc["units"]] == [b.code for b in run.university.books()]
    assert len(doc["planted"]) == len(run.university.planted)
    assert [e["unit_code"] for e in doc["exports"]] == [b.code for b in run.university.branches()]
    assert [e["forced"] for e in doc["exports"]] == [e["errors"] > 0 for e in doc["exports"]]


def test_summary_names_every_unit_and_planted_mistake(run):
    console = Console(record=True, width=200)
    print_summary(run, console)
    text = console.export_text()
    assert run.university.name in text and "故意留下的错误" in text and "特殊但有效的写法" in text
    for book in run.university.books():
        assert book.code in text and str(book.relpath) in text
    lines = text.splitlines()
    for p in run.university.planted:  # one table line per planted item: unit, sheet, row, field
        assert any(all(x in line for x in (p.unit_code, p.sheet_name, f" {p.row} ", p.header)) for line in lines), p


def test_cli_json_and_bad_arguments(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "x"), "--as-of", "2026-13-01"])
    assert result.exit_code == 2 and "不是有效日期" in result.output
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "x"), "--year", "2026",
                                       "--as-of", "2025-12-31"])
    assert result.exit_code == 2 and "早于考核年度" in result.output
    assert not (tmp_path / "x").exists()


def test_json_document_lists_units_and_planted_mistakes(run):
    from dj_addin.commands.demo import run_as_json

    doc = json.loads(json.dumps(run_as_json(run), ensure_ascii=False))
    assert doc["seed"] == SEED and doc["year"] == YEAR and doc["as_of"] == AS_OF.isoformat()
    by_code = {u["unit_code"]: u for u in doc["units"]}
    for branch in run.university.branches():
        assert by_code[branch.code]["members"] == branch.count("roster")
        assert by_code[branch.code]["log_rows"] == branch.count("contact_log")
        assert Path(by_code[branch.code]["file"]).is_file()
    assert {(p["unit_code"], p["sheet"], p["row"]) for p in doc["planted"]} == {
        (p.unit_code, p.sheet_name, p.row) for p in run.university.planted}
    assert any(p["sheet"] == schema.CONTACT_LOG.name and p["rule"] == "R002" for p in doc["planted"])


def test_validation_reports_exactly_the_planted_slips(uni, books):
    """The demo's promise to later steps: 错误 findings are the planted slips, no more, no fewer."""
    validate = pytest.importorskip("dj_addin.validate")
    expected = {(p.unit_code, p.rule, p.sheet_name, p.row) for p in uni.planted if p.is_error}
    found = set()
    for code, read in books.items():
        report = validate.validate_book(read, AS_OF, file=f"{code}.xlsx")
        found |= {(code, f.rule, f.sheet, f.row) for f in report.findings if f.level == schema.LEVELS[0]}
    assert found == expected


@pytest.mark.parametrize("as_of", [dt.date(2026, 1, 1), dt.date(2026, 2, 10)])
def test_early_as_of_gives_little_activity_and_nothing_after_it(as_of):
    uni = demo.generate_university(SEED, YEAR, as_of)
    for branch in uni.branches():
        assert 15 <= branch.count("roster") <= 60 and branch.count("evaluation") == branch.count("roster")
        for sheet, columns in ACTIVITY_DATES.items():
            for row in branch.rows[sheet]:
                assert all(row[c] is None or not isinstance(row[c], dt.date) or row[c] <= as_of for c in columns)
    for p in uni.planted:  # whatever could be planted points at an existing row
        rows = next(b for b in uni.branches() if b.code == p.unit_code).rows[p.sheet]
        assert rows[p.row - demo.FIRST_DATA_ROW][p.column] == p.value


# --------------------------------------------------------------------------
# The reporting cycle: export, delivery (.eml, .zip, one left out), merge
# --------------------------------------------------------------------------

def test_every_branch_is_exported_masked_and_forced_only_with_errors(run, uni):
    assert set(run.exports) == {b.code for b in uni.branches()}
    for wb in run.written:
        if wb.book.level != schema.UNIT_LEVELS[0]:
            continue
        result = run.exports[wb.book.code]
        assert result.out == wb.path.with_name(f"{wb.book.code}_{wb.book.name}_{YEAR}_报送.xlsx")
        copy = read_book(result.out)
        assert copy.meta.get("report_date") == AS_OF
        assert all("****" in str(p) for p in copy.frame("roster")["phone"].dropna())
        assert (report_note(copy) is not None) == result.run.has_errors == result.forced
        assert len(copy.frame("contact_log")) == wb.book.count("contact_log")


def test_deliveries_include_an_eml_a_zip_and_one_branch_that_sent_nothing(run, uni):
    import email
    import email.policy
    import zipfile

    from dj_addin.demo.cycle import INBOX

    first, last = uni.colleges[0], uni.colleges[-1]
    inbox = run.out_dir / first.book.folder / INBOX
    emls = list(inbox.glob("*.eml"))
    assert len(emls) == 1
    msg = email.message_from_bytes(emls[0].read_bytes(), policy=email.policy.default)
    attachments = [p for p in msg.walk() if p.get_filename()]
    assert [p.get_filename() for p in attachments] == [run.exports[first.branches[0].code].out.name]
    assert attachments[0].get_payload(decode=True) == run.exports[first.branches[0].code].out.read_bytes()
    assert msg["Date"] and msg["Subject"] and first.branches[0].name in msg["Subject"]
    zips = list((run.out_dir / last.book.folder / INBOX).glob("*.zip"))
    assert len(zips) == 1
    with zipfile.ZipFile(zips[0]) as zf:
        assert sorted(zf.namelist()) == sorted(run.exports[b.code].out.name for b in last.branches[:2])
    sent = {p.name for c in uni.colleges for p in (run.out_dir / c.book.folder / INBOX).iterdir()}
    assert not any(last.branches[-1].code in name for name in sent)  # left out on purpose


def test_merge_up_names_the_branch_that_did_not_submit(run, uni):
    pytest.importorskip("dj_addin.aggregate")
    last = uni.colleges[-1]
    missing = json.dumps(run.merges[last.book.code].as_json()["missing_units"], ensure_ascii=False)
    assert last.branches[-1].code in missing
    top = read_book(run.out_dir / f"{uni.book.code}_{uni.book.name}_{YEAR}_汇总.xlsx")
    included = {b.code for b in uni.branches()} - {last.branches[-1].code}
    assert set(top.frame("roster")["branch_code"]) <= included
    assert any("未报送" in line and last.branches[-1].code in line for line in run.lines)
