"""What the core hands to a writer: plain results, ready to be shown.

The core computes; an adapter (the file writer today, the live Excel
adapter later) writes these into the output sheets 问题清单, 指标汇总 and
考评结果. Nothing here knows about openpyxl or xlwings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dj_addin.model import Finding
from dj_addin.schema import LEVELS


@dataclass
class ValidationReport:
    """All findings of one validation run (validation.md)."""

    file: str
    as_of: dt.date
    findings: list[Finding] = field(default_factory=list)
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    @property
    def counts(self) -> dict[str, int]:
        counts = {level: 0 for level in LEVELS}
        for f in self.findings:
            counts[f.level] = counts.get(f.level, 0) + 1
        return counts

    @property
    def has_errors(self) -> bool:
        return any(f.level == LEVELS[0] for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        """The document of ``dj validate --json`` (interfaces.md)."""
        return {"file": self.file, "as_of": self.as_of.isoformat(), "counts": self.counts,
                "findings": [f.as_json() for f in self.findings]}


@dataclass
class RollupTable:
    """指标汇总, display-ready.

    ``rows``: one row per member × applicable quota × period, columns =
    the keys of ``schema.ROLLUP`` (rates as fractions: 0.75 shows as 75%).
    ``unit_summary``: one row per unit × quota × ended period with the columns
    of ``schema.ROLLUP_SUMMARY_COLUMNS``: ``branch_code, unit_members`` (the
    unit's members), ``quota_code, quota_name, period, members`` (those the
    quota applies to), ``met, rate`` (rate = met / members, a fraction).
    """

    as_of: dt.date
    rows: pd.DataFrame
    unit_summary: pd.DataFrame


@dataclass
class ResultsTable:
    """考评结果, display-ready: one row per member, columns = the keys of
    ``schema.RESULTS``; scores rounded half away from zero to one decimal
    (NaN when missing), reasons joined with '；'. ``provisional`` is set when
    the data still has 错误 findings (``error_count`` of them)."""

    as_of: dt.date
    members: pd.DataFrame
    provisional: bool = False
    error_count: int = 0
