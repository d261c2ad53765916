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

import contextlib
import zipfile
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from revenue_retention import __version__
from revenue_retention.analyses.overview import Overview
from revenue_retention.outputs._workbook._model import Sheet, sheet_in_unit
from revenue_retention.outputs._workbook._sheet import fit_rows, write_sheet
from revenue_retention.outputs.cohorts.sheets import cohorts_sheet
from revenue_retention.outputs.concentration.sheets import concentration_sheet
from revenue_retention.outputs.decompose.sheets import decomposition_sheet
from revenue_retention.outputs.explain.sheets import customers_sheet
from revenue_retention.outputs.files import write_file
from revenue_retention.outputs.growth.sheets import growth_sheet
from revenue_retention.outputs.labels import currency_code
from revenue_retention.outputs.methods.sheets import methods_sheet
from revenue_retention.outputs.metrics.sheets import bridge_sheet, retention_sheet, segments_sheet
from revenue_retention.outputs.overview.summary_sheet import summary_sheet

__all__ = ["EXCEL_ROWS", "SHEETS", "save_workbook", "write_workbook"]

#: Rows of an Excel sheet (Excel 2007 and later); a longer table is cut to fit.
EXCEL_ROWS = 1_048_576

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
    "Growth",
)


def sheets(ov: Overview, title: str | None = None) -> list[Sheet]:
    """The workbook's sheets, in ``SHEETS`` order, each cut to what a sheet can hold.

    A table longer than Excel's rows keeps its first rows (the largest customers first)
    and says so above it; the Summary lists every table so cut. ``title`` (a company's
    name) heads the Summary.
    """
    fitted = [
        fit_rows(sheet_in_unit(sheet, ov.unit), EXCEL_ROWS)
        for sheet in (
            bridge_sheet(ov),
            retention_sheet(ov),
            methods_sheet(ov),
            cohorts_sheet(ov),
            segments_sheet(ov),
            concentration_sheet(ov),
            decomposition_sheet(ov),
            customers_sheet(ov),
            growth_sheet(ov),
        )
    ]
    cut = [line for _, lines in fitted for line in lines]
    summary, _ = fit_rows(sheet_in_unit(summary_sheet(ov, title, cut), ov.unit), EXCEL_ROWS)
    return [summary, *(sheet for sheet, _ in fitted)]


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


def save_workbook(ov: Overview, handle: IO[bytes], *, title: str | None = None) -> None:
    """Write the workbook of ``ov`` into the binary file ``handle`` (see ``write_workbook``)."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook(write_only=True)
    wb.properties.creator = f"revenue-retention {__version__}"
    # A fixed time (the zip format's epoch) rather than now: same input, same bytes.
    wb.properties.created = wb.properties.modified = datetime(*_FixedTimeZip.DATE)
    # openpyxl asks Excel to recalculate every formula on opening (fullCalcOnLoad); the
    # workbook holds none, only values, and asks for nothing.
    wb.calculation = None
    currency = currency_code(ov.input)
    try:
        for sheet in sheets(ov, title):
            write_sheet(wb, sheet, currency)
        # ExcelWriter rather than Workbook.save, which stamps the current time in the file.
        with _FixedTimeZip(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            ExcelWriter(wb, archive).save()
    except BaseException:
        _close_sheets(wb)
        raise


def _close_sheets(wb: Any) -> None:
    """Finish the sheets of a workbook that failed, while their streams are still open:
    left to the garbage collector, each would print a traceback ("Exception ignored")."""
    for ws in wb.worksheets:
        with contextlib.suppress(Exception):
            if not ws.closed:
                ws.close()


def write_workbook(ov: Overview, path: str | Path, *, title: str | None = None) -> Path:
    """Write the workbook of ``ov`` to ``path`` (parent folders created); return the path.

    Parameters
    ----------
    ov
        Every analysis of one dataset, from ``overview``.
    path
        The ``.xlsx`` file to write; replaced whole, never left half-written
        (``outputs.files``).
    title
        A company's name, heading the Summary sheet.

    Returns
    -------
    Path
        ``path``. Its sheets are ``SHEETS``: each table holds the records of the matching
        command's JSON, an analysis the data could not support is a line saying why, and
        the file's times are fixed, so the same overview gives the same bytes. Every text
        (an id, a segment, a column name) is stored as text, never as a formula, and the
        workbook holds no formula.
    """
    return write_file(Path(path), lambda handle: save_workbook(ov, handle, title=title))
