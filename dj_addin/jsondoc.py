"""Every ``--json`` document is valid JSON: the one place that serialises them.

``json.dumps`` writes ``Infinity`` and ``NaN`` for non-finite floats, which
no JSON parser accepts. A number can become infinite when the workbook holds
absurd values (调研天数 of 1e308, vote counts that overflow a sum). Such a
number becomes ``null``, and the document says so with a finding (C006,
警告: a number out of range), so that a program reading it knows the value is
missing and why. Pure: the standard library only.
"""

from __future__ import annotations

import json
import math
from typing import Any

from dj_addin import schema

_WARNING = schema.LEVELS[1]
RULE = "C006"
SHOWN_PATHS = 5


def finite(doc: Any) -> tuple[Any, list[str]]:
    """A copy of ``doc`` with every non-finite float replaced by None, and where they were
    (paths such as ``members[3].综合得分``)."""
    paths: list[str] = []

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            paths.append(path or "$")
            return None
        if isinstance(value, dict):
            return {k: walk(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return value

    return walk(doc, ""), paths


def finding(paths: list[str]) -> dict[str, Any]:
    """The finding that says which numbers were written as null."""
    shown = "、".join(paths[:SHOWN_PATHS]) + ("等" if len(paths) > SHOWN_PATHS else "")
    return {"rule": RULE, "level": _WARNING, "sheet": "", "row": None, "column": "", "field": "",
            "value": "", "message": f"有 {len(paths)} 个数值过大或无法计算（{shown}），已写为 null。",
            "suggestion": "请检查工作簿中是否有过大的数（如权重、天数、票数），改正后重新运行。"}


def dumps(doc: Any) -> str:
    """``doc`` as JSON text (Chinese kept readable); non-finite numbers become null with a
    finding appended to ``findings`` (created when the document has none; ``counts`` follow)."""
    doc, paths = finite(doc)
    if paths and isinstance(doc, dict):
        doc.setdefault("findings", []).append(finding(paths))
        if isinstance(doc.get("counts"), dict):
            doc["counts"][_WARNING] = doc["counts"].get(_WARNING, 0) + 1
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str, allow_nan=False)
