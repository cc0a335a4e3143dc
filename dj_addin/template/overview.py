"""The figures of the 概览 sheet: each as a native Excel formula and as the
same number computed in Python from a :class:`~dj_addin.model.Book`.

The sheet must work without the add-in (Excel, WPS, LibreOffice), so every
number is a plain COUNTA/COUNTIFS/SUMPRODUCT formula. The formulas refer to
the data sheets by the template's column letters, derived here from the
schema's column order; the Python twin (:func:`compute_overview`) is what the
tests compare a recalculated workbook against.

Both sides count what a spreadsheet can see, which is less than the reader
accepts: only real dates (a date typed as text, such as '2026年2月24日' or
'20260401', is invisible to COUNTIFS), list values exactly as in the
drop-down (a synonym such as 处理中 is not counted as 办理中), and IDs as
typed, compared case-insensitively (a full-width ID does not match its
half-width roster entry). Formulas cannot parse those forms portably, so
:func:`compute_overview` deliberately mirrors the formulas, not the reader:
that is what lets the LibreOffice test compare the two. The sheet says so in
:data:`COUNTING_NOTE` under the figures; 指标汇总 and 考评结果 use the full
reading. The per-member figure looks at the first :data:`ROSTER_ROWS` roster
rows.

Every dated figure follows 考核年度 (the 基本信息 cell). "This quarter" is
the quarter of today while today is within 考核年度, Q4 once the year is
over and Q1 while it has not begun (:func:`count_quarter`); the sheet shows
which quarter it is in the 统计季度 row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from dj_addin import schema
from dj_addin.cellref import column_letter
from dj_addin.model import Book

# Rows 2..ROSTER_ROWS of 党员名册 are looked at by the per-member figure (a
# SUMPRODUCT over the roster; bounded so that it stays fast everywhere).
ROSTER_ROWS = 5000

# Layout of the 概览 sheet (template.py writes it, the tests read it).
TITLE_ROW = 1
YEAR_ROW = 2  # 考核年度 (a reference to 基本信息)
TODAY_ROW = 3  # 统计日期 (=TODAY())
QUARTER_ROW = 4  # 统计季度: the quarter of 本季度尚无联系记录的党员人数
HEADER_ROW = 5
FIRST_ROW = 6  # first figure
LABEL_COL, VALUE_COL, NOTE_COL = "A", "B", "C"
NO_YEAR_TEXT = "—"  # a figure that needs 考核年度 (the year row says 「请先填写基本信息」)
NO_YEAR_LINE = "请先填写基本信息"

QUARTER_NOTE = ("「本季度尚无联系记录的党员人数」按此季度统计：今天在考核年度内时为今天所在季度；"
                "考核年度已结束时为该年第四季度；考核年度尚未开始时为该年第一季度")

# Shown under the figures (one merged cell): what the formulas can and cannot see.
COUNTING_NOTE = (
    "注意：本表由公式统计，只计入 Excel 能识别的内容：真正的日期（如 2026-03-05）、与下拉列表完全一致的选项"
    "（如“办理中”）、与党员名册写法一致的编号（不区分大小写）。以文字形式录入的日期（如“2026年2月24日”"
    "“20260401”）、全角编号和同义词（如“处理中”），党建助手能够识别，但本表不计入，因此本表数字可能比"
    "党建助手统计的略少。「指标汇总」「考评结果」两张表（由党建助手的“指标汇总”“考评计分”生成）按完整规则读取，"
    "请以它们为准；“校验全部”会列出无法识别的日期、选项和编号。"
    "建议日期统一写成 2026-03-05，选项从下拉列表中选择。"
)


def column_of(sheet: schema.Sheet, key: str) -> str:
    """The template's column letter of a schema column."""
    return column_letter(sheet.keys.index(key) + 1)


def whole_column(sheet: schema.Sheet, key: str) -> str:
    """``'联系记载'!$A:$A``: the whole column (COUNTIFS trims it to the used rows)."""
    c = column_of(sheet, key)
    return f"'{sheet.name}'!${c}:${c}"


def roster_range() -> str:
    c = column_of(schema.ROSTER, "member_id")
    return f"'{schema.ROSTER.name}'!${c}$2:${c}${ROSTER_ROWS}"


def year_cell() -> str:
    """The cell of 考核年度 in 基本信息 (row = item position + 2: header in row 1)."""
    return f"'{schema.META.name}'!$B${schema.META.keys.index('year') + 2}"


def _in_year(sheet: schema.Sheet, date_key: str, first_month: int = 1, months: int = 12) -> str:
    """COUNTIFS criteria pair: dates from month ``first_month`` of 考核年度 for ``months`` months."""
    d = whole_column(sheet, date_key)
    y = year_cell()
    return (f'{d},">="&DATE({y},{first_month},1),'
            f'{d},"<"&DATE({y},{first_month + months},1)')


def _needs_year(expr: str) -> str:
    return f'IF(ISNUMBER({year_cell()}),{expr},"{NO_YEAR_TEXT}")'


