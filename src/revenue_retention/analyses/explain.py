"""Explain: every customer behind a retention window or a bridge month (METRICS.md §2-3)."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from revenue_retention.analyses._result import Result
from revenue_retention.analyses.concentration import cohort_window
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.errors import OptionError
from revenue_retention.metrics import MOVEMENTS, bridge, cohort_pairs, retention
from revenue_retention.metrics.spec import (
    BRIDGE_COLUMNS,
    RETENTION_COUNTS,
    RETENTION_MONEY,
    WINDOW_CLASSES,
    step_class,
    step_parts,
    window_class,
    window_totals,
)
from revenue_retention.money import MONEY, zero
from revenue_retention.periods import MonthRange, as_of_month, month_label, month_of

__all__ = [
    "CUSTOMER_FIELDS",
    "PERIOD_MOVEMENTS",
    "PERIOD_TOTALS",
    "WINDOW_MOVEMENTS",
    "WINDOW_TOTALS",
    "ExplainResult",
    "compute_explain",
    "window_class",
]

#: Classes of a cohort customer over a window (§3): b = 0, 0 < b < a, b > a, b = a.
WINDOW_MOVEMENTS = WINDOW_CLASSES
#: Movements of one bridge month (§2); customers without a movement are not listed.
PERIOD_MOVEMENTS = MOVEMENTS
#: The listing's own columns; the customer's attribute columns follow them.
CUSTOMER_FIELDS = ("customer_id", "start_mrr", "end_mrr", "change", "movement")
#: Totals of a window, the figures of the ``metrics`` retention row they reconcile to.
WINDOW_TOTALS = (*RETENTION_COUNTS, *RETENTION_MONEY)
#: Totals of a bridge month, the figures of the ``metrics`` bridge row they reconcile to.
PERIOD_TOTALS = BRIDGE_COLUMNS

#: How many attribute values an error message shows at most.
_SHOWN_VALUES = 20


@dataclass(frozen=True, repr=False)
class ExplainResult(Result):
    """The customers behind one retention window or one bridge month, with their totals.

    ``customers`` holds ``customer_id, start_mrr, end_mrr, change, movement`` and the
    customer's attribute columns, sorted by impact (``|change|`` descending, then
    ``customer_id``), cut to ``limit`` rows when one is given. ``totals`` is one row that
    equals the ``metrics`` row of the same window or month (checked when computed).
    """

    input: InputReport
    #: ``"window"``: the cohort of a window (§3); ``"period"``: one bridge month (§2).
    mode: Literal["window", "period"]
    #: Month index of the end of the window, or of the bridge month.
    as_of: int
    #: k of the window; 1 for a bridge month (a = mrr(M - 1), b = mrr(M)).
    window_months: int
    #: ``(column, value)``: only customers with this attribute value at the start.
    by: tuple[str, str] | None
    limit: int | None
    customers: pa.Table
    #: Customers explained before ``limit``: the whole cohort, or every mover of the month.
    listed: int
    #: ``movement, customers, amount`` per movement class, amount = sum of |change|.
    movements: pa.Table
    #: One row: ``WINDOW_TOTALS`` and ``grr, nrr, logo_retention``, or ``customers`` and
    #: ``PERIOD_TOTALS``.
    totals: pa.Table

    @property
    def start(self) -> int:
        """Month index of a: the start of the window, or the month before the bridge month."""
        return self.as_of - self.window_months

    @property
    def totals_row(self) -> dict[str, Any]:
        """The totals as a dictionary (money as ``Decimal``)."""
        row: dict[str, Any] = self.totals.to_pylist()[0]
        return row


def _check_limit(limit: int | None) -> None:
    if limit is not None:
        # The engine holds 64-bit counts; no list of customers is longer than this.
        OptionError.check_whole("limit", limit, 1, 10**9)


def _check_by(data: Dataset, by: tuple[str, str] | None) -> tuple[str, str] | None:
    """The attribute filter, checked against the data: a typo must not give an empty list."""
    if by is None:
        return None
    column, value = by
    shown = f"{column}={value}"
    if column not in data.attributes:
        names = ", ".join(data.attributes) or "(none: the input has no attribute columns)"
        close = difflib.get_close_matches(column, data.attributes, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise OptionError("by", shown, f"names no attribute column; attributes: {names}.{hint}")
    table = data.table
    found = data.con.to_pyarrow((table[column] == value).sum().name("found")).as_py()
    if not found:
        known = table.filter(table[column].notnull()).select(column).distinct()
        values = data.con.to_pyarrow(known.order_by(column).limit(1000)).column(0).to_pylist()
        # A case slip ("smb" for "SMB") is the likeliest typo; difflib scores it low.
        same_case = [v for v in values if str(v).casefold() == value.casefold()]
        close = same_case or difflib.get_close_matches(value, values, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        listing = ", ".join(repr(v) for v in values[:_SHOWN_VALUES])
        more = f" and {len(values) - _SHOWN_VALUES} more" if len(values) > _SHOWN_VALUES else ""
        raise OptionError(
            "by", shown, f"matches no row: {column} takes the values {listing}{more}.{hint}"
        )
    return column, value


def _listed_attributes(data: Dataset) -> tuple[str, ...]:
    # An attribute named like a listing column would shadow it; it still works with --by.
    return tuple(name for name in data.attributes if name not in CUSTOMER_FIELDS)


def _sorted_listing(customers: ir.Table, limit: int | None) -> ir.Table:
    """Largest impact first; ``customer_id`` breaks ties so the order is reproducible."""
    ordered = customers.order_by([customers.change.abs().desc(), customers.customer_id.asc()])
    return ordered.limit(limit) if limit is not None else ordered


def _movement_table(data: Dataset, customers: ir.Table, classes: tuple[str, ...]) -> pa.Table:
    """Customers and amount per movement class, every class present (0 when none)."""
    grouped = customers.group_by("movement").agg(
        customers=customers.count(), amount=customers.change.abs().sum().cast(MONEY)
    )
    found = {r["movement"]: r for r in data.con.to_pyarrow(grouped).to_pylist()}
    return pa.table(
        {
            "movement": pa.array(classes, pa.string()),
            "customers": pa.array(
                [found[c]["customers"] if c in found else 0 for c in classes], pa.int64()
            ),
            "amount": pa.array(
                [found[c]["amount"] if c in found else Decimal(0) for c in classes],
                pa.decimal128(38, 6),
            ),
        }
    )


def _reconcile(
    what: str, mine: dict[str, Any], reference: dict[str, Any], fields: tuple[str, ...]
) -> None:
    """Raise if the explained customers do not add up to the ``metrics`` figures: a bug."""
    differ = {f: (mine[f], reference[f]) for f in fields if mine[f] != reference[f]}
    if differ:
        raise AssertionError(f"explain does not reconcile with {what}: {differ}")


def _check_listing_sum(listing: pa.Table, start: Decimal, end: Decimal) -> None:
    """Sum of the listed changes = end - start, when the listing is complete."""
    total = pc.sum(listing.column("change")).as_py() or Decimal(0)
    if total != end - start:
        raise AssertionError(f"listed changes sum to {total}, not {end - start}")


def compute_explain(
    data: Dataset,
    *,
    as_of: str | dt.date | None = None,
    window_months: int | None = None,
    period: str | dt.date | None = None,
    by: tuple[str, str] | None = None,
    limit: int | None = None,
) -> ExplainResult:
    """Every customer of the cohort of a window, with its movement, reconciled (METRICS.md §3).

    The cohort is the customers paying at ``as_of - k``; each has a = mrr(c, as_of - k),
    b = mrr(c, as_of), change b - a and a class: churn (b = 0), contraction (0 < b < a),
    expansion (b > a) or flat (b = a). Their totals (S, churn, contraction, expansion, E)
    are checked equal to the cohort-method retention row of the same window.

    With ``period``, one bridge month M instead of a window (METRICS.md §2): every
    customer with a movement from M - 1 to M (see ``_explain_period``).

    Parameters
    ----------
    data
        A loaded dataset.
    as_of
        Last month of the window, ``"YYYY-MM"`` or a date; default the data's last month.
    window_months
        Length k of the window in months (default 12).
    period
        A bridge month, ``"YYYY-MM"`` or a date, to explain instead of a window; it takes
        no ``as_of`` or ``window_months``.
    by
        ``(column, value)``: keep the customers whose attribute ``column`` had ``value`` at
        the start of the window (where §3 puts a customer in a group); the totals then
        equal the retention of that group.
    limit
        List only the first ``limit`` customers by impact; totals still cover all.

    Returns
    -------
    ExplainResult

    Raises
    ------
    OptionError
        The window does not fit the data, ``period`` has no bridge row or comes with a
        window, ``by`` names an unknown attribute or a value it never takes, or ``limit`` < 1.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from revenue_retention.canonical import load
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mrr.csv"
    >>> _ = path.write_text("customer_id,month,mrr\\na,2024-01,300\\nb,2024-01,100\\n"
    ...                     "a,2024-02,450\\n")
    >>> result = compute_explain(load(path), window_months=1)
    >>> [(r["customer_id"], str(r["change"]), r["movement"])
    ...  for r in result.customers.to_pylist()]
    [('a', '150.000000', 'expansion'), ('b', '-100.000000', 'churn')]
    >>> result.totals_row["nrr"]
    1.125
    """
    if period is not None:
        if as_of is not None or window_months is not None:
            raise OptionError(
                "period",
                period,
                "explains one bridge month: it takes no {as_of} or {window_months}",
            )
        return _explain_period(data, month_of(period, "period"), by=by, limit=limit)
    window_months = 12 if window_months is None else window_months
    month = cohort_window(data, as_of_month(as_of), window_months)
    _check_limit(limit)
    by = _check_by(data, by)
    start = month - window_months
    span = MonthRange(start, month)
    pairs = cohort_pairs(data, span, windows=[window_months])
    pairs = pairs.filter(pairs.as_of == month)
    attributes = data.attributes
    # The group is the attribute at the start of the window (§3): churned revenue stays
    # in the group it churned from. Every cohort customer has a row at the start.
    table = data.table
    at_start = table.filter(table.month_index == start).select("customer_id", *attributes)
    joined = pairs.left_join(at_start, "customer_id")
    if by is not None:
        joined = joined.filter(joined[by[0]] == by[1])
    a, b = joined.a, joined.b
    cohort = joined.select(
        "customer_id",
        start_mrr=a,
        end_mrr=b,
        change=(b - a).cast(MONEY),
        movement=window_class(a, b),
        **{name: joined[name] for name in _listed_attributes(data)},
    )

    sums = cohort.aggregate(**window_totals(cohort, cohort.start_mrr, cohort.end_mrr))
    mine = data.con.to_pyarrow(
        sums.select(
            customers=sums.customers,
            retained_customers=sums.retained_customers.fill_null(0),
            **{
                name: sums[name].cast(MONEY).fill_null(zero())
                for name in WINDOW_TOTALS
                if name not in ("customers", "retained_customers")
            },
        )
    ).to_pylist()[0]

    # The reference is the ``metrics`` computation itself, run on the customers explained.
    scope = table if by is None else table.semi_join(cohort.select("customer_id"), "customer_id")
    reference = data.con.to_pyarrow(retention(scope, span, [window_months])).to_pylist()[0]
    _reconcile(f"the retention row of {month_label(month)}", mine, reference, WINDOW_TOTALS)
    totals = pa.table(
        {name: [reference[name]] for name in WINDOW_TOTALS}
        | {name: pa.array([reference[name]], pa.float64()) for name in ("grr", "nrr")}
        | {"logo_retention": pa.array([reference["logo_retention"]], pa.float64())}
    )

    listing = data.con.to_pyarrow(_sorted_listing(cohort, limit))
    if limit is None:
        _check_listing_sum(listing, mine["starting_mrr"], mine["ending_mrr"])
    return ExplainResult(
        input=data.report,
        mode="window",
        as_of=month,
        window_months=window_months,
        by=by,
        limit=limit,
        customers=listing,
        listed=int(mine["customers"]),
        movements=_movement_table(data, cohort, WINDOW_MOVEMENTS),
        totals=totals,
    )


def _explain_period(
    data: Dataset,
    month: int,
    *,
    by: tuple[str, str] | None = None,
    limit: int | None = None,
) -> ExplainResult:
    """Every customer with a movement in one bridge month, reconciled (METRICS.md §2).

    For month M, a = mrr(c, M - 1) and b = mrr(c, M); a customer is new (a = 0 < b, never
    paid before), reactivation (a = 0 < b, paid before), expansion (b > a > 0),
    contraction (0 < b < a) or churn (a > 0 = b). Customers with b = a are not listed but
    count in the opening and closing MRR. The totals are checked equal to the bridge row
    of M.

    Parameters
    ----------
    data
        A loaded dataset.
    month
        The bridge month M (its index), after the data's first month.
    by
        ``(column, value)``: keep the customers whose attribute had ``value`` at M - 1, or
        at M for those not paying at M - 1 (new and reactivated). Customers are grouped
        once, so no transfers between groups appear; the totals equal the bridge of
        those customers.
    limit
        List only the first ``limit`` customers by impact; totals still cover all.

    Returns
    -------
    ExplainResult
        With ``window_months`` 1 and ``as_of`` = M.

    Raises
    ------
    OptionError
        M is the data's first month (the opening balance, no bridge row) or outside its
        months, ``by`` is unknown, or ``limit`` < 1.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from revenue_retention.canonical import load
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mrr.csv"
    >>> _ = path.write_text("customer_id,month,mrr\\na,2024-01,300\\nb,2024-01,100\\n"
    ...                     "a,2024-02,300\\nc,2024-02,40\\n")
    >>> result = compute_explain(load(path), period="2024-02")
    >>> [(r["customer_id"], r["movement"]) for r in result.customers.to_pylist()]
    [('b', 'churn'), ('c', 'new')]
    >>> str(result.totals_row["closing_mrr"])
    '340.000000'
    """
    if not data.months.first < month <= data.months.last:
        raise OptionError(
            "period",
            month_label(month),
            f"has no bridge row: bridge months run from "
            f"{month_label(data.months.first + 1)} to {month_label(data.months.last)} "
            f"(the first month, {month_label(data.months.first)}, is the opening balance)",
        )
    _check_limit(limit)
    by = _check_by(data, by)
    span = MonthRange(data.months.first, month)
    table = data.table
    rows = table.filter(table.month_index.between(span.first, span.last))
    before, now = rows.month_index == month - 1, rows.month_index == month
    paid_before = before & (rows.mrr > 0)
    attributes = data.attributes
    # Each customer collapses to one row: a, b, its first paying month (new or
    # reactivation), and its attributes at M - 1 and at M.
    per_customer = rows.group_by("customer_id").agg(
        a=rows.mrr.sum(where=before).cast(MONEY),
        b=rows.mrr.sum(where=now).cast(MONEY),
        first_paid=rows.month_index.min(where=rows.mrr > 0),
        **{f"_rr_before_{n}": rows[n].max(where=paid_before) for n in attributes},
        **{f"_rr_now_{n}": rows[n].max(where=now) for n in attributes},
    )
    a, b = per_customer.a.fill_null(zero()), per_customer.b.fill_null(zero())
    grouped = per_customer.select(
        "customer_id",
        "first_paid",
        a=a,
        b=b,
        **{
            n: ibis.ifelse(a > 0, per_customer[f"_rr_before_{n}"], per_customer[f"_rr_now_{n}"])
            for n in attributes
        },
    )
    grouped = grouped.filter((grouped.a > 0) | (grouped.b > 0))
    if by is not None:
        grouped = grouped.filter(grouped[by[0]] == by[1])
    g_a, g_b = grouped.a, grouped.b
    parts = step_parts(g_a, g_b, first=grouped.first_paid == month)
    kind = step_class(parts)
    everyone = grouped.select(
        "customer_id",
        start_mrr=g_a,
        end_mrr=g_b,
        change=(g_b - g_a).cast(MONEY),
        movement=kind,
        **{name: grouped[name] for name in _listed_attributes(data)},
    )
    movers = everyone.filter(everyone.movement != "flat")

    sums = grouped.aggregate(
        customers=(kind != "flat").sum(),
        opening_mrr=g_a.sum(),
        closing_mrr=g_b.sum(),
        **{name: part.amount.sum(where=part.when) for name, part in parts.items()},
    )
    mine = data.con.to_pyarrow(
        sums.select(
            customers=sums.customers.fill_null(0),
            **{name: sums[name].cast(MONEY).fill_null(zero()) for name in PERIOD_TOTALS},
        )
    ).to_pylist()[0]

    # The reference is the ``metrics`` bridge itself, run on the customers explained;
    # their whole history is kept, since new versus reactivation depends on it.
    scope = table if by is None else table.semi_join(everyone.select("customer_id"), "customer_id")
    reference_rows = bridge(scope, span)
    reference_rows = reference_rows.filter(reference_rows.month_index == month)
    reference = data.con.to_pyarrow(reference_rows).to_pylist()[0]
    _reconcile(f"the bridge row of {month_label(month)}", mine, reference, PERIOD_TOTALS)
    totals = pa.table(
        {"customers": pa.array([mine["customers"]], pa.int64())}
        | {name: [reference[name]] for name in PERIOD_TOTALS}
    )

    listing = data.con.to_pyarrow(_sorted_listing(movers, limit))
    if limit is None:
        _check_listing_sum(listing, mine["opening_mrr"], mine["closing_mrr"])
    return ExplainResult(
        input=data.report,
        mode="period",
        as_of=month,
        window_months=1,
        by=by,
        limit=limit,
        customers=listing,
        listed=int(mine["customers"]),
        movements=_movement_table(data, movers, PERIOD_MOVEMENTS),
        totals=totals,
    )
