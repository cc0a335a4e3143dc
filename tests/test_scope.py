"""适用对象 membership (workbook.md), shared by K001 and the quota roll-up."""

from __future__ import annotations

import pandas as pd
import pytest

from dj_addin import schema
from dj_addin.rollup.scope import members_in_scope

ROSTER = pd.DataFrame({
    "member_id": ["A", "B", "C", "D", "E", "F"],
    "category": ["教职工党员", "学生党员", "离退休党员", "教职工党员", "教职工党员", None],
    "cadre_level": ["校级干部", "无", "处级干部", "处级干部", "无", "无"],
    "branch_post": ["无", "书记", "书记", "副书记", "支委", "无"],
}, index=[2, 3, 4, 5, 6, 7])


@pytest.mark.parametrize("scope,members", [
    ("全体党员", "ABDEF"),  # everyone except 离退休党员
    ("教职工党员", "ADE"), ("学生党员", "B"),
    ("校级干部", "A"), ("处级干部", "CD"),  # by 干部层级, whatever the category
    ("支部书记", "BC"), ("支委", "BCDE"),
    ("不存在的对象", ""),
])
def test_members_in_scope(scope, members):
    got = members_in_scope(ROSTER, scope)
    assert got.dtype == bool and list(got.index) == list(ROSTER.index)
    assert "".join(ROSTER.loc[got, "member_id"]) == members


def test_every_quota_scope_is_known():
    for scope in schema.QUOTA_SCOPES:
        assert members_in_scope(ROSTER, scope).any()


def test_empty_roster():
    empty = ROSTER.iloc[0:0]
    for scope in schema.QUOTA_SCOPES:
        assert members_in_scope(empty, scope).empty
