"""The ribbon's buttons: the id each has in ``macros/customUI14.xml`` and the Python entry point it runs.

Every button calls the one VBA callback ``DjRibbon.OnButton``, which runs
``import dj_addin.excel.ribbon as r; r.dispatch('<button id>')``. ``dispatch``
looks the id up here and calls the function of that name in
``dj_addin.excel.ribbon`` (``validate``, ``run``…), each taking the calling
workbook. A test keeps this table and the ribbon XML equal, both ways.

Pure data: importing it needs neither xlwings nor Excel.
"""

from __future__ import annotations

# The VBA callback every button's onAction names (module DjRibbon in macros/).
CALLBACK = "DjRibbon.OnButton"

# The Python module RunPython imports: fixed and ASCII, never named after a workbook.
RIBBON_MODULE = "dj_addin.excel.ribbon"

# The module whose xlwings UDFs (DJ_GRADE …) the add-in imports (its xlwings.conf sheet says so).
UDF_MODULE = "dj_addin.excel.udfs"

# button id in customUI14.xml → entry point in dj_addin.excel.ribbon, in ribbon order.
BUTTONS: dict[str, str] = {
    # 数据校验
    "btnValidate": "validate",        # 校验全部
    "btnClearMarks": "clear_marks",   # 清除标记
    "btnImportRows": "import_rows",   # 导入名单
    # 统计考评
    "btnRollup": "rollup",            # 指标汇总
    "btnScore": "score",              # 考评计分
    "btnRun": "run",                  # 一键处理
    "btnBallots": "ballots",          # 打印评议票
    # 上报汇总
    "btnExport": "export",            # 导出上报
    "btnAggregate": "aggregate",      # 汇总下级
    "btnSplit": "split",              # 拆分下发
    # 帮助
    "btnHelp": "help",                # 使用说明
    "btnAbout": "about",              # 关于
}


def entry_point(button_id: str) -> str:
    """The name of the function in ``dj_addin.excel.ribbon`` that ``button_id`` runs.

    Raises ``KeyError`` for an id the ribbon does not have (a stale add-in).
    """
    return BUTTONS[button_id]
