"""The live Excel adapter (xlwings): the only package that imports xlwings.

Reserved: the ribbon entry points, the live-workbook reader and renderer, and
the worksheet-function decorators live here; the core never imports it.
"""
