"""The blank template: generated from the schema, deterministic, and the
committed ``workbook_template.xlsx`` is exactly what ``dj template`` writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from dj_addin.template import overview
from dj_addin.cellref import column_letter
from dj_addin import schema
from dj_addin.cli import main
from dj_addin.xlsx.reader import read_book
from dj_addin.schema import ColType, SheetKind
from dj_addin.template.build import DATA_ROWS, LISTS_SHEET, build_template, write_template

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "workbook_template.xlsx"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "template.xlsx")


@pytest.fixture(scope="module")
def wb(template) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


def _fingerprint(path: Path) -> dict[str, Any]:
    """What a user sees of a workbook, sheet by sheet, through openpyxl."""
    book = openpyxl.load_workbook(path)
    out: dict[str, Any] = {"sheets": book.sheetnames, "props": (book.properties.creator, book.properties.title)}
    for ws in book.worksheets:
        cells = {c.coordinate: (c.value, c.number_format, c.font.b, c.font.color.rgb if c.font.color else None,
                                c.fill.fgColor.rgb, c.alignment.wrap_text, c.border.left.style)
                 for row in ws.iter_rows() for c in row if c.value is not None or c.has_style}
        validations = sorted(
            (str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.prompt, dv.promptTitle, dv.error, dv.errorStyle)
            for dv in ws.data_validations.dataValidation)
        columns = {k: (d.width, d.number_format) for k, d in ws.column_dimensions.items()}
        out[ws.title] = {
            "cells": cells, "validations": validations, "columns": columns,
            "freeze": ws.freeze_panes, "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "state": ws.sheet_state, "print_titles": ws.print_title_rows,
            "orientation": ws.page_setup.orientation, "protected": ws.protection.sheet,
            "tab": ws.sheet_properties.tabColor.rgb if ws.sheet_properties.tabColor else None,
        }
    return out


def test_committed_template_is_the_generated_one(template):
    assert COMMITTED.exists(), "workbook_template.xlsx missing: run `dj template -o workbook_template.xlsx`"
    committed, fresh = _fingerprint(COMMITTED), _fingerprint(template)
    assert committed["sheets"] == fresh["sheets"]
    for name in fresh["sheets"]:
        for part in fresh[name]:
            assert committed[name][part] == fresh[name][part], (
                f"workbook_template.xlsx is stale ({name}: {part}); run `dj template -o workbook_template.xlsx`")


def test_generation_is_deterministic(tmp_path):
    a = write_template(tmp_path / "a.xlsx")
    b = write_template(tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()


def test_every_schema_sheet_and_header_in_order(wb):
    assert wb.sheetnames[: len(schema.SHEETS)] == [s.name for s in schema.SHEETS]
    assert wb.sheetnames[1] == schema.OVERVIEW.name
    for sheet in schema.OUTPUT_SHEETS:
        assert sheet.name not in wb.sheetnames
    for extra in wb.sheetnames[len(schema.SHEETS):]:  # helper sheets: hidden, no schema name
        assert extra not in schema.SHEETS_BY_NAME
        assert wb[extra].sheet_state == "hidden"
    for sheet in schema.DATA_SHEETS:
        ws = wb[sheet.name]
        assert [c.value for c in ws[1]] == sheet.headers  # exactly the schema's, no '*'
        assert ws.freeze_panes == "A2"
        assert ws.print_title_rows == "$1:$1"
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    for sheet in schema.KV_SHEETS:
        ws = wb[sheet.name]
        assert ws.print_title_rows == "$1:$1"
        assert (ws["A1"].value, ws["B1"].value) == sheet.kv_headers
        assert [ws.cell(row=r, column=1).value for r in range(2, 2 + len(sheet.columns))] == sheet.headers


def test_required_headers_look_different(wb):
    for sheet in schema.DATA_SHEETS:
        ws = wb[sheet.name]
        fills = {col.required: ws.cell(row=1, column=i).fill.fgColor.rgb
                 for i, col in enumerate(sheet.columns, start=1)}
        for i, col in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=i)
            assert cell.font.b and cell.alignment.wrap_text and cell.border.bottom.style == "thin"
            assert cell.fill.fgColor.rgb == fills[col.required]
        if len(fills) == 2:
            assert fills[True] != fills[False], sheet.name


def test_widths_and_formats_come_from_schema(wb):
    for sheet in schema.DATA_SHEETS:
        ws = wb[sheet.name]
        for i, col in enumerate(sheet.columns, start=1):
            dim = ws.column_dimensions[column_letter(i)]
            assert dim.width == col.width, (sheet.name, col.header)
            if col.type is ColType.DATE:
                assert dim.number_format == "yyyy-mm-dd", (sheet.name, col.header)
            if col.type in (ColType.ID, ColType.IDS):
                assert dim.number_format == "@", (sheet.name, col.header)


def _list_values(wb: openpyxl.Workbook, formula: str) -> list[str]:
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, ref = formula.split("!")
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[ref.replace("$", "")] for c in row]


def _validations_at(ws, coordinate: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


def test_drop_down_for_every_enum_and_bool_column(wb):
    checked = 0
    for sheet in schema.DATA_SHEETS:
        ws = wb[sheet.name]
        for i, col in enumerate(sheet.columns, start=1):
            if col.type not in (ColType.ENUM, ColType.BOOL):
                continue
            letter = column_letter(i)
            for coordinate in (f"{letter}2", f"{letter}{DATA_ROWS}"):
                lists = [dv for dv in _validations_at(ws, coordinate) if dv.type == "list"]
                assert len(lists) == 1, (sheet.name, col.header, coordinate)
                expected = list(col.choices) if col.type is ColType.ENUM else list(schema.BOOL_VALUES)
                assert _list_values(wb, lists[0].formula1) == expected
                assert lists[0].allow_blank
            checked += 1
    assert checked >= 20
    level = wb[schema.META.name].cell(row=2 + schema.META.keys.index("unit_level"), column=2).coordinate
    [dv] = _validations_at(wb[schema.META.name], level)
    assert _list_values(wb, dv.formula1) == list(schema.UNIT_LEVELS)


def test_validations_within_excel_limits(wb):
    """Excel refuses ("repairs") a file whose validation texts exceed its limits."""
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert len(dv.prompt or "") <= 255 and len(dv.error or "") <= 225, (ws.title, dv.sqref)
            assert len(dv.promptTitle or "") <= 32 and len(dv.errorTitle or "") <= 32, (ws.title, dv.sqref)
            if dv.type == "list" and dv.formula1.startswith('"'):
                assert len(dv.formula1) - 2 <= 255, (ws.title, dv.sqref)


def test_long_lists_live_on_hidden_sheet(wb):
    col = schema.QUOTAS.column("metric")
    letter = column_letter(schema.QUOTAS.keys.index("metric") + 1)
    [dv] = _validations_at(wb[schema.QUOTAS.name], f"{letter}2")
    assert dv.formula1.startswith(f"'{LISTS_SHEET}'!")
    assert _list_values(wb, dv.formula1) == list(col.choices)


def test_hints_are_input_messages(wb):
    ws = wb[schema.CONTACT_LOG.name]
    for key in ("date", "member_id", "content"):
        col = schema.CONTACT_LOG.column(key)
        letter = column_letter(schema.CONTACT_LOG.keys.index(key) + 1)
        [dv] = _validations_at(ws, f"{letter}2")
        assert dv.showInputMessage and col.hint in dv.prompt and dv.promptTitle == col.header


def _prompts(ws, letter: str) -> list[str]:
    return [dv.prompt for dv in _validations_at(ws, f"{letter}2") if dv.showInputMessage and dv.prompt]


def test_every_roster_id_and_date_column_has_a_hint(wb):
    """IDs pointing at 党员名册 say so; dates list the accepted forms (unless their hint shows one)."""
    roster_ids = dates = 0
    for sheet in schema.DATA_SHEETS:
        ws = wb[sheet.name]
        for i, col in enumerate(sheet.columns, start=1):
            prompts = _prompts(ws, column_letter(i))
            if col.ref == "roster":
                assert len(prompts) == 1, (sheet.name, col.header)
                if not col.hint:
                    assert schema.ROSTER.name in prompts[0], (sheet.name, col.header)
                roster_ids += 1
            if col.type is ColType.DATE:
                assert len(prompts) == 1 and "2026" in prompts[0], (sheet.name, col.header)
                if not col.hint:
                    assert schema.DATE_FORMS_TEXT in prompts[0], (sheet.name, col.header)
                dates += 1
    assert roster_ids >= 9 and dates >= 12
    for sheet, key in ((schema.RESEARCH, "member_id"), (schema.EVALUATION, "member_id")):
        [prompt] = _prompts(wb[sheet.name], overview.column_of(sheet, key))
        assert "填写党员名册中的党员编号" in prompt, sheet.name


def test_template_reads_back_empty_with_defaults(template):
    book = read_book(template)
    for sheet in schema.DATA_SHEETS:
        table = book.tables[sheet.key]
        assert table.found and not table.missing_columns, sheet.name
        if sheet is not schema.QUOTAS:
            assert len(table.data) == 0, sheet.name
    quotas = book.tables[schema.QUOTAS.key].data
    assert [tuple(r) for r in quotas[schema.QUOTAS.keys].itertuples(index=False)] == \
        [tuple(q) for q in schema.DEFAULT_QUOTAS]
    rules = book.kv["scoring_rules"]
    for setting in schema.SCORING_SETTINGS:
        assert rules.get(setting.key) == setting.default
    assert book.meta.get("template_version") == schema.TEMPLATE_VERSION
    assert book.meta.get("unit_code") is None and book.year is None


def test_kv_items_explained(wb):
    rules = wb[schema.SCORING_RULES.name]
    for r, setting in enumerate(schema.SCORING_SETTINGS, start=2):
        assert rules.cell(row=r, column=1).value == setting.name
        assert rules.cell(row=r, column=2).value == setting.default
        assert rules.cell(row=r, column=3).value, setting.name  # what the number means
    meta = wb[schema.META.name]
    year_row = 2 + schema.META.keys.index("year")
    assert "2026" in meta.cell(row=year_row, column=3).value
    [dv] = _validations_at(meta, f"B{year_row}")
    assert (dv.type, dv.formula1, dv.formula2) == ("whole", "2000", "2100")


def test_readme_covers_sheets_buttons_and_version(wb):
    text = "\n".join(str(c.value) for row in wb[schema.README.name].iter_rows() for c in row if c.value)
    for word in ("制度", "载体", "考评", schema.TEMPLATE_VERSION, schema.DATE_FORMS_TEXT):
        assert word in text
    for sheet in schema.SHEETS:
        if sheet.kind is not SheetKind.INFO:
            assert sheet.name in text and sheet.purpose in text
    for button in ("校验全部", "清除标记", "指标汇总", "考评计分", "一键处理", "导出上报", "汇总下级", "拆分下发",
                   "使用说明", "关于"):
        assert button in text
    for command in ("dj validate", "dj run", "dj export", "dj aggregate", "dj split", "dj template",
                    "dj clear-marks 工作簿.xlsx --in-place"):
        assert command in text


def test_readme_promises_only_what_exists(wb):
    """Commands not yet written are marked 后续版本提供; the install line names no PyPI package."""
    ws = wb[schema.README.name]
    items = {ws.cell(row=r, column=1).value: str(ws.cell(row=r, column=2).value or "")
             for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value}
    text = "\n".join(f"{k}\n{v}" for k, v in items.items())
    existing = set(main.commands)
    for name, explanation in items.items():
        for command in {line.split()[1] for line in explanation.splitlines() if line.startswith("命令：dj ")}:
            if command.startswith("-"):
                continue
            later = command not in existing
            assert later == ("后续版本提供" in explanation) == ("后续版本提供" in name), (name, command)
    assert {"export", "split", "aggregate"} <= existing
    assert "pip" not in text and ".whl" not in text and "README" in text  # installation lives in the README


def test_overview_is_formulas_over_schema_sheets(wb):
    ws = wb[schema.OVERVIEW.name]
    assert ws.protection.sheet
    for fig in overview.FIGURES:
        cell = ws[overview.figure_cells()[fig.key]]
        assert ws.cell(row=cell.row, column=1).value == fig.label
        assert isinstance(cell.value, str) and cell.value.startswith("=")
        for quoted in cell.value.split("'")[1::2]:
            assert quoted in schema.SHEETS_BY_NAME, quoted
    log_letters = overview.column_of(schema.CONTACT_LOG, "date"), overview.column_of(schema.CONTACT_LOG, "handling")
    assert log_letters == ("A", "I")  # what workbook.md's column order gives


def test_print_setup_fits_width(wb):
    """Every sheet a secretary may print: A4 landscape, one page wide."""
    for sheet in schema.SHEETS:
        if sheet.kind is SheetKind.OUTPUT:
            continue
        ws = wb[sheet.name]
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9, sheet.name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, sheet.name
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, sheet.name


def test_dj_template_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["template"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "workbook_template.xlsx"
    assert "workbook_template.xlsx" in result.output and "已生成" in result.output
    assert written.read_bytes() == write_template(tmp_path / "ref.xlsx").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")] == []  # no temp file left

    result = CliRunner().invoke(main, ["template", "-o", str(tmp_path / "no such folder" / "t.xlsx")])
    assert result.exit_code == 2 and "不存在" in result.output


def test_dj_template_never_overwrites_without_force(tmp_path):
    target = tmp_path / "支部A.xlsx"
    target.write_bytes(b"a secretary's filled workbook")
    result = CliRunner().invoke(main, ["template", "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert "已存在" in result.output and "--force" in result.output and "Traceback" not in result.output
    assert target.read_bytes() == b"a secretary's filled workbook"

    result = CliRunner().invoke(main, ["template", "-o", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == write_template(tmp_path / "ref.xlsx").read_bytes()


@pytest.mark.parametrize("name", ["out.xls", "out.xlsm", "out.csv", "out"])
def test_dj_template_refuses_other_suffixes(tmp_path, name):
    result = CliRunner().invoke(main, ["template", "-o", str(tmp_path / name)])
    assert result.exit_code == 2, result.output
    assert "扩展名不是 .xlsx" in result.output
    assert list(tmp_path.iterdir()) == []


def test_dj_template_unwritable_target_is_a_chinese_error(tmp_path, monkeypatch):
    import errno

    from dj_addin.commands import template as command

    def disk_full(wb, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(command, "save_deterministic", disk_full)
    result = CliRunner().invoke(main, ["template", "-o", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 2, result.output
    assert "错误：无法在" in result.output and "磁盘空间不足" in result.output and "No space" not in result.output
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone too


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_dj_template_into_a_system_folder(tmp_path):
    result = CliRunner().invoke(main, ["template", "-o", "/proc/dj-template.xlsx"])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("错误：") and "Traceback" not in result.output


def test_build_template_returns_fresh_workbooks():
    a, b = build_template(), build_template()
    a[schema.ROSTER.name]["A2"] = "M1"
    assert b[schema.ROSTER.name]["A2"].value is None


def test_validations_stay_small(template):
    import zipfile

    with zipfile.ZipFile(template) as z:
        sizes = {i.filename: i.file_size for i in z.infolist()}
    assert max(sizes.values()) < 100_000  # ranges, not one rule per cell
    assert template.stat().st_size < 80_000
