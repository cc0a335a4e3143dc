"""The quotas of a run: the usable rows of 指标设置, parsed once per run.

Validation (K001), the quota roll-up and scoring all read the same list
(``RunContext.quotas``), so that they never disagree about which quotas
apply. A row that cannot be used (unknown 统计口径 or 统计周期, 目标值 ≤ 0,
权重 < 0, a repeated 指标代码, a blank required cell) is skipped; R018 and
the cell rules report why. When the sheet is missing or empty the template
defaults apply.

A workbook carries a handful of quotas (the template has 9). The roll-up
writes one row per member × quota × period, so 指标设置 is limited to
``MAX_QUOTA_ROWS`` rows: a 5,000-row sheet (a paste gone wrong) would mean
millions of output rows, gigabytes and minutes; it is refused at once with a
message that says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from dj_addin import schema
from dj_addin.errors import UsageError
from dj_addin.model import Book

MAX_QUOTA_ROWS = 50


@dataclass(frozen=True)
class Quota:
    """One usable row of 指标设置."""

    code: str
    name: str
    applies_to: str
    metric: str
    period_kind: str
    target: float
    weight: float


def default_quotas() -> list[Quota]:
    return [Quota(*q[:5], float(q[5]), float(q[6])) for q in schema.DEFAULT_QUOTAS]


def quotas_of(book: Book) -> list[Quota]:
    """The usable quotas of 指标设置, or the template defaults when it is missing or empty.

    Raises ``UsageError`` when the sheet has more than ``MAX_QUOTA_ROWS`` rows."""
    table = book.tables.get(schema.QUOTAS.key)
    if table is None or not table.found or table.data.empty:
        return default_quotas()
    if len(table) > MAX_QUOTA_ROWS:
        name = table.name or schema.QUOTAS.name
        raise UsageError(f"「{name}」有 {len(table)} 行指标，超过上限 {MAX_QUOTA_ROWS} 行，无法汇总；"
                         f"一般只需十来项指标：请删去多余的行（可能是误粘贴）后再试。")
    out: list[Quota] = []
    seen: set[str] = set()
    for _, r in table.data.iterrows():  # at most MAX_QUOTA_ROWS rows
        code, metric, kind, scope = r["code"], r["metric"], r["period"], r["applies_to"]
        target, weight = r["target"], r["weight"]
        if code is None or code in seen or metric not in schema.METRICS or kind not in schema.QUOTA_PERIODS:
            continue
        if scope not in schema.QUOTA_SCOPES or not (target > 0) or not (weight >= 0):
            continue
        seen.add(code)
        out.append(Quota(code, r["name"] or code, scope, metric, kind, float(target), float(weight)))
    return out
