"""The write contract over a corpus of feature-rich workbooks (tests/feature_books.py).

validate (-o, with 指标汇总 and 考评结果) → validate again in place → clear
marks in place, on each book of the corpus, with the default writer. After
every step every part parses, openpyxl opens the file, and every feature the
producer wrote is unchanged: cells and formulas of every sheet, Excel tables,
autofilters, data validations (plain and x14), conditional formats (with the
formats they apply), defined names, hyperlinks, sheet protection, sheet states,
right-to-left views and panes, images and charts, notes of unmarked cells,
threaded comments and their persons. After clearing, every cell's value, fill
and note is as it was. LibreOffice opens every result.
"""

from __future__ import annotations

import hashlib
import posixpath
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest

import feature_books as fb
from dj_addin import schema
from dj_addin.xlsx.marks import MARKS_SHEET
from dj_addin.xlsx.save import clear_marks, save_outputs
from test_write_support import finding, sample_report, sample_results, sample_rollup, snapshot

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
IGNORED_ATTRS = {REL + "id", "{http://schemas.microsoft.com/office/spreadsheetml/2014/revision}uid", REL + "embed"}
OUTPUT_SHEETS = {schema.FINDINGS.name, schema.ROLLUP.name, schema.RESULTS.name, MARKS_SHEET}
FEATURE_SHEETS = (fb.ROSTER, fb.LOG, fb.LISTS, fb.NOTES_SHEET)
# Parts no write changes: the fast writer copies them as they are.
UNTOUCHED = ("xl/tables/", "xl/charts/", "xl/media/", "xl/drawings/drawing", "xl/drawings/_rels/",
             "xl/threadedComments/", "xl/persons/", "xl/theme/", "docProps/core.xml")

# openpyxl (reading the books here to compare them) warns that it cannot keep x14 validations
pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension is not supported")

FIRST = [finding("错误", fb.LOG, 2, "A", "C002", "2026-13-05", "日期无效"),
         finding("警告", fb.LOG, 3, "C", "R004", "李四", "姓名与编号不符"),  # the user's own note beneath
         finding("提示", fb.LOG, 2, "I", "C007", "已办结", "内容偏短"),  # a hyperlink cell
         finding("警告", fb.LOG, 4, fb.FORMULA_COL, "C001", "", "公式列"),  # a shared formula
         finding("错误", fb.LOG, 20, "L", "C001", "", "空行"),  # no such cell yet
         finding("错误", fb.ROSTER, 2, "B", "R004", "张三", "姓名与编号不符"),  # inside the table
         finding("警告", fb.ROSTER, 3, "B", "C001", "李四", "已有底色"),  # the user's fill beneath
         finding("提示", fb.ROSTER, 6, "F", "C001", "", "表外空格")]
SECOND = [finding("错误", fb.LOG, 2, "A", "C002", "2026-13-05", "日期无效"),
          finding("警告", fb.LOG, 5, "D", "R003", "T003", "对象不存在"),
          finding("错误", fb.ROSTER, 4, "E", "C003", "正式党员", "身份不符")]


# ---- reading a package as features

def shape(el: ET.Element) -> tuple:
    """An element as comparable data: tag, attributes (relationship ids left out), text, children."""
    attrs = tuple(sorted((k, v) for k, v in el.attrib.items() if k not in IGNORED_ATTRS))
    return el.tag, attrs, (el.text or "").strip(), tuple(shape(c) for c in el)


