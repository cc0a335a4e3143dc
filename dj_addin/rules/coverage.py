"""K001: members owing a quarterly 联系次数 quota with no contact in an ended quarter.

This is the reminder list a secretary needs. The quotas, the ended quarters
and scope membership (``scope.members_in_scope``) are the roll-up's own, from
the run context, so that K001 and 指标汇总 never disagree.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from dj_addin import schema
from dj_addin.rollup.periods import QUARTER
from dj_addin.rollup.scope import members_in_scope
from dj_addin.rules.context import Context
from dj_addin.rules.registry import WARNING, Hit, rule

ROSTER, LOG = schema.ROSTER.key, schema.CONTACT_LOG.key
CONTACTS_METRIC = schema.METRICS[0]  # 联系次数


def quarterly_contact_scopes(ctx: Context) -> list[str]:
    """适用对象 of the quarterly 联系次数 quotas the roll-up uses (``RunContext.quotas``:
    the usable rows of 指标设置, or the template defaults when it is missing or empty)."""
    return list(dict.fromkeys(q.applies_to for q in ctx.run.quotas_for(CONTACTS_METRIC, QUARTER)))


@rule("K001", WARNING, (ROSTER, LOG), "本季度未联系群众",
      note="One hit per member on the roster's 党员编号 cell, listing every ended quarter without a contact; "
           "skipped when 联系记载 or its 联系日期/党员编号 column is missing (S002/S003) or 考核年度 is "
           "unknown (R019).")
def quarter_without_contact(ctx: Context) -> Iterable[Hit]:
    roster, log = ctx.table(ROSTER), ctx.table(LOG)
    if ctx.year is None or not len(roster) or not ctx.has(roster, "member_id"):
        return
    if not (ctx.has(log, "date") and ctx.has(log, "member_id")):  # S002/S003 already say why
        return
    quarters = [p.quarter for p in ctx.run.ended_periods(QUARTER)]  # the roll-up's ended quarters
    scopes = quarterly_contact_scopes(ctx)
    if not quarters or not scopes:
        return
    owing = np.zeros(len(roster), dtype=bool)
    for s in scopes:
        owing |= members_in_scope(roster.data, s).to_numpy(dtype=bool)
    owing &= ctx.first_rows(roster, "member_id")
    if not owing.any():
        return
    ok = ctx.usable(log, "date") & ctx.usable(log, "member_id")
    dates = ctx.values(log, "date")[ok].astype("datetime64[M]").astype("int64")  # months since 1970-01
    in_year = dates // 12 + 1970 == ctx.year
    log_ids = ctx.values(log, "member_id")[ok][in_year].tolist()
    log_quarters = (dates[in_year] % 12 // 3 + 1).tolist()
    contacted: dict[int, set] = {q: set() for q in quarters}  # quarter → members with a contact in it
    for member, q in zip(log_ids, log_quarters):
        if q in contacted:
            contacted[q].add(member)
    ids = ctx.values(roster, "member_id")[owing]
    # readable IDs are text: set membership is ``isin``
    flags = np.array([[i not in contacted[q] for q in quarters] for i in ids.tolist()], dtype=bool).reshape(len(ids), len(quarters))
    any_missing = flags.any(axis=1)
    names = ctx.values(roster, "name")[owing][any_missing]
    rows, members, flags = ctx.excel_rows(roster)[owing][any_missing], ids[any_missing], flags[any_missing]
    for row, member, name, row_flags in zip(rows, members, names, flags):
        quarters_text = "、".join(f"第{q}季度" for q, f in zip(quarters, row_flags) if f)
        yield Hit(ROSTER, int(row), "member_id",
                  f"党员 {member}（{name or ''}）在{quarters_text}没有联系群众的记录；",
                  f"请提醒该党员按要求联系群众，并在「{schema.CONTACT_LOG.name}」中补记已开展的联系。",
                  value=str(member))
