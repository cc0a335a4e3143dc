"""Properties of roll-up and scoring that must hold for any data (hypothesis).

Books are built in memory through the reader's grid → table code, with a
few quotas, so that each example costs a few tens of milliseconds.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dj_addin.rollup.table import rollup
from dj_addin.scoring.score import score
from dj_addin.context import RunContext
from test_rollup import AS_OF, contact, member, memory_book, quota, target

QUOTAS = [quota("Q01", "联系次数", "季度", 2, 3), quota("Q02", "联系对象人数", "年度", 3, 2),
          quota("Q03", "结对对象覆盖率", "年度", 1, 2), quota("Q04", "意见办结率", "年度", 0.9, 1)]
# Each example reads a small book and runs roll-up and scoring (tens of milliseconds): a few
# examples per property keep this file within a few seconds in CI.
FAST = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PAIRED = settings(FAST, max_examples=6)  # properties that compute twice per example

members_st = st.lists(
    st.tuples(st.sampled_from(["D0101", "D0102"]), st.sampled_from(["正式党员", "正式党员", "预备党员"])),
    min_size=1, max_size=7)
contact_st = st.tuples(st.integers(0, 6), st.integers(0, 5), st.integers(1, 12), st.integers(1, 28),
                       st.sampled_from([None, "已办结", "办理中"]))
eval_st = st.tuples(st.integers(0, 6), st.floats(40, 100, allow_nan=False), st.integers(0, 8), st.integers(0, 4),
                    st.integers(0, 3), st.integers(0, 5), st.integers(0, 3), st.booleans())


@st.composite
def datasets(draw):
    ms = draw(members_st)
    ids = [f"M{i:02d}" for i in range(len(ms))]
    roster = [member(mid, branch_code=b, status=s) for mid, (b, s) in zip(ids, ms)]
    targets = [target(f"T{i}{j}", mid) for i, mid in enumerate(ids) for j in range(draw(st.integers(0, 2)))]
    log = []
    for who, tgt, month, day, handling in draw(st.lists(contact_st, max_size=25)):
        mid = ids[who % len(ids)]
        extra = {"request": "有诉求", "handling": handling} if handling else {}
        log.append(contact(mid, f"T{who % len(ids)}{tgt % 3}", dt.date(2026, month, day), **extra))
    evaluation, seen = [], set()
    for who, org, ms_, mb, mu, pe, pp, veto in draw(st.lists(eval_st, max_size=7)):
        mid = ids[who % len(ids)]
        if mid in seen:
            continue
        seen.add(mid)
        evaluation.append({"member_id": mid, "org_score": org, "mass_satisfied": ms_, "mass_basic": mb,
                           "mass_unsatisfied": mu, "peer_excellent": pe, "peer_pass": pp,
                           "violation": "是" if veto and who % 5 == 0 else "否"})
    return {"roster": roster, "targets": targets, "contact_log": log, "evaluation": evaluation}


def evaluate(rows, scoring_rules=None):
    book = memory_book(rows, quotas=QUOTAS, scoring_rules=scoring_rules)
    run = RunContext.build(book, AS_OF)
    r = rollup(run)
    return r, score(run, r)


def as_dict(scores) -> dict:
    return {m["党员编号"]: m for m in scores.as_json()["members"]}


@PAIRED
@given(datasets(), st.randoms(use_true_random=False))
def test_row_order_never_changes_a_result(rows, rnd):
    r1, s1 = evaluate(rows)
    shuffled = {k: rnd.sample(v, len(v)) for k, v in rows.items()}
    r2, s2 = evaluate(shuffled)
    assert as_dict(s1) == as_dict(s2)
    key = ["member_id", "quota_code", "period"]
    assert r1.rows.sort_values(key).reset_index(drop=True).equals(r2.rows.sort_values(key).reset_index(drop=True))


@PAIRED
@given(datasets(), st.integers(0, 6), st.integers(0, 5), st.integers(1, 12))
def test_adding_a_contact_never_lowers_quota_score(rows, who, tgt, month):
    r1, _ = evaluate(rows)
    ids = [m["member_id"] for m in rows["roster"]]
    mid = ids[who % len(ids)]
    more = dict(rows, contact_log=rows["contact_log"] + [contact(mid, f"T{who % len(ids)}{tgt % 3}",
                                                                 dt.date(2026, month, 15))])
    r2, _ = evaluate(more)
    for m in ids:
        before, after = r1.quota_score[m], r2.quota_score[m]
        assert (math.isnan(before) and math.isnan(after)) or after >= before - 1e-9


@st.composite
def strong_units(draw):
    """Units where most members are 优秀 candidates (every quota met, high scores, ties
    likely), so that the cap and its order are really exercised."""
    n = draw(st.integers(2, 9))
    ids = [f"S{i:02d}" for i in range(n)]
    units = draw(st.lists(st.sampled_from(["D0101", "D0102"]), min_size=n, max_size=n))
    probation = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    roster = [member(mid, branch_code=u, status="预备党员" if p and i % 3 == 0 else "正式党员")
              for i, (mid, u, p) in enumerate(zip(ids, units, probation))]
    log = [contact(mid, f"T{mid}", dt.date(2026, m, 5)) for mid in ids for m in (2, 5, 8, 11)]
    org = draw(st.lists(st.sampled_from([88.0, 92.0, 95.0, 100.0]), min_size=n, max_size=n))
    evaluation = [{"member_id": mid, "org_score": o, "mass_satisfied": 6, "peer_excellent": 3}
                  for mid, o in zip(ids, org)]
    return {"roster": roster, "targets": [target(f"T{mid}", mid) for mid in ids], "contact_log": log,
            "evaluation": evaluation}


STRONG_QUOTAS = [quota("Q01", "联系次数", "年度", 4, 1)]


@FAST
@given(strong_units())
def test_excellent_never_exceeds_the_cap_and_goes_to_the_best(rows):
    book = memory_book(rows, quotas=STRONG_QUOTAS)
    run = RunContext.build(book, AS_OF)
    m = score(run, rollup(run)).members
    for unit, g in m.groupby("branch_code"):
        graded = g[g["total"].notna() & ~g["probationary"]]
        candidates = graded[graded["computed_grade"] == "优秀"]
        kept = graded[graded["final_grade"] == "优秀"]
        places = max(1, math.floor(len(graded) / 3 + 1e-9))  # default 优秀比例上限 0.3333 = 1/3
        assert len(kept) == min(places, len(candidates))
        order = candidates.assign(mid=candidates.index).sort_values(
            ["total", "quota_score", "mass_score", "mid"], ascending=[False, False, False, True])
        assert list(kept.index.sort_values()) == sorted(order.index[:len(kept)])


@FAST
@given(datasets())
def test_excellent_never_exceeds_the_cap_in_a_unit(rows):
    _, s = evaluate(rows)
    m = s.members
    for unit, g in m.groupby("branch_code"):
        graded = int((g["total"].notna() & ~g["probationary"]).sum())
        excellent = int((g["final_grade"] == "优秀").sum())
        assert excellent <= max(1, math.floor(graded / 3 + 1e-9))  # default 优秀比例上限 0.3333 = 1/3
        assert excellent == 0 or graded > 0


@PAIRED
@given(datasets(), st.tuples(*[st.integers(0, 50)] * 4).filter(lambda w: sum(w) > 0))
def test_weights_change_the_total_as_the_formula_says(rows, weights):
    _, base = evaluate(rows)
    keys = ("w_quota", "w_org", "w_mass", "w_peer")
    _, s = evaluate(rows, scoring_rules=dict(zip(keys, weights)))
    comps = base.members[["quota_score", "org_score", "mass_score", "peer_score"]]  # weights do not change them
    for mid, c in comps.iterrows():
        present = [(w, v) for w, v in zip(weights, c) if not math.isnan(v)]
        den = sum(w for w, _ in present)
        got = s.members.at[mid, "total"]
        if den == 0:
            assert math.isnan(got)
        else:
            assert got == pytest.approx(sum(w * v for w, v in present) / den)
