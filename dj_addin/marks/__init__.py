"""Validation marks as plain data (pure: no spreadsheet library).

``plan`` says which cell gets which mark, ``records`` holds what a marked
cell got and looked like before (fills as values), ``storage`` turns records
into rows of the very hidden marks sheet and back, ``matching`` finds where a
marked cell went when rows moved between runs. Renderers (the openpyxl
writer, the package splicer, later the live Excel adapter) only apply and
restore these records.
"""
