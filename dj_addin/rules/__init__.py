"""Validation rules, one registry keyed by the codes of validation.md.

Importing this package registers every rule; ``RULES`` maps code → ``Rule``.
"""

from __future__ import annotations

from dj_addin.rules import (  # noqa: F401  (imported to register their rules)
    cadres, cells, contact_log, counts, coverage, evaluation, forums, meta, quotas, references, research,
    structure,
)
from dj_addin.rules.context import Context
from dj_addin.rules.registry import RULES, Hit, Rule, ordered_rules, rule
from dj_addin.rules.structure import unreadable_finding

__all__ = ["RULES", "Hit", "Rule", "Context", "ordered_rules", "rule", "unreadable_finding"]
