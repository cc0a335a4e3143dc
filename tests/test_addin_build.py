"""``dj addin build``: the .xlam is a valid Office add-in package whose VBA reads back
exactly (olevba, LibreOffice), whose ribbon is the one of interfaces.md, built the same
twice. Excel itself is not available here; these are the checks that can be made."""

from __future__ import annotations

import importlib.metadata
import io
import warnings
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from dj_addin.addin import buttons
from dj_addin.addin.build import MACROS_DIR, addin_bytes, build, find_xlwings, xlwings_modules
from dj_addin.addin.package import ADDIN_CONTENT_TYPE, RIBBON_RELATIONSHIP, VBA_CONTENT_TYPE
from dj_addin.addin.vba_project import stored_source
from dj_addin.cli import main
from dj_addin.errors import DjError

with warnings.catch_warnings():  # oletools' pyparsing grammar warns on import
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser

CUSTOMUI14 = "http://schemas.microsoft.com/office/2009/07/customui"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RUNPYTHON = """RunPython "import dj_addin.excel.ribbon as r; r.dispatch('" & control.Id & "')\""""
# interfaces.md: the tab, its groups and their buttons, in order.
RIBBON = {
    "数据校验": ["校验全部", "清除标记", "导入名单"],
    "统计考评": ["指标汇总", "考评计分", "一键处理", "打印评议票"],
    "上报汇总": ["导出上报", "汇总下级", "拆分下发"],
    "帮助": ["使用说明", "关于"],
}
MODULES = {"ThisWorkbook", "Sheet1", "DjRibbon", "xlwings", "Dictionary"}


@pytest.fixture(scope="module")
def xlam(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("addin") / "dj_addin.xlam").path


@pytest.fixture(scope="module")
def parts(xlam) -> dict[str, bytes]:
    with zipfile.ZipFile(xlam) as zf:
        assert zf.testzip() is None
        return {name: zf.read(name) for name in zf.namelist()}


def ribbon_buttons(xml: bytes) -> list[ET.Element]:
    return list(ET.fromstring(xml).iter(f"{{{CUSTOMUI14}}}button"))


def test_package_has_the_add_in_parts_and_content_types(parts) -> None:
    assert list(parts)[0] == "[Content_Types].xml"
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            ET.fromstring(data)  # every XML part is well-formed
    types = ET.fromstring(parts["[Content_Types].xml"])
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CT}Override")}
    assert overrides["/xl/workbook.xml"] == ADDIN_CONTENT_TYPE
    assert overrides["/xl/vbaProject.bin"] == VBA_CONTENT_TYPE
    for part in overrides:
        assert part.lstrip("/") in parts, part
    rels = {r.get("Type"): r.get("Target") for r in ET.fromstring(parts["_rels/.rels"]).iter(f"{PKG_REL}Relationship")}
    assert rels[RIBBON_RELATIONSHIP] == "customUI/customUI14.xml"
    assert rels["http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"] == "xl/workbook.xml"
    book_rels = ET.fromstring(parts["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Target") for r in book_rels.iter(f"{PKG_REL}Relationship")}
    assert {"vbaProject.bin", "worksheets/sheet1.xml", "styles.xml"} <= targets
    assert parts["customUI/customUI14.xml"] == (MACROS_DIR / "customUI14.xml").read_bytes()


def test_config_sheet_names_the_udf_module_and_no_interpreter(parts) -> None:
    workbook = parts["xl/workbook.xml"].decode()
    assert 'name="xlwings.conf"' in workbook and 'codeName="ThisWorkbook"' in workbook
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    assert f"<t>UDF MODULES</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>{buttons.UDF_MODULE}</t>" in sheet
    # An interpreter in the add-in's sheet would override the user's xlwings.conf.
    assert "INTERPRETER" not in sheet.upper() and "CONDA" not in sheet.upper()


