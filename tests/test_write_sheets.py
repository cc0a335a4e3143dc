"""Output sheets 问题清单 / 指标汇总 / 考评结果, and atomic saves."""

from __future__ import annotations

import openpyxl
import pytest

from dj_addin import schema
from dj_addin.xlsx.save import backup_path, keep_backup, save_outputs
from dj_addin.xlsx import sheets, stream
from dj_addin.xlsx.styles import OUTPUT_TAB_COLOR
from test_write_support import book, engine, pin_engine, LOG, ROSTER, finding, sample_report, sample_results, sample_rollup, snapshot  # noqa: F401 (fixtures)

FINDINGS = schema.FINDINGS.name





def rows_of(ws, first=3):
    return [r for r in ws.iter_rows(min_row=first, values_only=True) if any(v is not None for v in r)]


def test_findings_sheet_content_order_and_links(book, tmp_path):
    out = tmp_path / "out.xlsx"
    save_outputs(book, out, report=sample_report())
    wb = openpyxl.load_workbook(out)
    ws = wb[FINDINGS]
    title = ws["A1"].value
    assert "2026-11-24 09:30" in title and "2026-12-31" in title
    assert "错误 1 个" in title and "警告 2 个" in title and "提示 2 个" in title
    assert [c.value for c in ws[2]] == schema.FINDINGS.headers
    got = [(r[0], r[1], r[2], r[3]) for r in rows_of(ws)]
    # 级别, then sheet in workbook order (file-level first), then row
    assert got == [("错误", LOG, 2, "A"), ("警告", ROSTER, 2, "B"), ("警告", LOG, 3, "B"),
                   ("提示", None, None, None), ("提示", LOG, 4, "G")]
    assert ws["B3"].hyperlink.location == f"'{LOG}'!A2"
    assert ws["B6"].hyperlink is None
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref.startswith("A2:H")
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.sheet_properties.tabColor.rgb == OUTPUT_TAB_COLOR
    assert ws.column_dimensions["G"].width == schema.FINDINGS.column("message").width


def test_findings_sheet_recreated_and_text_stays_text(book, tmp_path):
    save_outputs(book, book, report=sample_report())
    save_outputs(book, book, report=sample_report([finding("错误", LOG, 2, "A", value="=SUM(A1:A3)")]))
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames.count(FINDINGS) == 1
    rows = rows_of(wb[FINDINGS])
    assert len(rows) == 1 and rows[0][5] == "=SUM(A1:A3)"
    assert wb[FINDINGS]["F3"].data_type == "s"
    save_outputs(book, book, report=sample_report([]))
    ws = openpyxl.load_workbook(book)[FINDINGS]
    assert "未发现问题" in ws["A1"].value and rows_of(ws) == []


def test_rollup_sheet(book, tmp_path):
    out = tmp_path / "out.xlsx"
    save_outputs(book, out, rollup=sample_rollup())
    ws = openpyxl.load_workbook(out)[schema.ROLLUP.name]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == schema.ROLLUP.headers[0])
    headers = [c.value for c in ws[head]][: len(schema.ROLLUP.columns)]
    assert headers == schema.ROLLUP.headers
    rate_col = schema.ROLLUP.keys.index("rate") + 1
    assert ws.cell(head + 1, rate_col).value == 0.5 and ws.cell(head + 1, rate_col).number_format == "0.0%"
    rules = [r.formula[0] for rng in ws.conditional_formatting for r in rng.rules]
    assert any('"未达标"' in f for f in rules) and not any('="达标"' in f for f in rules)  # only 未达标 stands out
    # the per-unit summary and the chart of 达标率 by quota
    values = [v for row in ws.iter_rows(values_only=True) for v in row]
    assert "达标率" in values and "应达标人数" in values
    assert len(ws._charts) == 1
    assert ws.print_area == f"'{schema.ROLLUP.name}'!$A$1:$L${head + 2}"  # prints all, the chart first, on A4
    assert ws._charts[0].anchor._from.row + 1 < head  # the chart (0-based anchor row) is above the detail


