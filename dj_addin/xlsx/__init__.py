"""The .xlsx file adapter: package safety checks before parsing (``safety``),
reading sheets into grids and typed tables (``grid``, ``tables``,
``reader``), rendering output sheets and marks (``sheets``, ``marks``, the
openpyxl ``reference`` writer and the package ``splice`` writer), and atomic
saves with backups (``atomic``, ``save``). The only package besides the
template that imports openpyxl."""
