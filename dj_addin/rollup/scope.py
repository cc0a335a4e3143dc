"""Who a quota applies to: the 适用对象 of 指标设置 (workbook.md).

Pure pandas, shared by validation (K001 coverage) and the quota roll-up, so
that both agree on exactly the same members.
"""

from __future__ import annotations

import pandas as pd

from dj_addin import schema

# Values of the roster's enum columns, named once here for readability.
_RETIRED = schema.MEMBER_CATEGORIES[2]  # 离退休党员
_SCOPE_BY_CATEGORY = {s: s for s in schema.MEMBER_CATEGORIES[:2]}  # 教职工党员, 学生党员
_SCOPE_BY_CADRE = {s: s for s in schema.CADRE_LEVELS[:2]}  # 校级干部, 处级干部
_SECRETARY_POST = schema.BRANCH_POSTS[0]  # 书记
_COMMITTEE_POSTS = schema.BRANCH_POSTS[:3]  # 书记, 副书记, 支委
ALL_MEMBERS, _STAFF, _STUDENTS, _SCHOOL, _DIVISION, SECRETARY, COMMITTEE = schema.QUOTA_SCOPES


def members_in_scope(roster: pd.DataFrame, scope: str) -> pd.Series:
    """Boolean Series (indexed like ``roster``): members a quota with this 适用对象 applies to.

    ``roster`` is the typed 党员名册 frame (columns ``category``,
    ``cadre_level``, ``branch_post``); blank 干部层级/支部职务 mean 无. An unknown
    scope applies to nobody (validation reports it as C005).
    """
    none = pd.Series(False, index=roster.index, dtype=bool)
    if scope == ALL_MEMBERS:
        return (roster["category"] != _RETIRED).astype(bool) if len(roster) else none
    if scope in _SCOPE_BY_CATEGORY:
        return (roster["category"] == scope).astype(bool) if len(roster) else none
    if scope in _SCOPE_BY_CADRE:
        return (roster["cadre_level"] == scope).astype(bool) if len(roster) else none
    if scope == SECRETARY:
        return (roster["branch_post"] == _SECRETARY_POST).astype(bool) if len(roster) else none
    if scope == COMMITTEE:
        return roster["branch_post"].isin(_COMMITTEE_POSTS).astype(bool) if len(roster) else none
    return none