class Package:
    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            self.data = {n: zf.read(n) for n in zf.namelist()}

    def xml(self, part: str) -> ET.Element:
        return ET.fromstring(self.data[part])

    def rels(self, part: str) -> dict[str, tuple[str, str, str]]:
        """rId → (type, resolved target or external URL, mode)."""
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        if rels_part not in self.data:
            return {}
        out = {}
        for rel in self.xml(rels_part).iter(PKG + "Relationship"):
            target, mode = rel.get("Target", ""), rel.get("TargetMode", "")
            if mode != "External":
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
            out[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], target, mode)
        return out

    def sheets(self) -> list[tuple[str, str, str]]:
        """(name, state, part) in workbook order."""
        rels = self.rels("xl/workbook.xml")
        return [(s.get("name"), s.get("state", "visible"), rels[s.get(REL + "id")][1])
                for s in self.xml("xl/workbook.xml").iter(MAIN + "sheet")]

    def dxfs(self) -> list[tuple]:
        styles = self.xml("xl/styles.xml").find(MAIN + "dxfs")
        return [shape(d) for d in styles] if styles is not None else []


def sheet_features(pkg: Package, part: str, index_of: dict[str, int]) -> dict:
    root = pkg.xml(part)
    rels = pkg.rels(part)
    dxfs = pkg.dxfs()
    out: dict[str, object] = {}
    for key, tag in (("autofilter", "autoFilter"), ("validations", "dataValidations"),
                     ("protection", "sheetProtection"), ("extensions", "extLst")):
        el = root.find(MAIN + tag)
        out[key] = shape(el) if el is not None else None
    cfs = []
    for cf in root.iter(MAIN + "conditionalFormatting"):
        rules = [(r.get("type"), r.get("operator"), [f.text for f in r.iter(MAIN + "formula")],
                  dxfs[int(r.get("dxfId"))] if r.get("dxfId") is not None else None) for r in cf]
        cfs.append((cf.get("sqref"), rules))
    out["conditional formats"] = sorted(cfs, key=repr)
    view = root.find(f"{MAIN}sheetViews/{MAIN}sheetView")
    out["view"] = (view.get("rightToLeft") in ("1", "true"),
                   shape(view.find(MAIN + "pane")) if view is not None and view.find(MAIN + "pane") is not None
                   else None) if view is not None else None
    links = []
    for h in root.iter(MAIN + "hyperlink"):
        rid = h.get(REL + "id")
        links.append((h.get("ref"), h.get("location"), h.get("display"), rels[rid][1] if rid else None))
    out["hyperlinks"] = sorted(links, key=repr)
    tables = []
    for tp in root.iter(MAIN + "tablePart"):
        tables.append(shape(pkg.xml(rels[tp.get(REL + "id")][1])))
    out["tables"] = tables
    out["drawing"] = drawing_features(pkg, rels)
    out["threaded comments"] = sorted(shape(pkg.xml(t)) for kind, t, _ in rels.values() if kind == "threadedComment")
    return out


def drawing_features(pkg: Package, rels: dict) -> list:
    """Anchors of images and charts with what they show (image bytes, chart XML)."""
    out = []
    for kind, target, _ in rels.values():
        if kind != "drawing":
            continue
        drawing_rels = pkg.rels(target)
        for anchor in pkg.xml(target):
            start = anchor.find(XDR + "from")
            where = tuple(start.findtext(XDR + k) for k in ("col", "row")) if start is not None else None
            shown = []
            for el in anchor.iter():
                rid = el.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed") or (
                    el.get(REL + "id") if el.tag.endswith("}chart") else None)
                if rid:
                    part = drawing_rels[rid][1]
                    shown.append(hashlib.sha1(pkg.data[part]).hexdigest() if not part.endswith(".xml")
                                 else chart_shape(pkg.xml(part)))
            out.append((where, shown))
    return sorted(out, key=repr)


def chart_shape(root: ET.Element) -> tuple:
    """A chart as its series: kind, name and the ranges it plots."""
    C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    series = []
    for plot in root.iter():
        if plot.tag.endswith("Chart") and plot.tag.startswith(C):
            for ser in plot.findall(C + "ser"):
                series.append((plot.tag, tuple(f.text for f in ser.iter(C + "f"))))
    return tuple(series)


