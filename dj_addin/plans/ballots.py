"""The plans of 评议票 (scoring.md): 党员互评票, 群众评议票 and 计票表 (pure).

A ballot is one block (title, instruction, the list of members with a box
per choice, a date line) followed by a page break, so every copy starts a
page. The 计票表 has the columns of 评议 from 党员编号 to 群众不满意票, in the
order of 评议's rows, so the tellers' counts paste into 评议 in one go; its
totals are native SUM formulas. Nothing sensitive (phones) is printed.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    box = replace(look.CENTRE, size=14)
    return (ColumnPlan("no", "序号", 6, look.INTEGER, look.CENTRE),
            ColumnPlan("member_id", "党员编号", 14, None, look.CENTRE),
            ColumnPlan("name", "姓名", 12, None, look.SHORT_TEXT),
            ColumnPlan("status", "党员身份", 11, None, look.CENTRE),
            *(ColumnPlan(f"c{i}", c, 10, None, box) for i, c in enumerate(choices)))


def ballot_sheet(name: str, kind: str, choices: Sequence[str], note: str, members: Sequence[BallotMember],
                 copies: int, letterhead: look.Letterhead) -> SheetPlan:
    """``copies`` ballots of ``kind`` one under another, a page break after each."""
    cols = ballot_columns(choices)
    rows = [[i + 1, m.member_id, m.name, m.label, *([BOX] * len(choices))] for i, m in enumerate(members)]
    width = len(cols)
    who = " ".join(p for p in (letterhead.unit_name, f"{letterhead.year}年度" if letterhead.year else "") if p)
    blocks, breaks, top = [], [], 1
    for copy in range(copies):
        titles = (TitleLine(f"{who}党员民主评议{kind}", look.TITLE, span=width, height=look.TITLE_HEIGHT),
                  TitleLine(f"第 {copy + 1} 份（共 {copies} 份）", look.SUBTITLE, span=width),
                  TitleLine(note, look.SUBTITLE, span=width))
        block = Block(cols, rows, top=top, left=1, titles=titles, header_style=look.HEADER, row_height=BALLOT_ROW,
                      footer=(TitleLine(DATE_LINE, look.SIGNATURE, span=width, height=30.0),))
        blocks.append(block)
        breaks.append(block.bottom)
        top = block.bottom + 1
    last = col_letter(width)
    bottom = blocks[-1].bottom if blocks else 1
    setup = look.table_print(f"A1:{last}{bottom}", letterhead, name, repeat=None, orientation="portrait")
    plan = fit(SheetPlan(name=name, blocks=blocks, print_setup=setup, tab_color=look.OUTPUT_TAB_COLOR,
                         row_breaks=tuple(breaks[:-1]), show_grid=False))
    return replace(plan, print_setup=replace(setup, fit_width=None, fit_height=None, scale=one_page_scale(plan)))


def one_page_scale(plan: SheetPlan) -> int:
    """The print scale (percent) at which one ballot fits one A4 portrait page, so every copy is one
    sheet of paper (fit-to-page would ignore the page breaks between copies)."""
    if not plan.blocks:
        return 100
    b, m = plan.blocks[0], look.MARGINS
    height = sum(plan.row_heights.get(r, b.row_height or 15.0) for r in range(b.top, b.bottom + 1))
    width = sum(c.width or 8.43 for c in b.columns) * 7 * 0.75  # units → pixels → points
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
