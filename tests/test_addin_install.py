"""``dj addin install`` with a fake home, environment and platform: the add-in lands in
Excel's startup folder, the xlwings settings name this Python and keep every other
line, and Linux is told to use the dj commands. Nothing is written outside tmp_path."""

from __future__ import annotations

import locale
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dj_addin.addin.build import addin_bytes, build, find_xlwings
from dj_addin.addin.install import NoExcelHere, install_addin, updated_config
from dj_addin.cli import main
from dj_addin.errors import DjError

PYTHON_WIN = r"C:\Users\张三\AppData\Local\Programs\Python\Python311\python.exe"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("built") / "dj_addin.xlam").path


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def read_conf(path: Path) -> str:
    return path.read_bytes().decode(locale.getpreferredencoding(False))


def test_windows_install_goes_to_xlstart_and_writes_the_interpreter(tmp_path, built) -> None:
    home = tmp_path / "home"
    appdata = home / "AppData" / "Roaming"
    result = install_addin(built, platform="win32", home=home, environ={"APPDATA": str(appdata)},
                           interpreter=sys.executable)
    dest = appdata / "Microsoft" / "Excel" / "XLSTART" / "dj_addin.xlam"
    assert result.addin == dest and dest.read_bytes() == built.read_bytes() and not result.replaced
    conf = home / ".xlwings" / "xlwings.conf"
    assert result.config_file == conf
    assert read_conf(conf) == f'"INTERPRETER_WIN","{sys.executable}"\n'
    assert files_under(tmp_path) == {"home/AppData/Roaming/Microsoft/Excel/XLSTART/dj_addin.xlam",
                                     "home/.xlwings/xlwings.conf"}
    assert any("党建助手" in line for line in result.summary_lines())


def test_reinstall_replaces_the_add_in_and_keeps_other_settings(tmp_path, built) -> None:
    home = tmp_path / "home"
    conf = home / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir(parents=True)
    old = '"LICENSE_KEY","abc"\n"INTERPRETER_WIN","C:\\old\\python.exe"\n"SHOW CONSOLE","True"\n'
    conf.write_text(old, encoding=locale.getpreferredencoding(False))
    first = install_addin(built, platform="win32", home=home, environ={}, interpreter=sys.executable)
    again = install_addin(built, platform="win32", home=home, environ={}, interpreter=sys.executable)
    assert not first.replaced and again.replaced
    assert again.addin == home / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "dj_addin.xlam"
    assert read_conf(conf) == ('"LICENSE_KEY","abc"\n"SHOW CONSOLE","True"\n'
                               f'"INTERPRETER_WIN","{sys.executable}"\n')


def test_settings_update_is_line_by_line() -> None:
    assert updated_config("", {"INTERPRETER_WIN": "py"}) == '"INTERPRETER_WIN","py"\n'
    # a last line without a line end, CRLF lines, other case of the key: kept / replaced
    old = '"PYTHONPATH","C:\\src"\r\n"interpreter_win","old"\r\n"CONDA ENV","base"'
    assert updated_config(old, {"INTERPRETER_WIN": "new"}) == (
        '"PYTHONPATH","C:\\src"\r\n"CONDA ENV","base"\n"INTERPRETER_WIN","new"\n')


def test_windows_conda_environment_sets_conda_path_and_env(tmp_path, built) -> None:
    environ = {"CONDA_DEFAULT_ENV": "dj", "CONDA_EXE": str(Path("C:/miniconda3/Scripts/conda.exe"))}
    result = install_addin(built, platform="win32", home=tmp_path, environ=environ, interpreter="python")
    assert result.settings == {"CONDA PATH": str(Path("C:/miniconda3")), "CONDA ENV": "dj"}
    assert "INTERPRETER" not in read_conf(tmp_path / ".xlwings" / "xlwings.conf")


def test_non_ascii_interpreter_path_is_written_in_the_ansi_code_page(tmp_path, built, monkeypatch) -> None:
    monkeypatch.setattr(locale, "getpreferredencoding", lambda do_setlocale=True: "gbk")
    install_addin(built, platform="win32", home=tmp_path, environ={}, interpreter=PYTHON_WIN)
    raw = (tmp_path / ".xlwings" / "xlwings.conf").read_bytes()
    assert raw == f'"INTERPRETER_WIN","{PYTHON_WIN}"\n'.encode("gbk")  # what VBA's Input # reads there


def test_interpreter_path_the_code_page_cannot_hold_is_refused(tmp_path, built, monkeypatch) -> None:
    monkeypatch.setattr(locale, "getpreferredencoding", lambda do_setlocale=True: "cp1252")
    with pytest.raises(DjError, match="英文字母"):
        install_addin(built, platform="win32", home=tmp_path, environ={}, interpreter=PYTHON_WIN)
    assert not (tmp_path / ".xlwings" / "xlwings.conf").exists()


def test_macos_install_uses_the_sandboxed_folders_and_the_applescript(tmp_path, built) -> None:
    result = install_addin(built, platform="darwin", home=tmp_path, environ={}, interpreter="/usr/bin/python3")
    startup = ("Library/Group Containers/UBF8T346G9.Office/User Content.localized/"
               "Startup.localized/Excel/dj_addin.xlam")
    _, version = find_xlwings()
    assert files_under(tmp_path) == {
        startup,
        "Library/Containers/com.microsoft.Excel/Data/xlwings.conf",
        f"Library/Application Scripts/com.microsoft.Excel/xlwings-{version}.applescript",
    }
    assert read_conf(tmp_path / "Library/Containers/com.microsoft.Excel/Data/xlwings.conf") == \
        '"INTERPRETER_MAC","/usr/bin/python3"\n'
    assert result.applescript is not None


def test_install_without_a_file_builds_the_add_in(tmp_path) -> None:
    result = install_addin(platform="win32", home=tmp_path, environ={}, interpreter="python")
    assert result.addin.read_bytes() == addin_bytes()


def test_install_refuses_a_file_that_is_not_an_add_in(tmp_path) -> None:
    book = tmp_path / "支部A.xlsx"
    book.write_bytes(b"PK")
    with pytest.raises(DjError, match="dj addin build"):
        install_addin(book, platform="win32", home=tmp_path / "home", environ={}, interpreter="python")
    assert not (tmp_path / "home").exists()


def test_linux_has_no_excel_and_points_to_the_commands(tmp_path) -> None:
    with pytest.raises(NoExcelHere) as err:
        install_addin(platform="linux", home=tmp_path, environ={}, interpreter="python")
    assert err.value.exit_code == 2 and "dj validate" in err.value.message and "Excel" in err.value.message
    assert files_under(tmp_path) == set()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the real platform is Linux only here")
def test_cli_install_on_linux_exits_2_with_one_chinese_line(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    result = CliRunner().invoke(main, ["addin", "install"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误：") and "dj -h" in lines[0]
    assert files_under(tmp_path) == set()