def _count_ids(sheet: schema.Sheet, key: str) -> str:
    return f"MAX(0,COUNTA({whole_column(sheet, key)})-1)"


def _dated(sheet: schema.Sheet, key: str, first_month: int = 1, months: int = 12) -> str:
    return _needs_year(f"COUNTIFS({_in_year(sheet, key, first_month, months)})")


def _quarter_offset() -> str:
    """Months before the counted quarter's first month (0, 3, 6 or 9).

    TODAY() clamped into 考核年度 (:func:`count_quarter`): today's quarter
    within the year, Q4 after it, Q1 before it.
    """
    y = year_cell()
    return f"INT((MONTH(MIN(MAX(TODAY(),DATE({y},1,1)),DATE({y},12,31)))-1)/3)*3"


def quarter_label_formula() -> str:
    """统计季度: ``2026年第四季度`` (without '=')."""
    y = year_cell()
    return _needs_year(f'{y}&"年第"&CHOOSE({_quarter_offset()}/3+1,"一","二","三","四")&"季度"')


def _silent_members() -> str:
    log = schema.CONTACT_LOG
    roster = roster_range()
    y = year_cell()
    start = f"DATE({y},{_quarter_offset()}+1,1)"
    end = f"DATE({y},{_quarter_offset()}+4,1)"
    counts = (f"COUNTIFS({whole_column(log, 'member_id')},{roster},"
              f'{whole_column(log, "date")},">="&{start},'
              f'{whole_column(log, "date")},"<"&{end})')
    return _needs_year(f'SUMPRODUCT(({roster}<>"")*({counts}=0))')


@dataclass(frozen=True)
class Figure:
    """One line of 概览: label, explanation, and its Excel formula (without '=')."""

    key: str
    label: str
    note: str
    formula: Callable[[], str]


FIGURES: tuple[Figure, ...] = (
    Figure("members", "党员人数", f"「{schema.ROSTER.name}」中已填党员编号的行数",
           lambda: _count_ids(schema.ROSTER, "member_id")),
    Figure("targets", "联系对象人数", f"「{schema.TARGETS.name}」中已填对象编号的行数",
           lambda: _count_ids(schema.TARGETS, "target_id")),
    Figure("contacts_year", "本年度联系次数", f"「{schema.CONTACT_LOG.name}」中联系日期在考核年度内的行数",
           lambda: _dated(schema.CONTACT_LOG, "date")),
    *(Figure(f"contacts_q{q}", f"第{'一二三四'[q - 1]}季度联系次数",
             f"考核年度第{'一二三四'[q - 1]}季度（{3 * q - 2}–{3 * q}月）的联系次数",
             (lambda q=q: _dated(schema.CONTACT_LOG, "date", 3 * q - 2, 3)))
      for q in (1, 2, 3, 4)),
    Figure("open_requests", "办理中的意见诉求", f"「{schema.CONTACT_LOG.name}」中办理情况为“办理中”的行数",
           lambda: f'COUNTIFS({whole_column(schema.CONTACT_LOG, "handling")},"办理中")'),
    Figure("forums", "座谈会次数", f"「{schema.FORUMS.name}」中召开日期在考核年度内的次数",
           lambda: _dated(schema.FORUMS, "date")),
    Figure("activities", "载体活动次数", f"「{schema.ACTIVITIES.name}」中活动日期在考核年度内的次数",
           lambda: _dated(schema.ACTIVITIES, "date")),
    Figure("silent_members", "本季度尚无联系记录的党员人数",
           f"「统计季度」（见上方）在「{schema.CONTACT_LOG.name}」中还没有联系记录的党员人数"
           f"（统计党员名册前 {ROSTER_ROWS - 1} 行）",
           _silent_members),
)


# The row of COUNTING_NOTE: one blank row under the last figure.
COUNTING_NOTE_ROW = FIRST_ROW + len(FIGURES) + 1


def figure_cells() -> dict[str, str]:
    """Figure key → the cell holding its number on 概览 (``"B6"``)."""
    return {f.key: f"{VALUE_COL}{FIRST_ROW + i}" for i, f in enumerate(FIGURES)}


# ---------------------------------------------------------------------------
# The same numbers in Python
# ---------------------------------------------------------------------------

def _nonblank(raw: pd.Series) -> pd.Series:
    return raw.map(lambda v: v is not None and not (isinstance(v, float) and pd.isna(v)) and str(v) != "")


def _count_nonblank(book: Book, sheet: schema.Sheet, key: str) -> int:
    table = book.tables[sheet.key]
    if key not in table.raw.columns:
        return 0
    return int(_nonblank(table.raw[key]).sum())


def _dates(book: Book, sheet: schema.Sheet, key: str) -> pd.Series:
    """Real dates of a column (a text date is invisible to COUNTIFS, so to us too)."""
    table = book.tables[sheet.key]
    if key not in table.raw.columns:
        return pd.Series([], dtype="datetime64[ns]")
    real = table.raw[key].map(lambda v: isinstance(v, (dt.date, dt.datetime)))
    return pd.to_datetime(table.data.loc[real, key])


