"""Read a source into the canonical customer-month table, rejecting bad rows with reasons."""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.canonical import billing, currency, fx, notices, readings, wide
from revenue_retention.canonical.columns import (
    ColumnMap,
    id_columns,
    map_columns,
    names_an_event,
    preset_columns,
)
from revenue_retention.canonical.dataset import Dataset, InputReport, Snapshot
from revenue_retention.canonical.grouped import (
    ID,
    accepted_counts,
    canonical_of_groups,
    customer_month_groups,
    repeat_suspects,
)
from revenue_retention.canonical.observed import observed_date, observed_month, observed_warnings
from revenue_retention.canonical.parse import (
    MAX_INTEGER_DIGITS,
    PARSED,
    DecimalStyle,
    amount_syntax_reason,
    amount_value,
    date_reason,
    date_text,
    date_value,
    decimal_style,
    display_amount,
    display_evidence,
    is_blank,
    negative_reason,
    text_of,
    typed_amount,
    typed_date,
    typed_date_reason,
)
from revenue_retention.canonical.rejected import Locator, examples, rejects_table
from revenue_retention.engine import (
    LINE_COLUMN,
    capability,
    connect,
    copy_as_text,
    describe_error,
    engine_errors,
    is_url,
    materialize,
    redact,
)
from revenue_retention.errors import (
    BadRowsError,
    DataWarning,
    InputError,
    NoValidRowsError,
    OptionError,
    RejectReason,
    SourceError,
)
from revenue_retention.inputs import Raw, read_source, read_table
from revenue_retention.money import MONEY, MONEY_SCALE, format_money
from revenue_retention.periods import (
    MonthRange,
    as_of_month,
    month_index_of,
    month_start_of_index,
)

__all__ = ["load"]

OnBadRows = Literal["raise", "reject"]
_PRODUCT = dt.Decimal(38, 12)
_NO_TEXT = ibis.null("string")


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
    table
        The table to read (``schema.table`` allowed), for a database URL or an engine.
    columns
        ``role -> column`` overrides when the header uses other names.
    as_of
        Last month analysed (``"YYYY-MM"`` or a date); later months are ignored.
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
    if snapshot not in ("last", "first"):
        raise OptionError("snapshot", snapshot, "must be 'last' or 'first'")
    if on_bad_rows not in ("raise", "reject"):
        raise OptionError("on_bad_rows", on_bad_rows, "must be 'raise' or 'reject'")
    as_of_index = as_of_month(as_of, "as_of")

    con, raw = _open(source, table, engine, input_format, spark_master, sheet)
    try:
        if raw.roles is not None and raw.layout is not None:
            cmap = preset_columns(
                raw.columns, raw.path, raw.roles, raw.layout, raw.adapter, parse_overrides(columns)
            )
        else:
            cmap = map_columns(raw.columns, raw.path, columns)
        fixed = dict(fixed_rates or {})
        shaped = _Shaped(raw, cmap, decimal_separator, snapshot, date_order)
        # Parsed and validated once: the counts, the canonical table and the examples of
        # bad rows all read this table instead of parsing the file again. A typed long
        # source the engine scans cheaply is not copied: the one scan that sums it into
        # customer-months validates it on the way (examples of bad rows scan it again).
        validated = shaped.validated(fast=True)
        lazy = raw.rescan and capability(con, "rescan") == "lazy" and _summed_in_one_scan(cmap)
        rows = validated if lazy else materialize(con, validated, "validated")
        # A row is rejected for its first bad column only: once its dates are read the
        # file's way, its amounts may show theirs. Each pass settles dates or amounts for
        # good (``readings.decide``), so this ends after at most two rereads.
        while shaped.reread(rows):
            validated = shaped.validated(fast=True)
            rows = validated if lazy else materialize(con, validated, "validated")
        converting = fx_rates is not None or bool(fixed)
        if shaped.settle_currency(currency, converting, reporting_currency):
            # The amounts name their currencies (or are to be converted): each row now
            # carries its currency, as it would from a currency column.
            lazy = False
            rows = materialize(con, shaped.validated(fast=True), "validated")
        if converting and "currency" not in rows.columns:
            raise OptionError(
                "fx_rates" if fx_rates is not None else "fixed_rates",
                str(fx_rates) if fx_rates is not None else ",".join(fixed),
                f"needs a currency column in {raw.path}, or amounts that name their currency "
                "(Amount (EUR), EUR 90), or {currency} CODE",
            )
        if "currency" in rows.columns:
            shaped.fx = _FxSetup.build(con, rows, fx_rates, fixed, reporting_currency)
            rows = materialize(con, shaped.fx_checked(rows), "validated_fx")
        return _warned(_load_rows(shaped, rows, con, as_of_index, snapshot, on_bad_rows))
    except engine_errors() as error:
        # The scan is lazy: a malformed file surfaces when the first query reads it.
        hint = (
            " (Spark's CSV reader stops at the first record it cannot split, such as a "
            "ragged row or a line break inside quotes; the embedded engine, the default, "
            "rejects such rows one by one)"
            if capability(con, "files") == "spark" and raw.delimiter is not None
            else ""
        )
        _close_own(con, source)
        raise SourceError(raw.path, f"cannot be read: {describe_error(error)}{hint}") from None
    except BaseException:
        _close_own(con, source)
        raise


def _warned(data: Dataset) -> Dataset:
    """``data``, once each warning of its report is warned as a ``DataWarning`` (same words,
    same order), pointing at the line that called ``load``."""
    for text in data.report.warnings:
        warnings.warn(text, DataWarning, stacklevel=3)
    return data


def _close_own(con: BaseBackend, source: str | Path | None) -> None:
    """Close a database connection this call opened from a URL (not one it was given)."""
    if is_url(source):
        con.disconnect()


def _open(
    source: str | Path | None,
    table: str | None,
    engine: str | BaseBackend | Any,
    input_format: str | None,
    spark_master: str | None,
    sheet: str | None = None,
) -> tuple[BaseBackend, Raw]:
    """The engine to compute in and the raw input: a file it scans, or a table it holds."""
    if is_url(source):
        assert isinstance(source, str)
        if table is None:
            raise OptionError("table", None, "is needed with a database URL: name the table")
        label = f"{redact(source)} {table}"
        con = connect(source)
        try:
            if capability(con, "computes") == "duckdb":
                found = read_table(con, table, label).table.drop(LINE_COLUMN)
                copy = connect("duckdb")
                copied = copy_as_text(found, copy).get_name()
                con.disconnect()
                return copy, read_table(copy, copied, label, adapter="sqlite")
            return con, read_table(con, table, label)
        except BaseException:
            con.disconnect()
            raise
    con = connect(engine, spark_master=spark_master)
    if table is not None:
        if source is not None:
            raise OptionError("table", table, "reads a database table; drop the file name")
        return con, read_table(con, table, table)
    if source is None:
        raise OptionError("source", None, "is needed: a file, or a database URL with a table")
    return con, read_source(source, con, input_format, sheet=sheet)


#: Customer names of a cube's totals rows.
_TOTAL_ROWS = ("total", "totals", "grand total", "sum", "total mrr", "total revenue")


