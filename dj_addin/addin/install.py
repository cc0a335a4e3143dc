"""``dj addin install``: put the add-in where Excel loads it and tell xlwings which Python to run.

What ``xlwings addin install`` plus ``xlwings config create`` do, without
needing Excel to be running (xlwings asks a running Excel for its startup
folder; the folders are fixed, so they are computed here):

- the ``.xlam`` goes into the user's Excel startup folder, which Excel opens
  on every start: Windows ``%APPDATA%\\Microsoft\\Excel\\XLSTART``; macOS
  ``~/Library/Group Containers/UBF8T346G9.Office/User Content.localized/
  Startup.localized/Excel`` (sandboxed Excel 2016 and later);
- the user's xlwings settings file gets the interpreter that runs ``dj``
  (``INTERPRETER_WIN`` / ``INTERPRETER_MAC``; on Windows inside a Conda
  environment ``CONDA PATH`` and ``CONDA ENV`` instead, as xlwings does), one
  ``"KEY","VALUE"`` line each; every other line of the file is kept as it was;
- on macOS, xlwings' AppleScript goes into
  ``~/Library/Application Scripts/com.microsoft.Excel`` (RunPython needs it).

The file is written in the encoding Python's ``open`` uses by default, like
xlwings itself: VBA reads it with ``Input #``, in the system's ANSI code page
(GBK on Chinese Windows), so a path with a Chinese user name reads back
correctly. Everything is written atomically. Elsewhere (Linux) there is no
Excel: the job stops with a message pointing to the ``dj`` commands.
"""

from __future__ import annotations

import locale
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dj_addin.addin.build import ADDIN_NAME, addin_bytes, find_xlwings
from dj_addin.errors import DjError
from dj_addin.xlsx.atomic import atomic_write

MAC_STARTUP = ("Library", "Group Containers", "UBF8T346G9.Office", "User Content.localized",
               "Startup.localized", "Excel")
MAC_CONFIG = ("Library", "Containers", "com.microsoft.Excel", "Data", "xlwings.conf")
MAC_SCRIPTS = ("Library", "Application Scripts", "com.microsoft.Excel")


class NoExcelHere(DjError):
    """This system has no Excel (Linux): the add-in cannot be installed, the CLI does the work."""


@dataclass(frozen=True)
class Target:
    """Where the add-in, the settings and (macOS) the AppleScript go on one system."""

    system: str  # "windows" or "macos"
    startup_dir: Path
    config_file: Path
    scripts_dir: Path | None = None


def target_for(platform: str, home: Path, environ: Mapping[str, str]) -> Target:
    """The folders of ``platform`` (a ``sys.platform`` value) for the user whose home is ``home``."""
    if platform.startswith("win"):
        appdata = Path(environ["APPDATA"]) if environ.get("APPDATA") else home / "AppData" / "Roaming"
        return Target("windows", appdata / "Microsoft" / "Excel" / "XLSTART",
                      home / ".xlwings" / "xlwings.conf")
    if platform == "darwin":
        return Target("macos", home.joinpath(*MAC_STARTUP), home.joinpath(*MAC_CONFIG),
                      home.joinpath(*MAC_SCRIPTS))
    raise NoExcelHere("这台电脑不是 Windows 或 macOS，没有 Excel，无法安装 Excel 加载项。"
                      "不用加载项也能完成同样的工作：请使用 dj 命令，例如「dj validate 工作簿.xlsx」"
                      "「dj run 工作簿.xlsx --in-place」「dj aggregate 文件夹 -o 汇总.xlsx」"
                      "（运行「dj -h」查看全部命令）。")


