"""下发 (``dj_addin.split.split_book``, ``dj split``): one pre-filled workbook per
unit of 下级单位, with its own members and contacts and the upper level's settings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dj_addin import schema
from dj_addin.cli import main
from dj_addin.errors import DjError, UsageError
from dj_addin.split import split_book
from dj_addin.xlsx.reader import read_book
from tests.builders import make_book

QUOTAS = [("Q1", "每季度联系", "全体党员", "联系次数", "季度", 3, 1)]


def _member(mid: str, branch: str | None, **kw) -> dict:
    return {"member_id": mid, "name": f"党员{mid}", "category": "教职工党员", "status": "正式党员",
            "branch_code": branch, **kw}


def _college(tmp_path: Path) -> Path:
    units = [{"unit_code": "D0101", "unit_name": "一支部", "unit_level": "党支部", "leader": "张书记"},
             {"unit_code": "D0102", "unit_name": "二/支部", "unit_level": "党支部"},
             {"unit_code": "D0103", "unit_name": "空支部", "unit_level": "党支部"}]
    roster = [_member("M1", "D0101", phone="13812345678", 籍贯="江州", note="链接"),
              _member("M2", "d0101", join_date="2026-13-01"),  # IDs compare case-insensitively; bad date kept
              _member("M3", "D0102"),
              _member("M9", None)]  # the college's own member: goes to no unit
    targets = [{"target_id": "T1", "name": "王五", "target_type": "学生", "member_id": "M1"},
               {"target_id": "T2", "name": "赵六", "target_type": "学生", "member_id": "M3"},
               {"target_id": "T3", "name": "钱七", "target_type": "学生", "member_id": "M404"}]
    return make_book(tmp_path / "college.xlsx",
                     meta={"unit_code": "C01", "unit_name": "机械学院党委", "unit_level": "学院党委"},
                     rows={"units": units, "roster": roster, "targets": targets},
                     columns={"roster": [*schema.ROSTER.keys, "籍贯"]},
                     quotas=QUOTAS, scoring_rules={"w_quota": 0.5}, edit=_formula_like_text)


def _formula_like_text(wb) -> None:
    """M1's 备注 is text that looks like a formula (as another program may export it)."""
    cell = wb["党员名册"].cell(row=2, column=schema.ROSTER.keys.index("note") + 1)
    cell.value, cell.data_type = '=HYPERLINK("http://x")', "s"


def test_one_workbook_per_unit_with_its_members_and_contacts(tmp_path):
    src = _college(tmp_path)
    out = tmp_path / "下发"
    done: list[tuple[int, int, str]] = []
    result = split_book(src, out, progress=lambda *a: done.append(a))
    names = sorted(p.name for p in out.iterdir())
    assert names == ["D0101_一支部_2026.xlsx", "D0102_二_支部_2026.xlsx", "D0103_空支部_2026.xlsx"]
    assert done[-1][:2] == (3, 3)
    one = read_book(out / "D0101_一支部_2026.xlsx")
    meta = one.meta
    assert (meta.get("unit_code"), meta.get("unit_name"), meta.get("unit_level")) == ("D0101", "一支部", "党支部")
    assert (meta.get("parent_code"), meta.get("parent_name"), meta.get("year")) == ("C01", "机械学院党委", 2026)
    assert meta.get("secretary") == "张书记"
    roster = one.frame("roster")
    assert roster["member_id"].tolist() == ["M1", "M2"]
    assert roster["phone"].tolist()[0] == "13812345678"  # handed down, not masked
    assert roster["籍贯"].tolist()[0] == "江州"  # extra column kept
    assert one.table("roster").as_found()["join_date"].tolist() == ["2026-13-01"]  # as typed
    assert one.frame("targets")["target_id"].tolist() == ["T1"]
    import openpyxl
    ws = openpyxl.load_workbook(out / "D0101_一支部_2026.xlsx")["党员名册"]
    note = ws.cell(row=2, column=schema.ROSTER.keys.index("note") + 1)
    assert note.value == '=HYPERLINK("http://x")' and note.data_type == "s"  # text from a workbook stays text
    assert one.frame("quotas")["code"].tolist() == ["Q1"]  # the upper level's, not the template's
    assert one.scoring_rules.get("w_quota") == 0.5
    assert read_book(out / "D0102_二_支部_2026.xlsx").frame("targets")["target_id"].tolist() == ["T2"]
    empty = read_book(out / "D0103_空支部_2026.xlsx")
    assert empty.frame("roster").empty and empty.meta.get("unit_code") == "D0103"
    text = "\n".join(result.warnings)
    assert "D0103" in text and "1 名党员" in text and "1 名联系对象" in text
    assert [len(u.roster) for u in result.units] == [2, 1, 0]