class _Shaped:
    """The source's rows in the shape validation reads: a cube unpivoted, others as they are."""

    def __init__(
        self,
        raw: Raw,
        cmap: ColumnMap,
        decimal_separator: str | None,
        snapshot: Snapshot,
        order: str | None = None,
    ) -> None:
        self.raw = raw
        self.cmap = cmap
        self.snapshot = snapshot
        self.fx: _FxSetup | None = None
        #: The currency read from the header, values or --currency (no currency column).
        self.currency: currency.Currency | None = None
        cube_style = self._style(decimal_separator) if cmap.layout == "wide" else None
        self.readings = readings.initial(cmap, decimal_separator, order, cube_style)

    def reread(self, rows: ir.Table) -> bool:
        """Decide how the file writes its amounts and dates, when rejected values show it.

        ``rows``: the rows validated with the current readings. True when the readings
        changed, and the file must be validated again.
        """
        table = self.rows(fast=True)
        names = (*readings.DATE_ROLES, *readings.AMOUNT_ROLES)
        roles = [self.cmap.roles[r] for r in names if r in self.cmap.roles]
        if not any(c in table.columns and table[c].type().is_string() for c in roles):
            return False  # typed columns (Parquet, a database) are read as they are
        bad = rows.filter(rows._rr_reason.notnull())
        found = bad.group_by("_rr_reason").agg(n=bad.count()).to_pyarrow().to_pylist()
        by_reason = {r["_rr_reason"]: r["n"] for r in found}
        decided = readings.decide(table, self.cmap, self.readings, by_reason)
        if decided is None:
            return False
        self.readings = decided
        return True

    def settle_currency(self, given: str | None, converting: bool, reporting: str | None) -> bool:
        """Read the amounts' currency when no column names it; True when rows must carry it.

        Rows carry their currency (and are validated again) when their amounts name
        different ones, or when the amounts are to be converted to another currency.
        """
        cmap = self.cmap
        if "currency" in cmap.roles:
            if given is not None:
                raise OptionError(
                    "currency",
                    given,
                    f"is for amounts without a currency column; {self.raw.path} names each "
                    f"row's currency in column {cmap.roles['currency']!r} ({{reporting_currency}} "
                    "chooses the one reported)",
                )
            return False
        role = _amount_role(cmap)
        headers = [] if cmap.layout == "wide" or cmap.rules else [cmap.roles[role]]
        values: list[dict[str, Any]] = []
        table = self.rows(fast=True)
        column = cmap.roles[role]
        if self.readings.display and table[column].type().is_string():
            values = currency.value_marks(table, column)
        found = currency.infer(
            given, headers, values, None if cmap.layout == "wide" else _amount_column(cmap)
        )
        self.currency = found
        if found is None:
            return False
        if found.per_row and reporting is None:
            raise OptionError(
                "reporting_currency",
                None,
                f"is needed: {found.evidence} are in different currencies; name the one to "
                "report in and give rates ({fx_rates} FILE or {fixed_rates} CUR=RATE), or split "
                "the file by currency",
            )
        carried = found.per_row or converting or reporting not in (None, *found.codes)
        if carried:
            self.readings = replace(self.readings, currency=found)
        return carried

    def rows(self, fast: bool) -> ir.Table:
        table = self.raw.fast if fast else self.raw.table
        if self.cmap.layout != "wide":
            return table
        keep = [LINE_COLUMN, self.cmap.roles["customer_id"]]
        keep += [self.cmap.source_of(a) for a in self.cmap.attributes]
        table = table.filter(~self._is_total(table))
        return wide.unpivot(table, dict(self.cmap.months), keep)

    def _is_total(self, table: ir.Table) -> ir.BooleanValue:
        """A cube's totals row ("Total", "Grand total"): a sum of customers, not one."""
        name = text_of(table[self.cmap.roles["customer_id"]]).lower()
        return name.isin(list(_TOTAL_ROWS)).fill_null(False)

    def total_rows_warning(self) -> list[str]:
        if self.cmap.layout != "wide":
            return []
        table = self.raw.table
        found = table.filter(self._is_total(table)).select(LINE_COLUMN).to_pyarrow()
        lines = sorted(found[LINE_COLUMN].to_pylist())
        if not lines:
            return []
        where = ", ".join(str(n) for n in lines[:5])
        return [
            f"{len(lines)} totals row(s) not read as customers (line {where}): "
            "a cube's 'Total' row sums the customers above it"
        ]

    def validated(self, fast: bool = False) -> ir.Table:
        rows = _validated(self.rows(fast), self.cmap, self.readings)
        return rows if self.fx is None or fast else self.fx_checked(rows)

    def fx_checked(self, rows: ir.Table) -> ir.Table:
        """Rows whose currency has no rate by their first month, rejected as such."""
        assert self.fx is not None
        first = _first_month(rows, self.cmap, self.snapshot)
        month_end = month_start_of_index(first + 1) - ibis.interval(days=1)
        starts = self.fx.starts.select(_s_currency="currency", _s_from="rate_from")
        joined = rows.left_join(starts, rows.currency == starts._s_currency)
        missing = joined._rr_reason.isnull() & (
            joined._s_from.isnull() | (month_end.cast("date") < joined._s_from)
        ).fill_null(True)
        column = self.cmap.roles.get("currency") or _amount_column(self.cmap)
        return joined.mutate(
            _rr_reason=ibis.ifelse(missing, RejectReason.MISSING_FX_RATE.value, joined._rr_reason),
            _rr_bad_column=ibis.ifelse(missing, column, joined._rr_bad_column),
            _rr_bad_value=ibis.ifelse(missing, joined.currency, joined._rr_bad_value),
        ).drop("_s_currency", "_s_from")

    def _style(self, given: str | None) -> DecimalStyle:
        if given is not None:
            return decimal_style(0, 0, given)
        cells = self.rows(fast=True)
        point, comma = display_evidence(text_of(cells[wide.AMOUNT]))
        found = cells.aggregate(point=point.sum(), comma=comma.sum()).to_pyarrow().to_pylist()[0]
        return decimal_style(found["point"] or 0, found["comma"] or 0, None)


class _FxSetup:
    """The rates a dataset with a currency column is converted with, before its months are known."""

    def __init__(
        self,
        reporting: str,
        currencies: tuple[str, ...],
        rates: ir.Table | None,
        fixed: dict[str, Decimal],
        source: str,
    ) -> None:
        self.reporting = reporting
        self.currencies = currencies
        self.rates = rates
        self.fixed = fixed
        self.source = source
        self.starts = fx.rate_starts(rates, fixed, reporting)

    @classmethod
    def build(
        cls,
        con: BaseBackend,
        rows: ir.Table,
        path: str | Path | None,
        fixed: dict[str, Decimal],
        reporting: str | None,
    ) -> _FxSetup:
        rates = None
        if path:
            try:
                rates = materialize(con, fx.read_rates(path, con), "rates")
            except engine_errors() as error:
                raise SourceError(str(path), f"cannot be read: {describe_error(error)}") from None
        valid = rows.filter(rows._rr_reason.isnull())
        found = valid.select("currency").distinct().order_by("currency").to_pyarrow()
        currencies = tuple(c for c in found["currency"].to_pylist() if c)
        code = fx.resolve_reporting(reporting, currencies, rates is not None or bool(fixed))
        sources = ([f"file {path}"] if path else []) + (
            [", ".join(f"{c}={r}" for c, r in sorted(fixed.items()))] if fixed else []
        )
        return cls(code, currencies, rates, fixed, "; ".join(sources) or "none needed")

    @property
    def active(self) -> bool:
        return any(c != self.reporting for c in self.currencies)