def test_ribbon_is_the_tab_of_the_spec(parts) -> None:
    root = ET.fromstring(parts["customUI/customUI14.xml"])
    assert root.tag == f"{{{CUSTOMUI14}}}customUI"
    tabs = list(root.iter(f"{{{CUSTOMUI14}}}tab"))
    assert [t.get("label") for t in tabs] == ["党建助手"]
    groups = {g.get("label"): [b.get("label") for b in g.iter(f"{{{CUSTOMUI14}}}button")]
              for g in tabs[0].iter(f"{{{CUSTOMUI14}}}group")}
    assert groups == RIBBON and list(groups) == list(RIBBON)
    keytips = [tabs[0].get("keytip")]
    for button in ribbon_buttons(parts["customUI/customUI14.xml"]):
        assert button.get("onAction") == buttons.CALLBACK, button.get("id")
        for attribute in ("imageMso", "screentip", "supertip", "keytip"):
            assert button.get(attribute), (button.get("id"), attribute)
        assert button.get("id").isascii() and button.get("id").isidentifier()
        keytips.append(button.get("keytip"))
    assert len(keytips) == len(set(keytips))


def test_every_button_is_in_the_table_and_every_entry_has_a_button() -> None:
    ids = [b.get("id") for b in ribbon_buttons((MACROS_DIR / "customUI14.xml").read_bytes())]
    assert ids == list(buttons.BUTTONS)
    entries = list(buttons.BUTTONS.values())
    assert len(set(entries)) == len(entries) and all(e.isidentifier() for e in entries)
    assert set(entries) == {"validate", "clear_marks", "import_rows", "rollup", "score", "run", "ballots",
                            "export", "aggregate", "split", "help", "about"}
    assert buttons.entry_point("btnRun") == "run"
    with pytest.raises(KeyError):
        buttons.entry_point("btnMissing")


def _expected_sources() -> dict[str, str]:
    """What each module should read back as, computed from the inputs independently of the build."""
    def crlf(text: str) -> str:  # VBA stores CRLF line ends
        return text.replace("\r\n", "\n").replace("\n", "\r\n")

    expected = {p.stem: crlf(p.read_bytes().decode("ascii"))
                for p in MACROS_DIR.iterdir() if p.suffix in (".bas", ".cls")}
    folder, version = find_xlwings()
    xlwings = (folder / "xlwings_custom_addin.bas").read_bytes().decode("ascii")
    expected["xlwings"] = crlf(xlwings.replace('PROJECT_NAME As String = "myaddin"',
                                               'PROJECT_NAME As String = "xlwings"'))
    # A class as VBE exports it: the VERSION/BEGIN/END header is not stored (tested in test_addin_vba).
    expected["Dictionary"] = stored_source((folder / "addin" / "Dictionary.cls").read_bytes().decode("ascii"))
    return expected


