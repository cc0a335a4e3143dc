"""Impossible vote counts (a typing slip such as 1e308) are R017 and do not break the scores."""

from __future__ import annotations

import datetime as dt
import json
import math

from builders import clean_rows, memory_book
from dj_addin import schema
from dj_addin.pipeline import compute


def _run(votes: float):
    rows = clean_rows()
    rows["evaluation"][0]["mass_satisfied"] = votes
    return compute(memory_book(rows=rows), dt.date(2026, 12, 31), today=dt.date(2026, 12, 31))


def test_huge_vote_count_is_r017_and_every_score_stays_finite():
    result = _run(1e308)
    r017 = [f for f in result.report.findings if f.rule == "R017"]
    assert len(r017) == 1 and r017[0].field == "群众满意票"
    assert f"{schema.MAX_VOTES:,}" in r017[0].suggestion
    totals = result.scores.members["total"].dropna()
    assert len(totals) and all(math.isfinite(v) for v in totals)
    json.dumps(result.scores.as_json() if hasattr(result.scores, "as_json") else {}, allow_nan=False)


def test_the_largest_plausible_count_is_accepted():
    result = _run(float(schema.MAX_VOTES))
    assert not [f for f in result.report.findings if f.rule == "R017"]
