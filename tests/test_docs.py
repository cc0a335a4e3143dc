"""docs/ is the workbook reference generated from the schema: the committed
files are exactly what `dj docs` writes, and they say what the schema says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from dj_addin import docs, schema
from dj_addin.cli import main
from dj_addin.rules import RULES

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def test_committed_docs_are_the_generated_ones():
    for name, text in docs.render().items():
        assert (DOCS / name).is_file(), f"docs/{name} missing: run `dj docs`"
        assert (DOCS / name).read_text(encoding="utf-8") == text, f"docs/{name} is stale: run `dj docs`"


def test_reference_names_every_sheet_column_alias_rule_and_setting():
    workbook, validation = docs.workbook_md(), docs.validation_md()
    for sheet in schema.ALL_SHEETS:
        assert f"### {sheet.name}" in workbook or f"| {sheet.name} |" in workbook, sheet.name
        for col in sheet.columns:
            if sheet is not schema.SCORING_RULES:
                assert f"| {col.header} | `{col.key}` |" in workbook, (sheet.name, col.header)
            for alias in col.aliases:
                assert alias in workbook, alias
    for setting in schema.SCORING_SETTINGS:
        assert f"| {setting.name} | `{setting.key}` |" in workbook
    for table in schema.SYNONYMS.values():
        for typed, value in table.items():
            assert f"| {typed} | {value} |" in workbook, typed
    for code, rule in RULES.items():
        assert f"| {code} | {rule.level} |" in validation, code
    assert "学工号" in workbook and "the template fills a lookup formula: 党员名册.姓名" in workbook


def test_reference_changes_with_the_schema(monkeypatch):
    monkeypatch.setattr(schema, "TEMPLATE_VERSION", "9.9")
    assert "Template version 9.9." in docs.workbook_md()


def test_dj_docs_writes_and_checks(tmp_path):
    runner = CliRunner()
    out = tmp_path / "ref"
    assert runner.invoke(main, ["docs", "--check", "-o", str(out)]).exit_code == 1  # nothing there yet
    result = runner.invoke(main, ["docs", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(docs.render())
    assert runner.invoke(main, ["docs", "--check", "-o", str(out)]).exit_code == 0
    (out / docs.VALIDATION_MD).write_text("edited by hand\n", encoding="utf-8")
    stale = runner.invoke(main, ["docs", "--check", "-o", str(out)])
    assert stale.exit_code == 1 and docs.VALIDATION_MD in stale.output


def test_python_m_dj_addin_docs(tmp_path):
    done = subprocess.run([sys.executable, "-m", "dj_addin.docs", str(tmp_path)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / docs.WORKBOOK_MD).read_text(encoding="utf-8") == docs.workbook_md()


def _repository_files():
    yield from (REPO / n for n in ("README.md", "pyproject.toml", ".ci/run", "workbook_template.xlsx"))
    for folder in ("dj_addin", "tests", "bench", "docs"):
        yield from (p for p in (REPO / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def test_nothing_in_the_repository_points_outside_it():
    """README, code and docs never point to ../shared; only the spec-comparison test may."""
    allowed = {REPO / "tests" / "test_schema.py", Path(__file__).resolve()}
    offenders = []
    for path in _repository_files():
        if path in allowed or path.suffix not in {".py", ".md", ".toml", ""} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "../shared" in text or "shared/spec" in text or "shared/NOTES" in text:
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_readme_layout_names_every_package_folder():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Repository layout", 1)[1].split("```", 2)[1]
    folders = sorted(p.parent.relative_to(REPO / "dj_addin").as_posix() for p in (REPO / "dj_addin").rglob("__init__.py")
                     if p.parent != REPO / "dj_addin")
    missing = [f for f in folders if f"{f.rsplit('/', 1)[-1]}/" not in layout]
    assert missing == [] and "docs/" in layout