def _first_month(rows: ir.Table, cmap: ColumnMap, snapshot: Snapshot) -> ir.IntegerValue:
    """The first month a valid row counts in."""
    if cmap.layout == "invoices":
        return _invoice_months(rows, snapshot)[0]
    if cmap.layout == "periods":
        return _period_months(rows, snapshot)[0]
    return month_index_of(rows.month)


def _load_rows(
    shaped: _Shaped,
    rows: ir.Table,
    con: BaseBackend,
    as_of_index: int | None,
    snapshot: Snapshot,
    on_bad_rows: OnBadRows,
) -> Dataset:
    """Count, check and canonicalise the validated rows (every query runs from here).

    ``rows`` may lack line numbers (a parallel scan); whatever names a line (examples of
    bad rows, the rejects, the line items) reads a lazily numbered validation instead.
    A long input is summed into customer-months in one scan of ``rows``, stored, and
    everything else reads that (``canonical.grouped``).
    """
    raw, cmap = shaped.raw, shaped.cmap
    accepted = rows.filter(rows._rr_reason.isnull())
    numbered = shaped.validated()
    locator = Locator(raw, con)

    groups = None
    # Amounts that name their currencies carry a currency column the map does not: each
    # row is converted at its month's rate, not summed as it is.
    if _summed_in_one_scan(cmap) and "currency" not in rows.columns:
        groups = materialize(con, customer_month_groups(rows), "customer_months")
        counts = _count_with_groups(rows, cmap, groups, as_of_index, snapshot)
    else:
        counts = _count(rows, cmap, as_of_index, snapshot)
    _add_set_aside(counts, locator.counts())
    if raw.account is not None:
        # Every line of the file is the header, blank, inside a quoted value, or the
        # first line of a row the reader returned (or set aside): else rows were lost.
        raw.account.check(counts["rows_read"] if cmap.layout != "wide" else _records(raw, locator))
    rejected = counts["rejected"]
    if rejected and on_bad_rows == "raise":
        raise BadRowsError(raw.path, examples(numbered, locator), rejected, counts["rows_read"])
    if counts["first"] is None:
        if rejected:  # say why, even when bad rows were to be set aside
            shown = "".join(f"\n  {row}" for row in examples(numbered, locator))
            raise NoValidRowsError(
                f"{raw.path}: all {rejected} rows are invalid; nothing to compute.{shown}",
                rejects=rejects_table(numbered, locator),
                rejected=rejected,
            )
        raise InputError(f"{raw.path}: no rows of data; nothing to compute")

    last = counts["last"]
    warnings: list[str] = [*notices.roles_read(cmap), *raw.warnings, *shaped.readings.notes]
    warnings += [*_rule_warnings(raw, cmap), *notices.amount_name(cmap)]
    warnings += shaped.currency.notes if shaped.currency is not None else ()
    if cmap.layout in ("long", "periods", "wide"):
        warnings += notices.interval_values(accepted, cmap)
    warnings += shaped.total_rows_warning()
    if cmap.ignored:
        warnings.append(
            f"total column(s) not read: {', '.join(map(repr, cmap.ignored))} "
            "(a cube's months are read one by one)"
        )
    residual = _check_spread(accepted, snapshot) if cmap.layout == "invoices" else None
    ends_are_events = _ends_are_events(cmap, counts)
    observed = observed_month(counts["observed"], snapshot, counts["first"], not ends_are_events)
    if ends_are_events and observed is not None:
        last = max(last, observed)  # open subscriptions were running when the data was taken
    data_months = MonthRange(counts["first"], last)
    warnings += observed_warnings(counts["observed"], observed, last, as_of_index, snapshot)
    default = observed if as_of_index is None and observed is not None else None
    months = data_months.capped(as_of_index if as_of_index is not None else default)
    setup = shaped.fx
    fx_data = None
    metric_rows = None
    source: Callable[[], ir.Table] | None = None
    if setup is not None and setup.active:
        rates = materialize(
            con,
            fx.spine_rates(
                setup.rates, setup.fixed, setup.reporting, setup.currencies, months.months
            ),
            "rates_by_month",
        )
        lines = materialize(con, _currency_lines(accepted, cmap, months, snapshot), "fx_lines")
        fx_data = fx.Fx(setup.reporting, setup.currencies, lines, rates, setup.source)
        table = materialize(
            con, _converted(lines, rates, accepted, cmap, months, snapshot), "canonical"
        )
        kept_expr = lines.local.sum()
    elif groups is not None:
        table, metric_rows = canonical_of_groups(groups, months)
        if cmap.attributes:
            # Attributes are for breakdowns and the report: summed again with them, only
            # when something asks for the table (the bridge and retention never do).
            source = _with_attributes(con, rows, cmap.attributes, months)
    else:
        # Stored: the checks below and every analysis group the customer-months again, and
        # a grouping over a grouping of the scanned source holds two hash tables at once
        # (beyond a small memory limit), where one over a stored table streams.
        table = materialize(con, _customer_months(accepted, cmap, months, snapshot), "canonical")
        kept_expr = table.mrr.sum()
    # The groups hold the accepted money by construction: only the other paths are checked.
    if cmap.layout in ("long", "wide") and groups is None:
        # Canonicalisation only groups and sums: every accepted cent up to the last month
        # analysed must still be there. A difference is a bug, never a data problem.
        kept = kept_expr.to_pyarrow().as_py() or Decimal(0)
        if kept != counts["money_in_range"]:
            raise AssertionError(f"canonical MRR {kept} != accepted {counts['money_in_range']}")

    renamed = [f"{src!r} as {name!r}" for src, name in cmap.renamed.items()]
    report = InputReport(
        warnings=tuple(warnings)
        + tuple(notices.id_twins(table) if _ids_may_clash(raw, cmap, groups, counts) else ())
        + tuple(_repeats(shaped, accepted, table, counts, groups, snapshot))
        + tuple(notices.recurring_payments(table) if cmap.layout in ("long", "wide") else ())
        + (
            (
                f"attribute columns kept under another name, as the tool uses theirs: "
                f"{', '.join(renamed)}",
            )
            if renamed
            else ()
        ),
        path=raw.path,
        adapter=raw.adapter,
        layout=cmap.layout,
        columns=_columns_read(cmap),
        attributes=cmap.attributes,
        snapshot=snapshot,
        rows_read=counts["rows_read"],
        rows_accepted=counts["rows_read"] - rejected,
        rows_rejected=rejected,
        rejected_by_reason=counts["by_reason"],
        money_read=counts["money_accepted"] + counts["money_rejected"],
        money_accepted=counts["money_accepted"],
        money_rejected=counts["money_rejected"],
        rows_without_amount=counts["rows_without_amount"],
        data_months=data_months,
        months=months,
        as_of=as_of_index,
        currency=(
            _currency_report(
                setup, counts, shaped, _accepted_converted(accepted, shaped, data_months)
            )
            if setup is not None
            else _named_currency(shaped.currency, counts)
        ),
        excluded=_excluded(accepted) if cmap.rules else None,
        money_spread_residual=residual,
        observed_through=counts["observed"],
        observed_month=observed,
        lines=raw.account.to_dict() if raw.account is not None else None,
    )
    return Dataset(
        con=con,
        _table=source if source is not None else table,
        months=months,
        attributes=cmap.attributes,
        report=report,
        rejects=rejects_table(numbered, locator) if rejected else _no_rejects(numbered, locator),
        line_items=_line_items(rows),
        fx=fx_data,
        rows=metric_rows,
    )


