"""Which inputs are merged: identify each by 单位编码 and 报送日期, return the rest.

aggregation.md: an unreadable file or one with 错误 is 退回 (unless the user
includes files with errors: then it is merged and marked); a different
考核年度 is 退回; of two files of one unit the later 报送日期 (then the later
file time) is kept and the other is 重复已忽略; a unit not in the output
level's 下级单位 is merged with a 警告.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from dj_addin.aggregate.worker import Loaded

INCLUDED, RETURNED, DUPLICATE = "已汇总", "已退回", "重复已忽略"


@dataclass
class Decision:
    loaded: Loaded
    outcome: str = INCLUDED
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def included(self) -> bool:
        return self.outcome == INCLUDED


def output_year(loaded: list[Loaded], template_year: int | None) -> int | None:
    """The year of the output: the template's, else the year most inputs state (the first on a tie)."""
    if template_year is not None:
        return template_year
    years = Counter(x.year for x in loaded if x.book is not None and x.year is not None)
    if not years:
        return None
    top = max(years.values())
    return next(x.year for x in loaded if x.year is not None and years[x.year] == top)


def decide(loaded: list[Loaded], year: int | None, known_units: dict[str, str], include_errors: bool
           ) -> list[Decision]:
    """One decision per input, in input order. ``known_units``: 下级单位 (code → name); empty: any unit."""
    out = [Decision(x) for x in loaded]
    for d in out:
        x = d.loaded
        if x.book is None:
            d.outcome, d.reasons = RETURNED, [x.unreadable or "无法读取"]
        elif not x.unit_code:
            d.outcome, d.reasons = RETURNED, ["「基本信息」没有填写单位编码，无法识别是哪个单位的报表"]
        elif year is not None and x.year != year:
            d.outcome = RETURNED
            d.reasons = [f"考核年度为 {x.year if x.year is not None else '（未填）'}，与汇总的 {year} 年不同"]
        elif x.errors:
            detail = "；".join(e.rstrip("。；") for e in x.first_errors) + "。"
            if include_errors:
                d.warnings.append(f"含 {x.errors} 个错误，按 --include-errors 一并汇总：{detail}")
            else:
                d.outcome = RETURNED
                d.reasons = [f"校验有 {x.errors} 个错误，请改正后重新报送：{detail}"]
    by_unit: dict[str, list[Decision]] = {}
    for d in out:
        if d.included:
            by_unit.setdefault(str(d.loaded.unit_code), []).append(d)
    for unit, ds in by_unit.items():
        if len(ds) > 1:
            keep = max(ds, key=lambda d: (d.loaded.report_date or dt.date.min, d.loaded.mtime))
            for d in ds:
                if d is not keep:
                    d.outcome = DUPLICATE
                    d.reasons = [f"同一单位 {unit} 还有一份{_later(keep.loaded, d.loaded)}的报表「{keep.loaded.name}」，本份未汇总"]
        if known_units and unit not in known_units:
            for d in ds:
                if d.included:
                    d.warnings.append(f"单位 {unit} 不在「下级单位」名单中，已汇总，请核对")
    return out


def _later(keep: Loaded, other: Loaded) -> str:
    if (keep.report_date or dt.date.min) != (other.report_date or dt.date.min):
        return "报送日期更晚"
    return "文件时间更晚"