def features(path: Path) -> dict:
    """Everything the corpus checks, by sheet; output sheets and the marks sheet left out."""
    pkg = Package(path)
    sheets = pkg.sheets()
    index_of = {name: i for i, (name, _, _) in enumerate(sheets)}
    out: dict[str, object] = {"states": [(n, s) for n, s, _ in sheets if n not in OUTPUT_SHEETS]}
    names = []
    for dn in pkg.xml("xl/workbook.xml").iter(MAIN + "definedName"):
        local = dn.get("localSheetId")
        owner = sheets[int(local)][0] if local is not None else None
        if owner not in OUTPUT_SHEETS:
            names.append((dn.get("name"), owner, dn.text))
    out["defined names"] = sorted(names, key=repr)
    persons = [t for kind, t, _ in pkg.rels("xl/workbook.xml").values() if kind == "person"]
    out["persons"] = [shape(pkg.xml(p)) for p in persons]
    wb = openpyxl.load_workbook(path)
    for name, _, part in sheets:
        if name in OUTPUT_SHEETS:
            continue
        out[name] = sheet_features(pkg, part, index_of)
        out[name]["cells"] = {c.coordinate: c.value for row in wb[name].iter_rows() for c in row
                              if c.value is not None}
    return out


def unmarked_notes(path: Path, marked: set[tuple[str, str]]) -> dict:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): (c.comment.text, c.comment.author) for ws in wb.worksheets
            if ws.title not in OUTPUT_SHEETS for row in ws.iter_rows() for c in row
            if c.comment is not None and (ws.title, c.coordinate) not in marked}


def assert_well_formed(path: Path) -> None:
    for name, content in Package(path).data.items():
        if name.endswith((".xml", ".rels", ".vml")):
            ET.fromstring(content)


def diff(before: dict, after: dict) -> list[str]:
    """The features that changed, named, for a readable failure."""
    out = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if isinstance(b, dict) and isinstance(a, dict):
            out += [f"{key}: {k}" for k in sorted(set(b) | set(a)) if b.get(k) != a.get(k)]
        elif b != a:
            out.append(key)
    return out


# ---- the corpus

@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    import libreoffice as lo

    return fb.build_corpus(tmp_path_factory.mktemp("corpus"), lo if lo.available() else None)


def corpus_names() -> list[str]:
    return [*fb.PRODUCERS, "libreoffice"]


@pytest.fixture
def source(corpus, request) -> Path:
    name = request.param
    if name not in corpus:
        from conftest import require_libreoffice

        require_libreoffice()
    return corpus[name]


def cycle(book: Path, folder: Path) -> tuple[list[Path], list[str]]:
    """validate -o → validate in place → clear in place; each step's file and engine."""
    out = folder / "out.xlsx"
    steps, engines = [], []
    stats = save_outputs(book, out, report=sample_report(FIRST), rollup=sample_rollup(), results=sample_results())
    steps.append(folder / "1-validate.xlsx")
    steps[-1].write_bytes(out.read_bytes())
    engines.append(stats.engine)
    stats = save_outputs(out, out, report=sample_report(SECOND))
    steps.append(folder / "2-validate-again.xlsx")
    steps[-1].write_bytes(out.read_bytes())
    engines.append(stats.engine)
    assert clear_marks(out, out) == len(SECOND)
    steps.append(folder / "3-clear.xlsx")
    steps[-1].write_bytes(out.read_bytes())
    return steps, engines