def _count_with_groups(
    rows: ir.Table, cmap: ColumnMap, groups: ir.Table, as_of: int | None, snapshot: Snapshot
) -> dict[str, Any]:
    """``_count``'s figures: the accepted side off the stored groups, the rejected by a scan.

    The rows read are counted without reading them (a file's row count); only when they
    outnumber the accepted rows are the rejected ones scanned, by reason.
    """
    accepted = accepted_counts(groups, as_of)
    read = rows.count().to_pyarrow().as_py()
    if read > accepted["rows"]:
        counts = _count(rows.filter(rows._rr_reason.notnull()), cmap, as_of, snapshot)
    else:
        counts = {"rejected": 0, "by_reason": {}, "money_rejected": Decimal(0)}
        counts |= {"rows_without_amount": 0, "by_currency": {}, "observed": None, "open": 0}
    return counts | {
        "rows_read": read,
        "money_accepted": accepted["money"],
        "money_in_range": accepted["money_in_range"],
        "first": accepted["first"],
        "last": accepted["last"],
        "repeat_suspects": accepted["repeat_suspects"],
        "folding_ids": accepted["folding_ids"],
    }


def _with_attributes(
    con: BaseBackend, rows: ir.Table, attributes: tuple[str, ...], months: MonthRange
) -> Callable[[], ir.Table]:
    """How to make the canonical table with its attribute columns: one more pass of ``rows``."""

    def make() -> ir.Table:
        groups = materialize(con, customer_month_groups(rows, attributes), "canonical")
        return canonical_of_groups(groups, months, attributes)[0]

    return make


def _summed_in_one_scan(cmap: ColumnMap) -> bool:
    """Whether the rows are customer-months as they are (line items of a long export)."""
    return cmap.layout == "long" and not cmap.rules and "currency" not in cmap.roles


def _ids_may_clash(
    raw: Raw, cmap: ColumnMap, groups: ir.Table | None, counts: dict[str, Any]
) -> bool:
    """Whether two ids of the source may fold to the same one (``notices.id_twins``)."""
    if groups is None:
        return notices.ids_may_clash(raw.fast[cmap.roles["customer_id"]])
    # Twins differ only by case or spaces: one of them changes when folded.
    return bool(counts["folding_ids"]) and notices.ids_may_clash(groups.customer_id)


def _repeats(
    shaped: _Shaped,
    accepted: ir.Table,
    table: ir.Table,
    counts: dict[str, Any],
    groups: ir.Table | None,
    snapshot: Snapshot,
) -> list[str]:
    """Rows repeated value for value, and subscription periods that overlap: both add up."""
    cmap = shaped.cmap
    if cmap.layout == "wide":
        raw = shaped.raw.fast
        return notices.duplicate_rows(raw, [c for c in raw.columns if c != LINE_COLUMN])
    # Every value read, and the ids: two subscriptions of one account with the same dates
    # and amount differ in their subscription id, and are not repeats.
    values = [c for c in accepted.columns if not c.startswith("_rr_") or c.startswith(_ID_PREFIX)]
    if groups is not None:
        if not counts["repeat_suspects"]:
            return []  # every customer-month's rows differ (or it has one row)
        # Only the rows of the customer-months that may hold a repeat are compared.
        suspects = repeat_suspects(groups)
        keyed = accepted.mutate(
            _rr_key=accepted[ID] if ID in accepted.columns else accepted.customer_id,
            _rr_month_index=month_index_of(accepted.month),
        )
        accepted = keyed.semi_join(
            suspects,
            (keyed._rr_key == suspects.customer_id)
            & (keyed._rr_month_index == suspects.month_index),
        )
    elif cmap.layout == "long":
        # One row per customer-month (the canonical table has as many): nothing repeats.
        accepted_rows = counts["rows_read"] - counts["rejected"]
        if table.count().to_pyarrow().as_py() == accepted_rows:
            return []
    found = notices.duplicate_rows(accepted, values)
    if cmap.layout == "periods":
        first, stop = _period_months(accepted, snapshot)
        found += notices.overlapping_periods(accepted, first, stop)
    return found


def _records(raw: Raw, locator: Locator) -> int:
    """The records of a file as read (a cube's rows, before they are unpivoted)."""
    read = raw.fast.count().to_pyarrow().as_py()
    return int(read) + sum(locator.counts().values())


def _line_items(rows: ir.Table) -> ir.Table:
    """The accepted rows as read, the validation's own columns dropped.

    From the rows already validated (stored, or a typed source scanned in parallel), not
    a numbered validation of the source again: their ``line`` is null when the scan that
    validated them did not number them.
    """
    accepted = rows.filter(rows._rr_reason.isnull())
    internal = [c for c in accepted.columns if c.startswith("_rr_") and c != "_rr_line"]
    return accepted.drop(*internal).rename(line="_rr_line")


def _add_set_aside(counts: dict[str, Any], set_aside: dict[str, int]) -> None:
    """Records the reader set aside are read and rejected, with no amount that can be read."""
    total = sum(set_aside.values())
    counts["rows_read"] += total
    counts["rejected"] += total
    counts["rows_without_amount"] += total
    for reason, n in set_aside.items():
        counts["by_reason"][reason] = counts["by_reason"].get(reason, 0) + n


def _no_rejects(numbered: ir.Table, locator: Locator) -> ir.Table:
    """The rejects of a clean file: none, in the shape of a rejects table (no line lookup)."""
    return rejects_table(numbered, Locator(locator.raw, locator.con, active=False))


def _excluded(accepted: ir.Table) -> dict[str, dict[str, Any]]:
    """Valid rows that carry no recurring revenue, by why: rows and money as billed."""
    rows = accepted.filter(accepted._rr_excluded.notnull())
    found = rows.group_by(why=rows._rr_excluded).agg(rows=rows.count(), money=rows._rr_amount.sum())
    return {
        r["why"]: {"rows": r["rows"], "money": format_money(r["money"] or Decimal(0))}
        for r in sorted(found.to_pyarrow().to_pylist(), key=lambda r: r["why"])
    }


def _rule_warnings(raw: Raw, cmap: ColumnMap) -> list[str]:
    """What an export's rules cannot see: coupons named without their value."""
    if "coupon" not in cmap.roles or {"percent_off", "amount_off"} & set(cmap.roles):
        return []
    coupon = text_of(raw.table[cmap.roles["coupon"]])
    used = raw.table.filter(coupon.notnull()).count().to_pyarrow().as_py()
    if not used:
        return []
    return [
        f"{used} subscriptions name a coupon ({cmap.roles['coupon']!r}) but the export has no "
        "Percent Off or Amount Off column: their MRR is before discounts. The invoice line "
        "items export carries the discount amounts."
    ]


