"""The ``dj`` command line: thin commands over library functions.

Each command lives in ``dj_addin/commands/<name>.py`` and exposes
``register(group)``; this module only builds the group, finds the commands,
and turns every failure into one Chinese line on stderr and an exit code
(interfaces.md: 0 done, 1 done with 错误 in the data, 2 could not run).
"""

from __future__ import annotations

import errno
import importlib
import os
import pkgutil
import re
import sys
import warnings

import click

from dj_addin import __version__
from dj_addin.commands._common import echo, print_json
from dj_addin.errors import DjError, describe_unexpected


# click's own usage messages, in the words users read.
_USAGE_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"Missing argument '(.+)'\.?", "缺少参数 {0}"),
    (r"Missing option '(.+)'\.?", "缺少选项 {0}"),
    (r"No such option:? '?([^'\s]+?)'?\.", "没有选项 {0}"),
    (r"No such command:? '?([^'\s]+?)'?\.", "没有命令「{0}」"),
    (r"Got unexpected extra arguments? \((.+)\)", "多余的参数：{0}"),
    (r"Option '(.+)' requires an argument\.?", "选项 {0} 后面需要一个值"),
    (r"Invalid value for (.+?): (.+)", "{0} 的值无效：{1}"),
)
# click's parameter messages (inside "Invalid value for …").
_VALUE_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"'([^']*)' is not a valid integer(?: range)?\.?", "「{0}」不是整数"),
    (r"'([^']*)' is not a valid float(?: range)?\.?", "「{0}」不是数字"),
    (r"(?:File|Path) '([^']*)' does not exist\.?", "「{0}」不存在"),
    (r"File '([^']*)' is a directory\.?", "「{0}」是文件夹，不是文件"),
    (r"Directory '([^']*)' is a file\.?", "「{0}」是文件，不是文件夹"),
    (r"(?:File|Path|Directory) '([^']*)' is not (?:readable|writable)\.?", "没有权限读写「{0}」"),
)


_OS_ERRORS = {errno.ENOENT: "路径不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
              errno.EROFS: "只读的磁盘或文件夹", errno.ENOSPC: "磁盘空间不足", errno.EISDIR: "这是一个文件夹",
              errno.ENOTDIR: "路径中有一段不是文件夹", errno.EBUSY: "文件正被占用"}


def usage_message(exc: click.UsageError) -> str:
    """A click usage error as one Chinese line, with where to find help."""
    text = exc.format_message()
    guess = re.search(r"Did you mean '?([^'?]+?)'?\?", text)
    for pattern, chinese in _USAGE_MESSAGES:
        m = re.match(pattern, text)
        if m:
            text = chinese.format(*m.groups())
            break
    if guess:
        text += f"（是不是 {guess.group(1)}？）"
    for pattern, chinese in _VALUE_MESSAGES:
        text = re.sub(pattern, lambda m, c=chinese: c.format(*m.groups()), text)
    text = text.replace("' / '", "/").replace("'", "").rstrip("。.")
    command = exc.ctx.command_path if exc.ctx is not None else "dj"
    return f"错误：{text}。请运行「{command} -h」查看用法。"


def _json_requested(args: list[str] | None) -> bool:
    return "--json" in (sys.argv[1:] if args is None else list(args))


def fail(line: str, code: int, *, as_json: bool, file: str | None = None) -> None:
    """One Chinese line on stderr and, with --json, the error document on stdout (interfaces.md)."""
    echo(line, err=True)
    if as_json:
        print_json({"error": line, "file": file})
    sys.exit(code)


class DjGroup(click.Group):
    """A click group that never shows a traceback, nor an English message, to the user."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # noqa: D102
        self._as_json = _json_requested(args)
        if not sys.warnoptions:  # libraries' warnings (openpyxl, pandas) are English noise to a secretary
            warnings.simplefilter("ignore")
        if not (sys.argv[1:] if args is None else list(args)):  # bare `dj`: the help, not an error
            with self.make_context(prog_name or "dj", ["--help"], resilient_parsing=True) as ctx:
                for line in self.get_help(ctx).splitlines():
                    echo(line)
            sys.exit(0)
        try:
            return super().main(args, prog_name, complete_var, standalone_mode=standalone_mode, **extra)
        except click.UsageError as exc:  # raised only when not standalone
            fail(usage_message(exc), 2, as_json=self._as_json)

    def make_context(self, info_name, args, parent=None, **extra):  # noqa: D102
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            fail(usage_message(exc), 2, as_json=getattr(self, "_as_json", False))

    def invoke(self, ctx: click.Context):  # noqa: D102 - behaviour documented above
        as_json = getattr(self, "_as_json", False)

        def file() -> str | None:  # the book a command was working on (ctx.meta is shared with subcommands)
            return ctx.meta.get("dj_file")

        try:
            return super().invoke(ctx)
        except DjError as exc:
            fail(f"错误：{exc.message}", exc.exit_code, as_json=as_json, file=file())
        except click.UsageError as exc:  # a subcommand's arguments
            fail(usage_message(exc), 2, as_json=as_json, file=file())
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:  # output piped into `head` and cut short: not a failure of ours
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except OSError as exc:  # a path we cannot write or read: say which and why
            where = f"「{exc.filename}」" if exc.filename else ""
            why = _OS_ERRORS.get(exc.errno or 0, exc.strerror or "系统错误")
            if not any("\u4e00" <= ch <= "\u9fff" for ch in why):
                why = "系统错误"
            fail(f"错误：无法读写文件{where}（{why}）；请检查路径和权限，或关闭正在使用该文件的程序后重试。文件未作改动。",
                 2, as_json=as_json, file=file())
        except KeyboardInterrupt:
            fail("已中断；文件未作改动。", 2, as_json=as_json, file=file())
        except Exception as exc:  # the last line of defence: a readable line, never a traceback
            fail(describe_unexpected(exc, file()), 2, as_json=as_json, file=file())


@click.group(cls=DjGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dj (党建助手)", help="显示版本并退出。")
def main() -> None:
    """党建助手：党员联系服务群众工作簿的校验、汇总、考评和上报工具。"""


def _register_commands() -> None:
    from dj_addin import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(main)


def _chinese_help_option(command: click.Command) -> None:
    """Every command's -h/--help says what it does in Chinese."""
    original = command.get_help_option

    def get_help_option(ctx: click.Context) -> click.Option | None:
        option = original(ctx)
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option

    command.get_help_option = get_help_option  # type: ignore[method-assign]


_register_commands()
for _command in (main, *main.commands.values()):
    _chinese_help_option(_command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
