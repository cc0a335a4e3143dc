"""Keys and references R001–R005: duplicates, unknown IDs, names that do
not match their ID, contacts with someone else's assigned person."""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from dj_addin import normalize as nz
from dj_addin import schema
from dj_addin.schema import ColType
from dj_addin.rules.context import Context, at, header
from dj_addin.rules.registry import ERROR, INFO, WARNING, Hit, rule

ROSTER, TARGETS, LOG, EVAL = schema.ROSTER.key, schema.TARGETS.key, schema.CONTACT_LOG.key, schema.EVALUATION.key
# 指标代码 duplicates are reported by R018 with every other 指标设置 problem.
KEY_OWNED = {(schema.QUOTAS.key, "code")}


def _unique_columns():
    for spec in schema.DATA_SHEETS:
        for col in spec.columns:
            if col.unique and (spec.key, col.key) not in KEY_OWNED:
                yield spec.key, col


@rule("R001", ERROR, ("units", "roster", "targets", "evaluation"), "编号重复",
      note="Keys: 单位编码 (下级单位), 党员编号, 对象编号, 评议.党员编号; the first row is kept, each later "
           "duplicate is reported naming the first. 指标代码 duplicates are R018.")
def duplicate_key(ctx: Context) -> Iterable[Hit]:
    for sheet_key, col in _unique_columns():
        t = ctx.table(sheet_key)
        if not ctx.has(t, col.key) or not len(t):
            continue
        readable = ctx.values(t, col.key)[ctx.usable(t, col.key)].tolist()
        if all(type(v) is str for v in readable) and len(set(readable)) == len(readable):
            continue  # no repeats (readable IDs are text: a set is ``duplicated``)
        s = t.data.loc[ctx.usable(t, col.key), col.key]
        later = s.duplicated(keep="first")
        if not later.any():
            continue
        first_row = pd.Series(ctx.row_of(t, s.index[~later]), index=s[~later].values)
        for rid, row, value in ctx.cells(t, col.key, later.reindex(t.data.index, fill_value=False)):
            first = int(first_row[s.at[rid]])
            yield Hit(sheet_key, row, col.key, f"{at(row, col.header, value)}，与第{first}行重复；",
                      f"「{col.header}」不能重复：请核对后删除重复的行或改正编号。")


def _unknown(ctx: Context, sheet_key: str, col, known: frozenset) -> Iterable[tuple[int, str, list]]:
    """(row, value, missing IDs) of cells whose ID(s) are not in ``known`` (readable IDs
    are text: set membership is ``isin``; a list of IDs is looked at item by item, as
    ``explode`` would, an empty list as one missing NaN)."""
    t = ctx.table(sheet_key)
    usable = ctx.usable(t, col.key)
    values = ctx.values(t, col.key)
    if col.type is ColType.IDS:
        rows, raw = ctx.excel_rows(t), None
        for pos in np.flatnonzero(usable).tolist():
            v = values[pos]
            items = (v if len(v) else [np.nan]) if isinstance(v, (list, tuple)) else [v]
            missing = [i for i in items if i not in known]
            if missing:
                raw = t.raw[col.key].to_numpy() if raw is None else raw
                yield int(rows[pos]), nz.text_of(raw[pos]), missing
    else:
        positions = np.flatnonzero(usable)
        mask = np.zeros(len(values), dtype=bool)
        mask[positions] = [v not in known for v in values[positions].tolist()]
        for pos, row, value in ctx.at_positions(t, col.key, mask):
            yield row, value, [values[pos]]


def _ref_columns(target: str):
    for spec in schema.DATA_SHEETS:
        for col in spec.columns:
            if col.ref == target:
                yield spec.key, col


@rule("R002", ERROR, ("contact_log", "research", "reception", "contact_points", "point_visits", "forums",
                      "activities", "evaluation", "targets"), "党员编号不在党员名册中",
      note="Every column whose schema ref is the roster; skipped when 党员名册 or its 党员编号 column is "
           "missing (S002/S003 say so once).")
def unknown_member(ctx: Context) -> Iterable[Hit]:
    if not ctx.has(ctx.table(ROSTER), "member_id"):  # no roster, or no 党员编号 column (S002/S003)
        return
    known = ctx.id_set(ROSTER, "member_id")
    for sheet_key, col in _ref_columns(ROSTER):
        t = ctx.table(sheet_key)
        if not ctx.has(t, col.key):
            continue
        for row, value, missing in _unknown(ctx, sheet_key, col, known):
            what = at(row, col.header, value) if len(missing) == 1 and col.type is ColType.ID else \
                f"第{row}行「{col.header}」中的 {'、'.join(missing)}"
            yield Hit(sheet_key, row, col.key, f"{what}，在「{schema.ROSTER.name}」中找不到；",
                      f"请改正编号，或先在「{schema.ROSTER.name}」中登记该党员。")


@rule("R003", ERROR, LOG, "对象编号不在联系对象中",
      note="Skipped when 联系对象 or its 对象编号 column is missing (S002/S003).")
