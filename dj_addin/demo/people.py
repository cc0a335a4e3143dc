"""Who is in a branch: the random source with the IDs and names already used
(``Generator``), and the members of one branch, committee first.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, Callable

from dj_addin import schema
from dj_addin.demo import words as pool
from dj_addin.demo.values import (COMMITTEE, DEPUTY, FULL, NO_CADRE, NO_POST, PROBATION, RETIRED, SECRETARY,
                                  STAFF, STUDENT)


@dataclass
class Person:
    member_id: str
    name: str
    gender: str
    category: str
    status: str
    department: str
    join_date: dt.date
    phone: str
    quality: float  # 0..1, drives activity, votes and scores
    cadre: str = NO_CADRE
    post: str = NO_POST
    note: str = ""
    student: bool = False
    targets: list[dict[str, Any]] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.category != RETIRED

    @property
    def busy(self) -> bool:
        """Cadres and committee members keep more contacts."""
        return self.cadre != NO_CADRE or self.post != NO_POST


@dataclass
class BranchPlan:
    code: str
    name: str
    kind: str  # "staff", "undergrad", "graduate"
    college_no: int
    college: str
    departments: tuple[str, ...]
    majors: tuple[str, ...]
    people: list[Person] = field(default_factory=list)


def _day_off(d: dt.date) -> bool:
    """Weekends and the fixed-date public holidays (New Year, Labour Day, National Day)."""
    return d.weekday() >= 5 or (d.month, d.day) == (1, 1) or (d.month == 5 and d.day <= 5) or (
        d.month == 10 and d.day <= 7)


class Generator:
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

def staff_member(g: Generator, plan: BranchPlan, *, senior: bool = False) -> Person:
    """A member of staff; ``senior`` ones (committee, cadres) are 正式党员 of some years' standing."""
    gender = g.gender()
    status = PROBATION if not senior and g.chance(0.03) else FULL
    join = _join_date(g, status, earliest=g.year - 30, latest=g.year - (6 if senior else 2))
    return Person(g.staff_id(), g.name(gender, older=True), gender, STAFF, status, plan.college, join,
                   g.phone(), g.rng.betavariate(3.5, 2))


def _retiree(g: Generator, plan: BranchPlan) -> Person:
    gender = g.gender()
    join = _join_date(g, FULL, earliest=g.year - 50, latest=g.year - 25)
    return Person(g.retiree_id(), g.name(gender, older=True), gender, RETIRED, FULL, plan.college, join,
                   g.phone(), g.rng.betavariate(4, 2), note="退休")


def _student_member(g: Generator, plan: BranchPlan) -> Person:
    graduate = plan.kind == "graduate"
    enrolled = g.year - (g.rng.randint(1, 3) if graduate else g.rng.choice((1, 2, 2, 3, 3, 3)))
    status = PROBATION if g.chance(0.2 if graduate else 0.35) else FULL
    join = _join_date(g, status, earliest=enrolled + (0 if graduate else 1), latest=g.year - 1)
    gender = g.gender()
    person = Person(g.student_id(enrolled, plan.college_no, graduate), g.name(gender, older=False), gender,
                     STUDENT, status, plan.college, join, g.phone(), g.rng.betavariate(3.5, 2), student=True)
    return person


def _join_date(g: Generator, status: str, earliest: int, latest: int) -> dt.date:
    """预备党员 joined within the last year; 正式党员 earlier (at least a year before the as-of date)."""
    if status == PROBATION:
        return g.day(g.as_of - dt.timedelta(days=330), g.as_of - dt.timedelta(days=20), weekdays=1.0)
    latest_day = min(dt.date(latest, 12, 31), g.as_of - dt.timedelta(days=400))
    first_day = min(dt.date(min(earliest, latest), 1, 1), latest_day)
    return g.day(first_day, latest_day, weekdays=1.0)


def branch_people(g: Generator, plan: BranchPlan, size: int) -> list[Person]:
    """Members of one branch, committee first (as rosters are usually kept)."""
    people: list[Person] = []
    if plan.kind == "staff":
        secretary = staff_member(g, plan, senior=True)
        secretary.post = SECRETARY
        deputy = staff_member(g, plan, senior=True)
        deputy.post = DEPUTY
        people += [secretary, deputy]
        for _ in range(g.rng.randint(1, 3)):
            member = staff_member(g, plan, senior=True)
            member.post = COMMITTEE
            member.note = g.rng.choice(("组织委员", "宣传委员", "纪检委员"))
            people.append(member)
        retirees = g.rng.randint(0, 3)
        while len(people) < size - retirees:
            people.append(staff_member(g, plan))
        people += [_retiree(g, plan) for _ in range(retirees)]
    else:
        secretary = staff_member(g, plan, senior=True)  # a counsellor usually leads a student branch
        secretary.post = SECRETARY
        secretary.note = "辅导员"
        people.append(secretary)
        deputy = _student_member(g, plan)
        deputy.status = FULL
        deputy.join_date = _join_date(g, FULL, earliest=g.year - 3, latest=g.year - 1)
        deputy.post = DEPUTY
        people.append(deputy)
        for _ in range(g.rng.randint(2, 3)):
            member = _student_member(g, plan)
            member.status = FULL
            member.join_date = _join_date(g, FULL, earliest=g.year - 3, latest=g.year - 1)
            member.post = COMMITTEE
            people.append(member)
        while len(people) < size:
            people.append(_student_member(g, plan))
    return people
