"""The merged book: the inputs' rows concatenated with provenance, under the
upper level's 基本信息, 下级单位, 指标设置 and 评分规则.

The upper level is the template the user gives (``--template``: usually the
college's own workbook), else a blank template with 基本信息 taken from the
first merged file's 上级单位 fields and 单位层级 one level up. Branches do
not set their own targets: a branch whose 指标设置 differs from the upper
level's is reported (警告). Conflicts are listed, never resolved: the same
党员编号 in two units (counted once, in the first unit, by the roll-up) and
the same 对象编号 with different names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dj_addin import schema
from dj_addin.model import Book, KVItem, KVTable
from dj_addin.rows import concat_books, concat_tables

UPPER_SHEETS = (schema.UNITS.key, schema.QUOTAS.key)  # data sheets that come from the upper level


@dataclass
class Conflict:
    kind: str  # 党员编号重复 / 对象编号姓名不一致
    key: str
    units: list[str]
    detail: str

    def as_json(self) -> dict:
        return {"kind": self.kind, "key": self.key, "units": self.units, "detail": self.detail}


@dataclass
class Upper:
    """The level the merged workbook belongs to."""

    book: Book  # its 基本信息, 下级单位, 指标设置, 评分规则
    from_template: bool

    @property
    def units(self) -> dict[str, str]:
        t = self.book.tables[schema.UNITS.key].data
        return {str(c): (n or "") for c, n in zip(t["unit_code"], t["unit_name"]) if c is not None}

    def expected_units(self) -> list[tuple[str, str]]:
        """下级单位 with 应报送 = 是 (blank counts as 是)."""
        t = self.book.tables[schema.UNITS.key].data
        return [(str(c), n or "") for c, n, m in zip(t["unit_code"], t["unit_name"], t["must_report"])
                if c is not None and m is not False]


def blank_template_book() -> Book:
    """The blank template as a Book (read from a temporary file: one reader for all)."""
    import tempfile

    from dj_addin.template.build import build_template
    from dj_addin.xlsx.reader import read_book

    with tempfile.TemporaryDirectory(prefix="dj-template-") as tmp:
        path = Path(tmp) / "template.xlsx"
        build_template().save(path)
        return read_book(path)


def upper_level(template: Path | None) -> Upper:
    from dj_addin.xlsx.reader import read_book

    if template is not None:
        return Upper(read_book(template), True)
    return Upper(blank_template_book(), False)


def kv_table(spec: schema.Sheet, values: dict) -> KVTable:
    items = {c.key: KVItem(values.get(c.key), values.get(c.key), i + 2) for i, c in enumerate(spec.columns)}
    return KVTable(spec=spec, found=True, name=spec.name, items=items)


def upper_meta(upper: Upper, first, year: int | None) -> KVTable:
    """基本信息 of the merged workbook: the template's when it names a unit, else from the first merged
    file's 上级单位 fields (单位层级 one level up); 报送日期 blank (set by 导出上报)."""
    meta = upper.book.meta
    values = {c.key: meta.get(c.key) for c in schema.META.columns}
    if not values.get("unit_code") and first is not None:
        level = first.unit_level
        up = schema.UNIT_LEVELS[min(schema.UNIT_LEVELS.index(level) + 1, len(schema.UNIT_LEVELS) - 1)] \
            if level in schema.UNIT_LEVELS else None
        values.update(unit_code=first.parent_code, unit_name=first.parent_name, unit_level=up,
                      parent_code=None, parent_name=None, secretary=None, filler=None, phone=None)
    values["year"] = year if year is not None else values.get("year")
    values["report_date"] = None
    values["template_version"] = schema.TEMPLATE_VERSION
    return kv_table(schema.META, values)


def quota_rows(book: Book) -> dict:
    """指标设置 as 指标代码 → the rest of its row (the values as ``itertuples`` gives them)."""
    d = book.tables[schema.QUOTAS.key].data
    columns = [d[c.key].tolist() for c in schema.QUOTAS.columns]
    return {r[0]: tuple(r[1:]) for r in zip(*columns) if r[0] is not None}


