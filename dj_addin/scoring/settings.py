"""评分规则 → a typed ``Settings`` object (scoring.md, "评分规则 keys and defaults").

Every key has a default in ``schema.SCORING_SETTINGS``. A key that is
missing, blank, unreadable or out of range falls back to its default with a
警告 finding; weights of the four components that sum to 0 are an 错误 (the
default weights are then used so that scoring can still run, provisionally).
A value above ``MAX_VALUE`` (one million) is out of range too: no weight,
score line, vote value or day count is that large, and weights such as
1e308 would overflow the weighted sums (every 综合得分 would be lost).
When the whole sheet is missing the defaults are used silently here:
validation already reports the missing sheet (S002).

This is the one reader of 评分规则: ``RunContext.build`` calls it once per
run, and validation (S003/C006, R008), scoring and the UDFs use what it gives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from dj_addin import schema
from dj_addin.model import Book, Finding, KVTable
from dj_addin.normalize import INVALID, text_of

# 评分规则 findings use the codes of validation.md that fit them: a missing
# key (or an empty sheet) is a missing item, S003; a value that is blank,
# unreadable or out of range, and weights that sum to 0, are C006. The
# validation registry reports them through those two rules.
MISSING_RULE = "S003"
VALUE_RULE = "C006"
_ERROR, _WARNING = schema.LEVELS[0], schema.LEVELS[1]

_DEFAULTS = {s.key: float(s.default) for s in schema.SCORING_SETTINGS}
# Keys whose value is a share between 0 and 1.
_RATIOS = frozenset({"excellent_cap", "mass_unsatisfied_cap"})
WEIGHT_KEYS = ("w_quota", "w_org", "w_mass", "w_peer")
MAX_VALUE = 1_000_000.0


@dataclass(frozen=True)
class Settings:
    """The scoring configuration; field names are the keys of ``schema.SCORING_SETTINGS``."""

    w_quota: float = _DEFAULTS["w_quota"]
    w_org: float = _DEFAULTS["w_org"]
    w_mass: float = _DEFAULTS["w_mass"]
    w_peer: float = _DEFAULTS["w_peer"]
    excellent_line: float = _DEFAULTS["excellent_line"]
    pass_line: float = _DEFAULTS["pass_line"]
    basic_line: float = _DEFAULTS["basic_line"]
    excellent_needs_quota: float = _DEFAULTS["excellent_needs_quota"]
    excellent_cap: float = _DEFAULTS["excellent_cap"]
    mass_min_votes: float = _DEFAULTS["mass_min_votes"]
    mass_unsatisfied_cap: float = _DEFAULTS["mass_unsatisfied_cap"]
    mass_satisfied_value: float = _DEFAULTS["mass_satisfied_value"]
    mass_basic_value: float = _DEFAULTS["mass_basic_value"]
    mass_unsatisfied_value: float = _DEFAULTS["mass_unsatisfied_value"]
    peer_excellent_value: float = _DEFAULTS["peer_excellent_value"]
    peer_pass_value: float = _DEFAULTS["peer_pass_value"]
    peer_basic_value: float = _DEFAULTS["peer_basic_value"]
    peer_fail_value: float = _DEFAULTS["peer_fail_value"]
    overdue_days: float = _DEFAULTS["overdue_days"]

    @property
    def weights(self) -> tuple[float, float, float, float]:
        """Weights of 指标完成分, 组织评价分, 群众评议分, 党员互评分, in that order."""
        return (self.w_quota, self.w_org, self.w_mass, self.w_peer)


DEFAULT_SETTINGS = Settings()


def _problem(value: Any, key: str) -> str | None:
    """Why a typed value cannot be used (None when it can)."""
    if value is None:
        return "为空"
    if value is INVALID or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        return "不是数字"
    if value < 0:
        return "不能为负数"
    if value > MAX_VALUE:
        return f"过大（不能超过 {MAX_VALUE:.0f}）"
    if key in _RATIOS and value > 1:
        return "应为 0 到 1 之间的比例（如 0.3333）"
    return None


def load_settings(book: Book) -> tuple[Settings, list[Finding]]:
    """Settings from the book's 评分规则, and the findings about it."""
    kv: KVTable | None = book.kv.get(schema.SCORING_RULES.key)
    if kv is None or not kv.found:
        return DEFAULT_SETTINGS, []
    sheet_name = kv.name or schema.SCORING_RULES.name
    values: dict[str, float] = {}
    findings: list[Finding] = []
    if not kv.items:  # an empty sheet: one warning rather than one per key
        return DEFAULT_SETTINGS, [Finding(
            MISSING_RULE, _WARNING, sheet_name, None, "", "", "",
            f"「{sheet_name}」没有填写任何项目，全部按默认值计算。",
            "如需调整权重或分数线，请在「项目」列写项目名称、「值」列写数值。")]
    for spec in schema.SCORING_SETTINGS:
        item = kv.items.get(spec.key)
        shown_default = text_of(float(spec.default))
        if item is None:
            findings.append(Finding(
                MISSING_RULE, _WARNING, sheet_name, None, "", spec.name, "",
                f"「{sheet_name}」缺少「{spec.name}」，按默认值 {shown_default} 计算。",
                f"在「{sheet_name}」中加一行「{spec.name}」并填写数值，或保留默认值。"))
            continue
        why = _problem(item.value, spec.key)
        if why is not None:
            findings.append(Finding(
                VALUE_RULE, _WARNING, sheet_name, item.row, item.column, spec.name, text_of(item.raw),
                f"第{item.row}行「{spec.name}」{why}，按默认值 {shown_default} 计算。",
                f"请填写有效数值，如 {shown_default}。"))
            continue
        values[spec.key] = float(item.value)
    settings = replace(DEFAULT_SETTINGS, **values)
    if sum(settings.weights) <= 0:
        names = "、".join(schema.SCORING_RULES.column(k).header for k in WEIGHT_KEYS)
        findings.append(Finding(
            VALUE_RULE, _ERROR, sheet_name, None, "", names, "0",
            f"「{sheet_name}」中四项权重（{names}）之和为 0，无法计算综合得分；本次按默认权重暂算。",
            "至少把一项权重改为大于 0 的数，如 40、30、20、10。"))
        settings = replace(settings, **{k: _DEFAULTS[k] for k in WEIGHT_KEYS})
    return settings, findings


def setting_names() -> list[str]:
    """Field names of ``Settings`` (the same keys as the schema; checked by tests)."""
    return [f.name for f in fields(Settings)]
