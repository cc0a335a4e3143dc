"""导入: bringing rows exported by another system into one data sheet (workbook.md).

``plan`` decides (pure, on plain tables); ``job.import_rows`` reads, plans,
writes and validates, and is what ``dj import`` and the ribbon's 导入名单 call.
"""

from dj_addin.importer.job import ImportResult, import_rows
from dj_addin.importer.plan import ImportPlan, plan_import

__all__ = ["ImportResult", "import_rows", "ImportPlan", "plan_import"]