def test_results_sheet_provisional(book, tmp_path):
    out = tmp_path / "out.xlsx"
    save_outputs(book, out, results=sample_results(provisional=True))
    ws = openpyxl.load_workbook(out)[schema.RESULTS.name]
    assert "暂定" in ws["A1"].value and "3 个错误" in ws["A1"].value
    total_col = schema.RESULTS.keys.index("total") + 1
    assert ws.cell(3, total_col).value == 91.2 and ws.cell(3, total_col).number_format == "0.0"
    assert ws.cell(4, schema.RESULTS.keys.index("quota_score") + 1).value is None  # NaN → empty
    rules = [r.formula[0] for rng in ws.conditional_formatting for r in rng.rules]
    assert any('"优秀"' in f for f in rules) and any('"不合格"' in f for f in rules)
    save_outputs(out, out, results=sample_results(provisional=False))
    assert "暂定" not in openpyxl.load_workbook(out)[schema.RESULTS.name]["A1"].value


def test_output_sheets_after_data_sheets_and_data_untouched(book, tmp_path):
    before = snapshot(book)
    save_outputs(book, book, rollup=sample_rollup(), results=sample_results())
    save_outputs(book, book, report=sample_report(), mark=False)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == [ROSTER, LOG, schema.ROLLUP.name, schema.RESULTS.name, FINDINGS]
    assert snapshot(book) == before


def test_failed_write_leaves_destination_untouched(book, tmp_path, monkeypatch):
    original = book.read_bytes()

    render, stream_sheet = sheets.render_sheet, stream.write_sheet

    def boom(wb, plan):  # 问题清单 is rendered, then 指标汇总 fails (openpyxl renderer: the reference writer)
        if plan.name == schema.ROLLUP.name:
            raise RuntimeError("disk full")
        return render(wb, plan)

    def stream_boom(wb, plan, formats):  # the same in the streaming renderer (the fast writer's small workbook)
        if plan.name == schema.ROLLUP.name:
            raise RuntimeError("disk full")
        return stream_sheet(wb, plan, formats)

    monkeypatch.setattr(sheets, "render_sheet", boom)
    monkeypatch.setattr(stream, "write_sheet", stream_boom)
    with pytest.raises(RuntimeError):
        save_outputs(book, book, report=sample_report(), rollup=sample_rollup())
    assert book.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == [book.name]  # no temporary file left behind


def test_backups_keep_the_original_and_the_five_most_recent(book):
    import datetime as dt

    first = book.read_bytes()
    assert backup_path(book).name == "支部A.bak-原始.xlsx"
    original = keep_backup(book)
    assert original.name == "支部A.bak-原始.xlsx" and original.read_bytes() == first
    stamps = []
    for i in range(7):
        book.write_bytes(first + bytes([i]))  # a different book each time (zip readers ignore the tail)
        now = dt.datetime(2026, 12, 1, 9, 30, i)
        stamps.append(keep_backup(book, now=now))
        assert stamps[-1].name == f"支部A.bak-20261201-0930{i:02d}.xlsx"
        assert stamps[-1].read_bytes() == first + bytes([i])
    left = sorted(p.name for p in book.parent.iterdir() if ".bak-" in p.name)
    assert left == ["支部A.bak-20261201-093002.xlsx", "支部A.bak-20261201-093003.xlsx",
                    "支部A.bak-20261201-093004.xlsx", "支部A.bak-20261201-093005.xlsx",
                    "支部A.bak-20261201-093006.xlsx", "支部A.bak-原始.xlsx"]
    assert original.read_bytes() == first
    again = keep_backup(book, now=dt.datetime(2026, 12, 1, 9, 30, 6))  # same second: a suffix, nothing replaced
    assert again.name == "支部A.bak-20261201-093006-2.xlsx" and stamps[-1].exists()


def test_many_backups_within_one_second_keep_the_newest(book):
    """Eight in-place runs inside one second: the newest backup must survive
    pruning (a pruned first name must not be reused as the 'oldest')."""
    import datetime as dt

    keep_backup(book)
    now = dt.datetime(2026, 12, 1, 9, 30, 0)
    for i in range(8):
        book.write_bytes(book.read_bytes() + bytes([i]))  # a new version each time
        newest = keep_backup(book, now=now)
        from dj_addin.xlsx.atomic import timestamped_backups

        kept = timestamped_backups(book)
        assert kept[-1] == newest and newest.read_bytes() == book.read_bytes()
        assert len(kept) == min(i + 1, 5)