def _accepted_converted(
    accepted: ir.Table, shaped: _Shaped, data_months: MonthRange
) -> Decimal | None:
    """Money accepted in the reporting currency: each row at its first month's rate.

    Every accepted row has a rate by its first month (``_Shaped.fx_checked``), so this
    converts all of it; None when no amount needs converting.
    """
    setup = shaped.fx
    if setup is None or not setup.active:
        return None
    rates = fx.spine_rates(
        setup.rates, setup.fixed, setup.reporting, setup.currencies, data_months.months
    )
    rows = accepted.mutate(_first=_first_month(accepted, shaped.cmap, shaped.snapshot))
    joined = rows.join(
        rates, (rows.currency == rates.currency) & (rows._first == rates.month_index)
    )
    total = fx.convert(joined._rr_amount, joined.rate).sum()
    return total.to_pyarrow().as_py() or Decimal(0)


def _currency_report(
    setup: _FxSetup, counts: dict[str, Any], shaped: _Shaped, converted: Decimal | None
) -> dict[str, Any]:
    by_currency = {
        code: {name: format_money(value) for name, value in money.items()}
        for code, money in sorted(counts["by_currency"].items(), key=lambda kv: str(kv[0]))
    }
    column = shaped.cmap.roles.get("currency")
    found = (
        {"source": "column", "evidence": f"column {column!r}"}
        if column is not None
        else shaped.currency.describe()
        if shaped.currency is not None
        else {}
    )
    return {
        "reporting_currency": setup.reporting,
        "currencies": list(setup.currencies),
        "rates": setup.source,
        "converted": setup.active,
        "money_by_currency": by_currency,
        **found,
    } | (
        {
            "money_accepted_converted": format_money(converted),
            "converted_at": "each accepted row at the rate of its first month",
        }
        if converted is not None
        else {}
    )


def _named_currency(
    found: currency.Currency | None, counts: dict[str, Any]
) -> dict[str, Any] | None:
    """The report's currency of a file in one currency that no column names (None: unknown)."""
    if found is None:
        return None
    (code,) = found.codes
    money = {
        "read": counts["money_accepted"] + counts["money_rejected"],
        "accepted": counts["money_accepted"],
        "rejected": counts["money_rejected"],
    }
    return {
        "reporting_currency": code,
        "currencies": [code],
        "rates": "none needed",
        "converted": False,
        "money_by_currency": {code: {k: format_money(v) for k, v in money.items()}},
        **found.describe(),
    }


_DATES = ("month", "start_date", "end_date", "invoice_date", "trial_end", "cancelled_at")
_AMOUNTS = ("mrr", "quantity", "unit_price")
#: The order in which failures are reported: the first one of a row is its reason.
_CHECK_ORDER = (
    "customer_id",
    "month",
    "invoice_date",
    "start_date",
    "end_date",
    "mrr",
    "quantity",
    "unit_price",
    "amount_off",
    "percent_off",
    "discount_amount",
    "interval",
    "trial_end",
    "cancelled_at",
    "currency",
)


