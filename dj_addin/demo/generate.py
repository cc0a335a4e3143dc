"""A realistic sample university for ``dj demo``: branches, colleges and a
year of contact-and-service work, with a few recorded mistakes.

The generator is pure: ``generate_university(seed, year, as_of)`` returns
plain dicts and lists per unit (基本信息 items and rows per sheet, keyed by
the schema's English keys), so tests and later pipeline steps can inspect
exactly what was generated. ``write_university`` (``demo.write``) turns each
unit into a workbook through the template and ``template.fill``. This module
plans the university (colleges, branches, cadres, their contact points) and
puts together each branch's rows from ``demo.people`` and ``demo.activity``.

Why a demo needs mistakes: a sample that validates perfectly shows nothing.
A small share of typical slips (a mistyped member ID, an impossible date, a
closed request without its closing date, a value outside a list) is planted
(``demo.mistakes``) in two branches and listed in ``University.planted`` with the sheet, row and
column, together with valid-but-unusual inputs (dates typed as text, 微信 as
联系方式, full-width IDs) that a good reader must accept.

Determinism: one ``random.Random(seed)`` drives everything (never the
global generator), and the workbooks get fixed timestamps, so the same seed,
year and as-of date give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dj_addin import schema
from dj_addin.context import clamp_as_of
from dj_addin.demo import activity, mistakes, people
from dj_addin.demo import words as pool
from dj_addin.demo.people import BranchPlan, Generator, Person
from dj_addin.demo.units import FIRST_DATA_ROW, College, PlantedMistake, UnitBook, University, cell_text
from dj_addin.demo.write import WrittenBook, fixed_timestamp, write_university
from dj_addin.demo.values import (BRANCH, COLLEGE_COMMITTEE, COMMITTEE, DIVISION_CADRE, GENERAL_BRANCH,
                                  NO_CADRE, NO_POST, SCHOOL_CADRE, SECRETARY, UNIVERSITY_COMMITTEE)

__all__ = ["DEFAULT_SEED", "FIRST_DATA_ROW", "College", "PlantedMistake", "UnitBook", "University",
           "WrittenBook", "cell_text", "fixed_timestamp", "generate_university", "write_university"]

DEFAULT_SEED = 2026


def _plan_college(g: Generator, college_no: int, spec: tuple) -> tuple[str, list[BranchPlan]]:
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
        plans.append(BranchPlan(f"D{college_no:02d}{j:02d}", name, kind, college_no, short, departments, majors))
    return short, plans


def _college_level(plans: list[BranchPlan]) -> str:
    """Larger colleges have a 学院党委, smaller ones a 党总支."""
    return COLLEGE_COMMITTEE if len(plans) >= 4 else GENERAL_BRANCH


_SIZES = {"staff": (18, 45), "graduate": (18, 50), "undergrad": (25, 60)}


def _appoint_cadres(g: Generator, colleges: list[tuple[str, list[BranchPlan]]]) -> list[tuple[Person, BranchPlan]]:
    """处级 cadres in each college's staff branches; one or two 校级 cadres somewhere."""
    cadres: list[tuple[Person, BranchPlan]] = []
    for short, plans in colleges:
        staff = [p for p in plans if p.kind == "staff"]
        posts = list(pool.DIVISION_POSTS_PRIMARY) + g.rng.sample(pool.DIVISION_POSTS_OTHER, g.rng.randint(1, 2))
        if _college_level(plans) == GENERAL_BRANCH:
            posts = [post.replace("党委", "党总支") for post in posts]
        for i, post in enumerate(posts):
            plan = staff[i % len(staff)]
            person = people.staff_member(g, plan, senior=True)
            person.cadre, person.note = DIVISION_CADRE, f"{short}{post}"
            person.quality = max(person.quality, g.rng.uniform(0.6, 0.95))
            plan.people.append(person)
            cadres.append((person, plan))
    for post in g.rng.sample(pool.SCHOOL_POSTS, g.rng.randint(1, 2)):
        short, plans = g.rng.choice(colleges)
        plan = g.rng.choice([p for p in plans if p.kind == "staff"])
        person = people.staff_member(g, plan, senior=True)
        person.cadre, person.note = SCHOOL_CADRE, post
        person.quality = max(person.quality, g.rng.uniform(0.7, 0.95))
        plan.people.append(person)
        cadres.append((person, plan))
    return cadres


