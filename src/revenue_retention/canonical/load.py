"""Read a source into the canonical customer-month table, rejecting bad rows with reasons.

The orchestration only: open the source (``source``), shape its rows (``shaped``, one
``layouts`` module per input layout), validate them in named stages (``validate``, read
again while rejected values show how the file writes them), set up conversion (``fx_setup``),
count (``counts``), canonicalise (``canonicalise``) and report (``report``).
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.canonical.canonicalise import canonical_table, check_kept, line_items
from revenue_retention.canonical.counts import count_validated, count_with_groups
from revenue_retention.canonical.dataset import Dataset, Snapshot
from revenue_retention.canonical.grouped import customer_month_groups, groups_fit
from revenue_retention.canonical.options import LoadOptions, OnBadRows
from revenue_retention.canonical.rejected import Locator
from revenue_retention.canonical.report import Months, input_report, read_warnings, refuse, rejects
from revenue_retention.canonical.shaped import Shaped, column_map
from revenue_retention.canonical.source import close_own, open_source, unreadable
from revenue_retention.engine import engine_errors, materialize
from revenue_retention.errors import DataWarning

__all__ = ["load", "read"]


def load(
    source: str | Path | None,
    *,
    table: str | None = None,
    columns: Mapping[str, str] | None = None,
    as_of: str | datetime.date | None = None,
    snapshot: Snapshot = "last",
    on_bad_rows: OnBadRows = "raise",
    engine: str | BaseBackend | Any = "duckdb",
    input_format: str | None = None,
    sheet: str | None = None,
    decimal_separator: str | None = None,
    date_order: str | None = None,
    fx_rates: str | Path | None = None,
    fixed_rates: Mapping[str, Decimal] | None = None,
    reporting_currency: str | None = None,
    spark_master: str | None = None,
    currency: str | None = None,
) -> Dataset:
    """Read billing data into the canonical customer-month table (METRICS.md §1).

    Parameters
    ----------
    source
        A CSV or Parquet file in the ``long`` layout (``customer_id, month, mrr``) or the
        ``periods`` layout (``customer_id, start_date, end_date, mrr``), told apart by header;
        or a database URL (``postgresql://user@host/db``, ``duckdb:///path.db``,
        ``sqlite:///path.db``) with ``table``; or None with ``table`` to read a table of
        ``engine`` (e.g. of a SparkSession's catalog).
    **options
        How to read it: the keywords are the fields of ``LoadOptions`` (``table``,
        ``columns``, ``as_of``, ``snapshot``, ``on_bad_rows``, ``engine``, ...), each
        documented there.

    Returns
    -------
    Dataset

    Raises
    ------
    InputError
        Unreadable source, missing columns, bad rows (with ``on_bad_rows="raise"``) or no data.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mrr.csv"
    >>> _ = path.write_text("customer_id,month,mrr\\na,2024-01,100\\na,2024-02,120\\n")
    >>> data = load(path)
    >>> data.report.rows_accepted, str(data.months)
    (2, '2024-01 to 2024-02')
    """
    # The keywords are the fields of LoadOptions, in order (tests/canonical/test_options.py).
    given = {name: value for name, value in locals().items() if name != "source"}
    options = LoadOptions(**given)
    return _warned(read(source, options))


def _warned(data: Dataset) -> Dataset:
    """``data``, once each warning of its report is warned as a ``DataWarning`` (same words,
    same order), pointing at the line that called ``load``."""
    for text in data.report.warnings:
        warnings.warn(text, DataWarning, stacklevel=3)
    return data


def read(source: str | Path | None, options: LoadOptions) -> Dataset:
    """``load`` with its options in one object."""
    options.check()
    con, raw = open_source(source, options)
    try:
        shaped = Shaped(raw, column_map(raw, options.columns), options)
        return _dataset(shaped, shaped.validated_rows(con, options), con, options)
    except engine_errors() as error:
        # The scan is lazy: a malformed file surfaces when the first query reads it.
        close_own(con, source)
        raise unreadable(raw, con, error) from None
    except BaseException:
        close_own(con, source)
        raise


def _dataset(shaped: Shaped, rows: ir.Table, con: BaseBackend, options: LoadOptions) -> Dataset:
    """Count, check and canonicalise the validated rows (every query runs from here).

    ``rows`` may lack line numbers (a parallel scan); whatever names a line (examples of
    bad rows, the rejects, the line items) reads a lazily numbered validation instead. A
    long input is summed into customer-months in one scan of ``rows``, stored, and
    everything else reads that (``canonical.grouped``).
    """
    as_of, snapshot = options.as_of_index, options.snapshot
    numbered, locator = shaped.validated(), Locator(shaped.raw, con)
    groups = None
    # Amounts that name their currencies carry a currency column the map does not: each
    # row is converted at its month's rate, not summed as it is.
    if shaped.one_scan and "currency" not in rows.columns and groups_fit(con):
        groups = materialize(con, customer_month_groups(rows), "customer_months")
        counts = count_with_groups(rows, shaped.layout, groups, as_of, snapshot)
    else:
        counts = count_validated(rows, shaped.layout, as_of, snapshot)
    counts = counts.with_set_aside(locator.counts())
    refuse(shaped, counts, numbered, locator, options.on_bad_rows)
    accepted = rows.filter(rows._rr_reason.isnull())
    warnings = read_warnings(shaped, accepted)
    residual = shaped.layout.residual(accepted, snapshot)
    months = Months(shaped, counts, as_of)
    canonical, kept = canonical_table(
        con, rows, shaped.cmap, groups, shaped.fx, months.analysed, snapshot
    )
    check_kept(kept, counts, shaped.cmap)
    warnings += months.warnings
    report = input_report(
        shaped, rows, counts, groups, canonical.table, months, as_of, warnings, residual
    )
    return Dataset(
        con=con,
        _table=canonical.source if canonical.source is not None else canonical.table,
        months=months.analysed,
        attributes=shaped.cmap.attributes,
        report=report,
        rejects=rejects(numbered, locator, counts.rejected),
        line_items=line_items(rows),
        fx=canonical.fx,
        rows=canonical.rows,
    )