def test_existing_files_are_not_overwritten_unless_forced(tmp_path):
    src = _college(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    keep = out / "D0102_二_支部_2026.xlsx"
    keep.write_bytes(b"the branch's own work")
    with pytest.raises(UsageError):
        split_book(src, out)
    assert sorted(p.name for p in out.iterdir()) == [keep.name]  # nothing written at all
    assert keep.read_bytes() == b"the branch's own work"
    split_book(src, out, force=True)
    assert read_book(keep).meta.get("unit_code") == "D0102"


def test_a_book_without_units_is_refused(tmp_path):
    src = make_book(tmp_path / "branch.xlsx", rows={"roster": [_member("M1", "D0101")]})
    with pytest.raises(DjError):
        split_book(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_split_json(tmp_path):
    src = _college(tmp_path)
    res = CliRunner().invoke(main, ["split", str(src), "--out", str(tmp_path / "o"), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [u["members"] for u in doc["units"]] == [2, 1, 0] and doc["warnings"]
    res = CliRunner().invoke(main, ["split", str(src), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "--force" in res.output


@pytest.mark.parametrize("seed", [3, 17])
def test_split_of_generated_colleges_hands_every_member_and_contact_down_once(tmp_path, seed):
    """Over demo-generated colleges: the split workbooks together hold exactly the
    college's members and contacts, each in its own branch, values unchanged."""
    import pandas as pd

    from dj_addin.demo import generate as demo
    from dj_addin.rows import concat_books
    from dj_addin.template.build import build_template
    from dj_addin.template.fill import append_rows, fill_workbook

    uni = demo.generate_university(seed, 2026, dt.date(2026, 11, 24))
    college = uni.colleges[-1]
    wb = build_template()
    fill_workbook(wb, college.book.meta, college.book.rows)
    for b in college.branches:
        append_rows(wb, "roster", b.rows["roster"])
        append_rows(wb, "targets", b.rows["targets"])
    src = tmp_path / "college.xlsx"
    wb.save(src)
    result = split_book(src, tmp_path / "out")
    assert [u.code for u in result.units] == [b.code for b in college.branches] and not result.warnings
    parts = [read_book(u.path) for u in result.units]
    for part, branch in zip(parts, college.branches):
        assert set(part.frame("roster")["branch_code"]) == {branch.code}
        assert part.meta.get("parent_code") == college.book.code
    original, merged = read_book(src), concat_books(parts)
    for key, id_col in (("roster", "member_id"), ("targets", "target_id")):
        a = original.table(key).for_writing().sort_values(id_col).reset_index(drop=True)
        b = merged.table(key).for_writing().sort_values(id_col).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=False, check_index_type=False)


def test_split_then_aggregate_returns_the_same_members_and_contacts(tmp_path):
    """下发 then 汇总: the merge of the split workbooks holds the college's members and
    contacts again (phones masked on the way up, as for any merge)."""
    pytest.importorskip("dj_addin.aggregate")
    from dj_addin.aggregate import aggregate
    from dj_addin.demo import generate as demo
    from dj_addin.template.build import build_template
    from dj_addin.template.fill import append_rows, fill_workbook

    uni = demo.generate_university(5, 2026, dt.date(2026, 11, 24))
    college = uni.colleges[0]
    wb = build_template()
    fill_workbook(wb, college.book.meta, college.book.rows)
    for b in college.branches:
        append_rows(wb, "roster", b.rows["roster"])
        append_rows(wb, "targets", b.rows["targets"])
    src = tmp_path / "college.xlsx"
    wb.save(src)
    result = split_book(src, tmp_path / "down")
    merged = aggregate([u.path for u in result.units], tmp_path / "up.xlsx", template=src,
                       as_of=dt.date(2026, 11, 24), workers=1)
    assert not merged.as_json()["returned"] and not merged.as_json()["missing_units"]
    original, back = read_book(src), read_book(tmp_path / "up.xlsx")
    for key, cols in (("roster", ["member_id", "name", "branch_code", "category", "status"]),
                      ("targets", ["target_id", "name", "member_id", "target_type"])):
        a = original.frame(key)[cols].sort_values(cols[0]).reset_index(drop=True)
        b = back.frame(key)[cols].sort_values(cols[0]).reset_index(drop=True)
        assert a.astype(str).equals(b.astype(str)), key