def _contact_point(g: Generator, person: Person, home: BranchPlan, all_plans: list[BranchPlan],
                   ) -> tuple[dict[str, Any], str]:
    """A 处级 cadre's point is a student branch of the own college; a 校级 cadre's is in another college."""
    if person.cadre == SCHOOL_CADRE:
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
    g = Generator(seed, year, as_of)

    uni_name = g.rng.choice(pool.UNIVERSITIES)
    specs = g.rng.sample(pool.COLLEGES, 2)
    colleges = [_plan_college(g, i, spec) for i, spec in enumerate(specs, start=1)]
    all_plans = [p for _, plans in colleges for p in plans]
    for plan in all_plans:
        size = g.rng.randint(*_SIZES[plan.kind])
        plan.people = people.branch_people(g, plan, size)
    cadres = _appoint_cadres(g, colleges)
    violator_plan = g.rng.choice(all_plans)  # one rare disciplinary case in the whole university
    violator = g.rng.choice(_violation_candidates(violator_plan)).member_id

    uni_code = "U"
    uni_unit = f"{uni_name}党委"
    college_results: list[College] = []
    for college_no, (short, plans) in enumerate(colleges, start=1):
        code = f"C{college_no:02d}"
        level = _college_level(plans)
        unit_name = f"{short}党委" if level == COLLEGE_COMMITTEE else f"{short}党总支"
        folder = f"{code}_{short}"
        branches = []
        for plan in plans:
            rows = _branch_rows(g, plan, cadres, all_plans, violator)
            secretary = next(p for p in plan.people if p.post == SECRETARY)
            filler = next((p for p in plan.people if p.post == COMMITTEE), secretary)
            meta = _meta(plan.code, plan.name, BRANCH, (code, unit_name), year, secretary.name, filler.name,
                         filler.phone, as_of)
            branches.append(UnitBook(plan.code, plan.name, BRANCH, year, folder, meta, rows))
        head = next(p for p, home in cadres if home.college == short and p.cadre == DIVISION_CADRE)
        units = [{"unit_code": b.code, "unit_name": b.name, "unit_level": BRANCH,
                  "leader": b.meta["secretary"], "must_report": True} for b in branches]
        meta = _meta(code, unit_name, level, (uni_code, uni_unit), year, head.name,
                     g.name(g.gender(), older=True), g.phone(), as_of)
        book = UnitBook(code, unit_name, level, year, folder, meta, {"units": units})
        college_results.append(College(book, short, branches))

    units = [{"unit_code": c.book.code, "unit_name": c.book.name, "unit_level": c.book.level,
              "leader": c.book.meta["secretary"], "must_report": True} for c in college_results]
    meta = _meta(uni_code, uni_unit, UNIVERSITY_COMMITTEE, None, year, g.name(g.gender(), older=True),
                 g.name(g.gender(), older=True), g.phone(), as_of)
    uni = University(seed, year, as_of, uni_name, UnitBook(uni_code, uni_unit, UNIVERSITY_COMMITTEE, year, "",
                                                           meta, {"units": units}), college_results)
    mistakes.plant(g, uni)
    return uni


def _branch_rows(g: Generator, plan: BranchPlan, cadres: list[tuple[Person, BranchPlan]],
                 all_plans: list[BranchPlan], violator: str) -> dict[str, list[dict[str, Any]]]:
    """Every data sheet of one branch; the cadres who belong to it bring their
    research, reception days, contact point and visits."""
    rows: dict[str, list[dict[str, Any]]] = {
        "roster": [activity.roster_row(p, plan.code) for p in plan.people],
        "targets": activity.assign_targets(g, plan),
        "contact_log": activity.contact_log(g, plan),
        "research": [], "reception": [], "contact_points": [], "point_visits": [],
        "briefings": activity.briefings(g, plan), "forums": activity.forums(g, plan), "activities": activity.activities(g, plan),
        "evaluation": activity.evaluation(g, plan, violator),
    }
    for person, home in cadres:
        if home is not plan:
            continue
        rows["research"] += activity.research(g, person)
        if person.cadre == SCHOOL_CADRE:
            rows["reception"] += activity.receptions(g, person)
        point, place = _contact_point(g, person, home, all_plans)
        rows["contact_points"].append(point)
        rows["point_visits"] += activity.point_visits(g, person, point, place)
    rows["research"].sort(key=lambda r: r["start_date"])
    rows["reception"].sort(key=lambda r: r["date"])
    rows["point_visits"].sort(key=lambda r: r["date"])
    return rows


def _violation_candidates(plan: BranchPlan) -> list[Person]:
    """Members who could plausibly have a disciplinary finding (active, no post)."""
    return [p for p in plan.people if p.active and p.post == NO_POST and p.cadre == NO_CADRE] or plan.people
