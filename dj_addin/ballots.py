"""打印评议票: a print-ready workbook of ballots for the evaluation meeting (scoring.md).

``make_ballots(path)`` reads the roster of a workbook and writes a NEW
workbook beside it (or at ``out``) with 党员互评票 (one per member), 群众评议票
(``mass_copies``) and 计票表, built as plans (``plans.ballots``) and written
by the streaming renderer. It never overwrites a file unless ``force``;
the source workbook is only read. The CLI (``dj ballots``) and the ribbon
(打印评议票) call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dj_addin import schema
from dj_addin.context import RunContext
from dj_addin.errors import DjError, UsageError
from dj_addin.plans import letterhead_of
from dj_addin.plans.ballots import MASS_SHEET, PEER_SHEET, TALLY_SHEET, BallotMember, ballot_plans
from dj_addin.model import Book

MAX_COPIES = 1000
SUFFIX = ".xlsx"


@dataclass
class BallotsResult:
    """What ``make_ballots`` wrote."""

    source: Path
    out: Path
    members: int
    probationary: int
    peer_copies: int
    mass_copies: int
    sheets: list[str] = field(default_factory=list)
    exit_code: int = 0
    peer_pages: int = 1  # pages one 党员互评票 takes (a long list goes on over pages, never below 85 %)

    def summary_lines(self) -> list[str]:
        return [f"已生成评议票「{self.out}」：",
                f"{PEER_SHEET} {self.peer_copies} 份（每名党员一份，列出 {self.members} 名党员，"
                f"其中预备党员 {self.probationary} 名）；",
                f"{MASS_SHEET} {self.mass_copies} 份；{TALLY_SHEET} 1 张（各列与「{schema.EVALUATION.name}」相同，"
                "计票后可整块复制过去）。",
                "打印：A4 纸，每份评议票从新的一页开始。" + (
                    f"名单较长，每份评议票分 {self.peer_pages} 页打印（每页都有标题和表头），请按份装订。"
                    if self.peer_pages > 1 else "")]

    def as_json(self) -> dict:
        return {"source": str(self.source), "out": str(self.out), "members": self.members,
                "probationary": self.probationary, "peer_copies": self.peer_copies,
                "mass_copies": self.mass_copies, "sheets": list(self.sheets)}


def default_out(path: Path) -> Path:
    return path.with_name(f"{path.stem}_评议票{SUFFIX}")


def check_out(source: Path, out: Path, force: bool) -> None:
    """An .xlsx that is not the source, and not an existing file unless ``force``."""
    if out.suffix.lower() != SUFFIX:
        raise UsageError(f"输出文件「{out.name}」的扩展名不是 .xlsx；请改用 .xlsx 结尾的文件名，"
                         f"例如「{default_out(source).name}」。")
    if out.exists() and source.exists() and out.resolve() == source.resolve():
        raise UsageError("输出文件指向了原工作簿；评议票写在新文件里，请换一个文件名。")
    if out.exists() and not force:
        raise DjError(f"文件「{out}」已存在，为避免覆盖，未作改动。请换一个文件名；确实要覆盖它，请加 --force。")


def members_of(book: Book) -> list[BallotMember]:
    """Everyone on the roster with a 党员编号, in 评议's row order first (so the 计票表 pastes into it),
    then the rest in roster order."""
    roster = book.frame(schema.ROSTER.key)
    people: dict[str, BallotMember] = {}
    for mid, name, status in zip(roster["member_id"], roster["name"], roster["status"]):
        if isinstance(mid, str) and mid.strip() and mid not in people:
            people[mid] = BallotMember(mid, name if isinstance(name, str) else "", status if isinstance(status, str)
                                       else "")
    order: list[str] = []
    if schema.EVALUATION.key in book.tables:
        order = [m for m in book.frame(schema.EVALUATION.key)["member_id"] if isinstance(m, str) and m in people]
    seen = set(order)
    return [people[m] for m in dict.fromkeys(order)] + [p for m, p in people.items() if m not in seen]


def make_ballots(path: str | Path, out: str | Path | None = None, *, mass_copies: int = 20,
                 force: bool = False) -> BallotsResult:
    """Write the ballots of the workbook at ``path`` into a new workbook (default: 「<name>_评议票.xlsx」)."""
    from dj_addin.xlsx.reader import read_book
    from dj_addin.xlsx.stream import write_workbook

    path = Path(path)
    out = Path(out) if out is not None else default_out(path)
    if not 1 <= mass_copies <= MAX_COPIES:
        raise UsageError(f"群众评议票的份数应在 1 到 {MAX_COPIES} 之间，现在是 {mass_copies}。")
    book = read_book(path)  # an unreadable book is the first thing to say
    check_out(path, out, force)
    members = members_of(book)
    if not members:
        raise DjError(f"「{schema.ROSTER.name}」里没有党员（没有填写党员编号的行），无法生成评议票；"
                      "请先填写党员名册。")
    plans = ballot_plans(members, letterhead_of(RunContext.build(book)), mass_copies)
    sheets = write_workbook(out, plans)
    probationary = sum(1 for m in members if m.label == schema.MEMBER_STATUSES[1])
    return BallotsResult(source=path, out=out, members=len(members), probationary=probationary,
                         peer_copies=len(members), mass_copies=mass_copies, sheets=sheets,
                         peer_pages=len(plans[0].blocks) // len(members))
