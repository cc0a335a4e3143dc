"""interfaces.md's writing rules, as a secretary meets them at the command line:
-o never replaces a file unasked, --in-place keeps the original and refuses an
open book, links stay links, several books and folders at once, JSON error
documents, a closed pipe keeps the exit code, bare `dj` is help."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builders import clean_rows, make_book
from dj_addin import schema
from dj_addin.cli import main

ROOT = Path(__file__).resolve().parents[1]


def invoke(*args, env=None):
    return CliRunner(env=env).invoke(main, [str(a) for a in args])


@pytest.fixture
def book(tmp_path) -> Path:
    return make_book(tmp_path / "支部A.xlsx", rows=clean_rows())


def bad_book(path: Path, n_bad: int = 1) -> Path:
    rows = clean_rows()
    template = dict(rows["contact_log"][0])
    rows["contact_log"] = rows["contact_log"] + [dict(template, date="2026-13-05") for _ in range(n_bad)]
    return make_book(path, rows=rows)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- -o ------------------------------------------------------------------------------

def test_o_refuses_an_existing_file_unless_forced(tmp_path, book):
    other = make_book(tmp_path / "支部B.xlsx", rows=clean_rows())
    before = other.read_bytes()
    result = invoke("validate", book, "-o", other)
    assert result.exit_code == 2 and "已存在" in result.stderr and "--force" in result.stderr
    assert other.read_bytes() == before
    forced = invoke("validate", book, "-o", other, "--force")
    assert forced.exit_code == 0, forced.output
    assert other.read_bytes() != before and schema.FINDINGS.name in openpyxl.load_workbook(other).sheetnames


@pytest.mark.parametrize("command", ["validate", "run", "score", "rollup", "clear-marks"])
def test_o_is_never_the_input_or_a_backup_even_forced(tmp_path, book, command):
    link = tmp_path / "链接.xlsx"
    link.symlink_to(book)
    backup = tmp_path / "支部A.bak-原始.xlsx"
    backup.write_bytes(book.read_bytes())
    before = book.read_bytes()
    for out, needle in ((book, "指向了原文件"), (link, "指向了原文件"), (backup, "备份")):
        result = invoke(command, book, "-o", out, "--force")
        assert result.exit_code == 2 and needle in result.stderr, (out, result.output)
    assert book.read_bytes() == before and backup.read_bytes() == before


def test_o_naming_another_input_is_refused(tmp_path, book):
    other = make_book(tmp_path / "支部B.xlsx", rows=clean_rows())
    before = other.read_bytes()
    result = invoke("validate", book, other, "-o", other, "--force")
    assert result.exit_code == 2 and other.read_bytes() == before


def test_o_into_a_missing_folder_or_onto_a_folder_names_the_destination(tmp_path, book):
    missing = tmp_path / "没有的文件夹" / "结果.xlsx"
    result = invoke("validate", book, "-o", missing)
    assert result.exit_code == 2 and "没有的文件夹" in result.stderr and ".~dj-" not in result.stderr
    folder = tmp_path / "结果.xlsx"
    folder.mkdir()
    result = invoke("validate", book, "-o", folder, "--force")
    assert result.exit_code == 2 and "结果.xlsx" in result.stderr and "文件夹" in result.stderr
    assert ".~dj-" not in result.stderr
    assert files_in(tmp_path) == ["支部A.xlsx", "结果.xlsx"]


@pytest.mark.parametrize("errno_, needle", [(30, "只读"), (28, "磁盘空间不足")])
def test_read_only_or_full_output_folder_is_one_line_naming_the_destination(tmp_path, book, monkeypatch,
                                                                             errno_, needle):
    """A read-only folder (EROFS) and a full disk (ENOSPC, while writing): one line that names
    the file the user asked for, the input untouched, no temporary file left."""
    from dj_addin.xlsx import atomic

    def failing_write(src, dst, *a, **k):
        raise OSError(errno_, os.strerror(errno_), str(dst))

    if errno_ == 30:
        monkeypatch.setattr(atomic, "_mkstemp", lambda folder, suffix: failing_write(None, folder / "x"))
    else:
        from dj_addin.xlsx import splice

        monkeypatch.setattr(splice, "save_fast", lambda src, tmp, *a, **k: failing_write(src, tmp))
    before = book.read_bytes()
    for args in (["-o", tmp_path / "结果.xlsx"], ["--in-place"]):
        result = invoke("validate", book, *args)
        assert result.exit_code == 2, result.output
        assert needle in result.stderr and ".~dj-" not in result.stderr
        assert "结果.xlsx" in result.stderr or "支部A" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert book.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~dj-")]


# -- --in-place -------------------------------------------------------------------------

def test_in_place_keeps_the_original_forever_and_five_recent_backups(tmp_path):
    book = bad_book(tmp_path / "支部A.xlsx")
    original = book.read_bytes()
    versions = []
    for _ in range(8):
        versions.append(book.read_bytes())
        result = invoke("validate", book, "--in-place")
        assert result.exit_code == 1, result.output
        assert "原文件备份" in result.output
    assert (tmp_path / "支部A.bak-原始.xlsx").read_bytes() == original
    stamped = sorted(p for p in tmp_path.iterdir() if p.name.startswith("支部A.bak-2"))
    assert len(stamped) == 5
    # the newest backup is the book as it was before the last run
    from dj_addin.xlsx.atomic import timestamped_backups

    assert timestamped_backups(book)[-1].read_bytes() == versions[-1]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~dj-")]


@pytest.mark.parametrize("owner", ["~$支部A.xlsx", "~$A.xlsx", ".~lock.支部A.xlsx#"])
def test_in_place_refuses_a_book_open_in_excel_or_wps(tmp_path, book, owner):
    (tmp_path / owner).write_bytes(b"\x00" * 165)
    before = book.read_bytes()
    result = invoke("run", book, "--in-place")
    assert result.exit_code == 2 and "关闭" in result.stderr and owner in result.stderr
    assert book.read_bytes() == before and not (tmp_path / "支部A.bak-原始.xlsx").exists()
    forced = invoke("run", book, "--in-place", "--force")
    assert forced.exit_code in (0, 1) and book.read_bytes() != before


def test_in_place_through_a_symbolic_link_updates_the_target(tmp_path):
    real_dir = tmp_path / "真实"
    real_dir.mkdir()
    target = bad_book(real_dir / "支部A.xlsx")
    link = tmp_path / "快捷.xlsx"
    link.symlink_to(target)
    original = target.read_bytes()
    result = invoke("validate", link, "--in-place")
    assert result.exit_code == 1, result.output
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_bytes() != original
    assert schema.FINDINGS.name in openpyxl.load_workbook(target).sheetnames
    assert (real_dir / "支部A.bak-原始.xlsx").read_bytes() == original


# -- several books ------------------------------------------------------------------------

@pytest.fixture
def folder(tmp_path) -> Path:
    d = tmp_path / "学院"
    (d / "子").mkdir(parents=True)
    make_book(d / "一支部.xlsx", rows=clean_rows())
    bad_book(d / "子" / "二支部.xlsx")
    (d / "坏.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    (d / "~$一支部.xlsx").write_bytes(b"\x00" * 165)
    (d / "一支部.bak-原始.xlsx").write_bytes(b"old")
    (d / "说明.txt").write_text("不是工作簿", encoding="utf-8")
    return d


def test_several_books_and_folders_one_line_each_and_a_total(folder, tmp_path):
    extra = make_book(tmp_path / "三支部.xlsx", rows=clean_rows())
    result = invoke("validate", folder, extra)
    assert result.exit_code == 2, result.output  # the damaged book; the others were still checked
    out = result.stdout
    assert "一支部.xlsx：错误 0 个" in out and "二支部.xlsx：错误 1 个" in out and "三支部.xlsx：错误 0 个" in out
    assert "坏.xlsx：无法处理" in out and "合计：4 个工作簿，已处理 3 个" in out
    for skipped in ("~$一支部.xlsx", "一支部.bak-原始.xlsx", "说明.txt"):
        assert f"跳过：{folder / skipped}" in out
    assert "1 个工作簿无法处理" in result.stderr


def test_several_books_json(folder):
    result = invoke("run", folder, "--json", "--as-of", "2026-12-31")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert set(doc) == {"files", "skipped"}
    by_name = {Path(d["path"]).name: d for d in doc["files"]}
    assert set(by_name) == {"一支部.xlsx", "二支部.xlsx", "坏.xlsx"}
    assert by_name["二支部.xlsx"]["counts"]["错误"] == 1 and "members" in by_name["二支部.xlsx"]
    assert by_name["坏.xlsx"]["error"].startswith("错误：") and by_name["坏.xlsx"]["file"] == "坏.xlsx"
    assert {Path(s["file"]).name for s in doc["skipped"]} == {"~$一支部.xlsx", "一支部.bak-原始.xlsx", "说明.txt"}


def test_exit_code_is_the_highest(tmp_path):
    good = make_book(tmp_path / "好.xlsx", rows=clean_rows())
    bad = bad_book(tmp_path / "错.xlsx")
    assert invoke("validate", good, good).exit_code == 0
    assert invoke("validate", good, bad).exit_code == 1


def test_out_dir_writes_same_names_and_o_is_refused_for_several(folder, tmp_path):
    books = [folder / "一支部.xlsx", folder / "子" / "二支部.xlsx"]
    before = [b.read_bytes() for b in books]
    refused = invoke("score", *books, "-o", tmp_path / "x.xlsx")
    assert refused.exit_code == 2 and "--out-dir" in refused.stderr
    out = tmp_path / "结果"
    result = invoke("score", *books, "--out-dir", out)
    assert result.exit_code == 1, result.output
    assert files_in(out) == ["一支部.xlsx", "二支部.xlsx"]
    assert schema.RESULTS.name in openpyxl.load_workbook(out / "二支部.xlsx").sheetnames
    assert [b.read_bytes() for b in books] == before
    again = invoke("score", *books, "--out-dir", out)
    assert again.exit_code == 2 and again.stdout.count("已存在") == 2
    assert invoke("score", *books, "--out-dir", out, "--force").exit_code == 1
    into_own = invoke("validate", books[0], books[0], "--out-dir", folder)  # the same folder: the input itself
    assert into_own.exit_code == 2 and books[0].read_bytes() == before[0]


def test_two_books_of_one_name_never_replace_each_other(tmp_path):
    (tmp_path / "甲").mkdir()
    (tmp_path / "乙").mkdir()
    a = make_book(tmp_path / "甲" / "支部.xlsx", rows=clean_rows())
    b = bad_book(tmp_path / "乙" / "支部.xlsx")
    out = tmp_path / "结果"
    result = invoke("validate", a, b, "--out-dir", out, "--force")
    assert result.exit_code == 2 and "同名" in result.stdout
    assert files_in(out) == ["支部.xlsx"]
    assert openpyxl.load_workbook(out / "支部.xlsx")[schema.FINDINGS.name].max_row <= 2  # the first book's (clean) result


# -- error documents, pipes, help ------------------------------------------------------------

@pytest.mark.parametrize("args, needle", [
    (["validate", "没有.xlsx", "--json"], "找不到"),
    (["run", "BOOK", "--as-of", "明天", "--json"], "--as-of"),
    (["score", "BOOK", "-o", "x.csv", "--json"], "扩展名"),
])
def test_json_error_document_on_exit_2(book, args, needle):
    args = [str(book) if a == "BOOK" else a for a in args]
    result = invoke(*args)
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert set(doc) == {"error", "file"} and needle in doc["error"]
    assert doc["error"] == result.stderr.strip()


def test_exit_code_kept_when_stdout_closes_early(tmp_path):
    book = bad_book(tmp_path / "支部A.xlsx", n_bad=400)
    proc = subprocess.Popen([sys.executable, "-c", "from dj_addin.cli import main; main()", "validate", str(book),
                             "--json", "--as-of", "2026-12-31"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 1, err
    assert "Traceback" not in err and "Exception" not in err


def test_bare_dj_prints_help_without_an_error():
    result = subprocess.run([sys.executable, "-c", "from dj_addin.cli import main; main()"], capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 0 and "validate" in result.stdout and "党建助手" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("value", ["-1", "0", "abc", "inf", "nan"])
def test_size_limit_setting_that_makes_no_sense(book, value):
    result = invoke("validate", book, env={"DJ_MAX_FILE_MB": value})
    assert result.exit_code == 2 and "DJ_MAX_FILE_MB" in result.stderr and "正数" in result.stderr
    assert "-1048576" not in result.stderr


@pytest.mark.parametrize("command", ["rollup", "score", "run"])
def test_summaries_show_the_first_findings(tmp_path, command):
    book = bad_book(tmp_path / "支部A.xlsx", n_bad=15)
    result = invoke(command, book, "--as-of", "2026-12-31")
    assert result.exit_code == 1
    shown = [line for line in result.stdout.splitlines() if line.startswith("  [错误]")]
    assert len(shown) == 10 and all("联系日期" in line for line in shown)
    assert "另有 5 条" in result.stdout


def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    for command in ("validate", "rollup", "score", "run", "clear-marks"):
        result = subprocess.run([sys.executable, "-c", "from dj_addin.cli import main; main()", command, str(fifo)],
                                capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert result.returncode == 2 and "不是普通文件" in result.stderr, (command, result.stderr)


def test_a_long_value_is_cut_in_the_terminal(tmp_path):
    rows = clean_rows()
    rows["roster"][0] = dict(rows["roster"][0], category="类" * 30000)
    book = make_book(tmp_path / "长.xlsx", rows=rows)
    result = invoke("validate", book)
    assert "（共 30000 个字符）" in result.stdout and "类" * 200 not in result.stdout
    doc = json.loads(invoke("validate", book, "--json").stdout)  # machines get the value whole
    assert any(f["value"] == "类" * 30000 for f in doc["findings"])


def test_serials_below_one_are_shown_as_typed(tmp_path):
    def edit(wb):
        ws = wb[schema.CONTACT_LOG.name]
        for r, v in ((2, -1), (3, 0), (4, 0.5)):
            ws.cell(r, 1).value, ws.cell(r, 1).number_format = v, "yyyy-mm-dd"
    book = make_book(tmp_path / "序号.xlsx", rows=clean_rows(), edit=edit)
    doc = json.loads(invoke("validate", book, "--json", "--as-of", dt.date(2026, 12, 31).isoformat()).stdout)
    shown = {f["row"]: f["value"] for f in doc["findings"] if f["field"] == "联系日期"}
    assert shown == {2: "-1", 3: "0", 4: "0.5"}
