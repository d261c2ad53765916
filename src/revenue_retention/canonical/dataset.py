"""The canonical customer-month table and the record of how it was read (METRICS.md §1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.canonical.fx import Fx
from revenue_retention.money import format_money
from revenue_retention.periods import MonthRange, month_label

__all__ = ["Dataset", "InputReport", "Snapshot"]

Snapshot = Literal["last", "first"]


@dataclass(frozen=True)
class InputReport:
    """What was read, accepted and rejected; money read = money accepted + money rejected."""

    path: str
    adapter: str
    layout: str
    columns: dict[str, str]
    attributes: tuple[str, ...]
    snapshot: Snapshot
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rejected_by_reason: dict[str, int]
    money_read: Decimal
    money_accepted: Decimal
    money_rejected: Decimal
    #: Rejected rows whose amount could not be read at all, so carry no money.
    rows_without_amount: int
    data_months: MonthRange
    months: MonthRange
    as_of: int | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    #: With a currency column: the reporting currency, the currencies, where the rates
    #: came from, and money read / accepted / rejected per currency (each reconciles).
    currency: dict[str, Any] | None = None
    #: For exports with billing rules (Stripe): valid rows carrying no recurring revenue
    #: (trials never paid, prorations, one-off items), with their rows and money by why.
    excluded: dict[str, Any] | None = None
    #: Amounts spread over months (invoice lines): what the lines' amounts exceed the sum
    #: of their equal monthly shares by, each share rounded to the money scale. Money
    #: accepted = the shares of every month covered + this residual; never a movement.
    money_spread_residual: Decimal | None = None
    #: Dated inputs: the latest date the data records as having happened (a start, an
    #: invoice, a cancellation), and the last month whose snapshot day is on or before it,
    #: the default as-of (``canonical.observed``).
    observed_through: dt.date | None = None
    observed_month: int | None = None
    #: For a text file: its lines, ``in_file = header + blank + inside_quoted_values +
    #: starting_rows``, each row read starting on a line of its own (``inputs.lines``).
    lines: dict[str, int] | None = None

    def __post_init__(self) -> None:
        # A run whose totals do not reconcile is a bug, not a data problem.
        if self.rows_read != self.rows_accepted + self.rows_rejected:
            raise AssertionError(f"rows do not reconcile: {self}")
        if self.lines is not None:
            parts = ("header", "blank", "inside_quoted_values", "starting_rows")
            if self.lines["in_file"] != sum(self.lines[p] for p in parts):
                raise AssertionError(f"lines do not reconcile: {self.lines}")
            if self.layout != "wide" and self.lines["starting_rows"] != self.rows_read:
                raise AssertionError(f"lines and rows do not reconcile: {self}")
        if self.money_read != self.money_accepted + self.money_rejected:
            raise AssertionError(f"money does not reconcile: {self}")
        if sum(self.rejected_by_reason.values()) != self.rows_rejected:
            raise AssertionError(f"reject reasons do not add up: {self}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (money as exact decimal strings)."""
        return (
            {
                "files": [self.path],
                "adapter": self.adapter,
                "layout": self.layout,
                "columns": dict(self.columns),
                "attributes": list(self.attributes),
                "snapshot": f"{self.snapshot} day of month",
                **({"lines": dict(self.lines)} if self.lines is not None else {}),
                "rows_read": self.rows_read,
                "rows_accepted": self.rows_accepted,
                "rows_rejected": self.rows_rejected,
                "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
                "money_read": format_money(self.money_read),
                "money_accepted": format_money(self.money_accepted),
                "money_rejected": format_money(self.money_rejected),
                "rows_without_amount": self.rows_without_amount,
                "first_month": month_label(self.months.first),
                "last_month": month_label(self.months.last),
                "data_last_month": month_label(self.data_months.last),
                "as_of": month_label(self.as_of) if self.as_of is not None else None,
                "warnings": list(self.warnings),
                # Without a currency column the currency is not stated: every amount is taken
                # to be in one currency, whichever it is.
                "currency": self.currency,
            }
            | ({"excluded": self.excluded} if self.excluded is not None else {})
            | self._dated()
        )

    def _dated(self) -> dict[str, Any]:
        """The figures only dated and spread inputs have."""
        found: dict[str, Any] = {}
        if self.money_spread_residual is not None:
            found["money_spread_residual"] = format_money(self.money_spread_residual)
        if self.observed_through is not None and self.observed_month is not None:
            found["observed_through"] = self.observed_through.isoformat()
            found["observed_last_month"] = month_label(self.observed_month)
        return found


@dataclass(frozen=True)
class Dataset:
    """Canonical customer-month MRR on an engine, with the report of how it was read.

    ``table`` has one row per customer and month that appears in the input, with
    ``customer_id`` (string), ``month_index`` (integer, see ``periods``), ``period``
    (first day of the month), ``mrr`` (exact decimal, line items summed) and the
    attribute columns. A month absent for a customer means MRR 0.
    """

    con: BaseBackend
    #: The canonical table, or how to make it when first asked for (``table``).
    _table: ir.Table | Callable[[], ir.Table] = field(repr=False)
    months: MonthRange
    attributes: tuple[str, ...]
    report: InputReport
    #: Rejected rows, verbatim, with ``file, line, column, value, reason`` in front.
    rejects: ir.Table
    #: Accepted rows as read (line items), with typed ``quantity``/``unit_price`` when given;
    #: ``line`` is their line in the file when the validating scan numbered them, else null.
    line_items: ir.Table
    #: The customer-months as the bridge and retention read them fastest (``customer_id,
    #: month_index, mrr``, one row each, ids as the engine grouped them, no attributes), or
    #: None when that is ``table`` itself.
    rows: ir.Table | None = None
    #: Several currencies converted to the reporting one (``None`` for a single currency):
    #: ``table.mrr`` is then at spot rates, and this holds the local amounts and rates.
    fx: Fx | None = None

    def __repr__(self) -> str:
        # The generated repr prints every engine expression: 14,203 characters for 3 rows.
        from revenue_retention.canonical.display import dataset_repr

        return dataset_repr(self)

    def _repr_html_(self) -> str:
        from revenue_retention.canonical.display import dataset_html

        return dataset_html(self)

    @cached_property
    def table(self) -> ir.Table:
        """The canonical table; made and stored the first time it is asked for if it needs a
        pass of its own (the attributes of a long input, which the metrics never read)."""
        return self._table if isinstance(self._table, ir.Table) else self._table()