def _validated(t: ir.Table, cmap: ColumnMap, read: readings.Readings) -> ir.Table:
    """Every row with its typed values and, when bad, the first failing column and why.

    Built in stages (text, values, reasons, verdict) that name their columns, so the
    engine evaluates each pattern once per row instead of once per use.
    """
    col = {role: t[name] for role, name in cmap.roles.items()}
    dates = [r for r in _DATES if r in col]
    amounts = [r for r in _AMOUNTS if r in col]

    # Typed columns (dates, integers, decimals) are validated as they are; others as text.
    # A cube's display-format cells and an export's rules are read as text.
    typed_dates: dict[str, ir.DateValue] = {}
    typed_amounts: dict[str, tuple[ir.DecimalValue, ir.StringValue]] = {}
    if cmap.layout != "wide" and not cmap.rules:
        typed_dates = {r: v for r in dates if (v := typed_date(col[r])) is not None}
        typed_amounts = {r: v for r in amounts if (v := typed_amount(col[r])) is not None}
    as_text = [r for r in (*dates, *amounts) if r not in typed_dates and r not in typed_amounts]

    texts = {f"_t_{r}": text_of(col[r]) for r in as_text}
    if cmap.rules == billing.SUBSCRIPTIONS and "quantity" in col:
        texts["_t_quantity"] = ibis.coalesce(texts["_t_quantity"], ibis.literal("1"))
    ambiguous: dict[str, ir.Value] = {}
    if read.display:
        # Amounts in a spreadsheet's display format ($1,234.50), as a cube's cells are.
        for r in (a for a in amounts if a in as_text):
            texts[f"_t_{r}"], ambiguous[f"_amb_{r}"] = display_amount(texts[f"_t_{r}"], read.style)
    text = t.mutate(**texts).mutate(**ambiguous)
    text_dates = [r for r in dates if r not in typed_dates]
    text = text.mutate(**{f"_d_{r}": date_text(text[f"_t_{r}"]) for r in text_dates})
    syntax = {r: amount_syntax_reason(text[f"_t_{r}"]) for r in amounts if r in as_text}
    for r in (a for a in amounts if f"_amb_{a}" in ambiguous):
        syntax[r] = ibis.ifelse(
            text[f"_amb_{r}"].fill_null(False), RejectReason.AMBIGUOUS_AMOUNT.value, syntax[r]
        )
    parsed = text.mutate(
        **{
            f"_v_{r}": date_value(text[f"_d_{r}"], read.order, other_forms=read.other_dates)
            for r in text_dates
        },
        **{f"_r_{r}": reason for r, reason in syntax.items()},
        **{f"_v_{r}": value for r, value in typed_dates.items()},
        **{f"_v_{r}": value for r, (value, _) in typed_amounts.items()},
        **{f"_r_{r}": reason for r, (_, reason) in typed_amounts.items()},
    )
    valued = parsed.mutate(
        **{
            f"_v_{r}": amount_value(parsed[f"_t_{r}"], parsed[f"_r_{r}"])
            for r in amounts
            if r in as_text
        },
        **{
            f"_r_{r}": date_reason(
                parsed[f"_d_{r}"],
                parsed[f"_v_{r}"],
                required=_date_required(r, cmap),
                order=read.order,
                other_forms=read.other_dates,
            )
            for r in dates
            if r in as_text
        },
        **{
            f"_r_{r}": typed_date_reason(parsed[f"_v_{r}"], required=_date_required(r, cmap))
            for r in typed_dates
        },
        _r_customer_id=ibis.ifelse(
            is_blank(col["customer_id"]),
            RejectReason.MISSING_CUSTOMER_ID.value,
            _NO_TEXT,
        ),
    )
    codes: dict[str, ir.Value] = {}
    if "currency" in col:
        code = fx.currency_text(col["currency"])
        codes["_v_currency"] = code
        codes["_r_currency"] = ibis.cases(
            (code.isnull(), RejectReason.MISSING_CURRENCY.value),
            (~code.re_search(r"^[A-Z]{3}$"), RejectReason.INVALID_CURRENCY.value),
            else_=_NO_TEXT,
        )
    elif read.currency is not None:
        # No currency column: the one each amount names (canonical.currency).
        code = read.currency.row_code(col[_amount_role(cmap)])
        codes["_v_currency"] = code
        codes["_r_currency"] = ibis.ifelse(
            code.isnull(), RejectReason.MISSING_CURRENCY.value, _NO_TEXT
        )
    checked = valued.mutate(
        **{f"_r_{r}": negative_reason(valued[f"_v_{r}"], valued[f"_r_{r}"]) for r in amounts},
        **codes,
    )
    reasons = {r: checked[f"_r_{r}"] for r in _CHECK_ORDER if f"_r_{r}" in checked.columns}
    amount = checked["_v_mrr"] if "mrr" in col else None
    if amount is None:
        # Six-place factors multiply at scale 12 (up to 10^24, inside 38 digits); the
        # product must be exact at the money scale and as small as any other amount.
        # One factor at 18 digits keeps the product's type within 38 digits at scale 12 on
        # every engine (Spark would otherwise round it to scale 6 to fit).
        product = (checked._v_quantity * checked._v_unit_price.cast(PARSED)).cast(_PRODUCT)
        amount = product.cast(MONEY)
        exact = (amount.cast(_PRODUCT) == product).fill_null(True)
        small = (product < 10**MAX_INTEGER_DIGITS).fill_null(True)
        product_reason = ibis.cases(
            (~small, RejectReason.AMOUNT_TOO_LARGE.value),
            (~exact, RejectReason.TOO_MANY_DECIMALS.value),
            else_=_NO_TEXT,
        )
        reasons["unit_price"] = ibis.coalesce(reasons["unit_price"], product_reason)
    if cmap.layout in ("periods", "invoices") and "end_date" in col:
        before = (checked._v_end_date < checked._v_start_date).fill_null(False)
        late = ibis.ifelse(before, RejectReason.END_BEFORE_START.value, _NO_TEXT)
        reasons["end_date"] = ibis.coalesce(reasons["end_date"], late)
    recurring: ir.Value = amount
    excluded: ir.Value = _NO_TEXT
    rules = billing.Billing(cmap.rules, col) if cmap.rules else None
    if rules is not None:
        extra = rules.extra_reasons()
        reasons = {
            r: extra.get(r, reasons.get(r)) for r in _CHECK_ORDER if r in reasons or r in extra
        }
        excluded = rules.excluded()
        # A credit line (a proration, a refund of a one-off fee) is negative and excluded
        # anyway: only recurring revenue must not be negative.
        negative = RejectReason.NEGATIVE_AMOUNT.value
        for role in ("mrr", "unit_price"):
            if role in reasons:
                reasons[role] = ibis.ifelse(
                    excluded.notnull() & (reasons[role] == negative).fill_null(False),
                    _NO_TEXT,
                    reasons[role],
                )
        zero = ibis.literal(Decimal(0), type=MONEY)
        recurring = ibis.ifelse(excluded.notnull(), zero, rules.recurring(amount))
    interval = billing.Interval(col) if cmap.interval_use in ("monthly", "spread") else None
    if interval is not None:
        reasons["interval"] = interval.reason()
        if cmap.interval_use == "monthly":  # a subscription's amount per interval
            recurring = interval.monthly(amount)

    verdict = checked.mutate(
        _amount=amount,
        _recurring=recurring,
        _excluded=excluded,
        **{f"_why_{r}": reason for r, reason in reasons.items()},
    )
    failing = [(verdict[f"_why_{r}"].notnull(), r) for r in reasons]
    typed: dict[str, ir.Value] = {
        "customer_id": col["customer_id"].cast("string"),
        **{r: verdict[f"_v_{r}"] for r in (*dates, *amounts) if r != "mrr"},
    }
    if rules is not None and cmap.layout == "periods":
        values = {r: verdict[f"_v_{r}"] for r in dates}
        typed["start_date"], typed["end_date"] = rules.period(
            verdict._v_start_date,
            verdict._v_end_date if "end_date" in col else ibis.null("date"),
            values,
        )
    if cmap.layout == "periods" and "end_date" not in col:
        typed["end_date"] = ibis.null("date")  # no end column: every subscription is active
    if interval is not None and cmap.interval_use == "spread":
        # An amount dated by itself pays for one interval from its date.
        typed["end_date"] = interval.period_end(verdict._v_start_date)
    extras = {name: t[cmap.source_of(name)].cast("string") for name in cmap.attributes}
    # A renewal date is only an event that dates the export: read when it can be, never
    # a reason to reject the row.
    renewals = (
        [
            date_value(
                date_text(text_of(col["renewed_at"])), read.order, other_forms=read.other_dates
            )
        ]
        if "renewed_at" in col
        else []
    )
    if "product" in col:
        extras["product"] = col["product"].cast("string")
    if "_v_currency" in verdict.columns:
        extras["currency"] = verdict._v_currency
    return verdict.select(
        _rr_line=verdict[LINE_COLUMN],
        **typed,
        mrr=verdict._recurring,
        **extras,
        _rr_reason=ibis.coalesce(*[verdict[f"_why_{r}"] for r in reasons]),
        _rr_bad_column=ibis.cases(
            *[(c, _column_named(verdict, cmap, _source_role(cmap, r))) for c, r in failing],
            else_=_NO_TEXT,
        ),
        _rr_bad_value=ibis.cases(
            *[(c, verdict[cmap.roles[_source_role(cmap, r)]].cast("string")) for c, r in failing],
            else_=_NO_TEXT,
        ),
        _rr_amount=verdict._amount,
        **({"_rr_excluded": verdict._excluded} if rules is not None else {}),
        **_id_values(verdict, cmap, t.columns),
        **(
            {"_rr_observed": observed_date(verdict, cmap, verdict._v_start_date, *renewals)}
            if cmap.layout in ("periods", "invoices")
            else {}
        ),
        # Integer ids as the engine holds them: grouping by them is cheaper than by their
        # text, which the canonical table gets after grouping (the same ids, one to one).
        **({ID: col["customer_id"]} if col["customer_id"].type().is_integer() else {}),
    )


#: Prefix of the id columns a row carries for the repeated-rows check only.
_ID_PREFIX = "_rr_id_"


def _id_values(rows: ir.Table, cmap: ColumnMap, header: Sequence[str]) -> dict[str, ir.Value]:
    """The row's subscription, invoice or line ids: rows differing in one are not repeats.

    ``header``: the source's columns (``rows`` holds the validation's own columns too).
    """
    if cmap.layout == "wide":
        return {}  # a cube's rows are compared as the source wrote them
    names = id_columns([c for c in header if c != LINE_COLUMN], cmap)
    return {f"{_ID_PREFIX}{i}": rows[name].cast("string") for i, name in enumerate(names)}


def parse_overrides(columns: Mapping[str, str] | None) -> dict[str, str]:
    return dict(columns or {})


def _date_required(role: str, cmap: ColumnMap) -> bool:
    """An open end is a live subscription; an invoice line must say what it covers."""
    if role in ("month", "start_date"):
        return True
    return role == "end_date" and cmap.layout == "invoices"


def _columns_read(cmap: ColumnMap) -> dict[str, str]:
    """The role -> column map as reported; a cube names its span of month columns."""
    if cmap.layout != "wide":
        return dict(cmap.roles)
    names = list(cmap.months)
    span = names[0] if len(names) == 1 else f"{names[0]} .. {names[-1]}"
    return {"customer_id": cmap.roles["customer_id"], "months": f"{span} ({len(names)} columns)"}


def _amount_role(cmap: ColumnMap) -> str:
    """The role whose column holds each row's amount (``unit_price`` for line items)."""
    return "mrr" if "mrr" in cmap.roles else "unit_price"