def _count_between(dates: pd.Series, start: dt.date, end: dt.date) -> int:
    return int(((dates >= pd.Timestamp(start)) & (dates < pd.Timestamp(end))).sum())


def _month_start(year: int, month: int) -> dt.date:
    year += (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1)


def _fold_id(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip().lower()


def count_quarter(year: int, today: dt.date) -> int:
    """The quarter (1–4) of 考核年度 ``year`` that 概览 calls "this quarter".

    Today's quarter while today is within ``year``; 4 once ``year`` is over
    (a secretary closing last year's workbook wants its final quarter); 1
    while ``year`` has not begun.
    """
    clamped = min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))
    return (clamped.month - 1) // 3 + 1


def quarter_window(year: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of :func:`count_quarter`'s quarter and the first day after it."""
    first_month = (count_quarter(year, today) - 1) * 3 + 1
    return _month_start(year, first_month), _month_start(year, first_month + 3)


def quarter_label(year: int | None, today: dt.date) -> str:
    """What the 统计季度 cell shows (:func:`quarter_label_formula`)."""
    if not isinstance(year, int):
        return NO_YEAR_TEXT
    return f"{year}年第{'一二三四'[count_quarter(year, today) - 1]}季度"


def compute_overview(book: Book, today: dt.date | None = None) -> dict[str, int | None]:
    """Every 概览 figure from a read workbook, as the formulas count it.

    This mirrors the formulas, not the reader: text dates, synonyms and
    full-width IDs are left out exactly as COUNTIFS leaves them out (see the
    module docstring), so a recalculated 概览 gives the same numbers. None
    where 考核年度 is missing (the sheet shows :data:`NO_YEAR_TEXT`).
    """
    today = today or dt.date.today()
    year = book.year
    out: dict[str, int | None] = {
        "members": _count_nonblank(book, schema.ROSTER, "member_id"),
        "targets": _count_nonblank(book, schema.TARGETS, "target_id"),
    }
    log_dates = _dates(book, schema.CONTACT_LOG, "date")

    def in_year(dates: pd.Series, first_month: int = 1, months: int = 12) -> int | None:
        if not isinstance(year, int):
            return None
        return _count_between(dates, _month_start(year, first_month), _month_start(year, first_month + months))

    out["contacts_year"] = in_year(log_dates)
    for q in (1, 2, 3, 4):
        out[f"contacts_q{q}"] = in_year(log_dates, 3 * q - 2, 3)
    log = book.tables[schema.CONTACT_LOG.key]
    # COUNTIFS compares the text as typed (a synonym such as 处理中 is not counted).
    out["open_requests"] = int((log.raw["handling"] == "办理中").sum()) if len(log.raw) else 0
    out["forums"] = in_year(_dates(book, schema.FORUMS, "date"))
    out["activities"] = in_year(_dates(book, schema.ACTIVITIES, "date"))

    if not isinstance(year, int):
        out["silent_members"] = None
        return out
    q_start, q_end = quarter_window(year, today)
    real = log.raw["date"].map(lambda v: isinstance(v, (dt.date, dt.datetime))) if len(log.raw) else []
    active: set[str] = set()
    if len(log.raw):
        dates = pd.to_datetime(log.data["date"])
        in_q = real & (dates >= pd.Timestamp(q_start)) & (dates < pd.Timestamp(q_end))
        active = {_fold_id(v) for v in log.raw.loc[in_q, "member_id"] if v not in (None, "")}
    roster = book.tables[schema.ROSTER.key]
    ids = [v for row, v in roster.raw["member_id"].items()
           if row <= ROSTER_ROWS and v not in (None, "") and not (isinstance(v, float) and pd.isna(v))]
    out["silent_members"] = sum(1 for v in ids if _fold_id(v) not in active)
    return out


def merged_fixed_figures(book: Book, today: dt.date) -> dict[str, tuple[int | str | None, str]]:
    """The figures a merged workbook's 概览 carries as values, with the note that says when and how
    they were counted (see ``template.pages.overview_plan``). Counted from the typed rows (a merged
    book keeps no cells as typed), over every row of 党员名册."""
    year = book.year
    if not isinstance(year, int):
        return {"silent_members": (NO_YEAR_TEXT, "请先填写「基本信息」的考核年度")}
    start, end = map(pd.Timestamp, quarter_window(year, today))
    log = book.tables[schema.CONTACT_LOG.key].data
    active: set[str] = set()
    if len(log):
        dates = pd.to_datetime(log["date"], errors="coerce")
        active = {_fold_id(v) for v in log.loc[(dates >= start) & (dates < end), "member_id"].dropna()}
    ids = book.tables[schema.ROSTER.key].data["member_id"].dropna()
    value = sum(1 for v in ids if str(v) != "" and _fold_id(v) not in active)
    note = (f"汇总时（{today.isoformat()}）按{quarter_label(year, today)}统计的数值，不随数据更新："
            f"汇总表党员和联系记录多，逐人核对的公式会使工作簿很慢。各单位工作簿中此项仍由公式计算")
    return {"silent_members": (value, note)}
