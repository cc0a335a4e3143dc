"""The ribbon's entry points: one function per button of ``addin.buttons.BUTTONS``.

Excel runs ``import dj_addin.excel.ribbon as r; r.dispatch('<button id>')``
(a fixed ASCII module: a workbook named 支部A.xlsx never becomes a module
name). ``dispatch`` looks the id up and calls the entry point with the
calling workbook (``xw.Book.caller()``). Every entry point reads the open
workbook through ``live``, runs the very job function the ``dj`` command
runs, writes the same plans and mark records back through ``LiveSink``, and
ends with one short Chinese message box. A ``DjError`` shows its own
message; anything unexpected shows a plain Chinese message naming the log
file with the details (never a traceback dialog), and the workbook is left
as it was (``LiveSink`` undoes a half-done write; file jobs never write
into the open workbook).
"""

from __future__ import annotations

import datetime as dt
import functools
import platform
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

import xlwings as xw

from dj_addin import __version__, schema
from dj_addin.addin.buttons import BUTTONS
from dj_addin.errors import DjError
from dj_addin.excel.files import pick_path, saved_path, where_to_type
from dj_addin.excel.live import read_live_book
from dj_addin.excel.sink import LiveSink
from dj_addin.excel.ui import Ui
from dj_addin.pipeline import ALL_STEPS, ROLLUP, SCORE, VALIDATE, compute, summary_lines, write_result

LOG_NAME = "dj_addin_error.log"
SAVE_HINT = "结果已写入本工作簿，尚未保存；检查无误后请保存（Ctrl+S）。"


def log_path() -> Path:
    return Path(tempfile.gettempdir()) / LOG_NAME


def write_log(what: str) -> Path | None:
    """The traceback of an unexpected failure, for the maintainers (never shown in a dialog)."""
    path = log_path()
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"==== {dt.datetime.now().isoformat(timespec='seconds')} {what} "
                     f"dj-addin {__version__}, Python {platform.python_version()}, {sys.platform}\n")
            fh.write(traceback.format_exc())
        return path
    except OSError:
        return None


def unexpected(label: str, path: Path | None) -> list[str]:
    lines = [f"「{label}」没有完成：党建助手遇到了意外的问题。", "工作簿保持原样，没有被改动。"]
    if path is not None:
        lines.append(f"详细情况已记录在：{path}")
    lines.append("请把这个文件和 Excel 的提示一起发给维护人员。")
    return lines


def button(label: str) -> Callable:
    """An entry point: the calling workbook, a busy status bar, and one closing message box."""

    def wrap(job: Callable) -> Callable:
        @functools.wraps(job)
        def entry(book=None) -> None:
            book = book if book is not None else xw.Book.caller()
            ui = Ui(book.app)
            try:
                with ui.busy(label):
                    lines = job(book, ui)
            except DjError as exc:
                ui.tell([f"「{label}」没有完成。", exc.message], critical=True)
                return
            except Exception:
                ui.tell(unexpected(label, write_log(label)), critical=True)
                return
            if lines:
                ui.tell(lines)
        entry.label = label
        return entry

    return wrap


def dispatch(button_id: str, book=None) -> None:
    """What every ribbon button runs (VBA ``DjRibbon.OnButton``)."""
    name = BUTTONS.get(button_id)
    if name is None or not callable(globals().get(name)):
        book = book if book is not None else xw.Book.caller()
        Ui(book.app).tell([f"功能区按钮「{button_id}」在这个版本的党建助手里没有对应的功能。",
                           "请重新安装加载项（在命令行运行 dj addin install），或把这个提示告诉维护人员。"],
                          critical=True)
        return
    globals()[name](book)


# ---------------------------------------------------------------- the open workbook


def run_steps(book, ui: Ui, steps) -> list[str]:
    data = read_live_book(book)
    result = compute(data, None, steps, file=book.name)
    write_result(result, LiveSink(book, ui.progress))
    return summary_lines(result) + [SAVE_HINT]


@button("校验全部")
def validate(book, ui: Ui) -> list[str]:
    return run_steps(book, ui, (VALIDATE,))


@button("指标汇总")
def rollup(book, ui: Ui) -> list[str]:
    return run_steps(book, ui, (ROLLUP,))


@button("考评计分")
def score(book, ui: Ui) -> list[str]:
    return run_steps(book, ui, (SCORE,))


@button("一键处理")
def run(book, ui: Ui) -> list[str]:
    return run_steps(book, ui, ALL_STEPS)


@button("清除标记")
def clear_marks(book, ui: Ui) -> list[str]:
    stats = LiveSink(book, ui.progress).write([], [])
    if not stats.restored:
        return ["工作簿中没有校验标记，无需清除。"]
    return [f"已清除 {stats.restored} 个单元格的校验标记，恢复了它们原来的底色和批注。", SAVE_HINT]


# ---------------------------------------------------------------- jobs on the saved file


