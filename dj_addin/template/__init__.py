"""The blank workbook generated from the schema: sheets, drop-downs and print
setup (``build``), the 概览 formulas (``overview``), the 说明 text (``text``),
and filling a template with values (``fill``)."""
