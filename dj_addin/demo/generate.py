"""A realistic sample university for ``dj demo``: branches, colleges and a
year of contact-and-service work, with a few recorded mistakes.

The generator is pure: ``generate_university(seed, year, as_of)`` returns
plain dicts and lists per unit (基本信息 items and rows per sheet, keyed by
the schema's English keys), so tests and later pipeline steps can inspect
exactly what was generated. ``write_university`` turns each unit into a
workbook through the template and ``write.fill``.

Why a demo needs mistakes: a sample that validates perfectly shows nothing.
A small share of typical slips (a mistyped member ID, an impossible date, a
closed request without its closing date, a value outside a list) is planted
in two branches and listed in ``University.planted`` with the sheet, row and
column, together with valid-but-unusual inputs (dates typed as text, 微信 as
联系方式, full-width IDs) that a good reader must accept.

Determinism: one ``random.Random(seed)`` drives everything (never the
global generator), and the workbooks get fixed timestamps, so the same seed,
year and as-of date give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from dj_addin.demo import words as pool
from dj_addin import schema
from dj_addin.context import clamp_as_of

DEFAULT_SEED = 2026
# The template puts headers in row 1, so list index i is Excel row i + 2.
FIRST_DATA_ROW = 2

# List values used by the generator's logic, named once (spelled in schema).
_STAFF, _STUDENT, _RETIRED = schema.MEMBER_CATEGORIES
_FULL, _PROBATION = schema.MEMBER_STATUSES
_SCHOOL_CADRE, _DIVISION_CADRE, _NO_CADRE = schema.CADRE_LEVELS
_SECRETARY, _DEPUTY, _COMMITTEE, _NO_POST = schema.BRANCH_POSTS
_BRANCH, _GENERAL_BRANCH, _COLLEGE_COMMITTEE, _UNIVERSITY_COMMITTEE = schema.UNIT_LEVELS
(_ACTIVIST, _CANDIDATE, _NON_PARTY_TALENT, _DEMOCRATIC, _LEADING_SCHOLAR, _STAFF_TARGET, _STUDENT_TARGET,
 _NEEDY_STUDENT, _OTHER_TARGET) = schema.TARGET_TYPES
_MASSES, _LEAGUE, _DEMOCRATIC_PARTY, _NON_PARTY, _CPC, _OTHER_POLITICAL = schema.POLITICAL_STATUSES
_NO_ACTION, _IN_PROGRESS, _CLOSED, _ESCALATED = schema.HANDLING_STATES
_ONLINE = schema.CONTACT_METHODS[3]  # 电话/网络
_OUTSIDE_REQUIRED = schema.FORUM_REASONS[:4]  # forums that must hear people outside the Party (R014)
_OVERDUE_DAYS = 30  # 办理中督办天数 (scoring.md default): older open requests would be R008


# --------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------

@dataclass
class UnitBook:
    """One unit's workbook content: 基本信息 items and rows per data sheet."""

    code: str
    name: str
    level: str
    year: int
    folder: str  # folder under the output directory ('' = the top)
    meta: dict[str, Any]  # 基本信息: item key → value
    rows: dict[str, list[dict[str, Any]]]  # sheet key → rows (column key → value)

    @property
    def file_name(self) -> str:
        return f"{self.code}_{self.name}_{self.year}.xlsx"

    @property
    def relpath(self) -> Path:
        return Path(self.folder) / self.file_name if self.folder else Path(self.file_name)

    def count(self, sheet_key: str) -> int:
        return len(self.rows.get(sheet_key, ()))


@dataclass(frozen=True)
class PlantedMistake:
    """A deliberate slip (``rule`` = the finding validation should give) or a
    valid-but-unusual input (``rule`` None; ``expected`` = what a good reader
    makes of it), at an Excel row of one unit's sheet."""

    unit_code: str
    sheet: str  # sheet key
    row: int  # Excel row number
    column: str  # column key
    value: Any  # as written into the cell
    what: str  # one Chinese line for people
    rule: str | None = None
    expected: Any = None

    @property
    def sheet_name(self) -> str:
        return schema.sheet(self.sheet).name

    @property
    def header(self) -> str:
        return schema.sheet(self.sheet).column(self.column).header

    @property
    def is_error(self) -> bool:
        return self.rule is not None

    def as_json(self) -> dict[str, Any]:
        return {"unit_code": self.unit_code, "sheet": self.sheet_name, "row": self.row, "field": self.header,
                "value": cell_text(self.value), "what": self.what, "rule": self.rule}


@dataclass
class College:
    book: UnitBook
    short_name: str
    branches: list[UnitBook]


@dataclass
class University:
    seed: int
    year: int
    as_of: dt.date
    name: str
    book: UnitBook
    colleges: list[College]
    planted: list[PlantedMistake] = field(default_factory=list)

    def branches(self) -> list[UnitBook]:
        return [b for c in self.colleges for b in c.branches]

    def books(self) -> list[UnitBook]:
        """Every workbook, bottom up: each college's branches, then the college; the university last."""
        out: list[UnitBook] = []
        for college in self.colleges:
            out.extend(college.branches)
            out.append(college.book)
        out.append(self.book)
        return out

    def planted_in(self, unit_code: str) -> list[PlantedMistake]:
        return [p for p in self.planted if p.unit_code == unit_code]


def cell_text(value: Any) -> str:
    """A value as it reads in its cell (for messages and JSON)."""
    if isinstance(value, tuple):
        return "、".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------

@dataclass
class _Person:
    member_id: str
    name: str
    gender: str
    category: str
    status: str
    department: str
    join_date: dt.date
    phone: str
    quality: float  # 0..1, drives activity, votes and scores
    cadre: str = _NO_CADRE
    post: str = _NO_POST
    note: str = ""
    student: bool = False
    targets: list[dict[str, Any]] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.category != _RETIRED

    @property
    def busy(self) -> bool:
        """Cadres and committee members keep more contacts."""
        return self.cadre != _NO_CADRE or self.post != _NO_POST