def _amount_column(cmap: ColumnMap) -> str:
    """The amount's column as the file names it (a cube's: its month columns)."""
    if cmap.layout == "wide":
        return "the month columns"
    return cmap.roles[_amount_role(cmap)]


def _source_role(cmap: ColumnMap, role: str) -> str:
    """The role whose column a failure is named by: a currency no column gives is the amount's."""
    return _amount_role(cmap) if role == "currency" and role not in cmap.roles else role


def _column_named(rows: ir.Table, cmap: ColumnMap, role: str) -> ir.Value:
    """The source column a role's value came from (in a cube, the month's own column)."""
    if cmap.layout == "wide" and role == "mrr":
        return rows[wide.SOURCE_COLUMN]
    return ibis.literal(cmap.roles[role])


def _count(
    rows: ir.Table, cmap: ColumnMap, as_of: int | None, snapshot: Snapshot
) -> dict[str, Any]:
    """Rows and money per reason, and the month range of accepted rows, in one pass."""
    if cmap.layout == "invoices":
        first, stop = _invoice_months(rows, snapshot)
        last = stop - 1
    elif cmap.layout != "periods":
        first = last = month_index_of(rows.month)
    else:
        # From the first month a subscription counts in to the month its end shows as churn.
        first, stop = _period_months(rows, snapshot)
        last = ibis.greatest(first, stop.fill_null(first))
    in_range = first <= as_of if as_of is not None else ibis.literal(True)
    keys = {"reason": rows._rr_reason}
    if "currency" in rows.columns:
        keys["currency"] = rows.currency
    summary = (
        rows.group_by(**keys)
        .agg(
            n=rows.count(),
            money=rows._rr_amount.sum(),
            money_in_range=rows._rr_amount.sum(where=in_range),
            without_amount=rows._rr_amount.isnull().sum(),
            first=first.min(),
            last=last.max(),
            **({"observed": rows._rr_observed.max()} if "_rr_observed" in rows.columns else {}),
            **(
                {"open": rows.end_date.isnull().sum(), "latest_end": rows.end_date.max()}
                if cmap.layout == "periods"
                else {}
            ),
        )
        .to_pyarrow()
        .to_pylist()
    )
    by_currency: dict[str | None, dict[str, Decimal]] = {}
    for r in summary:
        if "currency" not in r:
            break
        money = by_currency.setdefault(
            r["currency"], {"read": Decimal(0), "accepted": Decimal(0), "rejected": Decimal(0)}
        )
        amount = r["money"] or Decimal(0)
        money["read"] += amount
        money["rejected" if r["reason"] is not None else "accepted"] += amount
    summary = _merged_by_reason(summary) if "currency" in rows.columns else summary
    good = next((r for r in summary if r["reason"] is None), None)
    bad = [r for r in summary if r["reason"] is not None]
    money_rejected = sum((r["money"] or Decimal(0) for r in bad), Decimal(0))
    return {
        "by_currency": by_currency,
        "rows_read": sum(r["n"] for r in summary),
        "rejected": sum(r["n"] for r in bad),
        "by_reason": {r["reason"]: r["n"] for r in bad},
        "money_accepted": (good["money"] or Decimal(0)) if good else Decimal(0),
        "money_rejected": money_rejected,
        "money_in_range": (good["money_in_range"] or Decimal(0)) if good else Decimal(0),
        "rows_without_amount": sum(r["without_amount"] for r in bad),
        "first": good["first"] if good else None,
        "last": good["last"] if good else None,
        "observed": _latest_event(good) if good else None,
        "open": good.get("open", 0) if good else 0,
    }


def _ends_are_events(cmap: ColumnMap, counts: dict[str, Any]) -> bool:
    """Whether the end dates record ends that happened, none scheduled beyond the extract.

    So in a subscriptions file that leaves running subscriptions open, in an end column
    named as an event (``ended_at``), and in a Stripe subscriptions export.
    """
    if cmap.layout != "periods":
        return False
    end = cmap.roles.get("end_date")
    return (
        bool(counts["open"]) or cmap.rules is not None or (end is not None and names_an_event(end))
    )


def _latest_event(good: dict[str, Any]) -> Any:
    """The latest date the accepted rows record as having happened (``canonical.observed``).

    A subscriptions file that leaves the end of running subscriptions empty writes an end
    date once a subscription has ended: its end dates are events too. Where every row has
    an end (fixed terms), an end may be scheduled, and only starts and the like count.
    """
    observed, latest_end = good.get("observed"), good.get("latest_end")
    if good.get("open") and latest_end is not None and observed is not None:
        return max(observed, latest_end)
    return observed


