"""The layout protocol, and what most layouts do alike (a row per customer and month).

``Layout`` names every way the layouts differ. ``RowsLayout`` is the behaviour of a long
table, which the other layouts share except where they override it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical import notices
from revenue_retention.canonical.counts import Counts
from revenue_retention.canonical.dataset import Snapshot
from revenue_retention.canonical.parse import DecimalStyle
from revenue_retention.periods import MonthRange, month_index_of

if TYPE_CHECKING:
    from revenue_retention.canonical.billing import Billing
    from revenue_retention.canonical.columns import ColumnMap
    from revenue_retention.canonical.rejected import Locator
    from revenue_retention.inputs import Raw

__all__ = ["Layout", "RowsLayout", "Span", "amount_role"]

#: Of each row: the first month it counts in, and the last.
Span = tuple[ir.IntegerValue, ir.IntegerValue]


@runtime_checkable
class Layout(Protocol):
    """How one input layout is shaped, validated, counted and made monthly."""

    #: ``"long"``, ``"wide"``, ``"periods"`` or ``"invoices"`` (``ColumnMap.layout``).
    name: str
    #: Rows are customer-months as they are, summed in one scan (``canonical.grouped``).
    sums_in_one_scan: bool
    #: Typed columns (Parquet, a database) are validated as they are, not as text.
    reads_typed: bool
    #: Rows are dated spans: each records the latest date it shows as having happened.
    dated: bool
    #: Canonicalisation keeps every accepted cent up to the as-of: checked after it.
    reconciles_kept_money: bool
    #: The source names its amount column (no cube of month columns).
    names_amount_column: bool

    def rows(self, table: ir.Table, cmap: ColumnMap) -> ir.Table:
        """The source's rows in the shape validation reads."""
        ...

    def decimal_style(self, rows: ir.Table, given: str | None) -> DecimalStyle | None:
        """How the amounts are written for display, before any is validated (a cube's)."""
        ...

    def date_required(self, role: str) -> bool:
        """Whether a row without this date is rejected."""
        ...

    def extra_reasons(self, rows: ir.Table, cmap: ColumnMap) -> dict[str, ir.StringValue]:
        """Reasons of the layout's own, by role (an end before its start)."""
        ...

    def period_values(
        self,
        rows: ir.Table,
        cmap: ColumnMap,
        rules: Billing | None,
        dates: Mapping[str, ir.Value],
    ) -> dict[str, ir.Value]:
        """Typed values the layout gives otherwise than as read (a subscription's period)."""
        ...

    def id_columns(self) -> bool:
        """Whether a row's ids tell two rows apart (a cube's rows are compared whole)."""
        ...

    def span(self, rows: ir.Table, snapshot: Snapshot) -> Span:
        """The first and last month each validated row counts in."""
        ...

    def count_extra(self, rows: ir.Table) -> dict[str, ir.Scalar]:
        """Aggregates of the layout's own for ``counts.count_rows``."""
        ...

    def ends_are_events(self, cmap: ColumnMap, counts: Counts) -> bool:
        """Whether end dates record ends that happened (the data's latest event)."""
        ...

    def monthly(self, accepted: ir.Table, months: MonthRange, snapshot: Snapshot) -> ir.Table:
        """Accepted rows with the month each counts in (one row per month covered)."""
        ...

    def residual(self, accepted: ir.Table, snapshot: Snapshot) -> Decimal | None:
        """What spreading amounts over months leaves over (None: nothing is spread)."""
        ...

    def records(self, raw: Raw, locator: Locator, counts: Counts) -> int:
        """The records of a file as its reader returned them, to check against its lines."""
        ...

    def columns_read(self, cmap: ColumnMap) -> dict[str, str]:
        """The role -> column map as reported."""
        ...

    def column_named(self, rows: ir.Table, cmap: ColumnMap, role: str) -> ir.Value:
        """The source column a role's value came from, naming a failure."""
        ...

    def amount_column(self, cmap: ColumnMap) -> str:
        """The amount's column as the file names it."""
        ...

    def source_warnings(self, raw: Raw, cmap: ColumnMap) -> list[str]:
        """Warnings about the source as written (a cube's totals rows)."""
        ...

    def value_warnings(self, accepted: ir.Table, cmap: ColumnMap) -> list[str]:
        """Warnings about the accepted values (amounts that look per interval)."""
        ...

    def table_warnings(self, table: ir.Table) -> list[str]:
        """Warnings about the canonical table (payments that look one-off)."""
        ...

    def repeats(
        self, raw: Raw, accepted: ir.Table, values: Sequence[str], snapshot: Snapshot
    ) -> list[str] | None:
        """Repeated or overlapping rows, when the layout finds them its own way (else None)."""
        ...

    def one_row_per_month(self) -> bool:
        """Whether accepted rows as many as the canonical table's mean no row repeats."""
        ...


class RowsLayout:
    """A row per customer and month (``customer_id, month, mrr``): what most layouts share."""

    name = "long"
    sums_in_one_scan = True
    reads_typed = True
    dated = False
    reconciles_kept_money = True
    names_amount_column = True

    def rows(self, table: ir.Table, cmap: ColumnMap) -> ir.Table:
        return table

    def decimal_style(self, rows: ir.Table, given: str | None) -> DecimalStyle | None:
        return None

    def date_required(self, role: str) -> bool:
        return role in ("month", "start_date")

    def extra_reasons(self, rows: ir.Table, cmap: ColumnMap) -> dict[str, ir.StringValue]:
        return {}

    def period_values(
        self,
        rows: ir.Table,
        cmap: ColumnMap,
        rules: Billing | None,
        dates: Mapping[str, ir.Value],
    ) -> dict[str, ir.Value]:
        return {}

    def id_columns(self) -> bool:
        return True

    def span(self, rows: ir.Table, snapshot: Snapshot) -> Span:
        month = month_index_of(rows.month)
        return month, month

    def count_extra(self, rows: ir.Table) -> dict[str, ir.Scalar]:
        return {}

    def ends_are_events(self, cmap: ColumnMap, counts: Counts) -> bool:
        return False

    def monthly(self, accepted: ir.Table, months: MonthRange, snapshot: Snapshot) -> ir.Table:
        return accepted.mutate(month_index=month_index_of(accepted.month))

    def residual(self, accepted: ir.Table, snapshot: Snapshot) -> Decimal | None:
        return None

    def records(self, raw: Raw, locator: Locator, counts: Counts) -> int:
        return counts.rows_read

    def columns_read(self, cmap: ColumnMap) -> dict[str, str]:
        return dict(cmap.roles)

    def column_named(self, rows: ir.Table, cmap: ColumnMap, role: str) -> ir.Value:
        return ibis.literal(cmap.roles[role])

    def amount_column(self, cmap: ColumnMap) -> str:
        return cmap.roles[amount_role(cmap)]

    def source_warnings(self, raw: Raw, cmap: ColumnMap) -> list[str]:
        return []

    def value_warnings(self, accepted: ir.Table, cmap: ColumnMap) -> list[str]:
        return notices.interval_values(accepted, cmap)

    def table_warnings(self, table: ir.Table) -> list[str]:
        return notices.recurring_payments(table)

    def repeats(
        self, raw: Raw, accepted: ir.Table, values: Sequence[str], snapshot: Snapshot
    ) -> list[str] | None:
        return None

    def one_row_per_month(self) -> bool:
        return True


def amount_role(cmap: ColumnMap) -> str:
    """The role whose column holds each row's amount (``unit_price`` for line items)."""
    return "mrr" if "mrr" in cmap.roles else "unit_price"