def test_olevba_reads_every_module_back_byte_for_byte(xlam) -> None:
    parser = VBA_Parser(str(xlam))
    assert parser.detect_vba_macros()
    codes = {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    assert set(codes) == MODULES
    assert codes == _expected_sources()
    assert RUNPYTHON in codes["DjRibbon"]
    assert "Public Sub OnButton(control As IRibbonControl)" in codes["DjRibbon"]
    version = importlib.metadata.version("xlwings")
    assert f'XLWINGS_VERSION As String = "{version}"' in codes["xlwings"]
    assert 'PROJECT_NAME As String = "xlwings"' in codes["xlwings"]
    assert all(code.isascii() for code in codes.values())


def test_macros_are_ascii_only() -> None:
    for path in MACROS_DIR.iterdir():
        if path.suffix in (".bas", ".cls"):
            assert path.read_bytes().isascii(), path.name


def test_build_is_deterministic(tmp_path, xlam) -> None:
    again = build(tmp_path / "again.xlam").path
    assert again.read_bytes() == xlam.read_bytes() == addin_bytes()


def test_build_refuses_to_overwrite_without_force(tmp_path) -> None:
    out = tmp_path / "mine.xlam"
    out.write_bytes(b"my own add-in")
    result = CliRunner().invoke(main, ["addin", "build", "-o", str(out)])
    assert result.exit_code == 2 and "已存在" in result.output and "--force" in result.output
    assert out.read_bytes() == b"my own add-in"
    result = CliRunner().invoke(main, ["addin", "build", "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(out) and "已生成加载项" in result.output


def test_build_refuses_a_name_excel_would_not_load(tmp_path) -> None:
    result = CliRunner().invoke(main, ["addin", "build", "-o", str(tmp_path / "dj.xlsm")])
    assert result.exit_code == 2 and ".xlam" in result.output
    assert not (tmp_path / "dj.xlsm").exists()


def test_build_default_name_and_json(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["addin", "build", "--json"])
    assert result.exit_code == 0, result.output
    assert '"output": "dj_addin.xlam"' in result.output and (tmp_path / "dj_addin.xlam").is_file()


def _fake_xlwings(tmp_path: Path, version: str, edit=lambda text: text) -> Path:
    folder, _ = find_xlwings()
    fake = tmp_path / "xlwings"
    (fake / "addin").mkdir(parents=True)
    text = (folder / "xlwings_custom_addin.bas").read_text(encoding="ascii")
    (fake / "xlwings_custom_addin.bas").write_text(edit(text), encoding="ascii", newline="")
    (fake / "addin" / "Dictionary.cls").write_bytes((folder / "addin" / "Dictionary.cls").read_bytes())
    return fake


def test_xlwings_module_of_another_version_is_refused(tmp_path) -> None:
    _, version = find_xlwings()
    fake = _fake_xlwings(tmp_path, version)
    assert [m.name for m in xlwings_modules(fake, version)] == ["xlwings", "Dictionary"]
    with pytest.raises(DjError, match="版本不一致"):
        xlwings_modules(fake, "9.9.9")


def test_xlwings_module_without_project_name_is_refused(tmp_path) -> None:
    _, version = find_xlwings()
    fake = _fake_xlwings(tmp_path, version, lambda t: t.replace('PROJECT_NAME As String = "myaddin"', ""))
    with pytest.raises(DjError, match="PROJECT_NAME"):
        xlwings_modules(fake, version)


@pytest.mark.libreoffice
def test_libreoffice_opens_the_add_in_and_lists_the_same_modules(xlam, tmp_path, libreoffice) -> None:
    ods = libreoffice.convert(xlam, "ods", tmp_path / "lo", infilter="Calc MS Excel 2007 VBA XML")
    with zipfile.ZipFile(ods) as zf:
        names = zf.namelist()
        library = [n for n in names if n.startswith("Basic/DjAddin/") and n.endswith(".xml")
                   and not n.endswith("script-lb.xml")]
        kinds = {}
        texts = {}
        for name in library:
            module = ET.parse(io.BytesIO(zf.read(name))).getroot()
            script = "{http://openoffice.org/2000/script}"
            kinds[module.get(f"{script}name")] = module.get(f"{script}moduleType")
            texts[module.get(f"{script}name")] = module.text
    assert kinds == {"ThisWorkbook": "document", "Sheet1": "document", "DjRibbon": "normal",
                     "xlwings": "normal", "Dictionary": "class"}
    assert RUNPYTHON in texts["DjRibbon"]
    assert 'PROJECT_NAME As String = "xlwings"' in texts["xlwings"]


def test_addin_commands_are_there_with_chinese_help() -> None:
    for args in (["addin", "-h"], ["addin", "build", "-h"], ["addin", "install", "-h"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, args
        assert "显示本帮助并退出。" in result.output and "Show this message" not in result.output


def test_an_installed_package_finds_its_macros_under_the_prefix(tmp_path, monkeypatch) -> None:
    import shutil
    import sys

    from dj_addin.addin import build as build_module

    installed = tmp_path / "prefix" / "share" / "dj-addin" / "macros"
    shutil.copytree(MACROS_DIR, installed)
    monkeypatch.setattr(build_module, "MACROS_DIR", tmp_path / "no-repo" / "macros")
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefix"))
    monkeypatch.chdir(tmp_path)
    assert build_module.find_macros() == installed
    assert build_module.addin_bytes() == addin_bytes_from_repo()
    shutil.rmtree(installed)
    monkeypatch.setattr(build_module.site, "getuserbase", lambda: str(tmp_path / "user"))
    with pytest.raises(DjError, match="macros"):
        build_module.find_macros()


def addin_bytes_from_repo() -> bytes:
    from dj_addin.addin.build import read_sources

    return addin_bytes(read_sources(MACROS_DIR))