def _merged_by_reason(summary: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-(reason, currency) counts folded back to per reason (a handful of rows)."""
    merged: dict[str | None, dict[str, Any]] = {}
    for r in summary:
        m = merged.get(r["reason"])
        if m is None:
            merged[r["reason"]] = {k: v for k, v in r.items() if k != "currency"}
            continue
        for name in ("n", "without_amount", "open"):
            if name in r:
                m[name] += r[name]
        for name in ("money", "money_in_range"):
            if r[name] is not None:
                m[name] = (m[name] or Decimal(0)) + r[name]
        for name, pick in (("first", min), ("last", max), ("observed", max), ("latest_end", max)):
            if name in r and r[name] is not None:
                m[name] = r[name] if m.get(name) is None else pick(m[name], r[name])
    return list(merged.values())


def _customer_months(
    accepted: ir.Table, cmap: ColumnMap, months: MonthRange, snapshot: Snapshot
) -> ir.Table:
    """Sum line items into one row per customer and month within the analysed range."""
    monthly = _monthly(accepted, cmap, months, snapshot)
    grouped = monthly.group_by("customer_id", "month_index").agg(
        mrr=monthly.mrr.sum().cast(MONEY),
        **{name: monthly[name].min() for name in cmap.attributes},
    )
    year = (grouped.month_index // 12).cast("int32")
    month = (grouped.month_index % 12 + 1).cast("int32")
    return grouped.select(
        "customer_id",
        "month_index",
        period=ibis.date(year, month, 1),
        mrr=grouped.mrr,
        **{name: grouped[name] for name in cmap.attributes},
    )


def _monthly(
    accepted: ir.Table, cmap: ColumnMap, months: MonthRange, snapshot: Snapshot
) -> ir.Table:
    """Accepted rows with the month each counts in (one row per month covered)."""
    if cmap.layout == "invoices":
        monthly = spread_invoices(accepted, snapshot)
    elif cmap.layout != "periods":
        monthly = accepted.mutate(month_index=month_index_of(accepted.month))
    else:
        monthly = _expand_periods(accepted, months, snapshot)
    return monthly.filter(monthly.month_index.between(months.first, months.last))


def _currency_lines(
    accepted: ir.Table, cmap: ColumnMap, months: MonthRange, snapshot: Snapshot
) -> ir.Table:
    """Local amounts per customer, month and currency: what conversion starts from."""
    monthly = _monthly(accepted, cmap, months, snapshot)
    return monthly.group_by("customer_id", "month_index", "currency").agg(
        local=monthly.mrr.sum().cast(MONEY)
    )


def _converted(
    lines: ir.Table,
    rates: ir.Table,
    accepted: ir.Table,
    cmap: ColumnMap,
    months: MonthRange,
    snapshot: Snapshot,
) -> ir.Table:
    """The canonical table at spot rates: each month's local amounts at that month's rates."""
    joined = lines.join(rates, ["currency", "month_index"])
    spot = joined.group_by("customer_id", "month_index").agg(
        mrr=fx.convert(joined.local, joined.rate).sum().cast(MONEY)
    )
    if cmap.attributes:
        monthly = _monthly(accepted, cmap, months, snapshot)
        attrs = monthly.group_by("customer_id", "month_index").agg(
            **{name: monthly[name].min() for name in cmap.attributes}
        )
        spot = spot.join(attrs, ["customer_id", "month_index"])
    return spot.select(
        "customer_id",
        "month_index",
        period=month_start_of_index(spot.month_index),
        mrr=spot.mrr,
        **{name: spot[name] for name in cmap.attributes},
    )


def _period_months(rows: ir.Table, snapshot: Snapshot) -> tuple[ir.IntegerValue, ir.IntegerValue]:
    """First month a subscription counts in, and the first month it no longer does."""
    return _snapshot_months(rows.start_date, rows.end_date, snapshot)


def _snapshot_months(
    start: ir.DateValue, end: ir.DateValue, snapshot: Snapshot
) -> tuple[ir.IntegerValue, ir.IntegerValue]:
    start_m = month_index_of(start)
    end_m = month_index_of(end)
    if snapshot == "first":
        start_m = start_m + ibis.ifelse(start.day() > 1, 1, 0)
        end_m = end_m + ibis.ifelse(end.day() > 1, 1, 0)
    return start_m, end_m


def _expand_periods(accepted: ir.Table, months: MonthRange, snapshot: Snapshot) -> ir.Table:
    """One row per month in which a subscription is active at the snapshot day.

    With the last-day snapshot a period [start, end) covers months
    month(start) .. month(end) - 1: the last day of month(start) is on or after start,
    and the last day of month(end) is not before end. With the first-day snapshot it
    covers the months whose first day lies in [start, end).
    """
    start_m, end_m = _period_months(accepted, snapshot)
    # An open subscription runs to the end of the analysed range.
    stop = ibis.least(end_m.fill_null(months.last + 1), months.last + 1)
    spans = accepted.mutate(_months=ibis.range(start_m, stop))
    return spans.mutate(month_index=spans._months.unnest()).drop("_months")


def _check_spread(accepted: ir.Table, snapshot: Snapshot) -> Decimal:
    """Spreading only splits amounts: every accepted cent is in some month or the residual.

    Returns the residual of rounding each line's monthly share to the money scale.
    """
    lines = accepted.select("start_date", "end_date", "mrr")
    spread = spread_invoices(lines, snapshot)
    total = spread.mrr.sum().to_pyarrow().as_py() or Decimal(0)
    residual = spread_residual(lines, snapshot).to_pyarrow().as_py() or Decimal(0)
    money = lines.mrr.sum().to_pyarrow().as_py() or Decimal(0)
    if total + residual != money:
        raise AssertionError(f"invoice lines spread to {total} + {residual} != accepted {money}")
    return residual


def _invoice_months(rows: ir.Table, snapshot: Snapshot) -> tuple[ir.IntegerValue, ir.IntegerValue]:
    """First month an invoice line covers and the month after its last (at least one month).

    The end of a service period is exclusive, as billing systems write it (2024-01-15 to
    2025-01-15), except that a period from the first of a month to the last day of a
    month is read as inclusive (2024-01-01 to 2024-12-31): both are 12 months. The months
    covered are those whose snapshot day lies in the period (the subscription rule); a
    line too short to contain a snapshot day counts in the month it starts.
    """
    start, end = rows.start_date, rows.end_date
    month_end = end == end.truncate("M") + ibis.interval(months=1) - ibis.interval(days=1)
    inclusive = (start.day() == 1) & month_end & (end >= start)
    exclusive_end = ibis.ifelse(inclusive, end + ibis.interval(days=1), end)
    first, stop = _snapshot_months(start, exclusive_end.cast("date"), snapshot)
    first = first.cast("int64")
    stop = stop.cast("int64")
    covers = stop > first
    start_m = month_index_of(start).cast("int64")
    return ibis.ifelse(covers, first, start_m), ibis.ifelse(covers, stop, start_m + 1)


_MICROS = 10**MONEY_SCALE
_UNIT = dt.Decimal(8, MONEY_SCALE)


def _monthly_share(lines: ir.Table, snapshot: Snapshot) -> dict[str, ir.Value]:
    """Each line's first month, months covered and monthly share, in whole millionths.

    The share is the amount over the months, rounded half up to the money scale, and
    never below one millionth for a positive amount (a 0.01 line over a year still pays
    in every month it covers). It is the same in every month: rounding never becomes a
    movement.
    """
    first, stop = _invoice_months(lines, snapshot)
    span = (stop - first).cast("int64")
    micros = (lines.mrr * _MICROS).round(0).cast("int64")
    # Integer division: engines divide decimals in floating point.
    rounded = (2 * micros + span) // (2 * span)
    share = ibis.ifelse((micros > 0) & (rounded < 1), 1, rounded).cast("int64")
    return {"_first": first, "_span": span, "_micros": micros, "_share": share}


def _from_micros(units: ir.IntegerValue) -> ir.DecimalValue:
    """Whole millionths as money: a multiplication by a decimal unit, never a division."""
    unit = ibis.literal(Decimal("0.000001"), type=_UNIT).cast(MONEY)
    return (units.cast(MONEY) * unit).cast(MONEY)


def spread_residual(lines: ir.Table, snapshot: Snapshot = "last") -> ir.DecimalScalar:
    """What the lines' amounts and their monthly shares differ by, summed: never a movement.

    1000.00 over 12 months is 83.333333 a month (rounded to the money scale), 0.000004
    less than the line over its year: that residual is reported as such
    (``money_spread_residual``) so that the accepted money still reconciles exactly.
    """
    shares = lines.mutate(**_monthly_share(lines, snapshot))
    return _from_micros((shares._micros - shares._span * shares._share).sum())


def spread_invoices(lines: ir.Table, snapshot: Snapshot = "last") -> ir.Table:
    """One row per invoice line and month covered, each month with the same share.

    A line that is flat over its period gives the same MRR in every month of it: the
    amount over the months covered, rounded half up to six places (the money scale).
    What that rounding leaves is ``spread_residual``, reported beside the money read.

    Examples
    --------
    >>> import ibis, datetime as dt, pyarrow as pa
    >>> t = ibis.memtable(pa.table({"customer_id": ["a"], "start_date": [dt.date(2024, 1, 15)],
    ...     "end_date": [dt.date(2024, 4, 15)], "mrr": [1000]})).cast({"mrr": "decimal(38, 6)"})
    >>> [str(r["mrr"]) for r in spread_invoices(t).order_by("month_index").to_pyarrow().to_pylist()]
    ['333.333333', '333.333333', '333.333333']
    >>> str(spread_residual(t).to_pyarrow().as_py())
    '0.000001'
    """
    spans = lines.mutate(**_monthly_share(lines, snapshot))
    spans = spans.mutate(_offset=ibis.range(0, spans._span))
    spread = spans.mutate(_offset=spans._offset.unnest())
    return spread.mutate(
        month_index=spread._first + spread._offset, mrr=_from_micros(spread._share)
    ).drop("_first", "_span", "_micros", "_share", "_offset")
