"""Read a source into the canonical customer-month table, rejecting bad rows with reasons."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.canonical.columns import ColumnMap, map_columns
from revenue_retention.canonical.dataset import Dataset, InputReport, Snapshot
from revenue_retention.canonical.parse import (
    MAX_INTEGER_DIGITS,
    PARSED,
    amount_syntax_reason,
    amount_value,
    date_reason,
    date_value,
    is_blank,
    negative_reason,
    text_of,
    typed_amount,
    typed_date,
    typed_date_reason,
)
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
    BadRow,
    BadRowsError,
    InputError,
    NoValidRowsError,
    OptionError,
    RejectReason,
    SourceError,
)
from revenue_retention.inputs import Raw, read_source, read_table
from revenue_retention.money import MONEY
from revenue_retention.periods import MonthRange, month_index_of, parse_month

__all__ = ["load"]

OnBadRows = Literal["raise", "reject"]
_EXAMPLES = 5
_PRODUCT = dt.Decimal(38, 12)
_NO_TEXT = ibis.null("string")


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
    spark_master: str | None = None,
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
    spark_master
        With ``engine="spark"``: the master of the new session (default ``local[*]``).

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
        raise OptionError("--snapshot", snapshot, "must be 'last' or 'first'")
    if on_bad_rows not in ("raise", "reject"):
        raise OptionError("on_bad_rows", on_bad_rows, "must be 'raise' or 'reject'")
    as_of_index = parse_month(as_of) if isinstance(as_of, str) else as_of

    con, raw = _open(source, table, engine, input_format, spark_master)
    try:
        cmap = map_columns(raw.columns, raw.path, columns)
        # Parsed and validated once: the counts, the canonical table and the examples of
        # bad rows all read this table instead of parsing the file again.
        validated = _validated(raw.fast, cmap)
        lazy = raw.rescan and capability(con, "rescan") == "lazy" and cmap.layout == "long"
        rows = validated if lazy else materialize(con, validated, "validated")
        return _load_rows(raw, cmap, rows, con, as_of_index, snapshot, on_bad_rows, lazy)
    except engine_errors() as error:
        # The scan is lazy: a malformed file surfaces when the first query reads it.
        _close_own(con, source)
        raise SourceError(raw.path, f"cannot be read: {describe_error(error)}") from None
    except BaseException:
        _close_own(con, source)
        raise


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
) -> tuple[BaseBackend, Raw]:
    """The engine to compute in and the raw input: a file it scans, or a table it holds."""
    if is_url(source):
        assert isinstance(source, str)
        if table is None:
            raise OptionError("--table", None, "is needed with a database URL: name the table")
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
            raise OptionError("--table", table, "reads a database table; drop the file name")
        return con, read_table(con, table, table)
    if source is None:
        raise OptionError("source", None, "is needed: a file, or a database URL with a table")
    return con, read_source(source, con, input_format)


def _load_rows(
    raw: Raw,
    cmap: ColumnMap,
    rows: ir.Table,
    con: BaseBackend,
    as_of_index: int | None,
    snapshot: Snapshot,
    on_bad_rows: OnBadRows,
    lazy: bool = False,
) -> Dataset:
    """Count, check and canonicalise the validated rows (every query runs from here).

    ``rows`` may lack line numbers (a parallel scan); whatever names a line (examples of
    bad rows, the rejects, the line items) reads a lazily numbered validation instead.
    ``lazy``: nothing is stored; each query validates the (typed, columnar) source again,
    which costs less than writing and reading back a copy of it.
    """
    accepted = rows.filter(rows._rr_reason.isnull())
    numbered = _validated(raw.table, cmap)

    counts = _count(rows, cmap, as_of_index, snapshot)
    rejected = counts["rejected"]
    if rejected and on_bad_rows == "raise":
        raise BadRowsError(raw.path, _examples(numbered, raw.path), rejected, counts["rows_read"])
    if counts["first"] is None:
        if rejected:  # say why, even when bad rows were to be set aside
            examples = "".join(f"\n  {row}" for row in _examples(numbered, raw.path))
            raise NoValidRowsError(
                f"{raw.path}: all {rejected} rows are invalid; nothing to compute.{examples}",
                rejects=_rejects(raw, numbered),
            )
        raise InputError(f"{raw.path}: no rows of data; nothing to compute")

    data_months = MonthRange(counts["first"], counts["last"])
    months = data_months.capped(as_of_index)
    canonical = _customer_months(accepted, cmap, months, snapshot)
    table = canonical if lazy else materialize(con, canonical, "canonical")
    if cmap.layout == "long" and not lazy:
        # Canonicalisation only groups and sums: every accepted cent up to the last month
        # analysed must still be there. A difference is a bug, never a data problem.
        kept = table.mrr.sum().to_pyarrow().as_py() or Decimal(0)
        if kept != counts["money_in_range"]:
            raise AssertionError(f"canonical MRR {kept} != accepted {counts['money_in_range']}")

    renamed = [f"{src!r} as {name!r}" for src, name in cmap.renamed.items()]
    report = InputReport(
        warnings=tuple(_id_warnings(table) if _ids_may_clash(raw, cmap) else ())
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
        columns=dict(cmap.roles),
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
    )
    return Dataset(
        con=con,
        table=table,
        months=months,
        attributes=cmap.attributes,
        report=report,
        rejects=_rejects(raw, numbered),
        line_items=numbered.filter(numbered._rr_reason.isnull())
        .drop("_rr_reason", "_rr_bad_column", "_rr_bad_value", "_rr_amount")
        .rename(line="_rr_line"),
        # Accepted amounts are below 10^12 each: the narrow decimal holds them exactly and
        # sums faster than the 38-digit one in the window frames that read these rows.
        rows=accepted.select(
            "customer_id", month_index=month_index_of(accepted.month), mrr=accepted.mrr.cast(PARSED)
        )
        if lazy
        else None,
    )


_DATES = ("month", "start_date", "end_date")
_AMOUNTS = ("mrr", "quantity", "unit_price")
#: The order in which failures are reported: the first one of a row is its reason.
_CHECK_ORDER = ("customer_id", "month", "start_date", "end_date", "mrr", "quantity", "unit_price")


def _validated(t: ir.Table, cmap: ColumnMap) -> ir.Table:
    """Every row with its typed values and, when bad, the first failing column and why.

    Built in stages (text, values, reasons, verdict) that name their columns, so the
    engine evaluates each pattern once per row instead of once per use.
    """
    col = {role: t[name] for role, name in cmap.roles.items()}
    dates = [r for r in _DATES if r in col]
    amounts = [r for r in _AMOUNTS if r in col]

    # Typed columns (dates, integers, decimals) are validated as they are; others as text.
    typed_dates = {r: v for r in dates if (v := typed_date(col[r])) is not None}
    typed_amounts = {r: v for r in amounts if (v := typed_amount(col[r])) is not None}
    as_text = [r for r in (*dates, *amounts) if r not in typed_dates and r not in typed_amounts]

    text = t.mutate(**{f"_t_{r}": text_of(col[r]) for r in as_text})
    parsed = text.mutate(
        **{f"_v_{r}": date_value(text[f"_t_{r}"]) for r in dates if r not in typed_dates},
        **{f"_r_{r}": amount_syntax_reason(text[f"_t_{r}"]) for r in amounts if r in as_text},
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
            f"_r_{r}": date_reason(parsed[f"_t_{r}"], parsed[f"_v_{r}"], required=r != "end_date")
            for r in dates
            if r in as_text
        },
        **{
            f"_r_{r}": typed_date_reason(parsed[f"_v_{r}"], required=r != "end_date")
            for r in typed_dates
        },
        _r_customer_id=ibis.ifelse(
            is_blank(col["customer_id"]),
            RejectReason.MISSING_CUSTOMER_ID.value,
            _NO_TEXT,
        ),
    )
    checked = valued.mutate(
        **{f"_r_{r}": negative_reason(valued[f"_v_{r}"], valued[f"_r_{r}"]) for r in amounts}
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
    if cmap.layout == "periods" and "end_date" in col:
        before = (checked._v_end_date < checked._v_start_date).fill_null(False)
        late = ibis.ifelse(before, RejectReason.END_BEFORE_START.value, _NO_TEXT)
        reasons["end_date"] = ibis.coalesce(reasons["end_date"], late)

    verdict = checked.mutate(
        _amount=amount, **{f"_why_{r}": reason for r, reason in reasons.items()}
    )
    failing = [(verdict[f"_why_{r}"].notnull(), r) for r in reasons]
    typed: dict[str, ir.Value] = {
        "customer_id": col["customer_id"].cast("string"),
        **{r: verdict[f"_v_{r}"] for r in (*dates, *amounts) if r != "mrr"},
    }
    if cmap.layout == "periods" and "end_date" not in col:
        typed["end_date"] = ibis.null("date")  # no end column: every subscription is active
    extras = {name: t[cmap.source_of(name)].cast("string") for name in cmap.attributes}
    if "product" in col:
        extras["product"] = col["product"].cast("string")
    return verdict.select(
        _rr_line=verdict[LINE_COLUMN],
        **typed,
        mrr=verdict._amount,
        **extras,
        _rr_reason=ibis.coalesce(*[verdict[f"_why_{r}"] for r in reasons]),
        _rr_bad_column=ibis.cases(*[(c, cmap.roles[r]) for c, r in failing], else_=_NO_TEXT),
        _rr_bad_value=ibis.cases(
            *[(c, verdict[cmap.roles[r]].cast("string")) for c, r in failing], else_=_NO_TEXT
        ),
        _rr_amount=verdict._amount,
    )


def _count(
    rows: ir.Table, cmap: ColumnMap, as_of: int | None, snapshot: Snapshot
) -> dict[str, Any]:
    """Rows and money per reason, and the month range of accepted rows, in one pass."""
    if cmap.layout == "long":
        first = last = month_index_of(rows.month)
    else:
        # From the first month a subscription counts in to the month its end shows as churn.
        first, stop = _period_months(rows, snapshot)
        last = ibis.greatest(first, stop.fill_null(first))
    in_range = first <= as_of if as_of is not None else ibis.literal(True)
    summary = (
        rows.group_by(reason=rows._rr_reason)
        .agg(
            n=rows.count(),
            money=rows._rr_amount.sum(),
            money_in_range=rows._rr_amount.sum(where=in_range),
            without_amount=rows._rr_amount.isnull().sum(),
            first=first.min(),
            last=last.max(),
        )
        .to_pyarrow()
        .to_pylist()
    )
    good = next((r for r in summary if r["reason"] is None), None)
    bad = [r for r in summary if r["reason"] is not None]
    money_rejected = sum((r["money"] or Decimal(0) for r in bad), Decimal(0))
    return {
        "rows_read": sum(r["n"] for r in summary),
        "rejected": sum(r["n"] for r in bad),
        "by_reason": {r["reason"]: r["n"] for r in bad},
        "money_accepted": (good["money"] or Decimal(0)) if good else Decimal(0),
        "money_rejected": money_rejected,
        "money_in_range": (good["money_in_range"] or Decimal(0)) if good else Decimal(0),
        "rows_without_amount": sum(r["without_amount"] for r in bad),
        "first": good["first"] if good else None,
        "last": good["last"] if good else None,
    }


def _ids_may_clash(raw: Raw, cmap: ColumnMap) -> bool:
    """Whether two ids of the source fold to the same one: a cheap test on distinct ids.

    The distinct ids are few next to the rows, so this costs far less than grouping every
    row by its folded id; only when it finds something are the accepted ids examined.
    """
    ids = raw.fast.select(customer_id=raw.fast[cmap.roles["customer_id"]].cast("string"))
    ids = ids.distinct()
    folded = ids.customer_id.strip().lower().nunique()
    found = ids.aggregate(ids=ids.count(), folded=folded).to_pyarrow().to_pylist()[0]
    return bool(found["ids"] != found["folded"])


def _id_warnings(table: ir.Table) -> list[str]:
    """Ids that differ only by letter case or surrounding spaces: kept apart, but said."""
    folded = table.mutate(_folded=table.customer_id.strip().lower())
    groups = folded.group_by("_folded").agg(ids=folded.customer_id.nunique())
    clashes = groups.filter(groups.ids > 1)
    found = clashes.aggregate(groups=clashes.count(), ids=clashes.ids.sum()).to_pyarrow()
    row = found.to_pylist()[0]
    if not row["groups"]:
        return []
    sample = (
        folded.semi_join(clashes.limit(3), "_folded")
        .select("_folded", "customer_id")
        .distinct()
        .order_by(["_folded", "customer_id"])
        .to_pyarrow()
        .to_pylist()
    )
    shown = ", ".join(repr(r["customer_id"]) for r in sample)
    return [
        f"{row['ids']} customer ids differ from another only by letter case or surrounding "
        f"spaces (e.g. {shown}); they are counted as different customers. Clean the ids "
        "if they are the same account."
    ]


def _examples(rows: ir.Table, path: str) -> list[BadRow]:
    bad = rows.filter(rows._rr_reason.notnull()).order_by("_rr_line").limit(_EXAMPLES)
    columns = ["_rr_line", "_rr_bad_column", "_rr_bad_value", "_rr_reason"]
    found = bad.select(*columns).to_pyarrow().to_pylist()
    return [
        BadRow(
            path,
            r["_rr_line"],
            r["_rr_bad_column"],
            r["_rr_bad_value"],
            RejectReason(r["_rr_reason"]),
        )
        for r in found
    ]


def _rejects(raw: Raw, rows: ir.Table) -> ir.Table:
    """Rejected rows verbatim (every source column as text) behind their location and reason.

    A source column named like one of the five leading columns gets `` (input)`` appended.
    """
    bad = rows.filter(rows._rr_reason.notnull()).select(
        "_rr_line", "_rr_bad_column", "_rr_bad_value", "_rr_reason"
    )
    source = raw.table.select(
        _rr_key=raw.table[LINE_COLUMN],
        **{f"_rr_src_{i}": raw.table[name].cast("string") for i, name in enumerate(raw.columns)},
    )
    joined = bad.join(source, bad._rr_line == source._rr_key)
    leading = ("file", "line", "column", "value", "reason")
    verbatim = {
        (f"{name} (input)" if name in leading else name): joined[f"_rr_src_{i}"]
        for i, name in enumerate(raw.columns)
    }
    return joined.select(
        file=ibis.literal(raw.path),
        line=joined._rr_line,
        column=joined._rr_bad_column,
        value=joined._rr_bad_value,
        reason=joined._rr_reason,
        **verbatim,
    ).order_by("line")


def _customer_months(
    accepted: ir.Table, cmap: ColumnMap, months: MonthRange, snapshot: Snapshot
) -> ir.Table:
    """Sum line items into one row per customer and month within the analysed range."""
    if cmap.layout == "long":
        monthly = accepted.mutate(month_index=month_index_of(accepted.month))
    else:
        monthly = _expand_periods(accepted, months, snapshot)
    monthly = monthly.filter(monthly.month_index.between(months.first, months.last))
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


def _period_months(rows: ir.Table, snapshot: Snapshot) -> tuple[ir.IntegerValue, ir.IntegerValue]:
    """First month a subscription counts in, and the first month it no longer does."""
    start_m = month_index_of(rows.start_date)
    end_m = month_index_of(rows.end_date)
    if snapshot == "first":
        start_m = start_m + ibis.ifelse(rows.start_date.day() > 1, 1, 0)
        end_m = end_m + ibis.ifelse(rows.end_date.day() > 1, 1, 0)
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