def quota_differences(upper: Book | dict, book: Book) -> list[str]:
    """How a unit's 指标设置 differs from the upper level's (empty: the same); ``upper``
    may be its ``quota_rows`` (a merge compares hundreds of units with one upper level)."""
    mine = upper if isinstance(upper, dict) else quota_rows(upper)
    theirs = quota_rows(book)
    out = []
    for code, row in theirs.items():
        if code not in mine:
            out.append(f"多了指标 {code}")
        elif not _same(row, mine[code]):
            out.append(f"指标 {code} 与上级不同")
    out += [f"缺少指标 {code}" for code in mine if code not in theirs]
    return out


def _same(a: tuple, b: tuple) -> bool:
    return all((pd.isna(x) and pd.isna(y)) if _blank(x) or _blank(y) else x == y for x, y in zip(a, b))


def _blank(x) -> bool:
    return x is None or (isinstance(x, float) and pd.isna(x))


def merge_books(books: list[Book], upper: Upper, meta: KVTable) -> Book:
    """The inputs' data sheets concatenated (provenance kept), the upper level's sheets beside them."""
    kv = {schema.META.key: meta, schema.SCORING_RULES.key: upper.book.kv[schema.SCORING_RULES.key]}
    merged = concat_books(books, kv=kv)
    for key in UPPER_SHEETS:
        merged.tables[key] = concat_tables([upper.book.tables[key]])
        merged.tables[key].origin["source_unit"] = meta.get("unit_code")
    roster = merged.tables[schema.ROSTER.key]
    blank = roster.data["branch_code"].isna()
    if blank.any():
        data = roster.data.copy()
        data.loc[blank, "branch_code"] = roster.origin.loc[blank, "source_unit"]
        roster.data = data
    fill_lookups(merged)
    merged.sheet_names = [s.name for s in schema.SHEETS if s.kind in (schema.SheetKind.DATA, schema.SheetKind.KV)]
    return merged


def fill_lookups(merged: Book) -> None:
    """Blank lookup cells (评议.姓名) get the name their ID has in the same unit's 党员名册.

    In a branch workbook the column is the template's lookup formula; a book that this tool
    wrote and nobody opened in Excel carries no calculated value for it, so it reads blank. The
    merged workbook holds values, not the formula, so it looks the names up itself."""
    roster = merged.tables[schema.ROSTER.key]
    if not len(roster):
        return
    for spec in schema.DATA_SHEETS:
        t = merged.tables.get(spec.key)
        for col in spec.columns:
            if col.lookup is None or t is None or not len(t) or col.key not in t.data.columns:
                continue
            id_key, value_key = col.lookup
            keys = pd.MultiIndex.from_arrays([roster.origin["source_unit"].astype(str), roster.data[id_key]])
            names = pd.Series(roster.data[value_key].to_numpy(), index=keys)
            names = names[~names.index.duplicated(keep="first") & names.notna()]
            typed_over = t.as_found().get(col.key)  # a value the user typed that could not be read stays
            blank = t.data[col.key].isna() & t.data[id_key].notna()
            if typed_over is not None:
                blank &= ~t.data.index.isin(typed_over.index)
            if not blank.any():
                continue
            wanted = pd.MultiIndex.from_arrays([t.origin.loc[blank, "source_unit"].astype(str),
                                                t.data.loc[blank, id_key]])
            found = names.reindex(wanted).to_numpy()
            data = t.data.copy()
            col_values = data[col.key].astype(object)
            col_values.loc[blank] = found
            data[col.key] = col_values
            t.data = data


