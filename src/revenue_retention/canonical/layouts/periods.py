"""The periods layout: a subscription per row (``customer_id, start_date, end_date, mrr``).

A subscription counts in the months whose snapshot day it is active on (METRICS.md §1);
an empty end is a subscription still running. Periods of one customer that overlap add
up, and are reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical import notices
from revenue_retention.canonical.columns import names_an_event
from revenue_retention.canonical.counts import Counts
from revenue_retention.canonical.dataset import Snapshot
from revenue_retention.canonical.layouts.base import RowsLayout, Span
from revenue_retention.canonical.snapshot import snapshot_months
from revenue_retention.errors import RejectReason
from revenue_retention.periods import MonthRange

if TYPE_CHECKING:
    from revenue_retention.canonical.billing import Billing
    from revenue_retention.canonical.columns import ColumnMap
    from revenue_retention.inputs import Raw

__all__ = ["Periods", "end_before_start", "expand_periods", "period_months"]


class Periods(RowsLayout):
    """Subscription periods: spans expanded to the months they are active in."""

    name = "periods"
    sums_in_one_scan = False
    dated = True
    reconciles_kept_money = False

    def extra_reasons(self, rows: ir.Table, cmap: ColumnMap) -> dict[str, ir.StringValue]:
        return end_before_start(rows, cmap)

    def period_values(
        self,
        rows: ir.Table,
        cmap: ColumnMap,
        rules: Billing | None,
        dates: Mapping[str, ir.Value],
    ) -> dict[str, ir.Value]:
        found: dict[str, ir.Value] = {}
        if rules is not None:
            found["start_date"], found["end_date"] = rules.period(
                rows._v_start_date,
                rows._v_end_date if "end_date" in cmap.roles else ibis.null("date"),
                dict(dates),
            )
        if "end_date" not in cmap.roles:
            found["end_date"] = ibis.null("date")  # no end column: every subscription is active
        return found

    def span(self, rows: ir.Table, snapshot: Snapshot) -> Span:
        # From the first month a subscription counts in to the month its end shows as churn.
        first, stop = period_months(rows, snapshot)
        return first, ibis.greatest(first, stop.fill_null(first))

    def count_extra(self, rows: ir.Table) -> dict[str, ir.Scalar]:
        return {"open": rows.end_date.isnull().sum(), "latest_end": rows.end_date.max()}

    def ends_are_events(self, cmap: ColumnMap, counts: Counts) -> bool:
        """So in a subscriptions file that leaves running subscriptions open, in an end
        column named as an event (``ended_at``), and in a Stripe subscriptions export."""
        end = cmap.roles.get("end_date")
        return (
            bool(counts.open) or cmap.rules is not None or (end is not None and names_an_event(end))
        )

    def monthly(self, accepted: ir.Table, months: MonthRange, snapshot: Snapshot) -> ir.Table:
        return expand_periods(accepted, months, snapshot)

    def table_warnings(self, table: ir.Table) -> list[str]:
        return []

    def repeats(
        self, raw: Raw, accepted: ir.Table, values: Sequence[str], snapshot: Snapshot
    ) -> list[str] | None:
        first, stop = period_months(accepted, snapshot)
        found = notices.duplicate_rows(accepted, list(values))
        return found + notices.overlapping_periods(accepted, first, stop)

    def one_row_per_month(self) -> bool:
        return False


def end_before_start(rows: ir.Table, cmap: ColumnMap) -> dict[str, ir.StringValue]:
    """A period (a subscription's, an invoice line's) may not end before it starts."""
    if "end_date" not in cmap.roles:
        return {}
    before = (rows._v_end_date < rows._v_start_date).fill_null(False)
    return {
        "end_date": ibis.ifelse(before, RejectReason.END_BEFORE_START.value, ibis.null("string"))
    }


def period_months(rows: ir.Table, snapshot: Snapshot) -> Span:
    """First month a subscription counts in, and the first month it no longer does."""
    return snapshot_months(rows.start_date, rows.end_date, snapshot)


def expand_periods(accepted: ir.Table, months: MonthRange, snapshot: Snapshot) -> ir.Table:
    """One row per month in which a subscription is active at the snapshot day.

    With the last-day snapshot a period [start, end) covers months
    month(start) .. month(end) - 1: the last day of month(start) is on or after start,
    and the last day of month(end) is not before end. With the first-day snapshot it
    covers the months whose first day lies in [start, end).
    """
    start_m, end_m = period_months(accepted, snapshot)
    # An open subscription runs to the end of the analysed range.
    stop = ibis.least(end_m.fill_null(months.last + 1), months.last + 1)
    # Offsets from 0, as invoice lines are spread: Ibis's Spark SQL for range(start, stop)
    # tests the sign of ``stop - start`` without parentheses around a computed start, so
    # every period of one or two months came back empty on Spark (lost without a word).
    spans = accepted.mutate(_first=start_m, _offset=ibis.range(0, stop - start_m))
    spread = spans.mutate(_offset=spans._offset.unnest())
    return spread.mutate(month_index=spread._first + spread._offset).drop("_first", "_offset")
