"""评分规则 checks, reported through the rules whose codes fit them.

The settings loader (``settings.load_settings``, called once per run by
``RunContext.build``) decides which values it can use and why not;
validation reports those same findings, once, so that
``dj validate`` and 问题清单 show them and scoring never disagrees with
validation. A missing item is S003; a blank, unreadable or out-of-range
value, and weights summing to 0, are C006.
"""

from __future__ import annotations

from typing import Iterable

from dj_addin import schema
from dj_addin.rules.context import Context
from dj_addin.rules.registry import Hit


def settings_hits(ctx: Context, code: str) -> Iterable[Hit]:
    """The 评分规则 findings of ``code`` as hits of the rule with that code."""
    for f in ctx.run.settings_findings:
        if f.rule == code:
            yield Hit(schema.SCORING_RULES.key, f.row, "", f.message, f.suggestion, level=f.level,
                      column=f.column, field=f.field, value=f.value)
