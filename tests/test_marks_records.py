"""Mark records as plain data: the fill encoding, strict reading of stored rows, the plan."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from dj_addin.marks.plan import plan_marks
from dj_addin.marks.records import (MARK_RGB, NO_FILL, PATTERNS, UNKNOWN_FILL, Colour, FillValue, MarkRecord,
                                    encode_fill, fill_from_xml, mark_fill, parse_fill, parse_ref, pattern_fill,
                                    restore_fill)
from dj_addin.marks.storage import (MARKS_COLUMNS, MARKS_SHEET, new_marks_sheet_name, record_row, records_from_rows)
from dj_addin.model import Finding
from dj_addin.xlsx.marks import fill_value, openpyxl_fill
from dj_addin.xlsx.splice.styles_xml import fill_xml

QUICK = settings(max_examples=200, deadline=None)  # a shared machine: no per-example deadline

colours = st.one_of(
    st.builds(lambda v, t: Colour("rgb", v, t), st.text("0123456789ABCDEF", min_size=8, max_size=8)
              .filter(lambda v: v != "00000000"), st.sampled_from([0.0, 0.5, -0.25, 0.5999938962981048])),
    st.builds(lambda v, t: Colour("theme", v, t), st.integers(0, 255), st.floats(-1, 1, allow_nan=False)),
    st.builds(lambda v: Colour("indexed", v), st.integers(0, 255)),
    st.just(Colour("auto", 1)),
)
fills = st.one_of(st.just(UNKNOWN_FILL),
                  st.builds(pattern_fill, st.none() | st.sampled_from(sorted(PATTERNS)), st.none() | colours,
                            st.none() | colours))


@QUICK
@given(fills)
def test_fill_encoding_round_trips(fill):
    assert parse_fill(encode_fill(fill)) == fill


@QUICK
@given(fills)
def test_fills_built_as_xml_read_back_the_same(fill):
    if fill.representable:
        assert parse_fill(fill_xml(fill)) == fill


def test_fill_encoding_examples():
    assert encode_fill(FillValue("solid", Colour("rgb", "FF00B0F0"), Colour("indexed", 64))) == \
        "fill:solid fg=rgb:FF00B0F0 bg=indexed:64"
    assert encode_fill(FillValue("solid", Colour("theme", 4, 0.6))) == "fill:solid fg=theme:4/0.6"
    assert encode_fill(NO_FILL) == "fill:-"
    assert encode_fill(UNKNOWN_FILL) == "fill:?"


@pytest.mark.parametrize("text", [
    "fill:solid fg=rgb:FF00B0F", "fill:solid fg=rgb:GG00B0F0", "fill:sparkly", "fill:solid fg=theme:999",
    "fill:solid fg=theme:4/2.5", "fill:solid fg=theme:4/nan", "fill:solid  fg=rgb:FF00B0F0", "fill:? fg=auto:1",
    "fill:solid fg=rgb:FF00B0F0 fg=rgb:FF00B0F0", "fill:solid bg=indexed:1 fg=indexed:2", "solid", "", None, 42,
    "fill:solid fg=rgb:FF00B0F0\"/><x/>", "fill:-\n",
])
def test_damaged_fill_text_is_unknown(text):
    assert parse_fill(text) == UNKNOWN_FILL


def test_old_fill_xml_is_read_as_values():
    assert parse_fill('<fill><patternFill patternType="solid"><fgColor rgb="FF00B0F0"/>'
                      '<bgColor indexed="64"/></patternFill></fill>') == \
        FillValue("solid", Colour("rgb", "FF00B0F0"), Colour("indexed", 64))
    assert parse_fill('<fill><patternFill patternType="solid"><fgColor theme="4" tint="0.59999389629810485"/>'
                      '</patternFill></fill>') == FillValue("solid", Colour("theme", 4, 0.59999389629810485))
    assert parse_fill("<fill><patternFill/></fill>") == NO_FILL
    assert parse_fill('<fill><patternFill patternType="gray125"/></fill>') == FillValue("gray125")
    assert parse_fill('<fill><patternFill patternType="none"/></fill>') == NO_FILL  # as openpyxl reads it
    # what openpyxl makes of an absent colour is stored as absent
    assert parse_fill('<fill><patternFill patternType="solid"><fgColor rgb="00000000"/></patternFill></fill>') == \
        FillValue("solid")


@pytest.mark.parametrize("xml", [
    '<!DOCTYPE fill [<!ENTITY e "x">]><fill><patternFill patternType="solid"/></fill>',
    '<!DOCTYPE fill SYSTEM "file:///etc/passwd"><fill><patternFill/></fill>',
    '<fill><patternFill patternType="solid"><fgColor rgb="FF00B0F0"/></patternFill></fill><x:evil/>',
    '<fill><patternFill patternType="solid"><fgColor rgb="FF00B0F0"/></patternFill><fill>',
    '<fill><patternFill patternType="solid" onload="x"/></fill>',
    '<fill><patternFill patternType="solid"><fgColor rgb="FF00B0F0" theme="3"/></patternFill></fill>',
    '<fill><patternFill patternType="solid"><fgColor rgb="FF00B0F0"><x/></fgColor></patternFill></fill>',
    '<fill><patternFill patternType="&lt;x/&gt;"/></fill>',
    '<fill><gradientFill degree="90"><stop position="0"><color theme="0"/></stop></gradientFill></fill>',
    '<font/>', "</fill>", "<fill>", "\x00",
])
def test_hostile_or_gradient_fill_xml_is_unknown(xml):
    assert parse_fill(xml) == UNKNOWN_FILL


def test_fill_from_xml_refuses_entities():
    from dj_addin.marks.records import RecordError

    with pytest.raises(RecordError):
        fill_from_xml('<!DOCTYPE f [<!ENTITY a "aaaaaaaaaa">]><fill><patternFill patternType="&a;"/></fill>')


def test_unknown_previous_fill_restores_no_fill_only_under_our_colour():
    red = MARK_RGB["错误"]
    rec = MarkRecord("表", "A2", red, UNKNOWN_FILL, None, None, "", None)
    assert restore_fill(rec, mark_fill(red)) == NO_FILL
    assert restore_fill(rec, FillValue("solid", Colour("rgb", "FF123456"))) is None  # the user repainted


def header():
    return list(MARKS_COLUMNS)


def test_stored_rows_are_read_strictly():
    good = ["联系记载", "b3", MARK_RGB["警告"], "fill:solid fg=rgb:FF00B0F0", "旧批注", "王", "P001",
            "0123456789abcdef", "警告"]
    rows = [header(), good,
            ["联系记载", "A2000000"] + good[2:],  # beyond Excel's rows
            ["联系记载", "XFE2"] + good[2:],  # beyond XFD
            ["联系记载", "A0"] + good[2:], ["联系记载", "A1:B2"] + good[2:], ["", "A2"] + good[2:],
            ["联系记载", "C4", "<x/>", "<fill>", None, None, None, "not a key", "严重"]]
    recs = records_from_rows(rows)
    assert [r.cell for r in recs] == ["B3", "C4"]
    assert recs[0].prev_fill == FillValue("solid", Colour("rgb", "FF00B0F0")) and recs[0].level == "警告"
    assert (recs[1].mark_rgb, recs[1].prev_fill, recs[1].note_key, recs[1].level) == ("", UNKNOWN_FILL, None, "")


def test_a_sheet_without_our_header_holds_no_records():
    assert records_from_rows([["姓名", "电话"], ["联系记载", "A2", "FFFF9999", "fill:-"]]) == []


def test_stored_text_cannot_carry_characters_xml_refuses():
    rec = MarkRecord("表", "A2", "", NO_FILL, "批注\x01\x0b", "作者\x00", "值\x1f", None)
    assert record_row(rec)[4:7] == ["批注\ufffd\ufffd", "作者\ufffd", "值\ufffd"]


def test_marks_sheet_name_never_takes_a_users_sheet():
    assert new_marks_sheet_name(["联系记载"]) == MARKS_SHEET
    assert new_marks_sheet_name(["联系记载", "_DJ_Marks"]) == "_dj_marks2"
    assert new_marks_sheet_name(["_dj_marks", "_dj_marks2"]) == "_dj_marks3"


@pytest.mark.parametrize("ref, expected", [("A1", (1, 1)), ("xfd1048576", (1048576, 16384)), ("XFE1", None),
                                           ("A1048577", None), ("A0", None), ("1A", None), ("", None),
                                           ("A01", None), ("AAAA1", None)])
def test_cell_references_inside_excel_only(ref, expected):
    assert parse_ref(ref) == expected


def finding(row, column, level="错误", sheet="联系记载"):
    return Finding("C001", level, sheet, row, column, "字段", "x", "有问题", "请修改")


def test_plan_one_mark_per_cell_most_severe_first():
    plan = plan_marks([finding(3, "b", "提示"), finding(3, "B", "错误"), finding(4, "C", "警告")], ["联系记载"])
    assert [(m.cell, m.level) for m in plan.marks] == [("B3", "错误"), ("C4", "警告")]
    assert "提示 C001" in plan.marks[0].note and "错误 C001" in plan.marks[0].note
    assert plan.unplaced == []


def test_plan_says_which_marks_cannot_be_placed():
    plan = plan_marks([finding(2_000_000, "A"), finding(2, "XFE"), finding(2, "A1"), finding(5, "B"),
                       finding(None, "A"), finding(2, "A", sheet="别的表")], ["联系记载"])
    assert [m.cell for m in plan.marks] == ["B5"]
    assert len(plan.unplaced) == 3
    first = plan.unplaced[0]
    assert (first.level, first.row, first.column, first.sheet) == ("警告", None, "", "联系记载")
    assert "第2000000行" in first.message and "无法在单元格上标记" in first.message and "有问题" in first.message


@QUICK
@given(fills)
def test_fills_through_openpyxl_read_back_the_same(fill):
    if fill.representable:
        assert fill_value(openpyxl_fill(fill)) == fill