@pytest.mark.parametrize("source", corpus_names(), indirect=True)
def test_validate_validate_clear_keeps_every_feature(source, tmp_path):
    before = features(source)
    assert before[fb.ROSTER]["tables"] and before[fb.LOG]["autofilter"] and before[fb.LOG]["conditional formats"]
    assert before[fb.LOG]["hyperlinks"] and before["defined names"] and before[fb.LOG]["drawing"]
    steps, engines = cycle(source, tmp_path)
    assert engines == ["fast", "fast"], engines  # no feature of the corpus needs the slow writer
    marks = [{(f.sheet, f"{f.column}{f.row}") for f in FIRST}, {(f.sheet, f"{f.column}{f.row}") for f in SECOND},
             set()]
    notes_before = unmarked_notes(source, set())
    copied = {n: b for n, b in Package(source).data.items() if n.startswith(UNTOUCHED)}
    assert any(n.startswith("xl/charts/") for n in copied) and any(n.startswith("xl/tables/") for n in copied)
    for path, marked in zip(steps, marks):
        assert_well_formed(path)
        after_parts = Package(path).data
        assert {n: after_parts.get(n) for n in copied} == copied, path.name  # copied byte for byte
        after = features(path)
        assert diff(before, after) == [], path.name
        expected = {k: v for k, v in notes_before.items() if k not in marked}
        assert unmarked_notes(path, marked) == expected, path.name
    assert snapshot(steps[-1], FEATURE_SHEETS) == snapshot(source, FEATURE_SHEETS)
    sheets = openpyxl.load_workbook(steps[0]).sheetnames
    assert {schema.FINDINGS.name, schema.ROLLUP.name, schema.RESULTS.name} <= set(sheets)


@pytest.mark.libreoffice
def test_libreoffice_opens_every_result(corpus, tmp_path, libreoffice):
    results = []
    for name, book in corpus.items():
        folder = tmp_path / name
        folder.mkdir()
        steps, _ = cycle(book, folder)
        for step in steps:
            results.append(step.rename(tmp_path / f"{name}-{step.name}"))
    converted = libreoffice.convert_all(results, "xlsx", tmp_path / "lo")
    for original, opened in zip(results, converted):
        wb = openpyxl.load_workbook(opened)
        assert set(FEATURE_SHEETS) <= set(wb.sheetnames), original.name
        source = openpyxl.load_workbook(original)
        for sheet in (fb.ROSTER, fb.LOG):
            for row in source[sheet].iter_rows():
                for c in row:
                    if c.value is not None and not str(c.value).startswith("="):
                        assert wb[sheet][c.coordinate].value == c.value, (original.name, sheet, c.coordinate)


@pytest.mark.parametrize("name, lost", [("xlsxwriter", ("图片", "新版批注", "下拉列表")), ("openpyxl", ("下拉列表",))])
def test_no_fallback_that_would_drop_features(corpus, tmp_path, monkeypatch, name, lost):
    """When the fast writer cannot finish, the reference writer (which drops images, threaded comments
    and x14 validation lists) is not used on a book that has them: the write stops, nothing changes."""
    from dj_addin.errors import DjError
    from dj_addin.xlsx import splice

    book = tmp_path / f"{name}.xlsx"
    book.write_bytes(corpus[name].read_bytes())
    original = book.read_bytes()

    def cannot(*a, **k):
        raise splice.Unsupported("simulated")

    monkeypatch.setattr(splice, "save_fast", cannot)
    with pytest.raises(DjError) as err:
        save_outputs(book, book, report=sample_report(FIRST))
    assert all(word in str(err.value) for word in lost) and "原文件没有改动" in str(err.value)
    assert book.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == [book.name]


def test_marks_on_a_sheet_with_threaded_comments_stop_rather_than_drop_them(corpus, tmp_path):
    """Marks on the sheet that holds an Excel 365 comment thread: the fast writer does not edit such
    notes, and the reference writer would drop the thread, so the write stops and says why."""
    from dj_addin.errors import DjError

    book = tmp_path / "book.xlsx"
    book.write_bytes(corpus["xlsxwriter"].read_bytes())
    with pytest.raises(DjError) as err:
        save_outputs(book, tmp_path / "out.xlsx", report=sample_report([finding("警告", fb.NOTES_SHEET, 2, "A")]))
    assert "新版批注" in str(err.value)
    assert not (tmp_path / "out.xlsx").exists()