def interpreter_settings(system: str, interpreter: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The xlwings settings that make the add-in run ``interpreter`` (xlwings' ``config create``)."""
    conda_env, conda_exe = environ.get("CONDA_DEFAULT_ENV"), environ.get("CONDA_EXE")
    if system == "windows" and conda_env and conda_exe:
        # xlwings wants the Conda folder without the trailing \Scripts\conda.exe
        return {"CONDA PATH": str(Path(conda_exe).parent.parent), "CONDA ENV": conda_env}
    return {"INTERPRETER_MAC" if system == "macos" else "INTERPRETER_WIN": interpreter}


def updated_config(old: str, settings: Mapping[str, str]) -> str:
    """``old`` (an xlwings.conf text) with ``settings`` set; every other line kept as it was."""
    keys = {f'"{key}"'.upper() for key in settings}
    kept = [line for line in old.splitlines(keepends=True)
            if line.split(",", 1)[0].strip().upper() not in keys]
    if kept and not kept[-1].endswith(("\n", "\r")):
        kept[-1] += "\n"
    return "".join(kept) + "".join(f'"{key}","{value}"\n' for key, value in settings.items())


@dataclass(frozen=True)
class InstallResult:
    """What ``dj addin install`` did, for the console."""

    addin: Path
    replaced: bool
    config_file: Path
    settings: dict[str, str]
    applescript: Path | None = None
    exit_code: int = 0
    notes: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        lines = [f"已{'更新' if self.replaced else '安装'}加载项「{self.addin}」。",
                 f"已在 xlwings 设置文件「{self.config_file}」中写入："
                 + "，".join(f"{k} = {v}" for k, v in self.settings.items()) + "（其他设置保持不变）。"]
        if self.applescript is not None:
            lines.append(f"已复制 xlwings 的 AppleScript 到「{self.applescript.parent}」（macOS 运行 Python 需要它）。")
        lines += self.notes
        lines.append("请完全退出 Excel 后重新打开，功能区会出现「党建助手」选项卡；"
                     "第一次使用时如提示启用宏，请只对这个加载项选择启用。")
        return lines

    def as_json(self) -> dict:
        return {"addin": str(self.addin), "replaced": self.replaced, "config_file": str(self.config_file),
                "settings": self.settings,
                "applescript": str(self.applescript) if self.applescript else None}


def install_addin(addin: Path | None = None, *, platform: str | None = None, home: Path | None = None,
                  environ: Mapping[str, str] | None = None, interpreter: str | None = None) -> InstallResult:
    """Install the add-in (``addin``, or one built now from macros/) for the current user.

    ``platform``, ``home``, ``environ`` and ``interpreter`` default to this
    process's; tests pass their own so nothing outside a temporary folder is touched.
    """
    environ = os.environ if environ is None else environ
    target = target_for(platform or sys.platform, Path(home) if home else Path.home(), environ)
    if addin is not None:
        addin = Path(addin)
        if addin.suffix.lower() != ".xlam" or not addin.is_file():
            raise DjError(f"「{addin}」不是 .xlam 加载项文件；请先运行「dj addin build」生成它。")
        data = addin.read_bytes()
    else:
        data = addin_bytes()
    dest = target.startup_dir / ADDIN_NAME
    replaced = dest.exists()
    _make_dir(target.startup_dir)
    _write(dest, data, "请先完全退出 Excel（加载项正被 Excel 使用），再运行「dj addin install」。")

    settings = interpreter_settings(target.system, interpreter or sys.executable, environ)
    encoding = locale.getpreferredencoding(False)
    config = target.config_file
    old = config.read_bytes().decode(encoding, errors="surrogateescape") if config.exists() else ""
    text = updated_config(old, settings)
    try:
        encoded = text.encode(encoding, errors="surrogateescape")
    except UnicodeEncodeError as exc:
        raise DjError(f"Python 的路径「{interpreter or sys.executable}」含有系统编码（{encoding}）写不出的字符，"
                      "Excel 读不到它；请把 Python 安装到只含英文字母和数字的路径后重试。") from exc
    _make_dir(config.parent)
    _write(config, encoded, "请关闭正在编辑该文件的程序后重试。")

    script = None
    if target.scripts_dir is not None:
        folder, version = find_xlwings()
        source = folder / f"xlwings-{version}.applescript"
        if source.is_file():
            _make_dir(target.scripts_dir)
            script = target.scripts_dir / source.name
            atomic_write(script, lambda tmp: shutil.copyfile(source, tmp))
    return InstallResult(dest, replaced, config, settings, script)


def _make_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DjError(f"无法创建文件夹「{folder}」（{exc.strerror or exc}）；请检查权限后重试。") from exc


def _write(dest: Path, data: bytes, advice: str) -> None:
    try:
        atomic_write(dest, lambda tmp: tmp.write_bytes(data))  # a locked file is already a DjError
    except OSError as exc:
        raise DjError(f"无法写入「{dest}」（{exc.strerror or exc}）；{advice}") from exc
