"""``dj addin build``: assemble ``dj_addin.xlam`` from ``macros/`` and the installed xlwings, without Excel.

What goes in:
- ``macros/*.bas``, ``macros/*.cls``: this project's VBA (the generic ribbon
  callback ``DjRibbon`` and the document modules ThisWorkbook and Sheet1);
- ``macros/customUI14.xml``: the ribbon (UTF-8, the only place Chinese text lives);
- from the xlwings package installed next to dj-addin, read at build time and
  never copied into the repository: ``xlwings_custom_addin.bas`` (the VBA
  module xlwings puts in a custom add-in, with ``RunPython``) and
  ``addin/Dictionary.cls`` (which that module needs on macOS). The Python side
  and the VBA side of xlwings must be the same version, so the add-in is built
  for the xlwings that will run it.

The one change made to xlwings' module is its ``PROJECT_NAME`` constant,
``"myaddin"`` → ``"xlwings"``: the module then reads its settings from the
add-in's ``xlwings.conf`` sheet and from the user's
``~/.xlwings/xlwings.conf`` (macOS: xlwings' sandboxed equivalent) — the
file ``dj addin install`` and ``xlwings config create`` write.

The result depends only on those inputs: building twice gives the same bytes.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import site
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from dj_addin import __version__
from dj_addin.addin import buttons, package
from dj_addin.addin.vba_project import Module, ModuleError, build_vba_project, read_module_file
from dj_addin.errors import DjError
from dj_addin.xlsx.atomic import atomic_write

ADDIN_NAME = "dj_addin.xlam"
SUFFIX = ".xlam"
PROJECT_NAME = "DjAddin"
# macros/ sits beside the package in the repository (a source or editable install); an
# installed package has it as data files under <prefix>/share/dj-addin/macros (pyproject.toml).
MACROS_DIR = Path(__file__).resolve().parents[2] / "macros"
INSTALLED_MACROS = Path("share", "dj-addin", "macros")
RIBBON_FILE = "customUI14.xml"
_XLWINGS_MODULE = "xlwings_custom_addin.bas"
_XLWINGS_CLASSES = ("addin/Dictionary.cls",)
_PROJECT_NAME_LINE = 'Public Const PROJECT_NAME As String = "{}"'
_XLWINGS_PROJECT = ("myaddin", "xlwings")
# The add-in's own xlwings settings (its xlwings.conf sheet). Interpreter settings stay in
# the user's file; a sheet entry would override them.
SETTINGS: list[tuple[str, str]] = [
    ("UDF MODULES", buttons.UDF_MODULE),
    # The folder of the workbook is not put on sys.path: a stray pandas.py or a file named
    # like a standard module next to a secretary's workbook would shadow the real one.
    ("ADD_WORKBOOK_TO_PYTHONPATH", "false"),
]


@dataclass(frozen=True)
class AddinSources:
    """Everything the add-in is built from, read and checked."""

    modules: list[Module]
    ribbon: bytes
    xlwings_version: str


def find_xlwings() -> tuple[Path, str]:
    """The installed xlwings package folder and version (found without importing it)."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise DjError("没有安装 xlwings，无法生成加载项；请先运行「pip install xlwings」。")
    return Path(spec.origin).parent, importlib.metadata.version("xlwings")


def xlwings_modules(folder: Path, version: str) -> list[Module]:
    """xlwings' custom-add-in module (PROJECT_NAME set) and the classes it needs, from ``folder``."""
    path = folder / _XLWINGS_MODULE
    try:
        text = path.read_bytes().decode("ascii")
    except FileNotFoundError as exc:
        raise DjError(f"已安装的 xlwings {version} 中没有「{_XLWINGS_MODULE}」，无法生成加载项；"
                      "请安装完整的 xlwings（pip install --force-reinstall xlwings）。") from exc
    except UnicodeDecodeError as exc:
        raise DjError(f"xlwings 的「{_XLWINGS_MODULE}」含有非 ASCII 字符，无法放入加载项。") from exc
    if f"'Version: {version}" not in text:
        raise DjError(f"xlwings 的「{_XLWINGS_MODULE}」与已安装的 xlwings {version} 版本不一致；"
                      "请重新安装 xlwings。")
    old, new = (_PROJECT_NAME_LINE.format(name) for name in _XLWINGS_PROJECT)
    if text.count(old) != 1:
        raise DjError(f"xlwings {version} 的「{_XLWINGS_MODULE}」中找不到 PROJECT_NAME 设置，"
                      "这个 xlwings 版本的加载项模块与 dj-addin 不兼容；请安装 dj-addin 支持的 xlwings 版本。")
    modules = [Module.from_text(text.replace(old, new), _XLWINGS_MODULE)]
    for name in _XLWINGS_CLASSES:
        try:
            modules.append(read_module_file(folder / name))
        except FileNotFoundError as exc:
            raise DjError(f"已安装的 xlwings {version} 中没有「{name}」，无法生成加载项。") from exc
    return modules


