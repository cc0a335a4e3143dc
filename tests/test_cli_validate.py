"""``dj validate`` and ``dj clear-marks`` called in-process: exit codes, JSON, files."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from dj_addin.cli import main
from dj_addin.commands import validate as validate_cmd
from dj_addin.schema import FINDINGS, MARK_NOTE_PREFIX
from dj_addin.xlsx.save import MARKS_SHEET
from test_write_support import LOG, finding, make_workbook, sample_report, snapshot



@pytest.fixture
def book(tmp_path):
    return make_workbook(tmp_path / "支部A.xlsx")


@pytest.fixture
def fake_validation(monkeypatch):
    """Stand in for the core's validation; records the as-of date it was given."""
    seen = {}

    def install(report):
        def run(data, as_of, file):
            seen["as_of"], seen["file"] = as_of, file
            report.as_of = as_of or report.as_of
            return report
        monkeypatch.setattr(validate_cmd, "run_validation", run)
        return seen

    return install


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_report_only_leaves_file_byte_identical(book, fake_validation):
    seen = fake_validation(sample_report())
    original = book.read_bytes()
    result = invoke("validate", book, "--as-of", "2026/6/30")
    assert result.exit_code == 1
    assert book.read_bytes() == original
    assert sorted(p.name for p in book.parent.iterdir()) == [book.name]
    assert str(seen["as_of"]) == "2026-06-30" and seen["file"] == book.name
    assert "错误 1 个" in result.output and f"【{LOG}】" in result.output
    assert "[错误] A2：第2行「联系日期」不是有效日期" in result.output


def test_json_is_exactly_the_report(book, fake_validation):
    report = sample_report()
    fake_validation(report)
    result = invoke("validate", book, "--as-of", "2026-12-31", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc == json.loads(json.dumps(report.as_json(), ensure_ascii=False))
    assert list(doc) == ["file", "as_of", "counts", "findings"] and doc["counts"] == {"错误": 1, "警告": 2, "提示": 2}


def test_exit_zero_without_errors(book, fake_validation):
    fake_validation(sample_report([finding("警告", LOG, 3, "B")]))
    assert invoke("validate", book).exit_code == 0
    fake_validation(sample_report([]))
    result = invoke("validate", book)
    assert result.exit_code == 0 and "未发现问题" in result.output


def test_output_file_gets_findings_and_marks(book, tmp_path, fake_validation):
    fake_validation(sample_report())
    original = book.read_bytes()
    out = tmp_path / "结果.xlsx"
    result = invoke("validate", book, "-o", out)
    assert result.exit_code == 1, result.output
    assert book.read_bytes() == original
    wb = openpyxl.load_workbook(out)
    assert FINDINGS.name in wb.sheetnames
    assert wb[LOG]["A2"].comment.text.startswith(MARK_NOTE_PREFIX)
    assert str(out) in result.output


def test_in_place_keeps_backup_and_clear_marks_restores(book, fake_validation):
    fake_validation(sample_report())
    before, original = snapshot(book), book.read_bytes()
    assert invoke("validate", book, "--in-place").exit_code == 1
    bak = book.with_name("支部A.bak-原始.xlsx")
    assert bak.read_bytes() == original
    assert MARKS_SHEET in openpyxl.load_workbook(book).sheetnames
    counted = invoke("clear-marks", book)
    assert counted.exit_code == 0 and "4 个单元格" in counted.output
    result = invoke("clear-marks", book, "--in-place", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["restored"] == 4
    assert snapshot(book) == before


@pytest.mark.parametrize("command, args, needle", [
    ("validate", ["-o", "x.xlsx", "--in-place"], "只能选一个"),
    ("clear-marks", ["-o", "x.xlsx", "--in-place"], "只能选一个"),
    ("validate", ["--as-of", "2026-13-45"], "--as-of"),
])
def test_usage_errors_exit_2_with_one_line(book, fake_validation, command, args, needle):
    fake_validation(sample_report())
    original = book.read_bytes()
    result = invoke(command, book, *args)
    assert result.exit_code == 2
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output + result.stderr
    assert book.read_bytes() == original


def test_unreadable_file_exit_2(tmp_path, fake_validation):
    fake_validation(sample_report())
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"not a zip at all")
    for cmd in ("validate", "clear-marks"):
        result = invoke(cmd, bad)
        assert result.exit_code == 2 and result.stderr.startswith("错误：")
        assert "Traceback" not in result.output + result.stderr
    missing = invoke("validate", tmp_path / "没有.xlsx")
    assert missing.exit_code == 2 and "找不到" in missing.stderr


def test_end_to_end_with_the_real_validation(tmp_path):
    """The core's validation, the CLI and the writer together on a workbook with one bad date."""
    import datetime as dt

    from builders import make_book

    book = make_book(tmp_path / "支部B.xlsx", rows={
        "roster": [{"member_id": "M1", "name": "党员M1", "category": "教职工党员", "status": "正式党员"}],
        "targets": [{"target_id": "T1", "name": "对象T1", "target_type": "普通教职工", "member_id": "M1"}],
        "contact_log": [
            {"date": dt.date(2026, 3, 5), "member_id": "M1", "target_id": "T1", "method": "谈心谈话",
             "content": "了解思想和工作情况"},
            {"date": "2026-13-05", "member_id": "M1", "target_id": "T1", "method": "谈心谈话",
             "content": "了解思想和工作情况"},
        ]})
    original = book.read_bytes()
    result = invoke("validate", book, "--as-of", "2026-12-31", "--json")
    doc = json.loads(result.stdout)
    bad = [f for f in doc["findings"] if f["rule"] == "C002"]
    assert result.exit_code == 1 and len(bad) == 1 and bad[0]["sheet"] == LOG
    assert book.read_bytes() == original
    out = tmp_path / "结果.xlsx"
    assert invoke("validate", book, "--as-of", "2026-12-31", "-o", out).exit_code == 1
    ws = openpyxl.load_workbook(out)[LOG]
    cell = ws[f"{bad[0]['column']}{bad[0]['row']}"]
    assert cell.value == "2026-13-05" and cell.comment.text.startswith(MARK_NOTE_PREFIX)


def test_summary_lists_the_first_twenty(book, fake_validation):
    fake_validation(sample_report([finding("警告", LOG, r, "G", message=f"第{r}行内容偏短") for r in range(2, 27)]))
    result = invoke("validate", book)
    assert result.exit_code == 0
    assert "第21行内容偏短" in result.output and "第22行内容偏短" not in result.output
    assert "另有 5 条" in result.output
