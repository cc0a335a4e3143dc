"""Evaluation scoring (考评计分): the 评分规则 settings (``settings``), display
rounding the way Excel rounds (``rounding``), and components, 综合得分, ranks
and grades with every adjustment of the rules (``score``)."""
