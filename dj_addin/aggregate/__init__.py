"""汇总下级: merge many unit workbooks into one of the same shape (aggregation.md).

``aggregate(inputs, out, ...) -> AggregateResult`` is the job function; the
package's modules, in the order of the work: ``inputs`` (files, folders,
.zip, .eml), ``worker`` (read → validate → mask → compact, in parallel),
``select`` (which inputs are merged), ``merge`` (concatenation with
provenance, the upper level's sheets, conflicts, recomputation), ``sheets``
and ``report`` (the plans of the merged workbook), ``job``.
"""

from dj_addin.aggregate.job import AggregateResult, aggregate

__all__ = ["aggregate", "AggregateResult"]