@dataclass
class _BranchPlan:
    code: str
    name: str
    kind: str  # "staff", "undergrad", "graduate"
    college_no: int
    college: str
    departments: tuple[str, ...]
    majors: tuple[str, ...]
    people: list[_Person] = field(default_factory=list)


def _day_off(d: dt.date) -> bool:
    """Weekends and the fixed-date public holidays (New Year, Labour Day, National Day)."""
    return d.weekday() >= 5 or (d.month, d.day) == (1, 1) or (d.month == 5 and d.day <= 5) or (
        d.month == 10 and d.day <= 7)


class _Generator:
    """Holds the random source, the period and the IDs and names already used."""

    def __init__(self, seed: int, year: int, as_of: dt.date) -> None:
        self.rng = random.Random(seed)
        self.year = year
        self.as_of = as_of
        self.start = dt.date(year, 1, 1)
        self.elapsed = ((as_of - self.start).days + 1) / ((dt.date(year, 12, 31) - self.start).days + 1)
        self.ids: set[str] = set()
        self.names: set[str] = set()
        self._surname_weights = [1 / (rank + 4) for rank in range(len(pool.SURNAMES))]

    # ---- small draws -----------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def weighted(self, pairs) -> Any:
        values, weights = zip(*pairs)
        return self.rng.choices(values, weights=weights)[0]

    def scaled(self, low: int, high: int, minimum: int = 0) -> int:
        """A yearly count scaled by the share of the year before the as-of date."""
        return max(minimum, round(self.rng.randint(low, high) * self.elapsed))

    def day(self, first: dt.date, last: dt.date, weekdays: float = 0.85) -> dt.date:
        """A day in [first, last], mostly a working day."""
        last = min(last, self.as_of)
        first = min(first, last)
        span = (last - first).days
        d = first + dt.timedelta(days=self.rng.randint(0, span))
        for _ in range(3):
            if not _day_off(d) or not self.chance(weekdays):
                break
            d = first + dt.timedelta(days=self.rng.randint(0, span))
        return d

    def phone(self) -> str:
        return f"1{self.rng.choice('35789')}{self.rng.randint(0, 9)}{self.rng.randint(0, 99999999):08d}"

    def name(self, gender: str, older: bool) -> str:
        while True:
            surname = self.rng.choices(pool.SURNAMES, weights=self._surname_weights)[0]
            male = gender == schema.GENDERS[0]
            chars = pool.GIVEN_MALE if male else pool.GIVEN_FEMALE
            r = self.rng.random()
            if r < (0.3 if older else 0.1) and len(surname) == 1:
                given = self.rng.choice(pool.SINGLE_MALE if male else pool.SINGLE_FEMALE)
            elif r < 0.85:
                given = self.rng.choice(pool.NAMES_MALE if male else pool.NAMES_FEMALE)
            else:
                given = "".join(self.rng.sample(chars, 2))
            full = surname + given
            if full not in self.names and full not in pool.FAMOUS_NAMES:
                self.names.add(full)
                return full

    def unique_id(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.ids:
                self.ids.add(value)
                return value

    def staff_id(self) -> str:
        return self.unique_id(lambda: f"{self.rng.choice('12')}{self.rng.randint(0, 99999):05d}")

    def retiree_id(self) -> str:  # old staff numbers keep a leading zero: IDs are text
        return self.unique_id(lambda: f"0{self.rng.randint(10000, 99999)}")

    def student_id(self, enrolled: int, college_no: int, graduate: bool) -> str:
        if graduate:
            return self.unique_id(lambda: f"{enrolled}2{college_no:02d}{self.rng.randint(1, 999):03d}")
        return self.unique_id(
            lambda: f"{enrolled}{college_no:02d}{self.rng.randint(1, 6):02d}{self.rng.randint(1, 40):02d}")

    def gender(self) -> str:
        return self.rng.choice(schema.GENDERS)


# --------------------------------------------------------------------------
# Members of a branch
# --------------------------------------------------------------------------

def _staff_member(g: _Generator, plan: _BranchPlan, *, senior: bool = False) -> _Person:
    """A member of staff; ``senior`` ones (committee, cadres) are 正式党员 of some years' standing."""
    gender = g.gender()
    status = _PROBATION if not senior and g.chance(0.03) else _FULL
    join = _join_date(g, status, earliest=g.year - 30, latest=g.year - (6 if senior else 2))
    return _Person(g.staff_id(), g.name(gender, older=True), gender, _STAFF, status, plan.college, join,
                   g.phone(), g.rng.betavariate(3.5, 2))


def _retiree(g: _Generator, plan: _BranchPlan) -> _Person:
    gender = g.gender()
    join = _join_date(g, _FULL, earliest=g.year - 50, latest=g.year - 25)
    return _Person(g.retiree_id(), g.name(gender, older=True), gender, _RETIRED, _FULL, plan.college, join,
                   g.phone(), g.rng.betavariate(4, 2), note="退休")


def _student_member(g: _Generator, plan: _BranchPlan) -> _Person:
    graduate = plan.kind == "graduate"
    enrolled = g.year - (g.rng.randint(1, 3) if graduate else g.rng.choice((1, 2, 2, 3, 3, 3)))
    status = _PROBATION if g.chance(0.2 if graduate else 0.35) else _FULL
    join = _join_date(g, status, earliest=enrolled + (0 if graduate else 1), latest=g.year - 1)
    gender = g.gender()
    person = _Person(g.student_id(enrolled, plan.college_no, graduate), g.name(gender, older=False), gender,
                     _STUDENT, status, plan.college, join, g.phone(), g.rng.betavariate(3.5, 2), student=True)
    return person


def _join_date(g: _Generator, status: str, earliest: int, latest: int) -> dt.date:
    """预备党员 joined within the last year; 正式党员 earlier (at least a year before the as-of date)."""
    if status == _PROBATION:
        return g.day(g.as_of - dt.timedelta(days=330), g.as_of - dt.timedelta(days=20), weekdays=1.0)
    latest_day = min(dt.date(latest, 12, 31), g.as_of - dt.timedelta(days=400))
    first_day = min(dt.date(min(earliest, latest), 1, 1), latest_day)
    return g.day(first_day, latest_day, weekdays=1.0)


def _branch_people(g: _Generator, plan: _BranchPlan, size: int) -> list[_Person]:
    """Members of one branch, committee first (as rosters are usually kept)."""
    people: list[_Person] = []
    if plan.kind == "staff":
        secretary = _staff_member(g, plan, senior=True)
        secretary.post = _SECRETARY
        deputy = _staff_member(g, plan, senior=True)
        deputy.post = _DEPUTY
        people += [secretary, deputy]
        for _ in range(g.rng.randint(1, 3)):
            member = _staff_member(g, plan, senior=True)
            member.post = _COMMITTEE
            member.note = g.rng.choice(("组织委员", "宣传委员", "纪检委员"))
            people.append(member)
        retirees = g.rng.randint(0, 3)
        while len(people) < size - retirees:
            people.append(_staff_member(g, plan))
        people += [_retiree(g, plan) for _ in range(retirees)]
    else:
        secretary = _staff_member(g, plan, senior=True)  # a counsellor usually leads a student branch
        secretary.post = _SECRETARY
        secretary.note = "辅导员"
        people.append(secretary)
        deputy = _student_member(g, plan)
        deputy.status = _FULL
        deputy.join_date = _join_date(g, _FULL, earliest=g.year - 3, latest=g.year - 1)
        deputy.post = _DEPUTY
        people.append(deputy)
        for _ in range(g.rng.randint(2, 3)):
            member = _student_member(g, plan)
            member.status = _FULL
            member.join_date = _join_date(g, _FULL, earliest=g.year - 3, latest=g.year - 1)
            member.post = _COMMITTEE
            people.append(member)
        while len(people) < size:
            people.append(_student_member(g, plan))
    return people


# --------------------------------------------------------------------------
# Assigned contacts (联系对象)
# --------------------------------------------------------------------------

_TARGET_MIX = {
    "staff": ((_NON_PARTY_TALENT, 3), (_STAFF_TARGET, 4), (_LEADING_SCHOLAR, 1), (_DEMOCRATIC, 1),
              (_ACTIVIST, 1), (_STUDENT_TARGET, 2), (_NEEDY_STUDENT, 1)),
    "student": ((_ACTIVIST, 4), (_CANDIDATE, 2), (_STUDENT_TARGET, 6), (_NEEDY_STUDENT, 2)),
}
_DEMOCRATIC_NOTES = ("民盟盟员", "九三学社社员", "民进会员", "农工党党员", "致公党党员")


def _political(g: _Generator, target_type: str, is_student: bool) -> str:
    if target_type in (_ACTIVIST, _CANDIDATE):
        return _LEAGUE if is_student else _MASSES
    if target_type == _DEMOCRATIC:
        return _DEMOCRATIC_PARTY
    if target_type in (_NON_PARTY_TALENT, _LEADING_SCHOLAR):
        return g.weighted(((_MASSES, 5), (_NON_PARTY, 3), (_DEMOCRATIC_PARTY, 2)))
    if target_type in (_STUDENT_TARGET, _NEEDY_STUDENT):
        return g.weighted(((_LEAGUE, 3), (_MASSES, 1)))
    return _MASSES


def _assign_targets(g: _Generator, plan: _BranchPlan) -> list[dict[str, Any]]:
    """2–4 contacts per active member (4–6 for committee members and cadres,
    who have a higher quota), one for some retired members."""
    rows: list[dict[str, Any]] = []
    for person in plan.people:
        if not person.active:
            n = 1 if g.chance(0.5) else 0
        elif person.post != _NO_POST:
            n = g.rng.randint(5, 6)
        elif person.busy:
            n = g.rng.randint(4, 5)
        else:
            n = g.rng.randint(2, 4)
        for _ in range(n):
            rows.append(_target(g, plan, person))
    return rows


def _target(g: _Generator, plan: _BranchPlan, person: _Person) -> dict[str, Any]:
    if not person.active:
        target_type, is_student = _OTHER_TARGET, False
    else:
        mix = _TARGET_MIX["staff" if plan.kind == "staff" and not person.student else "student"]
        if plan.kind != "staff" and not person.student:  # a counsellor in a student branch
            mix = _TARGET_MIX["student"]
        target_type = g.weighted(mix)
        is_student = target_type in (_STUDENT_TARGET, _NEEDY_STUDENT) or (
            target_type in (_ACTIVIST, _CANDIDATE) and plan.kind != "staff")
    gender = g.gender()
    if is_student:
        enrolled = g.year - g.rng.randint(1, 3)
        target_id = g.student_id(enrolled, plan.college_no, plan.kind == "graduate")
        major = g.rng.choice(plan.majors)
        org = f"{major}{enrolled}级{g.rng.randint(1, 4)}班" if plan.kind != "graduate" else f"{major}{enrolled}级研究生"
    elif target_type == _OTHER_TARGET:
        target_id = g.retiree_id()
        org = "离退休工作处"
    else:
        target_id = g.staff_id()
        org = plan.college + g.rng.choice(plan.departments) if g.chance(0.85) else g.rng.choice(pool.STAFF_OFFICES)
    note = g.rng.choice(_DEMOCRATIC_NOTES) if target_type == _DEMOCRATIC else ""
    pair = g.day(g.start, min(g.start + dt.timedelta(days=75), g.as_of))
    target = {
        "target_id": target_id, "name": g.name(gender, older=not is_student), "target_type": target_type,
        "political": _political(g, target_type, is_student), "org": org, "member_id": person.member_id,
        "pair_date": pair, "phone": g.phone(), "note": note or None,
    }
    person.targets.append(target)
    return target


# --------------------------------------------------------------------------
# The contact log (联系记载)
# --------------------------------------------------------------------------

def _quarters(g: _Generator) -> Iterator[tuple[dt.date, dt.date, float]]:
    """(first day, last day up to the as-of date, share of the quarter elapsed)."""
    for q in range(4):
        first = dt.date(g.year, 3 * q + 1, 1)
        if first > g.as_of:
            return
        end = dt.date(g.year + 1, 1, 1) if q == 3 else dt.date(g.year, 3 * q + 4, 1)
        last = end - dt.timedelta(days=1)
        full = (last - first).days + 1
        last = min(last, g.as_of)
        yield first, last, ((last - first).days + 1) / full


def _contacts_in_quarter(g: _Generator, person: _Person, share: float) -> int:
    if not person.active:
        return 1 if person.targets and g.chance(0.5) else 0
    slack = (1 - person.quality) ** 3
    if g.chance(0.03 + 0.6 * slack):  # busy or careless: at most one contact this quarter
        n = g.rng.choice((0, 1, 1))
    else:
        n = g.rng.randint(3, 7) if person.busy else g.rng.randint(2, 6)
    return round(n * share) if share < 1 else n


def _topic(g: _Generator, target_type: str) -> str:
    if target_type in (_ACTIVIST, _CANDIDATE):
        return g.rng.choice(pool.TOPICS_ACTIVIST)
    if target_type == _NEEDY_STUDENT:
        return g.rng.choice(pool.TOPICS_NEEDY + pool.TOPICS_STUDENT[:3])
    if target_type == _STUDENT_TARGET:
        return g.rng.choice(pool.TOPICS_STUDENT)
    if target_type == _OTHER_TARGET:
        return g.rng.choice(pool.TOPICS_RETIREE)
    return g.rng.choice(pool.TOPICS_STAFF)


def _handling(g: _Generator, when: dt.date) -> tuple[str, dt.date | None]:
    """What became of a request raised on ``when`` by the as-of date (never overdue)."""
    age = (g.as_of - when).days
    if age <= _OVERDUE_DAYS and g.chance(0.5):
        return _IN_PROGRESS, None
    if age == 0:
        return _IN_PROGRESS, None
    if g.chance(0.2):
        return _ESCALATED, None
    return _CLOSED, when + dt.timedelta(days=g.rng.randint(1, min(age, 21)))


def _contact_log(g: _Generator, plan: _BranchPlan) -> list[dict[str, Any]]:
    entries: list[tuple[dt.date, int, dict[str, Any]]] = []
    seen: set[tuple] = set()
    for order, person in enumerate(plan.people):
        if not person.targets:
            continue
        cycle: list[dict[str, Any]] = []
        for first, last, share in _quarters(g):
            for _ in range(_contacts_in_quarter(g, person, share)):
                if not cycle:  # visit every assigned contact before seeing anyone twice
                    cycle = g.rng.sample(person.targets, len(person.targets))
                target = cycle.pop()
                method = g.weighted(pool.METHOD_WEIGHTS)
                for _ in range(4):  # one contact per person and day (R009 would flag a double entry)
                    when = g.day(first, last)
                    key = (person.member_id, target["target_id"], when)
                    if key not in seen:
                        break
                else:
                    continue
                seen.add(key)
                row = {
                    "date": when, "member_id": person.member_id, "member_name": person.name,
                    "target_id": target["target_id"], "target_name": target["name"], "method": method,
                    "content": g.rng.choice(pool.OPENINGS[method]) + _topic(g, target["target_type"]),
                    "request": None, "handling": None, "closed_date": None, "reported": None, "note": None,
                }
                if g.chance(0.12):
                    handling, closed = _handling(g, when)
                    row.update(request=g.rng.choice(pool.REQUESTS), handling=handling, closed_date=closed,
                               reported=True)
                    if handling == _CLOSED:
                        row["note"] = g.rng.choice(pool.RESOLUTIONS) if g.chance(0.5) else None
                entries.append((when, order, row))
    entries.sort(key=lambda e: (e[0], e[1]))
    return [row for _, _, row in entries]


# --------------------------------------------------------------------------
# The other sheets
# --------------------------------------------------------------------------

def _research(g: _Generator, person: _Person) -> list[dict[str, Any]]:
    """Research trips of a cadre: about the yearly quota of days, with reports."""
    school = person.cadre == _SCHOOL_CADRE
    goal = (30 if school else 20) * g.elapsed * g.rng.uniform(0.75, 1.35)
    reports = max(0, round((g.rng.randint(2, 3) if school else g.rng.randint(1, 2)) * g.elapsed))
    rows: list[dict[str, Any]] = []
    days_so_far = 0.0
    while days_so_far < goal and len(rows) < 15:
        length = g.rng.randint(1, 5)
        latest_start = g.as_of - dt.timedelta(days=length - 1)
        if latest_start < g.start:
            break
        first = g.day(g.start, latest_start, weekdays=1.0)
        last = first + dt.timedelta(days=length - 1)
        days = float(length)
        if length >= 2 and g.chance(0.15):
            days = length - 0.5  # a half day on the last day
        topic = g.rng.choice(pool.RESEARCH_TOPICS)
        rows.append({"member_id": person.member_id, "start_date": first, "end_date": last,
                     "days": None if g.chance(0.15) else days, "place": g.rng.choice(pool.RESEARCH_PLACES),
                     "topic": topic, "has_report": False, "report_title": None, "note": None})
        days_so_far += days
    rows.sort(key=lambda r: r["start_date"])
    for row in g.rng.sample(rows, min(reports, len(rows))):
        row["has_report"] = True
        row["report_title"] = f"关于{row['topic']}的调研报告"
    return rows


def _receptions(g: _Generator, person: _Person) -> list[dict[str, Any]]:
    rows = []
    for _ in range(g.scaled(2, 4, minimum=1 if g.elapsed > 0.3 else 0)):
        visitors = g.rng.randint(3, 15)
        issues = g.rng.randint(1, min(visitors, 8))
        rows.append({"date": g.day(g.start, g.as_of), "leader_id": person.member_id, "visitors": visitors,
                     "issues": issues, "resolved": g.rng.randint(max(0, issues - 2), issues),
                     "main_issues": g.rng.choice(pool.RECEPTION_ISSUES),
                     "handling": g.rng.choice(pool.RECEPTION_HANDLING)})
    return sorted(rows, key=lambda r: r["date"])


def _point_visits(g: _Generator, person: _Person, point: dict[str, Any], place: str) -> list[dict[str, Any]]:
    rows = []
    for _ in range(g.scaled(4, 6)):
        rows.append({"cadre_id": person.member_id, "date": g.day(point["start_date"], g.as_of), "place": place,
                     "content": g.rng.choice(pool.VISIT_CONTENTS), "solved": g.rng.randint(0, 3)})
    return sorted(rows, key=lambda r: r["date"])


def _briefings(g: _Generator, plan: _BranchPlan) -> list[dict[str, Any]]:
    rows = []
    items = g.rng.sample(pool.BRIEFING_ITEMS, min(len(pool.BRIEFING_ITEMS), g.scaled(3, 6, minimum=1)))
    for item, item_type in items:
        opinions = g.rng.randint(0, 8)
        rows.append({"date": g.day(g.start, g.as_of), "item": item.format(year=g.year), "item_type": item_type,
                     "form": g.weighted(pool.BRIEFING_FORMS), "coverage": len(plan.people) + g.rng.randint(0, 40),
                     "opinions": opinions, "answered": g.rng.randint(max(0, opinions - 2), opinions),
                     "note": None})
    return sorted(rows, key=lambda r: r["date"])


def _forums(g: _Generator, plan: _BranchPlan) -> list[dict[str, Any]]:
    """Forums hosted by the secretary (usually the quota of 2) and sometimes the deputy."""
    secretary = next(p for p in plan.people if p.post == _SECRETARY)
    deputy = next((p for p in plan.people if p.post == _DEPUTY), secretary)
    hosts = [secretary] * g.scaled(2, 3) + ([deputy] if g.chance(0.4) else [])
    if g.chance(0.12) and len(hosts) > 1:  # a secretary who fell short of the quota
        hosts.pop(0)
    rows = []
    for host in hosts:
        topic, reason = g.rng.choice(pool.FORUM_TOPICS)
        outside = g.rng.randint(2, 10) if reason in _OUTSIDE_REQUIRED or g.chance(0.6) else 0
        opinions = g.rng.randint(2, 12)
        rows.append({"date": g.day(g.start, g.as_of), "topic": topic, "reason": reason,
                     "host_id": host.member_id, "inside": g.rng.randint(5, max(6, len(plan.people))),
                     "outside": outside, "opinions": opinions, "rectified": g.rng.randint(opinions // 2, opinions),
                     "note": None})
    return sorted(rows, key=lambda r: r["date"])


def _activities(g: _Generator, plan: _BranchPlan) -> list[dict[str, Any]]:
    """Carrier activities; participants are drawn so that most members join two or more."""
    active = [p for p in plan.people if p.active]
    used = {p.member_id: 0 for p in active}
    rows = []
    for _ in range(g.scaled(8, 12, minimum=1)):
        brand = g.weighted(pool.BRAND_WEIGHTS)
        name, outcome, unit = g.rng.choice(pool.ACTIVITIES[brand])
        size = min(len(active), g.rng.randint(max(3, len(active) // 8), max(5, len(active) // 4)))
        ranked = sorted(active, key=lambda p: (used[p.member_id], g.rng.random()))
        chosen = ranked[:size]
        for p in chosen:
            used[p.member_id] += 1
        order = {p.member_id: i for i, p in enumerate(plan.people)}
        ids = tuple(sorted((p.member_id for p in chosen), key=order.__getitem__))
        rows.append({"date": g.day(g.start, g.as_of), "name": name, "brand": brand, "member_ids": ids,
                     "beneficiaries": g.rng.randint(10, 200), "outcome": outcome,
                     "outcome_qty": g.rng.randint(1, 50), "outcome_unit": unit})
    return sorted(rows, key=lambda r: r["date"])


def _votes(g: _Generator, total: int, shares: list[float]) -> list[int]:
    counts = [0] * len(shares)
    for _ in range(total):
        counts[g.rng.choices(range(len(shares)), weights=shares)[0]] += 1
    return counts


def _evaluation(g: _Generator, plan: _BranchPlan, violator: str | None) -> list[dict[str, Any]]:
    """One row per member: votes and the committee's score follow the member's quality."""
    rows = []
    for p in plan.people:
        q = p.quality
        voters = max(1, len(plan.people) - 1 - g.rng.randint(0, 3))
        peer = _votes(g, voters, [0.1 + 0.6 * q, 0.85 - 0.5 * q, 0.06 * (1 - q), 0.02 * (1 - q) ** 2])
        mass = _votes(g, g.rng.randint(5, 12), [0.5 + 0.48 * q, 0.35 * (1 - q) + 0.05, 0.25 * (1 - q) ** 2])
        score = min(100.0, round(62 + 34 * q + g.rng.uniform(-4, 4)))
        self_grade = schema.GRADES[0] if q > 0.8 and g.chance(0.5) else schema.GRADES[1]
        row = {"member_id": p.member_id, "self_grade": self_grade,
               "peer_excellent": peer[0], "peer_pass": peer[1], "peer_basic": peer[2], "peer_fail": peer[3],
               "mass_satisfied": mass[0], "mass_basic": mass[1], "mass_unsatisfied": mass[2],
               "org_score": float(score), "violation": False, "note": None}
        if p.member_id == violator:
            row.update(violation=True, org_score=58.0, self_grade=schema.GRADES[2],
                       note="本年度受到党内警告处分")
        rows.append(row)
    return rows


def _roster_row(p: _Person, branch_code: str) -> dict[str, Any]:
    return {"member_id": p.member_id, "name": p.name, "gender": p.gender, "category": p.category,
            "status": p.status, "cadre_level": p.cadre, "branch_post": p.post, "branch_code": branch_code,
            "department": p.department, "join_date": p.join_date, "phone": p.phone, "note": p.note or None}


# --------------------------------------------------------------------------
# The university
# --------------------------------------------------------------------------

def _plan_college(g: _Generator, college_no: int, spec: tuple) -> tuple[str, list[_BranchPlan]]:
    short, departments, majors = spec
    n = g.rng.randint(3, 5)
    kinds = ["staff"] * (1 if n == 3 else 2) + ["graduate"]
    kinds += ["undergrad"] * (n - len(kinds))
    numerals = "一二三四五"
    plans = []
    staff_no = undergrad_no = 0
    for j, kind in enumerate(kinds, start=1):
        if kind == "staff":
            staff_no += 1
            name = f"{short}教工第{numerals[staff_no - 1]}党支部" if kinds.count("staff") > 1 else f"{short}教工党支部"
        elif kind == "graduate":
            name = f"{short}研究生党支部"
        else:
            undergrad_no += 1
            name = (f"{short}本科生第{numerals[undergrad_no - 1]}党支部" if kinds.count("undergrad") > 1
                    else f"{short}本科生党支部")
        plans.append(_BranchPlan(f"D{college_no:02d}{j:02d}", name, kind, college_no, short, departments, majors))
    return short, plans


def _college_level(plans: list[_BranchPlan]) -> str:
    """Larger colleges have a 学院党委, smaller ones a 党总支."""
    return _COLLEGE_COMMITTEE if len(plans) >= 4 else _GENERAL_BRANCH


_SIZES = {"staff": (18, 45), "graduate": (18, 50), "undergrad": (25, 60)}


def _appoint_cadres(g: _Generator, colleges: list[tuple[str, list[_BranchPlan]]]) -> list[tuple[_Person, _BranchPlan]]:
    """处级 cadres in each college's staff branches; one or two 校级 cadres somewhere."""
    cadres: list[tuple[_Person, _BranchPlan]] = []
    for short, plans in colleges:
        staff = [p for p in plans if p.kind == "staff"]
        posts = list(pool.DIVISION_POSTS_PRIMARY) + g.rng.sample(pool.DIVISION_POSTS_OTHER, g.rng.randint(1, 2))
        if _college_level(plans) == _GENERAL_BRANCH:
            posts = [post.replace("党委", "党总支") for post in posts]
        for i, post in enumerate(posts):
            plan = staff[i % len(staff)]
            person = _staff_member(g, plan, senior=True)
            person.cadre, person.note = _DIVISION_CADRE, f"{short}{post}"
            person.quality = max(person.quality, g.rng.uniform(0.6, 0.95))
            plan.people.append(person)
            cadres.append((person, plan))
    for post in g.rng.sample(pool.SCHOOL_POSTS, g.rng.randint(1, 2)):
        short, plans = g.rng.choice(colleges)
        plan = g.rng.choice([p for p in plans if p.kind == "staff"])
        person = _staff_member(g, plan, senior=True)
        person.cadre, person.note = _SCHOOL_CADRE, post
        person.quality = max(person.quality, g.rng.uniform(0.7, 0.95))
        plan.people.append(person)
        cadres.append((person, plan))
    return cadres


def _contact_point(g: _Generator, person: _Person, home: _BranchPlan, all_plans: list[_BranchPlan],
                   ) -> tuple[dict[str, Any], str]:
    """A 处级 cadre's point is a student branch of the own college; a 校级 cadre's is in another college."""
    if person.cadre == _SCHOOL_CADRE:
        choices = [p for p in all_plans if p.college != home.college] or all_plans
    else:
        choices = [p for p in all_plans if p.college == home.college and p.kind != "staff"] or [home]
    point = g.rng.choice(choices)
    start = min(g.as_of, g.start + dt.timedelta(days=g.rng.randint(0, 40)))
    return ({"cadre_id": person.member_id, "department": point.college, "branch_code": point.code,
             "start_date": start}, point.name)


def _meta(code: str, name: str, level: str, parent: tuple[str, str] | None, year: int, secretary: str,
          filler: str, phone: str, as_of: dt.date) -> dict[str, Any]:
    return {"unit_code": code, "unit_name": name, "unit_level": level,
            "parent_code": parent[0] if parent else None, "parent_name": parent[1] if parent else None,
            "year": year, "secretary": secretary, "filler": filler, "phone": phone, "report_date": as_of,
            "template_version": schema.TEMPLATE_VERSION}


def generate_university(seed: int = DEFAULT_SEED, year: int | None = None,
                        as_of: dt.date | None = None) -> University:
    """A sample university: ≥2 colleges, 3–5 branches each, 15–60 members per
    branch, a year of activity up to ``as_of`` (default today, at most the
    last day of ``year``), and a recorded list of planted mistakes."""
    year = year or dt.date.today().year
    as_of = clamp_as_of(as_of, dt.date.today(), year)
    if as_of < dt.date(year, 1, 1):
        raise ValueError(f"as_of {as_of} is before the year {year}")
    g = _Generator(seed, year, as_of)

    uni_name = g.rng.choice(pool.UNIVERSITIES)
    specs = g.rng.sample(pool.COLLEGES, 2)
    colleges = [_plan_college(g, i, spec) for i, spec in enumerate(specs, start=1)]
    all_plans = [p for _, plans in colleges for p in plans]
    for plan in all_plans:
        size = g.rng.randint(*_SIZES[plan.kind])
        plan.people = _branch_people(g, plan, size)
    cadres = _appoint_cadres(g, colleges)
    violator_plan = g.rng.choice(all_plans)  # one rare disciplinary case in the whole university
    violator = g.rng.choice(_violation_candidates(violator_plan)).member_id

    uni_code = "U"
    uni_unit = f"{uni_name}党委"
    college_results: list[College] = []
    for college_no, (short, plans) in enumerate(colleges, start=1):
        code = f"C{college_no:02d}"
        level = _college_level(plans)
        unit_name = f"{short}党委" if level == _COLLEGE_COMMITTEE else f"{short}党总支"
        folder = f"{code}_{short}"
        branches = []
        for plan in plans:
            rows = _branch_rows(g, plan, cadres, all_plans, violator)
            secretary = next(p for p in plan.people if p.post == _SECRETARY)
            filler = next((p for p in plan.people if p.post == _COMMITTEE), secretary)
            meta = _meta(plan.code, plan.name, _BRANCH, (code, unit_name), year, secretary.name, filler.name,
                         filler.phone, as_of)
            branches.append(UnitBook(plan.code, plan.name, _BRANCH, year, folder, meta, rows))
        head = next(p for p, home in cadres if home.college == short and p.cadre == _DIVISION_CADRE)
        units = [{"unit_code": b.code, "unit_name": b.name, "unit_level": _BRANCH,
                  "leader": b.meta["secretary"], "must_report": True} for b in branches]
        meta = _meta(code, unit_name, level, (uni_code, uni_unit), year, head.name,
                     g.name(g.gender(), older=True), g.phone(), as_of)
        book = UnitBook(code, unit_name, level, year, folder, meta, {"units": units})
        college_results.append(College(book, short, branches))

    units = [{"unit_code": c.book.code, "unit_name": c.book.name, "unit_level": c.book.level,
              "leader": c.book.meta["secretary"], "must_report": True} for c in college_results]
    meta = _meta(uni_code, uni_unit, _UNIVERSITY_COMMITTEE, None, year, g.name(g.gender(), older=True),
                 g.name(g.gender(), older=True), g.phone(), as_of)
    uni = University(seed, year, as_of, uni_name, UnitBook(uni_code, uni_unit, _UNIVERSITY_COMMITTEE, year, "",
                                                           meta, {"units": units}), college_results)
    _plant(g, uni)
    return uni


def _branch_rows(g: _Generator, plan: _BranchPlan, cadres: list[tuple[_Person, _BranchPlan]],
                 all_plans: list[_BranchPlan], violator: str) -> dict[str, list[dict[str, Any]]]:
    """Every data sheet of one branch; the cadres who belong to it bring their
    research, reception days, contact point and visits."""
    rows: dict[str, list[dict[str, Any]]] = {
        "roster": [_roster_row(p, plan.code) for p in plan.people],
        "targets": _assign_targets(g, plan),
        "contact_log": _contact_log(g, plan),
        "research": [], "reception": [], "contact_points": [], "point_visits": [],
        "briefings": _briefings(g, plan), "forums": _forums(g, plan), "activities": _activities(g, plan),
        "evaluation": _evaluation(g, plan, violator),
    }
    for person, home in cadres:
        if home is not plan:
            continue
        rows["research"] += _research(g, person)
        if person.cadre == _SCHOOL_CADRE:
            rows["reception"] += _receptions(g, person)
        point, place = _contact_point(g, person, home, all_plans)
        rows["contact_points"].append(point)
        rows["point_visits"] += _point_visits(g, person, point, place)
    rows["research"].sort(key=lambda r: r["start_date"])
    rows["reception"].sort(key=lambda r: r["date"])
    rows["point_visits"].sort(key=lambda r: r["date"])
    return rows


def _violation_candidates(plan: _BranchPlan) -> list[_Person]:
    """Members who could plausibly have a disciplinary finding (active, no post)."""
    return [p for p in plan.people if p.active and p.post == _NO_POST and p.cadre == _NO_CADRE] or plan.people


# --------------------------------------------------------------------------
# Planted mistakes and unusual inputs
# --------------------------------------------------------------------------

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class _Planter:
    """Changes rows of one branch's sheets and records each change."""

    def __init__(self, g: _Generator, uni: University, book: UnitBook) -> None:
        self.g, self.uni, self.book = g, uni, book
        self.used: set[tuple[str, int]] = set()

    def pick(self, sheet: str, test: Callable[[dict[str, Any]], bool] = lambda r: True) -> int | None:
        rows = self.book.rows[sheet]
        candidates = [i for i, r in enumerate(rows) if (sheet, i) not in self.used and test(r)]
        if not candidates:
            return None
        i = self.g.rng.choice(candidates)
        self.used.add((sheet, i))
        return i

    def put(self, sheet: str, i: int, column: str, value: Any, what: str, rule: str | None = None,
            expected: Any = None) -> None:
        self.book.rows[sheet][i][column] = value
        self.uni.planted.append(PlantedMistake(self.book.code, sheet, i + FIRST_DATA_ROW, column, value, what,
                                               rule, expected))

    # ---- slips validation must report ------------------------------------

    def typo_member_id(self) -> None:
        roster = self.g.ids  # every ID in the university: the typo must match nobody, even after merging
        i = self.pick("contact_log", lambda r: len(r["member_id"]) >= 6)
        if i is None:
            return
        good = self.book.rows["contact_log"][i]["member_id"]
        digits = list(good)
        for k in range(len(digits) - 2, 0, -1):  # swap two neighbouring digits that differ
            if digits[k] != digits[k + 1]:
                digits[k], digits[k + 1] = digits[k + 1], digits[k]
                if "".join(digits) not in roster:
                    break
                digits = list(good)
        typo = "".join(digits)
        if typo == good or typo in roster:
            typo = good[:-1] + ("9" if good[-1] != "9" else "8") + "0"
        self.put("contact_log", i, "member_id", typo, f"党员编号输错（应为 {good}），名册中没有这个编号", "R002")

    def bad_date(self, text: str) -> None:
        i = self.pick("contact_log")
        if i is not None:
            self.put("contact_log", i, "date", text, f"联系日期写成不存在的日期「{text}」", "C002")

    def closed_without_date(self) -> None:
        i = self.pick("contact_log", lambda r: r["handling"] == _CLOSED)
        if i is None:
            i = self.pick("contact_log", lambda r: r["request"] is not None)
            if i is None:
                return
            self.book.rows["contact_log"][i]["handling"] = _CLOSED
        self.put("contact_log", i, "closed_date", None, "办理情况为“已办结”，但没有填办结日期", "R007")

    def outside_list(self, value: str) -> None:
        i = self.pick("contact_log")
        if i is not None:
            self.put("contact_log", i, "method", value, f"联系方式填了下拉列表以外的「{value}」", "C005")

    # ---- unusual inputs a good reader accepts -----------------------------

    def date_as_text(self, form: str) -> None:
        i = self.pick("contact_log")
        if i is None:
            return
        d: dt.date = self.book.rows["contact_log"][i]["date"]
        text = {"slash": f"{d.year}/{d.month}/{d.day}", "dot": f"{d.year}.{d.month}.{d.day}",
                "chinese": f"{d.year}年{d.month}月{d.day}日", "compact": d.strftime("%Y%m%d")}[form]
        self.put("contact_log", i, "date", text, f"联系日期以文本「{text}」录入（可接受的写法）", expected=d)

    def wechat(self) -> None:
        i = self.pick("contact_log", lambda r: r["method"] == _ONLINE)
        if i is not None:
            self.put("contact_log", i, "method", "微信", "联系方式写成“微信”（同义词，读作 电话/网络）",
                     expected=_ONLINE)

    def resolved_synonym(self) -> None:
        i = self.pick("contact_log", lambda r: r["handling"] == _CLOSED and r["closed_date"] is not None)
        if i is not None:
            self.put("contact_log", i, "handling", "已解决", "办理情况写成“已解决”（同义词，读作 已办结）",
                     expected=_CLOSED)

    def fullwidth_id(self) -> None:
        i = self.pick("contact_log", lambda r: r["member_id"].isdigit())
        if i is not None:
            good = self.book.rows["contact_log"][i]["member_id"]
            wide = good.translate(_FULLWIDTH)
            self.put("contact_log", i, "member_id", wide, "党员编号用全角数字录入（读作半角）", expected=good)

    def mixed_separators(self) -> None:
        i = self.pick("activities", lambda r: len(r["member_ids"]) >= 3)
        if i is not None:
            ids = self.book.rows["activities"][i]["member_ids"]
            text = f"{ids[0]}，{ids[1]} " + "；".join(ids[2:])
            self.put("activities", i, "member_ids", text, "参与党员编号用逗号、空格和分号混合分隔（可接受）",
                     expected=ids)


def _plant(g: _Generator, uni: University) -> None:
    """Slips in one branch per college; unusual but valid inputs in another."""
    year = uni.year
    for n, college in enumerate(uni.colleges):
        flawed, unusual = g.rng.sample(college.branches, 2)
        p = _Planter(g, uni, flawed)
        if n % 2 == 0:
            p.typo_member_id()
            p.bad_date(f"{year}-13-05")
            p.closed_without_date()
        else:
            p.bad_date(f"{year}年2月30日")
            p.outside_list("当面交流")
            p.typo_member_id()
        q = _Planter(g, uni, unusual)
        for form in ("slash", "chinese", "compact") if n % 2 == 0 else ("dot", "slash"):
            q.date_as_text(form)
        q.wechat()
        q.fullwidth_id()
        q.resolved_synonym()
        q.mixed_separators()


# --------------------------------------------------------------------------
# Writing the workbooks
# --------------------------------------------------------------------------

@dataclass
class WrittenBook:
    book: UnitBook
    path: Path


_CORE_XML = "docProps/core.xml"
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def fixed_timestamp(year: int) -> dt.datetime:
    """The creation/modification time written into every demo workbook."""
    return dt.datetime(year, 1, 1, 8, 0, 0)


def _reproducible_bytes(wb: Any, stamp: dt.datetime) -> bytes:
    """The saved workbook with fixed document and zip timestamps.

    openpyxl stamps ``dcterms:modified`` with the current time while saving
    and the zip entries with the clock, so both are rewritten afterwards.
    """
    wb.properties.created = stamp
    wb.properties.modified = stamp
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == _CORE_XML:
                data = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def _write_file(tmp: Path, data: bytes) -> None:
    tmp.write_bytes(data)
    umask = os.umask(0)  # the temporary file is private (0600); a workbook is an ordinary document
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)


def write_university(uni: University, out_dir: Path,
                     progress: Callable[[UnitBook], None] | None = None) -> list[WrittenBook]:
    """Write every unit's workbook under ``out_dir`` (college folders), atomically."""
    from dj_addin.template.build import build_template
    from dj_addin.xlsx.atomic import atomic_write
    from dj_addin.template.fill import fill_workbook

    out_dir = Path(out_dir)
    stamp = fixed_timestamp(uni.year)
    written = []
    for book in uni.books():
        if progress is not None:
            progress(book)
        path = out_dir / book.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = build_template()
        fill_workbook(wb, book.meta, book.rows)
        data = _reproducible_bytes(wb, stamp)
        atomic_write(path, lambda tmp, data=data: _write_file(tmp, data))
        written.append(WrittenBook(book, path))
    return written