def free_name(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem.suffix``, or ``stem(2).suffix`` … when taken (nothing is overwritten)."""
    path, n = folder / f"{stem}{suffix}", 2
    while path.exists():
        path, n = folder / f"{stem}({n}){suffix}", n + 1
    return path


def open_result(book, path: Path | None) -> None:
    if path is not None and Path(path).is_file():
        book.app.books.open(str(path))


def job_lines(result) -> list[str]:
    lines = getattr(result, "summary_lines", None)
    return list(lines()) if callable(lines) else []


@button("导入名单")
def import_rows(book, ui: Ui) -> list[str]:
    sheet = book.sheets.active.name
    data_sheets = {s.name for s in schema.DATA_SHEETS if s.key_column}
    if sheet not in data_sheets:
        return [f"请先点到要导入的工作表（如「{schema.ROSTER.name}」），再点“导入名单”。",
                f"现在选中的是「{sheet}」，名单不能导入到这里。"]
    path = saved_path(book)
    from dj_addin.importer.job import import_rows as import_job

    source = pick_path(book, folder=False, title="选择要导入的名单（其他系统导出的 Excel 文件）")
    if source is None:
        return ["没有选择要导入的名单。", where_to_type(folder=False)]
    dest = free_name(path.parent, f"{path.stem}_导入后", path.suffix)
    result = import_job(path, [str(source)], sheet, dest=dest)
    written = getattr(result, "written", None)
    open_result(book, written)
    tail = [f"导入后的工作簿已另存为：{written}（已打开），本工作簿未改动；核对无误后请用它替换本工作簿。"] \
        if written else ["没有可导入的行，没有写入任何文件。"]
    return import_lines(result, sheet) + tail


def import_lines(result, sheet: str) -> list[str]:
    """The import's outcome: rows added, skipped, refused, and the findings on the added rows."""
    plan = result.plan
    lines = [f"导入到「{sheet}」：新增 {len(plan.added)} 行，已有编号跳过 {len(plan.skipped)} 行，"
             f"拒绝 {len(plan.refused)} 行。"]
    counts = result.counts if isinstance(getattr(result, "counts", None), dict) else {}
    found = {lv: counts.get(lv, 0) for lv in schema.LEVELS if isinstance(counts.get(lv, 0), int)}
    if any(found.values()):
        lines.append("新增的行：" + "，".join(f"{lv} {n} 个" for lv, n in found.items()) + "（打开的副本里点“校验全部”查看）")
    return lines


@button("打印评议票")
def ballots(book, ui: Ui) -> list[str]:
    path = saved_path(book)
    from dj_addin.ballots import make_ballots
    result = make_ballots(path, free_name(path.parent, f"{path.stem}_评议票", ".xlsx"))
    out = getattr(result, "out", None)
    open_result(book, out)
    return job_lines(result) + ([f"评议票已写入：{out}（已打开，可直接打印）。"] if out else [])


@button("导出上报")
def export(book, ui: Ui) -> list[str]:
    path = saved_path(book)
    from dj_addin.export import export_book
    result = export_book(path)
    if getattr(result, "refused", False):
        errors = result.run.error_count if getattr(result, "run", None) is not None else 0
        if not ui.ask(f"工作簿中还有 {errors} 个错误。建议先改正（点“校验全部”查看）再导出。\n"
                      "仍要导出吗？（报送说明会注明带错误报送）"):
            return ["已取消导出。请改正错误后再点“导出上报”。"]
        result = export_book(path, force=True)
    out = getattr(result, "out", None)
    open_result(book, out)
    return job_lines(result) + ([f"上报文件已写入：{out}（已打开）。请把这个文件通过邮件发给上级。"] if out else [])


@button("汇总下级")
def aggregate(book, ui: Ui) -> list[str]:
    path = saved_path(book)
    from dj_addin.aggregate import aggregate as aggregate_job
    folder = pick_path(book, folder=True, title="选择存放下级上报工作簿的文件夹")
    if folder is None or not folder.is_dir():
        return ["没有选择下级上报工作簿所在的文件夹。", where_to_type(folder=True)]
    out = free_name(path.parent, f"{path.stem}_汇总", ".xlsx")
    result = aggregate_job([folder], out, template=path, progress=ui.progress)
    output = getattr(result, "output", None)
    open_result(book, output)
    return job_lines(result) + ([f"汇总结果已写入：{output}（已打开）。"] if output else [])


@button("拆分下发")
def split(book, ui: Ui) -> list[str]:
    path = saved_path(book)
    from dj_addin.split import split_book
    folder = pick_path(book, folder=True, title="选择存放下发工作簿的文件夹")
    if folder is None or not folder.is_dir():
        return ["没有选择存放下发工作簿的文件夹。", where_to_type(folder=True)]
    result = split_book(path, folder, progress=ui.progress)
    units = getattr(result, "units", [])
    return job_lines(result) + [f"已为 {len(units)} 个下级单位各写一个工作簿，在文件夹：{folder}"]


# ---------------------------------------------------------------- help


HELP_LINES = [
    "党建助手功能区按钮：",
    "数据校验：校验全部（问题清单 + 红/黄标记）、清除标记（恢复原底色和批注）、导入名单（先选中目标工作表）",
    "统计考评：指标汇总、考评计分、一键处理（校验 + 汇总 + 计分）、打印评议票",
    "上报汇总：导出上报（去标记、隐去敏感信息的上报副本）、汇总下级（选文件夹）、拆分下发（选文件夹）",
    "结果写入本工作簿的「问题清单」「指标汇总」「考评结果」，原有数据不改动；写入后请保存。",
    "每个工作表怎么填，见本工作簿的「说明」工作表。",
    "没有 Excel 的电脑（WPS、LibreOffice）可以在命令行用 dj 命令完成同样的工作，例如 dj run 支部A.xlsx --in-place。",
]


@button("使用说明")
def help(book, ui: Ui) -> list[str]:  # noqa: A001 (the button's entry point name)
    return list(HELP_LINES)


@button("关于")
def about(book, ui: Ui) -> list[str]:
    return [f"党建助手 {__version__}",
            f"xlwings {getattr(xw, '__version__', '未知')}",
            f"Python {platform.python_version()}（{sys.executable}）",
            "问题反馈：请附上本窗口的内容和 Excel 的提示。"]
