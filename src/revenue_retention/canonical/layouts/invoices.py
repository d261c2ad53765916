"""The invoices layout: invoice lines over service periods, spread over the months covered.

An invoice line (``customer_id, start_date, end_date, mrr``) pays for its service period:
its amount is spread in equal monthly shares over the months whose snapshot day the
period contains (METRICS.md §1), so an annual invoice is twelve months of MRR. What
rounding each share to the money scale leaves is reported (``spread_residual``), never a
movement.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from revenue_retention.canonical.dataset import Snapshot
from revenue_retention.canonical.layouts.base import RowsLayout, Span
from revenue_retention.canonical.layouts.periods import end_before_start
from revenue_retention.canonical.snapshot import snapshot_months
from revenue_retention.money import MONEY, MONEY_SCALE
from revenue_retention.periods import MonthRange, month_index_of

if TYPE_CHECKING:
    from revenue_retention.canonical.columns import ColumnMap

__all__ = ["Invoices", "check_spread", "invoice_months", "spread_invoices", "spread_residual"]


class Invoices(RowsLayout):
    """Invoice lines: each amount spread over the months its service period covers."""

    name = "invoices"
    sums_in_one_scan = False
    dated = True
    reconciles_kept_money = False

    def date_required(self, role: str) -> bool:
        # An invoice line must say what it covers.
        return role in ("month", "start_date", "end_date")

    def extra_reasons(self, rows: ir.Table, cmap: ColumnMap) -> dict[str, ir.StringValue]:
        return end_before_start(rows, cmap)

    def span(self, rows: ir.Table, snapshot: Snapshot) -> Span:
        first, stop = invoice_months(rows, snapshot)
        return first, stop - 1

    def monthly(self, accepted: ir.Table, months: MonthRange, snapshot: Snapshot) -> ir.Table:
        return spread_invoices(accepted, snapshot)

    def residual(self, accepted: ir.Table, snapshot: Snapshot) -> Decimal | None:
        return check_spread(accepted, snapshot)

    def value_warnings(self, accepted: ir.Table, cmap: ColumnMap) -> list[str]:
        return []

    def table_warnings(self, table: ir.Table) -> list[str]:
        return []

    def one_row_per_month(self) -> bool:
        return False


def check_spread(accepted: ir.Table, snapshot: Snapshot) -> Decimal:
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


def invoice_months(rows: ir.Table, snapshot: Snapshot) -> tuple[ir.IntegerValue, ir.IntegerValue]:
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
    first, stop = snapshot_months(start, exclusive_end.cast("date"), snapshot)
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
    first, stop = invoice_months(lines, snapshot)
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