def find_macros() -> Path:
    """macros/ of the repository this package runs from, else the installed copy, else ./macros."""
    prefixes = [Path(sys.prefix), Path(site.getuserbase())]
    for folder in (MACROS_DIR, *(p / INSTALLED_MACROS for p in prefixes), Path.cwd() / "macros"):
        if (folder / RIBBON_FILE).is_file():
            return folder
    raise DjError("找不到加载项的 VBA 源文件夹 macros（含 customUI14.xml）；请重新安装 dj-addin"
                  "（pip install --force-reinstall dj-addin），或在 dj-addin 的源代码文件夹中运行这个命令。")


def read_sources(macros: Path | None = None) -> AddinSources:
    """Read macros/ and the installed xlwings; refuse anything Excel could not take."""
    macros = macros or find_macros()
    try:
        own = [read_module_file(p) for p in sorted(macros.iterdir(), key=_module_order)
               if p.suffix.lower() in (".bas", ".cls")]
        folder, version = find_xlwings()
        modules = own + xlwings_modules(folder, version)
        ribbon = (macros / RIBBON_FILE).read_bytes()
    except ModuleError as exc:
        raise DjError(f"VBA 模块无法放入加载项：{exc}") from exc
    except FileNotFoundError as exc:
        raise DjError(f"找不到「{exc.filename}」，无法生成加载项。") from exc
    return AddinSources(modules, ribbon, version)


def _module_order(path: Path) -> tuple[int, str]:
    """ThisWorkbook first, then sheets, then the rest: the order Excel lists them."""
    rank = {"ThisWorkbook": 0, "Sheet1": 1}.get(path.stem, 2)
    return rank, path.name


def addin_bytes(sources: AddinSources | None = None) -> bytes:
    """The ``.xlam`` file's bytes."""
    sources = sources or read_sources()
    vba = build_vba_project(sources.modules, PROJECT_NAME)
    description = (f"党建助手功能区（dj-addin {__version__}，xlwings {sources.xlwings_version}）："
                   "校验、指标汇总、考评计分、导出上报、汇总下级。")
    parts = {
        "[Content_Types].xml": package.content_types().encode(),
        "_rels/.rels": package.package_rels().encode(),
        "docProps/core.xml": package.core_properties("党建助手", description).encode(),
        "xl/workbook.xml": package.workbook().encode(),
        "xl/_rels/workbook.xml.rels": package.workbook_rels().encode(),
        "xl/worksheets/sheet1.xml": package.config_sheet(SETTINGS).encode(),
        "xl/styles.xml": package.styles().encode(),
        "xl/vbaProject.bin": vba,
        package.RIBBON_PART: sources.ribbon,
    }
    return package.write_package(parts)


@dataclass(frozen=True)
class BuildResult:
    """What ``dj addin build`` made, for the console."""

    path: Path
    modules: list[str]
    xlwings_version: str
    seconds: float
    exit_code: int = 0

    def summary_lines(self) -> list[str]:
        return [f"已生成加载项「{self.path}」（xlwings {self.xlwings_version}，"
                f"VBA 模块：{'、'.join(self.modules)}；用时 {self.seconds:.1f} 秒）。",
                "在 Windows 或 macOS 上运行「dj addin install」安装它。"]

    def as_json(self) -> dict:
        return {"output": str(self.path), "modules": self.modules, "xlwings": self.xlwings_version}


def check_output(out: Path, force: bool) -> None:
    """Refuse a name that is not .xlam, and an existing file unless ``force``."""
    if out.suffix.lower() != SUFFIX:
        raise DjError(f"输出文件「{out.name}」的扩展名不是 .xlam；Excel 只把 .xlam 文件当作加载项，"
                      f"请改用 .xlam 结尾的文件名，例如「{ADDIN_NAME}」。")
    if out.exists() and not force:
        raise DjError(f"文件「{out}」已存在，未作改动。请换一个文件名；确实要覆盖它，请加 --force。")


def build(out: Path | None = None, *, force: bool = False) -> BuildResult:
    """Build the add-in into ``out`` (default ``dj_addin.xlam`` here), atomically."""
    started = time.perf_counter()
    out = Path(out) if out is not None else Path(ADDIN_NAME)
    check_output(out, force)
    sources = read_sources()
    data = addin_bytes(sources)
    atomic_write(out, lambda tmp: tmp.write_bytes(data))
    return BuildResult(out, [m.name for m in sources.modules], sources.xlwings_version,
                       time.perf_counter() - started)


def build_addin(out: Path | None = None, *, force: bool = False) -> Path:
    """The job function (JOBS.md): build the add-in and return where it is."""
    return build(out, force=force).path
