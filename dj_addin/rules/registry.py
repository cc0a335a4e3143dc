"""The one registry of validation rules, keyed by the codes of validation.md.

A rule is a code, a default 级别, the sheets it looks at, a Chinese title
and one small function that yields ``Hit``s. Adding a rule is adding one
decorated function; ``validate.validate_book`` runs every entry in code order
and turns hits into ``model.Finding``s (sheet name, column letter, header and
the value as found are filled in there, so rules only say *what* is wrong).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from dj_addin.rules.context import Context

ERROR, WARNING, INFO = "错误", "警告", "提示"


@dataclass(frozen=True)
class Hit:
    """One thing a rule found, before it becomes a ``Finding``.

    ``sheet`` and ``key`` are schema keys (``"contact_log"``, ``"date"``);
    ``key`` is '' for a sheet- or row-level hit. ``column``/``field``/``value``
    override what the runner would derive (key–value sheets, merged ranges,
    unknown columns). ``level`` overrides the rule's default level.
    """

    sheet: str
    row: int | None
    key: str
    message: str
    suggestion: str = ""
    level: str | None = None
    column: str | None = None
    field: str | None = None
    value: str | None = None


RuleFunc = Callable[["Context"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """One registry entry (validation.md)."""

    code: str
    level: str  # default 级别; a hit may override it where the spec splits levels
    sheets: tuple[str, ...]  # schema sheet keys it looks at ('*' = every data sheet)
    title: str  # Chinese, one line
    func: RuleFunc
    note: str = ""  # scope decisions worth knowing (English)


RULES: dict[str, Rule] = {}


def rule(code: str, level: str, sheets: tuple[str, ...] | str, title: str, note: str = "") -> Callable[[RuleFunc], RuleFunc]:
    """Register ``func`` as the one entry for ``code``."""
    if isinstance(sheets, str):
        sheets = (sheets,)

    def register(func: RuleFunc) -> RuleFunc:
        if code in RULES:
            raise ValueError(f"rule {code} registered twice")
        RULES[code] = Rule(code=code, level=level, sheets=tuple(sheets), title=title, func=func, note=note)
        return func

    return register


def ordered_rules() -> list[Rule]:
    """Every rule, in code order (S…, C…, R…, K…)."""
    prefix = {"S": 0, "C": 1, "R": 2, "K": 3}
    return sorted(RULES.values(), key=lambda r: (prefix.get(r.code[0], 9), r.code))
