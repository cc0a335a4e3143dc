"""A year of work in one branch: assigned contacts (联系对象), the contact log,
research, reception days, contact-point visits, briefings, forums, carrier
activities and the evaluation votes, each a list of rows keyed by column key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from dj_addin import schema
from dj_addin.demo import words as pool
from dj_addin.demo.people import BranchPlan, Generator, Person
from dj_addin.demo.values import (ACTIVIST, CANDIDATE, CLOSED, DEMOCRATIC, DEMOCRATIC_PARTY, DEPUTY,
                                  ESCALATED, IN_PROGRESS, LEADING_SCHOLAR, LEAGUE, MASSES, NEEDY_STUDENT,
                                  NON_PARTY, NON_PARTY_TALENT, NO_POST, OTHER_TARGET, OUTSIDE_REQUIRED,
                                  OVERDUE_DAYS, SCHOOL_CADRE, SECRETARY, STAFF_TARGET, STUDENT_TARGET)


# --------------------------------------------------------------------------
# Assigned contacts (联系对象)
# --------------------------------------------------------------------------

_TARGET_MIX = {
    "staff": ((NON_PARTY_TALENT, 3), (STAFF_TARGET, 4), (LEADING_SCHOLAR, 1), (DEMOCRATIC, 1),
              (ACTIVIST, 1), (STUDENT_TARGET, 2), (NEEDY_STUDENT, 1)),
    "student": ((ACTIVIST, 4), (CANDIDATE, 2), (STUDENT_TARGET, 6), (NEEDY_STUDENT, 2)),
}
_DEMOCRATIC_NOTES = ("民盟盟员", "九三学社社员", "民进会员", "农工党党员", "致公党党员")


def _political(g: Generator, target_type: str, is_student: bool) -> str:
    if target_type in (ACTIVIST, CANDIDATE):
        return LEAGUE if is_student else MASSES
    if target_type == DEMOCRATIC:
        return DEMOCRATIC_PARTY
    if target_type in (NON_PARTY_TALENT, LEADING_SCHOLAR):
        return g.weighted(((MASSES, 5), (NON_PARTY, 3), (DEMOCRATIC_PARTY, 2)))
    if target_type in (STUDENT_TARGET, NEEDY_STUDENT):
        return g.weighted(((LEAGUE, 3), (MASSES, 1)))
    return MASSES


def assign_targets(g: Generator, plan: BranchPlan) -> list[dict[str, Any]]:
    """2–4 contacts per active member (4–6 for committee members and cadres,
    who have a higher quota), one for some retired members."""
    rows: list[dict[str, Any]] = []
    for person in plan.people:
        if not person.active:
            n = 1 if g.chance(0.5) else 0
        elif person.post != NO_POST:
            n = g.rng.randint(5, 6)
        elif person.busy:
            n = g.rng.randint(4, 5)
        else:
            n = g.rng.randint(2, 4)
        for _ in range(n):
            rows.append(_target(g, plan, person))
    return rows


def _target(g: Generator, plan: BranchPlan, person: Person) -> dict[str, Any]:
    if not person.active:
        target_type, is_student = OTHER_TARGET, False
    else:
        mix = _TARGET_MIX["staff" if plan.kind == "staff" and not person.student else "student"]
        if plan.kind != "staff" and not person.student:  # a counsellor in a student branch
            mix = _TARGET_MIX["student"]
        target_type = g.weighted(mix)
        is_student = target_type in (STUDENT_TARGET, NEEDY_STUDENT) or (
            target_type in (ACTIVIST, CANDIDATE) and plan.kind != "staff")
    gender = g.gender()
    if is_student:
        enrolled = g.year - g.rng.randint(1, 3)
        target_id = g.student_id(enrolled, plan.college_no, plan.kind == "graduate")
        major = g.rng.choice(plan.majors)
        org = f"{major}{enrolled}级{g.rng.randint(1, 4)}班" if plan.kind != "graduate" else f"{major}{enrolled}级研究生"
    elif target_type == OTHER_TARGET:
        target_id = g.retiree_id()
        org = "离退休工作处"
    else:
        target_id = g.staff_id()
        org = plan.college + g.rng.choice(plan.departments) if g.chance(0.85) else g.rng.choice(pool.STAFF_OFFICES)
    note = g.rng.choice(_DEMOCRATIC_NOTES) if target_type == DEMOCRATIC else ""
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

def _quarters(g: Generator) -> Iterator[tuple[dt.date, dt.date, float]]:
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


def _contacts_in_quarter(g: Generator, person: Person, share: float) -> int:
    if not person.active:
        return 1 if person.targets and g.chance(0.5) else 0
    slack = (1 - person.quality) ** 3
    if g.chance(0.03 + 0.6 * slack):  # busy or careless: at most one contact this quarter
        n = g.rng.choice((0, 1, 1))
    else:
        n = g.rng.randint(3, 7) if person.busy else g.rng.randint(2, 6)
    return round(n * share) if share < 1 else n


def _topic(g: Generator, target_type: str) -> str:
    if target_type in (ACTIVIST, CANDIDATE):
        return g.rng.choice(pool.TOPICS_ACTIVIST)
    if target_type == NEEDY_STUDENT:
        return g.rng.choice(pool.TOPICS_NEEDY + pool.TOPICS_STUDENT[:3])
    if target_type == STUDENT_TARGET:
        return g.rng.choice(pool.TOPICS_STUDENT)
    if target_type == OTHER_TARGET:
        return g.rng.choice(pool.TOPICS_RETIREE)
    return g.rng.choice(pool.TOPICS_STAFF)


def _handling(g: Generator, when: dt.date) -> tuple[str, dt.date | None]:
    """What became of a request raised on ``when`` by the as-of date (never overdue)."""
    age = (g.as_of - when).days
    if age <= OVERDUE_DAYS and g.chance(0.5):
        return IN_PROGRESS, None
    if age == 0:
        return IN_PROGRESS, None
    if g.chance(0.2):
        return ESCALATED, None
    return CLOSED, when + dt.timedelta(days=g.rng.randint(1, min(age, 21)))


def contact_log(g: Generator, plan: BranchPlan) -> list[dict[str, Any]]:
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
                    if handling == CLOSED:
                        row["note"] = g.rng.choice(pool.RESOLUTIONS) if g.chance(0.5) else None
                entries.append((when, order, row))
    entries.sort(key=lambda e: (e[0], e[1]))
    return [row for _, _, row in entries]


# --------------------------------------------------------------------------
# The other sheets
# --------------------------------------------------------------------------

def research(g: Generator, person: Person) -> list[dict[str, Any]]:
    """Research trips of a cadre: about the yearly quota of days, with reports."""
    school = person.cadre == SCHOOL_CADRE
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


def receptions(g: Generator, person: Person) -> list[dict[str, Any]]:
    rows = []
    for _ in range(g.scaled(2, 4, minimum=1 if g.elapsed > 0.3 else 0)):
        visitors = g.rng.randint(3, 15)
        issues = g.rng.randint(1, min(visitors, 8))
        rows.append({"date": g.day(g.start, g.as_of), "leader_id": person.member_id, "visitors": visitors,
                     "issues": issues, "resolved": g.rng.randint(max(0, issues - 2), issues),
                     "main_issues": g.rng.choice(pool.RECEPTION_ISSUES),
                     "handling": g.rng.choice(pool.RECEPTION_HANDLING)})
    return sorted(rows, key=lambda r: r["date"])


def point_visits(g: Generator, person: Person, point: dict[str, Any], place: str) -> list[dict[str, Any]]:
    rows = []
    for _ in range(g.scaled(4, 6)):
        rows.append({"cadre_id": person.member_id, "date": g.day(point["start_date"], g.as_of), "place": place,
                     "content": g.rng.choice(pool.VISIT_CONTENTS), "solved": g.rng.randint(0, 3)})
    return sorted(rows, key=lambda r: r["date"])


def briefings(g: Generator, plan: BranchPlan) -> list[dict[str, Any]]:
    rows = []
    items = g.rng.sample(pool.BRIEFING_ITEMS, min(len(pool.BRIEFING_ITEMS), g.scaled(3, 6, minimum=1)))
    for item, item_type in items:
        opinions = g.rng.randint(0, 8)
        rows.append({"date": g.day(g.start, g.as_of), "item": item.format(year=g.year), "item_type": item_type,
                     "form": g.weighted(pool.BRIEFING_FORMS), "coverage": len(plan.people) + g.rng.randint(0, 40),
                     "opinions": opinions, "answered": g.rng.randint(max(0, opinions - 2), opinions),
                     "note": None})
    return sorted(rows, key=lambda r: r["date"])


def forums(g: Generator, plan: BranchPlan) -> list[dict[str, Any]]:
    """Forums hosted by the secretary (usually the quota of 2) and sometimes the deputy."""
    secretary = next(p for p in plan.people if p.post == SECRETARY)
    deputy = next((p for p in plan.people if p.post == DEPUTY), secretary)
    hosts = [secretary] * g.scaled(2, 3) + ([deputy] if g.chance(0.4) else [])
    if g.chance(0.12) and len(hosts) > 1:  # a secretary who fell short of the quota
        hosts.pop(0)
    rows = []
    for host in hosts:
        topic, reason = g.rng.choice(pool.FORUM_TOPICS)
        outside = g.rng.randint(2, 10) if reason in OUTSIDE_REQUIRED or g.chance(0.6) else 0
        opinions = g.rng.randint(2, 12)
        rows.append({"date": g.day(g.start, g.as_of), "topic": topic, "reason": reason,
                     "host_id": host.member_id, "inside": g.rng.randint(5, max(6, len(plan.people))),
                     "outside": outside, "opinions": opinions, "rectified": g.rng.randint(opinions // 2, opinions),
                     "note": None})
    return sorted(rows, key=lambda r: r["date"])


def activities(g: Generator, plan: BranchPlan) -> list[dict[str, Any]]:
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


def _votes(g: Generator, total: int, shares: list[float]) -> list[int]:
    counts = [0] * len(shares)
    for _ in range(total):
        counts[g.rng.choices(range(len(shares)), weights=shares)[0]] += 1
    return counts


def evaluation(g: Generator, plan: BranchPlan, violator: str | None) -> list[dict[str, Any]]:
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


def roster_row(p: Person, branch_code: str) -> dict[str, Any]:
    return {"member_id": p.member_id, "name": p.name, "gender": p.gender, "category": p.category,
            "status": p.status, "cadre_level": p.cadre, "branch_post": p.post, "branch_code": branch_code,
            "department": p.department, "join_date": p.join_date, "phone": p.phone, "note": p.note or None}
