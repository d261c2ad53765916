"""The canonical table (METRICS.md §1): accepted rows summed into one row per customer-month.

Line items add up; the period is the month's first day; a dated row counts in the months
its layout says (``Layout.monthly``). With several currencies, each month's local amounts
are converted at that month's rates (``canonical.fx``). ``canonical_table`` chooses how,
and checks that no accepted cent is lost on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.canonical import fx
from revenue_retention.canonical.columns import ColumnMap
from revenue_retention.canonical.counts import Counts
from revenue_retention.canonical.dataset import Snapshot
from revenue_retention.canonical.fx_setup import FxSetup
from revenue_retention.canonical.grouped import canonical_of_groups, customer_month_groups
from revenue_retention.canonical.layouts import layout_of
from revenue_retention.engine import materialize
from revenue_retention.money import MONEY
from revenue_retention.periods import MonthRange, month_start_of_index

__all__ = [
    "Canonical",
    "canonical_table",
    "converted",
    "currency_lines",
    "customer_months",
    "line_items",
    "monthly",
    "with_attributes",
]


@dataclass(frozen=True)
class Canonical:
    """The canonical table, or how to make it, and what the metrics read beside it."""

    table: ir.Table
    #: How to make the table with its attributes when first asked for (else ``table``).
    source: Callable[[], ir.Table] | None = None
    #: The customer-months as the bridge and retention read them (``Dataset.rows``).
    rows: ir.Table | None = None
    fx: fx.Fx | None = None


def canonical_table(
    con: BaseBackend,
    rows: ir.Table,
    cmap: ColumnMap,
    groups: ir.Table | None,
    setup: FxSetup | None,
    months: MonthRange,
    snapshot: Snapshot,
) -> tuple[Canonical, ir.Scalar | None]:
    """The canonical table of the validated ``rows``, and the money it kept (to check).

    Converted at spot rates with several currencies; read off the stored ``groups`` of a
    long input summed in one scan (which hold the accepted money by construction); else
    grouped and stored.
    """
    accepted = rows.filter(rows._rr_reason.isnull())
    if setup is not None and setup.active:
        rates = materialize(
            con,
            fx.spine_rates(
                setup.rates, setup.fixed, setup.reporting, setup.currencies, months.months
            ),
            "rates_by_month",
        )
        lines = materialize(con, currency_lines(accepted, cmap, months, snapshot), "fx_lines")
        fx_data = fx.Fx(setup.reporting, setup.currencies, lines, rates, setup.source)
        spot = converted(lines, rates, accepted, cmap, months, snapshot)
        table = materialize(con, spot, "canonical")
        return Canonical(table, fx=fx_data), lines.local.sum()
    if groups is not None:
        table, metric_rows = canonical_of_groups(groups, months)
        # Attributes are for breakdowns and the report: summed again with them, only
        # when something asks for the table (the bridge and retention never do).
        source = with_attributes(con, rows, cmap.attributes, months) if cmap.attributes else None
        return Canonical(table, source=source, rows=metric_rows), None
    # Stored: the checks below and every analysis group the customer-months again, and a
    # grouping over a grouping of the scanned source holds two hash tables at once (beyond
    # a small memory limit), where one over a stored table streams.
    table = materialize(con, customer_months(accepted, cmap, months, snapshot), "canonical")
    return Canonical(table), table.mrr.sum()


def check_kept(kept: ir.Scalar | None, counts: Counts, cmap: ColumnMap) -> None:
    """Canonicalisation only groups and sums: every accepted cent up to the last month
    analysed must still be there. A difference is a bug, never a data problem."""
    if kept is None or not layout_of(cmap.layout).reconciles_kept_money:
        return
    found = kept.to_pyarrow().as_py() or Decimal(0)
    if found != counts.money_in_range:
        raise AssertionError(f"canonical MRR {found} != accepted {counts.money_in_range}")


def customer_months(
    accepted: ir.Table, cmap: ColumnMap, months: MonthRange, snapshot: Snapshot
) -> ir.Table:
    """Sum line items into one row per customer and month within the analysed range.

    Defines: the canonical table, one row per customer-month with line items summed
    (METRICS.md §1). A long export's one-scan grouping (``canonical.grouped``) is the same
    sum, done while the input is counted: an optimisation, not a second definition.
    """
    rows = monthly(accepted, cmap, months, snapshot)
    grouped = rows.group_by("customer_id", "month_index").agg(
        mrr=rows.mrr.sum().cast(MONEY),
        **{name: rows[name].min() for name in cmap.attributes},
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


def monthly(
    accepted: ir.Table, cmap: ColumnMap, months: MonthRange, snapshot: Snapshot
) -> ir.Table:
    """Accepted rows with the month each counts in (one row per month covered)."""
    monthly = layout_of(cmap.layout).monthly(accepted, months, snapshot)
    return monthly.filter(monthly.month_index.between(months.first, months.last))


def currency_lines(
    accepted: ir.Table, cmap: ColumnMap, months: MonthRange, snapshot: Snapshot
) -> ir.Table:
    """Local amounts per customer, month and currency: what conversion starts from."""
    rows = monthly(accepted, cmap, months, snapshot)
    return rows.group_by("customer_id", "month_index", "currency").agg(
        local=rows.mrr.sum().cast(MONEY)
    )


def converted(
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
        rows = monthly(accepted, cmap, months, snapshot)
        attrs = rows.group_by("customer_id", "month_index").agg(
            **{name: rows[name].min() for name in cmap.attributes}
        )
        spot = spot.join(attrs, ["customer_id", "month_index"])
    return spot.select(
        "customer_id",
        "month_index",
        period=month_start_of_index(spot.month_index),
        mrr=spot.mrr,
        **{name: spot[name] for name in cmap.attributes},
    )


def with_attributes(
    con: BaseBackend, rows: ir.Table, attributes: tuple[str, ...], months: MonthRange
) -> Callable[[], ir.Table]:
    """How to make the canonical table with its attribute columns: one more pass of ``rows``."""

    def make() -> ir.Table:
        groups = materialize(con, customer_month_groups(rows, attributes), "canonical")
        return canonical_of_groups(groups, months, attributes)[0]

    return make


def line_items(rows: ir.Table) -> ir.Table:
    """The accepted rows as read, the validation's own columns dropped.

    From the rows already validated (stored, or a typed source scanned in parallel), not
    a numbered validation of the source again: their ``line`` is null when the scan that
    validated them did not number them.
    """
    accepted = rows.filter(rows._rr_reason.isnull())
    internal = [c for c in accepted.columns if c.startswith("_rr_") and c != "_rr_line"]
    return accepted.drop(*internal).rename(line="_rr_line")
