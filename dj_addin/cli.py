"""The ``dj`` command line: thin commands over library functions.

Each command lives in ``dj_addin/commands/<name>.py`` and exposes
``register(group)``; this module only builds the group, finds the commands,
and turns every failure into one Chinese line on stderr and an exit code
(interfaces.md: 0 done, 1 done with 错误 in the data, 2 could not run).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from . import __version__
from .errors import DjError


class DjGroup(click.Group):
    """A click group that never shows a traceback to the user."""

    def invoke(self, ctx: click.Context):  # noqa: D102 - behaviour documented above
        try:
            return super().invoke(ctx)
        except DjError as exc:
            click.echo(f"错误：{exc.message}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("已中断；文件未作改动。", err=True)
            ctx.exit(2)
        except Exception as exc:  # the last line of defence: a readable line, never a traceback
            click.echo(f"错误：运行失败（{type(exc).__name__}: {exc}）；文件未作改动。请把这行信息发给管理员。",
                       err=True)
            ctx.exit(2)


@click.group(cls=DjGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dj (党建助手)")
def main() -> None:
    """党建助手：党员联系服务群众工作簿的校验、汇总、考评和上报工具。"""


def _register_commands() -> None:
    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(main)


_register_commands()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
