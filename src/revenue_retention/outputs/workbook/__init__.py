"""The Excel workbook: the report's figures as real numbers, one sheet per topic.

Every table holds the records of the matching command's JSON (``metrics``, ``cohorts``,
``concentration``, ``decompose``, ``explain`` ...), so the workbook cannot disagree with
them; its headers say each field in words (``starting_mrr`` is ``Starting MRR``, with the
currency when the input names it). Tables stand one under the other, never side by side,
so that filtering one hides no row of another. Money is the exact decimal (shown
``#,##0.00``), rates are fractions (shown ``0.0%``), months are dates (the first of the
month, shown ``yyyy-mm``). Each table is an Excel table, so it has filter buttons and can be sorted.

Which records go on which sheet: ``summary``, ``movements`` (Bridge, Retention, Methods),
``groups`` (Cohorts, Segments) and ``customers`` (Concentration, Decomposition,
Customers). How they are written: ``_kinds`` (a column's kind from its field name),
``_model`` (blocks and sheets), ``_cells`` (values as formatted cells) and ``_sheet``.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from revenue_retention import __version__
from revenue_retention.analyses.overview import Overview
from revenue_retention.outputs.labels import currency_code
from revenue_retention.outputs.workbook._model import Sheet
from revenue_retention.outputs.workbook._sheet import write_sheet
from revenue_retention.outputs.workbook.customers import (
    concentration_sheet,
    customers_sheet,
    decomposition_sheet,
)
from revenue_retention.outputs.workbook.groups import cohorts_sheet, segments_sheet
from revenue_retention.outputs.workbook.movements import (
    bridge_sheet,
    methods_sheet,
    retention_sheet,
)
from revenue_retention.outputs.workbook.summary import summary_sheet

__all__ = ["SHEETS", "write_workbook"]

#: The sheets, in their order in the file.
SHEETS = (
    "Summary",
    "Bridge",
    "Retention",
    "Methods",
    "Cohorts",
    "Segments",
    "Concentration",
    "Decomposition",
    "Customers",
)


def sheets(ov: Overview, title: str | None = None) -> list[Sheet]:
    """The workbook's sheets, in ``SHEETS`` order."""
    return [
        summary_sheet(ov, title),
        bridge_sheet(ov),
        retention_sheet(ov),
        methods_sheet(ov),
        cohorts_sheet(ov),
        segments_sheet(ov),
        concentration_sheet(ov),
        decomposition_sheet(ov),
        customers_sheet(ov),
    ]


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose members all carry the same date, so equal content gives equal bytes."""

    DATE = (1980, 1, 1, 0, 0, 0)

    def writestr(
        self, zinfo_or_arcname: str | zipfile.ZipInfo, data: Any, *args: Any, **kwargs: Any
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.DATE)
            zinfo_or_arcname.compress_type = self.compression
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        # openpyxl streams each write-only sheet to a temporary file, then adds that file.
        self.writestr(str(arcname), Path(filename).read_bytes())


def write_workbook(ov: Overview, path: str | Path, *, title: str | None = None) -> Path:
    """Write the workbook of ``ov`` to ``path`` (parent folders created); return the path.

    Parameters
    ----------
    ov
        Every analysis of one dataset, from ``overview``.
    path
        The ``.xlsx`` file to write; replaced whole, never left half-written.
    title
        A company's name, heading the Summary sheet.

    Returns
    -------
    Path
        ``path``. Its sheets are ``SHEETS``: each table holds the records of the matching
        command's JSON, an analysis the data could not support is a line saying why, and
        the file's times are fixed, so the same overview gives the same bytes.
    """
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    wb.properties.creator = f"revenue-retention {__version__}"
    # A fixed time (the zip format's epoch) rather than now: same input, same bytes.
    wb.properties.created = wb.properties.modified = datetime(*_FixedTimeZip.DATE)
    currency = currency_code(ov.input)
    for sheet in sheets(ov, title):
        write_sheet(wb, sheet, currency)
    # Written aside then renamed: a failed run leaves no half-written workbook behind.
    partial = target.with_name(f".{target.name}.partial")
    try:
        # ExcelWriter rather than Workbook.save, which stamps the current time in the file.
        with _FixedTimeZip(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            ExcelWriter(wb, archive).save()
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target
