"""Text that XML can hold: what the writers put into cells comes from files.

File names, values as found and messages that quote them may hold
characters no XML part can contain (control characters, lone surrogates,
U+FFFE/U+FFFF). openpyxl refuses them and a text splice would write a part
that does not parse, so every string of the results is cleaned once before
either writer sees it: each such character becomes U+FFFD (�), which shows
where something unprintable stood.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd

from dj_addin.results import ResultsTable, RollupTable, ValidationReport

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"
TEXT_FIELDS = ("field", "value", "message", "suggestion")  # never ``sheet``: marks find cells by it


def xml_text(text: str) -> str:
    return NOT_XML.sub(REPLACEMENT, text) if NOT_XML.search(text) else text


def clean_report(report: ValidationReport | None) -> ValidationReport | None:
    if report is None:
        return None
    findings = []
    for f in report.findings:
        changes = {k: xml_text(getattr(f, k)) for k in TEXT_FIELDS
                   if isinstance(getattr(f, k), str) and NOT_XML.search(getattr(f, k))}
        findings.append(dataclasses.replace(f, **changes) if changes else f)
    return dataclasses.replace(report, file=xml_text(report.file), findings=findings)


def clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame
    for col in frame.columns:
        if frame[col].dtype != object:
            continue
        dirty = frame[col].map(lambda v: isinstance(v, str) and NOT_XML.search(v) is not None)
        if dirty.any():
            if out is frame:
                out = frame.copy()
            out[col] = frame[col].map(lambda v: xml_text(v) if isinstance(v, str) else v)
    return out


def clean_rollup(rollup: RollupTable | None) -> RollupTable | None:
    if rollup is None:
        return None
    return dataclasses.replace(rollup, rows=clean_frame(rollup.rows), unit_summary=clean_frame(rollup.unit_summary))


def clean_results(results: ResultsTable | None) -> ResultsTable | None:
    return None if results is None else dataclasses.replace(results, members=clean_frame(results.members))


def _clean_rows(rows: list) -> list:
    """A block's 2-D rows: one search per text, a row copied only when one of its texts changes."""
    out = rows
    for i, row in enumerate(rows):
        if any(v.__class__ is str and NOT_XML.search(v) for v in row) or \
                any(v.__class__ is not str and not isinstance(v, SCALARS) for v in row):
            if out is rows:
                out = list(rows)
            out[i] = _clean(row)
    return out


SCALARS = (type(None), int, float, bool, dt.date)  # nothing inside them to clean


def _clean(value):
    """``value`` with every string inside it cleaned; the very object when nothing changes."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, list) and value and all(r.__class__ is list for r in value):  # a block's rows
        return _clean_rows(value)
    if isinstance(value, list):
        out = [_clean(v) for v in value]
        return value if all(a is b for a, b in zip(out, value)) else out
    if isinstance(value, tuple):
        out = tuple(_clean(v) for v in value)
        return value if all(a is b for a, b in zip(out, value)) else out
    if isinstance(value, dict):
        out = {k: _clean(v) for k, v in value.items()}
        return value if all(out[k] is value[k] for k in value) else out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _clean(old)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


def clean_plans(plans):
    """Output-sheet plans with every string XML can hold (titles, headers, cells, links)."""
    return [_clean(p) for p in plans]


def clean_findings(findings):
    if findings is None:
        return None
    return [dataclasses.replace(f, **{k: xml_text(getattr(f, k)) for k in TEXT_FIELDS
                                      if isinstance(getattr(f, k), str) and NOT_XML.search(getattr(f, k))})
            if any(isinstance(getattr(f, k), str) and NOT_XML.search(getattr(f, k)) for k in TEXT_FIELDS) else f
            for f in findings]