def unknown_target(ctx: Context) -> Iterable[Hit]:
    if not ctx.has(ctx.table(TARGETS), "target_id"):  # no 联系对象, or no 对象编号 column (S002/S003)
        return
    known = ctx.id_set(TARGETS, "target_id")
    for sheet_key, col in _ref_columns(TARGETS):
        if not ctx.has(ctx.table(sheet_key), col.key):
            continue
        for row, value, _ in _unknown(ctx, sheet_key, col, known):
            yield Hit(sheet_key, row, col.key, f"{at(row, col.header, value)}，在「{schema.TARGETS.name}」中找不到；",
                      f"请改正编号，或先在「{schema.TARGETS.name}」中登记该联系对象。")


def _fold_name(s: pd.Series) -> pd.Series:
    return s.astype("string").str.replace(r"\s+", "", regex=True).map(
        lambda v: nz.fold_width(v) if isinstance(v, str) else v)


# (sheet, ID column, name column, sheet the ID refers to) of R004.
NAME_PAIRS = (
    (LOG, "member_id", "member_name", ROSTER),
    (LOG, "target_id", "target_name", TARGETS),
    (EVAL, "member_id", "name", ROSTER),
)


@rule("R004", WARNING, (LOG, EVAL), "姓名与编号不符",
      note="Only rows whose ID is known (an unknown ID is R002/R003 once, no name check). 评议.姓名 is "
           "the template's lookup formula: its value (blank while the ID is blank or unknown) is read "
           "like a typed one, so only a name typed over it can differ.")
def name_mismatch(ctx: Context) -> Iterable[Hit]:
    for sheet_key, id_key, name_key, ref_sheet in NAME_PAIRS:
        t = ctx.table(sheet_key)
        if not (ctx.has(t, id_key) and ctx.has(t, name_key)) or not ctx.table(ref_sheet).found:
            continue
        names = ctx.first_values(ref_sheet, id_key, "name")
        ids, given = ctx.values(t, id_key), ctx.values(t, name_key)
        # Readable IDs are text: a dict look-up is the ``map`` of the roster's names.
        positions = np.flatnonzero(ctx.usable(t, id_key) & ctx.usable(t, name_key))
        expected = np.array([names.get(i) for i in ids[positions].tolist()], dtype=object)
        known = ~pd.isna(expected)  # the ID is on the roster with a name
        positions, expected = positions[known], expected[known]
        if not len(positions):
            continue
        differs = given[positions] != expected  # exact first; fold only the few that differ
        if differs.any():
            differs[differs] = (_fold_name(pd.Series(given[positions][differs]))
                                != _fold_name(pd.Series(expected[differs]))).to_numpy(dtype=bool, na_value=True)
        mask = np.zeros(len(t), dtype=bool)
        mask[positions[differs]] = True
        expected_at = dict(zip(positions[differs].tolist(), expected[differs].tolist()))
        ref_name = schema.sheet(ref_sheet).name
        field = header(sheet_key, name_key)
        for pos, row, value in ctx.at_positions(t, name_key, mask):
            yield Hit(sheet_key, row, name_key,
                      f"{at(row, field, value)}，但编号 {ids[pos]} 在「{ref_name}」中的姓名是 {expected_at[pos]}；",
                      f"请核对编号和姓名，以「{ref_name}」为准。")


@rule("R005", INFO, LOG, "联系了其他党员的结对对象",
      note="Only when the member, the target and the target's assigned member are all known.")
def others_target(ctx: Context) -> Iterable[Hit]:
    t = ctx.table(LOG)
    if not (ctx.has(t, "member_id") and ctx.has(t, "target_id")) or not ctx.table(TARGETS).found \
            or not ctx.table(ROSTER).found:
        return
    assigned = ctx.first_values(TARGETS, "target_id", "member_id")
    members = ctx.id_set(ROSTER, "member_id")
    member_ids, target_ids = ctx.values(t, "member_id"), ctx.values(t, "target_id")
    positions = np.flatnonzero(ctx.usable(t, "member_id") & ctx.usable(t, "target_id"))
    owners = {}  # position → the target's assigned member, where that is someone else on the roster
    for pos, member, target in zip(positions.tolist(), member_ids[positions].tolist(), target_ids[positions].tolist()):
        owner = assigned.get(target)
        # an unknown owner is the R002 on 联系对象, once; readable IDs are text, so
        # ``in members`` also says the owner is not blank
        if member in members and owner in members and owner != member:
            owners[pos] = owner
    mask = np.zeros(len(t), dtype=bool)
    mask[list(owners)] = True
    field = header(LOG, "target_id")
    for pos, row, value in ctx.at_positions(t, "target_id", mask):
        yield Hit(LOG, row, "target_id",
                  f"{at(row, field, value)}，该对象的结对党员是 {owners[pos]}，本行由 {member_ids[pos]} 联系；",
                  "如属正常（如代为联系）可不处理；如编号填错请改正。")
