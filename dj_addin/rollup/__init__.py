"""Quota roll-up (指标汇总): who each quota applies to (``scope``), the periods of
the year (``periods``), the 统计口径 counted per member and period
(``metrics``), and the roll-up table with its per-unit summary (``table``)."""
