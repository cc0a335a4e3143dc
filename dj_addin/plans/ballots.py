"""The plans of 评议票 (scoring.md): 党员互评票, 群众评议票 and 计票表 (pure).

A ballot is one block per page (title, instruction, the members of that page
with a box per choice, the date line under the last page) followed by a page
break, so every copy starts a page; a long list goes on over more pages
rather than shrinking below ``MIN_SCALE``. The 计票表 has the columns of 评议 from 党员编号 to 群众不满意票, in the
order of 评议's rows, so the tellers' counts paste into 评议 in one go; its
totals are native SUM formulas. Nothing sensitive (phones) is printed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from dj_addin import schema
from dj_addin.plans import look
from dj_addin.plans.common import fit
from dj_addin.plans.types import Block, ColumnPlan, Formula, SheetPlan, Style, TitleLine, col_letter

PEER_SHEET = "党员互评票"
MASS_SHEET = "群众评议票"
TALLY_SHEET = "计票表"
BOX = "□"
PEER_CHOICES = schema.GRADES  # 优秀 / 合格 / 基本合格 / 不合格
MASS_CHOICES = ("满意", "基本满意", "不满意")
PROBATIONARY = schema.MEMBER_STATUSES[1]  # 预备党员
PEER_NOTE = ("请在每名党员对应的等次下打“√”，每人只选一项。评为“优秀”的人数一般不超过参评党员人数的 1/3；"
             "“预备党员”参加评议，不评定等次。")
MASS_NOTE = "请在每名党员对应的评价下打“√”，每人只选一项。本票不记名。"
DATE_LINE = "评议日期：________年____月____日"
TALLY_NOTE = ("计票说明：每行填写该党员各栏的得票数（数“正”字后写数字）。核对“互评票数合计”“群众票数合计”等于收回的票数后，"
              "选中「互评优秀票」到「群众不满意票」各列的数字，复制到「评议」同样的列（粘贴为数值）。")
TALLY_KEYS = ("member_id", "name", "self_grade", "peer_excellent", "peer_pass", "peer_basic", "peer_fail",
              "mass_satisfied", "mass_basic", "mass_unsatisfied")
A4_PORTRAIT = (8.27, 11.69)  # inches
BALLOT_ROW = 20.25  # points: room to tick a box
# A column width unit as LibreOffice prints it with its CJK default font (measured in its PDF: a
# 10-unit step is 70 pt); Excel's 等线 is narrower (about 6 pt), so what fits here fits there.
UNIT_POINTS = 7.0
MIN_SCALE = 85  # percent: below this the names get hard to read; the list goes on over another page instead
TALLY_ROW = 27.0  # room to write tick marks
CHECKS = (("peer_total", "互评票数合计", ("peer_excellent", "peer_fail")),
          ("mass_total", "群众票数合计", ("mass_satisfied", "mass_unsatisfied")))


@dataclass(frozen=True)
class BallotMember:
    """One member to be graded, as the roster gives it."""

    member_id: str
    name: str
    status: str = ""

    @property
    def label(self) -> str:
        return PROBATIONARY if self.status == PROBATIONARY else "正式党员"


def ballot_columns(choices: Sequence[str]) -> tuple[ColumnPlan, ...]:
    """Narrow enough for A4 portrait at 100 % (71 units with four choices, ``UNIT_POINTS``)."""
    box = replace(look.CENTRE, size=14)
    return (ColumnPlan("no", "序号", 5, look.INTEGER, look.CENTRE),
            ColumnPlan("member_id", "党员编号", 12, None, look.CENTRE),
            ColumnPlan("name", "姓名", 10, None, look.SHORT_TEXT),
            ColumnPlan("status", "党员身份", 10, None, look.CENTRE),
            *(ColumnPlan(f"c{i}", c, 8.5, None, box) for i, c in enumerate(choices)))


def ballot_sheet(name: str, kind: str, choices: Sequence[str], note: str, members: Sequence[BallotMember],
                 copies: int, letterhead: look.Letterhead) -> SheetPlan:
    """``copies`` ballots of ``kind`` one under another, every ballot starting a page.

    A ballot whose list is longer than a page at a legible scale goes on over
    more pages (``pages_per_ballot``), each with the title, 「第 n 份 第 p 页」, the
    instruction and the header row again; the date line ends its last page.
    Every page ends with a page break and the sheet prints at one scale, the
    largest at which the fullest page fits A4 portrait (never above 100 %)."""
    pages = pages_per_ballot(len(members), lambda k: _sheet(name, kind, choices, note, members[:k], 1, 1,
                                                              letterhead))
    plan = _sheet(name, kind, choices, note, members, copies, pages, letterhead)
    scale = min(page_scale(plan, b) for b in plan.blocks[:pages]) if plan.blocks else 100
    return replace(plan, print_setup=replace(plan.print_setup, fit_width=None, fit_height=None, scale=scale))


def pages_per_ballot(count: int, trial: Callable[[int], SheetPlan]) -> int:
    """The fewest pages a ballot of ``count`` members needs so that each page prints at
    ``MIN_SCALE`` or more: ``trial(k)`` is a one-page ballot listing ``k`` members."""
    pages = 1
    while pages < max(count, 1):
        per_page = -(-count // pages)
        one = trial(per_page)
        if page_scale(one, one.blocks[0]) >= MIN_SCALE:
            break
        pages += 1
    return pages


def _sheet(name: str, kind: str, choices: Sequence[str], note: str, members: Sequence[BallotMember],
           copies: int, pages: int, letterhead: look.Letterhead) -> SheetPlan:
    """The sheet of ``copies`` ballots, each over ``pages`` pages (members shared out evenly)."""
    cols = ballot_columns(choices)
    rows = [[i + 1, m.member_id, m.name, m.label, *([BOX] * len(choices))] for i, m in enumerate(members)]
    width = len(cols)
    who = " ".join(p for p in (letterhead.unit_name, f"{letterhead.year}年度" if letterhead.year else "") if p)
    per_page = max(1, -(-len(rows) // pages))
    chunks = [rows[i:i + per_page] for i in range(0, len(rows), per_page)] or [[]]
    blocks, breaks, top = [], [], 1
    for copy in range(copies):
        for page, chunk in enumerate(chunks):
            where = f"第 {copy + 1} 份（共 {copies} 份）"
            if len(chunks) > 1:
                where += f"　第 {page + 1} 页（本票共 {len(chunks)} 页）"
            titles = (TitleLine(f"{who}党员民主评议{kind}", look.TITLE, span=width, height=look.TITLE_HEIGHT),
                      TitleLine(where, look.SUBTITLE, span=width),
                      TitleLine(note, look.SUBTITLE, span=width))
            last = page == len(chunks) - 1
            footer = (TitleLine(DATE_LINE, look.SIGNATURE, span=width, height=30.0),) if last else ()
            block = Block(cols, chunk, top=top, left=1, titles=titles, header_style=look.HEADER,
                          row_height=BALLOT_ROW, footer=footer)
            blocks.append(block)
            breaks.append(block.bottom)
            top = block.bottom + 1
    last_col = col_letter(width)
    bottom = blocks[-1].bottom if blocks else 1
    setup = look.table_print(f"A1:{last_col}{bottom}", letterhead, name, repeat=None, orientation="portrait")
    return fit(SheetPlan(name=name, blocks=blocks, print_setup=setup, tab_color=look.OUTPUT_TAB_COLOR,
                         row_breaks=tuple(breaks[:-1]), show_grid=False))


def page_scale(plan: SheetPlan, block: Block) -> int:
    """The print scale (percent, at most 100) at which ``block`` fits one A4 portrait page."""
    m = look.MARGINS
    height = sum(plan.row_heights.get(r, block.row_height or 15.0) for r in range(block.top, block.bottom + 1))
    width = sum(c.width or 8.43 for c in block.columns) * UNIT_POINTS
    usable_h = (A4_PORTRAIT[1] - m.top - m.bottom) * 72 * 0.95
    usable_w = (A4_PORTRAIT[0] - m.left - m.right) * 72 * 0.95
    return max(10, min(100, int(100 * min(usable_h / height, usable_w / width))))


def tally_sheet(members: Sequence[BallotMember], letterhead: look.Letterhead) -> SheetPlan:
    """One row per member, the columns of 评议, totals per row and per column as SUM formulas."""
    spec = schema.EVALUATION
    number = look.CENTRE
    cols = [ColumnPlan(c.key, c.header, c.width, look.INTEGER if c.is_numeric else None,
                       number if c.is_numeric or c.key == "member_id" else look.SHORT_TEXT)
            for c in (spec.column(k) for k in TALLY_KEYS)]
    cols += [ColumnPlan(key, header, 12, look.INTEGER, replace(look.CENTRE, fill=look.LIGHT_YELLOW))
             for key, header, _ in CHECKS]
    keys = [c.key for c in cols]
    first = 3  # title row 1, headers row 2
    rows: list[list] = []
    for i, m in enumerate(members):
        row = first + i
        sums = [Formula(f"SUM({col_letter(keys.index(a) + 1)}{row}:{col_letter(keys.index(b) + 1)}{row})")
                for _, _, (a, b) in CHECKS]
        rows.append([m.member_id, m.name, None, *([None] * 7), *sums])
    last_data = first + len(members) - 1
    totals: list = ["合计", None, None]
    for c in range(4, len(cols) + 1):
        letter = col_letter(c)
        totals.append(Formula(f"SUM({letter}{first}:{letter}{last_data})") if members else 0)
    rows.append(totals)
    title = TitleLine(f"{letterhead.heading(TALLY_SHEET)}\n{TALLY_NOTE}", look.SUBTITLE, span=len(cols),
                      height=look.TITLE_HEIGHT)
    block = Block(tuple(cols), rows, top=1, left=1, titles=(title,), header_style=look.HEADER, row_height=TALLY_ROW,
                  footer=(TitleLine("计票人（签字）：____________　　监票人（签字）：____________　　"
                                    "日期：____________", look.SIGNATURE, span=len(cols), height=30.0),))
    last = col_letter(len(cols))
    setup = look.table_print(f"A1:{last}{block.bottom}", letterhead, TALLY_SHEET)
    return fit(SheetPlan(name=TALLY_SHEET, blocks=[block], freeze="A3", print_setup=setup,
                         tab_color=look.OUTPUT_TAB_COLOR))


def ballot_plans(members: Sequence[BallotMember], letterhead: look.Letterhead, mass_copies: int = 20
                 ) -> list[SheetPlan]:
    """党员互评票 (one per member: every member votes), 群众评议票 (``mass_copies``), 计票表."""
    return [ballot_sheet(PEER_SHEET, "党员互评票", PEER_CHOICES, PEER_NOTE, members, len(members), letterhead),
            ballot_sheet(MASS_SHEET, "群众评议票", MASS_CHOICES, MASS_NOTE, members, mass_copies, letterhead),
            tally_sheet(members, letterhead)]


__all__ = ["ballot_plans", "BallotMember", "PEER_SHEET", "MASS_SHEET", "TALLY_SHEET", "Style"]
