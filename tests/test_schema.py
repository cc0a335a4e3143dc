"""The schema covers workbook.md: every sheet, every header, every list.

The spec is read from ../shared/spec/workbook.md, beside the repository in
development and CI (``DJ_SPEC_DIR`` points elsewhere, e.g. from a git
worktree), and parsed, so a header renamed in either place fails. A clone
without the spec skips these tests, except under ``CI=true``, where the spec
is always copied beside the clone: there a missing spec fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from dj_addin import schema

SPEC_DIR = Path(os.environ.get("DJ_SPEC_DIR") or Path(__file__).resolve().parents[2] / "shared" / "spec")
SPEC = SPEC_DIR / "workbook.md"


@pytest.fixture(autouse=True)
def spec_present() -> None:
    if SPEC.exists():
        return
    reason = f"the spec is not at {SPEC} (set DJ_SPEC_DIR to its folder)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; required when CI=true", pytrace=False)
    pytest.skip(reason)


def spec_sections() -> dict[str, str]:
    text = SPEC.read_text(encoding="utf-8")
    body = text.split("## Sheets", 1)[1].split("## Output sheets", 1)[0]
    sections = {}
    for part in re.split(r"^### ", body, flags=re.M)[1:]:
        title, _, rest = part.partition("\n")
        sections[title.split()[0]] = rest
    return sections


def spec_headers(section: str) -> list[str]:
    """Headers of a section: first cells of its table, or the names before
    each '(' in a '·'-separated list."""
    lines = section.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), None)
    rows = []
    for line in lines[start:] if start is not None else []:  # the first table only
        if not line.startswith("|"):
            break
        rows.append(line)
    if rows:
        names = []
        for line in rows[2:]:
            cell = line.split("|")[1].strip()
            names.extend(n.strip() for n in cell.split("·"))
        return [n for n in names if n]
    flat = " ".join(section.split("\n\n")[0].split())
    return [m.strip() for m in re.findall(r"(?:^|·)\s*([^\s·(（]+)", flat)]


def test_every_sheet_of_the_spec_is_in_the_schema_in_order() -> None:
    names = list(spec_sections())
    assert names == [s.name for s in schema.SHEETS]


@pytest.mark.parametrize("sheet", [s for s in schema.SHEETS if s.kind in (schema.SheetKind.DATA,)],
                         ids=lambda s: s.key)
def test_data_sheet_headers_match_the_spec(sheet: schema.Sheet) -> None:
    assert sheet.headers == spec_headers(spec_sections()[sheet.name])


def test_basic_info_items_match_the_spec() -> None:
    assert schema.META.headers == spec_headers(spec_sections()[schema.META.name])


def test_required_sheets_are_the_four_of_the_spec() -> None:
    text = " ".join(SPEC.read_text(encoding="utf-8").split())
    listed = re.search(r"only four\s+sheets are required: ([^.]+)\.", text).group(1)
    assert sorted(s.name for s in schema.REQUIRED_SHEETS) == sorted(n.strip() for n in listed.split(","))


def test_enum_lists_match_the_spec() -> None:
    text = SPEC.read_text(encoding="utf-8")
    for sheet in schema.SHEETS:
        for col in sheet.columns:
            if col.type is not schema.ColType.ENUM or col.key == "metric":
                continue
            listed = "enum(" + ", ".join(col.choices) + ")"
            assert listed in re.sub(r"\s+", " ", text).replace(",\n", ", "), (sheet.name, col.header)


def test_sensitive_columns_are_the_phone_numbers() -> None:
    sensitive = {(s.name, c.header) for s in schema.SHEETS for c in s.columns if c.sensitive}
    assert sensitive == {("基本信息", "联系电话"), ("党员名册", "联系电话"), ("联系对象", "联系电话")}


def test_metrics_and_default_quotas_match_the_spec() -> None:
    section = spec_sections()[schema.QUOTAS.name]
    metrics = re.findall(r"^- (\S+?):", section, flags=re.M)
    assert tuple(metrics) == schema.METRICS
    table = [line for line in section.splitlines() if re.match(r"\| Q\d\d", line)]
    parsed = [tuple(c.strip() for c in line.strip("|").split("|")) for line in table]
    expected = [tuple(str(v if not isinstance(v, float) or not v.is_integer() else int(v)) for v in q)
                for q in schema.DEFAULT_QUOTAS]
    assert parsed == expected


def test_scoring_settings_cover_scoring_md() -> None:
    scoring = (SPEC.parent / "scoring.md").read_text(encoding="utf-8")
    keys_section = scoring.split("## 评分规则 keys and defaults", 1)[1].split("##", 1)[0]
    names = []
    for line in [x for x in keys_section.splitlines() if x.startswith("|")][2:]:
        if line.startswith("|"):
            names.extend(n.strip() for n in line.split("|")[1].split("/"))
    assert names == [s.name for s in schema.SCORING_SETTINGS]


def test_every_alias_of_the_spec_is_accepted() -> None:
    text = SPEC.read_text(encoding="utf-8")
    table = text.split("## Header aliases", 1)[1].split("##", 1)[0]
    for line in table.splitlines()[4:]:
        if not line.startswith("|"):
            continue
        header, aliases = (c.strip() for c in line.strip("|").split("|"))
        header = header.split(" (")[0]
        aliases = re.sub(r"\s*\([^)]*\)", "", aliases)  # "(on 党员名册 and 联系对象 only, …)"
        sheet = next(s for s in (schema.ROSTER, schema.CONTACT_LOG) if header in s.headers)
        col = next(c for c in sheet.columns if c.header == header)
        assert set(a.strip() for a in aliases.split(",")) <= set(col.aliases), header
