"""The .xlsx file adapter: package safety checks before parsing (``safety``),
reading sheets into grids and typed tables (``grid``, ``tables``,
``reader``), rendering output-sheet plans and marks (``sheets``: the
openpyxl renderer, ``stream``: the xlsxwriter renderer for new workbooks,
``marks``, the openpyxl ``reference`` writer and the package ``splice``
writer), and atomic saves with backups (``atomic``, ``save``, ``sink``:
the ``FileSink`` the pipeline writes through). The only package besides the
template that imports openpyxl or xlsxwriter."""
