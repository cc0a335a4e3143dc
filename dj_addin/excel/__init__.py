"""The live Excel adapter (xlwings): the only package that imports xlwings.

The ribbon's entry points (``ribbon``), the live-workbook reader (``live``),
the renderer of plans and mark records into an open workbook (``render``,
``marks``, ``sink``), the Windows-only COM extras (``com``), the dialogs
and the status bar (``ui``), the checks on the workbook's file (``files``)
and the worksheet-function decorators (``udfs``). The core never imports it.
Everything here touches only the small part of xlwings listed in
``tests/xlwings_double.py``; the tests run the adapter against that double.
"""
