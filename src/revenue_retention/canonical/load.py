"""Read a source into the canonical customer-month table, rejecting bad rows with reasons.

The orchestration only: open the source (``source``), shape its rows (``shaped``, one
``layouts`` module per input layout), validate them in named stages (``validate``, read
again while rejected values show how the file writes them), set up conversion (``fx_setup``),
count (``counts``), canonicalise (``canonicalise``) and report (``report``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.canonical.canonicalise import canonical_table, check_kept, line_items
from revenue_retention.canonical.columns import ColumnMap, map_columns, preset_columns
from revenue_retention.canonical.counts import Counts, count_validated, count_with_groups
from revenue_retention.canonical.dataset import Dataset, Snapshot
from revenue_retention.canonical.fx_setup import FxSetup
from revenue_retention.canonical.grouped import customer_month_groups
from revenue_retention.canonical.options import LoadOptions, OnBadRows
from revenue_retention.canonical.rejected import Locator, examples, rejects_table
from revenue_retention.canonical.report import Months, input_report, read_warnings
from revenue_retention.canonical.shaped import Shaped
from revenue_retention.canonical.source import close_own, open_source, unreadable
from revenue_retention.engine import capability, engine_errors, materialize
from revenue_retention.errors import BadRowsError, InputError, NoValidRowsError, OptionError

__all__ = ["load", "read"]


def load(
    source: str | Path | None,
    *,
    table: str | None = None,
    columns: Mapping[str, str] | None = None,
    as_of: str | int | None = None,
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
    table
        The table to read (``schema.table`` allowed), for a database URL or an engine.
    columns
        ``role -> column`` overrides when the header uses other names.
    as_of
        Last month analysed (``"YYYY-MM"``); later months are ignored.
    snapshot
        For dated inputs, whether a subscription counts in a month when active on its
        ``"last"`` day (default) or its ``"first"`` day.
    on_bad_rows
        ``"raise"`` stops at any bad row with ``BadRowsError``; ``"reject"`` sets them aside
        in ``Dataset.rejects`` and computes on the rest.
    engine
        ``"duckdb"`` (default), ``"spark"``, an open SparkSession, or an open Ibis backend.
        With a database URL, the computation runs in that database instead.
    input_format
        Name of the input adapter, when its detection should be bypassed.
    sheet
        The worksheet of an Excel workbook (default: the first).
    decimal_separator
        ``"."`` or ``","``: amounts are in a spreadsheet's display format (``1,234.50``,
        ``$1,200``), with this decimal separator. Without it, a revenue cube's amounts are
        read so anyway, and another file's once its values show how (see
        ``canonical.readings``).
    date_order
        ``"dmy"`` or ``"mdy"``: how ``01/02/2024``-style dates are read, when the file's
        own values do not show it.
    fx_rates
        With a ``currency`` column: a CSV of rates (``date, currency, rate_to_reporting``).
    fixed_rates
        With a ``currency`` column: fixed rates to the reporting currency (``{"EUR": 1.08}``).
    reporting_currency
        The currency figures are reported in (default: the data's only currency).
    spark_master
        With ``engine="spark"``: the master of the new session (default ``local[*]``).
    currency
        Without a currency column: the currency of amounts that do not name their own
        (``"EUR"``). Otherwise it is read from the amount's header (``Amount (USD)``) or
        values (``$1,200``) when they show it (see ``canonical.currency``).

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
    options = LoadOptions(
        table=table,
        columns=columns,
        as_of=as_of,
        snapshot=snapshot,
        on_bad_rows=on_bad_rows,
        engine=engine,
        input_format=input_format,
        sheet=sheet,
        decimal_separator=decimal_separator,
        date_order=date_order,
        fx_rates=fx_rates,
        fixed_rates=fixed_rates,
        reporting_currency=reporting_currency,
        spark_master=spark_master,
        currency=currency,
    )
    return read(source, options)


def read(source: str | Path | None, options: LoadOptions) -> Dataset:
    """``load`` with its options in one object."""
    options.check()
    con, raw = open_source(source, options)
    try:
        cmap = _column_map(raw, options.columns)
        shaped = Shaped(raw, cmap, options)
        return _dataset(shaped, _validated_rows(shaped, con, options), con, options)
    except engine_errors() as error:
        # The scan is lazy: a malformed file surfaces when the first query reads it.
        close_own(con, source)
        raise unreadable(raw, con, error) from None
    except BaseException:
        close_own(con, source)
        raise


def _column_map(raw: Any, columns: Mapping[str, str] | None) -> ColumnMap:
    """The roles of the source's columns: an adapter's own, or read from the header."""
    if raw.roles is not None and raw.layout is not None:
        given = dict(columns or {})
        return preset_columns(raw.columns, raw.path, raw.roles, raw.layout, raw.adapter, given)
    return map_columns(raw.columns, raw.path, columns)


def _validated_rows(shaped: Shaped, con: BaseBackend, options: LoadOptions) -> ir.Table:
    """The rows parsed and validated once, with their currency checked against the rates.

    The counts, the canonical table and the examples of bad rows all read this table
    instead of parsing the file again. A typed long source the engine scans cheaply is not
    copied: the one scan that sums it into customer-months validates it on the way.
    """
    lazy = shaped.raw.rescan and capability(con, "rescan") == "lazy" and _one_scan(shaped)
    rows = _stored(con, shaped.validated(fast=True), lazy)
    # A row is rejected for its first bad column only: once its dates are read the file's
    # way, its amounts may show theirs. Each pass settles dates or amounts for good
    # (``readings.decide``), so this ends after at most two rereads.
    while shaped.reread(rows):
        rows = _stored(con, shaped.validated(fast=True), lazy)
    given = options.currency, options.converting, options.reporting_currency
    if shaped.settle_currency(*given):
        # The amounts name their currencies (or are to be converted): each row now carries
        # its currency, as it would from a currency column.
        rows = _stored(con, shaped.validated(fast=True), False)
    if options.converting and "currency" not in rows.columns:
        fx_rates, fixed = options.fx_rates, options.fixed
        raise OptionError(
            "--fx-rates" if fx_rates is not None else "--fx-rate",
            str(fx_rates) if fx_rates is not None else ",".join(fixed),
            f"needs a currency column in {shaped.raw.path}, or amounts that name their "
            "currency (Amount (EUR), EUR 90), or --currency CODE",
        )
    if "currency" in rows.columns:
        fixed, reporting = options.fixed, options.reporting_currency
        shaped.fx = FxSetup.build(con, rows, options.fx_rates, fixed, reporting)
        rows = materialize(con, shaped.fx_checked(rows), "validated_fx")
    return rows


def _stored(con: BaseBackend, validated: ir.Table, lazy: bool) -> ir.Table:
    return validated if lazy else materialize(con, validated, "validated")


def _one_scan(shaped: Shaped) -> bool:
    """Whether the rows are customer-months as they are (line items of a long export)."""
    cmap = shaped.cmap
    return shaped.layout.sums_in_one_scan and not cmap.rules and "currency" not in cmap.roles


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
    if _one_scan(shaped) and "currency" not in rows.columns:
        groups = materialize(con, customer_month_groups(rows), "customer_months")
        counts = count_with_groups(rows, shaped.layout, groups, as_of, snapshot)
    else:
        counts = count_validated(rows, shaped.layout, as_of, snapshot)
    counts = counts.with_set_aside(locator.counts())
    _refuse(shaped, counts, numbered, locator, options.on_bad_rows)
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
        rejects=_rejects(numbered, locator, counts.rejected),
        line_items=line_items(rows),
        fx=canonical.fx,
        rows=canonical.rows,
    )


def _refuse(
    shaped: Shaped, counts: Counts, numbered: ir.Table, locator: Locator, on_bad_rows: OnBadRows
) -> None:
    """Stop at bad rows when asked to, and when no row is left to compute on."""
    raw = shaped.raw
    if raw.account is not None:
        # Every line of the file is the header, blank, inside a quoted value, or the first
        # line of a row the reader returned (or set aside): else rows were lost.
        raw.account.check(shaped.layout.records(raw, locator, counts))
    rejected = counts.rejected
    if rejected and on_bad_rows == "raise":
        raise BadRowsError(raw.path, examples(numbered, locator), rejected, counts.rows_read)
    if counts.first is not None:
        return
    if rejected:  # say why, even when bad rows were to be set aside
        shown = "".join(f"\n  {row}" for row in examples(numbered, locator))
        raise NoValidRowsError(
            f"{raw.path}: all {rejected} rows are invalid; nothing to compute.{shown}",
            rejects=rejects_table(numbered, locator),
            rejected=rejected,
        )
    raise InputError(f"{raw.path}: no rows of data; nothing to compute")


def _rejects(numbered: ir.Table, locator: Locator, rejected: int) -> ir.Table:
    """The rejected rows; of a clean file none, in their shape (no line lookup)."""
    if not rejected:
        locator = Locator(locator.raw, locator.con, active=False)
    return rejects_table(numbered, locator)
