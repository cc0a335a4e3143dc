"""The blank workbook generated from the schema: the sheets assembled
(``build``), drop-downs and input hints (``inputs``), colours, formats and
print setup (``layout``), the 说明 and 概览 sheets (``pages``), the 概览
formulas (``overview``), the 说明 text (``text``), and filling a template
with values (``fill``)."""