def conflicts(merged: Book) -> list[Conflict]:
    out: list[Conflict] = []
    r = merged.tables[schema.ROSTER.key]
    frame = pd.DataFrame({"id": r.data["member_id"].to_numpy(dtype=object), "name": r.data["name"].to_numpy(dtype=object),
                          "unit": r.origin["source_unit"].to_numpy(dtype=object)}).dropna(subset=["id"])
    for mid, g in _groups(_repeated(frame, "unit")):
        units = list(dict.fromkeys(str(u) for u in g["unit"]))
        if len(units) > 1:
            names = "、".join(dict.fromkeys(str(n) for n in g["name"] if n is not None))
            out.append(Conflict("党员编号重复", str(mid), units,
                                f"党员编号 {mid}（{names}）同时出现在 {'、'.join(units)}；按第一个单位统计，请核实是否转接"))
    t = merged.tables[schema.TARGETS.key]
    frame = pd.DataFrame({"id": t.data["target_id"].to_numpy(dtype=object), "name": t.data["name"].to_numpy(dtype=object),
                          "unit": t.origin["source_unit"].to_numpy(dtype=object)}).dropna(subset=["id", "name"])
    for tid, g in _groups(_repeated(frame, "name")):
        names = list(dict.fromkeys(str(n) for n in g["name"]))
        if len(names) > 1:
            units = list(dict.fromkeys(str(u) for u in g["unit"]))
            out.append(Conflict("对象编号姓名不一致", str(tid), units,
                                f"对象编号 {tid} 的姓名不一致：{'、'.join(names)}（{'、'.join(units)}）"))
    return out


def _groups(frame: pd.DataFrame) -> list[tuple[object, dict[str, list]]]:
    """``frame.groupby("id", sort=False)`` as plain lists: (id, column → its values in row order) per
    id in order of first appearance. Thousands of small groups cost seconds as frames."""
    columns = [c for c in frame.columns if c != "id"]
    values = {c: frame[c].tolist() for c in columns}
    rows: dict[object, list[int]] = {}
    for i, key in enumerate(frame["id"].tolist()):
        rows.setdefault(key, []).append(i)
    return [(key, {c: [values[c][i] for i in pos] for c in columns}) for key, pos in rows.items()]


def _repeated(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows whose id has more than one distinct value in ``column`` (the only ids that can
    be conflicts): a university has tens of thousands of ids, and a group costs far more than a row."""
    distinct = frame.drop_duplicates(["id", column])
    ids = distinct["id"][distinct.duplicated("id", keep=False)]
    return frame[frame["id"].isin(set(ids))]


@dataclass
class Limited:
    """A data sheet whose detail rows stay in the unit workbooks (above the row limit)."""

    sheet: str
    rows: int
    limit: int

    @property
    def note(self) -> str:
        return (f"「{self.sheet}」合计 {self.rows:,} 行，超过汇总上限 {self.limit:,} 行：明细留在各单位的工作簿中"
                f"（见「{schema.SOURCES.name}」），本工作簿只汇总考评结果和各单位统计。")


def over_limit(merged: Book, limit: int) -> list[Limited]:
    return [Limited(t.spec.name, len(t), limit) for key, t in merged.tables.items()
            if key not in UPPER_SHEETS and len(t) > limit]


@dataclass
class Recomputed:
    rollup: object
    scores: object
    as_of: dt.date
    year: int
    findings: list = field(default_factory=list)
    letterhead: object = None  # plans.look.Letterhead: unit, year and quota names on every printed page


def recompute(merged: Book, as_of: dt.date | None, today: dt.date | None = None) -> Recomputed:
    """指标汇总 and 考评结果 over the merged rows (the inputs were validated one by one)."""
    from dj_addin.context import RunContext
    from dj_addin.plans import letterhead_of
    from dj_addin.rollup.table import rollup
    from dj_addin.scoring.score import score

    run = RunContext.build(merged, as_of, today=today)
    r = rollup(run, file="")
    return Recomputed(r, score(run, r), run.as_of, run.year, list(run.settings_findings), letterhead_of(run))
